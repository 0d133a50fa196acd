"""Parquet: a file, a directory of parts (hive-partitioned included) or a list from a glob,
on the local disk or in object storage (through a pyarrow filesystem)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders.paths import EMPTY_ADVICE, DataFile


def pa_is_dictionary(dtype: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_dictionary(dtype))


@dataclass(frozen=True)
class Part:
    """One Parquet file of a dataset: its path in the filesystem, how messages name it
    (the local path or the URL), and its size in bytes."""

    path: str
    shown: str
    size: int

    @classmethod
    def local(cls, file: DataFile) -> Part:
        return cls(str(file.path), str(file.path), file.path.stat().st_size)


class ParquetDataset:
    """The parts of ``root`` (a local path, or a path in ``filesystem``: a directory is read
    with its hive partitions)."""

    def __init__(self, root: Path | str, files: Sequence[DataFile | Part], where: str,
                 filesystem: Any = None) -> None:
        import pyarrow as pa
        import pyarrow.dataset as ds

        self.where = where
        self.filesystem = filesystem
        self.parts = [f if isinstance(f, Part) else Part.local(f) for f in files]
        empty = [part.shown for part in self.parts if part.size == 0]
        if empty:
            raise DriftInputError(f"{where}: {empty[0]} is empty (0 bytes), not Parquet."
                                  f"{EMPTY_ADVICE}")
        self._check_parts(self.parts, where, filesystem)
        directory = (root.is_dir() if isinstance(root, Path)
                     else root not in {part.path for part in self.parts})
        try:
            if directory:
                self.dataset = ds.dataset(str(root), format="parquet", partitioning="hive",
                                          exclude_invalid_files=False, filesystem=filesystem)
            else:
                self.dataset = ds.dataset([part.path for part in self.parts],
                                          format="parquet", filesystem=filesystem)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise DriftInputError(f"{where}: not readable as Parquet: {exc}") from None

    @staticmethod
    def _check_parts(parts: list[Part], where: str, filesystem: Any) -> None:
        """Every part is Parquet and has the first part's columns (pyarrow would take the
        first part's schema and silently drop or null the others' columns)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        first: list[str] | None = None
        for part in parts:
            try:
                names = pq.read_schema(part.path, filesystem=filesystem).names
            except (pa.ArrowException, OSError, ValueError):
                raise DriftInputError(
                    f"{where}: {part.shown} is not a Parquet file (no Parquet footer). Check "
                    "the file, or say its format (format='csv', ...)."
                ) from None
            if first is None:
                first = names
            elif set(names) != set(first):
                raise DriftInputError(
                    f"{where}: {part.shown} has columns {names} but {parts[0].shown} has "
                    f"{first}; the parts of one dataset must have the same columns. Rewrite "
                    "them with one schema, or point at the parts you mean."
                )

    def column_names(self) -> list[str]:
        return list(self.dataset.schema.names)

    def read(self, columns: Sequence[str] | None) -> Any:
        import pyarrow as pa

        try:
            table = self.dataset.to_table(
                columns=list(columns) if columns is not None else None)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise DriftInputError(f"{self.where}: could not read Parquet: {exc}") from None
        return self._restore_categoricals(table)

    def _restore_categoricals(self, table: Any) -> Any:
        """Parquet keeps a pandas Categorical of numbers as plain numbers; pandas' metadata
        in the file still says it was categorical, and it is tested as one."""
        import pyarrow.compute as pc

        metadata = self.dataset.schema.pandas_metadata or {}
        categorical = {c.get("name") for c in metadata.get("columns", [])
                       if c.get("pandas_type") == "categorical"}
        for index, name in enumerate(table.column_names):
            column = table.column(index)
            if name in categorical and not pa_is_dictionary(column.type):
                table = table.set_column(index, name, pc.dictionary_encode(column))
        return table

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        """The uncompressed size of the column chunks to read, from the files' footers."""
        import pyarrow.parquet as pq

        wanted = set(columns) if columns is not None else None
        total = 0
        for part in self.parts:
            metadata = pq.read_metadata(part.path, filesystem=self.filesystem)
            for group in range(metadata.num_row_groups):
                row_group = metadata.row_group(group)
                for index in range(row_group.num_columns):
                    chunk = row_group.column(index)
                    if wanted is None or chunk.path_in_schema.split(".")[0] in wanted:
                        total += chunk.total_uncompressed_size
        return total
