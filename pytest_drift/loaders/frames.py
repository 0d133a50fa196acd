"""Datasets passed as objects: a ``pandas.DataFrame`` or a ``pyarrow.Table``."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from pytest_drift.columns import column_names, is_pandas


class FrameSource:
    """An in-memory table; reading selects columns without copying the others."""

    files: tuple[str, ...] = ()
    cache_key: Hashable | None = None

    def __init__(self, frame: Any) -> None:
        self.frame = frame
        kind = "pandas.DataFrame" if is_pandas(frame) else "pyarrow.Table"
        rows = len(frame) if is_pandas(frame) else frame.num_rows
        self.description = f"<{kind} {rows}×{len(column_names(frame))}>"

    def column_names(self) -> list[str]:
        return column_names(self.frame)

    def read(self, columns: Sequence[str] | None) -> Any:
        if columns is None:
            return self.frame
        if is_pandas(self.frame):
            wanted = set(columns)
            return self.frame[[c for c in self.frame.columns if str(c) in wanted]]
        return self.frame.select(list(columns))

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        return 0  # already in memory
