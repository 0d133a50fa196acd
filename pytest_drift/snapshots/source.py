"""A snapshot read as a dataset: ``snapshot:NAME`` as a source of the loaders, so every
engine reads it (the memory engine directly, DuckDB and Spark from the Arrow table), from
the local disk or from a URL."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_drift.snapshots import files
from pytest_drift.snapshots.format import SnapshotHeader
from pytest_drift.snapshots.store import missing_snapshot, snapshot_path

if TYPE_CHECKING:
    from pytest_drift.loaders import LoadContext


class SnapshotSource:
    """``snapshot:NAME``: its columns are its features, each as many rows as the data it
    was made from, holding the same values (row order aside)."""

    def __init__(self, raw: str, context: LoadContext) -> None:
        self.description = raw
        self.path = snapshot_path(raw, context.baselines_dir, context.base_dir)
        self._where = context.where
        self._timeout = context.remote_timeout
        version = files.version(self.path, self._where, self._timeout)
        if version is None:
            raise missing_snapshot(raw, self.path, context.where)
        shown = self.path if isinstance(self.path, str) else str(self.path.resolve())
        self.files: tuple[str, ...] = (shown,)
        self.cache_key: Hashable | None = ("snapshot", shown, *version)
        self.header: SnapshotHeader = files.header(self.path, self._where, self._timeout)

    def column_names(self) -> list[str]:
        return self.header.feature_names

    def read(self, columns: Sequence[str] | None) -> Any:
        import pyarrow as pa

        from pytest_drift.snapshots.counts import as_column

        features = files.features(self.path, self.header, columns, self._where, self._timeout)
        return pa.table({feature.feature: as_column(feature) for feature in features})

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        wanted = self.header.feature_names if columns is None else list(columns)
        return 8 * self.header.rows * len([n for n in wanted
                                           if n in self.header.feature_names])
