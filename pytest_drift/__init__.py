"""pytest-datadrift: turn data drift into a failing check.

Public API::

    from pytest_drift import compare, assert_no_drift

    report = compare("data/train.csv", "data/prod.csv", threshold=20)
    report.status            # "NORMAL" or "DRIFT_DETECTED"
    report.drifted_features  # ["tempo", ...]

Importing this package is cheap: ``compare`` and the report classes load on first use
(with them pandas, scipy, pyarrow and rich), so the pytest plugin costs a session without
drift checks almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_drift.errors import (
    DriftDetected,
    DriftError,
    DriftInputError,
    DriftUsageError,
    DriftWarning,
)

if TYPE_CHECKING:
    from pytest_drift.compare import assert_no_drift, compare
    from pytest_drift.models import DriftReport, FeatureResult

_LAZY = {"assert_no_drift": "pytest_drift.compare", "compare": "pytest_drift.compare",
         "DriftReport": "pytest_drift.models", "FeatureResult": "pytest_drift.models"}

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
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_drift' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
