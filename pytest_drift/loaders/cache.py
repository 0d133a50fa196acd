"""A session cache of loaded columns, so a dataset used by several checks is read once.

Entries are keyed by the files' resolved paths, sizes and modification times (a changed
file is read again) and by how they are parsed. An entry grows column by column: a check
that needs a column not read yet reads only that column.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any


class DatasetCache:
    """Loaded Arrow tables, least recently used evicted beyond ``max_bytes``."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self._tables: OrderedDict[Hashable, Any] = OrderedDict()
        self._complete: set[Hashable] = set()
        #: How many times a file was read (a miss), for tests and diagnostics.
        self.reads = 0

    def get(self, key: Hashable, columns: Sequence[str] | None,
            read: Callable[[Sequence[str] | None], Any]) -> Any:
        """The table of ``columns`` (all when None), reading only what is not cached."""
        import pyarrow as pa

        table = self._tables.get(key)
        if table is None or (columns is None and key not in self._complete):
            self.reads += 1
            table = read(columns)
            if not isinstance(table, pa.Table):
                return table
            self._store(key, table, complete=columns is None)
            return table if columns is None else table.select(list(columns))
        self._tables.move_to_end(key)
        if columns is None:
            return table
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            self.reads += 1
            extra = read(missing)
            for name in missing:
                table = table.append_column(name, extra.column(name))
            self._store(key, table, complete=key in self._complete)
        return table.select(list(columns))

    def _store(self, key: Hashable, table: Any, *, complete: bool) -> None:
        self._tables[key] = table
        self._tables.move_to_end(key)
        if complete:
            self._complete.add(key)
        if self.max_bytes is None:
            return
        while len(self._tables) > 1 and sum(t.nbytes for t in self._tables.values()) > \
                self.max_bytes:
            evicted, _ = self._tables.popitem(last=False)
            self._complete.discard(evicted)

    def clear(self) -> None:
        self._tables.clear()
        self._complete.clear()
