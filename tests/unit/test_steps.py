"""Step tables, by counting and by sorting, and every statistic computed from them.

The oracles are scipy and numpy on the raw values, or plain Python on exact values (where
numpy would round to float64): never numbers taken from the package's own output. Every
statistic is checked on both tables a sample can have: the one ``_by_sorting`` builds and,
when counting applies, the one ``_by_counting`` builds.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_drift import compare
from pytest_drift.engines import memory, steps
from pytest_drift.engines.steps import StepTable
from pytest_drift.stats.ks import ks_test
from tests.unit.stats_support import close, decile_counts, quiet

TENTHS = np.array([i / 10 for i in range(1, 10)])
#: The grid of the ECDF chart: CHART_POINTS - 1 evenly spaced probabilities.
CHART_GRID = np.linspace(0.0, 1.0, 299)
#: Counting uses a value's position in a bincount; float64 is exact to 2**53.
EXACT = 2**53


# -- oracles ----------------------------------------------------------------------------------

def python_table(train: np.ndarray, prod: np.ndarray) -> tuple[list[Any], list[int], list[int]]:
    """Distinct pooled values, ascending, and how many of each side are at or below each,
    from Python's own (exact) values."""
    left, right = sorted(train.tolist()), sorted(prod.tolist())
    values = sorted(set(left) | set(right))
    return (values, [bisect.bisect_right(left, v) for v in values],
            [bisect.bisect_right(right, v) for v in values])


def python_ks(train: Sequence[Any], prod: Sequence[Any]) -> tuple[float, Any, int, int, int]:
    """scipy's ``ks_2samp`` search, in Python on exact values: ECDF gaps at every value of
    the sorted baseline followed by the sorted candidate, the first argmax and argmin, the
    negative gap winning only when strictly larger. Returns (D, location, sign, baseline
    count at or below it, candidate count at or below it)."""
    left, right = sorted(train), sorted(prod)
    n1, n2 = len(left), len(right)
    pooled = left + right
    below = [(bisect.bisect_right(left, x), bisect.bisect_right(right, x)) for x in pooled]
    gaps = [i / n1 - j / n2 for i, j in below]
    largest, smallest = max(gaps), min(gaps)
    negative = min(max(-smallest, 0.0), 1.0)
    at = gaps.index(smallest) if negative > largest else gaps.index(largest)
    sign = -1 if negative > largest else 1
    return abs(gaps[at]), pooled[at], sign, *below[at]


def common(train: np.ndarray, prod: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both samples in the type ``step_table`` works in."""
    return memory._common_type(train, prod)


def tables(train: np.ndarray, prod: np.ndarray) -> list[StepTable]:
    """The sorted table, and the counted one when counting applies."""
    a, b = common(train, prod)
    found = [memory._by_sorting(a, b)]
    counted = memory._by_counting(a, b) if a.dtype != object else None
    if counted is not None:
        found.append(counted)
    return found


def assert_table(table: StepTable, train: np.ndarray, prod: np.ndarray) -> None:
    """The table is the exact one of the (common-typed) samples."""
    a, b = common(train, prod)
    values, baseline_below, candidate_below = python_table(a, b)
    assert table.values.dtype == a.dtype
    assert table.values.tolist() == values
    assert table.baseline_below.tolist() == baseline_below
    assert table.candidate_below.tolist() == candidate_below
    assert (table.n_baseline, table.n_candidate) == (a.size, b.size)


def assert_same_tables(train: np.ndarray, prod: np.ndarray) -> StepTable | None:
    """Counting (when it applies) and sorting give the same, exact table; ``step_table``
    gives it too. Returns the counted table, or None when counting declined."""
    a, b = common(train, prod)
    counted = memory._by_counting(a, b) if a.dtype != object else None  # as step_table
    sorted_ = memory._by_sorting(a, b)
    assert_table(sorted_, train, prod)
    assert_table(memory.step_table(train, prod), train, prod)
    if counted is not None:
        assert counted.values.dtype == sorted_.values.dtype
        assert counted.values.tolist() == sorted_.values.tolist()
        assert np.array_equal(counted.baseline_below, sorted_.baseline_below)
        assert np.array_equal(counted.candidate_below, sorted_.candidate_below)
    return counted


def check_ks(train: np.ndarray, prod: np.ndarray) -> None:
    """``ks_gap`` on every table of the samples is ``scipy.stats.ks_2samp``'s: the same
    gap (to 1e-12: scipy's exact branch rounds it to a multiple of 1/lcm(n1, n2)), the
    same statistic from ``ks_test`` (exactly), the same location and sign."""
    oracle = quiet(stats.ks_2samp, train, prod)
    found = [steps.ks_gap(table) for table in tables(train, prod)]
    found.append(memory.ks_gap(train, prod))
    for gap in found:
        assert (gap.n_baseline, gap.n_candidate) == (train.size, prod.size)
        assert math.isclose(gap.baseline_below / train.size - gap.candidate_below / prod.size,
                            float(oracle.statistic) * oracle.statistic_sign,
                            rel_tol=1e-12, abs_tol=1e-12), (gap, oracle)
        assert close(abs(gap.signed_gap), float(oracle.statistic))
        assert ks_test(gap).statistic == float(oracle.statistic)
        assert gap.location == oracle.statistic_location, (gap, oracle)
        if oracle.statistic > 0:
            assert math.copysign(1, gap.signed_gap) == oracle.statistic_sign


def ints(values: Sequence[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def floats(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def fixed_point(values: Sequence[float], places: int) -> bool:
    """Every value is the float nearest to a number with ``places`` decimals (Python's
    correctly rounded ``round``, not numpy's)."""
    return all(round(v, places) == v for v in values)


# -- strategies -------------------------------------------------------------------------------

SMALL_INTS = st.lists(st.integers(-20, 20), min_size=1, max_size=80)
WIDE_INTS = st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=80)
#: Heavy ties: at most five distinct values.
TIED_INTS = st.integers(0, 4).flatmap(
    lambda hi: st.lists(st.integers(0, hi), min_size=1, max_size=150))
#: Prices: two decimals, in a narrow band (counted) or a wide one (mostly sorted).
CENTS = st.lists(st.integers(-300, 300).map(lambda c: c / 100), min_size=1, max_size=80) | \
    st.lists(st.integers(1999, 2400).map(lambda c: c / 100), min_size=1, max_size=80) | \
    st.lists(st.integers(-50_000, 50_000).map(lambda c: c / 100), min_size=1, max_size=80)
MODERATE = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


@st.composite
def rounded(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Two samples of floats rounded to the same 0-4 decimal places, around a centre, in a
    band narrow enough to be counted or too wide for it."""
    places = draw(st.integers(0, 4))
    centre = draw(st.sampled_from([0.0, 1.0, 250.0, -7000.0]))
    width = draw(st.sampled_from([10.0**-places, 0.03, 1.0, 100.0, 1e4]))
    values = st.floats(min_value=-1.0, max_value=1.0).map(lambda u: centre + u * width)
    a = floats(draw(st.lists(values, min_size=1, max_size=80)))
    b = floats(draw(st.lists(values, min_size=1, max_size=80)))
    return np.round(a, places), np.round(b, places)


@st.composite
def near(draw: st.DrawFn, low: int, high: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Two samples around one base in [low, high]: a narrow spread (counted) or a wide one
    (sorted), every value within [low, high]."""
    base = draw(st.integers(low, high))
    spread = draw(st.sampled_from([3, 200, 2**40, 2**61]))
    offsets = st.integers(-spread, spread).map(lambda d: min(max(base + d, low), high))
    a = draw(st.lists(offsets, min_size=1, max_size=40))
    b = draw(st.lists(offsets, min_size=1, max_size=40))
    return np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)


# -- counting and sorting give the same, exact table ------------------------------------------

@settings(max_examples=200, deadline=None)
@given(SMALL_INTS | WIDE_INTS | TIED_INTS, SMALL_INTS | WIDE_INTS | TIED_INTS)
@example([0], [0])
@example([-5, -5, 3], [3, 3, -7])
@example([1] * 30, [0] * 7)
def test_integers_counted_as_sorted(a: list[int], b: list[int]) -> None:
    counted = assert_same_tables(ints(a), ints(b))
    span = max(a + b) - min(a + b) + 1
    if span <= 1024:  # always within counting's limits
        assert counted is not None


@settings(max_examples=200, deadline=None)
@given(rounded())
@example((floats([0.1, 0.2, 0.3]), floats([0.3, 0.7])))
@example((floats([-0.0, 0.0, 1.5]), floats([0.0])))
@example((floats([0.0001, -0.0001]), floats([0.0002])))
def test_fixed_point_floats_counted_as_sorted(samples: tuple[np.ndarray, np.ndarray]) -> None:
    a, b = samples
    counted = assert_same_tables(a, b)
    pooled = np.concatenate((a, b)).tolist()
    places = next((k for k in range(5) if fixed_point(pooled, k)), None)
    assert places is not None  # np.round(x, k) has at most k decimals
    # Counted exactly when one slot per possible value fits the limits, else sorted.
    slots = round(max(pooled) * 10**places) - round(min(pooled) * 10**places) + 1
    limit = min(memory.MAX_COUNT_SLOTS, memory.COUNT_SLOTS_PER_VALUE * len(pooled) + 1024)
    assert (counted is not None) == (slots <= limit)


@settings(max_examples=150, deadline=None)
@given(SMALL_INTS | WIDE_INTS, CENTS | st.lists(MODERATE, min_size=1, max_size=60))
@example([1, 2, 3], [1.5, 2.25])
@example([0, 100], [0.01])
def test_mixed_ints_and_floats_counted_as_sorted(a: list[int], b: list[float]) -> None:
    train, prod = ints(a), floats(b)
    assert common(train, prod)[0].dtype == np.float64
    assert_same_tables(train, prod)
    assert_same_tables(prod, train)
    check_ks(train, prod)


@settings(max_examples=150, deadline=None)
@given(st.lists(MODERATE, min_size=1, max_size=60), st.lists(MODERATE, min_size=1, max_size=60))
@example([0.123456], [0.5])
@example([1e-5, 2e-5], [3e-5])
@example([0.1, 1 / 3], [0.5])
def test_floats_with_more_decimals_are_sorted(a: list[float], b: list[float]) -> None:
    counted = assert_same_tables(floats(a), floats(b))
    if not any(fixed_point(a + b, places) for places in range(memory.MAX_DECIMALS + 1)):
        assert counted is None


@pytest.mark.parametrize("value", [1e15 + 0.5, 2.0**52 + 2, 4.5e15, 1e300, -(2.0**60)])
def test_huge_floats_are_sorted(value: float) -> None:
    """Beyond 2**52 a float times 10**k is no longer exact: counting declines."""
    a = floats([value, value, 1.0])
    b = floats([value, 0.5])
    assert memory._by_counting(*common(a, b)) is None
    assert_same_tables(a, b)
    check_ks(a, b)


def test_more_decimals_after_the_probe_are_sorted() -> None:
    """The first thousand values have two decimals; a later one has six."""
    cents = np.arange(1500) / 100
    late = cents.copy()
    late[1200] = 3.141593
    assert memory._by_counting(*common(late, cents)) is None
    assert memory._by_counting(*common(cents, late)) is None
    assert_same_tables(late, cents)
    assert_same_tables(cents, late)
    check_ks(late, cents)


def test_decimals_after_whole_numbers_in_the_probe() -> None:
    """Whole numbers in the probe, cents later: whatever the path, the table is exact."""
    whole = np.arange(2000, dtype=np.float64) % 50
    later = whole.copy()
    later[1500:] += 0.25
    assert_same_tables(later, whole)
    check_ks(later, whole)


# -- the counting limits ----------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.integers(-10**12, 10**12))
def test_range_beyond_slots_per_value_is_sorted(n1: int, n2: int, low: int) -> None:
    limit = min(memory.MAX_COUNT_SLOTS, memory.COUNT_SLOTS_PER_VALUE * (n1 + n2) + 1024)
    rng = np.random.default_rng(n1 * 1000 + n2)
    for span, counts in ((limit, True), (limit + 1, False)):
        a = low + rng.integers(0, span, n1)
        b = low + rng.integers(0, span, n2)
        a[0], b[-1] = low, low + span - 1  # the range is exactly span values
        counted = assert_same_tables(a, b)
        assert (counted is not None) == counts
        check_ks(a, b)


def test_range_beyond_max_count_slots_is_sorted(monkeypatch: pytest.MonkeyPatch) -> None:
    """``MAX_COUNT_SLOTS`` caps counting whatever the sample size (shrunk here, so the test
    does not need millions of values)."""
    monkeypatch.setattr(memory, "MAX_COUNT_SLOTS", 64)
    rng = np.random.default_rng(5)
    for span, counts in ((64, True), (65, False), (5000, False)):
        a = rng.integers(0, span, 2000)
        b = rng.integers(0, span, 1500)
        a[:2] = (0, span - 1)
        counted = assert_same_tables(a, b)
        assert (counted is not None) == counts
        check_ks(a, b)
        cents = a / 100  # the same limit holds for fixed-point floats
        assert (memory._by_counting(*common(cents, b / 100)) is not None) == counts
        assert_same_tables(cents, b / 100)


@settings(max_examples=100, deadline=None)
@given(near(-(2**63), 2**63 - 1, np.int64) | near(2**62 - 2**50, 2**62 + 2**50, np.int64)
       | near(0, 2**64 - 1, np.uint64) | near(2**63, 2**64 - 1, np.uint64))
@example((ints([2**62 + 1, 2**62 + 3, 2**62 + 3]), ints([2**62 + 2, 2**62 + 5])))
@example((ints([2**63 - 1, 2**63 - 2]), ints([2**63 - 1, -(2**63)])))
@example((np.array([2**64 - 1, 2**64 - 2], dtype=np.uint64),
          np.array([2**64 - 1, 2**53 + 1], dtype=np.uint64)))
@example((ints([EXACT + 1, EXACT + 3]), ints([EXACT + 2, EXACT])))
def test_integers_beyond_float_precision_are_exact(samples: tuple[np.ndarray, np.ndarray]
                                                   ) -> None:
    """Above 2**53 neighbouring integers share a float64: the table, the location and the
    counts at it must come from the integers themselves."""
    a, b = samples
    assert_same_tables(a, b)
    expected = python_ks(a.tolist(), b.tolist())
    for table in tables(a, b):
        gap = steps.ks_gap(table)
        assert type(gap.location) is int
        assert (abs(gap.signed_gap), gap.location, gap.baseline_below, gap.candidate_below) == (
            expected[0], expected[1], expected[3], expected[4])
        if expected[0] > 0:
            assert math.copysign(1, gap.signed_gap) == expected[2]


def test_int64_and_uint64_mixed_are_compared_as_scipy_does() -> None:
    """Mixed signed and unsigned 64-bit integers have no common integer type; numpy (and so
    scipy) compares them as float64, and so does the step table."""
    a = ints([2**62 + 1, 2**62 + 3, -5, 7])
    b = np.array([2**63 + 11, 2**62 + 2, 7], dtype=np.uint64)
    assert common(a, b)[0].dtype == np.float64
    assert_same_tables(a, b)
    check_ks(a, b)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-10**30, 10**30), min_size=1, max_size=30),
       st.lists(st.integers(-10**30, 10**30), min_size=1, max_size=30), st.booleans())
@example([1, 2], [3], False)
def test_decimals_are_exact(a: list[int], b: list[int], with_ints: bool) -> None:
    """Decimal columns (object arrays) are sorted, exactly, also beside int64."""
    train = np.array([Decimal(v).scaleb(-20) for v in a], dtype=object)
    prod = (ints([v % 1000 for v in b]) if with_ints
            else np.array([Decimal(v).scaleb(-20) for v in b], dtype=object))
    assert_same_tables(train, prod)
    expected = python_ks(train.tolist(), prod.tolist())
    gap = memory.ks_gap(train, prod)
    assert (abs(gap.signed_gap), gap.location, gap.baseline_below, gap.candidate_below) == (
        expected[0], expected[1], expected[3], expected[4])


# -- KS: the gap and its location are scipy's -------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(SMALL_INTS | WIDE_INTS, SMALL_INTS | WIDE_INTS)
@example([0], [0])
@example([3, 1, 2], [2, 2, 2, 5])
def test_ks_of_integers_is_scipys(a: list[int], b: list[int]) -> None:
    check_ks(ints(a), ints(b))


@settings(max_examples=150, deadline=None)
@given(CENTS, CENTS)
@example([0.1, 0.2], [0.3])
@example([19.99, 19.99, 5.01], [5.01, 0.07])
def test_ks_of_two_decimal_floats_is_scipys(a: list[float], b: list[float]) -> None:
    check_ks(floats(a), floats(b))


@settings(max_examples=150, deadline=None)
@given(rounded())
def test_ks_of_rounded_floats_is_scipys(samples: tuple[np.ndarray, np.ndarray]) -> None:
    check_ks(*samples)


@settings(max_examples=150, deadline=None)
@given(TIED_INTS, TIED_INTS, st.booleans())
@example([0] * 50 + [1] * 50, [0] * 50 + [1] * 50, False)
@example([1] * 30, [0] * 7, True)
@example([0, 1], [1, 0], False)
def test_ks_with_heavy_ties_is_scipys(a: list[int], b: list[int], as_cents: bool) -> None:
    train, prod = ints(a), ints(b)
    if as_cents:
        train, prod = train / 100, prod / 100
    check_ks(train, prod)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-2, 2) | st.integers(-10**9, 10**9), min_size=1, max_size=3),
       st.lists(st.integers(-2, 2) | st.integers(-10**9, 10**9), min_size=1, max_size=3),
       st.sampled_from([1, 100, None]))
@example([0], [0], 1)
@example([0], [1], None)
@example([1, 2, 3], [-1], 100)
def test_ks_of_tiny_samples_is_scipys(a: list[int], b: list[int], divisor: int | None
                                      ) -> None:
    train, prod = ints(a), ints(b)
    if divisor is not None:
        train, prod = train / divisor, prod / divisor
    check_ks(train, prod)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(200, 2000), st.integers(0, 2**32 - 1),
       st.sampled_from(["ints", "cents", "floats"]))
def test_ks_of_unequal_sizes_is_scipys(n_small: int, n_large: int, seed: int, kind: str
                                       ) -> None:
    rng = np.random.default_rng(seed)
    small, large = rng.normal(0.3, 1, n_small) * 100, rng.normal(0, 1, n_large) * 100
    if kind == "ints":
        small, large = small.astype(np.int64), large.astype(np.int64)
    elif kind == "cents":
        small, large = np.round(small, 2), np.round(large, 2)
    check_ks(small, large)
    check_ks(large, small)


# -- quantiles are numpy.quantile of the sample, bit for bit ----------------------------------

@st.composite
def weighted(draw: st.DrawFn, large: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ascending values (ints or floats) and how often each occurs; some values
    may not occur at all (a side of a step table), at least one does."""
    elements = draw(st.sampled_from([
        st.integers(-10**9, 10**9),
        st.integers(-3, 3),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        st.integers(-10**6, 10**6).map(lambda c: c / 100),
    ]))
    values = sorted(draw(st.lists(elements, min_size=1, max_size=8 if large else 40,
                                  unique=True)))
    most = 20_000 if large else draw(st.sampled_from([1, 3, 50]))
    counts = draw(st.lists(st.integers(0, most), min_size=len(values), max_size=len(values)))
    counts[draw(st.integers(0, len(values) - 1))] += 1
    dtype = np.int64 if all(isinstance(v, int) for v in values) else np.float64
    return np.asarray(values, dtype=dtype), np.asarray(counts, dtype=np.int64)


def assert_quantiles(values: np.ndarray, counts: np.ndarray, probabilities: np.ndarray
                     ) -> None:
    ours = steps.quantiles(values, np.cumsum(counts), probabilities)
    expected = np.quantile(np.repeat(values, counts), probabilities)
    assert ours.dtype == expected.dtype == np.float64
    assert ours.tobytes() == expected.tobytes(), (ours, expected)


@settings(max_examples=200, deadline=None)
@given(weighted() | weighted(large=True),
       st.sampled_from([TENTHS, CHART_GRID]) | st.lists(
           st.floats(0, 1), min_size=1, max_size=20).map(np.array))
@example((ints([7]), ints([1])), TENTHS)
@example((ints([7]), ints([1])), CHART_GRID)
@example((floats([-1.5, 2.25]), ints([1, 1])), CHART_GRID)
@example((ints([-3, 0, 5]), ints([0, 2, 0])), CHART_GRID)
@example((floats([0.1, 0.7]), ints([1, 0])), TENTHS)
@example((floats([-0.0]), ints([1])), TENTHS)  # numpy keeps the sign of a lone -0.0
@example((floats([-0.0]), ints([3])), CHART_GRID)
def test_quantiles_are_numpys(sample: tuple[np.ndarray, np.ndarray],
                              probabilities: np.ndarray) -> None:
    assert_quantiles(*sample, probabilities)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 101, 299, 300, 12_345, 200_001])
@pytest.mark.parametrize("kind", ["ints", "floats", "cents"])
def test_quantiles_of_n_values_are_numpys(n: int, kind: str) -> None:
    rng = np.random.default_rng(n)
    raw = rng.normal(0, 1000, n)
    sample = (raw.astype(np.int64) if kind == "ints" else
              np.round(raw, 2) if kind == "cents" else raw)
    values, counts = np.unique(sample, return_counts=True)
    for probabilities in (TENTHS, CHART_GRID):
        assert_quantiles(values, counts, probabilities)


# -- Wasserstein, PSI bins and the chart, from both tables -------------------------------------

SAMPLES = SMALL_INTS | WIDE_INTS | TIED_INTS | CENTS | st.lists(MODERATE, min_size=1,
                                                                  max_size=60)


def as_array(values: list[Any]) -> np.ndarray:
    return ints(values) if all(isinstance(v, int) for v in values) else floats(values)


@settings(max_examples=200, deadline=None)
@given(SAMPLES, SAMPLES)
@example([0], [1])
@example([1, 1, 2], [1, 2, 2, 2])
@example([0.5], [0.5])
def test_wasserstein_is_scipys(a: list[Any], b: list[Any]) -> None:
    train, prod = as_array(a), as_array(b)
    expected = quiet(stats.wasserstein_distance, train, prod)
    found = [steps.wasserstein(table) for table in tables(train, prod)]
    found.append(memory.wasserstein(train, prod))
    for ours in found:
        assert close(ours, float(expected)), (ours, expected)


@settings(max_examples=200, deadline=None)
@given(SAMPLES, SAMPLES)
@example(list(range(21)), [6, 12])
@example([0, 0, 0, 0, 1, 1], [0])
@example([0.1] * 5 + [0.2] * 5, [0.15, 0.2, 0.25])
def test_bins_are_the_baseline_deciles(a: list[Any], b: list[Any]) -> None:
    train, prod = as_array(a), as_array(b)
    baseline_counts, candidate_counts = decile_counts(a, b)
    edges = np.unique(np.quantile(train.astype(np.float64), TENTHS))
    found = [steps.numeric_bins(table) for table in tables(train, prod)]
    found.append(memory.numeric_bins(train, prod))
    for bins in found:
        assert list(bins.baseline_counts) == baseline_counts.tolist()
        assert list(bins.candidate_counts) == candidate_counts.tolist()
        assert list(bins.edges) == edges.tolist()  # a pooled 0.0 may stand for a -0.0


@settings(max_examples=100, deadline=None)
@given(SAMPLES, SAMPLES)
@example(list(range(1000)), list(range(500, 1500)))
def test_chart_is_both_ecdfs_at_pooled_quantiles(a: list[Any], b: list[Any]) -> None:
    train, prod = as_array(a), as_array(b)
    left, right = np.sort(train.astype(np.float64)), np.sort(prod.astype(np.float64))
    pooled = np.concatenate((left, right))
    for table in tables(train, prod):
        gap_at = steps.ks_gap(table).location
        chart = steps.ecdf_chart(table, gap_at)
        grid = np.unique(np.append(np.unique(np.quantile(pooled, CHART_GRID)), float(gap_at)))
        assert chart["x"] == grid.tolist()
        assert len(chart["x"]) <= steps.CHART_POINTS
        assert chart["train"] == (np.searchsorted(left, grid, "right") / left.size).tolist()
        assert chart["prod"] == (np.searchsorted(right, grid, "right") / right.size).tolist()
        assert chart["gap_at"] == float(gap_at)


# -- small integer types ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16])
def test_narrow_integer_types_in_their_range(dtype: type) -> None:
    """Arrow integer columns reach the step table in their own width; values spanning
    less than half the type's range are exact (overflow aside, see below)."""
    info = np.iinfo(dtype)
    low = max(int(info.min), -60)
    a: np.ndarray = np.arange(low, low + 50, dtype=dtype)
    b: np.ndarray = np.array([low + 3, low + 3, low + 40], dtype=dtype)
    assert_same_tables(a, b)
    check_ks(a, b)


@pytest.mark.parametrize(("dtype", "a", "b"), [
    (np.int8, [-100, -50, 0, 127] * 10, [-128, 5, 100] * 10),
    (np.int16, [-20_000, 20_000] * 10_000, [0, 20_000] * 10_000),
])
def test_narrow_signed_types_spanning_more_than_their_maximum(dtype: type, a: list[int],
                                                              b: list[int]) -> None:
    train: np.ndarray = np.array(a, dtype=dtype)
    prod: np.ndarray = np.array(b, dtype=dtype)
    assert_same_tables(train, prod)
    check_ks(train, prod)


def test_arrow_int8_column_through_compare() -> None:
    import pyarrow as pa

    a, b = [-100, -50, 0, 127] * 10, [-128, 5, 100] * 10
    result = compare(pa.table({"x": pa.array(a, pa.int8())}),
                     pa.table({"x": pa.array(b, pa.int8())})).details["x"]
    oracle = quiet(stats.ks_2samp, a, b)
    assert result.statistic == float(oracle.statistic)
    assert result.statistic_location == oracle.statistic_location
