"""Integers beyond 2**53 (int64 and uint64) and decimals are tested exactly through
``compare()``, from pandas frames, Arrow tables and Parquet files: never through float64,
which would merge neighbouring values and hide a shift.

Every expected statistic is computed here by scipy on the same values; nothing is copied
from the plugin's own output.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from pytest_drift import compare
from tests.unit.stats_support import TOL, assert_matches_ks

BIG = 2**60


def close_integers(seed: int, offset: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two samples of integers that differ only in their last bits (beyond 2**53), so a
    float64 cast merges them into one or two values and hides the shift."""
    rng = np.random.default_rng(seed)
    left = rng.integers(0, 64, 150).astype(dtype) + dtype(offset)
    right = rng.integers(24, 88, 130).astype(dtype) + dtype(offset)
    # The test is only meaningful if floats would get it wrong.
    as_floats = stats.ks_2samp(left.astype(np.float64), right.astype(np.float64))
    exact = stats.ks_2samp(left, right)
    assert exact.pvalue < 0.05 <= as_floats.pvalue
    return left, right


def test_int64_beyond_float_precision_pandas() -> None:
    left, right = close_integers(1, BIG, np.int64)
    report = compare(pd.DataFrame({"id_like": left}), pd.DataFrame({"id_like": right}))
    assert_matches_ks(report.details["id_like"], left, right)
    assert report.drifted_features == ["id_like"]


def test_int64_beyond_float_precision_parquet(tmp_path: Path) -> None:
    left, right = close_integers(2, BIG, np.int64)
    pq.write_table(pa.table({"n": left}), tmp_path / "baseline.parquet")
    pq.write_table(pa.table({"n": right}), tmp_path / "candidate.parquet")
    report = compare(str(tmp_path / "baseline.parquet"), str(tmp_path / "candidate.parquet"))
    assert_matches_ks(report.details["n"], left, right)


def test_uint64_above_int64_range() -> None:
    left, right = close_integers(3, 2**63 + 2**60, np.uint64)
    assert left.dtype == np.uint64
    report = compare(pd.DataFrame({"u": left}), pd.DataFrame({"u": right}))
    assert_matches_ks(report.details["u"], left, right)


def decimal_samples(step: str, seed: int = 4) -> tuple[list[Decimal], list[Decimal]]:
    rng = np.random.default_rng(seed)
    unit = Decimal(step)
    left = [Decimal(1) + int(k) * unit for k in rng.integers(0, 64, 150)]
    right = [Decimal(1) + int(k) * unit for k in rng.integers(24, 88, 130)]
    return left, right


DECIMAL_CASES = {
    # Values 1.000000000000000000 .. 1.000000000000000087: identical as floats.
    "beyond float precision": "0.000000000000000001",
    # Ordinary prices 1.00 .. 1.87: a decimal column must not lose its fraction either.
    "cents": "0.01",
}


@pytest.mark.parametrize("step", DECIMAL_CASES.values(), ids=DECIMAL_CASES.keys())
@pytest.mark.parametrize("container", ["pyarrow.Table", "parquet", "pandas object"])
def test_decimal128_is_tested_exactly(tmp_path: Path, container: str, step: str) -> None:
    left, right = decimal_samples(step)
    decimal_type = pa.decimal128(38, 18)
    tables = [pa.table({"price": pa.array(v, type=decimal_type)}) for v in (left, right)]
    assert tables[0].schema.field("price").type == decimal_type
    frames: list[Any]
    if container == "pyarrow.Table":
        frames = tables
    elif container == "parquet":
        frames = []
        for role, table in zip(("baseline", "candidate"), tables, strict=True):
            pq.write_table(table, tmp_path / f"{role}.parquet")
            frames.append(str(tmp_path / f"{role}.parquet"))
    else:
        frames = [pd.DataFrame({"price": pd.Series(v, dtype=object)}) for v in (left, right)]
    report = compare(*frames)
    result = report.details["price"]
    # The oracle: scipy on the Decimal objects themselves (exact comparisons) ...
    assert_matches_ks(result, np.array(left, dtype=object), np.array(right, dtype=object))
    # ... which agrees with scipy on exactly scaled integers.
    scaled = [np.array([int(v.scaleb(18)) for v in side], dtype=np.int64)
              for side in (left, right)]
    assert math.isclose(result.statistic, stats.ks_2samp(*scaled).statistic, rel_tol=TOL)
