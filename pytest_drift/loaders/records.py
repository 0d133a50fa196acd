"""Python records (dicts from JSON) to an Arrow table, one column per key.

Used for JSON files and for JSON Lines that pyarrow's fast reader rejects: Python's json
module parses floats exactly and knows the line of every record. A column that mixes numbers
and strings becomes text, as it would in a CSV file, so the check can say which column is
numeric on one side and text on the other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders.paths import DataFile


class ParsedWholeFile:
    """A file that must be parsed whole to know its columns (JSON, JSON Lines): parsed
    once, then columns are selected from the table. Subclasses set ``file`` and implement
    ``_load()``; ``EXPANSION`` is the memory per byte of text (plain, compressed)."""

    file: DataFile
    EXPANSION: tuple[int, int] = (3, 15)

    def _load(self) -> Any:
        raise NotImplementedError

    def column_names(self) -> list[str]:
        return list(self._load().column_names)

    def read(self, columns: Sequence[str] | None) -> Any:
        table = self._load()
        return table if columns is None else table.select(list(columns))

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        plain, compressed = self.EXPANSION
        return self.file.path.stat().st_size * (compressed if self.file.compression else plain)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _column(values: list[Any]) -> Any:
    import pyarrow as pa

    present = [v for v in values if v is not None]
    if present and all(_is_number(v) for v in present):
        if all(isinstance(v, int) for v in present):
            try:
                return pa.array(values, type=pa.int64())
            except (OverflowError, pa.ArrowInvalid):
                return pa.array([None if v is None else str(v) for v in values])
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if present and all(isinstance(v, bool) for v in present):
        return pa.array(values, type=pa.bool_())
    if all(isinstance(v, (str, int, float, bool)) for v in present):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
    # Objects or lists: kept as JSON text of their own type, reported as untestable.
    return pa.array([None if v is None else json.dumps(v) for v in values],
                    type=pa.large_binary())


def records_to_table(records: Iterable[dict[str, Any]]) -> Any:
    """Columns in order of first appearance; a key absent from a record is a missing value."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {}
    for count, record in enumerate(records):
        for key in record:
            if key not in columns:
                columns[key] = [None] * count
        for key, values in columns.items():
            values.append(record.get(key))
    return pa.table({key: _column(values) for key, values in columns.items()})


def json_lines(stream: IO[str], where: str, path: object) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line; a bad line is an input error."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            raise DriftInputError(
                f"{where}: {path} line {number} nests objects or lists too deeply to be a "
                "record of features."
            ) from None
        except json.JSONDecodeError as exc:
            raise DriftInputError(
                f"{where}: {path} line {number} is not valid JSON ({exc.msg} at column "
                f"{exc.colno}). Each line must be one JSON object."
            ) from None
        if not isinstance(value, dict):
            raise DriftInputError(
                f"{where}: {path} line {number} is {_json_kind(value)}, not an object. Each "
                "line must be one JSON object."
            )
        yield number, value


def _json_kind(value: Any) -> str:
    """How JSON names the value: null, a number, a string, a list."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else "a list"
