"""JSON Lines: plain records, or an API request log with the model inputs under a key.

An API log line looks like ``{"timestamp": ..., "features": {"x": 1.0}, "prediction": ...}``.
When the first record holds ``features_key`` (a dotted path for nested objects) as an object,
the file is read as a log: one row per request, the columns being that object's keys, other
keys ignored. Otherwise each line is a flat record.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftInputError


class JsonLinesSource:
    def __init__(self, path: Path, description: str, where: str, features_key: str,
                 api_log: bool | None = None) -> None:
        self.path = path
        self.description = description
        self.files: tuple[str, ...] = (str(path.resolve()),)
        self.where = where
        self.features_key = features_key
        self.api_log = api_log
        self._table: Any = None

    def _load(self) -> Any:
        if self._table is not None:
            return self._table
        import pyarrow as pa
        import pyarrow.json as pajson

        if self.path.stat().st_size == 0:
            raise DriftInputError(f"{self.where}: {self.path} is empty (no JSON lines).")
        try:
            table = pajson.read_json(self.path)
        except pa.ArrowInvalid as exc:
            raise DriftInputError(
                f"{self.where}: {self.path} is not valid JSON Lines{self._first_bad_line()}: "
                f"{exc}. Each line must be one JSON object."
            ) from None
        self._table = self._inputs(table)
        return self._table

    def _inputs(self, table: Any) -> Any:
        """The model inputs of an API log, flattened; a plain records table as it is."""
        import pyarrow as pa

        keys = self.features_key.split(".")
        if keys[0] not in table.column_names:
            if self.api_log:
                raise DriftInputError(
                    f"{self.where}: {self.path} is not an API log: its first line has no "
                    f"{keys[0]!r} key; set features_key to the key of the model inputs."
                )
            return table
        column = table.column(keys[0])
        for depth, key in enumerate(keys[1:], start=1):
            if not pa.types.is_struct(column.type) or column.type.get_field_index(key) < 0:
                missing = ".".join(keys[: depth + 1])
                raise DriftInputError(
                    f"{self.where}: {self.path} has no key {missing!r}; set features_key "
                    "to the path of the model inputs."
                )
            column = column.combine_chunks().field(key)
        if not pa.types.is_struct(column.type):
            raise DriftInputError(
                f"{self.where}: {self.path}: {self.features_key!r} holds "
                f"{column.type}, not an object of model inputs."
            )
        column = column.combine_chunks() if hasattr(column, "combine_chunks") else column
        if column.null_count:
            line = next(i for i, valid in enumerate(column.is_valid().to_pylist()) if not valid)
            raise DriftInputError(
                f"{self.where}: {self.path} line {line + 1} has no {self.features_key!r} "
                "object; every request line must carry the model inputs."
            )
        return pa.Table.from_arrays(column.flatten(), names=[f.name for f in column.type])

    def _first_bad_line(self) -> str:
        """`` at line N`` for the first line that is not a JSON object (error path only:
        pyarrow counts rows from 0 and skips blank lines, so its number misleads)."""
        import json

        with open(self.path, encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError:
                    return f" at line {number}"
                if not isinstance(value, dict):
                    return f" at line {number}"
        return ""

    def column_names(self) -> list[str]:
        return list(self._load().column_names)

    def read(self, columns: Sequence[str] | None) -> Any:
        table = self._load()
        return table if columns is None else table.select(list(columns))
