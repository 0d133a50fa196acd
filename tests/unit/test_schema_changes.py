"""Schema changes: columns added, removed and retyped, categories new in the candidate and
gone from it with their share of rows (pandas' value counts as the oracle), the
``schema='fail'`` gate, the ``DriftWarning`` of ``schema='warn'``, the same section on every
engine, and no false change against a snapshot (which keeps values in its own types)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pytest_drift import DriftDetected, DriftWarning, assert_no_drift, compare
from pytest_drift.columns import KindInfo
from pytest_drift.messages import failure_message
from pytest_drift.schema_changes import LISTED_CATEGORIES, type_family
from pytest_drift.wording import summary_line
from tests.engine_support import against_memory


def shifted_pair(rows: int = 400, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A baseline and a candidate of the same distributions whose shape changed: ``plan``
    removed, ``coupon`` added, ``age`` from integers to nothing (every value missing),
    ``country`` with two new categories and one gone."""
    rng = np.random.default_rng(seed)
    baseline = pd.DataFrame({
        "age": rng.integers(18, 80, rows),
        "income": rng.normal(50, 10, rows),
        "country": rng.choice(["FR", "DE", "IT", "ES"], rows, p=[0.4, 0.3, 0.2, 0.1]),
        "plan": rng.choice(["free", "pro"], rows),
    })
    candidate = pd.DataFrame({
        "age": pd.Series([None] * rows, dtype=object),
        "income": rng.normal(50, 10, rows),
        "country": rng.choice(["FR", "DE", "IT", "PT", "NL"], rows,
                              p=[0.4, 0.3, 0.25, 0.04, 0.01]),
        "coupon": rng.integers(0, 3, rows),
    })
    return baseline, candidate


def shares(frame: pd.DataFrame, column: str, categories: list[str]) -> dict[str, Any]:
    counts = frame[column].value_counts()
    return {c: (int(counts[c]), int(counts[c]) / int(counts.sum())) for c in categories}


def test_every_kind_of_change_is_found_with_its_share_of_rows() -> None:
    baseline, candidate = shifted_pair()
    schema = compare(baseline, candidate).to_json()["schema"]
    assert schema["policy"] == "warn"
    assert schema["failed"] is False
    assert schema["columns_removed"] == ["plan"]
    assert schema["columns_added"] == ["coupon"]
    [age] = schema["columns_retyped"]
    assert (age["name"], age["baseline_type"]) == ("age", "int64")
    [country] = schema["categories"]
    new = shares(candidate, "country", ["PT", "NL"])
    gone = shares(baseline, "country", ["ES"])
    assert country["feature"] == "country"
    assert country["new_count"] == 2
    assert country["gone_count"] == 1
    assert [c["category"] for c in country["new"]] == ["PT", "NL"]  # most rows first
    for change in country["new"]:
        assert (change["rows"], change["share"]) == pytest.approx(new[change["category"]],
                                                                  rel=1e-12)
    assert country["new_share"] == pytest.approx(sum(s for _, s in new.values()), rel=1e-12)
    assert [(c["category"], c["rows"]) for c in country["gone"]] == [("ES", gone["ES"][0])]
    assert country["gone_share"] == pytest.approx(gone["ES"][1], rel=1e-12)
    assert schema["changes"] == 1 + 1 + 1 + 3


def test_an_unchanged_schema_has_no_change_and_no_warning() -> None:
    baseline, _ = shifted_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = assert_no_drift(baseline, baseline.copy())
    schema = report.to_json()["schema"]
    assert schema["changes"] == 0
    assert schema["columns_added"] == schema["columns_removed"] == []
    assert schema["columns_retyped"] == schema["categories"] == []
    assert "schema" not in summary_line(report.to_json())


def test_warn_reports_the_changes_in_a_drift_warning_and_passes() -> None:
    baseline, candidate = shifted_pair()
    candidate = candidate.assign(country=baseline["country"].to_numpy())
    with pytest.warns(DriftWarning) as caught:
        report = assert_no_drift(baseline, candidate)
    assert report.status == "NORMAL"
    message = str(caught[0].message)
    assert "schema changed (3 changes; schema='warn'" in message
    assert "column 'plan' removed from the candidate" in message
    assert "column 'coupon' added in the candidate" in message
    assert "column 'age' retyped: int64 in the baseline, " in message
    assert "3 schema changes" in summary_line(report.to_json())


def test_fail_fails_a_gate_whose_features_did_not_drift() -> None:
    baseline, candidate = shifted_pair()
    candidate = candidate.assign(country=baseline["country"].to_numpy())
    with pytest.raises(DriftDetected) as raised:
        assert_no_drift(baseline, candidate, schema="fail")
    report = raised.value.report
    entry = report.to_json()
    assert report.status == "DRIFT_DETECTED"
    assert report.drifted_features == []
    assert entry["schema"]["failed"] is True
    message = str(raised.value)
    assert message.startswith("Schema changed (schema='fail'): candidate")
    assert "column 'plan' removed from the candidate" in message
    assert "0 of 2 features drifted (0.0% <= threshold 20.0%)" in message
    assert "raise threshold" not in message  # no feature drifted: nothing to tolerate
    assert "set schema='warn'" in message
    assert ", schema changed (schema='fail')" in summary_line(entry)


def test_fail_without_a_change_passes() -> None:
    baseline, _ = shifted_pair()
    assert assert_no_drift(baseline, baseline.copy(), schema="fail").status == "NORMAL"


def test_a_new_category_alone_fails_under_fail() -> None:
    baseline = pd.DataFrame({"colour": ["red", "blue"] * 500})
    candidate = pd.DataFrame({"colour": ["red", "blue"] * 499 + ["green", "red"]})
    report = compare(baseline, candidate, schema="fail")
    assert report.drifted_features == []  # one row in a thousand: no drift
    assert report.status == "DRIFT_DETECTED"
    message = failure_message(report.to_json())
    assert "'colour': 1 category new in the candidate, 0.1% of its values ('green' 0.1%)" in (
        message)


def test_many_new_categories_are_counted_and_the_largest_listed() -> None:
    baseline = pd.DataFrame({"user": [f"u{i % 30}" for i in range(3000)]})
    candidate = pd.DataFrame({"user": [f"u{i % 30}" for i in range(2000)]
                              + [f"n{i % 50}" for i in range(1000)]
                              + ["n0"] * 40})
    schema = compare(baseline, candidate).to_json()["schema"]
    [user] = schema["categories"]
    assert user["new_count"] == 50
    assert len(user["new"]) == LISTED_CATEGORIES
    assert user["new"][0] == {"category": "n0", "rows": 60, "share": 60 / 3040}
    assert user["new_share"] == pytest.approx(1040 / 3040, rel=1e-12)
    message = failure_message(compare(baseline, candidate).to_json())
    assert "50 categories new in the candidate" in message
    assert "and 47 more" in message


@pytest.mark.parametrize(("baseline", "candidate", "retyped"), [
    (KindInfo("numeric", "int32"), KindInfo("numeric", "int64"), False),
    (KindInfo("numeric", "float"), KindInfo("numeric", "double"), False),
    (KindInfo("numeric", "int64"), KindInfo("numeric", "double"), False),  # CSV inference
    (KindInfo("numeric", "decimal128(10, 2)"), KindInfo("numeric", "double"), False),
    (KindInfo("categorical", "string"), KindInfo("categorical", "bool"), False),
    (KindInfo("categorical", "dictionary<values=string, indices=int32, ordered=0>"),
     KindInfo("categorical", "large_string"), False),
    (KindInfo("numeric", "int64"), KindInfo("empty", "null"), True),
    (KindInfo("categorical", "string"), KindInfo("empty", "object"), True),
    (KindInfo("numeric", "float64"), KindInfo("empty", "float64"), False),
    (KindInfo("categorical", "string"), KindInfo("empty", "string"), False),
    (KindInfo("unsupported", "timestamp[us]"), KindInfo("categorical", "string"), True),
    (KindInfo("numeric", "int64"), KindInfo("categorical", "string"), True),
])
def test_a_retype_is_a_change_of_the_kind_of_values(baseline: KindInfo, candidate: KindInfo,
                                                    retyped: bool) -> None:
    assert (type_family(baseline) != type_family(candidate)) is retyped


def test_a_column_that_became_text_is_retyped() -> None:
    """Timestamps (which no test takes) that arrive as text: the feature is skipped as
    untestable on one side, and the schema section says that its type changed."""
    baseline = pd.DataFrame({"when": pd.date_range("2026-01-01", periods=100, freq="h"),
                             "x": np.arange(100)})
    candidate = pd.DataFrame({"when": pd.date_range("2026-01-01", periods=100, freq="h")
                              .strftime("%Y-%m-%d"), "x": np.arange(100)})
    report = compare(baseline, candidate)
    assert "when" in report.skipped_features
    [retyped] = report.to_json()["schema"]["columns_retyped"]
    assert retyped["name"] == "when"
    assert retyped["baseline_type"].startswith("datetime64")


def test_a_column_that_became_empty_is_retyped_not_only_skipped(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": pa.array(range(100)), "y": pa.array(range(100))}),
                   tmp_path / "baseline.parquet")
    pq.write_table(pa.table({"x": pa.array(range(100)), "y": pa.nulls(100)}),
                   tmp_path / "candidate.parquet")
    report = compare(str(tmp_path / "baseline.parquet"), str(tmp_path / "candidate.parquet"))
    assert report.skipped_features == {"y": "entirely missing in candidate"}
    assert report.to_json()["schema"]["columns_retyped"] == [
        {"name": "y", "baseline_type": "int64", "candidate_type": "null"}]


def test_a_feature_tested_as_categories_is_not_retyped() -> None:
    baseline = pd.DataFrame({"code": np.arange(200) % 5})
    candidate = pd.DataFrame({"code": (np.arange(200) % 5).astype(str)})
    schema = compare(baseline, candidate, categorical=["code"]).to_json()["schema"]
    assert schema["columns_retyped"] == []


def parquet_pair(tmp_path: Path) -> tuple[str, str]:
    baseline, candidate = shifted_pair(rows=600, seed=11)
    paths = (tmp_path / "baseline.parquet", tmp_path / "candidate.parquet")
    for frame, path in zip((baseline, candidate), paths, strict=True):
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return str(paths[0]), str(paths[1])


def test_duckdb_gives_the_memory_engines_schema_section(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    baseline, candidate = parquet_pair(tmp_path)
    duckdb, _memory = against_memory("duckdb", baseline, candidate)
    assert duckdb.to_json()["schema"]["changes"] == 6


def test_spark_gives_the_memory_engines_schema_section(tmp_path: Path, spark: Any) -> None:
    baseline, candidate = parquet_pair(tmp_path)
    other, memory = against_memory("spark", baseline, candidate, schema="fail")
    assert other.to_json()["schema"]["changes"] == 6
    assert other.status == memory.status == "DRIFT_DETECTED"


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_a_snapshot_of_the_baseline_shows_no_change(tmp_path: Path, engine: str) -> None:
    """A snapshot keeps int32 as int64, float32 as float64, booleans and dictionaries as
    labels: none of that is a change of the data's shape."""
    pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    rng = np.random.default_rng(5)
    table = pa.table({
        "small": pa.array(rng.integers(0, 100, 500), pa.int32()),
        "narrow": pa.array(rng.normal(size=500), pa.float32()),
        "flag": pa.array(rng.integers(0, 2, 500) == 1),
        "tier": pa.array(rng.choice(["a", "b", "c"], 500)).dictionary_encode(),
    })
    path = tmp_path / "data.parquet"
    pq.write_table(table, path)
    saved = tmp_path / "snap.parquet"
    compare(str(path), str(path), save_baseline=str(saved))
    report = compare(f"snapshot:{saved}", str(path), engine=engine, schema="fail")
    assert report.to_json()["schema"]["changes"] == 0
    assert report.status == "NORMAL"
