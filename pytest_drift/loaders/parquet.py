"""Parquet: a file, a directory of parts (hive-partitioned included) or a list from a glob."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders.paths import EMPTY_ADVICE, DataFile


def pa_is_dictionary(dtype: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_dictionary(dtype))


class ParquetDataset:
    def __init__(self, root: Path, files: list[DataFile], where: str) -> None:
        import pyarrow as pa
        import pyarrow.dataset as ds

        self.where = where
        self.files = files
        empty = [f.path for f in files if f.path.stat().st_size == 0]
        if empty:
            raise DriftInputError(f"{where}: {empty[0]} is empty (0 bytes), not Parquet."
                                  f"{EMPTY_ADVICE}")
        self._check_parts(files, where)
        try:
            if root.is_dir():
                self.dataset = ds.dataset(root, format="parquet", partitioning="hive",
                                          exclude_invalid_files=False)
            else:
                self.dataset = ds.dataset([str(f.path) for f in files], format="parquet")
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise DriftInputError(f"{where}: not readable as Parquet: {exc}") from None

    @staticmethod
    def _check_parts(files: list[DataFile], where: str) -> None:
        """Every part is Parquet and has the first part's columns (pyarrow would take the
        first part's schema and silently drop or null the others' columns)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        first: list[str] | None = None
        for file in files:
            try:
                names = pq.read_schema(file.path).names
            except (pa.ArrowException, OSError, ValueError):
                raise DriftInputError(
                    f"{where}: {file.path} is not a Parquet file (no Parquet footer). Check "
                    "the file, or say its format (format='csv', ...)."
                ) from None
            if first is None:
                first = names
            elif set(names) != set(first):
                raise DriftInputError(
                    f"{where}: {file.path} has columns {names} but {files[0].path} has "
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
        for file in self.files:
            metadata = pq.ParquetFile(file.path).metadata
            for group in range(metadata.num_row_groups):
                row_group = metadata.row_group(group)
                for index in range(row_group.num_columns):
                    chunk = row_group.column(index)
                    if wanted is None or chunk.path_in_schema.split(".")[0] in wanted:
                        total += chunk.total_uncompressed_size
        return total
