"""What the engine equivalence tests share: comparing two reports field by field, running a
check on the ``memory`` engine and on another one, and generated pairs of datasets with every
kind of column (NaN, ±inf, ties, wide and huge integers, booleans, strings, missing values)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import strategies as st

from pytest_drift import DriftReport, compare
from pytest_drift.engines.in_memory import MemoryEngine

#: Fields of a report that differ between the two engines' runs by design.
IGNORED = ("timestamp", "duration_seconds", "engine", "option_sources")
TOL = 1e-12


# -- comparing two reports --------------------------------------------------------------------

def entry(report: DriftReport, charts: bool) -> dict[str, Any]:
    """The report's JSON entry without the fields that differ by design."""
    document = report.to_json(charts=charts)
    for key in IGNORED:
        document.pop(key)
    return document


def assert_same(ours: Any, theirs: Any, path: str = "report") -> None:
    """Equal field by field and in order; floats to 1e-12 (relative or absolute), NaN
    equal to NaN; every other value of the same type and equal."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), f"{path}: {ours!r} is no mapping"
        assert list(ours) == list(theirs), f"{path}: keys {list(ours)} != {list(theirs)}"
        for key, value in theirs.items():
            assert_same(ours[key], value, f"{path}.{key}")
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)), f"{path}: {ours!r} is no sequence"
        assert len(ours) == len(theirs), f"{path}: {len(ours)} items, not {len(theirs)}"
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(mine, other, f"{path}[{index}]")
    elif isinstance(theirs, float):
        assert type(ours) is float, f"{path}: {ours!r} is a {type(ours).__name__}, not float"
        if math.isnan(theirs):
            assert math.isnan(ours), f"{path}: {ours!r}, not NaN"
        else:
            assert math.isclose(ours, theirs, rel_tol=TOL, abs_tol=TOL), (
                f"{path}: {ours!r} != {theirs!r}")
    else:
        assert type(ours) is type(theirs), (
            f"{path}: {ours!r} ({type(ours).__name__}) != {theirs!r} ({type(theirs).__name__})")
        assert ours == theirs, f"{path}: {ours!r} != {theirs!r}"


@dataclass
class Summaries:
    """What each engine's ``summarize`` returned, per feature (the PSI bins are in there,
    not in the report)."""

    by_engine: dict[str, dict[str, Any]] = field(default_factory=dict)


def engine_class(name: str) -> Any:
    if name == "duckdb":
        from pytest_drift.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine
    from pytest_drift.engines.spark_engine import SparkEngine

    return SparkEngine


@contextlib.contextmanager
def recorded(engine: str) -> Iterator[Summaries]:
    """Record every numeric summary of the memory engine and ``engine`` (checks run with
    workers=1)."""
    seen = Summaries()
    with pytest.MonkeyPatch.context() as patch:
        for cls in (MemoryEngine, engine_class(engine)):
            original = cls.summarize

            def summarize(self: Any, feature: str, *args: Any, _original: Any = original,
                          **kwargs: Any) -> Any:
                summary = _original(self, feature, *args, **kwargs)
                seen.by_engine.setdefault(self.name, {})[feature] = summary
                return summary

            patch.setattr(cls, "summarize", summarize)
        yield seen


def assert_same_bins(seen: Summaries, engine: str) -> None:
    memory, other = seen.by_engine.get("memory", {}), seen.by_engine.get(engine, {})
    assert sorted(other) == sorted(memory)
    for feature, theirs in memory.items():
        ours = other[feature]
        if isinstance(theirs, str):
            assert ours == theirs, feature
            continue
        assert_same(list(ours.bins.edges), list(theirs.bins.edges), f"{feature}.bins.edges")
        assert ours.bins.baseline_counts == theirs.bins.baseline_counts, feature
        assert ours.bins.candidate_counts == theirs.bins.candidate_counts, feature
        assert ours.gap == theirs.gap, feature


def against_memory(engine: str, baseline: Any, candidate: Any, charts: bool = False,
                   memory_inputs: tuple[Any, Any] | None = None, **options: Any
                   ) -> tuple[DriftReport, DriftReport]:
    """``engine``'s report and the memory engine's, after checking they agree.
    ``memory_inputs``: the same data in a form the memory engine reads (for Spark
    DataFrames)."""
    with recorded(engine) as seen:
        memory = compare(*(memory_inputs or (baseline, candidate)), engine="memory",
                         workers=1, charts=charts, **options)
        other = compare(baseline, candidate, engine=engine, workers=1, charts=charts,
                        **options)
    assert memory.engine == "memory"
    assert other.engine == engine
    ours, theirs = entry(other, charts), entry(memory, charts)
    if memory_inputs is not None:  # described as the objects they are
        for key in ("baseline", "candidate"):
            ours.pop(key)
            theirs.pop(key)
    assert_same(ours, theirs)
    assert_same_bins(seen, engine)
    return other, memory


SPECIAL = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, 2.5, -7.25])
HAZARD_FLOATS = st.one_of(SPECIAL, st.floats(-10.0, 10.0, width=64),
                          st.integers(-3, 3).map(float))
COLOURS = ["red", "green", "blue", "white"]
FLOAT_COLUMNS = ("hazard", "normal", "stable", "price", "mostly_nan", "all_nan")


@dataclass(frozen=True)
class Pair:
    baseline: pd.DataFrame
    candidate: pd.DataFrame
    #: Rows of the float columns set to NULL (not NaN) in Parquet files, per side.
    nulls: tuple[Any, Any]


def side_frame(rng: np.random.Generator, hazard: list[float], shift: float, missing: float,
               ties: int) -> pd.DataFrame:
    n = len(hazard)

    def with_gaps(values: np.ndarray) -> np.ndarray:
        values = values.astype(np.float64)
        draw = rng.random(n)
        values[draw < missing] = np.nan
        values[(draw >= missing) & (draw < missing + 0.03)] = np.inf
        values[(draw >= missing + 0.03) & (draw < missing + 0.05)] = -np.inf
        return values

    flags = rng.choice(np.array([True, False, None], dtype=object), n, p=[0.5, 0.4, 0.1])
    colours = rng.choice(np.array([*COLOURS, None], dtype=object), n,
                         p=[0.4 - 0.2 * min(shift, 1.0), 0.25, 0.15,
                            0.1 + 0.2 * min(shift, 1.0), 0.1])
    return pd.DataFrame({
        "hazard": np.array(hazard, dtype=np.float64),                 # NaN, ±inf, ±0, ties
        "normal": with_gaps(rng.normal(shift, 1.0, n)),               # shifted
        "stable": with_gaps(rng.normal(0.0, 1.0, n)),                 # not shifted
        "ties": rng.integers(0, ties, n) + int(2 * shift),            # heavy ties, int64
        "price": np.round(rng.gamma(2.0, 10.0 + 5.0 * shift, n), 2),  # 2 decimals
        "account": rng.integers(-10**12, 10**12, n),                  # int64, wide
        "huge": rng.integers(2**62, 2**63 - 1, n, dtype=np.int64),    # beyond 2**53
        "flag": flags,                                                # bools, missing
        "colour": colours,                                            # strings, missing
        "mostly_nan": with_gaps(rng.normal(0.0, 1.0, n)) if missing < 0.5
        else np.where(rng.random(n) < 0.9, np.nan, rng.normal(0.0, 1.0, n)),
        "all_nan": np.full(n, np.nan),                                # skipped: empty
    })


@st.composite
def frame_pairs(draw: st.DrawFn) -> Pair:
    """Two frames of every kind of column, of independent sizes (small ones near
    ``min_samples``, so that some features are skipped)."""
    size = st.one_of(st.integers(15, 25), st.integers(1, 120))
    sizes = draw(size), draw(size)
    hazards = [draw(st.lists(HAZARD_FLOATS, min_size=n, max_size=n)) for n in sizes]
    seed = draw(st.integers(0, 2**32 - 1))
    shift = draw(st.sampled_from([0.0, 0.0, 0.4, 2.0]))
    missing = draw(st.sampled_from([0.0, 0.1, 0.5]))
    ties = draw(st.integers(1, 6))
    rng = np.random.default_rng(seed)
    baseline = side_frame(rng, hazards[0], 0.0, missing, ties)
    candidate = side_frame(rng, hazards[1], shift, missing, ties)
    if draw(st.booleans()):  # a column that is int64 in one dataset, float in the other
        candidate["ties"] = candidate["ties"].astype(np.float64)
    nulls = tuple(rng.random(n) < 0.05 for n in sizes)
    return Pair(baseline, candidate, (nulls[0], nulls[1]))


def arrow_table(frame: pd.DataFrame, nulls: Any) -> pa.Table:
    """The frame as Arrow: floats keep NaN (not made null, as from_pandas would), and rows
    in ``nulls`` are NULL besides."""
    columns = {}
    for name in frame.columns:
        values = frame[name].to_numpy()
        if name in FLOAT_COLUMNS:
            columns[name] = pa.array(values, type=pa.float64(), mask=nulls)
        elif values.dtype == object:
            columns[name] = pa.array(values.tolist(), from_pandas=True)
        else:
            columns[name] = pa.array(values)
    return pa.table(columns)


def finite_first(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a finite first value in each float column: DuckDB's CSV sniffer
    reads a column whose first value is ±inf as text."""
    frame = frame.copy()
    for name in FLOAT_COLUMNS:
        if name != "all_nan" and len(frame) and not np.isfinite(frame.at[0, name]):
            frame.at[0, name] = 0.5
    return frame


def as_inputs(pair: Pair, kind: str, folder: Path) -> tuple[Any, Any]:
    if kind == "frame":
        return pair.baseline, pair.candidate
    tables = [arrow_table(frame, nulls) for frame, nulls in
              ((pair.baseline, pair.nulls[0]), (pair.candidate, pair.nulls[1]))]
    if kind == "arrow":
        return tables[0], tables[1]
    paths = []
    for role, frame, table in zip(("baseline", "candidate"),
                                  (pair.baseline, pair.candidate), tables, strict=True):
        if kind == "parquet":
            path = folder / f"{role}.parquet"
            pq.write_table(table, path, row_group_size=16)  # several row groups
        else:
            path = folder / f"{role}.csv"
            finite_first(frame).to_csv(path, index=False)
        paths.append(str(path))
    return paths[0], paths[1]


def typed_frame(rng: np.random.Generator, n: int, shift: float, small: Any = np.uint8
                ) -> pd.DataFrame:
    """A pandas frame with a column of each dtype a user may hand over: float with NaN and
    inf, int64, nullable Int64, float32, a narrow integer (``small``), categorical,
    string, nullable boolean, Decimal objects, and a column entirely inf."""
    nullable = pd.array(rng.integers(0, 40, n), dtype="Int64")
    nullable[rng.choice(n, 25, replace=False)] = pd.NA
    score = rng.normal(shift, 1, n)
    score[rng.choice(n, 30, replace=False)] = np.nan
    score[rng.choice(n, 5, replace=False)] = np.inf
    return pd.DataFrame({
        "score": score,
        "visits": rng.poisson(3 + 2 * shift, n),
        "age": nullable,
        "ratio": (rng.uniform(0, 1, n) ** (1 + shift)).astype(np.float32),
        "small": rng.integers(0, 100, n).astype(small),
        "colour": pd.Categorical(rng.choice(COLOURS, n)),
        "plan": pd.array(rng.choice(["free", "pro", None], n), dtype="string"),
        "flag": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "price": [Decimal(f"{x:.2f}") for x in rng.gamma(2, 10 + 5 * shift, n)],
        "infinite": np.full(n, np.inf),
    })

