"""CSV files, parsed by pyarrow: exact float round-trip, only the needed columns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftInputError

# pyarrow infers a column's type from the first block; a later value that does not fit
# raises this, and the column is re-read with a wider type.
_CONVERSION_ERROR = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")


class CsvSource:
    def __init__(self, path: Path, description: str, where: str) -> None:
        self.path = path
        self.description = description
        self.files: tuple[str, ...] = (str(path.resolve()),)
        self.where = where

    def column_names(self) -> list[str]:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        try:
            with pacsv.open_csv(self.path) as reader:
                return list(reader.schema.names)
        except pa.ArrowInvalid as exc:
            raise self._error(exc) from None

    def read(self, columns: Sequence[str] | None) -> Any:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = self.column_names()
        column_types: dict[str, Any] = {}
        for _ in range(2 * len(names) + 1):
            convert = pacsv.ConvertOptions(
                include_columns=list(columns) if columns is not None else None,
                strings_can_be_null=True,
                column_types=column_types,
            )
            try:
                return pacsv.read_csv(self.path, convert_options=convert)
            except pa.ArrowInvalid as exc:
                match = _CONVERSION_ERROR.search(str(exc))
                if match is None:
                    raise self._error(exc) from None
                index = int(match.group(1))
                wanted = list(columns) if columns is not None else names
                column = wanted[index] if index < len(wanted) else names[index]
                widened = pa.float64() if "int" in match.group(2) else pa.string()
                if column_types.get(column) == widened:
                    widened = pa.string()
                column_types[column] = widened
        raise DriftInputError(f"{self.where}: could not settle the column types of {self.path}")

    def _error(self, exc: Exception) -> DriftInputError:
        message = str(exc).strip()
        if "Empty CSV file" in message:
            return DriftInputError(f"{self.where}: {self.path} is empty (no header, no rows).")
        return DriftInputError(
            f"{self.where}: {self.path} is not valid CSV: {message}. Fix the file or the job "
            "that writes it."
        )
