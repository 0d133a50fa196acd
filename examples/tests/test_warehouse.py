"""A source that is not a file: tables of a SQLite warehouse, loaded by the
``pytest_drift_load`` hook in ``conftest.py``. The check itself is the usual marker."""

from __future__ import annotations

import pytest

from pytest_drift import DriftReport


@pytest.mark.drift("sqlite:data/warehouse.db/weather_2012_13",
                   "sqlite:data/warehouse.db/weather_2014_15",
                   features=["precipitation", "wind"])
def test_warehouse_rain_and_wind_are_stable(drift_report: DriftReport) -> None:
    """The same rows as the API-log example, read from SQL tables instead of files."""
    assert drift_report.baseline_rows == 731
    assert drift_report.candidate_rows == 730
