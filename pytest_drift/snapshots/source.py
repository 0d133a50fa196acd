"""A snapshot read as a dataset: ``snapshot:NAME`` as a source of the loaders, so every
engine reads it (the memory engine directly, DuckDB and Spark from the Arrow table)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_drift.snapshots.format import SnapshotHeader, read_features, read_header
from pytest_drift.snapshots.store import missing_snapshot, snapshot_path

if TYPE_CHECKING:
    from pytest_drift.loaders import LoadContext


class SnapshotSource:
    """``snapshot:NAME``: its columns are its features, each as many rows as the data it
    was made from, holding the same values (row order aside)."""

    def __init__(self, raw: str, context: LoadContext) -> None:
        self.description = raw
        self.path = snapshot_path(raw, context.baselines_dir, context.base_dir)
        if not self.path.is_file():
            raise missing_snapshot(raw, self.path, context.where)
        stat = self.path.stat()
        self.files: tuple[str, ...] = (str(self.path.resolve()),)
        self.cache_key: Hashable | None = ("snapshot", self.files[0], stat.st_size,
                                           stat.st_mtime_ns)
        self.header: SnapshotHeader = read_header(self.path)

    def column_names(self) -> list[str]:
        return self.header.feature_names

    def read(self, columns: Sequence[str] | None) -> Any:
        import pyarrow as pa

        from pytest_drift.snapshots.counts import as_column

        features = read_features(self.path, self.header, columns)
        return pa.table({feature.feature: as_column(feature) for feature in features})

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        wanted = self.header.feature_names if columns is None else list(columns)
        return 8 * self.header.rows * len([n for n in wanted
                                           if n in self.header.feature_names])
