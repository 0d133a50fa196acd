"""Exact statistics of two large samples of continuous numbers without sorting them.

Sorting a million floats takes about 55 ms here; counting them into buckets takes a few.
Values go into ``B`` buckets of equal width over ``[min, max]``, by an order-preserving
computation, so every value of bucket ``j`` is below every value of bucket ``j + 1``. The
exact counts per bucket bound the ECDF gap inside each bucket: at most
``A[j] * n2 - Bprev[j] * n1`` and at least ``Aprev[j] * n2 - B[j] * n1`` (in units of
``1 / (n1 * n2)``), and it is known exactly at each bucket's end. Only the buckets that
could hold the largest or smallest gap, where the gap changes sign, or that hold one of the
baseline's decile ranks are sorted; that is a few thousand values instead of millions.

- KS: the extremes are found among the sorted buckets' values with their exact cumulative
  counts, with scipy's float arithmetic and tie rules (:func:`steps.ks_gap`).
- Wasserstein: over a bucket where the gap keeps one sign, the area between the ECDFs
  follows from the bucket's counts, its smallest value and the sum of its values' offsets
  from it; the sorted buckets add their steps one by one.
- The PSI bins: the baseline's order statistics at the decile ranks are in sorted buckets;
  counts below an edge are the counts before its bucket plus those inside it below it.

When the data do not spread over the buckets (most values tied, or huge outliers), too many
buckets need sorting and :func:`reduce` returns None: the caller sorts instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.engines import steps
from pytest_drift.engines.steps import Bins, StepTable
from pytest_drift.stats.ks import KsGap

if TYPE_CHECKING:
    import numpy.typing as npt

#: About this many values per bucket, and from MIN_BUCKETS to MAX_BUCKETS buckets.
VALUES_PER_BUCKET = 8
MIN_BUCKETS = 1024
MAX_BUCKETS = 1 << 18
#: Give up (and sort) when the buckets to sort hold more than this share of the values.
MAX_SORTED_SHARE = 0.25


@dataclass(frozen=True)
class Reduced:
    """The statistics of a numeric feature that do not need a full step table."""

    gap: KsGap
    wasserstein: float
    bins: Bins


class _Buckets:
    """Both samples' bucket of every value, and the counts per bucket."""

    def __init__(self, train: npt.NDArray[Any], prod: npt.NDArray[Any], low: float,
                 scale: float, count: int) -> None:
        import numpy as np

        self.low, self.scale, self.count = low, scale, count
        self.train, self.prod = train, prod
        self.train_at, self.prod_at = self.of(train), self.of(prod)
        self.train_counts = np.bincount(self.train_at, minlength=count)
        self.prod_counts = np.bincount(self.prod_at, minlength=count)
        self.train_to = np.cumsum(self.train_counts)  # values up to and including bucket j
        self.prod_to = np.cumsum(self.prod_counts)
        self.train_before = self.train_to - self.train_counts
        self.prod_before = self.prod_to - self.prod_counts

    def of(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The bucket of each value: non-decreasing in the value."""
        import numpy as np

        at = ((values - self.low) * self.scale).astype(np.intp)
        np.minimum(at, self.count - 1, out=at)
        return at


def reduce(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> Reduced | None:
    """KS gap, Wasserstein distance and PSI bins of two float64 samples of finite values,
    equal to those of the full step table; None when bucketing does not pay."""
    import numpy as np

    n1, n2 = train.size, prod.size
    if n1 * n2 >= 1 << 62:  # gaps in units of 1 / (n1 * n2) must fit in int64
        return None
    low = min(float(train.min()), float(prod.min()))
    spread = max(float(train.max()), float(prod.max())) - low
    count = int(min(MAX_BUCKETS, max(MIN_BUCKETS, (n1 + n2) // VALUES_PER_BUCKET)))
    if not (np.isfinite(spread) and spread > 0 and np.isfinite(count / spread)):
        return None
    buckets = _Buckets(train, prod, low, count / spread, count)

    present = (buckets.train_counts + buckets.prod_counts) > 0
    end_gap = buckets.train_to * n2 - buckets.prod_to * n1
    upper = buckets.train_to * n2 - buckets.prod_before * n1
    lower = buckets.train_before * n2 - buckets.prod_to * n1
    # Float gaps of exact gaps closer than this may compare either way.
    slack = (n1 * n2 >> 49) + 1
    top, bottom = end_gap[present].max(), end_gap[present].min()
    one_sign = (lower >= 0) | (upper <= 0)
    to_sort = present & ((upper >= top - slack) | (lower <= bottom + slack) | ~one_sign)
    from pytest_drift.stats.effects import PSI_BINS

    low_ranks, high_ranks, _ = steps.quantile_ranks(n1, np.arange(1, PSI_BINS) / PSI_BINS)
    ranks = np.unique(np.concatenate((low_ranks, high_ranks)))
    to_sort[np.searchsorted(buckets.train_to, ranks, side="right")] = True

    sorted_train = train[to_sort[buckets.train_at]]
    sorted_prod = prod[to_sort[buckets.prod_at]]
    if sorted_train.size + sorted_prod.size > MAX_SORTED_SHARE * (n1 + n2):
        return None
    from pytest_drift.engines.memory import merge_sorted

    local = merge_sorted(np.sort(sorted_train), np.sort(sorted_prod))
    exact = _exact_steps(buckets, to_sort, local)
    table = _with_bucket_ends(buckets, to_sort, present, exact)
    return Reduced(steps.ks_gap(table),
                   _wasserstein(buckets, to_sort, present, exact),
                   _bins(buckets, exact, table))


@dataclass(frozen=True)
class _ExactSteps:
    """The sorted buckets' distinct values, their bucket, and exact global counts."""

    values: npt.NDArray[Any]
    bucket: npt.NDArray[Any]
    train_below: npt.NDArray[Any]
    prod_below: npt.NDArray[Any]


def _exact_steps(buckets: _Buckets, to_sort: npt.NDArray[Any], local: StepTable
                 ) -> _ExactSteps:
    """Global cumulative counts of the sorted values: everything before their bucket, plus
    their rank inside it."""
    import numpy as np

    bucket = buckets.of(local.values)
    below = []
    for counts, before, local_below in (
            (buckets.train_counts, buckets.train_before, local.train_below),
            (buckets.prod_counts, buckets.prod_before, local.prod_below)):
        sorted_counts = np.where(to_sort, counts, 0)
        sorted_before = np.cumsum(sorted_counts) - sorted_counts
        below.append(before[bucket] + local_below - sorted_before[bucket])
    return _ExactSteps(local.values, bucket, below[0], below[1])


def _with_bucket_ends(buckets: _Buckets, to_sort: npt.NDArray[Any], present: npt.NDArray[Any],
                      exact: _ExactSteps) -> StepTable:
    """A step table that is exact on the sorted buckets and has one step per other bucket,
    at its end (value NaN: such a step never holds an extreme, so it is never a location)."""
    import numpy as np

    ends = np.flatnonzero(present & ~to_sort)
    order = np.argsort(np.concatenate((exact.bucket, ends)), kind="stable")
    values = np.concatenate((exact.values, np.full(ends.size, np.nan)))[order]
    train_below = np.concatenate((exact.train_below, buckets.train_to[ends]))[order]
    prod_below = np.concatenate((exact.prod_below, buckets.prod_to[ends]))[order]
    return StepTable(values, train_below, prod_below)


def _wasserstein(buckets: _Buckets, to_sort: npt.NDArray[Any], present: npt.NDArray[Any],
                 exact: _ExactSteps) -> float:
    """The area between the ECDFs: bucket by bucket where the gap keeps its sign, step by
    step in the sorted buckets."""
    import numpy as np

    n1, n2 = buckets.train.size, buckets.prod.size
    first = np.full(buckets.count, np.inf)
    np.minimum.at(first, buckets.train_at, buckets.train)
    np.minimum.at(first, buckets.prod_at, buckets.prod)
    used = np.flatnonzero(present)
    # Each bucket's span runs from its smallest value to the next bucket's smallest value
    # (the last one's to the largest value: past it both ECDFs are 1).
    following = np.empty(buckets.count)
    following[used[:-1]] = first[used[1:]]
    following[used[-1]] = max(buckets.train.max(), buckets.prod.max())

    whole = used[~to_sort[used]]
    span = following[whole] - first[whole]
    offsets = []
    for values, at in ((buckets.train, buckets.train_at), (buckets.prod, buckets.prod_at)):
        offsets.append(np.bincount(at, weights=values - first[at],
                                   minlength=buckets.count)[whole])
    gap_before = (buckets.train_before[whole] / n1 - buckets.prod_before[whole] / n2)
    areas = (gap_before * span
             + (buckets.train_counts[whole] * span - offsets[0]) / n1
             - (buckets.prod_counts[whole] * span - offsets[1]) / n2)

    # Sorted buckets: each step's gap times the distance to the next value.
    gaps = exact.train_below / n1 - exact.prod_below / n2
    last_of_bucket = np.ones(exact.values.size, dtype=bool)
    last_of_bucket[:-1] = exact.bucket[1:] != exact.bucket[:-1]
    next_value = np.empty(exact.values.size)
    next_value[:-1] = exact.values[1:]
    next_value[last_of_bucket] = following[exact.bucket[last_of_bucket]]
    stepwise = np.abs(gaps) * (next_value - exact.values)
    return float(np.sum(np.abs(areas)) + np.sum(stepwise))


def _bins(buckets: _Buckets, exact: _ExactSteps, table: StepTable) -> Bins:
    """The PSI bins: edges at the baseline's deciles (all in sorted buckets), counts below
    each edge exact."""
    import numpy as np

    from pytest_drift.stats.effects import PSI_BINS

    edges = np.unique(steps.quantiles(table.values, table.train_below,
                                      np.arange(1, PSI_BINS) / PSI_BINS))
    counts = []
    for side, at, before, below in (
            (buckets.train, buckets.train_at, buckets.train_before, exact.train_below),
            (buckets.prod, buckets.prod_at, buckets.prod_before, exact.prod_below)):
        under = [_count_below(edge, side, at, before, exact, below, buckets) for edge in edges]
        bounds = np.concatenate(([0], under, [side.size]))
        counts.append(tuple(int(c) for c in np.diff(bounds)))
    return Bins(tuple(float(e) for e in edges), counts[0], counts[1])


def _count_below(edge: float, side: npt.NDArray[Any], at: npt.NDArray[Any],
                 before: npt.NDArray[Any], exact: _ExactSteps, below: npt.NDArray[Any],
                 buckets: _Buckets) -> int:
    """How many values of one side are ``< edge``."""
    import numpy as np

    bucket = int(buckets.of(np.array([edge]))[0])
    inside = np.flatnonzero(exact.bucket == bucket)
    if inside.size:  # a sorted bucket: the last exact step below the edge
        under = inside[exact.values[inside] < edge]
        return int(below[under[-1]]) if under.size else int(before[bucket])
    # An edge between two order statistics can fall in a bucket that was not sorted.
    return int(before[bucket]) + int(np.count_nonzero(side[at == bucket] < edge))
