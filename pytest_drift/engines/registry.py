"""The engines a check can run on, by name: why one cannot read a source, whether ``auto``
prefers it, and how it opens a check's two datasets.

Light to import: an engine's module (and duckdb or pyspark) is imported only when a check
opens that engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.errors import DriftInputError
from pytest_drift.sources import is_spark_source, only_spark_reads

if TYPE_CHECKING:
    from pytest_drift.engines.base import Engine
    from pytest_drift.loaders import LoadContext, LoadedData
    from pytest_drift.options import CheckOptions

#: ``loader(source, columns, context) -> LoadedData``: how a check reads its datasets.
Loader = Callable[[Any, "Sequence[str] | None", "LoadContext"], "LoadedData"]


@dataclass(frozen=True)
class Side:
    """A dataset of the check as its engine opened it."""

    description: str
    files: tuple[str, ...]
    rows: int
    column_names: list[str]


@dataclass(frozen=True)
class OpenRequest:
    """What opening a check's datasets on an engine takes."""

    options: CheckOptions
    #: ``baseline`` and ``candidate``, as the options give them.
    sources: Mapping[str, Any]
    contexts: Mapping[str, LoadContext]
    #: The columns to read, when known before loading (None: every column).
    needed: Sequence[str] | None
    load: Loader


class OpenedCheck:
    """A check's engine with both datasets open; closes the engine on leaving a ``with``."""

    def __init__(self, engine: Engine, sides: dict[str, Side]) -> None:
        self.engine = engine
        self.sides = sides

    def __enter__(self) -> OpenedCheck:
        return self

    def __exit__(self, *exc_info: object) -> None:
        close = getattr(self.engine, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class EngineEntry:
    """One engine of the registry."""

    name: str
    #: Why the engine cannot read a source (None: it can).
    refusal: Callable[[Any, LoadContext], str | None]
    #: Whether ``engine='auto'`` picks this engine for the request.
    preferred: Callable[[OpenRequest], bool]
    opens: Callable[[OpenRequest], OpenedCheck]


def _refusal_of(engine: str) -> Callable[[Any, LoadContext], str | None]:
    def refusal(source: Any, context: LoadContext) -> str | None:
        return only_spark_reads(source, context, engine)

    return refusal


def _spark_refusal(source: Any, context: LoadContext) -> str | None:
    """The spark engine reads no URL: its JVM would need the hadoop-aws (or GCS) jars and
    their settings, which a pip-installed pyspark lacks."""
    from pytest_drift.loaders.remote import is_url

    if not is_url(source):
        return None
    return (f"{context.role} {source!r} (from {context.origin}) is a URL, which the spark "
            "engine does not read: use engine='memory' or engine='duckdb' (engine='auto' "
            "picks one), or read it in your Spark session (spark.read.parquet('s3a://...') "
            "with hadoop-aws configured) and pass the DataFrame.")


def _engine_origin(request: OpenRequest) -> str:
    return request.options.origins.get("engine", "engine")


def _open_memory(request: OpenRequest) -> OpenedCheck:
    from pytest_drift.columns import column_names
    from pytest_drift.engines.in_memory import MemoryEngine, row_count

    data = {role: request.load(source, request.needed, request.contexts[role])
            for role, source in request.sources.items()}
    sides = {role: Side(loaded.description, loaded.files, row_count(loaded.table),
                        column_names(loaded.table)) for role, loaded in data.items()}
    return OpenedCheck(MemoryEngine(data["baseline"].table, data["candidate"].table), sides)


def _open_in_place(engine: Any, request: OpenRequest) -> OpenedCheck:
    """Open each dataset where it lies; an engine that fails to open one is closed."""
    sides = {}
    try:
        for role, source in request.sources.items():
            def load(source: Any = source, role: str = role) -> LoadedData:
                return request.load(source, request.needed, request.contexts[role])

            opened = engine.open(role, source, request.contexts[role], request.needed, load)
            sides[role] = Side(opened.description, opened.files, opened.rows,
                               list(opened.column_names))
    except BaseException:
        engine.close()
        raise
    return OpenedCheck(engine, sides)


def _open_duckdb(request: OpenRequest) -> OpenedCheck:
    from pytest_drift.engines.duckdb_engine import DuckDBEngine, default_memory_limit

    limit = request.options.duckdb_memory_limit or default_memory_limit()
    return _open_in_place(DuckDBEngine(limit, origin=_engine_origin(request)), request)


def _open_spark(request: OpenRequest) -> OpenedCheck:
    from pytest_drift.engines.spark_engine import SparkEngine

    engine = SparkEngine(list(request.sources.values()), origin=_engine_origin(request))
    return _open_in_place(engine, request)


def _has_spark_source(request: OpenRequest) -> bool:
    return any(is_spark_source(source, request.contexts[role].base_dir)
               for role, source in request.sources.items())


def _too_large_for_memory(request: OpenRequest) -> bool:
    """Whether DuckDB is installed and a file dataset's tested columns would take more than
    its share of the available memory."""
    import importlib.util

    if importlib.util.find_spec("duckdb") is None:
        return False
    from pytest_drift.loaders import open_with
    from pytest_drift.loaders.budget import SHARE_PER_SIDE, available_memory

    available = available_memory()
    if available is None:
        return False
    from pytest_drift.loaders.remote import is_url

    for role, source in request.sources.items():
        if not isinstance(source, str) or is_url(source):
            continue  # DuckDB reads a URL from memory too: it cannot help
        try:
            needed_bytes = open_with(source, request.contexts[role]).estimated_bytes(
                request.needed)
        except DriftInputError:
            return False  # loading reports the problem
        if needed_bytes > available * SHARE_PER_SIDE:
            return True
    return False


#: Every engine, in the order ``auto`` asks them whether they prefer a check.
ENGINES: Mapping[str, EngineEntry] = {entry.name: entry for entry in (
    EngineEntry("spark", _spark_refusal, _has_spark_source, _open_spark),
    EngineEntry("duckdb", _refusal_of("duckdb"), _too_large_for_memory, _open_duckdb),
    EngineEntry("memory", _refusal_of("memory"), lambda request: True, _open_memory),
)}


def choose_engine(request: OpenRequest) -> str:
    """The engine a check runs on: the ``engine`` option, or for ``auto`` the first engine
    that prefers the check (``spark`` for Spark inputs, ``duckdb`` when the tested columns
    would not fit comfortably in memory and DuckDB is installed, else ``memory``)."""
    if request.options.engine != "auto":
        return request.options.engine
    return next(entry.name for entry in ENGINES.values() if entry.preferred(request))


def open_check(engine_name: str, request: OpenRequest) -> OpenedCheck:
    """Open both datasets on the engine; a source it cannot read is an input error."""
    entry = ENGINES[engine_name]
    for role, source in request.sources.items():
        refusal = entry.refusal(source, request.contexts[role])
        if refusal:
            raise DriftInputError(refusal)
    return entry.opens(request)
