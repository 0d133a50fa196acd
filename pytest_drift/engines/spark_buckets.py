"""What the Spark engine's driver does with the rows its bucket jobs return: cells by a
compiled binary search, the counts checked against the counting job, the KS gap with the
core's tie rule, Wasserstein, numpy's quantiles, and Spark types as Arrow kinds."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.errors import DriftInputError

if TYPE_CHECKING:
    from pytest_drift.columns import KindInfo

def bucketize(frame: Any, cuts: list[float], name: str) -> Any:
    """``frame`` with the column ``name``: the index of the cell of ``v`` among ``cuts``
    (``v`` compared as float64; a value equal to a cut goes up), by a binary search
    written as nested ``CASE`` expressions, which Spark compiles."""
    from pyspark.sql import functions as F

    value = F.col("v").cast("double")
    # -0.0 as 0.0 in the cuts too: numpy holds them equal.
    normal = [cut + 0.0 for cut in cuts]

    def search(low: int, high: int) -> Any:
        """The cell of ``value`` knowing ``cuts[low - 1] <= value < cuts[high]``."""
        if low == high:
            return F.lit(low)
        middle = (low + high) // 2
        return F.when(value < F.lit(normal[middle]), search(low, middle)).otherwise(
            search(middle + 1, high))

    return frame.withColumn(name, search(0, len(normal)))


def check_counts(feature: str, rows: Sequence[Any],
                  below: tuple[tuple[int, ...], tuple[int, ...]], sizes: tuple[int, int]
                  ) -> None:
    """Every bucket reduced holds the values counted in it before, once: a source that
    changed between two jobs (a DataFrame with ``rand()``, a table written meanwhile) is an
    error, never a wrong answer."""
    expected: dict[int, list[int]] = {}
    for side, (offsets, size) in enumerate(zip(below, sizes, strict=True)):
        for bucket, start in enumerate(offsets):
            end = offsets[bucket + 1] if bucket + 1 < len(offsets) else size
            expected.setdefault(bucket, [0, 0])[side] = end - start
    found = {bucket: [0, 0] for bucket in expected}
    for row in rows:
        counts = found.setdefault(int(row["bucket"]), [0, 0])
        counts[0] += int(row["n1"])
        counts[1] += int(row["n2"])
    if found != expected:
        totals = [sum(counts[side] for counts in found.values()) for side in (0, 1)]
        raise DriftInputError(
            f"feature {feature!r}: Spark's jobs saw different data ({totals[0]} baseline and "
            f"{totals[1]} candidate values, where {sizes[0]} and {sizes[1]} were counted "
            "before, or in other value ranges): the source changed while the check ran. "
            "Check a snapshot (a table version, or the DataFrame cached) instead.")


def gap(rows: Sequence[Any], n1: int, n2: int, parse: Callable[[str], Any]) -> Any:
    """The KS gap over all buckets, with scipy's rules (:func:`steps.negative_wins`): of the
    values attaining the extreme, the smallest the baseline has, else the smallest."""
    from pytest_drift.engines.steps import negative_wins, plain_number
    from pytest_drift.stats.ks import KsGap

    largest = max(float(row["hi"]) for row in rows)
    smallest = min(float(row["lo"]) for row in rows)
    end, extreme = ("lo", smallest) if negative_wins(largest, smallest) else ("hi", largest)
    attaining = [row for row in rows if float(row[end]) == extreme]
    with_baseline = [row for row in attaining if row[f"{end}_train"] is not None]
    row, which = (with_baseline[0], "train") if with_baseline else (attaining[0], "any")
    return KsGap(n1, n2, int(row[f"{end}_{which}_b1"]), int(row[f"{end}_{which}_b2"]),
                 plain_number(parse(row[f"{end}_{which}"])))


def wasserstein(rows: Sequence[Any]) -> float:
    """The buckets' areas, plus the area between each bucket's last value and the next
    bucket's first."""
    parts = [float(row["area"]) for row in rows]
    for before, after in itertools.pairwise(rows):
        parts.append(abs(float(before["last_gap"]))
                     * (float(after["first"]) - float(before["last"])))
    return math.fsum(parts)


def edges(rows: Sequence[Any], name: str, ranks: tuple[Any, Any, Any]) -> Any:
    """numpy's quantiles from the order statistics the buckets returned."""
    import numpy as np

    from pytest_drift.engines.steps import interpolate

    at = {int(rank): float(value) for row in rows
          for rank, value in zip(row[f"{name}_ranks"], row[f"{name}_values"], strict=True)}
    low = np.array([at[int(rank)] for rank in ranks[0]], dtype=np.float64)
    high = np.array([at[int(rank)] for rank in ranks[1]], dtype=np.float64)
    return np.unique(interpolate(low, high, ranks[2]))


def spark_kind(data_type: Any, empty: bool) -> KindInfo:
    """How a column of this Spark type is tested, named as Arrow names it."""
    from pytest_drift.columns import KindInfo, arrow_kind

    try:
        from pyspark.sql.pandas.types import to_arrow_type

        arrow_type = to_arrow_type(data_type)
    except Exception:  # a type with no Arrow equivalent (intervals, variants)
        return KindInfo("empty" if empty else "unsupported", data_type.simpleString())
    return arrow_kind(arrow_type, empty)


@dataclass(frozen=True)
class BucketedReduction:
    gap: Any
    wasserstein: float
    means: tuple[float, float]
    edges: Any
    grid: Any
