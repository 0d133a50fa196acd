"""Regression tests for the ``datadrift`` command line: a load error still writes the
``--output`` entry, and ``--output`` naming a directory is an error, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_drift.cli import main
from pytest_drift.report import load_schema
from tests.helpers import DATA

CARS = DATA / "cars_model_years"


def validate_entry(entry: dict[str, Any]) -> None:
    schema = load_schema()
    check_schema = {"$ref": "#/$defs/check", "$defs": schema["$defs"]}
    jsonschema.Draft202012Validator(check_schema).validate(entry)


def assert_error_entry(out: Path, missing: Path) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    validate_entry(entry)
    assert entry["status"] == "ERROR"
    assert "file not found" in entry["error"]
    assert str(missing) in entry["error"]
    assert entry["features_tested"] == 0
    return entry


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_missing_file_writes_an_error_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            role: str) -> None:
    missing = tmp_path / "nowhere.csv"
    out = tmp_path / "out.json"
    paths = {"baseline": CARS / "baseline.csv", "candidate": CARS / "candidate.csv",
             role: missing}
    code = main(["--train_data", str(paths["baseline"]), "--prod_data", str(paths["candidate"]),
                 "--output", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    assert "file not found" in captured.err
    entry = assert_error_entry(out, missing)
    assert entry["error"].startswith(role)


def test_missing_file_replaces_a_stale_output(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.json"
    out.write_text(json.dumps({"status": "NORMAL"}))
    missing = tmp_path / "gone.csv"
    code = main(["--train_data", str(missing), "--prod_data", str(CARS / "candidate.csv"),
                 "--output", str(out)])
    assert code == 2
    assert "Traceback" not in capsys.readouterr().err
    assert_error_entry(out, missing)


def test_output_that_is_a_directory_exits_2(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    code = main(["--train_data", str(CARS / "baseline.csv"), "--prod_data",
                 str(CARS / "candidate.csv"), "--output", str(folder)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    assert "--output" in captured.err
    assert "directory" in captured.err
    assert list(folder.iterdir()) == []


def test_missing_file_in_a_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = subprocess.run(
        [sys.executable, "-m", "pytest_drift", "--train_data", "missing.csv",
         "--prod_data", str(CARS / "candidate.csv"), "--output", str(out)],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "baseline 'missing.csv' (from command line --train_data): file not found" in (
        result.stderr)
    assert_error_entry(out, tmp_path / "missing.csv")
