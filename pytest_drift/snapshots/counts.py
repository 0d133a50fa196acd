"""One feature of a dataset as a snapshot holds it (:class:`FeatureCounts`): made from a
loaded column (:func:`column_counts`), and turned back into a column (:func:`as_column`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

from pytest_drift.columns import category_counts, column_kind, is_pandas, numeric_column

#: How a snapshot keeps a feature: its distinct values, its categories, or only its rows.
StoredKind = Literal["numeric", "categorical", "empty"]


@dataclass(frozen=True)
class FeatureCounts:
    """A feature's distribution, exactly.

    ``values`` are sorted and distinct: finite numbers in their exact Arrow type (int64,
    uint64, float64 or decimal) for a numeric feature, category labels (strings, as
    :func:`pytest_drift.columns.category_label` names them) for a categorical one.
    ``counts[i]`` is how many rows hold ``values[i]``.
    """

    feature: str
    kind: StoredKind
    values: pa.Array
    counts: npt.NDArray[np.int64]
    missing: int
    positive_infinite: int = 0
    negative_infinite: int = 0

    @property
    def present(self) -> int:
        """Rows with a (finite, for numbers) value."""
        return int(self.counts.sum())

    @property
    def rows(self) -> int:
        return self.present + self.missing + self.positive_infinite + self.negative_infinite


def numeric_counts(feature: str, values: npt.NDArray[Any], missing: int,
                   positive_infinite: int, negative_infinite: int) -> FeatureCounts:
    """A numeric feature from its finite values (any order, any repeats)."""
    import numpy as np

    distinct, counts = np.unique(values, return_counts=True)
    return FeatureCounts(feature, "numeric", exact_values(distinct), counts.astype(np.int64),
                         missing, positive_infinite, negative_infinite)


def exact_values(distinct: npt.NDArray[Any]) -> pa.Array:
    """Sorted distinct finite numbers in the type a snapshot keeps them, whatever the
    column's width: integers as int64 or uint64, floats as float64 (``-0.0`` as ``0.0``),
    an object array of Decimals (or Python ints beyond 64 bits) as pyarrow types them."""
    import numpy as np
    import pyarrow as pa

    if distinct.dtype == object:
        return pa.array(distinct.tolist())
    if distinct.dtype.kind == "i":
        return pa.array(distinct.astype(np.int64))
    if distinct.dtype.kind == "u":
        return pa.array(distinct.astype(np.uint64))
    # np.unique keeps whichever of -0.0 and 0.0 sorts first; adding 0.0 makes it 0.0.
    return pa.array(distinct.astype(np.float64) + 0.0)


def categorical_counts(feature: str, counts: dict[str, int], missing: int) -> FeatureCounts:
    """A categorical feature from its counts per label."""
    import numpy as np
    import pyarrow as pa

    labels = sorted(counts)
    return FeatureCounts(feature, "categorical", pa.array(labels, pa.string()),
                         np.asarray([counts[label] for label in labels], dtype=np.int64),
                         missing)


def empty_counts(feature: str, rows: int) -> FeatureCounts:
    """A feature with no value at all."""
    import numpy as np
    import pyarrow as pa

    return FeatureCounts(feature, "empty", pa.array([], pa.float64()),
                         np.zeros(0, dtype=np.int64), rows)


def stored_kind(feature: str, kind: str, as_category: bool) -> StoredKind:
    """How a snapshot keeps a column of this kind (:class:`pytest_drift.columns.KindInfo`):
    ``as_category`` keeps any column with values as categories."""
    if kind == "empty":
        return "empty"
    if as_category or kind == "categorical":
        return "categorical"
    if kind != "numeric":
        raise ValueError(f"column {feature!r} of kind {kind} cannot be kept in a snapshot")
    return "numeric"


def _infinities(frame: Any, feature: str) -> tuple[int, int]:
    """How many values of a float column are +inf and -inf."""
    import numpy as np

    if is_pandas(frame):
        from pytest_drift.columns import pandas_column

        raw = np.asarray(pandas_column(frame, feature).dropna(), dtype=np.float64)
    else:
        raw = frame.column(feature).drop_null().to_numpy()
    return int(np.isposinf(raw).sum()), int(np.isneginf(raw).sum())


def column_counts(frame: Any, feature: str, as_category: bool) -> FeatureCounts:
    """A loaded column (``pyarrow.Table`` or ``pandas.DataFrame``) as a snapshot keeps it.

    ``as_category`` keeps it as categories whatever its type (the ``categorical`` option).
    """
    kind = stored_kind(feature, column_kind(frame, feature).kind, as_category)
    if kind == "empty":
        rows = len(frame) if is_pandas(frame) else frame.num_rows
        return empty_counts(feature, rows)
    if kind == "categorical":
        counted = category_counts(frame, feature)
        return categorical_counts(feature, counted.counts, counted.missing)
    column = numeric_column(frame, feature)
    positive, negative = _infinities(frame, feature) if column.infinite else (0, 0)
    return numeric_counts(feature, column.values, column.missing, positive, negative)


def as_column(counts: FeatureCounts) -> pa.Array:
    """The feature as a column again: each value repeated by its count, then the ±inf,
    then the missing values (as nulls; NaN for floats, so that a column of nothing but NaN
    stays numeric, not empty). Row order is not kept; no test depends on it."""
    import numpy as np
    import pyarrow as pa

    if counts.kind == "empty":
        return pa.nulls(counts.missing, pa.float64())
    indices = np.repeat(np.arange(len(counts.values), dtype=np.int64), counts.counts)
    present = counts.values.take(pa.array(indices))
    parts = [present]
    infinite = [float("inf")] * counts.positive_infinite + [float("-inf")] * (
        counts.negative_infinite)
    if infinite:
        parts.append(pa.array(infinite, present.type))
    if counts.missing and pa.types.is_floating(present.type):
        parts.append(pa.array(np.full(counts.missing, np.nan), present.type))
    elif counts.missing:
        parts.append(pa.nulls(counts.missing, present.type))
    return pa.concat_arrays(parts) if len(parts) > 1 else present
