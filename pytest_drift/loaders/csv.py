"""CSV files, parsed by pyarrow: exact float round-trip, only the needed columns."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftInputError


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
        """Read ``columns`` (all when None). pyarrow infers each column's type over the whole
        file, parses floats exactly, and treats empty cells, NA, null and NaN as missing."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        convert = pacsv.ConvertOptions(
            include_columns=list(columns) if columns is not None else None,
            strings_can_be_null=True,
        )
        # In a one-column file an empty line is a missing value, not a line to skip.
        parse = pacsv.ParseOptions(ignore_empty_lines=len(self.column_names()) > 1)
        try:
            return pacsv.read_csv(self.path, convert_options=convert, parse_options=parse)
        except pa.ArrowInvalid as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> DriftInputError:
        message = str(exc).strip()
        if "Empty CSV file" in message:
            return DriftInputError(f"{self.where}: {self.path} is empty (no header, no rows).")
        line = self._first_bad_line()
        at = f" at line {line}" if line else ""
        return DriftInputError(
            f"{self.where}: {self.path} is not valid CSV{at}: {message}. Fix the file or the "
            "job that writes it."
        )

    def _first_bad_line(self) -> int | None:
        """The line of the first row whose field count differs from the header's (error path
        only: pyarrow's message quotes the row but not its line)."""
        try:
            with open(self.path, newline="", encoding="utf-8", errors="replace") as text:
                reader = csv.reader(text)
                header = next(reader, None)
                for row in reader:
                    if header is not None and row and len(row) != len(header):
                        return reader.line_num
        except (OSError, csv.Error):
            return None
        return None
