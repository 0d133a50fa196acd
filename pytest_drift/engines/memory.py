"""In-memory reduction of features to sufficient statistics, with numpy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pytest_drift.stats.ks import KsGap

if TYPE_CHECKING:
    import numpy.typing as npt


@dataclass(frozen=True)
class CategoryTable:
    """The 2×K table of category counts over the sorted union of categories."""

    categories: tuple[str, ...]
    train_counts: tuple[int, ...]
    prod_counts: tuple[int, ...]


def _common_type(train: npt.NDArray[Any], prod: npt.NDArray[Any]
                 ) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Both samples in the type numpy would give their concatenation, as scipy sees them;
    Decimals (object arrays) compare exactly with anything, so they stay objects."""
    import numpy as np

    if train.dtype == object or prod.dtype == object:
        return train.astype(object), prod.astype(object)
    dtype = np.result_type(train, prod)
    return train.astype(dtype, copy=False), prod.astype(dtype, copy=False)


def _plain(value: Any) -> float | int | Decimal:
    """A numpy scalar as Python's int or float; a Decimal stays exact."""
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, (int, Decimal)) else float(value)


def ks_gap(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> KsGap:
    """Locate the largest ECDF gap of two non-empty samples, the way ``ks_2samp`` does.

    The ECDFs are evaluated at every value of both samples (baseline first); the larger of
    the positive and negative gaps wins, the positive one on a tie, and the first point that
    attains it is its location, so ``location`` equals scipy's ``statistic_location``.
    """
    import numpy as np

    train, prod = _common_type(train, prod)
    train_sorted = np.sort(train)
    prod_sorted = np.sort(prod)
    n1, n2 = train_sorted.size, prod_sorted.size
    points = np.concatenate([train_sorted, prod_sorted])
    train_below = np.searchsorted(train_sorted, points, side="right")
    prod_below = np.searchsorted(prod_sorted, points, side="right")
    gaps = train_below / n1 - prod_below / n2
    at_min, at_max = int(np.argmin(gaps)), int(np.argmax(gaps))
    negative = float(np.clip(-gaps[at_min], 0.0, 1.0))
    at = at_min if negative > gaps[at_max] else at_max
    return KsGap(n1, n2, int(train_below[at]), int(prod_below[at]), _plain(points[at]))


def category_table(train: Mapping[str, int], prod: Mapping[str, int]) -> CategoryTable:
    """Align two category → count maps on the sorted union of their categories."""
    categories = tuple(sorted(set(train) | set(prod)))
    return CategoryTable(
        categories,
        tuple(int(train.get(c, 0)) for c in categories),
        tuple(int(prod.get(c, 0)) for c in categories),
    )


@dataclass(frozen=True)
class Bins:
    """Counts per bin of both sides, bins cut at the baseline's quantiles."""

    edges: tuple[float, ...]
    train_counts: tuple[int, ...]
    prod_counts: tuple[int, ...]


def numeric_bins(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> Bins:
    """Bins at the baseline's deciles (fewer when values tie); a value equal to an edge
    counts in the upper bin."""
    import numpy as np

    from pytest_drift.stats.effects import PSI_BINS

    left, right = np.asarray(train, dtype=np.float64), np.asarray(prod, dtype=np.float64)
    quantiles = np.arange(1, PSI_BINS) / PSI_BINS  # exact tenths (linspace gives 0.3000...04)
    edges = np.unique(np.quantile(left, quantiles))
    count = edges.size + 1
    train_counts = np.bincount(np.searchsorted(edges, left, side="right"), minlength=count)
    prod_counts = np.bincount(np.searchsorted(edges, right, side="right"), minlength=count)
    return Bins(tuple(float(e) for e in edges), tuple(int(c) for c in train_counts),
                tuple(int(c) for c in prod_counts))


def wasserstein(train: npt.NDArray[Any], prod: npt.NDArray[Any]) -> float:
    """The first Wasserstein distance between the two samples, as
    ``scipy.stats.wasserstein_distance`` computes it: the area between the two ECDFs."""
    import numpy as np

    left = np.sort(np.asarray(train, dtype=np.float64))
    right = np.sort(np.asarray(prod, dtype=np.float64))
    values = np.concatenate((left, right))
    values.sort(kind="mergesort")
    deltas = np.diff(values)
    left_cdf = left.searchsorted(values[:-1], "right") / left.size
    right_cdf = right.searchsorted(values[:-1], "right") / right.size
    return float(np.sum(np.multiply(np.abs(left_cdf - right_cdf), deltas)))


#: ECDFs in the HTML report are drawn from at most this many points per feature.
CHART_POINTS = 300


def ecdf_chart(train: npt.NDArray[Any], prod: npt.NDArray[Any], gap_at: Any) -> dict[str, Any]:
    """Both ECDFs on one grid of at most ``CHART_POINTS`` values (quantiles of the pooled
    sample), always including the point of the maximum gap, each height exact there."""
    import numpy as np

    left = np.sort(np.asarray(train, dtype=np.float64))
    right = np.sort(np.asarray(prod, dtype=np.float64))
    pooled = np.concatenate((left, right))
    grid = np.unique(np.quantile(pooled, np.linspace(0.0, 1.0, CHART_POINTS - 1)))
    grid = np.unique(np.append(grid, float(gap_at)))
    return {
        "kind": "ecdf",
        "x": grid.tolist(),
        "train": (np.searchsorted(left, grid, side="right") / left.size).tolist(),
        "prod": (np.searchsorted(right, grid, side="right") / right.size).tolist(),
        "gap_at": float(gap_at),
    }


def bars_chart(table: CategoryTable, most: int = 30) -> dict[str, Any]:
    """Category shares of both sides, the ``most`` categories with the largest shares."""
    n_train, n_prod = sum(table.train_counts), sum(table.prod_counts)
    rows = sorted(zip(table.categories, table.train_counts, table.prod_counts, strict=True),
                  key=lambda row: -max(row[1] / n_train, row[2] / n_prod))[:most]
    return {
        "kind": "bars",
        "categories": [row[0] for row in rows],
        "train": [row[1] / n_train for row in rows],
        "prod": [row[2] / n_prod for row in rows],
        "others": max(len(table.categories) - most, 0),
    }
