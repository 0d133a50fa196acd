"""Every statistic of a numeric feature from its step table, whatever engine counted it.

A *step table* lists the distinct values of the pooled sample in ascending order and how
often each occurs on each side. Both empirical CDFs are step functions that move only at
those values, so the table holds everything the numeric statistics need: the KS gap and its
location, the Wasserstein distance, the baseline's quantiles (for the PSI bins) and the
chart. An engine's only numeric job is to produce the table (``memory`` by counting or
sorting with numpy; a database by ``GROUP BY value``; both, for many floats, by cells:
:mod:`pytest_drift.engines.cells`); the arithmetic below is the same for all of them, and
reproduces scipy's and numpy's own expressions so results stay identical. scipy's rule for
which gap wins and where it lies (:func:`negative_wins`, :func:`_first`), the order
statistics of the deciles and of the chart's grid, the bins and the chart object are
written here once; a reduced feature is a :class:`Reduction`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pytest_drift.stats.ks import KsGap

if TYPE_CHECKING:
    import numpy.typing as npt

#: ECDFs in the HTML report are drawn from at most this many points per feature.
CHART_POINTS = 300


@dataclass(frozen=True)
class StepTable:
    """Distinct values of the pooled sample, ascending, with how many values of each side
    are at or below each of them (the ECDFs times the sample sizes).

    ``values`` is int64, uint64, float64 or an object array of ``Decimal``; every value
    occurs on at least one side.
    """

    values: npt.NDArray[Any]
    baseline_below: npt.NDArray[Any]
    candidate_below: npt.NDArray[Any]

    @classmethod
    def from_counts(cls, values: npt.NDArray[Any], baseline_counts: npt.NDArray[Any],
                    candidate_counts: npt.NDArray[Any]) -> StepTable:
        import numpy as np

        return cls(values, np.cumsum(baseline_counts), np.cumsum(candidate_counts))

    @property
    def n_baseline(self) -> int:
        return int(self.baseline_below[-1])

    @property
    def n_candidate(self) -> int:
        return int(self.candidate_below[-1])

    def in_baseline(self, at: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Whether the baseline has the values at these positions."""
        import numpy as np

        before = np.where(at > 0, self.baseline_below[np.maximum(at - 1, 0)], 0)
        return self.baseline_below[at] > before  # type: ignore[no-any-return]


def merge_sorted(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> StepTable:
    """The step table of two sorted samples."""
    import numpy as np

    pooled = np.concatenate((train, prod))
    order = np.argsort(pooled, kind="stable")  # a merge of two sorted runs: linear
    merged = pooled[order]
    del pooled
    last = np.empty(merged.size, dtype=bool)
    np.not_equal(merged[1:], merged[:-1], out=last[:-1])
    last[-1] = True
    ends = np.flatnonzero(last)
    baseline_below = np.cumsum(order < train.size)[ends]
    del order
    return StepTable(merged[ends], baseline_below, ends + 1 - baseline_below)


@dataclass(frozen=True)
class Bins:
    """Counts per bin of both sides, bins cut at the baseline's quantiles."""

    edges: tuple[float, ...]
    baseline_counts: tuple[int, ...]
    candidate_counts: tuple[int, ...]

    @classmethod
    def from_below(cls, edges: npt.NDArray[Any], baseline_below: npt.NDArray[Any],
                   candidate_below: npt.NDArray[Any], n_baseline: int, n_candidate: int) -> Bins:
        """The bins from how many values of each side are ``< edge``, edge by edge."""
        import numpy as np

        counts = []
        for below, n in ((baseline_below, n_baseline), (candidate_below, n_candidate)):
            bounds = np.concatenate(([0], below, [n]))
            counts.append(tuple(int(c) for c in np.diff(bounds)))
        return cls(tuple(float(e) for e in edges), counts[0], counts[1])


@dataclass(frozen=True)
class Reduction:
    """A numeric feature's statistics as an engine's reduction finds them: the KS gap, the
    Wasserstein distance, the baseline's decile edges and (with charts) the chart's grid;
    the bins and the chart when the reduction could count them itself (else the engine
    counts both sides at ``edges`` and ``grid``)."""

    gap: KsGap
    wasserstein: float
    edges: npt.NDArray[Any]
    grid: npt.NDArray[Any] | None
    bins: Bins | None = None
    chart: dict[str, Any] | None = None


def plain_number(value: Any) -> float | int | Decimal:
    """A numpy scalar as Python's int or float; a Decimal stays exact."""
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, (int, Decimal)) else float(value)


def negative_wins(largest: float, smallest: float) -> bool:
    """Whether the KS statistic is the negative gap: scipy takes the positive one on a
    tie (``ks_2samp`` clips the negative gap to [0, 1] and keeps the positive unless the
    negative is strictly larger). Of the values attaining the winner, scipy's location is
    the smallest the baseline has, else the smallest (:func:`_first`); the DuckDB engine's
    SQL orders its ``arg_min`` keys by that rule."""
    import numpy as np

    return float(np.clip(-smallest, 0.0, 1.0)) > largest


def _first(steps: StepTable, attains: npt.NDArray[Any]) -> int:
    """Where ``argmax`` over scipy's pooled array (the sorted baseline, then the sorted
    candidate) first meets a step that attains the extreme: the smallest such baseline
    value, else the smallest such candidate value."""
    import numpy as np

    positions = np.flatnonzero(attains)
    from_baseline = positions[steps.in_baseline(positions)]
    return int(from_baseline[0] if from_baseline.size else positions[0])


def ks_gap(steps: StepTable) -> KsGap:
    """The largest ECDF gap and its location, as ``scipy.stats.ks_2samp`` finds them.

    scipy evaluates ``searchsorted(sample, pooled, "right") / n`` at every pooled value;
    those are the cumulative counts here, divided the same way, so the gaps are the same
    floats. The positive gap wins a tie, and the location is the first pooled value that
    attains the winning gap.
    """
    n1, n2 = steps.n_baseline, steps.n_candidate
    gaps = steps.baseline_below / n1 - steps.candidate_below / n2
    largest, smallest = gaps.max(), gaps.min()
    at = _first(steps, gaps == (smallest if negative_wins(largest, smallest) else largest))
    return KsGap(n1, n2, int(steps.baseline_below[at]), int(steps.candidate_below[at]),
                 plain_number(steps.values[at]))


def wasserstein(steps: StepTable) -> float:
    """The first Wasserstein distance, as ``scipy.stats.wasserstein_distance`` computes it:
    the area between the two ECDFs, ``sum(|F1 - F2| * diff(values))`` in float64."""
    import numpy as np

    values = steps.values.astype(np.float64)
    if values.size < 2:
        return 0.0
    baseline_cdf = steps.baseline_below[:-1] / steps.n_baseline
    candidate_cdf = steps.candidate_below[:-1] / steps.n_candidate
    return float(np.sum(np.multiply(np.abs(baseline_cdf - candidate_cdf), np.diff(values))))


def _lerp(low: npt.NDArray[Any], high: npt.NDArray[Any], t: npt.NDArray[Any]
          ) -> npt.NDArray[Any]:
    """numpy's interpolation between neighbouring order statistics (``numpy.quantile``'s
    ``_lerp``), which is exact at both ends."""
    import numpy as np

    diff = high - low
    return np.where(t >= 0.5, high - diff * (1 - t), low + diff * t)  # type: ignore[no-any-return]


def quantile_ranks(n: int, probabilities: npt.NDArray[Any]
                   ) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """The two order statistics (0-based ranks) ``numpy.quantile`` (linear method) reads for
    each probability of ``n`` values, and the weight between them."""
    import numpy as np

    virtual = (n - 1) * np.asarray(probabilities, dtype=np.float64)
    previous = np.floor(virtual)
    low_rank = previous.astype(np.int64)
    # At the last value numpy reads it twice with the weight virtual + 1 (its previous index
    # becomes -1), which decides the sign of a zero: -0.0 alone stays -0.0.
    weight = np.where(virtual >= n - 1, virtual + 1, virtual - previous)
    return low_rank, np.minimum(low_rank + 1, n - 1), weight


def interpolate(low: npt.NDArray[Any], high: npt.NDArray[Any], t: npt.NDArray[Any]
                ) -> npt.NDArray[Any]:
    """The quantiles from the order statistics of :func:`quantile_ranks`, in float64."""
    import numpy as np

    return _lerp(np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64), t)


def quantiles(values: npt.NDArray[Any], cumulative: npt.NDArray[Any],
              probabilities: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``numpy.quantile`` (linear method) of the sample with ``cumulative[i]`` values at or
    below ``values[i]``, in float64, without materialising the sample."""
    return _at_ranks(values, cumulative, quantile_ranks(int(cumulative[-1]), probabilities))


def _at_ranks(values: npt.NDArray[Any], cumulative: npt.NDArray[Any],
              ranks: tuple[Any, Any, Any]) -> npt.NDArray[Any]:
    """The quantiles at ``ranks`` (:func:`quantile_ranks`) of the sample with
    ``cumulative[i]`` values at or below ``values[i]``."""
    import numpy as np

    low = values[np.searchsorted(cumulative, ranks[0], side="right")]
    high = values[np.searchsorted(cumulative, ranks[1], side="right")]
    return interpolate(low, high, ranks[2])


def decile_ranks(n: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """:func:`quantile_ranks` of the PSI bins' edges (the deciles) of ``n`` values."""
    import numpy as np

    from pytest_drift.stats.effects import PSI_BINS

    return quantile_ranks(n, np.arange(1, PSI_BINS) / PSI_BINS)  # exact tenths


def grid_ranks(n: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """:func:`quantile_ranks` of the chart's grid (``CHART_POINTS - 1`` quantiles) of
    ``n`` pooled values."""
    import numpy as np

    return quantile_ranks(n, np.linspace(0.0, 1.0, CHART_POINTS - 1))


def edges_at(low: Any, high: Any, ranks: tuple[Any, Any, Any]) -> npt.NDArray[Any]:
    """The distinct quantiles from the order statistics at ``ranks`` (low and high)."""
    import numpy as np

    return np.unique(interpolate(low, high, ranks[2]))


def chart_grid(quantiles_of_pooled: npt.NDArray[Any], gap_at: Any) -> npt.NDArray[Any]:
    """The chart's grid: the pooled sample's quantiles and the location of the gap."""
    import numpy as np

    return np.unique(np.append(quantiles_of_pooled, float(gap_at)))


def sample_quantiles(values: npt.NDArray[Any], cumulative: npt.NDArray[Any],
                     ranks: tuple[Any, Any, Any]) -> npt.NDArray[Any]:
    """The distinct quantiles at ``ranks`` of the sample with ``cumulative[i]`` values at
    or below ``values[i]`` (a step table whose steps at these ranks are exact)."""
    import numpy as np

    return np.unique(_at_ranks(values, cumulative, ranks))


def _counts_below(values: npt.NDArray[Any], cumulative: npt.NDArray[Any],
                  edges: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """How many values of one side are ``< edge``, for each edge."""
    import numpy as np

    steps_below = np.searchsorted(values, edges, side="left")
    padded = np.concatenate(([0], cumulative))
    return padded[steps_below]


def numeric_bins(steps: StepTable) -> Bins:
    """Bins at the baseline's deciles (fewer when values tie); a value equal to an edge
    counts in the upper bin. The edges are ``numpy.quantile`` of the baseline in float64."""
    import numpy as np

    floats = steps.values.astype(np.float64)
    edges = sample_quantiles(floats, steps.baseline_below, decile_ranks(steps.n_baseline))
    return Bins.from_below(edges, _counts_below(floats, steps.baseline_below, edges),
                           _counts_below(floats, steps.candidate_below, edges),
                           steps.n_baseline, steps.n_candidate)


def ecdf(grid: npt.NDArray[Any], baseline_heights: list[float], candidate_heights: list[float],
         gap_at: Any) -> dict[str, Any]:
    """The chart object of both ECDFs, their heights at the points of ``grid``."""
    return {"kind": "ecdf", "x": grid.tolist(), "train": baseline_heights,
            "prod": candidate_heights,
            "gap_at": float(gap_at)}


def ecdf_chart(steps: StepTable, gap_at: Any) -> dict[str, Any]:
    """Both ECDFs on one grid of at most ``CHART_POINTS`` values (quantiles of the pooled
    sample), always including the point of the maximum gap, each height exact there."""
    import numpy as np

    floats = steps.values.astype(np.float64)
    pooled = steps.baseline_below + steps.candidate_below
    grid = chart_grid(sample_quantiles(floats, pooled, grid_ranks(int(pooled[-1]))), gap_at)
    heights = []
    for below in (steps.baseline_below, steps.candidate_below):
        cumulative = np.concatenate(([0], below))
        at_or_below = np.searchsorted(floats, grid, side="right")
        heights.append((cumulative[at_or_below] / cumulative[-1]).tolist())
    return ecdf(grid, heights[0], heights[1], gap_at)
