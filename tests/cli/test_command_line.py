"""The ``datadrift`` command line, run as users run it (in a subprocess) and through
``pytest_drift.cli.main`` in-process: exit codes, messages without a traceback, and the
``--output`` entry, written (and valid) for a load error too, never a stale file; an
``--output`` that is a directory is an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from scipy import stats

from pytest_drift.cli import main
from pytest_drift.report import load_schema
from tests.helpers import DATA, load_expected

CARS = DATA / "cars_model_years"
SEATTLE = DATA / "seattle_weather_api_log"


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_drift", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=120,
    )


def validate_entry(entry: dict[str, Any]) -> None:
    schema = load_schema()
    check_schema = {"$ref": "#/$defs/check", "$defs": schema["$defs"]}
    jsonschema.Draft202012Validator(check_schema).validate(entry)


def test_batch_mode_detects_drift_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli("--mode", "batch", "--train_data", CARS / "baseline.csv",
                     "--prod_data", CARS / "candidate.csv", "--output", out, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    entry = json.loads(out.read_text())
    validate_entry(entry)
    expected = load_expected("cars_model_years")
    assert entry["status"] == expected["status"] == "DRIFT_DETECTED"
    assert entry["drifted_features"] == expected["drifted_features"]
    assert entry["drift_percentage"] == expected["drift_percentage"]
    assert "Miles_per_Gallon: ks statistic=0.4343" in result.stderr
    assert "7 of 7 features drifted (100.0% > threshold 20.0%)" in result.stderr
    assert "Traceback" not in result.stderr


def test_online_mode_reads_the_api_log(tmp_path: Path) -> None:
    out = tmp_path / "online.json"
    result = run_cli("--mode", "online", "--train_data", SEATTLE / "baseline.csv",
                     "--api_logs", SEATTLE / "candidate.jsonl", "--output", out,
                     "--drift-threshold", "60", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entry = json.loads(out.read_text())
    validate_entry(entry)
    assert entry["status"] == "NORMAL"
    assert entry["threshold"] == 60.0
    assert entry["option_sources"]["threshold"] == "command line"
    expected = load_expected("seattle_weather_api_log")["features"]["temp_max"]
    assert entry["details"]["temp_max"]["ks_statistic"] == pytest.approx(
        expected["ks_statistic"], rel=1e-12)
    assert "drift report:" in result.stdout


def test_options_as_flags_change_the_verdict(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run_cli("--mode", "batch", "--train_data", SEATTLE / "baseline.csv",
                     "--prod_data", SEATTLE / "candidate.csv", "--output", out,
                     "--features", "precipitation,wind", "--alpha", "0.01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    entry = json.loads(out.read_text())
    assert list(entry["details"]) == ["precipitation", "wind"]
    assert entry["alpha"] == 0.01


def test_warn_mode_exits_0_on_drift(tmp_path: Path) -> None:
    result = run_cli("--mode", "batch", "--train_data", CARS / "baseline.csv",
                     "--prod_data", CARS / "candidate.csv", "--output", "",
                     "--drift-mode", "warn", cwd=tmp_path)
    assert result.returncode == 0
    assert "DRIFT_DETECTED" in result.stdout
    assert not list(tmp_path.iterdir())


def test_categorical_override_matches_scipy(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run_cli("--train_data", CARS / "baseline.csv", "--prod_data",
                     CARS / "candidate.csv", "--output", out, "--features", "Cylinders",
                     "--categorical", "Cylinders", cwd=tmp_path)
    assert result.returncode == 1
    detail = json.loads(out.read_text())["details"]["Cylinders"]
    import pandas as pd

    train = pd.read_csv(CARS / "baseline.csv")["Cylinders"].value_counts()
    prod = pd.read_csv(CARS / "candidate.csv")["Cylinders"].value_counts()
    table = pd.concat([train, prod], axis=1).fillna(0).sort_index().T.to_numpy()
    oracle = stats.chi2_contingency(table)
    assert detail["test"] == "chi2"
    assert detail["chi2_statistic"] == pytest.approx(oracle.statistic, rel=1e-12)
    assert detail["p_value"] == pytest.approx(oracle.pvalue, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train_data", "nope.csv", "--prod_data", "x.csv"],
         "baseline 'nope.csv' (from command line --train_data): file not found"),
        (["--train_data", str(CARS / "baseline.csv"), "--prod_data",
          str(CARS / "candidate.csv"), "--alpha", "1.5"],
         "alpha='1.5' (from command line --drift-alpha): must be a number between 0 and 1"),
        (["--mode", "online", "--train_data", str(SEATTLE / "baseline.csv"),
          "--api_logs", str(SEATTLE / "candidate.csv")],
         "an API log must be a JSON Lines file"),
        (["--train_data", str(CARS / "baseline.csv"), "--prod_data",
          str(CARS / "candidate.csv"), "--features", "mpg"],
         "unknown feature 'mpg'"),
        (["--mode", "batch", "--train_data", str(CARS / "baseline.csv")],
         "--mode batch needs --prod_data"),
        (["--mode", "online", "--train_data", str(CARS / "baseline.csv")],
         "--mode online needs --api_logs"),
    ],
)
def test_usage_and_input_errors_exit_2_without_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "datadrift"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True,
                            check=False, cwd=tmp_path)
    assert result.returncode == 0
    assert "--train_data" in result.stdout
    assert "--api_logs" in result.stdout


def test_plugin_import_is_cheap() -> None:
    """A pytest run without drift checks must not pay for pandas, scipy, pyarrow or rich."""
    code = (
        "import sys, pytest_drift.plugin, pytest_drift.options; "
        "heavy = [m for m in ('pandas', 'scipy', 'pyarrow', 'rich', 'numpy') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def assert_error_entry(out: Path, missing: Path) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    validate_entry(entry)
    assert entry["status"] == "ERROR"
    assert "file not found" in entry["error"]
    assert str(missing) in entry["error"]
    assert entry["features_tested"] == 0
    return entry


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_missing_file_writes_an_error_entry_to_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], role: str) -> None:
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


def test_missing_file_in_a_subprocess_writes_an_error_entry(tmp_path: Path) -> None:
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


def test_a_bug_exits_2_with_its_traceback(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Errors raised on purpose are one line; anything else is a bug and shows where it is."""
    from pytest_drift import cli, pipeline

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug in the check")

    monkeypatch.setattr(pipeline, "run_check", broken)
    code = cli.main(["--train_data", str(CARS / "baseline.csv"),
                     "--prod_data", str(CARS / "candidate.csv")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert "Traceback (most recent call last)" in err
    assert "in broken" in err
    assert "ZeroDivisionError: a bug in the check" in err
    assert err.rstrip().endswith("datadrift: internal error (the traceback above shows where)")


def test_previous_report_prints_the_trend_against_an_earlier_output(tmp_path: Path) -> None:
    """An earlier ``--output`` is the previous report of one check, matched by the name."""
    earlier = tmp_path / "earlier.json"
    first = run_cli("--train_data", CARS / "baseline.csv", "--prod_data", CARS / "baseline.csv",
                    "--output", earlier, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    out = tmp_path / "now.json"
    result = run_cli("--train_data", CARS / "baseline.csv", "--prod_data",
                     CARS / "candidate.csv", "--output", out, "--previous-report", "earlier.json",
                     cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    before, now = json.loads(earlier.read_text()), json.loads(out.read_text())
    validate_entry(now)  # the entry alone: the trend is printed, not written into it
    assert "trend" not in now
    drifted = [n for n in now["drifted_features"] if not before["details"][n]["drift_detected"]]
    assert drifted == now["drifted_features"] != []
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert (f"compared with earlier.json (written {before['timestamp']}): 1 check matched, "
            f"0 new, 0 gone; {len(drifted)} features newly drifting, 0 stopped drifting"
            ) in lines
    assert "batch NORMAL → DRIFT_DETECTED" in lines
    assert f"newly drifting: {', '.join(drifted)}" in lines
    moved = max(now["details"], key=lambda n: abs(now["details"][n]["statistic"]
                                                  - before["details"][n]["statistic"]))
    trend = lines[lines.index("batch NORMAL → DRIFT_DETECTED"):]
    assert next(line for line in trend if f" {moved} " in line).startswith(
        f"ok → DRIFT {moved} {now['details'][moved]['test']} ")
    assert "Traceback" not in result.stderr


def test_previous_report_quiet_and_a_session_report(tmp_path: Path) -> None:
    """Under -q, one line per check whose verdicts changed; a session report's checks have
    node ids, so the command's check is new and theirs are gone."""
    session = {"schema_version": 2, "tool": "pytest-datadrift", "version": "0.1.0",
               "timestamp": "2026-11-22T10:00:00+00:00", "status": "NORMAL",
               "checks": [{"name": "test_cars", "nodeid": "t.py::test_cars", "details": {}}]}
    (tmp_path / "session.json").write_text(json.dumps(session))
    result = run_cli("--train_data", CARS / "baseline.csv", "--prod_data",
                     CARS / "candidate.csv", "--output", "", "-q", "--previous-report",
                     "session.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "compared with session.json (written 2026-11-22T10:00:00+00:00): 0 checks matched, "
        "1 new, 1 gone; 0 features newly drifting, 0 stopped drifting"]


def test_a_segmented_check_prints_every_segment_and_exits_1_when_one_drifts(
        tmp_path: Path) -> None:
    """``--segment-by``: one table per segment, ``--output`` a session report of one entry
    per segment."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(8)
    for name, shift in (("train.csv", 0.0), ("now.csv", 5.0)):
        frame = pd.DataFrame({"shop": rng.choice(["north", "south"], 600),
                              "basket": rng.normal(30, 4, 600)})
        frame.loc[frame["shop"] == "south", "basket"] += shift
        frame.to_csv(tmp_path / name, index=False)
    result = run_cli("--train_data", "train.csv", "--prod_data", "now.csv", "--segment-by",
                     "shop", "--output", "out.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "batch[shop=north] NORMAL" in result.stdout
    assert "batch[shop=south] DRIFT_DETECTED" in result.stdout
    assert "segment shop=south" in result.stderr
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [entry["name"] for entry in document["checks"]] == ["batch[shop=north]",
                                                               "batch[shop=south]"]
    assert document["status"] == "DRIFT_DETECTED"
    (tmp_path / "out.json").rename(tmp_path / "previous.json")
    again = run_cli("--train_data", "train.csv", "--prod_data", "now.csv", "--segment-by",
                    "shop", "--output", "out.json", "--previous-report", "previous.json",
                    cwd=tmp_path)
    assert again.returncode == 1, again.stderr
    assert "compared with previous.json" in again.stdout
    trend = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["trend"]
    assert len(trend["checks"]) == 2  # each segment matched by its name


def test_a_segmented_check_cannot_save_a_snapshot(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("shop,x\n" + "".join(f"{'ns'[i % 2]},{i}\n"
                                                         for i in range(60)))
    result = run_cli("--train_data", "d.csv", "--prod_data", "d.csv", "--segment-by", "shop",
                     "--save-baseline", "s.parquet", cwd=tmp_path)
    assert result.returncode == 2
    assert "a segmented check cannot save a snapshot (--save-baseline): a snapshot keeps " \
        "no rows to cut into segments" in result.stderr
    assert not (tmp_path / "s.parquet").exists()
