"""Segments: drift hidden in one segment can cancel out in the whole, so test each one.

``segment_by="Origin"`` on the marker makes one test per origin seen in either dataset
(``test_cars_by_origin[Origin=Japan]``), all reduced in one pass. In warn mode the same
check on the cars of 1970-76 against 1977-82 says where the model-year drift is without
failing. The last test builds the segments in code with ``drift_check`` instead: each call
is recorded under its ``name`` and fails the test when its gate fails, like a marker (the
frames come from the session fixture ``cars_split`` in ``conftest.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from pytest_drift import DriftReport

ORIGINS = ["USA", "Europe", "Japan"]
RANDOM_SPLIT = ("data/cars_random_split/baseline.csv", "data/cars_random_split/candidate.csv")
MODEL_YEARS = ("data/cars_model_years/baseline.csv", "data/cars_model_years/candidate.csv")


@pytest.mark.drift(*RANDOM_SPLIT, segment_by="Origin")
def test_cars_by_origin(drift_segment: str, drift_report: DriftReport) -> None:
    """One test per origin; each gate compares that origin's cars alone."""
    assert drift_report.segment is not None
    assert drift_report.segment["label"] == drift_segment
    assert "Origin" not in drift_report.details  # what cuts the data is not a feature


@pytest.mark.drift(*MODEL_YEARS, segment_by="Origin", mode="warn")
def test_where_the_model_year_drift_is(drift_report: DriftReport) -> None:
    """Europe's cars changed in one feature of seven (under the 20% threshold); those of
    Japan and the USA in several: a DriftWarning each, and the drift section shows all."""
    assert drift_report.segment is not None


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
