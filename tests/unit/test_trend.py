"""The trend against an earlier run, from hand-built reports: which checks match, which
features newly drift or stopped, the largest moves of the statistic, and what is not
compared (a changed test or kind, an errored check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_drift.errors import DriftUsageError
from pytest_drift.previous_report import read_previous
from pytest_drift.report import SCHEMA_VERSION, TOOL, session_report, strict
from pytest_drift.trend import TOP_MOVES, compare_check, compute_trend, has_news
from tests.helpers import validate_report

NODEID = "tests/test_drift.py::test_stable"


def feature(statistic: float | None, p_value: float | None = 0.5, *, drift: bool = False,
            test: str = "ks", kind: str = "numeric") -> dict[str, Any]:
    return {"test": test, "kind": kind, "statistic": statistic, "p_value": p_value,
            "drift_detected": drift}


def check(details: dict[str, dict[str, Any]], *, name: str = "test_stable",
          nodeid: str | None = NODEID, status: str = "NORMAL", **settings: Any
          ) -> dict[str, Any]:
    return {"name": name, "nodeid": nodeid, "status": status, "details": details,
            "alpha": 0.05, "threshold": 20.0, "correction": None, "min_effect": None,
            **settings}


def report(*checks: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "tool": TOOL, "version": "1.0",
            "timestamp": "2026-11-22T10:00:00+00:00", "status": "NORMAL",
            "checks": list(checks)}


# --- matching checks -------------------------------------------------------------------------


def test_checks_match_by_node_id_and_name() -> None:
    kept = check({"x": feature(0.1)})
    renamed = check({"x": feature(0.1)}, name="region=eu")
    moved = check({"x": feature(0.1)}, nodeid="tests/test_other.py::test_stable")
    gone = check({"x": feature(0.1)}, name="gone", nodeid="tests/test_gone.py::test_gone")
    trend = compute_trend(report(kept, renamed, gone),
                          [kept, moved, check({"x": feature(0.1)}, name="region=eu")],
                          source="old.json")
    assert [(c["nodeid"], c["name"]) for c in trend["checks"]] == [
        (NODEID, "test_stable"), (NODEID, "region=eu")]
    assert trend["new_checks"] == [{"nodeid": "tests/test_other.py::test_stable",
                                    "name": "test_stable"}]
    assert trend["gone_checks"] == [{"nodeid": "tests/test_gone.py::test_gone",
                                     "name": "gone"}]
    assert (trend["previous_report"], trend["previous_timestamp"], trend["previous_version"],
            trend["top"]) == ("old.json", "2026-11-22T10:00:00+00:00", "1.0", TOP_MOVES)


def test_two_checks_of_one_name_in_one_test_are_matched_in_order() -> None:
    first, second = check({"x": feature(0.1)}), check({"x": feature(0.3)})
    trend = compute_trend(report(first, second),
                          [check({"x": feature(0.2)}), check({"x": feature(0.9)})], source="p")
    assert [c["moves"][0]["previous_statistic"] for c in trend["checks"]] == [0.1, 0.3]
    assert trend["new_checks"] == trend["gone_checks"] == []


def test_a_command_line_check_matches_by_name_without_a_node_id() -> None:
    trend = compute_trend(report(check({"x": feature(0.1)}, name="batch", nodeid=None)),
                          [check({"x": feature(0.4)}, name="batch", nodeid=None)], source="p")
    assert len(trend["checks"]) == 1
    assert trend["checks"][0]["moves"][0]["change"] == pytest.approx(0.3)


# --- one matched check ----------------------------------------------------------------------


def test_features_that_newly_drift_and_that_stopped() -> None:
    before = check({"a": feature(0.1), "b": feature(0.5, 1e-6, drift=True),
                    "c": feature(0.5, 1e-6, drift=True), "d": feature(0.1)})
    now = check({"a": feature(0.6, 1e-8, drift=True), "b": feature(0.1),
                 "c": feature(0.5, 1e-6, drift=True), "d": feature(0.1)})
    result = compare_check(before, now)
    assert result["newly_drifting"] == ["a"]
    assert result["stopped_drifting"] == ["b"]
    assert result["not_comparable"] == {}
    assert result["error"] is None


def test_largest_moves_keep_the_top_by_absolute_change_with_both_runs_values() -> None:
    statistics = {"a": (0.10, 0.15), "b": (0.40, 0.05), "c": (0.20, 0.50), "d": (0.3, 0.3),
                  "e": (0.01, 0.02), "f": (0.30, 0.31), "g": (0.05, 0.25)}
    before = check({n: feature(old, 0.4, drift=old > 0.2) for n, (old, _) in statistics.items()})
    now = check({n: feature(new, 0.01, drift=new > 0.2) for n, (_, new) in statistics.items()})
    moves = compare_check(before, now, top=4)["moves"]
    # |change|: b 0.35, c 0.30, g 0.20, a 0.05, f 0.01, e 0.01; d did not move.
    assert [m["feature"] for m in moves] == ["b", "c", "g", "a"]
    first = moves[0]
    assert (first["previous_statistic"], first["statistic"]) == (0.40, 0.05)
    assert first["change"] == pytest.approx(0.05 - 0.40)
    assert (first["previous_p_value"], first["p_value"]) == (0.4, 0.01)
    assert (first["previous_drift"], first["drift"], first["test"]) == (True, False, "ks")
    assert "d" not in [m["feature"] for m in compare_check(before, now, top=10)["moves"]]


def test_equal_moves_are_ordered_by_name() -> None:
    before = check({"b": feature(0.25), "a": feature(0.75)})
    now = check({"b": feature(0.5), "a": feature(0.5)})
    assert [m["feature"] for m in compare_check(before, now)["moves"]] == ["a", "b"]


@pytest.mark.parametrize(("old", "new", "reason"), [
    (feature(0.1, test="ks"), feature(0.9, 1e-9, drift=True, test="cvm"), "test ks → cvm"),
    (feature(0.1, test="psi", kind="numeric"), feature(3.0, None, drift=True, test="psi",
                                                        kind="categorical"),
     "kind numeric → categorical"),
])
def test_a_feature_whose_test_or_kind_changed_is_not_compared(old, new, reason) -> None:
    result = compare_check(check({"x": old, "y": feature(0.1)}),
                           check({"x": new, "y": feature(0.2)}))
    assert result["not_comparable"] == {"x": reason}
    assert [m["feature"] for m in result["moves"]] == ["y"]
    assert result["newly_drifting"] == []  # the verdicts of two tests are not compared


def test_features_that_came_and_went() -> None:
    result = compare_check(check({"a": feature(0.1), "gone": feature(0.1)}),
                           check({"new": feature(0.1), "a": feature(0.1)}))
    assert (result["new_features"], result["gone_features"]) == (["new"], ["gone"])
    assert result["moves"] == []


@pytest.mark.parametrize(("before", "now", "error"), [
    ("ERROR", "NORMAL", "errored in the previous run: nothing to compare"),
    ("NORMAL", "ERROR", "errored in this run: nothing to compare"),
    ("ERROR", "ERROR", "errored in both runs: nothing to compare"),
])
def test_an_errored_check_is_not_compared(before, now, error) -> None:
    result = compare_check(check({"x": feature(0.1)}, status=before),
                           check({"x": feature(0.9, drift=True)}, status=now))
    assert result["error"] == error
    assert (result["previous_status"], result["status"]) == (before, now)
    assert result["moves"] == result["newly_drifting"] == result["new_features"] == []


def test_changed_verdict_settings_are_reported() -> None:
    result = compare_check(check({"x": feature(0.1)}),
                           check({"x": feature(0.1)}, alpha=0.01, correction="holm"))
    assert result["changed_settings"] == {"alpha": [0.05, 0.01], "correction": [None, "holm"]}
    assert has_news(result)


def test_a_feature_without_a_statistic_has_no_move_but_its_verdict_is_compared() -> None:
    result = compare_check(check({"x": feature(None)}), check({"x": feature(0.4, drift=True)}))
    assert result["moves"] == []
    assert result["newly_drifting"] == ["x"]


def test_an_unchanged_check_has_no_news() -> None:
    same = check({"x": feature(0.1), "y": feature(0.3, 0.01, drift=True)})
    result = compare_check(same, same)
    assert not has_news(result)
    assert result["status"] == result["previous_status"] == "NORMAL"


def test_the_trend_is_valid_in_the_session_report() -> None:
    before = check({"x": feature(0.1), "y": feature(0.4, 1e-5, drift=True),
                    "z": feature(0.1, test="ks")})
    now = check({"x": feature(0.5, 1e-9, drift=True), "y": feature(0.1),
                 "z": feature(0.1, test="cvm"), "w": feature(0.2)}, status="DRIFT_DETECTED",
                alpha=0.01)
    real = real_entry()
    entries = [{**real, **now, "details": {name: {**real["details"]["x"], **detail}
                                           for name, detail in now["details"].items()}}]
    trend = compute_trend(report(before, check({}, name="gone", nodeid="g.py::g")), entries,
                          source="old.json")
    document = strict(session_report(entries, "2026-11-23T10:00:00+00:00", trend))
    validate_report(document)
    assert document["trend"] == json.loads(json.dumps(trend))
    assert "trend" not in session_report(entries, "2026-11-23T10:00:00+00:00")


def real_entry() -> dict[str, Any]:
    """A check entry with every field the schema requires, for the hand-built parts to
    override."""
    import pandas as pd

    from pytest_drift import compare

    frame = pd.DataFrame({"x": [float(i % 7) for i in range(60)]})
    entry: dict[str, Any] = compare(frame, frame, name="test_stable").to_json()
    return entry


# --- reading the earlier report ---------------------------------------------------------------


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_reports_of_this_and_older_schema_versions_are_read(tmp_path, version) -> None:
    document = {**report(check({"x": feature(0.1)})), "schema_version": version}
    assert read_previous("p", write(tmp_path, document), "ini") == document


def test_a_command_line_output_is_a_report_of_one_check(tmp_path) -> None:
    entry = {**check({"x": feature(0.1)}, name="batch", nodeid=None),
             "features_tested": 1, "timestamp": "2026-11-22T10:00:00+00:00"}
    document = read_previous("p", write(tmp_path, entry), "ini")
    assert document["checks"] == [entry]
    assert document["timestamp"] == "2026-11-22T10:00:00+00:00"


@pytest.mark.parametrize(("content", "problem"), [
    ('{"schema_version": 3, "tool": "pytest-datadrift", "checks": [NaN]}',
     "holds NaN, which is not strict JSON"),
    ("", "is empty (a failed download?)"),
    ('{"checks": [], "tool": "pytest-datadrift", "schema_version": "3"}',
     "has no valid schema_version ('3')"),
    ('{"checks": [], "tool": "pytest-datadrift"}', "has no valid schema_version (None)"),
    ('[{"name": "x"}]', "is not a pytest-datadrift report"),
    ('{"checks": [{"name": "x"}, 3], "tool": "pytest-datadrift", "schema_version": 2}',
     "is not a pytest-datadrift report: checks[1] is not a check entry"),
    ('{"checks": [{"name": "x", "details": {"a": 1}}], "tool": "pytest-datadrift", '
     '"schema_version": 2}', "checks[0] is not a check entry"),
    ('{"checks": [], "tool": "pytest-datadrift", "schema_version": 2} trailing',
     "is not valid JSON (line 1, column"),
    ('{"checks": [], "tool": "pytest-datadr', "ends before its JSON does"),
])
def test_files_that_are_not_reports_are_refused(tmp_path, content, problem) -> None:
    path = tmp_path / "previous.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DriftUsageError) as info:
        read_previous("previous.json", path, "command line --drift-previous-report")
    message = str(info.value)
    assert message.startswith(f"previous_report='previous.json' (from command line "
                              f"--drift-previous-report): {path} ")
    assert problem in message
    assert "\n" not in message


def test_a_directory_or_bytes_that_are_not_text_are_refused(tmp_path) -> None:
    with pytest.raises(DriftUsageError, match=r"is a directory; give the drift_report\.json"):
        read_previous("d", tmp_path, "ini")
    path = tmp_path / "previous.json"
    path.write_bytes(b"PK\x03\x04\xff\xfe")
    with pytest.raises(DriftUsageError, match="is not UTF-8 JSON text"):
        read_previous("p", path, "ini")
