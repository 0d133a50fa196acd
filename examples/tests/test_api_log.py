"""An API request log as the candidate, and ``pytestmark`` on a module.

``candidate.jsonl`` holds one logged request per line (``{"timestamp": ..., "features":
{...}, "prediction": ...}``); the inputs under ``features`` are flattened to one row per
request (another key: ``features_key=`` or ini ``drift_features_key``). The baseline is the
training table. Seattle's 2014-15 were warmer than 2012-13: the temperatures drift, rain and
wind do not, so 2 of 4 features (50%) drift. The last test cuts the log into quarters.
"""

from __future__ import annotations

import pytest

from pytest_drift import DriftReport

# Every test of this module checks the API log against the training table.
pytestmark = pytest.mark.drift(
    "data/seattle_weather_api_log/baseline.csv",
    "data/seattle_weather_api_log/candidate.jsonl",
)


@pytest.mark.drift(threshold=60)
def test_api_log_within_tolerance() -> None:
    """A tolerance fitted to this model: 50% of drifted features is not above 60%."""


@pytest.mark.drift(mode="warn")
def test_api_log_warns_on_temperature_drift(drift_report: DriftReport) -> None:
    """Warn mode: a failed gate emits a ``DriftWarning`` (see pytest's warnings summary)
    instead of failing. The body still fails the test if anything but temperature drifts."""
    assert drift_report.status == "DRIFT_DETECTED"
    assert set(drift_report.drifted_features) <= {"temp_max", "temp_min"}


@pytest.mark.drift(exclude=["temp_max", "temp_min"])
def test_api_log_rain_and_wind_are_stable() -> None:
    """``exclude``: the seasonal temperatures are watched by the warn-mode test above."""


@pytest.mark.drift(window="QS", mode="warn")
def test_api_log_by_quarter(drift_report: DriftReport) -> None:
    """``window``: the log cut into quarters by each request's ``timestamp``, each quarter
    tested against the whole training table. A quarter is one season, whose temperatures a
    whole year's cannot match: the report lists every quarter and names the first that
    crossed the threshold (in the drift section and the warning)."""
    assert drift_report.windows is not None
    assert len(drift_report.windows["windows"]) == 8
    assert drift_report.windows["first_drifted"] == 0
