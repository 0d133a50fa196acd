"""The ``drift`` marker: one check per test, run before the body; a failed gate fails the test.

Paths are relative to the rootdir (the folder of ``pyproject.toml``), not to this file.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pytest_drift import DriftReport

SPLIT = "data/cars_random_split"
CARS = "data/cars_model_years"


@pytest.mark.drift(f"{SPLIT}/baseline.csv", f"{SPLIT}/candidate.csv")
def test_random_split_has_no_drift() -> None:
    """Baseline and candidate given positionally; alpha and threshold come from ini.

    The body may be empty: the marker is the test. The two files are a seeded random split
    of the same rows (``data/make_split.py``), so every feature must pass.
    """


@pytest.mark.drift(f"{SPLIT}/baseline.parquet", f"{SPLIT}/candidate.csv")
def test_parquet_baseline_against_csv_candidate(
    drift_baseline: pd.DataFrame, drift_candidate: pd.DataFrame
) -> None:
    """Formats mix freely; ``drift_baseline``/``drift_candidate`` are the loaded frames."""
    assert list(drift_baseline.columns) == list(drift_candidate.columns)
    assert len(drift_baseline) == len(drift_candidate) == 203


@pytest.mark.drift(f"{SPLIT}/baseline.csv", f"{SPLIT}/candidate.csv")
def test_key_features_do_not_drift_at_all(drift_report: DriftReport) -> None:
    """``drift_report`` gives the check's result to assert more than the gate does.

    The gate tolerates drift in up to 20% of the features; the features the model leans on
    most must not drift at all, and the candidate must be big enough to be worth testing.
    """
    for feature in ("Weight_in_lbs", "Horsepower"):
        assert feature not in drift_report.drifted_features
    assert drift_report.candidate_rows is not None
    assert drift_report.candidate_rows >= 200
    assert not drift_report.skipped_features


@pytest.mark.intentionally_failing
@pytest.mark.drift(
    baseline=f"{CARS}/baseline.csv",
    candidate=f"{CARS}/candidate.csv",
    features=["Miles_per_Gallon", "Horsepower", "Weight_in_lbs", "Acceleration", "Origin"],
    threshold=40,
)
def test_cars_gate_fails_on_model_year_drift() -> None:
    """THE INTENTIONALLY FAILING EXAMPLE: cars of 1970-76 against cars of 1977-82.

    Keyword arguments, a feature list and a looser threshold than the ini's 20%: even so,
    all five features drift (fuel economy rose, engines shrank), 100% > 40%, and the test
    fails with a message that lists each drifted feature with its statistic and means.
    ``run_demo.py`` expects exactly this failure; deselect it with
    ``pytest -m "not intentionally_failing"``.
    """
