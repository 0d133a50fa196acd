"""The ``memory`` engine: both datasets loaded in this process (pyarrow tables or pandas
frames), reduced with the numpy kernels of :mod:`pytest_drift.engines.memory`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.base import NumericSummary, empty_side, numeric_summary, too_few

if TYPE_CHECKING:
    from pytest_drift.columns import CategoryCounts, KindInfo, NumericColumn
    from pytest_drift.options import CheckOptions
    from pytest_drift.segments import RowSegments, SegmentKey
    from pytest_drift.snapshots.counts import FeatureCounts


def row_count(frame: Any) -> int:
    return int(frame.num_rows) if hasattr(frame, "num_rows") else len(frame)


def take_rows(frame: Any, rows: Any) -> Any:
    """These rows of a ``pyarrow.Table`` or ``pandas.DataFrame``, in order."""
    from pytest_drift.columns import is_pandas

    if is_pandas(frame):
        return frame.iloc[rows].reset_index(drop=True)
    import pyarrow as pa

    return frame.take(pa.array(rows))


class MemoryEngine:
    """Two loaded tables; forked workers inherit them, so reductions can run there."""

    name = "memory"
    forkable = True

    def __init__(self, train: Any, prod: Any) -> None:
        self.train, self.prod = train, prod
        self.rows = (row_count(train), row_count(prod))
        self._segments: dict[tuple[str, tuple[str, ...]], RowSegments] = {}

    def _row_segments(self, role: str, by: Sequence[str]) -> RowSegments:
        from pytest_drift.segments import row_segments

        if (role, tuple(by)) not in self._segments:
            self._segments[role, tuple(by)] = row_segments(
                self.train if role == "baseline" else self.prod, by)
        return self._segments[role, tuple(by)]

    def segment_rows(self, role: str, by: Sequence[str]) -> dict[SegmentKey, int]:
        return self._row_segments(role, by).rows()

    def segment_engines(self, by: Sequence[str], keys: Sequence[SegmentKey],
                        as_categories: Mapping[str, bool]
                        ) -> Iterator[tuple[SegmentKey, MemoryEngine]]:
        """Each segment's rows of both tables (one stable sort per side for all segments)."""
        train = self._row_segments("baseline", by).indices()
        prod = self._row_segments("candidate", by).indices()
        for key in keys:
            yield key, MemoryEngine(take_rows(self.train, train[key]),
                                    take_rows(self.prod, prod[key]))

    def kinds(self, feature: str) -> tuple[KindInfo, KindInfo]:
        from pytest_drift.columns import column_kind

        return column_kind(self.train, feature), column_kind(self.prod, feature)

    def values(self, feature: str, options: CheckOptions
               ) -> tuple[NumericColumn, NumericColumn] | str:
        from pytest_drift.columns import numeric_column

        left = numeric_column(self.train, feature)
        right = numeric_column(self.prod, feature)
        return (empty_side(left.values.size, left.infinite, right.values.size, right.infinite)
                or too_few(left.values.size, right.values.size, options.min_samples)
                or (left, right))

    def summarize(self, feature: str, options: CheckOptions, charts: bool,
                  defer_costly: bool = False) -> NumericSummary | str:
        columns = self.values(feature, options)
        if isinstance(columns, str):
            return columns
        return summarize_columns(*columns, options.alpha, charts, defer_costly)

    def categories(self, feature: str) -> tuple[CategoryCounts, CategoryCounts]:
        from pytest_drift.columns import category_counts

        return category_counts(self.train, feature), category_counts(self.prod, feature)

    def feature_counts(self, role: str, feature: str, as_category: bool) -> FeatureCounts:
        from pytest_drift.snapshots.counts import column_counts

        return column_counts(self.train if role == "baseline" else self.prod, feature,
                             as_category)

    def weight(self, feature: str) -> int:
        """Floats may need sorting; whole numbers and categories are only counted."""
        from pytest_drift.columns import is_float

        return 4 if is_float(self.train, feature) or is_float(self.prod, feature) else 1


def summarize_columns(left: NumericColumn, right: NumericColumn, alpha: float, charts: bool,
                      defer_costly: bool = False) -> NumericSummary:
    """The summary of two columns of values."""
    from pytest_drift.engines.memory import numeric_statistics

    reduction = numeric_statistics(left.values, right.values, charts=charts)
    assert reduction.bins is not None  # the memory engine always counts them
    return numeric_summary(reduction, reduction.bins, reduction.chart, left, right, alpha,
                           defer_costly)
