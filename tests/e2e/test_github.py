"""GitHub Actions: the Markdown step summary and the workflow annotations, as a run in CI
(``GITHUB_ACTIONS=true``) writes them, with and without xdist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pytest_drift.messages import failure_message
from tests.e2e.runner import CARS, FOUR_CHECKS, run_drift

WEIRD = "rate %\r\nnew: a,b"
WIDE_NAME = "wide: 12 features, 10%"
CHECKS = """
    import numpy as np
    import pandas as pd""" + FOUR_CHECKS + f"""
    def test_wide(drift_check):
        rng = np.random.default_rng(7)
        names = [f"f{{i:02d}}" for i in range(11)] + [{WEIRD!r}]
        shifted = {{"f03", {WEIRD!r}}}
        baseline = pd.DataFrame({{n: rng.normal(0, 1, 300) for n in names}})
        candidate = pd.DataFrame({{n: rng.normal(1 if n in shifted else 0, 1, 300)
                                  for n in names}})
        drift_check(baseline, candidate, name={WIDE_NAME!r}, threshold=10)
"""
EARLIER_STEP = "# Output of an earlier step\n\nkept as it was\n"
COMMAND = re.compile(r"::(error|warning) file=([^,:]*),line=(\d+),title=([^,:]*)::(.*)")


def unescape(text: str) -> str:
    """What the Actions runner makes of an escaped message or property value."""
    for escaped, character in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","),
                               ("%25", "%")):
        text = text.replace(escaped, character)
    return text


def line_of(path: Path, start: str) -> int:
    """The 1-based number of the first line of ``path`` that starts with ``start``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


def sections(summary: str) -> dict[str, str]:
    """The step summary's text per check heading (``### …``), keyed by the check's name."""
    parts = re.split(r"^### ", summary, flags=re.MULTILINE)
    found = {}
    for part in parts[1:]:
        name = re.search(r"`(.*?)`", part.splitlines()[0])
        assert name, part
        assert name.group(1) not in found, f"two headings for {name.group(1)}"
        found[name.group(1)] = "### " + part
    return found


def table_rows(section: str) -> list[list[str]]:
    """The cells of the features table's body rows, in order."""
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| | feature | test |"), rows
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows[1:]]


@pytest.fixture
def github(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A run in GitHub Actions: the variables set, a step summary with an earlier step's
    output. Returns the summary file."""
    summary = tmp_path / "step_summary.md"
    summary.write_text(EARLIER_STEP, encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["no xdist", "-n2"])
def test_step_summary_and_annotations(project, github, xdist):
    test_file = project.makepyfile(test_gh=CHECKS)
    result, report = run_drift(project, *xdist, subprocess=bool(xdist))
    result.assert_outcomes(passed=2, failed=2, errors=1, warnings=1)
    entries: dict[str, dict[str, Any]] = {e["name"]: e for e in report["checks"]}
    assert len(entries) == 5
    wide = entries[WIDE_NAME]
    assert wide["status"] == "DRIFT_DETECTED"
    assert {"f03", WEIRD} <= set(wide["drifted_features"])

    # --- the step summary: appended once, by the controller, after the earlier step -------
    text = github.read_text(encoding="utf-8")
    assert text.startswith(EARLIER_STEP)
    summary = text[len(EARLIER_STEP):]
    assert summary.count("## Data drift") == 1
    assert summary.startswith("## Data drift: 1 of 5 checks passed\n")
    assert f"Report: `{project.path / 'drift_report.json'}`" in summary
    found = sections(summary)
    assert set(found) == set(entries)
    headings = {name: section.splitlines()[0] for name, section in found.items()}
    assert headings == {
        "test_stable": "### ✅ `test_stable` NORMAL",
        "test_cars": "### ❌ `test_cars` DRIFT_DETECTED",
        "test_cars_warn": "### ❌ `test_cars_warn` DRIFT_DETECTED (warn mode)",
        "test_missing_file": "### ⚠️ `test_missing_file` ERROR",
        WIDE_NAME: f"### ❌ `{WIDE_NAME}` DRIFT_DETECTED",
    }
    assert "Drift 0.0% <= threshold 20.0%: 0 of 4 features at alpha 0.05." in \
        found["test_stable"]
    assert "Drift 100.0% > threshold 20.0%: 7 of 7 features at alpha 0.05." in \
        found["test_cars"]
    drifted = len(wide["drifted_features"])
    assert (f"Drift {wide['drift_percentage']:.1f}% > threshold 10.0%: {drifted} of 12 "
            "features at alpha 0.05.") in found[WIDE_NAME]
    assert found["test_missing_file"].splitlines()[2] == \
        f"> {entries['test_missing_file']['error']}"

    # features tables: one row per feature, drifted rows first; long ones collapsed
    for name in ("test_stable", "test_cars", "test_cars_warn", WIDE_NAME):
        rows = table_rows(found[name])
        details = entries[name]["details"]
        assert len(rows) == len(details)
        marks = [row[0] for row in rows]
        assert marks == sorted(marks, key=lambda mark: mark != "**DRIFT**")
        flagged = [row[1] for row in rows if row[0] == "**DRIFT**"]
        assert flagged == [n.replace("\r\n", " ") for n in entries[name]["drifted_features"]]
        collapsed = "<details><summary>all features</summary>" in found[name]
        assert collapsed == (len(details) > 10), name
    cars = table_rows(found["test_cars"])
    assert cars[0] == ["**DRIFT**", "Miles_per_Gallon", "ks", "0.4343", "2.72e-17",
                       "19.77 → 27.96", "216/182"]
    assert cars[-1][1:3] == ["Origin", "chi2"]
    wide_rows = table_rows(found[WIDE_NAME])
    assert len(wide_rows) == 12
    weird_row = next(row for row in wide_rows if row[1].startswith("rate"))
    assert weird_row[:3] == ["**DRIFT**", "rate % new: a,b", "ks"]
    assert found[WIDE_NAME].index("<details>") < found[WIDE_NAME].index("| | feature |") < \
        found[WIDE_NAME].index("</details>")

    # --- the annotations: one per failed check, at its test, escaped ------------------------
    output = result.stdout.lines
    commands = [line for line in output if line.startswith("::")]
    assert len(commands) == 4, commands
    parsed = {}
    for command in commands:
        match = COMMAND.fullmatch(command)
        assert match, command
        level, file, line, title, message = match.groups()
        name = unescape(title).removeprefix("data drift: ")
        parsed[name] = (level, file, int(line), unescape(message))
    assert set(parsed) == {"test_cars", "test_cars_warn", "test_missing_file", WIDE_NAME}
    assert {name: found[:3] for name, found in parsed.items()} == {
        # a marked test's line is its first decorator's, the marker; the others' their def
        "test_cars": ("error", "test_gh.py", line_of(test_file, "def test_cars():") - 1),
        "test_cars_warn": ("warning", "test_gh.py",
                           line_of(test_file, "def test_cars_warn") - 1),
        "test_missing_file": ("error", "test_gh.py",
                              line_of(test_file, "def test_missing_file") - 1),
        WIDE_NAME: ("error", "test_gh.py", line_of(test_file, "def test_wide")),
    }
    for name in ("test_cars", "test_cars_warn", WIDE_NAME):
        assert parsed[name][3] == failure_message(entries[name])
    assert parsed["test_missing_file"][3] == \
        f"drift check could not run: {entries['test_missing_file']['error']}"
    # what the escaping does on the wire
    wide_command = next(c for c in commands if c.startswith("::error") and "wide" in c)
    assert ",title=data drift%3A wide%3A 12 features%2C 10%25::" in wide_command
    assert "  rate %25%0D%0Anew: a,b: ks statistic=" in wide_command
    assert "::Data drift in " in wide_command
    assert "%25 of features (threshold 10.0%25)" in wide_command
    assert "\r" not in "".join(commands)
    # printed once, by the controller, at the end of the drift section
    assert result.stdout.str().count("::error ") == 3
    assert result.stdout.str().count("::warning ") == 1


def test_nothing_github_specific_without_github_actions(project, monkeypatch, tmp_path):
    summary = tmp_path / "step_summary.md"
    summary.write_text(EARLIER_STEP, encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))  # but GITHUB_ACTIONS unset
    project.makepyfile(test_gh=CHECKS)
    result, report = run_drift(project)
    result.assert_outcomes(passed=2, failed=2, errors=1, warnings=1)
    assert len(report["checks"]) == 5
    assert summary.read_text(encoding="utf-8") == EARLIER_STEP
    output = result.stdout.str() + result.stderr.str()
    assert "::error" not in output
    assert "::warning" not in output
    assert "## Data drift" not in output


def test_annotations_without_a_step_summary_or_report(project, monkeypatch):
    """GITHUB_STEP_SUMMARY unset and the report disabled: the annotations still come."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    project.makepyfile(test_gh=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_cars():
            pass
    """)
    result, report = run_drift(project, "--drift-report", "", report=None)
    result.assert_outcomes(failed=1)
    assert report is None
    result.stdout.fnmatch_lines(["::error file=test_gh.py,line=3,title=data drift%3A "
                                 "test_cars::Data drift in 100.0%25 of features*"])
    assert "could not write the step summary" not in result.stdout.str()
