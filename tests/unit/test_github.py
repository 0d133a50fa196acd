"""GitHub Actions output, from check entries: workflow-command escaping, annotations and the
Markdown step summary."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pytest_drift
from pytest_drift.github import (
    COLLAPSE_AFTER,
    escape_data,
    escape_property,
    step_summary,
    workflow_commands,
)
from pytest_drift.messages import failure_message


def unescape(text: str) -> str:
    """The Actions runner's decoding of a message or a property value."""
    for escaped, character in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","),
                               ("%25", "%")):
        text = text.replace(escaped, character)
    return text


def entry(features: int = 3, drifted: int = 1, *, name: str = "check", mode: str = "fail",
          threshold: float = 20, nodeid: str | None = "tests/test_x.py::test_x",
          columns: list[str] | None = None) -> dict[str, Any]:
    """A real check entry: ``features`` numeric columns, the first ``drifted`` shifted."""
    rng = np.random.default_rng(11)
    columns = columns or [f"f{i:02d}" for i in range(features)]
    baseline = pd.DataFrame({c: rng.normal(0, 1, 400) for c in columns})
    candidate = pd.DataFrame({c: rng.normal(3 if i < drifted else 0, 1, 400)
                              for i, c in enumerate(columns)})
    document = pytest_drift.compare(baseline, candidate, name=name, mode=mode,
                                    threshold=threshold).to_json()
    document["nodeid"] = nodeid
    assert document["features_with_drift"] == drifted, document["drifted_features"]
    return document


def error_entry(name: str = "broken", mode: str = "fail") -> dict[str, Any]:
    return {"name": name, "nodeid": "tests/test_x.py::test_broken", "status": "ERROR",
            "mode": mode, "error": "baseline 'data/a|b.csv': file not found\nsecond line",
            "details": {}}


# --- escaping ----------------------------------------------------------------------------


def test_escape_data():
    assert escape_data("50% of features\r\nnext") == "50%25 of features%0D%0Anext"
    assert escape_data("a: b, c") == "a: b, c"  # only properties escape : and ,
    assert escape_data("%0A is text") == "%250A is text"  # % first: no double decoding
    assert escape_data("") == ""


def test_escape_property():
    assert escape_property("data drift: a,b 50%\r\n") == "data drift%3A a%2Cb 50%25%0D%0A"
    assert escape_property("tests/test_x.py") == "tests/test_x.py"
    assert escape_property("a=b") == "a=b"


@given(st.text())
def test_escaping_round_trips(text):
    data, prop = escape_data(text), escape_property(text)
    assert unescape(data) == text
    assert unescape(prop) == text
    assert not {"\r", "\n"} & set(data)
    assert not {"\r", "\n", ":", ","} & set(prop)


# --- annotations --------------------------------------------------------------------------


def test_one_command_per_failed_check():
    normal = entry(drifted=0, name="fine", nodeid="tests/test_x.py::test_fine")
    failed = entry(name="cars: a,b", nodeid="tests/test_x.py::test_cars")
    warned = entry(name="warned", mode="warn", nodeid="tests/test_x.py::test_warned")
    broken = error_entry(mode="warn")  # an error is an error, in warn mode too
    locations = {"tests/test_x.py::test_cars": ("tests/test_x.py", 12),
                 "tests/test_x.py::test_warned": ("tests/test_x.py", 20),
                 "tests/test_x.py::test_broken": ("tests/test_x.py", 30)}
    commands = workflow_commands([normal, failed, warned, broken], locations)
    assert [c.split("::")[1] for c in commands] == [
        "error file=tests/test_x.py,line=12,title=data drift%3A cars%3A a%2Cb",
        "warning file=tests/test_x.py,line=20,title=data drift%3A warned",
        "error file=tests/test_x.py,line=30,title=data drift%3A broken",
    ]
    messages = [unescape(c.split("::", 2)[2]) for c in commands]
    assert messages == [failure_message(failed), failure_message(warned),
                        f"drift check could not run: {broken['error']}"]
    assert all("\n" not in c and "\r" not in c for c in commands)
    assert "%25 of features (threshold 20.0%25)" in commands[0]
    assert "%0A" in commands[0]


def test_command_without_a_location_and_with_an_odd_path():
    failed = entry(nodeid=None)
    assert workflow_commands([failed], {})[0].startswith("::error title=data drift%3A check::")
    odd = entry(nodeid="tests/a,b:c.py::test_x")
    (command,) = workflow_commands([odd], {"tests/a,b:c.py::test_x": ("tests/a,b:c.py", 3)})
    assert command.startswith("::error file=tests/a%2Cb%3Ac.py,line=3,title=")


def test_no_command_when_every_check_passes():
    assert workflow_commands([entry(drifted=0)], {}) == []
    assert workflow_commands([], {}) == []


# --- the step summary ---------------------------------------------------------------------


def test_summary_headline_and_a_section_per_check():
    checks = [entry(drifted=0, name="fine"), entry(name="cars"),
              entry(name="warned", mode="warn"), error_entry()]
    summary = step_summary(checks, "/ci/drift_report.json")
    lines = summary.splitlines()
    assert lines[0] == "## Data drift: 1 of 4 checks passed"
    assert [line for line in lines if line.startswith("### ")] == [
        "### ✅ `fine` NORMAL", "### ❌ `cars` DRIFT_DETECTED",
        "### ❌ `warned` DRIFT_DETECTED (warn mode)", "### ⚠️ `broken` ERROR"]
    assert "Drift 0.0% <= threshold 20.0%: 0 of 3 features at alpha 0.05." in summary
    assert "Drift 33.3% > threshold 20.0%: 1 of 3 features at alpha 0.05." in summary
    # an error: its message on one line, quoted; no table
    assert "> baseline 'data/a\\|b.csv': file not found second line" in lines
    assert lines[-1] == "Report: `/ci/drift_report.json`"
    assert "Report:" not in step_summary(checks, None)
    assert "Report:" not in step_summary(checks, "")


def test_drifted_rows_come_first():
    check = entry(features=5, drifted=2,
                  columns=["a", "b", "c", "d", "e"])
    # drift the last two columns instead of the first two
    check["details"] = dict(reversed(list(check["details"].items())))
    rows = [line for line in step_summary([check], None).splitlines()
            if line.startswith("| **DRIFT**") or line.startswith("| ok")]
    assert [row.split(" | ")[1] for row in rows] == ["b", "a", "e", "d", "c"]
    assert [row.split(" | ")[0] for row in rows] == ["| **DRIFT**"] * 2 + ["| ok"] * 3


@pytest.mark.parametrize(("features", "collapsed"), [
    (COLLAPSE_AFTER, False), (COLLAPSE_AFTER + 1, True)])
def test_long_tables_are_collapsed(features, collapsed):
    summary = step_summary([entry(features=features, drifted=1, threshold=50)], None)
    assert ("<details><summary>all features</summary>" in summary) == collapsed
    assert summary.count("| ok |") == features - 1
    if collapsed:
        start, end = summary.index("<details>"), summary.index("</details>")
        assert start < summary.index("| | feature |") < summary.index("| ok |") < end
        # blank lines around the table, or GitHub does not render it inside the HTML block
        assert "<summary>all features</summary>\n\n| | feature |" in summary


def test_names_cannot_break_the_markdown():
    columns = ["pipe|name", "line\r\nbreak", "cr\ronly", "plain"]
    check = entry(features=4, drifted=3, columns=columns, name="seg `x` | y\nz")
    summary = step_summary([check], None)
    lines = summary.splitlines()
    assert "### ❌ ``seg `x` | y z`` DRIFT_DETECTED" in lines
    rows = [line for line in lines if line.startswith("| **DRIFT**") or
            line.startswith("| ok")]
    assert [row.split(" | ")[1] for row in rows] == [
        "pipe\\|name", "line break", "cr only", "plain"]
    for row in rows:  # seven cells each: no unescaped pipe, no line break inside
        assert len(re.split(r"(?<!\\)\|", row)) == 9, row
    assert all(line.count("`") % 2 == 0 for line in lines if line.startswith("###"))


def test_backtick_at_the_edge_of_a_name():
    summary = step_summary([entry(name="`edge`")], None)
    assert "### ❌ `` `edge` `` DRIFT_DETECTED" in summary.splitlines()
