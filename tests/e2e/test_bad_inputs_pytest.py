"""Every bad input of tests/bad_inputs.py through the ``drift`` marker, in a pytest session.

Each case runs in its own pytester session beside a well-formed check. A bad input errors
its test at setup with a message naming the file, the option that named it and what to do,
shown without a traceback; the other check still runs; the session report holds both, the
bad one with status ERROR and the message the terminal showed. A column entirely missing
on one side and ±inf values are not errors: the test passes and the terminal and the report
say what happened.
"""

from __future__ import annotations

import pickle

import pytest

from pytest_drift.options import Layer, resolve_check
from tests.bad_inputs import (
    CASES,
    ERROR_CASES,
    PREVIOUS_REPORT,
    UNPICKLED_MARKER,
    Case,
    PreviousReportCase,
    Unpickled,
    normalise,
    origin_fragments,
    previous_report_cases,
    problems,
    simulated,
    was_unpickled,
)
from tests.e2e.runner import REPORT, STABLE, check, drift_section, literal, run_drift

NODEID = "test_case.py::test_bad_input"
#: The test module of each session: the case's check, and a well-formed one beside it.
MODULE = f"""
    from pathlib import Path

    import pytest

    from tests.bad_inputs import build

    BASELINE, CANDIDATE, OPTIONS = build({{case_id!r}}, Path(__file__).parent)


    @pytest.mark.drift(BASELINE, CANDIDATE, **OPTIONS)
    def test_bad_input():
        pass


    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_stable():
        pass
"""


def run_case(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, case: Case
             ) -> tuple[pytest.RunResult, dict, str]:
    """Run the case's session; return the result, the session report and the output."""
    project.makepyfile(test_case=MODULE.format(case_id=case.id))
    with simulated(case, project.path, monkeypatch.setattr):
        result, report = run_drift(project)
    assert report is not None, "no session report was written"
    assert [c["name"] for c in report["checks"]] == ["test_bad_input", "test_stable"]
    assert check(report, "test_stable")["status"] == "NORMAL"
    output = result.stdout.str()
    # The message is the whole story: no traceback, no frame of the plugin's code.
    assert "Traceback" not in output
    assert "pytest_drift/" not in output
    assert not was_unpickled(project.path)
    return result, report, output


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.id for c in ERROR_CASES])
def test_bad_input_errors_its_check_only(project, monkeypatch, case):
    result, report, output = run_case(project, monkeypatch, case)
    entry = check(report, "test_bad_input")
    assert entry["status"] == "ERROR", (
        f"{case.id}: the check did not error but ended {entry['status']} "
        f"(skipped: {entry['skipped_features']})")
    result.assert_outcomes(passed=1, errors=1)
    message = entry["error"]
    # The terminal shows the message that the report holds.
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_bad_input*",
        f"drift check could not run: {literal(message.splitlines()[0])}",
    ])
    missing = problems(case, message, project.path, "marker", NODEID)
    assert missing == [], f"{case.id}: the message\n  {message}\ndoes not say {missing}"
    shown = pytest.LineMatcher(normalise(output, project.path).splitlines())
    for fragment in (*case.expect, *origin_fragments(case, "marker", NODEID)):
        shown.fnmatch_lines([f"drift check could not run: *{literal(fragment)}*"])
    shown.re_match_lines([f"drift check could not run: .*{case.advice}"])
    assert entry["features_tested"] == 0
    assert report["status"] == "ERROR"


def outcome_case(outcome: str) -> Case:
    return next(case for case in CASES if case.outcome == outcome)


def test_column_entirely_missing_is_skipped_with_its_reason(project, monkeypatch):
    case = outcome_case("skipped")
    result, report, output = run_case(project, monkeypatch, case)
    result.assert_outcomes(passed=2)
    entry = check(report, "test_bad_input")
    assert entry["status"] == "NORMAL"
    assert entry["skipped_features"] == dict(case.skipped)
    assert entry["features_tested"] == 2
    section = drift_section(output)
    for feature, reason in case.skipped.items():
        assert f"skipped {feature}: {reason}" in section


def test_infinite_values_are_counted_apart_and_shown(project, monkeypatch):
    case = outcome_case("infinite")
    assert case.infinite is not None
    feature, baseline_inf, candidate_inf, candidate_missing = case.infinite
    result, report, output = run_case(project, monkeypatch, case)
    result.assert_outcomes(passed=2)
    entry = check(report, "test_bad_input")
    assert entry["status"] == "NORMAL"
    assert entry["skipped_features"] == {}
    detail = entry["details"][feature]
    assert detail["test"] == "ks"
    assert (detail["train_infinite"], detail["prod_infinite"]) == (baseline_inf, candidate_inf)
    assert (detail["train_missing"], detail["prod_missing"]) == (0, candidate_missing)
    assert detail["prod_n"] == 40 - candidate_inf - candidate_missing
    section = drift_section(output)
    lines = section.splitlines()
    header = next(line for line in lines if "feature" in line and "p-value" in line)
    assert header.split()[-1] == "miss", header
    row = next(line for line in lines if f" {feature} " in line and "ks" in line)
    assert row.rstrip().endswith(
        f"{0}/{candidate_missing} (±inf {baseline_inf}/{candidate_inf})"), row


def test_pickle_payload_would_create_the_marker(tmp_path):
    """The disguised pickles are live: loading one would leave the marker behind."""
    payload = pickle.dumps(Unpickled(tmp_path / UNPICKLED_MARKER))
    assert not was_unpickled(tmp_path)
    pickle.loads(payload)
    assert was_unpickled(tmp_path)


def test_too_large_advice_is_honest_about_the_engine(tmp_path, monkeypatch):
    """The too-large message names engine="duckdb" and the extra that installs it, and the
    advice works: the same check on the DuckDB engine (or on auto, which picks it) runs
    within the same small memory and gives the in-memory result."""
    from pytest_drift import compare
    from pytest_drift.errors import DriftInputError
    from pytest_drift.loaders import budget

    path = tmp_path / "big.csv"
    other = tmp_path / "other.csv"
    path.write_text("x\n" + "1.5\n2.5\n" * 2500)
    other.write_text("x\n" + "1.5\n3.5\n" * 2500)
    expected = compare(str(path), str(other), engine="memory")
    monkeypatch.setattr(budget, "available_memory", lambda: 1000)
    with pytest.raises(DriftInputError) as info:
        compare(str(path), str(other), engine="memory")
    message = str(info.value)
    assert 'engine="duckdb"' in message
    assert "pip install 'pytest-datadrift[duckdb]'" in message
    assert "features=[...]" in message
    resolve_check([Layer("marker", {"features": ["x"]}, NODEID)])
    for engine in ("duckdb", "auto"):
        report = compare(str(path), str(other), engine=engine,
                         duckdb_memory_limit="64MiB")
        assert report.engine == "duckdb"
        assert report.details["x"].statistic == expected.details["x"].statistic
        assert report.details["x"].p_value == expected.details["x"].p_value


def test_every_case_is_run_here():
    covered = {c.id for c in ERROR_CASES} | {outcome_case("skipped").id,
                                             outcome_case("infinite").id}
    assert covered == {c.id for c in CASES}


PREVIOUS_CASES = previous_report_cases()
#: A check that would run if the previous report did not stop the session first.
STABLE_MODULE = f"""
    import pytest

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_stable():
        pass
"""


def previous_report_errors(project: pytest.Pytester, case: PreviousReportCase,
                           *args: str, subprocess: bool = False) -> list[str]:
    """Run a session whose previous report is ``case``'s file; return the error lines,
    after checking that the session stopped before any check ran."""
    case.write(project.path)
    project.makepyfile(test_stable=STABLE_MODULE)
    result, report = run_drift(project, *args, subprocess=subprocess)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "passed" not in result.stdout.str()
    assert report is None
    assert not (project.path / REPORT).exists()
    errors = normalise(result.stderr.str(), project.path).splitlines()
    return [line for line in errors if line.startswith("ERROR:")]


@pytest.mark.parametrize("case", PREVIOUS_CASES, ids=[c.id for c in PREVIOUS_CASES])
def test_a_previous_report_that_cannot_be_compared_with_is_a_usage_error(project, case):
    errors = previous_report_errors(project, case, "--drift-previous-report", PREVIOUS_REPORT)
    assert errors == ["ERROR: pytest-datadrift: "
                      + case.message("command line --drift-previous-report")]


def test_the_previous_report_error_is_said_once_under_xdist(project):
    case = PREVIOUS_CASES[-1]
    errors = previous_report_errors(project, case, "--drift-previous-report", PREVIOUS_REPORT,
                                    "-n", "2", subprocess=True)
    assert errors == ["ERROR: pytest-datadrift: "
                      + case.message("command line --drift-previous-report")]


def test_a_previous_report_in_ini_is_named_by_its_key(project):
    case = PREVIOUS_CASES[0]
    project.makeini(f"[pytest]\ndrift_previous_report = {PREVIOUS_REPORT}\n")
    errors = previous_report_errors(project, case)
    assert errors == ["ERROR: pytest-datadrift: "
                      + case.message("ini key drift_previous_report in tox.ini")]
