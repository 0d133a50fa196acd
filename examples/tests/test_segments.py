"""``drift_check``: checks built in code, here one per segment of the data.

Each call is recorded in the session report under its ``name`` and fails the test when its
gate fails, like a marker. The frames come from the session fixture ``cars_split``
(``conftest.py``), read once and filtered per segment.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from pytest_drift import DriftReport

ORIGINS = ["USA", "Europe", "Japan"]


@pytest.mark.parametrize("origin", ORIGINS)
def test_each_origin_is_stable(
    drift_check: Callable[..., DriftReport],
    cars_split: tuple[pd.DataFrame, pd.DataFrame],
    origin: str,
) -> None:
    """Drift hidden in one segment can cancel out in the whole; so test each segment."""
    baseline, candidate = cars_split
    report = drift_check(
        baseline[baseline["Origin"] == origin],
        candidate[candidate["Origin"] == origin],
        name=f"Origin={origin}",
        exclude=["Origin"],  # constant within a segment: nothing to test
    )
    assert report.features_tested == 6
