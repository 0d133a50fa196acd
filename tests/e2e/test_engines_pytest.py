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
