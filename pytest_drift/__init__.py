"""pytest-datadrift: turn data drift into a failing check.

Public API::

    from pytest_drift import compare, assert_no_drift

    report = compare("data/train.csv", "data/prod.csv", threshold=20)
    report.status            # "NORMAL" or "DRIFT_DETECTED"
    report.drifted_features  # ["tempo", ...]

Importing this package is cheap: pandas, scipy, pyarrow and rich load on first use.
"""

from pytest_drift.compare import assert_no_drift, compare, compare_segments
from pytest_drift.errors import (
    DriftDetected,
    DriftError,
    DriftInputError,
    DriftUsageError,
    DriftWarning,
)
from pytest_drift.models import DriftReport, FeatureResult

__all__ = [
    "DriftDetected",
    "DriftError",
    "DriftInputError",
    "DriftReport",
    "DriftUsageError",
    "DriftWarning",
    "FeatureResult",
    "assert_no_drift",
    "compare",
    "compare_segments",
]
