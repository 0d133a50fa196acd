"""Regression tests for the defects of the code review, through ``compare()``.

Every expected statistic is computed here by scipy on the same values; nothing is copied
from the plugin's own output.
"""

from __future__ import annotations

import math
import re
import warnings
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
from pytest_drift.errors import DriftInputError, DriftUsageError

TOL = 1e-12
BIG = 2**60


def assert_matches_ks(result: Any, left: Any, right: Any) -> None:
    """A KS result equal to ``ks_2samp(left, right)``: statistic, p-value and location."""
    oracle = stats.ks_2samp(left, right)
    assert result.test == "ks"
    assert math.isclose(result.statistic, float(oracle.statistic), rel_tol=TOL, abs_tol=TOL), (
        result.statistic, oracle.statistic)
    assert math.isclose(result.p_value, float(oracle.pvalue), rel_tol=TOL, abs_tol=TOL), (
        result.p_value, oracle.pvalue)
    assert result.statistic_location == oracle.statistic_location, (
        result.statistic_location, oracle.statistic_location)
    assert result.drift_detected == (oracle.pvalue < 0.05)


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


# -- 1. integers beyond 2**53 and decimals are tested exactly --------------------------------


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


# -- 2. and 5. duplicate column names are an error, not one of the copies ---------------------


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_duplicate_csv_header_names_column_and_role(tmp_path: Path, role: str) -> None:
    clean = write(tmp_path / "clean.csv",
                  "a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(40)))
    twins = write(tmp_path / "twins.csv",
                  "a,b,a\n" + "".join(f"{i},{i % 3},{100 + i}\n" for i in range(40)))
    sides = {"baseline": clean, "candidate": clean, role: twins}
    with pytest.raises(DriftInputError) as caught:
        compare(sides["baseline"], sides["candidate"])
    message = str(caught.value)
    assert "duplicate column names 'a'" in message
    assert message.startswith(f"{role} "), message
    assert "twins.csv" in message


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_duplicate_pandas_labels_name_column_and_role(role: str) -> None:
    rng = np.random.default_rng(5)
    clean = pd.DataFrame({"a": rng.normal(0, 1, 60), "b": rng.normal(0, 1, 60)})
    twins = pd.DataFrame(rng.normal(0, 1, (60, 3)), columns=["a", "b", "a"])
    sides = {"baseline": clean, "candidate": clean, role: twins}
    with pytest.raises(DriftInputError) as caught:
        compare(sides["baseline"], sides["candidate"])
    message = str(caught.value)
    assert "duplicate column names 'a'" in message
    assert message.startswith(f"{role} "), message


def test_integer_column_label_selects_that_column() -> None:
    rng = np.random.default_rng(6)
    train = pd.DataFrame({0: rng.normal(0, 1, 200), 1: rng.normal(0, 1, 200)})
    prod = pd.DataFrame({0: rng.normal(0.4, 1, 200), 1: rng.normal(0, 1, 200)})
    report = compare(train, prod, features=[0])
    assert list(report.details) == ["0"]
    assert_matches_ks(report.details["0"], train[0].to_numpy(), prod[0].to_numpy())


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_int_and_str_labels_of_one_name_are_duplicates(role: str) -> None:
    rng = np.random.default_rng(7)
    clean = pd.DataFrame({"1": rng.normal(0, 1, 60)})
    mixed = pd.DataFrame({1: rng.normal(0, 1, 60), "1": rng.normal(5, 1, 60)})
    sides = {"baseline": clean, "candidate": clean, role: mixed}
    with pytest.raises(DriftInputError) as caught:
        compare(sides["baseline"], sides["candidate"])
    message = str(caught.value)
    assert "duplicate column names '1'" in message
    assert message.startswith(f"{role} "), message


# -- 6. min_samples ---------------------------------------------------------------------------


def sparse_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``x`` has 100 values a side; ``few`` has 10 in the baseline and 100 in the candidate,
    and scipy finds drift in it."""
    rng = np.random.default_rng(8)
    few = np.full(100, np.nan)
    few[:10] = rng.normal(0, 1, 10)
    train = pd.DataFrame({"x": rng.normal(0, 1, 100), "few": few})
    prod = pd.DataFrame({"x": rng.normal(0, 1, 100), "few": rng.normal(3, 1, 100)})
    assert stats.ks_2samp(train["few"].dropna(), prod["few"]).pvalue < 0.05
    return train, prod


def test_min_samples_default_skips_a_sparse_feature() -> None:
    train, prod = sparse_frames()
    report = compare(train, prod)
    assert list(report.details) == ["x"]
    reason = report.skipped_features["few"]
    assert "min_samples=20" in reason
    assert re.search(r"\b10\b", reason), reason
    assert "baseline" in reason
    assert_matches_ks(report.details["x"], train["x"].to_numpy(), prod["x"].to_numpy())


def test_min_samples_argument_lowers_the_guard() -> None:
    train, prod = sparse_frames()
    report = compare(train, prod, min_samples=10)
    assert "few" not in report.skipped_features
    assert_matches_ks(report.details["few"], train["few"].dropna().to_numpy(),
                      prod["few"].to_numpy())
    report = compare(train, prod, min_samples=11)
    assert "min_samples=11" in report.skipped_features["few"]


def test_min_samples_applies_to_categories() -> None:
    train = pd.DataFrame({"x": np.arange(50.0),
                          "colour": ["red", "blue"] * 6 + [None] * 38})
    prod = pd.DataFrame({"x": np.arange(50.0), "colour": ["red", "blue"] * 25})
    report = compare(train, prod)
    reason = report.skipped_features["colour"]
    assert "min_samples=20" in reason
    assert re.search(r"\b12\b", reason), reason


@pytest.mark.parametrize("bad", [0, 2.5, "x", -3])
def test_invalid_min_samples_is_a_usage_error(bad: object) -> None:
    train, prod = sparse_frames()
    assert "x" in compare(train, prod, min_samples=20).details  # a known option
    with pytest.raises(DriftUsageError, match="min_samples") as caught:
        compare(train, prod, min_samples=bad)
    assert caught.value.option == "min_samples"
    message = str(caught.value)
    assert message.startswith(f"min_samples={bad!r} (from argument min_samples): "), message
    assert "number" in message


# -- 7. the threshold boundary is exact -------------------------------------------------------


def test_seven_of_twenty_five_at_threshold_28_is_normal() -> None:
    rng = np.random.default_rng(9)
    train: dict[str, np.ndarray] = {}
    prod: dict[str, np.ndarray] = {}
    for i in range(7):
        train[f"shifted_{i}"] = rng.normal(0, 1, 300)
        prod[f"shifted_{i}"] = rng.normal(2, 1, 300)
    for i in range(18):
        values = rng.normal(0, 1, 300)
        train[f"same_{i}"], prod[f"same_{i}"] = values, values.copy()
    drifted = sorted(name for name in train
                     if stats.ks_2samp(train[name], prod[name]).pvalue < 0.05)
    assert len(drifted) == 7  # scipy's verdict: 7 of 25, exactly 28%
    assert 7 * 100 == 28 * 25
    report = compare(pd.DataFrame(train), pd.DataFrame(prod), threshold=28)
    assert (report.features_tested, sorted(report.drifted_features)) == (25, drifted)
    assert report.status == "NORMAL"
    assert compare(pd.DataFrame(train), pd.DataFrame(prod), threshold=27.9).status == (
        "DRIFT_DETECTED")


# -- 8. categories of integers and Arrow dictionaries -----------------------------------------


def chi2_oracle(left: pd.Series, right: pd.Series) -> Any:
    counts = pd.concat([left.value_counts(), right.value_counts()], axis=1).fillna(0)
    return stats.chi2_contingency(counts.T.to_numpy())


def assert_matches_chi2(result: Any, oracle: Any) -> None:
    assert result.test == "chi2"
    assert math.isclose(result.statistic, float(oracle.statistic), rel_tol=TOL, abs_tol=TOL)
    assert math.isclose(result.p_value, float(oracle.pvalue), rel_tol=TOL, abs_tol=TOL)
    assert result.dof == oracle.dof


def integer_categories() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(10)
    left = rng.choice([1, 2, 3, 4], 400, p=[0.4, 0.3, 0.2, 0.1])
    right = rng.choice([1, 2, 3, 4, 5], 300, p=[0.25, 0.25, 0.25, 0.15, 0.1])
    return left, right


@pytest.mark.parametrize("container", ["pandas Categorical", "parquet", "pyarrow dictionary"])
def test_categorical_integers_use_chi2(tmp_path: Path, container: str) -> None:
    left, right = integer_categories()
    frames = [pd.DataFrame({"grade": pd.Categorical(v)}) for v in (left, right)]
    sides: list[Any] = frames
    if container == "parquet":  # pandas writes the categories as a dictionary<int64> column
        sides = []
        for role, frame in zip(("baseline", "candidate"), frames, strict=True):
            frame.to_parquet(tmp_path / f"{role}.parquet")
            sides.append(str(tmp_path / f"{role}.parquet"))
    elif container == "pyarrow dictionary":
        sides = [pa.table({"grade": pa.array(v).dictionary_encode()}) for v in (left, right)]
        assert pa.types.is_dictionary(sides[0].schema.field("grade").type)
    report = compare(*sides)
    assert report.skipped_features == {}
    assert_matches_chi2(report.details["grade"], chi2_oracle(pd.Series(left),
                                                             pd.Series(right)))


def test_arrow_dictionary_of_strings_in_pandas_is_categorical() -> None:
    rng = np.random.default_rng(11)
    dtype = pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))
    left = rng.choice(["a", "b", "c"], 200, p=[0.5, 0.3, 0.2])
    right = rng.choice(["a", "b", "c", "d"], 150, p=[0.3, 0.3, 0.3, 0.1])
    frames = [pd.DataFrame({"s": pd.Series(pa.array(v).dictionary_encode(), dtype=dtype)})
              for v in (left, right)]
    assert frames[0]["s"].dtype == dtype
    report = compare(*frames)
    assert "s" not in report.skipped_features
    assert_matches_chi2(report.details["s"], chi2_oracle(pd.Series(left), pd.Series(right)))


# -- 9. complex numbers -----------------------------------------------------------------------


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


# -- 12. DataFrame subclasses, and short messages for objects that are no frame ---------------


class MyFrame(pd.DataFrame):
    pass


def test_dataframe_subclass_is_accepted() -> None:
    rng = np.random.default_rng(13)
    train = MyFrame({"x": rng.normal(0, 1, 120)})
    prod = MyFrame({"x": rng.normal(0.5, 1, 120)})
    report = compare(train, prod)
    assert_matches_ks(report.details["x"], train["x"].to_numpy(), prod["x"].to_numpy())


@pytest.mark.parametrize("role", ["baseline", "candidate"])
@pytest.mark.parametrize("thing", [{"x": [1, 2, 3]}, 42, list(range(10_000))],
                         ids=["dict", "int", "long list"])
def test_non_frame_is_a_short_usage_error(role: str, thing: object) -> None:
    frame = pd.DataFrame({"x": np.arange(50.0)})
    sides = {"baseline": frame, "candidate": frame, role: thing}
    with pytest.raises(DriftUsageError) as caught:
        compare(sides["baseline"], sides["candidate"])
    assert caught.value.option == role
    message = str(caught.value)
    assert message.startswith(f"{role}="), message
    assert "pandas.DataFrame" in message
    assert len(message) < 400, message
