"""Parquet files and directories of Parquet parts, read by pyarrow."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftInputError


class ParquetSource:
    def __init__(self, path: Path, description: str, where: str) -> None:
        import pyarrow as pa
        import pyarrow.dataset as ds

        self.description = description
        self.where = where
        try:
            self.dataset = ds.dataset(path, format="parquet")
        except (pa.ArrowInvalid, OSError) as exc:
            raise DriftInputError(f"{where}: {path} is not readable Parquet: {exc}") from None
        self.files = tuple(sorted(str(Path(f).resolve()) for f in self.dataset.files))
        if not self.files:
            raise DriftInputError(f"{where}: {path} holds no Parquet files.")

    def column_names(self) -> list[str]:
        return list(self.dataset.schema.names)

    def read(self, columns: Sequence[str] | None) -> Any:
        import pyarrow as pa

        try:
            return self.dataset.to_table(columns=list(columns) if columns is not None else None)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DriftInputError(f"{self.where}: could not read Parquet: {exc}") from None
