"""A windowed check in a pytest session: the failure message says when the drift started,
the terminal lists every window, the JSON report has the windows section, the GitHub step
summary names the first drifted window and the HTML report draws the drift over time."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.runner import check, run_drift
from tests.unit.test_windows import log_pair

CHECKS = """
    import pytest

    @pytest.mark.drift("data/train.csv", "data/requests.csv", window="1d")
    def test_requests_by_day():
        pass
"""


def test_a_windowed_gate_says_when_the_drift_started(project: pytest.Pytester,
                                                      step_summary: Path) -> None:
    baseline, candidate = log_pair()
    baseline.to_csv(project.path / "data" / "train.csv", index=False)
    candidate.to_csv(project.path / "data" / "requests.csv", index=False)
    project.makepyfile(test_requests=CHECKS)
    result, document = run_drift(project, "--drift-html", "r.html")
    result.assert_outcomes(failed=1)
    first = ("drift first crossed the threshold in the window 2026-11-03T00:00:00+00:00 to "
             "2026-11-04T00:00:00+00:00 (50.0% of features: amount)")
    text = result.stdout.str()
    assert first in text
    assert "5 windows of 1d by 'timestamp' (5 tested); the gate is that of the last tested " \
        "window, 2026-11-05T00:00:00+00:00 to 2026-11-06T00:00:00+00:00" in text
    assert "2026-11-02T00:00:00+00:00  400 rows  0.0%  NORMAL" in text
    entry = check(document, "test_requests_by_day")
    assert entry["status"] == "DRIFT_DETECTED"
    assert entry["windows"]["first_drifted"] == 2
    assert [w["rows"] for w in entry["windows"]["windows"]] == [400] * 5
    assert first in step_summary.read_text(encoding="utf-8")
    html = (project.path / "r.html").read_text(encoding="utf-8")
    assert "<h3>Drift over time</h3>" in html
    assert "Drift percentage per window of 1d: 5 windows" in html


def test_an_api_log_is_windowed_by_its_timestamp_in_a_session(project: pytest.Pytester
                                                                ) -> None:
    """Through the session's loader (the pytest_drift_load hook and its cache), the log's
    request times are read though they are no feature."""
    project.makepyfile(test_log="""
        import pytest

        @pytest.mark.drift("data/seattle_weather_api_log/baseline.csv",
                           "data/seattle_weather_api_log/candidate.jsonl", window="QS",
                           mode="warn")
        def test_by_quarter(drift_report):
            assert len(drift_report.windows["windows"]) == 8
            assert "timestamp" not in drift_report.details
    """)
    result, document = run_drift(project)
    result.assert_outcomes(passed=1, warnings=1)
    assert check(document, "test_by_quarter")["windows"]["window"] == "QS"
