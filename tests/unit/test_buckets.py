"""The memory engine's reduction of continuous floats in cells (buckets of equal width,
:mod:`pytest_drift.engines.cells`) against scipy: KS statistic, p-value and location,
Wasserstein distance and the decile bins, on random, shifted, tied, offset and
outlier-ridden samples, with cells from one to two hundred values wide."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_drift.engines import memory
from pytest_drift.stats.ks import ks_test
from tests.unit.stats_support import close, decile_counts, quiet

SHAPES = ("normal", "lognormal", "near_ties", "outlier", "offset", "uniform_grid")


def sample(shape: str, n: int, shift: float, rng: np.random.Generator) -> np.ndarray:
    if shape == "normal":
        return rng.normal(shift, 1.0, n)
    if shape == "lognormal":
        return rng.lognormal(3.0 + shift, 1.0, n)
    if shape == "near_ties":  # one decimal plus noise: values crowd a few spots
        return np.round(rng.normal(shift, 1.0, n), 1) + 1e-9 * rng.normal(size=n)
    if shape == "outlier":  # one huge value squeezes everything else into few buckets
        return np.concatenate((rng.normal(shift, 1.0, n - 1), [1e6]))
    if shape == "offset":  # a large offset: differences far below the values' size
        return 1e9 + rng.normal(shift, 1.0, n)
    return rng.integers(0, 50, n) / 7.0 + shift  # repeated values that are not fixed-point


@settings(max_examples=150, deadline=None)
@given(shape=st.sampled_from(SHAPES), n1=st.integers(2, 2500), n2=st.integers(2, 2500),
       shift=st.sampled_from([0.0, 0.01, 0.1, 1.0]), width=st.integers(1, 200),
       seed=st.integers(0, 2**32 - 1))
def test_bucketed_statistics_equal_scipy(shape: str, n1: int, n2: int, shift: float,
                                         width: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    train, prod = sample(shape, n1, 0.0, rng), sample(shape, n2, shift, rng)
    # Small samples in narrow buckets go through what large ones do with the defaults.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memory, "VALUES_PER_CELL", width)
        patch.setattr(memory, "MAX_SORTED_SHARE", 1.0)
        patch.setattr(memory, "MIN_CELLS", 8)
        reduced = memory.by_cells(train, prod)
    assert reduced is not None
    expected = quiet(stats.ks_2samp, train, prod)
    ks = ks_test(reduced.gap)
    assert ks.statistic == expected.statistic
    assert ks.p_value == expected.pvalue
    assert reduced.gap.location == expected.statistic_location
    assert close(reduced.wasserstein, stats.wasserstein_distance(train, prod))
    baseline_counts, candidate_counts = decile_counts(train, prod)
    assert list(reduced.bins.baseline_counts) == baseline_counts.tolist()
    assert list(reduced.bins.candidate_counts) == candidate_counts.tolist()


def test_large_samples_take_the_bucketed_route_and_stay_exact(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    train, prod = rng.normal(0, 1, 300_000), rng.normal(0.004, 1, 200_000)
    calls: list[object] = []
    reduce = memory.by_cells
    monkeypatch.setattr(memory, "by_cells", lambda a, b: calls.append(1) or reduce(a, b))
    statistics = memory.numeric_statistics(train, prod)
    assert calls, "the bucketed route was not taken"
    expected = stats.ks_2samp(train, prod)
    assert ks_test(statistics.gap).statistic == expected.statistic
    assert ks_test(statistics.gap).p_value == expected.pvalue
    assert statistics.gap.location == expected.statistic_location
    assert close(statistics.wasserstein, stats.wasserstein_distance(train, prod))


def test_charts_and_small_samples_are_sorted(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(a: object, b: object) -> None:
        raise AssertionError("bucketed")

    monkeypatch.setattr(memory, "by_cells", refuse)
    rng = np.random.default_rng(12)
    big = rng.normal(size=memory.CELLED_MIN_VALUES)
    assert memory.numeric_statistics(big, big + 0.1, charts=True).chart is not None
    small = rng.normal(size=1000)
    assert memory.numeric_statistics(small, small + 0.1).chart is None


def test_data_that_do_not_spread_fall_back_to_sorting() -> None:
    """Half the values on one spot and the rest spread wide: the buckets to sort would
    hold most values, so bucketing declines."""
    rng = np.random.default_rng(13)
    train = np.concatenate((np.full(50_000, 0.5), rng.normal(0, 1, 50_000)))
    prod = np.concatenate((np.full(50_000, 0.5) + 1e-12, rng.normal(0, 1, 50_000)))
    assert memory.by_cells(train, prod) is None
    statistics = memory.numeric_statistics(train, prod)
    expected = stats.ks_2samp(train, prod)
    assert ks_test(statistics.gap).statistic == expected.statistic
    assert statistics.gap.location == expected.statistic_location
