"""Open a dataset by path or object and read only the columns a check needs.

:func:`open_source` picks a reader by file extension; every reader has ``column_names()``
(cheap: a header or schema) and ``read(columns)`` (the data, projected to those columns).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from pytest_drift.errors import DriftInputError


class SourceReader(Protocol):
    """A dataset that can list its columns and read some of them."""

    #: What the report shows as the dataset: the path as given, or the object's type.
    description: str
    #: Resolved files behind the dataset (empty for in-memory objects).
    files: tuple[str, ...]

    def column_names(self) -> list[str]: ...

    def read(self, columns: Sequence[str] | None) -> Any: ...


CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def resolve_path(raw: str, base_dir: Path | None) -> Path:
    """Expand ``~`` and ``${ENV}`` and anchor a relative path at ``base_dir`` (the rootdir)."""
    path = Path(os.path.expanduser(os.path.expandvars(raw)))
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def open_source(
    source: Any,
    *,
    role: str,
    origin: str,
    base_dir: Path | None = None,
    features_key: str = "features",
    api_log: bool | None = None,
) -> SourceReader:
    """Open ``source`` (a path, a ``pandas.DataFrame`` or a ``pyarrow.Table``) for reading.

    ``api_log`` True requires a JSON Lines file to be an API request log, None detects it.
    ``role`` ("baseline" or "candidate") and ``origin`` (where the option came from) go into
    every error message, so the user knows which file and which setting to fix.
    """
    from pytest_drift.loaders.frames import FrameSource

    if not isinstance(source, str):
        return FrameSource(source)
    path = resolve_path(source, base_dir)
    where = f"{role} {source!r} (from {origin})"
    if not path.exists():
        raise DriftInputError(
            f"{where}: file not found: {path}. Check the path; relative paths are resolved "
            f"against {base_dir or Path.cwd()}."
        )
    name = path.name.lower()
    if api_log and not name.endswith(JSONL_SUFFIXES):
        raise DriftInputError(f"{where}: an API log must be a JSON Lines file "
                              f"({', '.join(JSONL_SUFFIXES)}), not {path.name!r}.")
    if path.is_dir() or name.endswith(PARQUET_SUFFIXES):
        from pytest_drift.loaders.parquet import ParquetSource

        return ParquetSource(path, source, where)
    if name.endswith(CSV_SUFFIXES):
        from pytest_drift.loaders.csv import CsvSource

        return CsvSource(path, source, where)
    if name.endswith(JSONL_SUFFIXES):
        from pytest_drift.loaders.jsonl import JsonLinesSource

        return JsonLinesSource(path, source, where, features_key, api_log)
    known = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES + JSONL_SUFFIXES)
    raise DriftInputError(
        f"{where}: unknown format of {path.name!r}; supported file types: {known}, or a "
        "directory of Parquet files."
    )
