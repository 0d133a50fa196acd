"""Open a dataset by path, URL or object and read only the columns a check needs.

:func:`open_with` turns what the user wrote (a path, a directory of parts, a glob, an
``s3://``, ``gs://`` or ``https://`` URL (:mod:`pytest_drift.loaders.remote`), a DataFrame or
an Arrow table) into a :class:`Source`; :func:`load` reads the columns a check
needs from it, through the session cache when there is one, after checking that they fit in
memory.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from pytest_drift.errors import DriftInputError, DriftTimeoutError
from pytest_drift.loaders.paths import FORMATS, DataFile, expand, resolve_path
from pytest_drift.loaders.remote import is_url
from pytest_drift.options import OPTIONS_BY_NAME

__all__ = ["FORMATS", "LoadContext", "LoadedData", "Source", "as_loaded", "is_url", "load",
           "open_with", "peek_columns", "resolve_path"]


class Source(Protocol):
    """A dataset that can list its columns and read some of them."""

    #: What the report shows as the dataset: the path as given, or the object's type.
    description: str
    #: Resolved files behind the dataset (empty for in-memory objects).
    files: tuple[str, ...]
    #: Identifies the data for the session cache (None: do not cache).
    cache_key: Hashable | None

    def column_names(self) -> list[str]: ...

    def read(self, columns: Sequence[str] | None) -> Any: ...

    def estimated_bytes(self, columns: Sequence[str] | None) -> int: ...


@dataclass(frozen=True)
class LoadContext:
    """What a loader needs to know besides the source and the columns."""

    role: str = "baseline"
    #: Where the source option came from, e.g. ``marker keyword baseline``.
    origin: str = "argument"
    base_dir: Path | None = None
    features_key: str = str(OPTIONS_BY_NAME["features_key"].default)
    #: The ``format`` option for this side; None detects it from the file name.
    format: str | None = None
    #: True requires a JSON Lines API log (the command line's online mode).
    api_log: bool | None = None
    #: Seconds a request for a dataset at a URL may wait for an answer.
    remote_timeout: float = cast(float, OPTIONS_BY_NAME["remote_timeout"].default)
    #: Where ``snapshot:NAME`` datasets are kept.
    baselines_dir: str = str(OPTIONS_BY_NAME["baselines_dir"].default)
    #: Columns to read besides all the others when every column is read (a windowed
    #: check's time column, which an API log holds outside its model inputs).
    also_read: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.role} (from {self.origin})"

    def as_mapping(self) -> Mapping[str, Any]:
        """The ``options`` argument of the ``pytest_drift_load`` hook."""
        return {"role": self.role, "origin": self.origin, "rootdir": self.base_dir,
                "features_key": self.features_key, "format": self.format,
                "api_log": self.api_log, "remote_timeout": self.remote_timeout,
                "also_read": self.also_read}

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> LoadContext:
        return cls(role=options.get("role", "baseline"),
                   origin=options.get("origin", "argument"),
                   base_dir=options.get("rootdir"),
                   features_key=options.get("features_key", cls.features_key),
                   format=options.get("format"), api_log=options.get("api_log"),
                   remote_timeout=options.get("remote_timeout", cls.remote_timeout),
                   also_read=tuple(options.get("also_read") or ()))


@dataclass(frozen=True)
class LoadedData:
    """A loaded dataset: the table, what to call it, and the files it came from."""

    table: Any
    description: str
    files: tuple[str, ...] = ()


class FileSource:
    """A dataset stored in one or more files of one format, on disk or at a URL."""

    def __init__(self, raw: str, context: LoadContext) -> None:
        where = f"{context.role} {raw!r} (from {context.origin})"
        self.description = raw
        #: Local copies of objects at a URL → the URL, which messages name instead.
        self._urls: dict[str, str] = {}
        if is_url(raw):
            self._open_url(raw, where, context)
            return
        root, files = expand(raw, context.base_dir, where, context.format)
        self.files = tuple(str(f.path.resolve()) for f in files)
        self.format = files[0].format
        self.reader: Any = _reader(root, files, where, context)
        stats = tuple((str(f.path.resolve()), f.path.stat().st_size, f.path.stat().st_mtime_ns)
                      for f in files)
        self.cache_key: Hashable | None = (files[0].format, context.features_key,
                                           context.api_log, stats)

    def _open_url(self, raw: str, where: str, context: LoadContext) -> None:
        """Parquet read through the URL's filesystem; other formats from local copies."""
        from pytest_drift.loaders import remote
        from pytest_drift.loaders.paths import detect
        from pytest_drift.loaders.remote_copies import answers_ranges, download

        found = remote.find(raw, where, context.format, context.remote_timeout)
        self.files = tuple(item.url for item in found.objects)
        self.format = found.format
        self.cache_key = (found.format, context.features_key, context.api_log,
                          found.fingerprint())
        if found.format == "parquet" and all(answers_ranges(found, item, where)
                                             for item in found.objects):
            from pytest_drift.loaders.parquet import ParquetDataset, Part

            parts = [Part(item.path, item.url, item.size) for item in found.objects]
            self.reader = ParquetDataset(found.root, parts, where, found.filesystem)
            return
        copies = [download(found, item, where) for item in found.objects]
        self._urls = {str(copy): item.url for copy, item in zip(copies, found.objects,
                                                               strict=True)}
        with self._naming_urls():
            files = [detect(copy, where, found.format) for copy in copies]
            self.reader = _reader(copies[0], files, where, context)

    @contextmanager
    def _naming_urls(self) -> Iterator[None]:
        """Input errors name the URL of an object, not its local copy."""
        try:
            yield
        except DriftInputError as exc:
            message = str(exc)
            for copy, url in self._urls.items():
                message = message.replace(copy, url)
            if message == str(exc):
                raise
            raise DriftInputError(message) from None

    def column_names(self) -> list[str]:
        with self._naming_urls():
            return list(self.reader.column_names())

    def named_columns(self) -> list[str]:
        """Columns read only when asked for by name (an API log's ``timestamp``)."""
        with self._naming_urls():
            return list(getattr(self.reader, "named_columns", list)())

    def read(self, columns: Sequence[str] | None) -> Any:
        with self._naming_urls():
            return self.reader.read(columns)

    def estimated_bytes(self, columns: Sequence[str] | None) -> int:
        with self._naming_urls():
            return int(self.reader.estimated_bytes(columns))


def _reader(root: Path, files: list[DataFile], where: str, context: LoadContext) -> Any:
    fmt = files[0].format
    if context.api_log and fmt != "jsonl":
        raise DriftInputError(
            f"{where}: an API log must be a JSON Lines file (.jsonl, .ndjson), not "
            f"{files[0].path.name!r}."
        )
    if fmt == "parquet":
        from pytest_drift.loaders.parquet import ParquetDataset

        return ParquetDataset(root, files, where)
    readers = [(str(f.path), _file_reader(f, where, context)) for f in files]
    if len(readers) == 1:
        return readers[0][1]
    from pytest_drift.loaders.multi import Concatenated

    return Concatenated(readers, where)


def _file_reader(file: DataFile, where: str, context: LoadContext) -> Any:
    if file.format in ("csv", "tsv"):
        from pytest_drift.loaders.csv import CsvFile

        return CsvFile(file, where)
    if file.format == "feather":
        from pytest_drift.loaders.feather import FeatherFile

        return FeatherFile(file, where)
    if file.format == "json":
        from pytest_drift.loaders.json import JsonFile

        return JsonFile(file, where)
    from pytest_drift.loaders.jsonl import JsonLinesFile

    return JsonLinesFile(file, where, context.features_key, context.api_log)


def open_with(source: Any, context: LoadContext) -> Source:
    """Open ``source`` (a path, glob, directory, URL, ``pandas.DataFrame`` or
    ``pyarrow.Table``).

    The context's ``role`` and ``origin`` (where the option came from) go into every error
    message, so the user knows which file and which setting to fix.
    """
    from pytest_drift.sources import is_snapshot_name

    if is_snapshot_name(source):
        from pytest_drift.snapshots.source import SnapshotSource

        return SnapshotSource(source, context)
    if isinstance(source, str):
        return FileSource(source, context)
    from pytest_drift.loaders.frames import FrameSource

    return FrameSource(source)


#: Formats whose column names cost a header or a footer, not a parse of the whole file.
_CHEAP_HEADERS = ("csv", "tsv", "parquet", "feather")


def peek_columns(source: Any, context: LoadContext) -> list[str] | None:
    """The source's column names if they are cheap to get, else None.

    None also when the built-in loaders cannot open it: a ``pytest_drift_load`` hook may
    know the source, and loading it reports the real error otherwise. A URL whose server
    did not answer in time is the error at once: loading would wait as long again.
    """
    from pytest_drift.sources import is_spark_frame, is_spark_source

    if is_spark_frame(source):
        return [str(name) for name in source.columns]
    if is_spark_source(source, context.base_dir):
        return None  # the spark engine reads it
    try:
        opened = open_with(source, context)
        if isinstance(opened, FileSource) and opened.format not in _CHEAP_HEADERS:
            return None
        return opened.column_names()
    except DriftTimeoutError:
        raise
    except DriftInputError:
        return None


def as_loaded(result: Any, source: Any, context: LoadContext) -> LoadedData:
    """What a ``pytest_drift_load`` implementation returned, as :class:`LoadedData`."""
    if isinstance(result, LoadedData):
        return result
    from pytest_drift.columns import is_pandas

    if is_pandas(result) or type(result).__name__ == "Table":
        description = source if isinstance(source, str) else f"<{type(source).__name__}>"
        return LoadedData(result, description)
    raise DriftInputError(
        f"{context.where}: the pytest_drift_load hook returned {type(result).__name__} for "
        f"{source!r}; return a pandas.DataFrame, a pyarrow.Table or None."
    )


def load(source: Any, columns: Sequence[str] | None, context: LoadContext,
         cache: Any = None) -> LoadedData:
    """Read ``columns`` (all when None) of ``source``: the built-in loader.

    Raises :class:`DriftInputError` when the data cannot be read or would not fit in memory.
    """
    from pytest_drift.loaders.budget import SHARE_PER_SIDE, available_memory, human_size

    opened = open_with(source, context)
    if columns is None and context.also_read:
        columns = [*opened.column_names(), *context.also_read]
    if columns is not None:
        known = [*opened.column_names(), *getattr(opened, "named_columns", list)()]
        columns = [c for c in columns if c in known]
    elif isinstance(opened, FileSource) and opened.format in _CHEAP_HEADERS:
        # "All columns", named, so the cache can serve them from columns read before.
        columns = opened.column_names()
    needed = opened.estimated_bytes(columns)
    available = available_memory()
    if available is not None and needed > available * SHARE_PER_SIDE:
        # DuckDB streams files from disk; a URL's table it gets from memory, as here.
        duckdb = ("copy the data to local disk and run the check on the DuckDB engine, which "
                  'streams it from there (engine="duckdb")' if is_url(source) else
                  'run the check on the DuckDB engine, which streams the data from disk: '
                  'engine="duckdb" (engine="auto" picks it by itself once DuckDB is '
                  "installed: pip install 'pytest-datadrift[duckdb]')")
        raise DriftInputError(
            f"{context.role} {opened.description!r} (from {context.origin}) is too large for "
            f"memory: the tested columns need about {human_size(needed)} and "
            f"{human_size(available)} is available. Test fewer features (features=[...]) "
            f"or a sample of the rows, or {duckdb}."
        )
    if cache is not None and opened.cache_key is not None:
        table = cache.get(opened.cache_key, columns, opened.read)
    else:
        table = opened.read(columns)
    return LoadedData(table, opened.description, opened.files)
