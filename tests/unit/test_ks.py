"""KS: ``ks_gap`` + ``ks_test`` must equal ``scipy.stats.ks_2samp`` (defaults) to 1e-12.

scipy is the oracle throughout: every expected number here is computed by scipy in the test.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_drift import compare
from pytest_drift.engines.memory import ks_gap
from pytest_drift.stats.ks import ks_test

TOL = 1e-12


def scipy_ks(a: np.ndarray, b: np.ndarray) -> tuple[object, tuple[str, ...]]:
    """``ks_2samp(a, b)`` with its defaults, and the messages of any warning it emits."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = stats.ks_2samp(a, b)
    return result, tuple(str(w.message) for w in caught)


def assert_close(ours: float, theirs: float) -> None:
    assert math.isclose(ours, theirs, rel_tol=TOL, abs_tol=TOL), (ours, theirs)


def assert_p_close(ours: float, theirs: float) -> None:
    """p-values: 1e-12 absolute, and also relatively close when they are tiny."""
    assert_close(ours, theirs)
    assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-300), (ours, theirs)


def check_against_scipy(a: list[float] | np.ndarray, b: list[float] | np.ndarray) -> None:
    train = np.asarray(a, dtype=np.float64)
    prod = np.asarray(b, dtype=np.float64)
    oracle, oracle_warnings = scipy_ks(train, prod)
    gap = ks_gap(train, prod)
    result = ks_test(gap)

    assert gap.n_baseline == train.size
    assert gap.n_candidate == prod.size
    assert_close(result.statistic, float(oracle.statistic))
    assert_p_close(result.p_value, float(oracle.pvalue))
    assert gap.location == float(oracle.statistic_location)
    # The gap itself is the statistic, signed as scipy signs it.
    assert_close(abs(gap.signed_gap), float(oracle.statistic))
    if oracle.statistic > 0:
        assert math.copysign(1, gap.signed_gap) == oracle.statistic_sign
    # scipy's own warnings (e.g. an exact path falling back to asymp) surface as notes.
    assert set(result.notes) == set(oracle_warnings)


finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(finite, min_size=1, max_size=60), st.lists(finite, min_size=1, max_size=60))
def test_random_floats_match_scipy(a: list[float], b: list[float]) -> None:
    check_against_scipy(a, b)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(moderate, min_size=1, max_size=300),
    st.lists(moderate, min_size=1, max_size=300),
    st.floats(min_value=-3, max_value=3),
)
def test_shifted_moderate_floats_match_scipy(a: list[float], b: list[float], shift: float
                                             ) -> None:
    check_against_scipy(a, [x + shift for x in b])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=4).flatmap(
        lambda hi: st.tuples(
            st.lists(st.integers(0, hi), min_size=1, max_size=200),
            st.lists(st.integers(0, hi), min_size=1, max_size=200),
        )
    )
)
@example(([0] * 50 + [1] * 50, [0] * 50 + [1] * 50))
@example(([1] * 30, [0] * 7))
def test_heavy_ties_match_scipy(samples: tuple[list[int], list[int]]) -> None:
    a, b = samples
    check_against_scipy(a, b)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-2, 2).map(float) | moderate, min_size=1, max_size=3),
    st.lists(st.integers(-2, 2).map(float) | moderate, min_size=1, max_size=3),
)
@example([0.0], [0.0])
@example([0.0], [1.0])
@example([1.0, 2.0, 3.0], [-1.0])
def test_tiny_samples_match_scipy(a: list[float], b: list[float]) -> None:
    check_against_scipy(a, b)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=200, max_value=2000),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.floats(min_value=0, max_value=1),
)
def test_unequal_sizes_match_scipy(n_small: int, n_large: int, seed: int, shift: float
                                   ) -> None:
    rng = np.random.default_rng(seed)
    small = rng.normal(shift, 1, n_small).round(1)
    large = rng.normal(0, 1, n_large).round(2)
    check_against_scipy(small, large)
    check_against_scipy(large, small)


@settings(max_examples=6, deadline=None)
@given(
    st.integers(min_value=10_001, max_value=20_000),
    st.integers(min_value=50, max_value=20_000),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.sampled_from([0.0, 0.01, 0.05, 0.3]),
    st.booleans(),
)
@example(10_001, 10_001, 0, 0.0, True)
@example(50, 20_000, 1, 0.05, False)
def test_asymptotic_branch_matches_scipy(n1: int, n2: int, seed: int, shift: float,
                                         rounded: bool) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 1, n1)
    b = rng.normal(shift, 1, n2)
    if rounded:  # ties in a large sample
        a, b = a.round(1), b.round(1)
    assert max(n1, n2) > 10_000
    check_against_scipy(a, b)


@settings(max_examples=100, deadline=None)
@given(st.lists(finite, min_size=1, max_size=200) | st.lists(
    st.integers(0, 3).map(float), min_size=1, max_size=200))
def test_identical_samples_have_no_gap(a: list[float]) -> None:
    check_against_scipy(a, a)
    result = ks_test(ks_gap(np.asarray(a), np.asarray(a)))
    assert result.statistic == 0.0
    assert result.p_value == 1.0


def test_identical_large_samples_have_no_gap() -> None:
    a = np.random.default_rng(7).normal(size=12_000)
    result = ks_test(ks_gap(a, a.copy()))
    assert result.statistic == 0.0
    assert result.p_value == 1.0
    check_against_scipy(a, a)


def test_disjoint_samples_have_full_gap() -> None:
    a = np.arange(30, dtype=np.float64)
    b = a + 100
    result = ks_test(ks_gap(a, b))
    assert result.statistic == 1.0
    check_against_scipy(a, b)
    check_against_scipy(b, a)


# --- through compare() on DataFrames with missing and infinite values ---------------------

value = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def column_with_gaps(draw: st.DrawFn) -> list[float | None]:
    """At least 20 finite numbers, with some NaN, None, +inf and -inf shuffled in."""
    values: list[float | None] = list(draw(st.lists(value, min_size=20, max_size=100)))
    for special in (math.nan, None, math.inf, -math.inf):
        values.extend([special] * draw(st.integers(0, 5)))
    draw(st.randoms(use_true_random=False)).shuffle(values)
    return values


def _finite(values: list[float | None]) -> np.ndarray:
    return np.array([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)


def _count_missing(values: list[float | None]) -> int:
    return sum(v is None or math.isnan(v) for v in values)


def _count_infinite(values: list[float | None]) -> int:
    return sum(v is not None and math.isinf(v) for v in values)


@settings(max_examples=120, deadline=None)
@given(
    column_with_gaps(),
    column_with_gaps(),
    st.booleans(),
)
def test_compare_drops_missing_and_infinite_values(
    train: list[float | None], prod: list[float | None], nullable: bool
) -> None:
    dtype = "Float64" if nullable else "float64"
    left = pd.DataFrame({"x": pd.array(train, dtype="float64").astype(dtype)})
    right = pd.DataFrame({"x": pd.array(prod, dtype="float64").astype(dtype)})
    report = compare(left, right)
    assert list(report.details) == ["x"]
    result = report.details["x"]

    a, b = _finite(train), _finite(prod)
    oracle, _ = scipy_ks(a, b)
    assert result.test == "ks"
    assert result.kind == "numeric"
    assert_close(result.statistic, float(oracle.statistic))
    assert_p_close(result.p_value, float(oracle.pvalue))
    assert result.statistic_location == float(oracle.statistic_location)
    assert result.drift_detected == (float(oracle.pvalue) < 0.05)
    assert (result.baseline_n, result.candidate_n) == (a.size, b.size)
    assert result.baseline_missing == _count_missing(train)
    assert result.candidate_missing == _count_missing(prod)
    assert result.baseline_infinite == _count_infinite(train)
    assert result.candidate_infinite == _count_infinite(prod)
    assert result.baseline_mean == pytest.approx(float(np.mean(a)), rel=1e-12, abs=1e-12)
    assert result.candidate_mean == pytest.approx(float(np.mean(b)), rel=1e-12, abs=1e-12)
    assert report.baseline_rows == len(train)
    assert report.candidate_rows == len(prod)


def test_compare_with_nan_and_inf_example() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 200)
    b = rng.normal(0.4, 1, 150)
    train = a.copy()
    train[[3, 50, 77]] = np.nan
    train[[10, 11]] = np.inf
    prod = b.copy()
    prod[[0]] = -np.inf
    prod[[5, 6, 7, 8]] = np.nan
    result = compare(pd.DataFrame({"x": train}), pd.DataFrame({"x": prod})).details["x"]

    keep_a = np.isfinite(train)
    keep_b = np.isfinite(prod)
    oracle, _ = scipy_ks(train[keep_a], prod[keep_b])
    assert_close(result.statistic, float(oracle.statistic))
    assert_p_close(result.p_value, float(oracle.pvalue))
    assert (result.baseline_missing, result.candidate_missing) == (3, 4)
    assert (result.baseline_infinite, result.candidate_infinite) == (2, 1)
    assert (result.baseline_n, result.candidate_n) == (195, 145)
    # The infinities were excluded, not tested: the means are finite.
    assert math.isfinite(result.baseline_mean)
    assert math.isfinite(result.candidate_mean)
