"""The trend against an earlier run (``--drift-previous-report``), as CI runs it: a first
session writes ``drift_report.json``, it is kept as the previous report, and a second
session on changed data compares with it. The trend shows in the terminal, the GitHub step
summary and the HTML report, and is the report's ``trend`` object, also under xdist."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pytest_drift.report import SCHEMA_VERSION
from pytest_drift.trend_wording import move_change_text
from pytest_drift.wording import fmt_number
from tests.e2e.runner import CARS, REPORT, STABLE, check, drift_section, read_report, run_drift

PREVIOUS = "previous.json"
#: The first run: cars against its own baseline (no drift), a shifted stable pair (x drifts),
#: and a check that the second run no longer has.
FIRST = f"""
    import pytest

    @pytest.mark.drift({CARS[0]!r}, "data/now.csv")
    def test_cars():
        pass

    @pytest.mark.drift({STABLE[0]!r}, "data/flip.csv")
    def test_flip():
        pass

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_gone():
        pass
"""
#: The second run: Weight_in_lbs now tested with cvm, a new check instead of test_gone.
SECOND = f"""
    import pytest

    @pytest.mark.drift({CARS[0]!r}, "data/now.csv", tests={{"Weight_in_lbs": "cvm"}})
    def test_cars():
        pass

    @pytest.mark.drift({STABLE[0]!r}, "data/flip.csv")
    def test_flip():
        pass

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, name="brand new")
    def test_new():
        pass
"""
NODE = "test_trend.py::"


def first_run(project: pytest.Pytester) -> dict[str, Any]:
    """Run the first session on stable cars and a shifted pair; keep its report as the
    previous one; then change the data for the second run. Returns the first report."""
    data = project.path / "data"
    shutil.copyfile(project.path / CARS[0], data / "now.csv")
    candidate = pd.read_csv(project.path / STABLE[1])
    candidate.assign(x=candidate["x"] + 3).to_csv(data / "flip.csv", index=False)
    project.makepyfile(test_trend=FIRST)
    result, report = run_drift(project)
    result.assert_outcomes(passed=2, failed=1)
    assert report is not None
    shutil.copyfile(project.path / REPORT, project.path / PREVIOUS)
    shutil.copyfile(project.path / CARS[1], data / "now.csv")
    candidate.to_csv(data / "flip.csv", index=False)
    project.makepyfile(test_trend=SECOND)
    return report


def expected_trend(before: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """What the trend of test_cars must say, from the two reports' own entries."""
    old, new = check(before, "test_cars")["details"], check(now, "test_cars")["details"]
    comparable = [name for name in new if new[name]["test"] == old[name]["test"]]
    moves = sorted(comparable, key=lambda name: -abs(new[name]["statistic"]
                                                     - old[name]["statistic"]))
    return {
        "newly": [n for n in comparable if new[n]["drift_detected"]
                  and not old[n]["drift_detected"]],
        "moves": moves[:5],
    }


@pytest.fixture
def runs(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
         ) -> tuple[pytest.Pytester, dict[str, Any], Path]:
    """The first run done; the second run's data in place, in GitHub Actions, wide."""
    before = first_run(project)
    summary = tmp_path / "step_summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("COLUMNS", "160")
    return project, before, summary


def test_second_run_shows_the_trend_everywhere(runs):
    project, before, summary = runs
    result, report = run_drift(project, "--drift-previous-report", PREVIOUS,
                               "--drift-html", "drift.html")
    result.assert_outcomes(passed=2, failed=1)
    assert report is not None
    assert report["schema_version"] == SCHEMA_VERSION
    trend = report["trend"]
    expected = expected_trend(before, report)

    # --- the JSON report's trend object ---------------------------------------------------
    assert trend["previous_report"] == PREVIOUS
    assert trend["previous_timestamp"] == before["timestamp"]
    assert trend["new_checks"] == [{"nodeid": NODE + "test_new", "name": "brand new"}]
    assert trend["gone_checks"] == [{"nodeid": NODE + "test_gone", "name": "test_gone"}]
    by_name = {c["name"]: c for c in trend["checks"]}
    assert set(by_name) == {"test_cars", "test_flip"}
    cars = by_name["test_cars"]
    assert (cars["previous_status"], cars["status"]) == ("NORMAL", "DRIFT_DETECTED")
    assert cars["not_comparable"] == {"Weight_in_lbs": "test ks → cvm"}
    assert cars["newly_drifting"] == expected["newly"]
    assert "Weight_in_lbs" not in cars["newly_drifting"]
    assert len(cars["newly_drifting"]) == 6
    assert [m["feature"] for m in cars["moves"]] == expected["moves"]
    old_cars = check(before, "test_cars")["details"]
    new_cars = check(report, "test_cars")["details"]
    for move in cars["moves"]:
        name = move["feature"]
        assert move["previous_statistic"] == old_cars[name]["statistic"]
        assert move["statistic"] == new_cars[name]["statistic"]
        assert move["previous_p_value"] == old_cars[name]["p_value"]
        assert move["p_value"] == new_cars[name]["p_value"]
    flip = by_name["test_flip"]
    assert flip["stopped_drifting"] == ["x"] == check(before, "test_flip")["drifted_features"]
    assert flip["newly_drifting"] == []
    assert flip["moves"][0]["feature"] == "x"
    assert flip["moves"][0]["change"] < 0

    # --- the terminal: after the drift tables, in the drift section ------------------------
    section = drift_section(result.stdout.str())
    lines = [line.rstrip() for line in section.splitlines()]
    start = next(i for i, line in enumerate(lines) if "- drift trend -" in line)
    assert start > next(i for i, line in enumerate(lines) if "test_cars DRIFT_DETECTED" in line)
    shown = "\n".join(lines[start:])
    assert (f"compared with {PREVIOUS} (written {before['timestamp']}): 2 checks matched, "
            "1 new, 1 gone; 6 features newly drifting, 1 stopped drifting") in shown
    assert f"new check (not in the previous run): {NODE}test_new (brand new)" in shown
    assert f"gone check (not in this run): {NODE}test_gone" in shown
    assert "test_cars NORMAL → DRIFT_DETECTED" in shown
    assert f"newly drifting: {', '.join(expected['newly'])}" in shown
    assert "not comparable Weight_in_lbs: test ks → cvm" in shown
    assert "stopped drifting: x" in shown
    assert "largest moves of the statistic (top 5)" in shown
    top = cars["moves"][0]
    row = next(line for line in lines[start:] if f" {top['feature']} " in line)
    assert row.split() == ["ok", "→", "DRIFT", top["feature"], top["test"],
                           fmt_number(top["previous_statistic"]), "→",
                           fmt_number(top["statistic"]), move_change_text(top),
                           fmt_number(top["previous_p_value"], 3), "→",
                           fmt_number(top["p_value"], 3)]

    # --- the GitHub step summary -----------------------------------------------------------
    text = summary.read_text(encoding="utf-8")
    assert text.count("## Drift trend since the previous run") == 1
    trend_part = text.split("## Drift trend since the previous run", 1)[1]
    assert "2 checks matched, 1 new, 1 gone" in trend_part
    assert f"- new check (not in the previous run): {NODE}test_new (brand new)" in trend_part
    assert "#### `test_cars` NORMAL → DRIFT_DETECTED" in trend_part
    assert "- not comparable Weight_in_lbs: test ks → cvm" in trend_part
    assert "#### `test_flip` DRIFT_DETECTED → NORMAL" in trend_part
    assert (f"| **ok → DRIFT** | {top['feature']} | {top['test']} | "
            f"{fmt_number(top['previous_statistic'])} → {fmt_number(top['statistic'])} | "
            f"{move_change_text(top)} |") in trend_part

    # --- the HTML report ------------------------------------------------------------------
    page = (project.path / "drift.html").read_text(encoding="utf-8")
    trend_html = page.split('<section class="trend" id="trend">', 1)[1].split("</section>")[0]
    assert "Drift trend since the previous run" in trend_html
    assert 'data-check="test_cars"' in trend_html
    assert "not comparable Weight_in_lbs: test ks → cvm" in trend_html
    assert trend_html.count('<tr class="drift" data-feature=') >= 5
    assert f'data-feature="{top["feature"]}"' in trend_html
    assert page.index('id="trend"') < page.index('id="check-1"')


def test_the_trend_is_the_same_under_xdist(runs):
    project, _, summary = runs
    _, plain = run_drift(project, "--drift-previous-report", PREVIOUS)
    summary.unlink()
    result, spread = run_drift(project, "--drift-previous-report", PREVIOUS, "-n", "2",
                               subprocess=True)
    result.assert_outcomes(passed=2, failed=1)
    assert plain is not None
    assert spread is not None
    assert spread["trend"] == plain["trend"]
    assert result.stdout.str().count("- drift trend -") == 1
    assert summary.read_text(encoding="utf-8").count("## Drift trend") == 1


def test_the_previous_report_may_be_the_file_this_run_replaces(runs):
    """Locally, the last run's report is the previous one: it is read before it is
    replaced."""
    project, before, _ = runs
    result = project.runpytest("--drift-previous-report", REPORT)
    result.assert_outcomes(passed=2, failed=1)
    report = read_report(project.path / REPORT)
    assert report["trend"]["previous_report"] == REPORT
    assert report["trend"]["previous_timestamp"] == before["timestamp"]
    assert report["trend"]["gone_checks"] == [{"nodeid": NODE + "test_gone",
                                               "name": "test_gone"}]
    assert "brand new" in [c["name"] for c in report["checks"]]  # this run's report


def test_the_ini_key_sets_it_and_a_run_without_it_has_no_trend(runs):
    project, _, _ = runs
    _, report = run_drift(project)
    assert report is not None
    assert "trend" not in report
    project.makeini(f"[pytest]\ndrift_previous_report = {PREVIOUS}\n")
    result, report = run_drift(project, "-q")
    assert report is not None
    assert report["trend"]["previous_report"] == PREVIOUS
    # -q: the headline and the checks whose verdicts changed, no tables
    section = drift_section(result.stdout.str())
    assert "newly drifting: Miles_per_Gallon" in section
    assert f"{NODE}test_flip: stopped drifting: x" in section
    assert "largest moves" not in section
