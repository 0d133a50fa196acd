"""Snapshots outside pytest: ``datadrift --save-baseline PATH`` and
``compare(..., save_baseline=PATH)`` save the baseline, a later run reads it as
``snapshot:PATH`` with the raw run's results, and what cannot be saved or read exits 2 with
a message naming the file, leaving an existing snapshot untouched."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scipy import stats

from pytest_drift import compare
from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.options import Layer, resolve_check
from pytest_drift.pipeline import run_check
from pytest_drift.snapshots.update import save_target
from tests.helpers import DATA

CARS = DATA / "cars_model_years"


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_drift", *map(str, args)],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=120,
    )


def test_the_command_line_saves_a_snapshot_that_a_later_run_reads(tmp_path: Path) -> None:
    saved = run_cli("--train_data", CARS / "baseline.csv", "--prod_data",
                    CARS / "candidate.csv", "--output", "raw.json", "--save-baseline",
                    "baselines/cars.parquet", cwd=tmp_path)
    assert saved.returncode == 1, saved.stderr  # the cars drift; the snapshot is saved anyway
    assert (tmp_path / "baselines" / "cars.parquet").is_file()
    assert "snapshot:cars (baselines/cars.parquet) saved from the baseline" in saved.stdout
    read = run_cli("--train_data", "snapshot:baselines/cars.parquet", "--prod_data",
                   CARS / "candidate.csv", "--output", "snapshot.json", cwd=tmp_path)
    assert read.returncode == 1, read.stderr
    raw = json.loads((tmp_path / "raw.json").read_text())
    from_snapshot = json.loads((tmp_path / "snapshot.json").read_text())
    assert from_snapshot["snapshot"]["action"] == "read"
    for feature, detail in raw["details"].items():
        ours = from_snapshot["details"][feature]
        assert ours["statistic"] == pytest.approx(detail["statistic"], rel=1e-12)
        assert ours["p_value"] == pytest.approx(detail["p_value"], rel=1e-12)
    import pandas as pd

    weights = [pd.read_csv(CARS / f"{side}.csv")["Weight_in_lbs"].dropna()
               for side in ("baseline", "candidate")]
    expected = stats.ks_2samp(*weights)
    assert from_snapshot["details"]["Weight_in_lbs"]["p_value"] == pytest.approx(
        expected.pvalue, rel=1e-9)


def test_a_snapshot_path_must_end_in_parquet(tmp_path: Path) -> None:
    result = run_cli("--train_data", CARS / "baseline.csv", "--prod_data",
                     CARS / "candidate.csv", "--save-baseline", "cars.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert ("--save-baseline='cars.csv' (from command line): a snapshot is a file ending in "
            ".parquet") in result.stderr
    assert "Traceback" not in result.stderr


def test_a_tests_snapshot_is_not_overwritten_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "cars.parquet"
    layer = Layer("argument", {"baseline": str(CARS / "baseline.csv"),
                               "candidate": str(CARS / "baseline.csv"), "report": ""})
    target = save_target(path, check="test_cars", base_dir=tmp_path)
    owned = type(target)(target.path, target.label, "baseline", "tests/t.py::test_cars",
                         "test_cars")
    run_check(resolve_check([layer]), save=owned)
    content = path.read_bytes()
    result = run_cli("--train_data", CARS / "candidate.csv", "--prod_data",
                     CARS / "candidate.csv", "--save-baseline", "cars.parquet", cwd=tmp_path)
    assert result.returncode == 2
    assert f"snapshot {path} belongs to tests/t.py::test_cars (check 'test_cars')" in (
        result.stderr)
    assert "nothing was written" in result.stderr
    assert path.read_bytes() == content


def test_a_damaged_snapshot_exits_2(tmp_path: Path) -> None:
    compare(str(CARS / "baseline.csv"), str(CARS / "baseline.csv"), report="",
            save_baseline=tmp_path / "cars.parquet")
    data = (tmp_path / "cars.parquet").read_bytes()
    (tmp_path / "cars.parquet").write_bytes(data[: len(data) // 2])
    result = run_cli("--train_data", "snapshot:cars.parquet", "--prod_data",
                     CARS / "candidate.csv", cwd=tmp_path)
    assert result.returncode == 2
    path = tmp_path / "cars.parquet"
    assert f"snapshot {path} cannot be read as Parquet" in result.stderr
    assert f"git checkout -- {path}" in result.stderr


def test_compare_saves_the_baseline(tmp_path: Path) -> None:
    path = tmp_path / "cars.parquet"
    first = compare(str(CARS / "baseline.csv"), str(CARS / "candidate.csv"), report="",
                    save_baseline=path)
    assert first.snapshot is not None
    assert (first.snapshot["action"], first.snapshot["approved"]) == ("created", False)
    again = compare(str(CARS / "baseline.csv"), str(CARS / "candidate.csv"), report="",
                    save_baseline=f"snapshot:{path}")
    assert again.snapshot is not None
    assert again.snapshot["action"] == "unchanged"
    from_snapshot = compare(f"snapshot:{path}", str(CARS / "candidate.csv"), report="")
    assert from_snapshot.drifted_features == first.drifted_features
    with pytest.raises(DriftUsageError, match=re.escape(
            "save_baseline='x.csv' (from argument): a snapshot is a file ending in .parquet")):
        compare(str(CARS / "baseline.csv"), str(CARS / "candidate.csv"),
                save_baseline="x.csv")


def test_a_missing_snapshot_from_the_api_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DriftInputError, match="does not exist"):
        compare(f"snapshot:{tmp_path / 'nope.parquet'}", str(CARS / "candidate.csv"),
                report="")


def test_the_command_line_saves_and_reads_a_sketched_snapshot(tmp_path: Path) -> None:
    """``--snapshot-profile sketch:8`` saves KLL sketches; reading one marks the output
    approximate, and every exact statistic lies within the bound it states."""
    saved = run_cli("--train_data", CARS / "baseline.csv", "--prod_data",
                    CARS / "candidate.csv", "--output", "raw.json", "--save-baseline",
                    "baselines/cars.parquet", "--snapshot-profile", "sketch:8", cwd=tmp_path)
    assert saved.returncode == 1, saved.stderr
    read = run_cli("--train_data", "snapshot:baselines/cars.parquet", "--prod_data",
                   CARS / "candidate.csv", "--output", "sketch.json", cwd=tmp_path)
    assert read.returncode == 1, read.stderr
    assert "[approximate]" in read.stdout
    assert "approximate: the baseline snapshot:cars keeps numeric features as KLL sketches " \
        "(k=8)" in read.stderr
    raw = json.loads((tmp_path / "raw.json").read_text())
    sketch = json.loads((tmp_path / "sketch.json").read_text())
    assert sketch["approximate"] is True
    assert sketch["snapshot"]["profile"]["k"] == 8
    bounded = 0
    for feature, detail in raw["details"].items():
        ours = sketch["details"][feature]
        if "statistic_bound" not in ours:
            assert ours["statistic"] == pytest.approx(detail["statistic"], rel=1e-12)
            continue
        bounded += ours["statistic_bound"] > 0
        assert abs(ours["statistic"] - detail["statistic"]) <= ours["statistic_bound"] + 1e-12
        low, high = ours["p_value_interval"]
        assert low - 1e-12 <= detail["p_value"] <= high + 1e-12
    assert bounded >= 1  # k=8 keeps fewer values than the continuous features have
