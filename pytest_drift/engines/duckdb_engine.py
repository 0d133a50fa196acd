"""The ``duckdb`` engine: data larger than memory, reduced where it lies.

DuckDB scans the Parquet and CSV files itself (only the tested columns, out of core under a
memory limit, spilling to a temporary directory); the SQL is in
:mod:`pytest_drift.engines.duckdb_sql`, the numeric reduction in
:mod:`pytest_drift.engines.duckdb_numeric`. Sources DuckDB cannot scan (JSON, Feather,
compressed CSV other than gzip and zstd, datasets at URLs, a ``pytest_drift_load`` hook's
result) are loaded into memory first and registered.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.engines import duckdb_numeric
from pytest_drift.engines import duckdb_sql as sql
from pytest_drift.engines.base import (
    InPlaceEngine,
    NumericSummary,
    empty_side,
    engine_module,
    numeric_summary,
    too_few,
)
from pytest_drift.errors import DriftInputError

if TYPE_CHECKING:
    import pyarrow as pa

    from pytest_drift.columns import CategoryCounts, KindInfo
    from pytest_drift.engines.steps import Reduction
    from pytest_drift.loaders import LoadContext, LoadedData
    from pytest_drift.options import CheckOptions

INSTALL = "pip install 'pytest-datadrift[duckdb]'"

#: Values stream from DuckDB in batches of this many rows.
BATCH_ROWS = 1 << 20


def default_memory_limit() -> int:
    """Half of the memory available now (2 GB when the system does not say)."""
    from pytest_drift.loaders.budget import available_memory

    available = available_memory()
    return available // 2 if available else 2 * 10**9


def require_duckdb(origin: str) -> Any:
    """The ``duckdb`` module, or a usage error that says how to install it."""
    return engine_module("duckdb", "duckdb", "DuckDB", INSTALL, origin)


@dataclass(frozen=True)
class Opened:
    """A dataset as DuckDB sees it: a view, its columns and their types."""

    view: str
    description: str
    files: tuple[str, ...]
    rows: int
    types: Mapping[str, str]
    #: The column types as pyarrow reads them (what the memory engine would see), so that
    #: both engines infer the same kinds; or the loaded frame itself.
    arrow_schema: Any = None
    frame: Any = None

    @property
    def column_names(self) -> list[str]:
        return list(self.types)


class DuckDBEngine(InPlaceEngine):
    """Both datasets as DuckDB views on one connection with a memory limit."""

    name = "duckdb"

    def __init__(self, memory_limit: int, threads: int | None = None,
                 origin: str = "engine") -> None:
        duckdb = require_duckdb(origin)
        self.memory_limit = memory_limit
        self._spill = tempfile.mkdtemp(prefix="pytest-drift-duckdb-")
        self.con = duckdb.connect(":memory:")
        self._run(f"SET memory_limit = '{max(memory_limit // (1 << 20), 64)}MiB'")
        self._run(f"SET temp_directory = {sql.literal(self._spill)}")
        self._run("SET preserve_insertion_order = false")
        # DuckDB trusts Parquet min/max statistics, which leave NaN out, and folds isnan()
        # filters away on them (duckdb/duckdb#25521): wrong counts and a wrong gap.
        self._run(
            "SET disabled_optimizers = 'statistics_propagation,filter_pushdown'")
        # Sorts and windows need room per thread, or DuckDB runs out of memory instead of
        # spilling: a thread per 512 MiB of the limit.
        from pytest_drift.parallel import usable_cpus

        if threads is None:
            threads = max(1, min(usable_cpus(), memory_limit // (512 * 2**20)))
        self._run(f"SET threads = {int(threads)}")
        self.sides: dict[str, Opened] = {}
        self._counts: dict[tuple[str, str], _SideCounts] = {}

    # -- opening -----------------------------------------------------------------------------

    def open(self, role: str, source: Any, context: LoadContext, columns: Sequence[str] | None,
             load: Callable[[], LoadedData]) -> Opened:
        """Make ``source`` the view of ``role``: files DuckDB can scan are scanned in place,
        anything else is loaded by ``load`` and registered."""
        view = f"drift_{role}"
        scan = sql.scan(source, context) if isinstance(source, str) else None
        frame = schema = None
        if scan is not None:
            table, description, files, schema = scan
            try:
                self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {table}")
            except Exception as exc:  # duckdb's own exception classes
                raise DriftInputError(f"{context.where}: DuckDB could not read {source!r}: "
                                      f"{exc}") from None
        else:
            loaded = load()
            frame = loaded.table
            self.con.register(f"{view}_data", frame)
            self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {view}_data")
            description, files = loaded.description, loaded.files
        described = self.con.execute(f"DESCRIBE {view}").fetchall()
        types = {str(row[0]): str(row[1]) for row in described}
        rows = int(self.one(f"SELECT count(*) FROM {view}")[0])
        opened = Opened(view, description, files, rows, types, schema, frame)
        self.sides[role] = opened
        return opened

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._spill, ignore_errors=True)

    def _run(self, sql: str) -> None:
        """A statement, its result read to the end (DuckDB holds the connection until)."""
        self.con.execute(sql).fetchall()

    def one(self, query: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...]:
        try:
            rows = self.con.execute(query, list(parameters)).fetchall()
        except Exception as exc:
            raise self._out_of_memory(exc) or exc from None
        return tuple(rows[0])

    def _out_of_memory(self, exc: Exception) -> DriftInputError | None:
        """DuckDB's out-of-memory error as the input error that says which limit to raise;
        None for any other error."""
        if type(exc).__name__ != "OutOfMemoryException":
            return None
        return DriftInputError(
            f"the duckdb engine ran out of memory under duckdb_memory_limit "
            f"({self.memory_limit // 2**20} MiB) even spilling to disk: raise the "
            f"limit (duckdb_memory_limit='4GB'): {exc}")

    # -- the engine protocol -----------------------------------------------------------------

    def kinds(self, feature: str) -> tuple[KindInfo, KindInfo]:
        """As the memory engine infers them: from the loaded frame, or from the types
        pyarrow gives the files (Parquet schema, CSV inference), never from DuckDB's own
        type guesses."""
        from pytest_drift.columns import KindInfo, arrow_kind, column_kind

        kinds = []
        for role in ("baseline", "candidate"):
            side = self.sides[role]
            if side.frame is not None:
                kinds.append(column_kind(side.frame, feature))
                continue
            if sql.is_numeric(side.types[feature]):
                present = self._side_counts(role, feature).present
            else:
                present = int(self.one(
                    f"SELECT count({sql.quoted(feature)}) FROM {side.view}")[0])
            if side.arrow_schema is not None:
                kinds.append(arrow_kind(side.arrow_schema.field(feature).type, present == 0))
                continue
            duck_type = side.types[feature]
            name = sql.ARROW_NAMES.get(duck_type, duck_type.lower())
            if present == 0:
                kinds.append(KindInfo("empty", name))
            elif sql.is_numeric(duck_type):
                kinds.append(KindInfo("numeric", name))
            elif duck_type in ("VARCHAR", "BOOLEAN") or duck_type.startswith("ENUM"):
                kinds.append(KindInfo("categorical", name))
            else:
                kinds.append(KindInfo("unsupported", name))
        return kinds[0], kinds[1]

    def side_categories(self, role: str, feature: str) -> CategoryCounts:
        from pytest_drift.columns import counts_of_values

        side = self.sides[role]
        column = sql.quoted(feature)
        value = (f"CASE WHEN isnan({column}) THEN NULL ELSE {column} END"
                 if side.types[feature] in sql.FLOATS else column)
        return counts_of_values(self.con.execute(
            f"SELECT {value} AS v, count(*) FROM {side.view} GROUP BY v").fetchall())

    def value_counts(self, role: str, feature: str) -> tuple[pa.Array, pa.Array]:
        """Fetched through Arrow, so integers and decimals keep their exact type."""
        query = (f"SELECT {sql.quoted(feature)} AS v, count(*) AS c "
                 f"FROM {self.sides[role].view} GROUP BY v")
        try:
            table = self.con.sql(query).to_arrow_table()
        except Exception as exc:
            raise self._out_of_memory(exc) or exc from None
        return table.column("v").combine_chunks(), table.column("c").combine_chunks()

    def grouped_counts(self, role: str, by: Sequence[str], feature: str | None) -> pa.Table:
        return self.grouped_sql(role, [sql.quoted(column) for column in by], feature)

    def grouped_sql(self, role: str, expressions: Sequence[str], feature: str | None
                    ) -> pa.Table:
        """:meth:`grouped_counts` by SQL expressions (a row's time window) as well as
        columns."""
        from pytest_drift.segments import ROWS_COLUMN, VALUE_COLUMN, grouped_names

        selected = [f"{expression} AS {sql.quoted(name)}" for expression, name in
                    zip(expressions, grouped_names(expressions), strict=True)]
        if feature is not None:
            selected.append(f"{sql.quoted(feature)} AS {sql.quoted(VALUE_COLUMN)}")
        query = (f"SELECT {', '.join([*selected, f'count(*) AS {sql.quoted(ROWS_COLUMN)}'])}"
                 f" FROM {self.sides[role].view} GROUP BY ALL")
        try:
            return self.con.sql(query).to_arrow_table()
        except Exception as exc:
            raise self._out_of_memory(exc) or exc from None

    def summarize(self, feature: str, options: CheckOptions, charts: bool,
                  defer_costly: bool = False) -> NumericSummary | str:
        finite = {role: self.finite(role, feature) for role in self.sides}
        train, prod = (self._side_counts(role, feature) for role in ("baseline", "candidate"))
        reason = (empty_side(train.n, train.infinite, prod.n, prod.infinite)
                  or too_few(train.n, prod.n, options.min_samples))
        if reason:
            return reason
        pooled = sql.pooled(finite["baseline"], finite["candidate"])
        reduced = self._reduce(feature, pooled, train.n, prod.n, charts)
        chart = None
        if charts:
            assert reduced.grid is not None  # a reduction with charts finds the grid
            chart = duckdb_numeric.chart(self, pooled, reduced.grid, train.n, prod.n,
                                         reduced.gap.location)
        return numeric_summary(
            reduced, reduced.bins or duckdb_numeric.bins(self, pooled, reduced.edges), chart,
            train, prod, options.alpha)

    def finite(self, role: str, feature: str, sample: str = "") -> str:
        """The side's finite values of the column, as a SELECT of ``v``
        (:func:`duckdb_sql.finite`)."""
        side = self.sides[role]
        return sql.finite(side.view, feature, side.types[feature],
                          {other.types[feature] for other in self.sides.values()}, sample)

    def _reduce(self, feature: str, pooled: str, n1: int, n2: int, charts: bool
                ) -> Reduction:
        """The feature's reduction (:func:`duckdb_numeric.reduce`)."""
        return duckdb_numeric.reduce(self, feature, pooled, n1, n2, charts)

    def _side_counts(self, role: str, feature: str) -> _SideCounts:
        """Rows, missing (null or NaN), ±inf, finite values and their mean: one scan,
        remembered (the column's kind needs its non-null count first)."""
        if (role, feature) not in self._counts:
            self._counts[role, feature] = self._count_side(role, feature)
        return self._counts[role, feature]

    def _count_side(self, role: str, feature: str) -> _SideCounts:
        side = self.sides[role]
        column, duck_type = sql.quoted(feature), side.types[feature]
        if duck_type in sql.FLOATS:
            finite = f"NOT isnan({column}) AND NOT isinf({column})"
            rows, present, nan, infinite, mean = self.one(
                f"SELECT count(*), count({column}), count(*) FILTER (WHERE isnan({column})), "
                f"count(*) FILTER (WHERE isinf({column})), "
                f"avg(CAST({column} AS DOUBLE)) FILTER (WHERE {finite}) FROM {side.view}")
        else:
            rows, present, mean = self.one(
                f"SELECT count(*), count({column}), avg(CAST({column} AS DOUBLE)) "
                f"FROM {side.view}")
            nan = infinite = 0
        n = int(present) - int(nan) - int(infinite)
        return _SideCounts(n=n, missing=int(rows) - int(present) + int(nan),
                           infinite=int(infinite),
                           mean=float(mean) if n and mean is not None else float("nan"),
                           present=int(present))

    def batches(self, query: str) -> Iterator[Any]:
        """The values of the SELECT of ``v`` (float64), as numpy arrays of up to
        ``BATCH_ROWS``, without holding them all."""
        try:
            for batch in self.con.sql(query).to_arrow_reader(BATCH_ROWS):
                yield batch.column(0).to_numpy()
        except Exception as exc:
            raise self._out_of_memory(exc) or exc from None


@dataclass(frozen=True)
class _SideCounts:
    """One side's counts of a numeric column: finite values, missing (null or NaN), ±inf,
    non-null, and the finite values' mean."""

    n: int
    missing: int
    infinite: int
    mean: float
    present: int
