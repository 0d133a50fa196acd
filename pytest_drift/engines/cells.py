"""Exact statistics of two large samples of floats, mostly without sorting them.

Sorting a million floats takes about 55 ms; counting them into cells takes a few. Values go
into cells of equal width by an order-preserving computation, so every value of cell ``j``
is below every value of cell ``j + 1``. The exact counts per cell bound the ECDF gap inside
each cell: at most ``A[j] * n2 - Bprev[j] * n1`` and at least ``Aprev[j] * n2 - B[j] * n1``
(in units of ``1 / (n1 * n2)``), and it is known exactly at each cell's end. Only the cells
that could hold the largest or smallest gap, where the gap changes sign, the first and the
last, and those holding (or lying between) the baseline's decile ranks or the chart's grid
ranks are sorted; that is a few thousand values instead of millions.

- KS: the extremes are found among the sorted cells' values with their exact cumulative
  counts, with scipy's float arithmetic and tie rules (:func:`steps.ks_gap`).
- Wasserstein: over a cell where the gap keeps one sign, the area between the ECDFs follows
  from the cell's counts and the sum of its values' offsets from the cell's start; the
  sorted cells add their steps one by one.
- The PSI bins: the baseline's order statistics at the decile ranks are in sorted cells;
  counts below an edge are the counts before the first sorted value at or above it.

An engine supplies the counts per cell of its values (:meth:`Cells.count`, over batches
with :meth:`Cells.tally`) and then the values of the chosen cells (:meth:`Cells.select`);
:class:`CellCounts` decides which cells to sort and reduces them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.engines import steps
from pytest_drift.engines.steps import Bins, Reduction, StepTable

if TYPE_CHECKING:
    import numpy.typing as npt


def exact_in_int64(n1: int, n2: int) -> bool:
    """Whether gaps in units of ``1 / (n1 * n2)`` fit in int64 (the cells' bounds need it)."""
    return n1 * n2 < 1 << 62


@dataclass(frozen=True)
class Cells:
    """``count`` cells of equal width from ``low`` on: a value ``v`` falls in cell
    ``floor((v - low) * scale)``, clamped to the first and the last cell. Each step of that
    is monotone in ``v``, so a cell's values are all below the next cell's, and equal values
    (0.0 and -0.0 too) share a cell. Cell ``j`` spans from about ``start(j)`` to
    ``start(j + 1)`` (the first from -inf, the last to inf)."""

    low: float
    scale: float
    count: int

    @classmethod
    def cut(cls, low: float, high: float, values: int, per_cell: int, least: int, most: int
            ) -> Cells | None:
        """About ``per_cell`` of ``values`` values per cell (from ``least`` to ``most``
        cells) over ``[low, high]``; None when that spans no range."""
        import numpy as np

        count = int(min(most, max(least, values // per_cell)))
        scale = count / (high - low) if high > low else 0.0
        if not (np.isfinite(scale) and scale > 0 and np.isfinite(1.0 / scale)
                and np.isfinite(low + count / scale)):
            return None
        return cls(low, scale, count)

    def of(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The cell of each value."""
        import numpy as np

        scaled = values - self.low
        scaled *= self.scale
        np.clip(scaled, 0, self.count - 1, out=scaled)
        return scaled.astype(np.intp)

    def start(self, at: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Where each cell about starts: what its values' offsets are summed from (sums of
        the values themselves would lose the offsets' digits)."""
        return self.low + at / self.scale

    def bounds(self) -> npt.NDArray[Any]:
        """Where every cell about starts, and where the last ends."""
        import numpy as np

        bounds = self.start(np.arange(self.count + 1, dtype=np.float64))
        bounds[[0, -1]] = -np.inf, np.inf
        return bounds

    def count_values(self, values: npt.NDArray[Any], at: npt.NDArray[Any]
                     ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """Per cell, of these values (in cells ``at``): their count and the sum of their
        offsets from the cell's start."""
        import numpy as np

        offset = self.start(at)
        np.subtract(values, offset, out=offset)
        return (np.bincount(at, minlength=self.count),
                np.bincount(at, weights=offset, minlength=self.count))

    def tally(self, batches: Iterable[npt.NDArray[Any]]
              ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """:meth:`count_values` of one side's values, batch by batch."""
        import numpy as np

        counts = np.zeros(self.count, dtype=np.int64)
        offsets = np.zeros(self.count)
        for values in batches:
            batch_counts, batch_offsets = self.count_values(values, self.of(values))
            counts += batch_counts
            offsets += batch_offsets
        return counts, offsets

    def select(self, batches: Iterable[npt.NDArray[Any]], chosen: npt.NDArray[Any]
               ) -> npt.NDArray[Any]:
        """The values of one side that fall in the ``chosen`` cells, sorted."""
        import numpy as np

        kept = [values[chosen[self.of(values)]] for values in batches]
        return np.sort(np.concatenate(kept)) if kept else np.empty(0)


class CellCounts:
    """Both sides counted in the same cells (:meth:`Cells.tally`)."""

    def __init__(self, cells: Cells, train: tuple[Any, Any], prod: tuple[Any, Any]
                 ) -> None:
        import numpy as np

        self.cells = cells
        (self.train, self.baseline_offsets), (self.prod, self.candidate_offsets) = train, prod
        self.present = (self.train + self.prod) > 0
        self.baseline_to, self.candidate_to = np.cumsum(self.train), np.cumsum(self.prod)
        self.baseline_before = self.baseline_to - self.train
        self.candidate_before = self.candidate_to - self.prod
        self.n1, self.n2 = int(self.baseline_to[-1]), int(self.candidate_to[-1])

    def to_sort(self, charts: bool) -> npt.NDArray[Any]:
        """The cells whose values must be sorted: those that can hold the largest or the
        smallest gap or a change of its sign, the first and the last, and those holding
        (or lying between) the order statistics of the deciles and (with ``charts``) the
        chart's grid."""
        import numpy as np

        n1, n2 = self.n1, self.n2
        end_gap = self.baseline_to * n2 - self.candidate_to * n1
        upper = self.baseline_to * n2 - self.candidate_before * n1
        lower = self.baseline_before * n2 - self.candidate_to * n1
        # Float gaps of exact gaps closer than this may compare either way.
        slack = (n1 * n2 >> 49) + 1
        top, bottom = end_gap[self.present].max(), end_gap[self.present].min()
        one_sign = (lower >= 0) | (upper <= 0)
        to_sort = self.present & ((upper >= top - slack) | (lower <= bottom + slack)
                                  | ~one_sign)
        used = np.flatnonzero(self.present)
        to_sort[[used[0], used[-1]]] = True
        spans = [(self.baseline_to, steps.decile_ranks(n1))]
        if charts:
            spans.append((self.baseline_to + self.candidate_to, steps.grid_ranks(n1 + n2)))
        for cumulative, ranks in spans:
            starts = np.searchsorted(cumulative, ranks[0], side="right")
            ends = np.searchsorted(cumulative, ranks[1], side="right")
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                to_sort[start:end + 1] = True
        return to_sort  # type: ignore[no-any-return]

    def sorted_values(self, to_sort: npt.NDArray[Any]) -> tuple[int, int]:
        """How many values of each side the cells ``to_sort`` hold."""
        return int(self.train[to_sort].sum()), int(self.prod[to_sort].sum())

    def reduce(self, train: npt.NDArray[Any], prod: npt.NDArray[Any],
               to_sort: npt.NDArray[Any], charts: bool) -> Reduction:
        """The statistics from the sorted cells' values of both sides (sorted) and the
        other cells' counts: bins included, and the chart's grid with ``charts``."""
        import numpy as np

        local = steps.merge_sorted(train, prod)
        at = self.cells.of(local.values)
        below = []
        sides = ((self.train, self.baseline_before, local.baseline_below),
                 (self.prod, self.candidate_before, local.candidate_below))
        for counts, before, local_below in sides:
            sorted_counts = np.where(to_sort, counts, 0)
            sorted_before = np.cumsum(sorted_counts) - sorted_counts
            below.append(before[at] + local_below - sorted_before[at])
        # Before each run of sorted cells, a step at the end of the cell before it (not
        # sorted): the counts before the run, exact. Such a step never holds an extreme
        # gap, so it is never a location; its value is NaN.
        used = np.flatnonzero(self.present)
        after_other = used[1:][~to_sort[used[:-1]] & to_sort[used[1:]]]
        previous = used[np.searchsorted(used, after_other) - 1]
        merged = np.argsort(np.concatenate((at, previous)), kind="stable")
        table = StepTable(
            np.concatenate((local.values, np.full(previous.size, np.nan)))[merged],
            np.concatenate((below[0], self.baseline_to[previous]))[merged],
            np.concatenate((below[1], self.candidate_to[previous]))[merged])
        gap = steps.ks_gap(table)
        edges = steps.sample_quantiles(table.values, table.baseline_below,
                                       steps.decile_ranks(self.n1))
        grid = None
        if charts:
            pooled = table.baseline_below + table.candidate_below
            grid = steps.chart_grid(steps.sample_quantiles(
                table.values, pooled, steps.grid_ranks(self.n1 + self.n2)), gap.location)
        return Reduction(gap, self._wasserstein(local.values, at, below, to_sort),
                         edges, grid, _bins(table, edges))

    def _wasserstein(self, values: npt.NDArray[Any], at: npt.NDArray[Any],
                     below: list[npt.NDArray[Any]], to_sort: npt.NDArray[Any]) -> float:
        """The area between the ECDFs, cell by cell: a cell not sorted, where the gap keeps
        its sign, from its counts and offsets; a sorted one step by step."""
        import numpy as np

        n1, n2 = self.n1, self.n2
        bounds = self.cells.bounds()
        width = np.diff(bounds)
        gap_before = self.baseline_before / n1 - self.candidate_before / n2
        # Where the gap is 0 (before the first value, after the last) the cell may be
        # infinitely wide.
        between = ~self.present & (gap_before != 0)
        parts = [np.abs(gap_before[between]) * width[between]]
        whole = np.flatnonzero(self.present & ~to_sort)
        areas = gap_before[whole] * width[whole]
        for counts, offsets, n, sign in ((self.train, self.baseline_offsets, n1, 1.0),
                                         (self.prod, self.candidate_offsets, n2, -1.0)):
            areas += sign * (counts[whole] * width[whole] - offsets[whole]) / n
        parts.append(np.abs(areas))
        gaps = below[0] / n1 - below[1] / n2
        first = np.ones(values.size, dtype=bool)
        first[1:] = at[1:] != at[:-1]
        last = np.ones(values.size, dtype=bool)
        last[:-1] = first[1:]
        lead_in = gap_before[at[first]]
        parts.append(np.abs(lead_in[lead_in != 0])
                     * (values[first] - bounds[at[first]])[lead_in != 0])
        following = np.empty(values.size)
        following[:-1] = values[1:]
        following[last] = bounds[at[last] + 1]
        steps_ = gaps != 0
        parts.append(np.abs(gaps[steps_]) * (following[steps_] - values[steps_]))
        return float(sum(np.sum(part) for part in parts))


def _bins(table: StepTable, edges: npt.NDArray[Any]) -> Bins:
    """Counts of both sides in the bins at ``edges`` (a value on an edge goes up), from a
    step table exact around every edge: an edge lies between two sorted values with no
    other cell between them, so the values below it are those up to the step before the
    first sorted value at or above it."""
    import numpy as np

    exact = np.flatnonzero(~np.isnan(table.values))
    first_above = exact[np.searchsorted(table.values[exact], edges, side="left")]
    below = [np.concatenate(([0], cumulative))[first_above]
             for cumulative in (table.baseline_below, table.candidate_below)]
    return Bins.from_below(edges, below[0], below[1], table.n_baseline, table.n_candidate)
