"""CSV and TSV files (optionally compressed), parsed by pyarrow: exact float round-trip,
only the needed columns."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders import streams
from pytest_drift.loaders.paths import EMPTY_ADVICE, DataFile


class CsvFile:
    """One CSV (``delimiter=","``) or TSV (``"\\t"``) file."""

    def __init__(self, file: DataFile, where: str) -> None:
        self.file = file
        self.where = where
        self.delimiter = "\t" if file.format == "tsv" else ","
        self._names: list[str] | None = None

    def _parse_options(self, one_column: bool) -> Any:
        import pyarrow.csv as pacsv

        # In a one-column file an empty line is a missing value, not a line to skip.
        return pacsv.ParseOptions(delimiter=self.delimiter, ignore_empty_lines=not one_column,
                                  newlines_in_values=True)

    def column_names(self) -> list[str]:
        if self._names is None:
            import pyarrow as pa
            import pyarrow.csv as pacsv

            try:
                with pacsv.open_csv(streams.binary(self.file),
                                    parse_options=self._parse_options(False)) as reader:
                    self._names = list(reader.schema.names)
            except (pa.ArrowException, OSError, ValueError, EOFError) as exc:
                raise self._error(exc) from None
        return self._names

    def schema(self) -> Any:
        """The column types pyarrow infers from the file's first block, as :meth:`read`
        infers them."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        one_column = len(self.column_names()) == 1
        try:
            with pacsv.open_csv(streams.binary(self.file),
                                parse_options=self._parse_options(one_column),
                                convert_options=pacsv.ConvertOptions(
                                    strings_can_be_null=True)) as reader:
                return reader.schema
        except (pa.ArrowException, OSError, ValueError, EOFError) as exc:
            raise self._error(exc) from None

    def read(self, columns: Sequence[str] | None) -> Any:
        """Read ``columns`` (all when None). pyarrow infers each column's type over the whole
        file, parses floats exactly, and treats empty cells, NA, null and NaN as missing."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = self.column_names()
        convert = pacsv.ConvertOptions(
            include_columns=list(columns) if columns is not None else None,
            strings_can_be_null=True,
        )
        try:
            table = pacsv.read_csv(streams.binary(self.file), convert_options=convert,
                                   parse_options=self._parse_options(len(names) == 1))
        except (pa.ArrowException, OSError, ValueError, EOFError) as exc:
            raise self._error(exc) from None
        self._check_text(table)
        return table

    def _check_text(self, table: Any) -> None:
        """pyarrow reads text that is not UTF-8 as binary, and an unterminated quote as one
        value running to the end of the file: both are broken files, not data."""
        import pyarrow as pa
        import pyarrow.compute as pc

        for name, column in zip(table.column_names, table.columns, strict=True):
            if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
                raise DriftInputError(
                    f"{self.where}: {self.file.path} is not UTF-8 text"
                    f"{streams.first_non_utf8_line(self.file)}, in column {name!r}. Re-encode "
                    "it as UTF-8 (e.g. iconv -f latin1 -t utf-8)."
                )
            # A quoted value may hold line breaks; one that runs to the end of the file is a
            # quote never closed (checked only when some value holds a line break).
            if pa.types.is_string(column.type) and pc.any(
                    pc.match_substring(column, "\n")).as_py():
                line = self._unterminated_quote_line()
                if line is not None:
                    raise DriftInputError(
                        f"{self.where}: {self.file.path} has a quote that is never closed (from "
                        f"line {line}), in column {name!r}: everything after it became one "
                        "value. Fix the quoting of that row."
                    )

    def _unterminated_quote_line(self) -> int | None:
        """The line where a quoted value starts that never ends, or None."""
        start = 1
        try:
            with streams.text(self.file) as text:
                reader = csv.reader(text, delimiter=self.delimiter, strict=True)
                for _ in reader:
                    start = reader.line_num + 1
        except csv.Error:
            return start
        except (OSError, UnicodeError, EOFError):
            return None
        return None

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        size = self.file.path.stat().st_size
        if self.file.compression is not None:
            size *= 5  # a typical ratio for text; the header does not say
        if columns is None:
            return size
        return size * max(len(columns), 1) // max(len(self.column_names()), 1)

    def _error(self, exc: Exception) -> DriftInputError:
        message = str(exc).strip()
        path = self.file.path
        if "Empty CSV file" in message or isinstance(exc, EOFError):
            if self.file.compression is None and path.stat().st_size > 0:
                return DriftInputError(
                    f"{self.where}: {path} does not look like {self.file.format.upper()} "
                    "text: no header line. Is it another format (format=...)?"
                )
            return DriftInputError(f"{self.where}: {path} is empty (no header, no rows)."
                                   f"{EMPTY_ADVICE}")
        if "UTF8" in message or "UTF-8" in message or isinstance(exc, UnicodeError):
            return DriftInputError(
                f"{self.where}: {path} is not UTF-8 text{streams.first_non_utf8_line(self.file)}"
                ". Re-encode it as UTF-8 (e.g. iconv -f latin1 -t utf-8)."
            )
        if isinstance(exc, OSError) and not isinstance(exc, ValueError):
            return DriftInputError(f"{self.where}: {path} cannot be read: {exc}")
        quote = self._unterminated_quote_line()
        if quote is not None:
            return DriftInputError(
                f"{self.where}: {path} has a quote that is never closed (from line {quote}): "
                "everything after it became one value. Fix the quoting of that row."
            )
        line = self._first_bad_line()
        at = f" at line {line}" if line else ""
        return DriftInputError(
            f"{self.where}: {path} is not valid {self.file.format.upper()}{at}: {message}. "
            "Fix the file or the job that writes it."
        )

    def _first_bad_line(self) -> int | None:
        """The line of the first row whose field count differs from the header's (error path
        only: pyarrow's message quotes the row but not its line)."""
        try:
            with streams.text(self.file) as text:
                reader = csv.reader(text, delimiter=self.delimiter)
                header = next(reader, None)
                for row in reader:
                    if header is not None and row and len(row) != len(header):
                        return reader.line_num
        except (OSError, csv.Error, UnicodeError, EOFError):
            return None
        return None
