"""Every bad input of tests/bad_inputs.py through the ``datadrift`` command line.

A bad input exits 2 with ``datadrift: error: <message>`` on stderr (naming the file, the flag
that named it and what to do) and no traceback, and ``--output`` holds the check with status
ERROR and the same message. A column entirely missing on one side and ±inf values exit 0
and say what happened. Most cases call ``pytest_drift.cli.main`` in-process (the
unreadable-file and too-large cases need a patch that only works there); a few run
``python -m pytest_drift`` as users do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_drift.cli import EXIT_NORMAL, EXIT_USAGE, main
from tests.bad_inputs import (
    CASES,
    CASES_BY_ID,
    PREVIOUS_REPORT,
    UNPICKLED_MARKER,
    Case,
    build,
    cli_args,
    normalise,
    previous_report_cases,
    problems,
    simulated,
    was_unpickled,
)

#: Every case whose datasets are files (a DataFrame cannot be given on a command line).
FILE_CASES = tuple(case for case in CASES if not case.frames)
#: Cases also run in a subprocess: no patch needed, one of each kind of outcome.
SUBPROCESS = ("missing-file", "malformed-csv-row", "pickle-as-csv", "api-log-without-features",
              "infinite-values")
PREFIX = "datadrift: error: "


def ids(cases: tuple[Case, ...]) -> list[str]:
    return [case.id for case in cases]


def run_in_process(case: Case, directory: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.chdir(directory)
    built = case.build(directory)
    with simulated(case, directory, monkeypatch.setattr):
        code = main([*cli_args(case, built), "--output", "report.json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_subprocess(case: Case, directory: Path) -> tuple[int, str, str]:
    built = case.build(directory)
    result = subprocess.run(
        [sys.executable, "-m", "pytest_drift", *cli_args(case, built), "--output",
         "report.json"],
        cwd=directory, capture_output=True, text=True, check=False, timeout=120,
    )
    return result.returncode, result.stdout, result.stderr


def assert_outcome(case: Case, directory: Path, code: int, out: str, err: str) -> None:
    assert "Traceback" not in err + out
    assert not was_unpickled(directory), f"{UNPICKLED_MARKER} exists: a pickle was loaded"
    entry = read_entry(directory)
    if case.is_error:
        assert code == EXIT_USAGE, (
            f"{case.id}: exit {code}, not {EXIT_USAGE}\nstdout:\n{out}\nstderr:\n{err}")
        assert err.startswith(PREFIX), err
        message = err[len(PREFIX):].rstrip("\n")
        missing = problems(case, message, directory, "command line")
        assert missing == [], f"{case.id}: the message\n  {message}\ndoes not say {missing}"
        # Consumers of --output see the ERROR and the same message, not a stale file.
        assert entry["status"] == "ERROR"
        assert entry["error"] == message
        return
    assert code == EXIT_NORMAL, f"{case.id}: exit {code}\nstderr:\n{err}"
    assert err == ""
    assert entry["status"] == "NORMAL"
    if case.outcome == "skipped":
        assert entry["skipped_features"] == dict(case.skipped)
        for feature, reason in case.skipped.items():
            assert f"skipped {feature}: {reason}" in out
    else:
        assert case.infinite is not None
        feature, baseline_inf, candidate_inf, candidate_missing = case.infinite
        detail = entry["details"][feature]
        assert (detail["train_infinite"], detail["prod_infinite"]) == (baseline_inf, candidate_inf)
        assert detail["prod_missing"] == candidate_missing
        row = next(line for line in out.splitlines() if f" {feature} " in line)
        assert row.rstrip().endswith(f"(±inf {baseline_inf}/{candidate_inf})"), out


def read_entry(directory: Path) -> dict[str, Any]:
    path = directory / "report.json"
    assert path.exists(), "--output was not written"
    entry: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return entry


@pytest.mark.parametrize("case", FILE_CASES, ids=ids(FILE_CASES))
def test_bad_input_through_main(case, tmp_path, monkeypatch, capsys):
    code, out, err = run_in_process(case, tmp_path, monkeypatch, capsys)
    assert_outcome(case, tmp_path, code, out, err)


SUBPROCESS_CASES = tuple(case for case in FILE_CASES if case.id in SUBPROCESS)


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=ids(SUBPROCESS_CASES))
def test_bad_input_through_python_m(case, tmp_path):
    code, out, err = run_subprocess(case, tmp_path)
    assert_outcome(case, tmp_path, code, out, err)


def test_subprocess_cases_exist():
    assert {case.id for case in SUBPROCESS_CASES} == set(SUBPROCESS)
    assert all(case.unreadable is None and case.memory is None for case in SUBPROCESS_CASES)


def test_messages_are_relative_to_the_directory(tmp_path, monkeypatch, capsys):
    """The harness's normalising: the message names the real file, absolute."""
    case = next(case for case in CASES if case.id == "missing-file")
    _, _, err = run_in_process(case, tmp_path, monkeypatch, capsys)
    assert str(tmp_path / "data" / "candidate.csv") in err
    assert "file not found: data/candidate.csv" in normalise(err, tmp_path)


PREVIOUS_CASES = previous_report_cases()


@pytest.mark.parametrize("case", PREVIOUS_CASES, ids=[c.id for c in PREVIOUS_CASES])
def test_a_previous_report_that_cannot_be_compared_with_exits_2(case, tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.chdir(tmp_path)
    runs = CASES_BY_ID["infinite-values"]  # a check that runs, were it not stopped
    built = build(runs.id, tmp_path)
    case.write(tmp_path)
    code = main([*cli_args(runs, built), "--output", "report.json",
                 "--previous-report", PREVIOUS_REPORT])
    captured = capsys.readouterr()
    assert code == EXIT_USAGE
    assert normalise(captured.err, tmp_path) == (
        PREFIX + case.message("command line --drift-previous-report") + "\n")
    assert captured.out == ""
    assert not (tmp_path / "report.json").exists()  # stopped before the check ran
