"""Loaders (CSV, Parquet, JSON Lines), column reading, and the errors of bad input (§7, §8)."""

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

from pytest_drift import compare
from pytest_drift.columns import category_counts, column_kind, numeric_column
from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.loaders import LoadContext, Source, open_with
from tests.unit.stats_support import assert_matches_ks

TRICKY_FLOATS = [
    0.1 + 0.2,
    1e-300,
    5e-324,
    2.2250738585072014e-308,
    -2.225073858507201e-308,
    1.7976931348623157e308,
    0.12345678901234566,
    1.2345678901234567e-05,
    123456789.12345679,
    9007199254740993.0,
    2 / 3,
    -0.0,
    1e22,
    1e23,
    4.35,
    0.30000000000000004,
]


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    lines = [",".join(header)]
    lines += [",".join("" if v is None else (repr(v) if isinstance(v, float) else str(v))
                       for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def open_source(source: str, **context: Any) -> Source:
    return open_with(source, LoadContext(**context))


def read(path: Path, columns: list[str] | None = None, **kwargs: Any) -> Any:
    return open_source(str(path), role="baseline", origin="test", **kwargs).read(columns)


def sample_frame(seed: int = 0, n: int = 120, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(shift, 1, n).round(3)
    k = rng.integers(0, 5, n)
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    x[::17] = np.nan
    colour[::13] = None
    return pd.DataFrame({"x": x, "k": k, "colour": colour})


def per_feature(report: Any) -> dict[str, Any]:
    entry = report.to_json()
    return {
        "details": entry["details"],
        "skipped": entry["skipped_features"],
        "status": entry["status"],
        "train_samples": entry["train_samples"],
        "production_samples": entry["production_samples"],
    }


# --- float round trip ------------------------------------------------------------------


def test_csv_floats_round_trip_exactly(tmp_path: Path) -> None:
    path = tmp_path / "floats.csv"
    text_values = [repr(v) for v in TRICKY_FLOATS]
    path.write_text("a,b\n" + "".join(f"{t},{i}\n" for i, t in enumerate(text_values)))
    table = read(path, ["a"])
    column = numeric_column(table, "a")
    assert column.missing == 0
    assert column.infinite == 0
    got = column.values.tolist()
    want = [float(t) for t in text_values]
    assert got == want
    # bit for bit, including the sign of zero
    assert [math.copysign(1, g) for g in got] == [math.copysign(1, w) for w in want]
    assert [g.hex() for g in got] == [w.hex() for w in want]


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=50))
def test_csv_floats_round_trip_property(tmp_path: Path, values: list[float]) -> None:
    path = tmp_path / "values.csv"
    path.write_text("v\n" + "".join(f"{v!r}\n" for v in values))
    got = numeric_column(read(path, ["v"]), "v").values.tolist()
    assert [g.hex() for g in got] == [float(repr(v)).hex() for v in values]


def test_only_needed_columns_are_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", ["a", "b", "c"], [[1, "x", 2.5], [2, "y", 3.5]])
    table = read(path, ["a"])
    assert table.column_names == ["a"]
    table = read(path, ["c", "a"])
    assert sorted(table.column_names) == ["a", "c"]
    assert open_source(str(path), role="baseline", origin="t").column_names() == ["a", "b", "c"]


def test_only_needed_columns_are_read_from_parquet_and_jsonl(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"], "c": [3, 4]})
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "t.parquet")
    (tmp_path / "t.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in frame.to_dict("records")))
    for name in ("t.parquet", "t.jsonl"):
        assert read(tmp_path / name, ["a"]).column_names == ["a"]


# --- type inference past the first block ----------------------------------------------


@pytest.fixture(scope="module")
def late_types_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Integers for well over 1 MB, then a float in column f and text in column t."""
    path = tmp_path_factory.mktemp("late") / "late.csv"
    n = 250_000
    with path.open("w") as stream:
        stream.write("f,t,i\n")
        for i in range(n):
            stream.write(f"{i},{i % 1000},{i}\n")
        stream.write("0.5,hello,7\n")
    assert path.stat().st_size > 2 * 2**20
    return path


def test_late_float_gives_float_column(late_types_csv: Path) -> None:
    table = read(late_types_csv, ["f"])
    assert column_kind(table, "f").kind == "numeric"
    column = numeric_column(table, "f")
    assert column.values.size == 250_001
    assert column.values[-1] == 0.5
    assert column.values[123_456] == 123_456.0
    assert column.missing == 0


def test_late_text_gives_text_column(late_types_csv: Path) -> None:
    table = read(late_types_csv, ["t"])
    assert column_kind(table, "t").kind == "categorical"
    counts = category_counts(table, "t")
    assert counts.counts["hello"] == 1
    assert counts.counts["999"] == 250
    assert sum(counts.counts.values()) == 250_001


def test_late_types_with_every_column(late_types_csv: Path) -> None:
    table = read(late_types_csv, None)
    assert [column_kind(table, c).kind for c in ("f", "t", "i")] == [
        "numeric", "categorical", "numeric"]
    assert numeric_column(table, "i").values[-1] == 7.0
    table = read(late_types_csv, ["i", "t", "f"])
    assert column_kind(table, "t").kind == "categorical"
    assert numeric_column(table, "f").values[-1] == 0.5


def test_compare_on_a_file_with_late_types(late_types_csv: Path, tmp_path: Path) -> None:
    small = write_csv(tmp_path / "small.csv", ["f"], [[float(i) + 0.5] for i in range(100)])
    report = compare(small, late_types_csv, features=["f"])
    result = report.details["f"]
    big = numeric_column(read(late_types_csv, ["f"]), "f").values
    oracle = stats.ks_2samp(np.arange(100) + 0.5, big)
    assert result.statistic == pytest.approx(float(oracle.statistic), rel=1e-12, abs=1e-12)
    assert result.p_value == pytest.approx(float(oracle.pvalue), rel=1e-12, abs=1e-12)
    assert result.candidate_n == 250_001


# --- Parquet and JSON Lines give the same report as CSV --------------------------------


def test_parquet_file_and_directory_match_csv(tmp_path: Path) -> None:
    train, prod = sample_frame(1), sample_frame(2, n=90, shift=0.4)
    train.to_csv(tmp_path / "train.csv", index=False)
    prod.to_csv(tmp_path / "prod.csv", index=False)
    pq.write_table(pa.Table.from_pandas(train, preserve_index=False), tmp_path / "train.parquet")
    parts = tmp_path / "prod_parts"
    parts.mkdir()
    for i, chunk in enumerate((prod.iloc[:30], prod.iloc[30:70], prod.iloc[70:])):
        pq.write_table(pa.Table.from_pandas(chunk, preserve_index=False),
                       parts / f"part-{i}.parquet")

    from_csv = compare(tmp_path / "train.csv", tmp_path / "prod.csv")
    from_parquet = compare(tmp_path / "train.parquet", parts)
    assert per_feature(from_parquet) == per_feature(from_csv)
    assert list(from_csv.details) == ["x", "k", "colour"]
    assert from_csv.details["colour"].test == "chi2"
    assert from_csv.details["x"].baseline_missing == int(train["x"].isna().sum())
    assert len(from_parquet.candidate_files) == 3
    # and the same as the frames themselves
    assert per_feature(compare(train, prod))["details"] == per_feature(from_csv)["details"]


def test_parquet_matches_scipy(tmp_path: Path) -> None:
    train, prod = sample_frame(5), sample_frame(6, shift=0.5)
    pq.write_table(pa.Table.from_pandas(train, preserve_index=False), tmp_path / "a.parquet")
    pq.write_table(pa.Table.from_pandas(prod, preserve_index=False), tmp_path / "b.pq")
    result = compare(tmp_path / "a.parquet", tmp_path / "b.pq").details["x"]
    oracle = stats.ks_2samp(train["x"].dropna().to_numpy(), prod["x"].dropna().to_numpy())
    assert result.statistic == pytest.approx(float(oracle.statistic), rel=1e-12, abs=1e-12)
    assert result.p_value == pytest.approx(float(oracle.pvalue), rel=1e-12, abs=1e-12)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for row in frame.to_dict("records"):
        rows.append({k: (None if isinstance(v, float) and math.isnan(v) else
                         (v.item() if hasattr(v, "item") else v)) for k, v in row.items()})
    return rows


def test_jsonl_records_and_api_log_match_csv(tmp_path: Path) -> None:
    train, prod = sample_frame(3), sample_frame(4, n=100, shift=0.3)
    train.to_csv(tmp_path / "train.csv", index=False)
    prod.to_csv(tmp_path / "prod.csv", index=False)
    records = _records(prod)
    (tmp_path / "prod.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "log.ndjson").write_text("".join(
        json.dumps({"ts": i, "request": {"id": i, "inputs": r}, "prediction": "ok"}) + "\n"
        for i, r in enumerate(records)))

    from_csv = per_feature(compare(tmp_path / "train.csv", tmp_path / "prod.csv"))
    from_records = per_feature(compare(tmp_path / "train.csv", tmp_path / "prod.jsonl"))
    from_log = per_feature(compare(tmp_path / "train.csv", tmp_path / "log.ndjson",
                                   features_key="request.inputs"))
    assert from_records == from_csv
    assert from_log == from_csv


def test_api_log_reads_only_the_inputs(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("".join(
        json.dumps({"timestamp": f"t{i}", "features": {"x": i / 10, "y": "ab"[i % 2]},
                    "prediction": i}) + "\n" for i in range(30)))
    reader = open_source(str(path), role="candidate", origin="t")
    assert reader.column_names() == ["x", "y"]
    table = reader.read(["x"])
    assert numeric_column(table, "x").values.tolist() == [i / 10 for i in range(30)]


def test_dotted_features_key(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("".join(
        json.dumps({"request": {"inputs": {"x": float(i), "y": "q"}, "meta": 1}}) + "\n"
        for i in range(25)))
    reader = open_source(str(path), role="candidate", origin="t",
                         features_key="request.inputs")
    assert reader.column_names() == ["x", "y"]
    assert numeric_column(reader.read(["x"]), "x").values.tolist() == [float(i)
                                                                       for i in range(25)]


# --- bad input -------------------------------------------------------------------------


def test_missing_file_names_path_role_and_origin(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "prod.csv"
    with pytest.raises(DriftInputError) as info:
        open_source(str(missing), role="candidate", origin="command line --drift-candidate")
    message = str(info.value)
    assert str(missing) in message
    assert "candidate" in message
    assert "command line --drift-candidate" in message
    assert "not found" in message


def test_missing_file_through_compare(tmp_path: Path) -> None:
    existing = write_csv(tmp_path / "a.csv", ["x"], [[1.0]] * 25)
    with pytest.raises(DriftInputError) as info:
        compare(existing, str(tmp_path / "b.csv"))
    message = str(info.value)
    assert str(tmp_path / "b.csv") in message
    assert "candidate" in message
    assert "argument candidate" in message


def test_relative_missing_file_names_the_base_dir(tmp_path: Path) -> None:
    with pytest.raises(DriftInputError) as info:
        open_source("data/train.csv", role="baseline", origin="ini key drift_baseline",
                    base_dir=tmp_path)
    message = str(info.value)
    assert "data/train.csv" in message
    assert str(tmp_path) in message
    assert "baseline" in message
    assert "ini key drift_baseline" in message


@pytest.mark.parametrize("name", ["data.txt", "data.xlsx", "model.pkl", "noext"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("x\n1\n")
    with pytest.raises(DriftInputError) as info:
        open_source(str(path), role="baseline", origin="marker keyword baseline")
    message = str(info.value)
    assert name in message
    assert "baseline" in message
    assert "marker keyword baseline" in message
    assert ".csv" in message  # says what is supported


def test_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DriftInputError) as info:
        compare(path, path)
    message = str(info.value)
    assert str(path) in message
    assert "empty" in message


def test_empty_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    with pytest.raises(DriftInputError, match="empty"):
        open_source(str(path), role="candidate", origin="t").column_names()


@pytest.mark.parametrize("bad_line", [2, 5])
def test_jsonl_line_without_features_object(tmp_path: Path, bad_line: int) -> None:
    path = tmp_path / "log.jsonl"
    lines = [json.dumps({"features": {"x": float(i)}, "prediction": 1}) for i in range(8)]
    lines[bad_line - 1] = json.dumps({"prediction": 1})
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DriftInputError) as info:
        open_source(str(path), role="candidate", origin="t").column_names()
    message = str(info.value)
    assert f"line {bad_line}" in message
    assert "features" in message
    assert str(path) in message


def test_malformed_json_line_names_the_line(tmp_path: Path) -> None:
    """§8: a malformed JSON line is named by its (1-based) line number in the file."""
    path = tmp_path / "bad.jsonl"
    path.write_text('{"x": 1}\n{"x": 2}\n{"x": 3,,}\n{"x": 4}\n')
    with pytest.raises(DriftInputError) as info:
        open_source(str(path), role="candidate", origin="t").column_names()
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message


def test_malformed_csv_row_names_the_line(tmp_path: Path) -> None:
    """§8: a malformed CSV row is named by its line number in the file."""
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n1,2\n3,4\n5,6,7\n8,9\n")
    with pytest.raises(DriftInputError) as info:
        open_source(str(path), role="baseline", origin="t").read(None)
    message = str(info.value)
    assert str(path) in message
    assert "line 4" in message


def test_jsonl_dotted_key_missing(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps({"request": {"body": {"x": 1}}}) + "\n")
    with pytest.raises(DriftInputError) as info:
        open_source(str(path), role="candidate", origin="t",
                    features_key="request.inputs").column_names()
    assert "request.inputs" in str(info.value)


def test_numeric_in_one_dataset_text_in_the_other(tmp_path: Path) -> None:
    train = write_csv(tmp_path / "train.csv", ["x", "y"],
                      [[float(i), i] for i in range(30)])
    prod = write_csv(tmp_path / "prod.csv", ["x", "y"],
                     [[f"v{i}", i] for i in range(30)])
    for a, b in ((train, prod), (prod, train)):
        with pytest.raises(DriftInputError) as info:
            compare(a, b)
        message = str(info.value)
        assert "'x'" in message
        assert str(train) in message
        assert str(prod) in message
        assert "categorical" in message
        assert "exclude" in message
    # either suggestion works
    assert compare(train, prod, exclude=["x"]).features_tested == 1
    assert compare(train, prod, categorical=["x"]).details["x"].test == "chi2"


def test_unknown_feature_name_suggests_a_close_one(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", ["temp_max", "temp_min", "wind"],
                     [[1.0, 2.0, 3.0]] * 25)
    with pytest.raises(DriftUsageError) as info:
        compare(path, path, features=["temp_mx", "wind"])
    message = str(info.value)
    assert "features" in message
    assert "temp_mx" in message
    assert "did you mean 'temp_max'" in message
    for option in ("categorical", "exclude"):
        with pytest.raises(DriftUsageError, match="did you mean 'wind'"):
            compare(path, path, **{option: ["wnd"]})


def test_feature_missing_from_one_side_is_skipped(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(size=50), "only_train": rng.normal(size=50)})
    prod = pd.DataFrame({"x": rng.normal(size=40), "only_prod": rng.normal(size=40)})
    report = compare(train, prod)
    assert report.skipped_features == {"only_train": "missing from candidate",
                                       "only_prod": "missing from baseline"}
    assert list(report.details) == ["x"]
    # also when the feature was asked for by name
    report = compare(train, prod, features=["x", "only_train"])
    assert report.skipped_features == {"only_train": "missing from candidate"}


@pytest.mark.parametrize("side", ["baseline", "candidate"])
def test_all_empty_column_is_skipped(tmp_path: Path, side: str) -> None:
    full = [[float(i), float(i)] for i in range(30)]
    empty = [[float(i), None] for i in range(30)]
    a = write_csv(tmp_path / "a.csv", ["x", "gone"], empty if side == "baseline" else full)
    b = write_csv(tmp_path / "b.csv", ["x", "gone"], empty if side == "candidate" else full)
    report = compare(a, b)
    assert report.skipped_features == {"gone": f"entirely missing in {side}"}
    assert list(report.details) == ["x"]
    assert report.status == "NORMAL"


@pytest.mark.parametrize("value", [math.nan, None])
def test_all_empty_frame_column_is_skipped(value: Any) -> None:
    train = pd.DataFrame({"x": np.arange(30.0), "gone": [value] * 30})
    prod = pd.DataFrame({"x": np.arange(30.0), "gone": np.arange(30.0)})
    report = compare(train, prod)
    assert report.skipped_features == {"gone": "entirely missing in baseline"}


def test_all_infinite_column_is_skipped() -> None:
    train = pd.DataFrame({"x": np.arange(30.0), "inf": [math.inf] * 30})
    prod = pd.DataFrame({"x": np.arange(30.0), "inf": np.arange(30.0)})
    report = compare(train, prod)
    assert "inf" in report.skipped_features
    assert "baseline" in report.skipped_features["inf"]
    assert "x" in report.details


def test_nothing_testable_gives_status_error(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", ["x"], [[None]] * 30)
    b = write_csv(tmp_path / "b.csv", ["x"], [[1.0]] * 30)
    report = compare(a, b)
    assert report.status == "ERROR"
    assert report.features_tested == 0
    assert report.drift_percentage is None
    assert report.error is not None
    assert "x" in report.error
    assert report.skipped_features == {"x": "entirely missing in baseline"}


def test_no_shared_columns_gives_status_error() -> None:
    report = compare(pd.DataFrame({"a": np.arange(30.0)}), pd.DataFrame({"b": np.arange(30.0)}))
    assert report.status == "ERROR"
    assert report.features_tested == 0
    assert report.error is not None


def test_header_only_csv_is_not_silently_normal(tmp_path: Path) -> None:
    header_only = tmp_path / "h.csv"
    header_only.write_text("x,y\n")
    full = write_csv(tmp_path / "f.csv", ["x", "y"], [[1.0, 2.0]] * 30)
    with pytest.raises(DriftInputError, match=r"candidate .*h\.csv.* has no data rows"):
        compare(full, header_only)


def test_one_column_csv_keeps_empty_cells_as_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", ["x"], [[1.0], [None], [2.0], [None]])
    column = numeric_column(read(path), "x")
    assert column.values.tolist() == [1.0, 2.0]
    assert column.missing == 2


# --- column helpers --------------------------------------------------------------------


def test_numeric_column_counts_missing_and_infinite_apart() -> None:
    frame = pd.DataFrame({"x": [1.0, math.nan, math.inf, -math.inf, 2.0, None]})
    column = numeric_column(frame, "x")
    assert column.values.tolist() == [1.0, 2.0]
    assert column.missing == 2
    assert column.infinite == 2
    table = pa.table({"x": pa.array([1.0, None, math.inf, math.nan, 3.0])})
    column = numeric_column(table, "x")
    assert column.values.tolist() == [1.0, 3.0]
    assert (column.missing, column.infinite) == (2, 1)


def test_integral_floats_and_ints_are_one_category() -> None:
    table = pa.table({"k": pa.array([4.0, 4.0, 5.0, None, math.nan])})
    counts = category_counts(table, "k")
    assert counts.counts == {"4": 2, "5": 1}
    assert counts.missing == 2
    frame = pd.DataFrame({"k": [4, 4, 5]})
    assert category_counts(frame, "k").counts == {"4": 2, "5": 1}


def test_column_kinds() -> None:
    frame = pd.DataFrame({
        "f": [1.5, 2.5], "i": [1, 2], "s": ["a", "b"], "b": [True, False],
        "c": pd.Categorical(["x", "y"]), "e": [None, None],
        "t": pd.to_datetime(["2020-01-01", "2020-01-02"]),
    })
    kinds = {name: column_kind(frame, name).kind for name in frame.columns}
    assert kinds == {"f": "numeric", "i": "numeric", "s": "categorical", "b": "categorical",
                     "c": "categorical", "e": "empty", "t": "unsupported"}


def test_unsupported_type_is_skipped_with_a_reason() -> None:
    times = pd.to_datetime(["2020-01-01"] * 30)
    train = pd.DataFrame({"x": np.arange(30.0), "when": times})
    report = compare(train, train)
    assert "when" in report.skipped_features
    assert "cannot be tested" in report.skipped_features["when"]
    assert report.status == "NORMAL"


def test_complex_column_is_skipped_without_complex_warning() -> None:
    rng = np.random.default_rng(12)
    train = pd.DataFrame({"x": rng.normal(0, 1, 80), "z": rng.normal(0, 1, 80) + 1j})
    prod = pd.DataFrame({"x": rng.normal(0, 1, 80), "z": rng.normal(0, 1, 80) - 2j})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = compare(train, prod)
    assert [str(w.message) for w in caught] == []
    assert "complex" in report.skipped_features["z"]
    assert list(report.details) == ["x"]
    assert_matches_ks(report.details["x"], train["x"].to_numpy(), prod["x"].to_numpy())
