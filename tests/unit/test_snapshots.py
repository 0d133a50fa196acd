"""Snapshots: a check from a snapshot gives the raw baseline's results (scipy as the
oracle), the file is the same for the same data, and each damaged or unfitting snapshot is
refused with a message naming the file and what to do."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.models import DriftReport
from pytest_drift.options import Layer, resolve_check
from pytest_drift.pipeline import run_check
from pytest_drift.snapshots.format import METADATA_KEY
from pytest_drift.snapshots.store import SnapshotTarget
from tests.helpers import DATA

DATASETS = ("cars_model_years", "penguins_islands", "seattle_weather_api_log")


def check(baseline: Any, candidate: Any, *, save: SnapshotTarget | None = None,
          base_dir: Path | None = None, **options: Any) -> DriftReport:
    layer = Layer("argument", {"baseline": baseline, "candidate": candidate, "report": "",
                               "workers": 1, **options})
    return run_check(resolve_check([layer]), save=save, base_dir=base_dir)


def target(path: Path, *, role: str = "baseline", nodeid: str | None = "t.py::test_a",
           name: str = "test_a") -> SnapshotTarget:
    return SnapshotTarget(path, f"snapshot:{path}", role, nodeid, name)


def saved(tmp_path: Path, baseline: Any, candidate: Any, **options: Any) -> Path:
    path = tmp_path / "drift_baselines" / "base.parquet"
    check(baseline, candidate, save=target(path), **options)
    return path


def same_details(raw: DriftReport, snapshot: DriftReport) -> None:
    assert raw.skipped_features == snapshot.skipped_features
    assert raw.details.keys() == snapshot.details.keys()
    for feature, result in raw.to_json()["details"].items():
        other = snapshot.to_json()["details"][feature]
        for key, value in result.items():
            if isinstance(value, float) and math.isfinite(value):
                assert other[key] == pytest.approx(value, rel=1e-12, abs=1e-12), (feature, key)
            else:
                assert other[key] == value, (feature, key)


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_a_snapshot_baseline_gives_the_raw_baselines_results(tmp_path: Path, dataset: str,
                                                               engine: str) -> None:
    baseline, candidate = (str(DATA / dataset / f"{side}.csv")
                           for side in ("baseline", "candidate"))
    raw = check(baseline, candidate, engine=engine, save=target(tmp_path / "s.parquet"))
    assert raw.snapshot is not None
    assert raw.snapshot["action"] == "created"
    from_snapshot = check(f"snapshot:{tmp_path / 's.parquet'}", candidate, engine=engine)
    assert from_snapshot.snapshot is not None
    assert from_snapshot.snapshot["action"] == "read"
    assert from_snapshot.baseline_rows == raw.baseline_rows
    same_details(raw, from_snapshot)


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_engine_saves_the_same_file(tmp_path: Path, dataset: str, spark: Any) -> None:
    """A snapshot saved by the DuckDB or the Spark engine is the memory engine's, byte for
    byte (the engine is not part of what a snapshot records); and a check of each engine
    from it gives the raw check's results."""
    baseline, candidate = (str(DATA / dataset / f"{side}.csv")
                           for side in ("baseline", "candidate"))
    files = {}
    for engine in ("memory", "duckdb", "spark"):
        path = tmp_path / engine / "s.parquet"  # the name (the file's stem) is recorded
        check(baseline, candidate, engine=engine, save=target(path))
        files[engine] = path
    content = files["memory"].read_bytes()
    assert files["duckdb"].read_bytes() == content
    assert files["spark"].read_bytes() == content
    raw = check(baseline, candidate)
    same_details(raw, check(f"snapshot:{files['memory']}", candidate, engine="spark"))


floats = st.one_of(st.floats(-1e6, 1e6, allow_nan=False, width=32).map(float),
                   st.sampled_from([0.0, -0.0, 1.5, math.nan, math.inf, -math.inf]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(base=st.lists(floats, min_size=25, max_size=80),
       cand=st.lists(floats, min_size=25, max_size=80),
       ints=st.lists(st.integers(-3, 3), min_size=25, max_size=25))
def test_statistics_from_a_snapshot_are_scipys(tmp_path: Path, base: list[float],
                                               cand: list[float], ints: list[int]) -> None:
    baseline = pd.DataFrame({"x": base[:25], "k": ints})
    candidate = pd.DataFrame({"x": cand[:25], "k": list(reversed(ints))})
    path = tmp_path / "h.parquet"
    check(baseline, candidate, save=target(path), min_samples=1)
    report = check(f"snapshot:{path}", candidate, min_samples=1)
    for feature in ("x", "k"):
        left = baseline[feature].to_numpy(dtype=float)
        right = candidate[feature].to_numpy(dtype=float)
        left, right = left[np.isfinite(left)], right[np.isfinite(right)]
        if feature not in report.details:
            assert left.size == 0 or right.size == 0
            continue
        with warnings.catch_warnings():  # scipy's own notes on ties, not our concern here
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = stats.ks_2samp(left, right)
        result = report.details[feature]
        assert result.statistic == pytest.approx(expected.statistic, abs=1e-12)
        assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-12)


def test_the_same_data_gives_the_same_bytes(tmp_path: Path) -> None:
    baseline, candidate = (str(DATA / "cars_model_years" / f"{s}.csv")
                           for s in ("baseline", "candidate"))
    first = check(baseline, candidate, save=target(tmp_path / "a.parquet"))
    content = (tmp_path / "a.parquet").read_bytes()
    again = check(baseline, candidate, save=target(tmp_path / "a.parquet"))
    assert (tmp_path / "a.parquet").read_bytes() == content
    assert first.snapshot is not None
    assert again.snapshot is not None
    assert (first.snapshot["action"], again.snapshot["action"]) == ("created", "unchanged")


def test_approving_says_what_changed(tmp_path: Path) -> None:
    old = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})
    new = pd.DataFrame({"x": np.arange(100.0) + 10, "c": ["a", "z"] * 50})
    path = tmp_path / "s.parquet"
    check(old, old, save=target(path))
    approved = check(f"snapshot:{path}", new, save=target(path, role="candidate"))
    assert approved.snapshot is not None
    assert approved.snapshot["action"] == "updated"
    changes = {c["feature"]: c for c in approved.snapshot["changes"]}
    assert changes["x"]["mean"] == [pytest.approx(np.mean(old["x"])),
                                    pytest.approx(np.mean(new["x"]))]
    assert changes["x"]["quantiles"]["p50"] == [pytest.approx(np.quantile(old["x"], 0.5)),
                                                pytest.approx(np.quantile(new["x"], 0.5))]
    assert (changes["c"]["categories_added"], changes["c"]["categories_gone"]) == (["z"], ["b"])
    assert check(f"snapshot:{path}", new).status == "NORMAL"


def test_a_missing_snapshot_names_the_file_and_the_known_ones(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    saved(tmp_path, frame, frame)
    with pytest.raises(DriftInputError) as error:
        check("snapshot:nope", frame, base_dir=tmp_path)
    message = str(error.value)
    assert "no snapshot 'snapshot:nope'" in message
    assert str(tmp_path / "drift_baselines" / "nope.parquet") in message
    assert "Snapshots in" in message
    assert "base" in message
    assert "pytest --drift-update-baseline" in message


def test_a_bad_snapshot_name_is_a_usage_error(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    with pytest.raises(DriftUsageError, match="a snapshot name is letters, digits"):
        check("snapshot:bad name!", frame, base_dir=tmp_path)


def test_a_plain_parquet_file_is_not_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"x": list(range(30))}), path)
    with pytest.raises(DriftInputError, match=r"is a Parquet file but not a pytest-datadrift "
                                              r"snapshot"):
        check(f"snapshot:{path}", pd.DataFrame({"x": range(30)}))


def test_a_truncated_snapshot_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    path = saved(tmp_path, frame, frame)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(DriftInputError) as error:
        check(f"snapshot:{path}", frame)
    assert f"snapshot {path} cannot be read as Parquet" in str(error.value)
    assert f"git checkout -- {path}" in str(error.value)


def rewrite(path: Path, edit_metadata: Any = None, edit_table: Any = None) -> None:
    table = pq.read_table(path)
    document = json.loads(table.schema.metadata[METADATA_KEY])
    if edit_metadata is not None:
        edit_metadata(document)
    if edit_table is not None:
        table = edit_table(table)
    pq.write_table(table.replace_schema_metadata({METADATA_KEY: json.dumps(document)}), path)


def test_hand_edited_metadata_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    path = saved(tmp_path, frame, frame)
    rewrite(path, edit_metadata=lambda document: document.update(rows=31))
    with pytest.raises(DriftInputError, match="does not match its own digest: it was edited"):
        check(f"snapshot:{path}", frame)


def test_hand_edited_values_are_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    path = saved(tmp_path, frame, frame)

    def shift(table: pa.Table) -> pa.Table:
        values = pa.array([[v + 1 for v in table.column("v0")[0].as_py()]])
        return table.set_column(0, "v0", values)

    rewrite(path, edit_table=shift)
    with pytest.raises(DriftInputError, match="holds values of 'x' that do not match its "
                                              "digest"):
        check(f"snapshot:{path}", frame)


def test_unreadable_metadata_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    path = saved(tmp_path, frame, frame)
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({METADATA_KEY: b"{not json"}), path)
    with pytest.raises(DriftInputError, match="has unreadable metadata"):
        check(f"snapshot:{path}", frame)


def test_a_snapshot_of_a_newer_format_asks_for_an_upgrade(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    path = saved(tmp_path, frame, frame)
    rewrite(path, edit_metadata=lambda document: document.update(format=99))
    with pytest.raises(DriftInputError) as error:
        check(f"snapshot:{path}", frame)
    assert "has format version 99" in str(error.value)
    assert "pip install -U pytest-datadrift" in str(error.value)


def test_another_checks_snapshot_is_not_overwritten(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    path = saved(tmp_path, frame, frame)
    content = path.read_bytes()
    other = pd.DataFrame({"x": range(5, 40)})
    with pytest.raises(DriftInputError) as error:
        check(other, other, save=target(path, nodeid="t.py::test_b", name="test_b"))
    assert "belongs to t.py::test_a (check 'test_a')" in str(error.value)
    assert "nothing was written" in str(error.value)
    assert path.read_bytes() == content


def test_an_approval_may_not_replace_another_checks_snapshot(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30)})
    path = saved(tmp_path, frame, frame)
    content = path.read_bytes()
    with pytest.raises(DriftInputError, match=r"belongs to t\.py::test_a"):
        check(f"snapshot:{path}", frame,
              save=target(path, role="candidate", nodeid="t.py::test_b", name="test_b"))
    assert path.read_bytes() == content


def test_a_snapshot_lacking_a_feature_does_not_fit(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": range(30), "y": range(30)})
    path = saved(tmp_path, frame, frame, exclude=["y"])
    with pytest.raises(DriftInputError) as error:
        check(f"snapshot:{path}", frame)
    message = str(error.value)
    assert f"snapshot {path} (made with exclude=['y']) does not fit this check" in message
    assert "it has no feature 'y'" in message
    assert "pytest --drift-update-baseline" in message


def test_a_feature_kept_as_categories_does_not_fit_a_numeric_test(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1, 2, 3] * 10})
    path = saved(tmp_path, frame, frame, categorical=["x"])
    with pytest.raises(DriftInputError, match="keeps 'x' as categories, but this check "
                                              "tests it as numbers"):
        check(f"snapshot:{path}", frame)
