"""Segments: the values of the ``segment_by`` columns that cut a check into one check per
segment. Rows are labelled once per side (:func:`row_segments`) and split into the
segments' rows (memory engine) or, on the engines that keep the data where it lies, one
``GROUP BY`` per side and feature gives every segment's counts per value at once
(:func:`split_grouped`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

#: A segment: each ``segment_by`` column's value, as a category label.
SegmentKey = tuple[str, ...]
#: The label of a missing segment value (null, NaN).
MISSING_LABEL = "<missing>"
#: The columns of a grouped count: the value, and the rows holding it.
VALUE_COLUMN, ROWS_COLUMN = "__value", "__rows"


def grouped_names(by: Sequence[str]) -> list[str]:
    """The segment columns' names in a grouped count (never a feature's name)."""
    return [f"__segment_{index}" for index in range(len(by))]


def segment_label(by: Sequence[str], key: SegmentKey) -> str:
    """``country=FR`` or ``country=FR,device=ios``: the segment in test ids and reports."""
    return ",".join(f"{column}={value}" for column, value in zip(by, key, strict=True))


def _arrow_column(frame: Any, name: str) -> pa.Array:
    """The column as one Arrow array: dictionaries decoded, NaN as null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from pytest_drift.columns import is_pandas, pandas_column

    if is_pandas(frame):
        column: Any = pa.array(pandas_column(frame, name), from_pandas=True)
    else:
        column = frame.column(name)
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_floating(column.type):
        column = pc.if_else(pc.is_nan(column), None, column)
    return column


@dataclass(frozen=True)
class RowSegments:
    """Each row's segment (``codes[i]`` indexes ``keys``), and the rows of each."""

    keys: list[SegmentKey]
    codes: npt.NDArray[np.int64]

    def rows(self) -> dict[SegmentKey, int]:
        import numpy as np

        counts = np.bincount(self.codes, minlength=len(self.keys))
        return {key: int(count) for key, count in zip(self.keys, counts, strict=True)}

    def indices(self) -> dict[SegmentKey, npt.NDArray[np.int64]]:
        """Each segment's row numbers, in row order (one stable sort for all of them)."""
        import numpy as np

        order = np.argsort(self.codes, kind="stable")
        ends = np.cumsum(np.bincount(self.codes, minlength=len(self.keys)))
        starts = np.concatenate([[0], ends[:-1]])
        return {key: order[start:end]
                for key, start, end in zip(self.keys, starts, ends, strict=True)}


def row_segments(frame: Any, by: Sequence[str]) -> RowSegments:
    """Label every row of a table by its segment: one dictionary encoding per column, the
    labels made from the distinct values only (as categories are named, so ``4`` and
    ``4.0`` are one segment; null and NaN are :data:`MISSING_LABEL`)."""
    import numpy as np
    import pyarrow.compute as pc

    from pytest_drift.columns import category_label

    rows = frame.num_rows if hasattr(frame, "num_rows") else len(frame)
    combined = np.zeros(rows, dtype=np.int64)
    per_column: list[list[str]] = []
    for name in by:
        encoded = pc.dictionary_encode(_arrow_column(frame, name))
        labels = [category_label(value) for value in encoded.dictionary.to_pylist()]
        distinct = sorted(set(labels))
        if encoded.indices.null_count:
            distinct.append(MISSING_LABEL)
        position = {label: index for index, label in enumerate(distinct)}
        remap = np.asarray([position[label] for label in labels] + [
            position.get(MISSING_LABEL, 0)], dtype=np.int64)
        indices = np.asarray(encoded.indices.fill_null(len(labels)).to_numpy(
            zero_copy_only=False), dtype=np.int64)
        combined = combined * len(distinct) + remap[indices]
        per_column.append(distinct)
    unique, codes = np.unique(combined, return_inverse=True)
    keys = []
    for code in unique.tolist():
        parts = []
        for distinct in reversed(per_column):
            code, index = divmod(code, len(distinct))
            parts.append(distinct[index])
        keys.append(tuple(reversed(parts)))
    return RowSegments(keys, codes.reshape(-1).astype(np.int64))


def grouped_rows(table: pa.Table, by: Sequence[str]) -> dict[SegmentKey, int]:
    """A ``GROUP BY`` segment columns result (:func:`grouped_names`, :data:`ROWS_COLUMN`)
    as the rows of each segment."""
    import numpy as np

    segments = row_segments(table, grouped_names(by))
    rows = np.bincount(segments.codes, minlength=len(segments.keys),
                       weights=np.asarray(table.column(ROWS_COLUMN).to_numpy(), dtype=np.float64))
    return {key: int(count) for key, count in zip(segments.keys, rows, strict=True)}


def split_grouped(table: pa.Table, by: Sequence[str]
                  ) -> dict[SegmentKey, tuple[pa.Array, pa.Array]]:
    """A ``GROUP BY`` segment columns and value result (:func:`grouped_names`,
    :data:`VALUE_COLUMN`, :data:`ROWS_COLUMN`) split into each segment's values and
    counts."""
    import pyarrow as pa

    segments = row_segments(table, grouped_names(by))
    values = table.column(VALUE_COLUMN).combine_chunks()
    counts = table.column(ROWS_COLUMN).combine_chunks()
    return {key: (values.take(pa.array(rows)), counts.take(pa.array(rows)))
            for key, rows in segments.indices().items()}


def category_pairs(values: pa.Array, counts: pa.Array) -> list[tuple[Any, Any]]:
    """``(value, count)`` pairs for :func:`pytest_drift.columns.counts_of_values`, NaN as
    missing (as the engines count categories)."""
    import math

    return [(None if isinstance(value, float) and math.isnan(value) else value, count)
            for value, count in zip(values.to_pylist(), counts.to_pylist(), strict=True)]


@dataclass(frozen=True)
class SegmentPlan:
    """The segments of a check: every segment seen on either side, with its rows there."""

    by: tuple[str, ...]
    baseline_rows: Mapping[SegmentKey, int]
    candidate_rows: Mapping[SegmentKey, int]

    @property
    def keys(self) -> list[SegmentKey]:
        """Every segment, in sorted order."""
        return sorted(set(self.baseline_rows) | set(self.candidate_rows))

    def label(self, key: SegmentKey) -> str:
        return segment_label(self.by, key)

    def skip_reason(self, key: SegmentKey, min_samples: int) -> str | None:
        """Why a segment is not tested: it is on one side only, or has too few rows."""
        baseline, candidate = self.baseline_rows.get(key, 0), self.candidate_rows.get(key, 0)
        if not baseline or not candidate:
            side, rows = ("candidate", candidate) if candidate else ("baseline", baseline)
            return f"only in the {side} ({rows} rows): nothing to compare it with"
        for side, rows in (("baseline", baseline), ("candidate", candidate)):
            if rows < min_samples:
                return f"{rows} rows in the {side}, fewer than min_samples={min_samples}"
        return None

    def only_in(self, key: SegmentKey) -> str | None:
        """``baseline`` or ``candidate`` for a segment seen on that side only."""
        if key not in self.baseline_rows:
            return "candidate"
        if key not in self.candidate_rows:
            return "baseline"
        return None
