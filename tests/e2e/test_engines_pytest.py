"""The ``engine`` option in a pytest session: a marker's ``engine="duckdb"`` check reports the
``memory`` engine's statistics, ``--drift-engine`` and ``drift_engine`` apply to every check
(the report says where the engine came from), and a bad engine is a usage error."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.e2e.runner import check, run_drift, without_volatile

# Imported here, before any pytester run: an in-process run drops the modules it imported.
duckdb = pytest.importorskip("duckdb")

TRAIN, PROD = "data/train.parquet", "data/prod.parquet"
#: Fields of a check entry that differ between the two engines' checks by design.
BY_DESIGN = ("name", "nodeid", "engine", "option_sources")
TOL = 1e-12

TWO_ENGINES = f"""
    import pytest

    @pytest.mark.drift({TRAIN!r}, {PROD!r}, engine="duckdb")
    def test_on_duckdb():
        pass

    @pytest.mark.drift({TRAIN!r}, {PROD!r}, engine="memory")
    def test_on_memory():
        pass
"""

ONE_CHECK = f"""
    import pytest

    @pytest.mark.drift({TRAIN!r}, {PROD!r})
    def test_check():
        pass
"""


@pytest.fixture
def parquet_project(project: pytest.Pytester) -> pytest.Pytester:
    """``data/train.parquet`` and ``data/prod.parquet``, written by pyarrow in several row
    groups: floats with NaN, NULL and ±inf, ties, integers, strings with missing values;
    one of the five features moves (20%: the gate passes)."""
    rng = np.random.default_rng(41)
    for path, n, shift in ((TRAIN, 900, 0.0), (PROD, 700, 1.0)):
        amount = rng.normal(100.0, 15.0, n)
        amount[rng.choice(n, 40, replace=False)] = np.nan
        amount[rng.choice(n, 5, replace=False)] = np.inf
        nulls = np.zeros(n, dtype=bool)
        nulls[rng.choice(n, 20, replace=False)] = True
        table = pa.table({
            "amount": pa.array(amount, mask=nulls),
            "rooms": pa.array(rng.integers(1, 6, n)),
            "price": pa.array(np.round(rng.gamma(2.0, 10.0, n), 2)),
            "latency": pa.array(rng.exponential(1.0 + shift, n)),
            "plan": pa.array(rng.choice(np.array(["free", "pro", None], dtype=object), n,
                                        p=[0.6, 0.3, 0.1]).tolist()),
        })
        pq.write_table(table, project.path / path, row_group_size=128)
    return project


def assert_same(ours: Any, theirs: Any, path: str = "entry") -> None:
    """Equal field by field and in order, floats to 1e-12."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), path
        assert list(ours) == list(theirs), f"{path}: {list(ours)} != {list(theirs)}"
        for key, value in theirs.items():
            assert_same(ours[key], value, f"{path}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), path
        assert len(ours) == len(theirs), path
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(mine, other, f"{path}[{index}]")
    elif isinstance(theirs, float):
        assert isinstance(ours, float), f"{path}: {ours!r}"
        assert math.isclose(ours, theirs, rel_tol=TOL, abs_tol=TOL), (
            f"{path}: {ours!r} != {theirs!r}")
    else:
        assert type(ours) is type(theirs), f"{path}: {ours!r} != {theirs!r}"
        assert ours == theirs, f"{path}: {ours!r} != {theirs!r}"


def comparable(entry: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = without_volatile(entry)
    return {key: value for key, value in kept.items() if key not in BY_DESIGN}


def test_marker_engines_report_the_same_statistics(parquet_project: pytest.Pytester) -> None:
    parquet_project.makepyfile(test_engines=TWO_ENGINES)
    result, report = run_drift(parquet_project)
    result.assert_outcomes(passed=2)
    duck, memory = check(report, "test_on_duckdb"), check(report, "test_on_memory")
    assert duck["engine"] == "duckdb"
    assert memory["engine"] == "memory"
    assert duck["option_sources"]["engine"] == memory["option_sources"]["engine"] == "marker"
    assert_same(comparable(duck), comparable(memory))
    assert duck["drifted_features"] == ["latency"]
    assert duck["status"] == "NORMAL"
    assert duck["train_samples"] == 900
    amount = duck["details"]["amount"]
    assert amount["train_n"] + amount["train_missing"] + amount["train_infinite"] == 900
    assert amount["prod_n"] + amount["prod_missing"] + amount["prod_infinite"] == 700


@pytest.mark.parametrize("where", ["command line", "ini"])
def test_session_engine_applies_to_every_check(parquet_project: pytest.Pytester,
                                               where: str) -> None:
    parquet_project.makepyfile(test_session=ONE_CHECK)
    args: list[str] = []
    if where == "command line":
        args = ["--drift-engine", "duckdb"]
    else:
        parquet_project.makeini("[pytest]\ndrift_engine = duckdb\n")
    result, report = run_drift(parquet_project, *args)
    result.assert_outcomes(passed=1)
    entry = check(report, "test_check")
    assert entry["engine"] == "duckdb"
    assert entry["option_sources"]["engine"] == where

    parquet_project.makeini("[pytest]\n")
    result, report = run_drift(parquet_project, "--drift-engine", "memory")
    result.assert_outcomes(passed=1)
    on_memory = check(report, "test_check")
    assert on_memory["engine"] == "memory"
    assert_same(comparable(entry), comparable(on_memory))


def test_marker_engine_wins_over_the_command_line(parquet_project: pytest.Pytester) -> None:
    parquet_project.makepyfile(test_engines=TWO_ENGINES)
    result, report = run_drift(parquet_project, "--drift-engine", "memory")
    result.assert_outcomes(passed=2)
    assert check(report, "test_on_duckdb")["engine"] == "duckdb"
    assert check(report, "test_on_duckdb")["option_sources"]["engine"] == "marker"


def test_small_data_stays_in_memory_by_default(parquet_project: pytest.Pytester) -> None:
    parquet_project.makepyfile(test_default=ONE_CHECK)
    result, report = run_drift(parquet_project)
    result.assert_outcomes(passed=1)
    entry = check(report, "test_check")
    assert entry["engine"] == "memory"
    assert entry["option_sources"]["engine"] == "default"


def test_memory_limit_flag(parquet_project: pytest.Pytester) -> None:
    parquet_project.makepyfile(test_limit=ONE_CHECK)
    result, report = run_drift(parquet_project, "--drift-engine", "duckdb",
                               "--drift-duckdb-memory-limit", "512MiB")
    result.assert_outcomes(passed=1)
    entry = check(report, "test_check")
    assert entry["engine"] == "duckdb"
    assert entry["option_sources"]["duckdb_memory_limit"] == "command line"


@pytest.mark.parametrize(("args", "option"), [
    (("--drift-engine", "nope"), "--drift-engine"),
    (("--drift-duckdb-memory-limit", "10MB"), "--drift-duckdb-memory-limit"),
])
def test_bad_session_value_is_a_usage_error(parquet_project: pytest.Pytester,
                                            args: tuple[str, str], option: str) -> None:
    parquet_project.makepyfile(test_any=ONE_CHECK)
    result, report = run_drift(parquet_project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR == 4
    result.stderr.fnmatch_lines([f"ERROR: pytest-datadrift: *={args[1]!r} (from command line "
                                 f"{option}): *"])
    result.stdout.no_fnmatch_line("*collected*")
    assert report is None


# -- the spark engine ---------------------------------------------------------------------------

SPARK_CHECKS = f"""
    from pathlib import Path

    import pytest
    from pyspark.sql import SparkSession

    @pytest.mark.drift("spark:drift_train", "spark:drift_prod")
    def test_tables():
        pass

    def test_frames(drift_check):
        spark = SparkSession.builder.getOrCreate()
        train, prod = (str(Path(path).resolve()) for path in ({TRAIN!r}, {PROD!r}))
        drift_check(spark.read.parquet(train), spark.read.parquet(prod), name="frames",
                    threshold=0)

    @pytest.mark.drift({TRAIN!r}, {PROD!r}, engine="memory")
    def test_on_memory():
        pass
"""


@pytest.fixture
def spark_project(parquet_project: pytest.Pytester, spark: Any) -> pytest.Pytester:
    """The Parquet project, its files also registered as the Spark tables ``drift_train``
    and ``drift_prod``; a first check on the spark engine has imported what it needs (an
    in-process run drops the modules it imports first)."""
    from pytest_drift import compare

    compare(pa.table({"x": [0.5] * 30}), pa.table({"x": [1.5] * 30}), engine="spark")
    for name, path in (("drift_train", TRAIN), ("drift_prod", PROD)):
        spark.read.parquet(str(parquet_project.path / path)).createOrReplaceTempView(name)
    return parquet_project


def statistics(entry: dict[str, Any]) -> dict[str, Any]:
    """A check entry without what names its datasets or depends on its threshold."""
    named = ("baseline", "candidate", "baseline_files", "candidate_files")
    gated = ("threshold", "status", "false_alarm_probability", "notes")
    return {key: value for key, value in comparable(entry).items()
            if key not in named + gated}


def test_spark_tables_and_frames_report_the_memory_engines_statistics(
        spark_project: pytest.Pytester) -> None:
    """Table names in a marker and DataFrames given to ``drift_check`` run on Spark by
    themselves (``auto``); the gate of the second fails on its threshold of 0."""
    spark_project.makepyfile(test_spark=SPARK_CHECKS)
    result, report = run_drift(spark_project)
    result.assert_outcomes(passed=2, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*DriftDetected: Data drift in 20.0% of features (threshold 0.0%): candidate "
        "<pyspark.sql.DataFrame 700×5> vs baseline <pyspark.sql.DataFrame 900×5>",
        "*latency: ks statistic=0.2813 *",
    ])
    memory = check(report, "test_on_memory")
    tables, frames = check(report, "test_tables"), check(report, "frames")
    for entry in (tables, frames):
        assert entry["engine"] == "spark"
        assert entry["option_sources"]["engine"] == "default"
        assert_same(statistics(entry), statistics(memory))
    assert tables["baseline"] == "spark:drift_train"
    assert frames["baseline"] == "<pyspark.sql.DataFrame 900×5>"
    assert tables["status"] == "NORMAL"
    assert frames["status"] == "DRIFT_DETECTED"


def test_session_spark_engine_reads_the_files(spark_project: pytest.Pytester) -> None:
    spark_project.makepyfile(test_session=ONE_CHECK)
    result, report = run_drift(spark_project, "--drift-engine", "spark")
    result.assert_outcomes(passed=1)
    entry = check(report, "test_check")
    assert entry["engine"] == "spark"
    assert entry["option_sources"]["engine"] == "command line"
    assert entry["baseline_files"] == [str(spark_project.path / TRAIN)]
    result, report = run_drift(spark_project, "--drift-engine", "memory")
    assert_same(comparable(entry), comparable(check(report, "test_check")))
