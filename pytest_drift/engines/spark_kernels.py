"""What the ``spark`` engine runs on the executors: each bucket of a feature's pooled values
(a range of values, all rows of each value in it) reduced to a few numbers with numpy.

The driver knows, before this runs, how many values of each side lie below each bucket (the
bucket's *offsets*), so every cumulative count here is already the global one and every gap
is the same float ``scipy.stats.ks_2samp`` computes at that value
(:mod:`pytest_drift.engines.steps` does the same on one machine). A bucket returns one row:
its extreme gaps and where they are first attained, its part of the Wasserstein sum, its
values' sums (for the means) and the order statistics at the requested ranks that fall in it.

This module imports only numpy and pyarrow: it is shipped to the executors by value, so a
cluster needs neither pytest nor this plugin installed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


def _columns() -> list[tuple[str, str]]:
    """The columns of a bucket's row and their Spark types. Values found at a gap are
    text (``str`` of the int, float or Decimal), which reads back exactly."""
    columns = [("bucket", "int"), ("n1", "long"), ("n2", "long")]
    columns += [(name, "double") for name in ("sum1", "sum2", "first", "last", "last_gap",
                                              "area")]
    for end in ("hi", "lo"):
        columns.append((end, "double"))
        for which in ("train", "any"):
            columns += [(f"{end}_{which}", "string"), (f"{end}_{which}_b1", "long"),
                        (f"{end}_{which}_b2", "long")]
    for name in ("train", "pooled"):
        columns += [(f"{name}_ranks", "array<long>"), (f"{name}_values", "array<double>")]
    return columns


#: A bucket's row as a Spark DDL schema (``mapInArrow``'s output).
BUCKET_SCHEMA = ", ".join(f"{name} {kind}" for name, kind in _columns())


@dataclass(frozen=True)
class BucketPlan:
    """What every bucket of one feature needs to know: the sample sizes, how many values
    of each side lie below each bucket, and the ranks whose values are wanted (0-based,
    of the baseline and of the pooled sample)."""

    n1: int
    n2: int
    below1: tuple[int, ...]
    below2: tuple[int, ...]
    baseline_ranks: tuple[int, ...]
    pooled_ranks: tuple[int, ...]


def reduce_partition(batches: Iterator[Any], plan: BucketPlan) -> Iterator[Any]:
    """``mapInArrow`` function: the rows (``bucket``, ``v`` and either ``t``, 1 for a
    baseline row, or the counts ``c1``, ``c2`` of a value) of whole buckets, one row out per
    bucket."""
    import pyarrow as pa

    table = pa.Table.from_batches(list(batches))
    if table.num_rows == 0:
        return
    buckets = table.column("bucket").to_numpy()
    import numpy as np

    for bucket in np.unique(buckets):
        rows = table.filter(pa.array(buckets == bucket))
        yield pa.RecordBatch.from_pylist([_reduce_bucket(int(bucket), rows, plan)],
                                         schema=_arrow_schema())


def _arrow_schema() -> Any:
    import pyarrow as pa

    types = {"int": pa.int32(), "long": pa.int64(), "double": pa.float64(),
             "string": pa.string(), "array<long>": pa.list_(pa.int64()),
             "array<double>": pa.list_(pa.float64())}
    return pa.schema([(name, types[kind]) for name, kind in _columns()])


def _values(column: Any) -> Any:
    """A column's values in a type that orders them exactly (Decimals as objects)."""
    import pyarrow as pa

    if pa.types.is_decimal(column.type):
        import numpy as np

        return np.asarray(column.to_pylist(), dtype=object)
    return column.to_numpy()


def _raw_steps(values: Any, train: Any) -> tuple[Any, Any, Any, float, float]:
    """Distinct values, each side's count of each, and each side's sum, from raw rows:
    each side sorted, then the two sorted runs merged (a stable sort of two runs is
    linear)."""
    import numpy as np

    sides = np.sort(values[train]), np.sort(values[~train])
    pooled = np.concatenate(sides)
    order = np.argsort(pooled, kind="stable")
    merged = pooled[order]
    last = np.empty(merged.size, dtype=bool)
    np.not_equal(merged[1:], merged[:-1], out=last[:-1])
    last[-1] = True
    ends = np.flatnonzero(last)
    below1 = np.cumsum(order < sides[0].size)[ends]
    below2 = ends + 1 - below1
    counts1 = np.diff(below1, prepend=0)
    counts2 = np.diff(below2, prepend=0)
    sum1, sum2 = (float(np.sum(side.astype(np.float64))) for side in sides)
    return merged[ends], counts1, counts2, sum1, sum2


def _counted_steps(values: Any, counts1: Any, counts2: Any
                   ) -> tuple[Any, Any, Any, float, float]:
    """The same from rows that are values with each side's count."""
    import numpy as np

    distinct, inverse = np.unique(values, return_inverse=True)
    inverse = inverse.reshape(-1)
    per_value = [np.bincount(inverse, weights=counts, minlength=distinct.size).astype(np.int64)
                 for counts in (counts1, counts2)]
    floats = distinct.astype(np.float64)
    return (distinct, per_value[0], per_value[1], float(np.dot(floats, per_value[0])),
            float(np.dot(floats, per_value[1])))


def _reduce_bucket(bucket: int, rows: Any, plan: BucketPlan) -> dict[str, Any]:
    import numpy as np

    raw = _values(rows.column("v"))
    if "t" in rows.column_names:
        values, counts1, counts2, sum1, sum2 = _raw_steps(
            raw, rows.column("t").to_numpy().astype(bool))
    else:
        values, counts1, counts2, sum1, sum2 = _counted_steps(
            raw, rows.column("c1").to_numpy(), rows.column("c2").to_numpy())
    floats = values.astype(np.float64)
    below1 = plan.below1[bucket] + np.cumsum(counts1)
    below2 = plan.below2[bucket] + np.cumsum(counts2)
    # scipy's own expression: searchsorted counts divided by the sample sizes.
    gaps = below1 / plan.n1 - below2 / plan.n2
    row: dict[str, Any] = {
        "bucket": bucket, "n1": int(counts1.sum()), "n2": int(counts2.sum()),
        "sum1": sum1, "sum2": sum2, "first": float(floats[0]), "last": float(floats[-1]),
        "last_gap": float(gaps[-1]),
        "area": float(np.sum(np.multiply(np.abs(gaps[:-1]), np.diff(floats)))),
    }
    for end, extreme in (("hi", gaps.max()), ("lo", gaps.min())):
        row[end] = float(extreme)
        positions = np.flatnonzero(gaps == extreme)
        in_baseline = positions[counts1[positions] > 0]
        for which, at in (("train", in_baseline[0] if in_baseline.size else None),
                          ("any", positions[0])):
            found = at is not None
            row[f"{end}_{which}"] = str(_plain(values[at])) if found else None
            row[f"{end}_{which}_b1"] = int(below1[at]) if found else None
            row[f"{end}_{which}_b2"] = int(below2[at]) if found else None
    start1, start2 = plan.below1[bucket], plan.below2[bucket]
    for name, ranks, cumulative, start in (
            ("train", plan.baseline_ranks, below1, start1),
            ("pooled", plan.pooled_ranks, below1 + below2, start1 + start2)):
        wanted = _ranks_in(ranks, start, int(cumulative[-1]))
        row[f"{name}_ranks"] = wanted
        row[f"{name}_values"] = floats[np.searchsorted(cumulative, wanted,
                                                       side="right")].tolist()
    return row


def _ranks_in(ranks: Sequence[int], start: int, end: int) -> list[int]:
    """The ranks (0-based) held by the values ``start`` to ``end - 1``."""
    import bisect

    return list(ranks[bisect.bisect_left(ranks, start):bisect.bisect_left(ranks, end)])


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number whose ``str`` reads back exactly."""
    return value.item() if hasattr(value, "item") else value
