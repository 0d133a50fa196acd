"""In-memory reduction of features to sufficient statistics, with numpy: a numeric
feature to its step table (:mod:`pytest_drift.engines.steps`) or, for many floats, to
counts per cell (:mod:`pytest_drift.engines.cells`); a categorical one to its table of
counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.engines import steps
from pytest_drift.engines.steps import CHART_POINTS, Bins, Reduction, StepTable
from pytest_drift.stats.ks import KsGap

__all__ = ["CHART_POINTS", "Bins", "CategoryTable", "Reduction", "StepTable",
           "bars_chart", "category_table", "ecdf_chart", "ks_gap",
           "numeric_bins", "numeric_statistics", "step_table", "wasserstein"]

if TYPE_CHECKING:
    import numpy.typing as npt


@dataclass(frozen=True)
class CategoryTable:
    """The 2×K table of category counts over the sorted union of categories."""

    categories: tuple[str, ...]
    baseline_counts: tuple[int, ...]
    candidate_counts: tuple[int, ...]


def _common_type(train: npt.NDArray[Any], prod: npt.NDArray[Any]
                 ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Both samples in the type numpy would give their concatenation, as scipy sees them;
    Decimals (object arrays) compare exactly with anything, so they stay objects."""
    import numpy as np

    if train.dtype == object or prod.dtype == object:
        return train.astype(object), prod.astype(object)
    dtype = np.result_type(train, prod)
    return train.astype(dtype, copy=False), prod.astype(dtype, copy=False)


#: Counting needs one slot per possible value: at most this many, and at most
#: ``COUNT_SLOTS_PER_VALUE`` per value counted, or sorting is cheaper.
MAX_COUNT_SLOTS = 1 << 24
COUNT_SLOTS_PER_VALUE = 2
#: Decimal places tried for floats that are really fixed-point numbers (prices, rates).
MAX_DECIMALS = 4
_PROBE = 1000


def step_table(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> StepTable:
    """The step table of two non-empty samples of finite numbers.

    Integers, and floats that are integers or have at most ``MAX_DECIMALS`` decimal places,
    are counted in one pass when their range is small (``bincount``); anything else is
    sorted once per side and merged.
    """
    train, prod = _common_type(train, prod)
    if train.dtype != object:
        counted = _by_counting(train, prod)
        if counted is not None:
            return counted
    return _by_sorting(train, prod)


def _by_counting(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> StepTable | None:
    import numpy as np

    if train.dtype.kind in "iu":
        return _count_integers(train, prod, scale=None)
    if train.dtype != np.float64:  # values are rebuilt as float64 quotients
        return None
    largest = max(float(np.abs(train).max()), float(np.abs(prod).max()))
    for places in range(MAX_DECIMALS + 1):
        scale = 10.0 ** places
        if largest * scale >= 2.0 ** 52:  # beyond it x * scale is no longer exact
            return None
        if all(_fixed_point(side[:_PROBE], scale) for side in (train, prod)):
            break
    else:
        return None
    if not all(_fixed_point(side, scale) for side in (train, prod)):
        return None
    return _count_integers(np.rint(train * scale).astype(np.int64),
                           np.rint(prod * scale).astype(np.int64), scale=scale)


def _fixed_point(values: npt.NDArray[Any], scale: float) -> bool:
    """Every value is ``k / scale`` for an integer k, exactly, so ``k`` orders the values
    as they are and tells them apart."""
    import numpy as np

    return bool(np.array_equal(np.rint(values * scale) / scale, values))


def _count_integers(train: npt.NDArray[Any], prod: npt.NDArray[Any], scale: float | None
                    ) -> StepTable | None:
    import numpy as np

    low = min(int(train.min()), int(prod.min()))
    high = max(int(train.max()), int(prod.max()))
    slots = high - low + 1
    if slots > min(MAX_COUNT_SLOTS, COUNT_SLOTS_PER_VALUE * (train.size + prod.size) + 1024):
        return None
    # In 64 bits: in a narrow type (int8, int16) the offsets could wrap around.
    wide = np.uint64 if train.dtype.kind == "u" else np.int64
    offset = wide(low)
    baseline_counts = np.bincount((train.astype(wide) - offset).astype(np.intp), minlength=slots)
    candidate_counts = np.bincount((prod.astype(wide) - offset).astype(np.intp), minlength=slots)
    present = np.flatnonzero(baseline_counts + candidate_counts)
    if scale is None:
        values = (present.astype(wide) + offset).astype(train.dtype)
    else:
        values = (present.astype(np.int64) + low) / scale
    return StepTable.from_counts(values, baseline_counts[present], candidate_counts[present])


def _by_sorting(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> StepTable:
    import numpy as np

    return steps.merge_sorted(np.sort(train), np.sort(prod))


#: From this many values (both sides) on, continuous floats are counted in cells
#: (:mod:`pytest_drift.engines.cells`) rather than sorted.
CELLED_MIN_VALUES = 100_000
#: About this many values per cell, and from MIN_CELLS to MAX_CELLS cells.
VALUES_PER_CELL = 8
MIN_CELLS = 1024
MAX_CELLS = 1 << 18
#: Give up (and sort) when the cells to sort hold more than this share of the values.
MAX_SORTED_SHARE = 0.25


def numeric_statistics(train: npt.NDArray[Any], prod: npt.NDArray[Any], *,
                       charts: bool = False) -> Reduction:
    """KS gap, Wasserstein distance, PSI bins and (with ``charts``) the ECDF chart of two
    non-empty samples of finite numbers, by the cheapest exact route: counting, cells
    (:func:`by_cells`) or sorting."""
    train, prod = _common_type(train, prod)
    table = _by_counting(train, prod) if train.dtype != object else None
    if (table is None and not charts and train.dtype.kind == "f"
            and train.size + prod.size >= CELLED_MIN_VALUES):
        reduced = by_cells(train, prod)
        if reduced is not None:
            return reduced
    if table is None:
        table = _by_sorting(train, prod)
    gap = steps.ks_gap(table)
    bins = steps.numeric_bins(table)
    return Reduction(gap, steps.wasserstein(table), _array(bins.edges), None, bins,
                     steps.ecdf_chart(table, gap.location) if charts else None)


def _array(edges: tuple[float, ...]) -> npt.NDArray[Any]:
    import numpy as np

    return np.array(edges, dtype=np.float64)


def by_cells(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> Reduction | None:
    """KS gap, Wasserstein distance and PSI bins of two float samples of finite values from
    cells over their range, equal to those of the full step table; None when the cells do
    not spread the values enough to pay."""
    import numpy as np

    from pytest_drift.engines.cells import CellCounts, Cells, exact_in_int64

    n1, n2 = train.size, prod.size
    if not exact_in_int64(n1, n2):
        return None
    low = min(float(train.min()), float(prod.min()))
    high = max(float(train.max()), float(prod.max()))
    cells = Cells.cut(low, high, n1 + n2, VALUES_PER_CELL, MIN_CELLS, MAX_CELLS)
    if cells is None:
        return None
    baseline_at, candidate_at = cells.of(train), cells.of(prod)
    counts = CellCounts(cells, cells.count_values(train, baseline_at),
                        cells.count_values(prod, candidate_at))
    to_sort = counts.to_sort(charts=False)
    if sum(counts.sorted_values(to_sort)) > MAX_SORTED_SHARE * (n1 + n2):
        return None
    return counts.reduce(np.sort(train[to_sort[baseline_at]]), np.sort(prod[to_sort[candidate_at]]),
                         to_sort, charts=False)


def ks_gap(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> KsGap:
    """Locate the largest ECDF gap of two non-empty samples, the way ``ks_2samp`` does:
    ``location`` equals scipy's ``statistic_location``."""
    return steps.ks_gap(step_table(train, prod))


def wasserstein(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> float:
    """The first Wasserstein distance, as ``scipy.stats.wasserstein_distance``."""
    return steps.wasserstein(step_table(train, prod))


def numeric_bins(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> Bins:
    """Counts of both samples in bins at the baseline's deciles."""
    return steps.numeric_bins(step_table(train, prod))


def ecdf_chart(train: npt.NDArray[Any], prod: npt.NDArray[Any], gap_at: Any) -> dict[str, Any]:
    """Chart data of both ECDFs, the maximum gap at ``gap_at`` exact."""
    return steps.ecdf_chart(step_table(train, prod), gap_at)


def category_table(train: Mapping[str, int], prod: Mapping[str, int]) -> CategoryTable:
    """Align two category → count maps on the sorted union of their categories."""
    categories = tuple(sorted(set(train) | set(prod)))
    return CategoryTable(
        categories,
        tuple(int(train.get(c, 0)) for c in categories),
        tuple(int(prod.get(c, 0)) for c in categories),
    )


def bars_chart(table: CategoryTable, most: int = 30) -> dict[str, Any]:
    """Category shares of both sides, the ``most`` categories with the largest shares."""
    n_baseline, n_candidate = sum(table.baseline_counts), sum(table.candidate_counts)
    rows = sorted(zip(table.categories, table.baseline_counts, table.candidate_counts, strict=True),
                  key=lambda row: -max(row[1] / n_baseline, row[2] / n_candidate))[:most]
    return {
        "kind": "bars",
        "categories": [row[0] for row in rows],
        "train": [row[1] / n_baseline for row in rows],
        "prod": [row[2] / n_candidate for row in rows],
        "others": max(len(table.categories) - most, 0),
    }
