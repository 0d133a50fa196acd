"""A feature as a snapshot keeps it (:mod:`pytest_drift.snapshots.counts`): the memory engine's
counts against Python's own counting (every width of integer, floats with NaN, ±inf, -0.0
and ties, decimals, uint64 beyond 2**63, strings, all-null columns; Arrow and pandas inputs),
the column they give back holds the same values, and the ``duckdb`` and ``spark`` engines'
``feature_counts`` equal the memory engine's exactly (values and their type, counts,
missing and ±inf) on the shared datasets and on generated columns.

The Spark tests run on the test session's one local[2] SparkSession, and are few."""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pytest_drift.columns import category_label, column_names
from pytest_drift.engines import registry
from pytest_drift.engines.base import grouped_counts
from pytest_drift.loaders import LoadContext, load
from pytest_drift.options import Layer, resolve_check
from pytest_drift.snapshots.counts import FeatureCounts, as_column, column_counts
from tests.engine_support import HAZARD_FLOATS
from tests.helpers import DATA, DATASETS

ROLES = ("baseline", "candidate")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: A Spark example costs a job per feature and side: few examples, no shrinking.
SPARK_SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate],
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large,
                                                 HealthCheck.function_scoped_fixture])


# -- the oracle: Python's own counting --------------------------------------------------------

def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def expected_numbers(values: list[Any]) -> tuple[list[Any], list[int], int, int, int]:
    """Sorted distinct finite values, their counts, missing, +inf and -inf, by Counter."""
    finite = [v for v in values if not is_missing(v) and not (
        isinstance(v, float) and math.isinf(v))]
    counted = sorted(Counter(finite).items())
    return ([value for value, _ in counted], [count for _, count in counted],
            sum(map(is_missing, values)), values.count(math.inf), values.count(-math.inf))


def expected_labels(values: list[Any]) -> tuple[list[str], list[int], int]:
    counted = sorted(Counter(category_label(v) for v in values if not is_missing(v)).items())
    return ([label for label, _ in counted], [count for _, count in counted],
            sum(map(is_missing, values)))


def assert_numbers(counts: FeatureCounts, values: list[Any], value_type: pa.DataType) -> None:
    distinct, numbers, missing, positive, negative = expected_numbers(values)
    assert counts.kind == "numeric"
    assert counts.values.type == value_type
    assert counts.values.to_pylist() == distinct
    assert counts.counts.dtype == np.int64
    assert counts.counts.tolist() == numbers
    assert (counts.missing, counts.positive_infinite, counts.negative_infinite) == (
        missing, positive, negative)
    assert counts.rows == len(values)


# -- the memory engine's counts ---------------------------------------------------------------

HAZARDS = [0.0, -0.0, None, math.nan, math.inf, -math.inf, 1.5, 1.5, -7.25, math.inf, 3.0]


@pytest.mark.parametrize("frame", ["arrow", "pandas"])
def test_floats_counted_apart_from_nan_and_infinities(frame: str) -> None:
    table = pa.table({"x": pa.array(HAZARDS, pa.float64())})
    counts = column_counts(table if frame == "arrow" else table.to_pandas(), "x", False)
    assert_numbers(counts, HAZARDS, pa.float64())
    assert (counts.missing, counts.positive_infinite, counts.negative_infinite) == (2, 2, 1)


@pytest.mark.parametrize("order", [[0.0, -0.0, 2.0], [-0.0, 0.0, 2.0], [-0.0, -0.0, 2.0]])
def test_negative_zero_is_zero_whatever_the_row_order(order: list[float]) -> None:
    counts = column_counts(pa.table({"x": order}), "x", False)
    assert counts.values.to_pylist() == [0.0, 2.0]
    assert counts.counts.tolist() == [2, 1]
    assert not np.signbit(counts.values.to_numpy()).any()


@pytest.mark.parametrize(("dtype", "kept"), [
    (pa.int8(), pa.int64()), (pa.int16(), pa.int64()), (pa.int32(), pa.int64()),
    (pa.int64(), pa.int64()), (pa.uint8(), pa.uint64()), (pa.uint32(), pa.uint64()),
    (pa.uint64(), pa.uint64()), (pa.float32(), pa.float64()), (pa.float64(), pa.float64())])
@pytest.mark.parametrize("frame", ["arrow", "pandas"])
def test_numbers_of_every_width_kept_as_64_bits(dtype: pa.DataType, kept: pa.DataType,
                                                frame: str) -> None:
    values = [3, 1, 3, 100, 1, 3]
    table = pa.table({"x": pa.array(values, dtype)})
    counts = column_counts(table if frame == "arrow" else table.to_pandas(), "x", False)
    assert_numbers(counts, values, kept)


def test_integers_beyond_float_precision_kept_exactly() -> None:
    values = [2**64 - 1, 2**64 - 2, 2**63, 2**63, 2**53 + 1, 2**53, None]
    counts = column_counts(pa.table({"x": pa.array(values, pa.uint64())}), "x", False)
    assert_numbers(counts, values, pa.uint64())
    signed = [2**63 - 1, 2**63 - 2, -(2**63), 2**53 + 1, 2**53 + 1]
    assert_numbers(column_counts(pa.table({"x": signed}), "x", False), signed, pa.int64())


@pytest.mark.parametrize("frame", ["arrow", "pandas"])
def test_decimals_kept_as_decimals(frame: str) -> None:
    values = [Decimal("1.10"), Decimal("-2.25"), None, Decimal("1.10"), Decimal("0.00")]
    table = pa.table({"x": pa.array(values, pa.decimal128(10, 2))})
    counts = column_counts(table if frame == "arrow" else table.to_pandas(), "x", False)
    assert pa.types.is_decimal(counts.values.type)
    assert_numbers(counts, values, counts.values.type)


@pytest.mark.parametrize("frame", ["arrow", "pandas"])
def test_categories_counted_by_label(frame: str) -> None:
    values = ["b", None, "a", "b", "c", None, "b"]
    table = pa.table({"x": values})
    counts = column_counts(table if frame == "arrow" else table.to_pandas(), "x", False)
    labels, numbers, missing = expected_labels(values)
    assert counts.kind == "categorical"
    assert counts.values.type == pa.string()
    assert (counts.values.to_pylist(), counts.counts.tolist(), counts.missing) == (
        labels, numbers, missing)


def test_numbers_as_categories_label_integral_floats_as_integers() -> None:
    values = [4.0, 4.0, 2.5, math.nan, None, math.inf, -0.0, 0.0]
    counts = column_counts(pa.table({"x": values}), "x", True)
    assert counts.kind == "categorical"
    assert counts.values.to_pylist() == ["0", "2.5", "4", "inf"]
    assert counts.counts.tolist() == [2, 1, 2, 1]
    assert counts.missing == 2


@pytest.mark.parametrize("column", [pa.nulls(4), pa.nulls(4, pa.float64()),
                                    pa.nulls(4, pa.string())])
@pytest.mark.parametrize("as_category", [False, True])
def test_a_column_without_values_is_empty(column: pa.Array, as_category: bool) -> None:
    counts = column_counts(pa.table({"x": column}), "x", as_category)
    assert (counts.kind, len(counts.values), counts.missing, counts.rows) == ("empty", 0, 4, 4)


def test_unsupported_columns_only_as_categories() -> None:
    table = pa.table({"x": pa.array([1, 2], pa.date32())})
    with pytest.raises(ValueError, match="kind unsupported"):
        column_counts(table, "x", False)
    assert column_counts(table, "x", True).values.to_pylist() == ["1970-01-02", "1970-01-03"]


@pytest.mark.parametrize(("values", "value_type"), [
    (pa.array([2.5, -0.0, None, math.nan, 0.0, math.inf, -math.inf, math.nan]), pa.float64()),
    (pa.array([3, None, -1, 2**31 - 1, 0, 7, 8, 9], pa.int32()), pa.int64()),
    (pa.array([Decimal("9.5"), Decimal("-1.0"), None, Decimal("0.0"), Decimal("2.5"),
               Decimal("3.0"), Decimal("4.0"), Decimal("5.0")], pa.decimal128(4, 1)),
     pa.decimal128(2, 1)),
])
def test_counts_per_value_in_any_order_sorted_and_merged(values: pa.Array,
                                                         value_type: pa.DataType) -> None:
    """As an engine's GROUP BY gives them: unordered, with nulls, NaN, ±inf, and -0.0 apart
    from 0.0."""
    counts = pa.array(range(1, len(values) + 1), pa.int64())
    rows = [value for value, count in zip(values.to_pylist(), counts.to_pylist(), strict=True)
            for _ in range(count)]
    assert_numbers(grouped_counts("x", values, counts), rows, value_type)


# -- the column a snapshot gives back ---------------------------------------------------------

def multiset(values: list[Any]) -> Counter[Any]:
    """The values as a multiset: NaN and null are one missing value, -0.0 is 0.0."""
    return Counter(None if is_missing(v) else v for v in values)


NUMBER_COLUMNS = st.one_of(
    st.lists(st.one_of(st.none(), HAZARD_FLOATS), max_size=40).map(
        lambda values: pa.array(values, pa.float64())),
    st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.integers(-3, 3)),
             max_size=40).map(lambda values: pa.array(values, pa.int64())),
    st.lists(st.one_of(st.none(), st.integers(0, 2**64 - 1), st.integers(2**64 - 4, 2**64 - 1)),
             max_size=40).map(lambda values: pa.array(values, pa.uint64())),
    st.lists(st.one_of(st.none(), st.decimals(-1000, 1000, places=2, allow_nan=False)),
             max_size=40).map(lambda values: pa.array(values, pa.decimal128(8, 2))),
    st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", ""])), max_size=40).map(
        lambda values: pa.array(values, pa.string())),
)


@SETTINGS
@given(column=NUMBER_COLUMNS, frame=st.sampled_from(["arrow", "pandas"]))
def test_the_column_given_back_holds_the_same_values(column: pa.Array, frame: str) -> None:
    table = pa.table({"x": column})
    source = table if frame == "arrow" else table.to_pandas()
    counts = column_counts(source, "x", False)
    back = as_column(counts)
    original = (table.column("x").to_pylist() if frame == "arrow"
                else source["x"].tolist())
    assert multiset(back.to_pylist()) == multiset(original)
    if counts.kind != "empty":  # counted again, the same counts
        again = column_counts(pa.table({"x": back}), "x", False)
        assert_equal_counts(again, counts)


# -- every engine's counts equal the memory engine's ------------------------------------------

def assert_equal_counts(ours: FeatureCounts, theirs: FeatureCounts) -> None:
    where = f"{theirs.feature} ({theirs.kind})"
    assert (ours.feature, ours.kind) == (theirs.feature, theirs.kind), where
    assert ours.values.type == theirs.values.type, where
    assert ours.values.to_pylist() == theirs.values.to_pylist(), where
    if pa.types.is_floating(theirs.values.type):  # -0.0 is 0.0 on every engine
        floats = ours.values.to_numpy()
        assert not np.signbit(floats[floats == 0]).any(), where
    assert ours.counts.dtype == np.int64, where
    assert ours.counts.tolist() == theirs.counts.tolist(), where
    assert (ours.missing, ours.positive_infinite, ours.negative_infinite) == (
        theirs.missing, theirs.positive_infinite, theirs.negative_infinite), where


@contextlib.contextmanager
def opened(engine: str, baseline: Any, candidate: Any) -> Iterator[Any]:
    """The engine with both datasets open, as a check opens it."""
    options = resolve_check([Layer("argument", {"baseline": baseline, "candidate": candidate,
                                                "engine": engine})])
    contexts = {role: LoadContext(role=role) for role in ROLES}
    request = registry.OpenRequest(options, {"baseline": baseline, "candidate": candidate},
                                   contexts, None, load)
    with registry.open_check(engine, request) as check:
        yield check.engine


def assert_engine_counts(engine: str, baseline: Any, candidate: Any,
                         memory_inputs: tuple[Any, Any] | None = None,
                         as_category: tuple[bool, ...] = (False, True)) -> int:
    """Every feature's counts on both sides, on ``engine`` and on the memory engine
    (reading ``memory_inputs`` when given), are equal; how many were compared."""
    compared = 0
    with opened("memory", *(memory_inputs or (baseline, candidate))) as memory, \
            opened(engine, baseline, candidate) as other:
        for role, frame in zip(ROLES, (memory.train, memory.prod), strict=True):
            for feature in column_names(frame):
                if memory.kinds(feature)[ROLES.index(role)].kind == "unsupported":
                    continue
                for category in as_category:
                    assert_equal_counts(other.feature_counts(role, feature, category),
                                        memory.feature_counts(role, feature, category))
                    compared += 1
    return compared


def shared(name: str, candidate: str = "candidate.csv") -> tuple[str, str]:
    return str(DATA / name / "baseline.csv"), str(DATA / name / candidate)


#: The JSON Lines log is loaded, then registered with DuckDB.
@pytest.mark.parametrize(("name", "candidate"), [
    *((name, "candidate.csv") for name in DATASETS),
    ("seattle_weather_api_log", "candidate.jsonl")])
def test_duckdb_counts_the_shared_datasets_as_the_memory_engine(name: str, candidate: str
                                                                ) -> None:
    pytest.importorskip("duckdb")
    assert assert_engine_counts("duckdb", *shared(name, candidate)) > 0


def column_of(kind: str, size: int) -> st.SearchStrategy[pa.Array]:
    """A column of one type, with nulls (sometimes nothing but nulls), of ``size`` rows."""
    values: st.SearchStrategy[Any]
    values, dtype = {
        "int64": (st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-3, 3)), pa.int64()),
        "int32": (st.integers(-5, 5), pa.int32()),
        "uint64": (st.one_of(st.integers(0, 2**64 - 1), st.integers(2**64 - 3, 2**64 - 1),
                             st.integers(2**63 - 1, 2**63 + 1)), pa.uint64()),
        "float64": (HAZARD_FLOATS, pa.float64()),
        "float32": (st.one_of(HAZARD_FLOATS, st.floats(-5, 5, width=32)), pa.float32()),
        "decimal": (st.decimals(-100, 100, places=2, allow_nan=False), pa.decimal128(9, 2)),
        "string": (st.sampled_from(["red", "green", "", "blue"]), pa.string()),
        "bool": (st.booleans(), pa.bool_()),
        "nothing": (st.none(), pa.float64()),
    }[kind]
    nulls = st.just(1.0) if kind == "nothing" else st.sampled_from([0.0, 0.2, 1.0])
    return nulls.flatmap(lambda share: st.lists(
        st.none() if share == 1.0 else st.one_of(st.none(), values) if share else values,
        min_size=size, max_size=size).map(lambda column: pa.array(column, dtype)))


COLUMN_KINDS = ("int64", "int32", "uint64", "float64", "float32", "decimal", "string", "bool",
                "nothing")


@st.composite
def table_pairs(draw: st.DrawFn, kinds: tuple[str, ...] = COLUMN_KINDS
                ) -> tuple[pa.Table, pa.Table]:
    """Two tables with a column of each kind, of independent sizes."""
    tables = []
    for _ in ROLES:
        size = draw(st.integers(1, 30))
        tables.append(pa.table({kind: draw(column_of(kind, size)) for kind in kinds}))
    return tables[0], tables[1]


def as_sources(tables: tuple[pa.Table, pa.Table], kind: str, folder: Path
               ) -> tuple[Any, Any]:
    if kind == "arrow":
        return tables
    if kind == "pandas":
        return tables[0].to_pandas(), tables[1].to_pandas()
    paths = []
    for role, table in zip(ROLES, tables, strict=True):
        pq.write_table(table, folder / f"{role}.parquet", row_group_size=8)
        paths.append(str(folder / f"{role}.parquet"))
    return paths[0], paths[1]


@SETTINGS
@given(tables=table_pairs(), kind=st.sampled_from(["arrow", "pandas", "parquet"]))
def test_duckdb_counts_generated_columns_as_the_memory_engine(
        tables: tuple[pa.Table, pa.Table], kind: str) -> None:
    pytest.importorskip("duckdb")
    with tempfile.TemporaryDirectory() as folder:
        sources = as_sources(tables, kind, Path(folder))
        assert assert_engine_counts("duckdb", *sources) == 4 * len(COLUMN_KINDS)


def test_duckdb_counts_pandas_columns_of_every_dtype_as_the_memory_engine() -> None:
    pytest.importorskip("duckdb")
    frame = pd.DataFrame({
        "nullable": pd.array([1, None, 3, 3], dtype="Int64"),
        "small": np.array([7, 7, 255, 0], dtype=np.uint8),
        "colour": pd.Categorical(["red", "blue", "red", None]),
        "plan": pd.array(["free", None, "pro", "pro"], dtype="string"),
        "flag": pd.array([True, None, False, True], dtype="boolean"),
        "price": [Decimal("1.25"), None, Decimal("1.25"), Decimal("-3.50")],
        "infinite": [math.inf, -math.inf, math.inf, math.nan],
    })
    assert assert_engine_counts("duckdb", frame, frame.iloc[::-1]) == 4 * frame.shape[1]


# -- spark --------------------------------------------------------------------------------------

#: Spark has no unsigned integers: a uint64 column only comes from Parquet files.
SPARK_KINDS = tuple(kind for kind in COLUMN_KINDS if kind != "uint64")


@pytest.mark.parametrize("name", DATASETS)
def test_spark_counts_the_shared_datasets_as_the_memory_engine(spark: Any, name: str) -> None:
    assert assert_engine_counts("spark", *shared(name)) > 0


@SPARK_SETTINGS
@given(tables=table_pairs(SPARK_KINDS),
       kind=st.sampled_from(["arrow", "pandas", "parquet", "spark"]),
       as_category=st.booleans())
def test_spark_counts_generated_columns_as_the_memory_engine(
        spark: Any, tables: tuple[pa.Table, pa.Table], kind: str, as_category: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        if kind == "spark":
            frames = spark.createDataFrame(tables[0]), spark.createDataFrame(tables[1])
            compared = assert_engine_counts("spark", *frames, memory_inputs=tables,
                                            as_category=(as_category,))
        else:
            compared = assert_engine_counts("spark", *as_sources(tables, kind, Path(folder)),
                                            as_category=(as_category,))
    assert compared == 2 * len(SPARK_KINDS)


def test_spark_counts_unsigned_parquet_integers_as_the_memory_engine(
        spark: Any, tmp_path: Path) -> None:
    """Spark reads uint64 as a decimal and narrower unsigned integers as wider signed ones;
    the counts keep the type pyarrow gives the files."""
    table = pa.table({
        "huge": pa.array([2**64 - 1, 2**63, None, 2**63, 5], pa.uint64()),
        "wide": pa.array([2**32 - 1, 0, 0, None, 7], pa.uint32()),
        "narrow": pa.array([255, 255, 1, None, None], pa.uint8()),
    })
    pq.write_table(table, tmp_path / "counts.parquet")
    path = str(tmp_path / "counts.parquet")
    assert assert_engine_counts("spark", path, path, as_category=(False,)) == 6
    with opened("spark", path, path) as engine:
        counts = engine.feature_counts("baseline", "huge", False)
    assert counts.values.type == pa.uint64()
    assert counts.values.to_pylist() == [5, 2**63, 2**64 - 1]
