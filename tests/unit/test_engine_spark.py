"""The ``spark`` engine gives the ``memory`` engine's report (statistics, p-values, verdicts,
counts, locations, Wasserstein distances, PSI bins, means, missing and infinite counts,
skipped reasons and chart data, to 1e-12) on the shared datasets, on generated data given as
frames, Arrow tables, Parquet files and Spark DataFrames, with one bucket and with many;
nothing of row size reaches the driver and no plan has a window; ``auto`` picks Spark for
Spark inputs; Spark inputs on other engines, a missing table and a missing pyspark are
errors that say what to do.

Every test runs on one local[2] SparkSession, started once per test session."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pytest_drift import DriftInputError, DriftUsageError, compare
from tests.engine_support import (
    COLOURS,
    Pair,
    against_memory,
    as_inputs,
    frame_pairs,
    typed_frame,
)
from tests.helpers import DATA, DATASETS
from tests.unit.stats_support import cached_min_detectable_ks

pytest.importorskip("pyspark", reason="the spark extra is not installed")
spark_engine = pytest.importorskip("pytest_drift.engines.spark_engine")

INSTALL = "pip install 'pytest-datadrift[spark]'"
#: Examples cost a few Spark jobs each: no shrinking (the failing example is shown whole).
EQUIVALENCE = settings(max_examples=20, deadline=None, derandomize=True,
                       phases=[Phase.explicit, Phase.reuse, Phase.generate],
                       suppress_health_check=[HealthCheck.too_slow,
                                              HealthCheck.data_too_large,
                                              HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _session(spark: Any) -> Iterator[None]:
    with cached_min_detectable_ks():
        yield


@pytest.fixture
def many_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small data cut into many buckets (about 7 values each), so that gaps, ties, ranks
    and Wasserstein pieces cross bucket boundaries."""
    monkeypatch.setattr(spark_engine, "ONE_TASK_VALUES", 0)
    monkeypatch.setattr(spark_engine, "VALUES_PER_BUCKET", 7)
    monkeypatch.setattr(spark_engine, "MIN_VALUES_PER_TASK", 1)


def both_engines(baseline: Any, candidate: Any, charts: bool = False,
                 memory_inputs: tuple[Any, Any] | None = None, **options: Any
                 ) -> tuple[Any, Any]:
    """The spark engine's report and the memory engine's, after checking they agree."""
    return against_memory("spark", baseline, candidate, charts, memory_inputs, **options)


def spark_frame(spark: Any, table: pa.Table) -> Any:
    return spark.createDataFrame(table)


# -- the shared datasets ----------------------------------------------------------------------

@pytest.mark.parametrize("name", DATASETS)
def test_shared_datasets_give_the_memory_engines_report(name: str) -> None:
    folder = DATA / name
    candidate = next(p for p in sorted(folder.glob("candidate.*")))
    spark, memory = both_engines(str(folder / "baseline.csv"), str(candidate))
    assert spark.features_tested > 0
    assert spark.status == memory.status
    assert spark.baseline_files == memory.baseline_files


@pytest.mark.usefixtures("many_buckets")
@pytest.mark.parametrize("name", DATASETS)
def test_shared_datasets_in_many_buckets_give_the_memory_engines_report(name: str) -> None:
    folder = DATA / name
    candidate = next(p for p in sorted(folder.glob("candidate.*")))
    spark, _ = both_engines(str(folder / "baseline.csv"), str(candidate), charts=True)
    assert spark.features_tested > 0


def test_spark_dataframes_give_the_memory_engines_report(spark: Any) -> None:
    folder = DATA / "cars_model_years"
    tables = [pa.csv.read_csv(folder / f"{role}.csv") for role in ("baseline", "candidate")]
    frames = [spark_frame(spark, table) for table in tables]
    report, memory = both_engines(*frames, memory_inputs=(tables[0], tables[1]))
    assert report.baseline == f"<pyspark.sql.DataFrame {tables[0].num_rows}×" \
                              f"{tables[0].num_columns}>"
    assert report.drifted_features == memory.drifted_features


# -- generated data -----------------------------------------------------------------------------

def spark_inputs(spark: Any, pair: Pair) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """The pair as Spark DataFrames, and as the Arrow tables the memory engine reads."""
    with tempfile.TemporaryDirectory() as folder:
        tables = as_inputs(pair, "arrow", Path(folder))
    return (spark_frame(spark, tables[0]), spark_frame(spark, tables[1])), tables


@settings(EQUIVALENCE)
@given(pair=frame_pairs(), kind=st.sampled_from(["frame", "arrow", "parquet", "spark"]),
       buckets=st.sampled_from(["one", "many"]), charts=st.booleans())
def test_generated_data_gives_the_memory_engines_report(
        spark: Any, pair: Pair, kind: str, buckets: str, charts: bool) -> None:
    with contextlib.ExitStack() as stack:
        if buckets == "many":
            patch = stack.enter_context(pytest.MonkeyPatch.context())
            patch.setattr(spark_engine, "ONE_TASK_VALUES", 0)
            patch.setattr(spark_engine, "VALUES_PER_BUCKET", 5)
            patch.setattr(spark_engine, "MIN_VALUES_PER_TASK", 1)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if kind == "spark":
            frames, tables = spark_inputs(spark, pair)
            report, memory = both_engines(*frames, charts=charts, memory_inputs=tables)
        else:
            report, memory = both_engines(*as_inputs(pair, kind, folder), charts=charts)
    assert "all_nan" in report.skipped_features
    assert report.status == memory.status
    assert report.baseline_rows == len(pair.baseline)
    assert report.candidate_rows == len(pair.candidate)


def test_frames_of_every_type_give_the_memory_engines_report() -> None:
    rng = np.random.default_rng(5)

    # Spark has no unsigned integers: the narrow column is int8.
    report, _ = both_engines(typed_frame(rng, 700, 0.0, small=np.int8),
                             typed_frame(rng, 500, 0.5, small=np.int8))
    assert "infinite" in report.skipped_features
    assert {"score", "visits", "price", "ratio"} <= set(report.drifted_features)


def test_repeating_values_are_counted_before_they_move(
        spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Few distinct values in many rows: the rows are counted per value in Spark first, and
    the report is the same."""
    monkeypatch.setattr(spark_engine, "ONE_TASK_VALUES", 0)
    monkeypatch.setattr(spark_engine, "VALUES_PER_BUCKET", 400)
    counted: list[str] = []
    original = spark_engine.PooledValues.count_values

    def count_values(self: Any) -> None:
        counted.append(self.feature)
        original(self)

    monkeypatch.setattr(spark_engine.PooledValues, "count_values", count_values)
    rng = np.random.default_rng(11)
    train = pa.table({"rooms": rng.integers(1, 6, 5000),
                      "rating": rng.integers(0, 11, 5000) / 2})
    prod = pa.table({"rooms": rng.integers(1, 7, 4000),
                     "rating": rng.integers(1, 11, 4000) / 2})
    both_engines(train, prod)
    assert sorted(counted) == ["rating", "rooms"]


# -- nothing of row size reaches the driver -----------------------------------------------------

@dataclass
class Fetches:
    """Every result Spark returned to the driver: its rows, and the plan that made it."""

    rows: list[int] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)


@contextlib.contextmanager
def fetches_recorded(spark: Any) -> Iterator[Fetches]:
    DataFrame = type(spark.range(1))  # the implementation (classic), not the interface

    seen = Fetches()
    with pytest.MonkeyPatch.context() as patch:
        for method in ("collect", "toArrow", "toPandas", "take", "tail", "toLocalIterator"):
            original = getattr(DataFrame, method)

            def fetch(self: Any, *args: Any, _original: Any = original,
                      _method: str = method, **kwargs: Any) -> Any:
                result = _original(self, *args, **kwargs)
                items = list(result) if _method == "toLocalIterator" else result
                seen.rows.append(items.num_rows if hasattr(items, "num_rows")
                                 else len(items))
                seen.plans.append(self._jdf.queryExecution().executedPlan().toString())
                return items

            patch.setattr(DataFrame, method, fetch)
        yield seen


def test_no_row_sized_result_reaches_the_driver(spark: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """100,000 rows a side in about 50 buckets: every result fetched is bounded by the
    buckets, the categories or the sample, and no plan has a window."""
    monkeypatch.setattr(spark_engine, "ONE_TASK_VALUES", 0)
    monkeypatch.setattr(spark_engine, "VALUES_PER_BUCKET", 4_000)
    monkeypatch.setattr(spark_engine, "SAMPLE_VALUES", 200)
    rng = np.random.default_rng(2)
    n = 100_000
    frames = [spark_frame(spark, pa.table({
        "amount": rng.lognormal(3 + shift, 1, n),
        "visits": rng.poisson(4 + shift, n),
        "colour": rng.choice(COLOURS, n),
    })) for shift in (0.0, 0.1)]
    with fetches_recorded(spark) as seen:
        report = compare(*frames)
    assert report.engine == "spark"
    assert report.features_tested == 3
    assert len(seen.rows) >= 8
    bound = 2 * 200  # the sample's limit; buckets (about 50) and categories (4) are fewer
    assert max(seen.rows) <= bound < n / 100, seen.rows
    assert not [plan for plan in seen.plans if "Window" in plan]


def test_the_recorder_sees_a_row_sized_collect(spark: Any) -> None:
    """The check above can fail: a collect of the rows is seen as one."""
    frame = spark.range(5_000)
    with fetches_recorded(spark) as seen:
        frame.collect()
    assert seen.rows == [5_000]


# -- sources, auto and errors -------------------------------------------------------------------

def test_auto_picks_spark_for_spark_inputs(spark: Any) -> None:
    rng = np.random.default_rng(1)
    table = pa.table({"x": rng.normal(0, 1, 300)})
    spark_frame(spark, table).createOrReplaceTempView("drift_baseline_view")
    other = pa.table({"x": rng.normal(0.5, 1, 200)})
    for baseline in (spark_frame(spark, table), "spark:drift_baseline_view"):
        report = compare(baseline, other)
        assert report.engine == "spark"
        assert report.option_sources["engine"] == "default"
        assert report.drifted_features == ["x"]
    assert compare("spark:drift_baseline_view", other).baseline == \
        "spark:drift_baseline_view"


def test_parquet_files_are_read_by_spark(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    paths = []
    for role, shift in (("baseline", 0.0), ("candidate", 0.3)):
        folder = tmp_path / role
        for part in range(3):
            (folder / f"day={part}").mkdir(parents=True)
            pq.write_table(pa.table({"x": rng.normal(shift, 1, 200),
                                     "n": rng.integers(0, 9, 200)}),
                           folder / f"day={part}" / "part.parquet")
        paths.append(str(folder))
    report, _ = both_engines(*paths)
    assert set(report.details) == {"x", "n", "day"}


def test_an_unknown_table_is_an_input_error() -> None:
    with pytest.raises(DriftInputError) as raised:
        compare("spark:no_such_db.no_such_table", "spark:no_such_db.no_such_table")
    message = str(raised.value)
    assert "baseline" in message
    assert "Spark has no table 'no_such_db.no_such_table'" in message
    assert "spark:database.table" in message


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_spark_inputs_on_other_engines_say_which_engine_reads_them(
        spark: Any, engine: str) -> None:
    frame = spark_frame(spark, pa.table({"x": [1.0, 2.0, 3.0]}))
    for source, what in ((frame, "is a pyspark DataFrame"),
                         ("spark:db.table", "'spark:db.table' names a Spark table")):
        with pytest.raises(DriftInputError) as raised:
            compare(source, pa.table({"x": [1.0, 2.0]}), engine=engine)
        message = str(raised.value)
        assert message.startswith(f"baseline (from argument baseline) {what}")
        assert f"not the {engine} engine: use engine='spark'" in message
        assert INSTALL in message


def test_a_delta_table_is_not_read_as_its_parquet_files(tmp_path: Path) -> None:
    """A Delta directory holds the files of every version: the memory engine refuses it,
    and a session without Delta Lake says how to add it."""
    table = tmp_path / "events"
    (table / "_delta_log").mkdir(parents=True)
    pq.write_table(pa.table({"x": [1.0, 2.0]}), table / "part-0.parquet")
    with pytest.raises(DriftInputError) as raised:
        compare(str(table), pa.table({"x": [1.0]}), engine="memory")
    assert "is a Delta table" in str(raised.value)
    assert "only Delta Lake knows which are current" in str(raised.value)
    with pytest.raises(DriftInputError) as raised:
        compare(str(table), pa.table({"x": [1.0]}))
    message = str(raised.value)
    assert "this SparkSession cannot read Delta" in message
    assert "pip install delta-spark" in message


@pytest.mark.parametrize("options", [{"numeric_test": "cvm"}, {"tests": {"x": "cvm"}}])
def test_tests_other_than_ks_need_the_memory_engine(options: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(DriftUsageError) as raised:
        compare(pa.table({"x": rng.normal(0, 1, 50)}), pa.table({"x": rng.normal(0, 1, 50)}),
                engine="spark", **options)
    assert "only ks tests numeric features on the spark engine" in str(raised.value)
    assert raised.value.option == next(iter(options))


def test_missing_pyspark_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(DriftUsageError) as raised:
        compare(pa.table({"x": [1.0]}), pa.table({"x": [1.0]}), engine="spark")
    assert raised.value.option == "engine"
    assert f"the spark engine needs pyspark, which is not installed: {INSTALL}" in str(
        raised.value)


def test_an_old_pyspark_says_which_version_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyspark

    monkeypatch.setattr(pyspark, "__version__", "3.5.1")
    with pytest.raises(DriftUsageError) as raised:
        compare(pa.table({"x": [1.0]}), pa.table({"x": [1.0]}), engine="spark")
    assert "needs pyspark 4.1 or later (installed: 3.5.1)" in str(raised.value)


def test_data_that_changes_between_jobs_is_an_error(spark: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A DataFrame drawn anew by every job (a nondeterministic function) cannot give one
    answer: the engine notices the counts differ and says so."""
    import random

    from pyspark.sql import functions as F

    monkeypatch.setattr(spark_engine, "ONE_TASK_VALUES", 0)
    monkeypatch.setattr(spark_engine, "VALUES_PER_BUCKET", 500)
    with spark_engine.quiet():
        draw = F.udf(lambda _: random.random() if random.random() < 0.5 else None,
                     "double").asNondeterministic()
        unstable = spark.range(4_000).select(draw("id").alias("x"))
    with pytest.raises(DriftInputError) as raised:
        compare(unstable, pa.table({"x": np.linspace(0, 1, 3_000)}))
    message = str(raised.value)
    assert message.startswith("feature 'x': Spark's jobs saw different data")
    assert "the source changed while the check ran" in message


def test_a_failed_spark_job_is_an_input_error_with_sparks_reason(spark: Any) -> None:
    """A source whose rows fail to compute (here: a cast that ANSI mode refuses) fails the
    check with Spark's own first line, the whole trace kept as the cause."""
    from pyspark.sql import functions as F

    broken = spark.range(100).select(F.lit("not a number").cast("int").alias("x"))
    with pytest.raises(DriftInputError) as raised:
        compare(broken, pa.table({"x": list(range(100))}), engine="spark")
    message = str(raised.value)
    assert message.startswith("the spark engine's job failed: ")
    assert "not a number" in message
    assert raised.value.__cause__ is not None


def test_a_source_of_another_type_names_the_types_a_dataset_may_be() -> None:
    with pytest.raises(DriftUsageError) as raised:
        compare({"x": [1.0, 2.0]}, pa.table({"x": [1.0]}))
    assert raised.value.option == "baseline"
    assert str(raised.value).endswith(
        "must be a path (str or os.PathLike), a pandas.DataFrame, a pyarrow.Table or a "
        "pyspark.sql.DataFrame")


def test_parquet_that_spark_cannot_read_is_an_input_error(tmp_path: Path) -> None:
    """Nanosecond timestamps are Parquet that pyarrow reads and Spark refuses: the message
    names the dataset and gives Spark's reason."""
    path = tmp_path / "baseline.parquet"
    stamps = pa.array(np.arange(30).astype("datetime64[ns]"))
    pq.write_table(pa.table({"x": np.arange(30.0), "at": stamps}), path,
                   coerce_timestamps=None, version="2.6")
    with pytest.raises(DriftInputError) as raised:
        compare(str(path), pa.table({"x": np.arange(30.0)}), engine="spark")
    message = str(raised.value)
    assert message.startswith(f"baseline {str(path)!r} (from argument baseline): Spark could "
                              f"not read {str(path)!r}: ")
