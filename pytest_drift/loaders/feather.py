"""Feather (Arrow IPC file) files, read with column projection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders.paths import EMPTY_ADVICE, DataFile


class FeatherFile:
    def __init__(self, file: DataFile, where: str) -> None:
        self.file = file
        self.where = where

    def _fail(self, exc: Exception) -> DriftInputError:
        if self.file.path.stat().st_size == 0:
            return DriftInputError(f"{self.where}: {self.file.path} is empty (0 bytes)."
                                   f"{EMPTY_ADVICE}")
        return DriftInputError(
            f"{self.where}: {self.file.path} is not a readable Feather/Arrow IPC file: {exc}")

    def column_names(self) -> list[str]:
        import pyarrow as pa

        try:
            with pa.ipc.open_file(str(self.file.path)) as reader:
                return list(reader.schema.names)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise self._fail(exc) from None

    def read(self, columns: Sequence[str] | None) -> Any:
        import pyarrow as pa
        import pyarrow.feather as feather

        try:
            return feather.read_table(str(self.file.path),
                                      columns=list(columns) if columns is not None else None)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise self._fail(exc) from None

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        size = self.file.path.stat().st_size
        if columns is None:
            return size
        return size * max(len(columns), 1) // max(len(self.column_names()), 1)
