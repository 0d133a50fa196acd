"""JSON Lines: plain records, or an API request log with the model inputs under a key.

An API log line looks like ``{"timestamp": ..., "features": {"x": 1.0}, "prediction": ...}``.
When the first record holds ``features_key`` (a dotted path for nested objects) as an object,
the file is read as a log: one row per request, the columns being that object's keys. The
other top-level keys (the request's ``timestamp``) are no columns of the log, but a check
that asks for one by name gets it (a windowed check's ``time_column``). Otherwise each line
is a flat record.

pyarrow parses well-formed files fast; anything it rejects is parsed again line by line with
Python's json module, which names the line of a bad record.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders import streams
from pytest_drift.loaders.paths import EMPTY_ADVICE, DataFile
from pytest_drift.loaders.records import ParsedWholeFile, json_lines, records_to_table
from pytest_drift.windows import LOG_TIME_KEY

#: A line whose first non-blank character does not open an object.
_NOT_AN_OBJECT = re.compile(rb"(?:^|\n)[ \t\r]*[^{\s]")


class JsonLinesFile(ParsedWholeFile):
    EXPANSION = (2, 10)

    def __init__(self, file: DataFile, where: str, features_key: str,
                 api_log: bool | None = None) -> None:
        self.file = file
        self.where = where
        self.keys = features_key.split(".")
        self.features_key = features_key
        self.api_log = api_log
        self._table: Any = None
        #: A log's top-level keys besides the model inputs (the request's time).
        self._top: Any = None

    def named_columns(self) -> list[str]:
        """A log's top-level keys, read when asked for by name."""
        self._load()
        return [] if self._top is None else list(self._top.column_names)

    def read(self, columns: Sequence[str] | None) -> Any:
        """The columns asked for; a log's top-level key (``timestamp``) when asked by name."""
        table = self._load()
        if columns is None:
            return table
        extra = [name for name in columns if name not in table.column_names
                 and self._top is not None and name in self._top.column_names]
        for name in extra:
            table = table.append_column(name, self._top.column(name))
        return table.select(list(columns))

    def _load(self) -> Any:
        if self._table is None:
            if self.file.compression is None and self.file.path.stat().st_size == 0:
                raise DriftInputError(f"{self.where}: {self.file.path} is empty (no lines)."
                                      f"{EMPTY_ADVICE}")
            self._table = self._fast() or self._careful()
        return self._table

    def _fast(self) -> Any:
        """pyarrow's reader; None when it cannot read the file as it is."""
        import pyarrow as pa

        try:
            return self._pyarrow()
        except (pa.ArrowException, OSError, ValueError, EOFError):  # UnicodeError included
            return None

    def _pyarrow(self) -> Any:
        import pyarrow as pa
        import pyarrow.json as pajson

        with streams.binary(self.file) as stream:
            data = stream.read()
        # pyarrow reads a line that is not an object (null, a number, a list) as a row of
        # nulls, or crashes on a first line of null: such files take the careful path.
        if _NOT_AN_OBJECT.search(data):
            return None
        table = pajson.read_json(pa.BufferReader(data))
        if self.keys[0] not in table.column_names:
            return None if self.api_log else table
        column = table.column(self.keys[0]).combine_chunks()
        for key in self.keys[1:]:
            if not pa.types.is_struct(column.type) or column.type.get_field_index(key) < 0:
                return None
            column = column.field(key)
        if not pa.types.is_struct(column.type) or column.null_count:
            return None  # the careful path says which line is wrong
        self._top = table.drop_columns([self.keys[0]])
        return pa.Table.from_arrays(column.flatten(), names=[f.name for f in column.type])

    def _careful(self) -> Any:
        try:
            with streams.text(self.file) as text:
                return records_to_table(self._rows(json_lines(text, self.where,
                                                              self.file.path)))
        except UnicodeError:
            raise DriftInputError(
                f"{self.where}: {self.file.path} is not UTF-8 text"
                f"{streams.first_non_utf8_line(self.file)}. Re-encode it as UTF-8."
            ) from None
        except (OSError, EOFError) as exc:
            raise DriftInputError(f"{self.where}: {self.file.path} cannot be read: {exc}"
                                  ) from None

    def _rows(self, lines: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
        """Each record, or its model inputs when the file is an API log."""
        first = next(lines, None)
        if first is None:
            raise DriftInputError(f"{self.where}: {self.file.path} holds no JSON lines.")
        is_log = isinstance(first[1].get(self.keys[0]), dict)
        if self.api_log and not is_log:
            raise DriftInputError(
                f"{self.where}: {self.file.path} is not an API log: line {first[0]} has no "
                f"{self.keys[0]!r} object; set features_key to the key of the model inputs."
            )
        times: list[Any] = []
        for number, record in itertools.chain([first], lines):
            if is_log:
                times.append(record.get(LOG_TIME_KEY))
            yield self._inputs(number, record) if is_log else record
        if is_log and any(time is not None for time in times):
            import pyarrow as pa

            self._top = pa.table({LOG_TIME_KEY: pa.array(times)})

    def _inputs(self, number: int, record: dict[str, Any]) -> dict[str, Any]:
        value: Any = record
        for depth, key in enumerate(self.keys):
            value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                path = ".".join(self.keys[: depth + 1])
                raise DriftInputError(
                    f"{self.where}: {self.file.path} line {number} has no {path!r} object; "
                    "every request line must carry the model inputs (features_key="
                    f"{self.features_key!r})."
                )
        if not isinstance(value, dict):
            raise DriftInputError(
                f"{self.where}: {self.file.path} line {number}: {self.features_key!r} holds a "
                f"{type(value).__name__}, not an object of model inputs."
            )
        return value


