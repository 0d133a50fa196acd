"""Several files of one row format (a glob or a directory of CSV parts) read as one table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pytest_drift.errors import DriftInputError


class FileReader(Protocol):
    def column_names(self) -> list[str]: ...

    def read(self, columns: Sequence[str] | None) -> Any: ...

    def estimated_bytes(self, columns: Sequence[str] | None) -> int: ...


class Concatenated:
    """Files with the same columns, concatenated in sorted path order."""

    def __init__(self, parts: Sequence[tuple[str, FileReader]], where: str) -> None:
        self.parts = parts
        self.where = where

    def column_names(self) -> list[str]:
        first_path, first = self.parts[0]
        names = first.column_names()
        for path, part in self.parts[1:]:
            if set(part.column_names()) != set(names):
                raise DriftInputError(
                    f"{self.where}: {path} has columns {part.column_names()} but {first_path} "
                    f"has {names}; the parts of one dataset must have the same columns. Rewrite "
                    "them with one schema, or point at the parts you mean."
                )
        return names

    def read(self, columns: Sequence[str] | None) -> Any:
        import pyarrow as pa

        wanted = list(columns) if columns is not None else self.column_names()
        tables = [part.read(wanted).select(wanted) for _, part in self.parts]
        try:
            return pa.concat_tables(tables, promote_options="permissive")
        except (pa.ArrowException, ValueError) as exc:
            raise DriftInputError(
                f"{self.where}: the parts disagree on column types ({exc}); write them with one "
                "schema."
            ) from None

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        return sum(part.estimated_bytes(columns) for _, part in self.parts)
