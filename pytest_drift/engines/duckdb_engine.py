"""The ``duckdb`` engine: data larger than memory, reduced where it lies.

DuckDB scans the Parquet and CSV files itself (only the tested columns, out of core under a
memory limit, spilling to a temporary directory). Each numeric feature becomes a step table
inside DuckDB (counts per distinct value, running sums in value order); only a handful of
numbers per feature come back: the extreme gaps and their location, the Wasserstein sum,
the baseline's order statistics at the decile ranks and the counts below the bin edges.
The arithmetic is the same IEEE double arithmetic as the ``memory`` engine's
(:mod:`pytest_drift.engines.steps`), so both give the same report.

Many floats are mostly not sorted at all, as in the ``memory`` engine's
:mod:`pytest_drift.engines.buckets`: their finite values stream out of DuckDB in batches,
and numpy counts each side in narrow cells of the value range (cut by an order-preserving
expression, the range from a sample of a few vectors of rows), which bounds the gap inside
every cell; a second pass keeps only the values of the cells that can hold an extreme gap,
a change of its sign or an order statistic, and sorts them, with the counts of the cells
below them. Memory stays bounded by the batches and the kept values.

Sources DuckDB cannot scan (JSON, Feather, compressed CSV other than gzip and zstd, a
``pytest_drift_load`` hook's result) are loaded into memory first and registered.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.base import InPlaceEngine, NumericSummary, empty_side, too_few
from pytest_drift.errors import DriftInputError, DriftUsageError

if TYPE_CHECKING:
    from pytest_drift.columns import CategoryCounts, KindInfo
    from pytest_drift.engines.steps import Bins
    from pytest_drift.loaders import LoadContext, LoadedData
    from pytest_drift.options import CheckOptions

INSTALL = "pip install 'pytest-datadrift[duckdb]'"

_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
             "UINTEGER", "UBIGINT", "UHUGEINT"}
_FLOATS = {"FLOAT", "DOUBLE"}
#: How DuckDB's types are named in messages, as the memory engine (Arrow) names them.
_ARROW_NAMES = {"TINYINT": "int8", "SMALLINT": "int16", "INTEGER": "int32", "BIGINT": "int64",
                "UTINYINT": "uint8", "USMALLINT": "uint16", "UINTEGER": "uint32",
                "UBIGINT": "uint64", "FLOAT": "float", "DOUBLE": "double", "VARCHAR": "string",
                "BOOLEAN": "bool", "DATE": "date32[day]", "TIMESTAMP": "timestamp[us]"}
#: Read as missing in CSV files, as pyarrow (the memory engine's CSV reader) does.
CSV_NULLS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
             "1.#QNAN", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null")

#: From this many finite values (both sides) on, float features are counted in cells and
#: only some cells sorted.
CELLED_MIN_VALUES = 1_000_000
#: About this many values per cell, and from MIN_CELLS to MAX_CELLS cells.
VALUES_PER_CELL = 64
MIN_CELLS = 1 << 10
MAX_CELLS = 1 << 20
#: The cells cover the sample's values from this quantile to its complement; values beyond
#: fall in the first and last cell.
CELL_RANGE_QUANTILE = 1e-3
#: Sort every value instead when the cells to sort hold more than this share of them, or
#: more than a value per this many bytes of the memory limit.
MAX_SORTED_SHARE = 0.25
BYTES_PER_SORTED_VALUE = 64
#: Values stream from DuckDB in batches of this many rows.
BATCH_ROWS = 1 << 20
#: About this many values of each side are sampled (to see whether values repeat, and to
#: cut the cells).
SAMPLE_VALUES = 50_000
#: Values repeat a lot (counting them per value pays) when a sample holds at most this
#: share of distinct values.
REPEATING_SHARE = 0.05


def default_memory_limit() -> int:
    """Half of the memory available now (2 GB when the system does not say)."""
    from pytest_drift.loaders.budget import available_memory

    available = available_memory()
    return available // 2 if available else 2 * 10**9


def require_duckdb(origin: str) -> Any:
    """The ``duckdb`` module, or a usage error that says how to install it."""
    try:
        import duckdb
    except ImportError:
        raise DriftUsageError(
            "engine", "duckdb", origin,
            f"the duckdb engine needs DuckDB, which is not installed: {INSTALL}",
        ) from None
    return duckdb


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
        self._run(f"SET temp_directory = {_literal(self._spill)}")
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
        scan = _scan(source, context) if isinstance(source, str) else None
        frame = schema = None
        if scan is not None:
            sql, description, files, schema = scan
            try:
                self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {sql}")
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
        rows = int(self._one(f"SELECT count(*) FROM {view}")[0])
        opened = Opened(view, description, files, rows, types, schema, frame)
        self.sides[role] = opened
        return opened

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._spill, ignore_errors=True)

    def _run(self, sql: str) -> None:
        """A statement, its result read to the end (DuckDB holds the connection until)."""
        self.con.execute(sql).fetchall()

    def _one(self, sql: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...]:
        try:
            rows = self.con.execute(sql, list(parameters)).fetchall()
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
            if _is_numeric(side.types[feature]):
                present = self._side_counts(role, feature).present
            else:
                present = int(self._one(
                    f"SELECT count({quoted(feature)}) FROM {side.view}")[0])
            if side.arrow_schema is not None:
                kinds.append(arrow_kind(side.arrow_schema.field(feature).type, present == 0))
                continue
            duck_type = side.types[feature]
            name = _ARROW_NAMES.get(duck_type, duck_type.lower())
            if present == 0:
                kinds.append(KindInfo("empty", name))
            elif _is_numeric(duck_type):
                kinds.append(KindInfo("numeric", name))
            elif duck_type in ("VARCHAR", "BOOLEAN") or duck_type.startswith("ENUM"):
                kinds.append(KindInfo("categorical", name))
            else:
                kinds.append(KindInfo("unsupported", name))
        return kinds[0], kinds[1]

    def categories(self, feature: str) -> tuple[CategoryCounts, CategoryCounts]:
        from pytest_drift.columns import counts_of_values

        counted = []
        for role in ("baseline", "candidate"):
            side = self.sides[role]
            column = quoted(feature)
            duck_type = side.types[feature]
            value = (f"CASE WHEN isnan({column}) THEN NULL ELSE {column} END"
                     if duck_type in _FLOATS else column)
            rows = self.con.execute(
                f"SELECT {value} AS v, count(*) FROM {side.view} GROUP BY v").fetchall()
            counted.append(counts_of_values(rows))
        return counted[0], counted[1]

    def summarize(self, feature: str, options: CheckOptions, charts: bool,
                  defer_costly: bool = False) -> NumericSummary | str:
        from pytest_drift.stats.effects import min_detectable_ks
        from pytest_drift.stats.ks import ks_test

        finite = {role: self._finite(role, feature) for role in self.sides}
        train, prod = (self._side_counts(role, feature) for role in ("baseline", "candidate"))
        reason = (empty_side(train.n, train.infinite, prod.n, prod.infinite)
                  or too_few(train.n, prod.n, options.min_samples))
        if reason:
            return reason
        pooled = _pooled(finite["baseline"], finite["candidate"])
        reduced = self._reduce(feature, pooled, train.n, prod.n, charts)
        return NumericSummary(
            gap=reduced.gap, ks=ks_test(reduced.gap),
            train_missing=train.missing, prod_missing=prod.missing,
            train_infinite=train.infinite, prod_infinite=prod.infinite,
            train_mean=train.mean, prod_mean=prod.mean,
            wasserstein=reduced.wasserstein,
            bins=reduced.bins or self._bins(pooled, reduced.edges),
            min_detectable_ks=min_detectable_ks(train.n, prod.n, options.alpha),
            chart=(self._chart(pooled, reduced.grid, train.n, prod.n, reduced.gap.location)
                   if charts else None),
        )

    # -- numeric reduction -------------------------------------------------------------------

    def _finite(self, role: str, feature: str, sample: str = "") -> str:
        """The side's finite values of the column, as a SELECT of ``v``. Sides of two
        different number types are compared as float64, as numpy (and scipy) pool them.
        ``sample``: a ``TABLESAMPLE`` clause, to read only part of the rows."""
        side = self.sides[role]
        column, duck_type = quoted(feature), side.types[feature]
        types = {other.types[feature] for other in self.sides.values()}
        rows = f"(SELECT {column} FROM {side.view} {sample})" if sample else side.view
        if duck_type in _FLOATS:
            return (f"SELECT CAST({column} AS DOUBLE) AS v FROM {rows} WHERE {column} "
                    f"IS NOT NULL AND NOT isnan({column}) AND NOT isinf({column})")
        if len(types) > 1 and not any(t.startswith("DECIMAL") for t in types):
            return (f"SELECT CAST({column} AS DOUBLE) AS v FROM {rows} "
                    f"WHERE {column} IS NOT NULL")
        return f"SELECT {column} AS v FROM {rows} WHERE {column} IS NOT NULL"

    def _sampled(self, feature: str, method: str = "system") -> str:
        """The pooled finite values of about ``SAMPLE_VALUES`` rows of each side (all of a
        small side), as a SELECT of ``v`` and ``t``. ``system`` samples whole vectors of
        rows, which scans skip: it costs next to nothing, but may miss a small table."""
        finite = []
        for role in ("baseline", "candidate"):
            rows = self.sides[role].rows
            share = 100.0 * SAMPLE_VALUES / max(rows, 1)
            sample = f"TABLESAMPLE {share:.9f}% ({method}, 7)" if share < 50 else ""
            finite.append(self._finite(role, feature, sample))
        return _pooled(finite[0], finite[1])

    def _side_counts(self, role: str, feature: str) -> _SideCounts:
        """Rows, missing (null or NaN), ±inf, finite values and their mean: one scan,
        remembered (the column's kind needs its non-null count first)."""
        if (role, feature) not in self._counts:
            self._counts[role, feature] = self._count_side(role, feature)
        return self._counts[role, feature]

    def _count_side(self, role: str, feature: str) -> _SideCounts:
        side = self.sides[role]
        column, duck_type = quoted(feature), side.types[feature]
        if duck_type in _FLOATS:
            finite = f"NOT isnan({column}) AND NOT isinf({column})"
            rows, present, nan, infinite, mean = self._one(
                f"SELECT count(*), count({column}), count(*) FILTER (WHERE isnan({column})), "
                f"count(*) FILTER (WHERE isinf({column})), "
                f"avg(CAST({column} AS DOUBLE)) FILTER (WHERE {finite}) FROM {side.view}")
        else:
            rows, present, mean = self._one(
                f"SELECT count(*), count({column}), avg(CAST({column} AS DOUBLE)) "
                f"FROM {side.view}")
            nan = infinite = 0
        n = int(present) - int(nan) - int(infinite)
        return _SideCounts(n=n, missing=int(rows) - int(present) + int(nan),
                           infinite=int(infinite),
                           mean=float(mean) if n and mean is not None else float("nan"),
                           present=int(present))

    def _few_values(self, feature: str) -> bool:
        """Whether the values repeat a lot (counting them first pays), from a sample."""
        for method in ("system", "bernoulli"):
            sampled_values = self._sampled(feature, method)
            distinct, sampled = self._one(
                f"SELECT approx_count_distinct(v), count(*) FROM ({sampled_values})")
            if int(sampled) >= SAMPLE_VALUES // 10:
                break
        return bool(sampled) and int(distinct) <= REPEATING_SHARE * int(sampled)

    def _float_sample(self, feature: str) -> Any:
        """A sample of the pooled finite values (float64), sorted; empty when the sides
        hold no finite value."""
        import numpy as np

        sample = np.empty(0)
        for method in ("system", "bernoulli"):
            batches = list(self._batches(f"SELECT v FROM ({self._sampled(feature, method)})"))
            sample = np.concatenate(batches) if batches else np.empty(0)
            if sample.size >= SAMPLE_VALUES // 10:
                break
        return np.sort(sample)

    def _steps(self, pooled: str, grouped: bool) -> str:
        """A SELECT of the running counts in value order: ``v``, ``t`` (1 for a baseline
        row), ``b1``/``b2`` (values at or below, per side), ``nv`` (the next value) and
        ``last`` (the row holds the counts of its whole value, where scipy evaluates).

        ``grouped``: values are counted first, one row per distinct value (``t`` then says
        whether the baseline has it). Otherwise the raw values are sorted, baseline rows
        last within a value, so the last row of a value has its full counts and its ``t``
        says whether the baseline has it; ``b1`` then also numbers the baseline's rows in
        order, which gives its order statistics."""
        if grouped:
            return f"""
                WITH counted AS (
                    SELECT v, sum(t) AS c1, count(*) - sum(t) AS c2 FROM ({pooled}) GROUP BY v)
                SELECT v, CASE WHEN c1 > 0 THEN 1 ELSE 0 END AS t,
                       CAST(sum(c1) OVER w AS BIGINT) AS b1,
                       CAST(sum(c2) OVER w AS BIGINT) AS b2, lead(v) OVER w AS nv,
                       true AS last
                FROM counted WINDOW w AS (ORDER BY v ROWS UNBOUNDED PRECEDING)"""
        return f"""
            WITH running AS (
                SELECT v, t, CAST(sum(t) OVER w AS BIGINT) AS b1,
                       CAST(row_number() OVER w - sum(t) OVER w AS BIGINT) AS b2,
                       lead(v) OVER w AS nv
                FROM ({pooled}) WINDOW w AS (ORDER BY v, t ROWS UNBOUNDED PRECEDING))
            SELECT *, nv IS DISTINCT FROM v AS last FROM running"""

    @staticmethod
    def _at_ranks(grouped: bool, running: str, ranks: Sequence[int], baseline: bool
                  ) -> list[str]:
        """Aggregates giving the values of these ranks (0-based) of the sample counted by
        ``running``: one per rank when grouped, else one list of ``{rank, value}``."""
        if grouped:
            return [f"min(v) FILTER (WHERE {running} > {int(rank)})" for rank in ranks]
        positions = ", ".join(str(int(rank) + 1) for rank in sorted(set(ranks)))
        who = "t = 1 AND " if baseline else ""
        return [f"list({{'r': {running} - 1, 'v': v}}) FILTER (WHERE {who}{running} IN "
                f"({positions}))"]

    @staticmethod
    def _values(grouped: bool, found: Sequence[Any], ranks: Sequence[int]
                ) -> tuple[list[Any], int]:
        """The values at ``ranks`` from what :meth:`_at_ranks` found, and how many of
        ``found`` that used."""
        if grouped:
            return list(found[:len(ranks)]), len(ranks)
        by_rank = {int(item["r"]): item["v"] for item in found[0]}
        return [by_rank[int(rank)] for rank in ranks], 1

    def _reduce(self, feature: str, pooled: str, n1: int, n2: int, charts: bool
                ) -> _Reduced:
        """The KS gap and its location with scipy's rules, the Wasserstein sum, the
        baseline's decile edges (and the chart's grid): from cells when the values are many
        floats that rarely repeat, else from one sort of all of them."""
        import numpy as np

        floats = all(side.types[feature] in _FLOATS for side in self.sides.values())
        if floats and n1 + n2 >= CELLED_MIN_VALUES:
            sample = self._float_sample(feature)
            if sample.size:
                distinct = int(np.count_nonzero(sample[1:] != sample[:-1])) + 1
                if distinct <= REPEATING_SHARE * sample.size:
                    return self._sorted(pooled, n1, n2, charts, grouped=True)
                reduced = self._celled(feature, sample, n1, n2, charts)
                if reduced is not None:
                    return reduced
        return self._sorted(pooled, n1, n2, charts, self._few_values(feature))

    def _sorted(self, pooled: str, n1: int, n2: int, charts: bool, grouped: bool
                ) -> _Reduced:
        """:meth:`_reduce` by one sort of the pooled values (counted per value first when
        ``grouped``)."""
        import numpy as np

        from pytest_drift.engines.steps import (
            CHART_POINTS,
            interpolate,
            plain_number,
            quantile_ranks,
        )
        from pytest_drift.stats.effects import PSI_BINS
        from pytest_drift.stats.ks import KsGap

        gap = f"(CAST(b1 AS DOUBLE) / {float(n1)!r} - CAST(b2 AS DOUBLE) / {float(n2)!r})"
        row = "{'v': v, 'b1': b1, 'b2': b2}"
        deciles = quantile_ranks(n1, np.arange(1, PSI_BINS) / PSI_BINS)
        decile_ranks = [*deciles[0].tolist(), *deciles[1].tolist()]
        wanted = self._at_ranks(grouped, "b1", decile_ranks, baseline=True)
        grid_ranks = quantile_ranks(n1 + n2, np.linspace(0.0, 1.0, CHART_POINTS - 1))
        pooled_ranks = [*grid_ranks[0].tolist(), *grid_ranks[1].tolist()]
        if charts:
            wanted += self._at_ranks(grouped, "(b1 + b2)", pooled_ranks, baseline=False)
        # scipy's argmax over [sorted baseline, sorted candidate]: of the values attaining
        # the extreme, the smallest the baseline has, else the smallest. The gap is only
        # defined (not NULL) on rows that end a value; aggregates skip the others.
        found = self._one(f"""
            WITH steps AS ({self._steps(pooled, grouped)}),
            gaps AS (SELECT *, CASE WHEN last THEN {gap} END AS g FROM steps)
            SELECT max(g), min(g),
                   sum(abs(g) * (CAST(nv AS DOUBLE) - CAST(v AS DOUBLE))),
                   arg_min({row}, CASE WHEN last THEN {{'a': -g, 'b': -t, 'c': v}} END),
                   arg_min({row}, CASE WHEN last THEN {{'a': g, 'b': -t, 'c': v}} END),
                   {", ".join(wanted)}
            FROM gaps""")
        largest, smallest, area, at_largest, at_smallest = found[:5]
        negative = float(np.clip(-smallest, 0.0, 1.0))
        at = at_smallest if negative > largest else at_largest
        ks_gap = KsGap(n1, n2, int(at["b1"]), int(at["b2"]), plain_number(at["v"]))
        values, used = self._values(grouped, found[5:], decile_ranks)
        count = len(deciles[0])
        edges = np.unique(interpolate(np.array(values[:count], dtype=np.float64),
                                      np.array(values[count:], dtype=np.float64),
                                      deciles[2]))
        grid = None
        if charts:
            values, _ = self._values(grouped, found[5 + used:], pooled_ranks)
            half = len(grid_ranks[0])
            grid = np.unique(np.append(
                np.unique(interpolate(np.array(values[:half], dtype=np.float64),
                                      np.array(values[half:], dtype=np.float64),
                                      grid_ranks[2])),
                float(ks_gap.location)))
        return _Reduced(ks_gap, float(area or 0.0), edges, grid)

    def _celled(self, feature: str, sample: Any, n1: int, n2: int, charts: bool
                ) -> _Reduced | None:
        """:meth:`_reduce` from cells (the module's description), bins included; None when
        the cells do not spread the values enough to pay."""
        import numpy as np

        from pytest_drift.engines.steps import CHART_POINTS, quantile_ranks
        from pytest_drift.stats.effects import PSI_BINS

        if n1 * n2 >= 1 << 62:  # gaps in units of 1 / (n1 * n2) must fit in int64
            return None
        cells = _Cells.cut(sample, n1 + n2)
        if cells is None:
            return None
        finite = [self._finite(role, feature) for role in ("baseline", "candidate")]
        counts = _CellCounts(cells, *(cells.tally(self._batches(sql)) for sql in finite))
        if (int(counts.train.sum()), int(counts.prod.sum())) != (n1, n2):
            raise _changed()
        deciles = quantile_ranks(n1, np.arange(1, PSI_BINS) / PSI_BINS)
        grid_ranks = (quantile_ranks(n1 + n2, np.linspace(0.0, 1.0, CHART_POINTS - 1))
                      if charts else None)
        to_sort = counts.to_sort(deciles, grid_ranks)
        most = min(MAX_SORTED_SHARE * (n1 + n2), self.memory_limit / BYTES_PER_SORTED_VALUE)
        if int((counts.train + counts.prod)[to_sort].sum()) > most:
            return None
        train, prod = (cells.select(self._batches(sql), to_sort) for sql in finite)
        return counts.reduce(train, prod, to_sort, charts)

    def _batches(self, sql: str) -> Iterator[Any]:
        """The values of the SELECT of ``v`` (float64), as numpy arrays of up to
        ``BATCH_ROWS``, without holding them all."""
        try:
            for batch in self.con.sql(sql).to_arrow_reader(BATCH_ROWS):
                yield batch.column(0).to_numpy()
        except Exception as exc:
            raise self._out_of_memory(exc) or exc from None

    def _bins(self, pooled: str, edges: Any) -> Bins:
        """Counts of both sides in the bins at ``edges`` (a value on an edge goes up)."""
        from pytest_drift.engines.steps import Bins

        index = " + ".join(f"CAST(CAST(v AS DOUBLE) >= {float(edge)!r} AS INTEGER)"
                           for edge in edges) or "0"
        rows = self.con.execute(f"SELECT {index} AS bin, t, count(*) FROM ({pooled}) "
                                "GROUP BY ALL").fetchall()
        counts = {(int(b), int(t)): int(n) for b, t, n in rows}
        size = len(edges) + 1
        return Bins(tuple(float(e) for e in edges),
                    tuple(counts.get((b, 1), 0) for b in range(size)),
                    tuple(counts.get((b, 0), 0) for b in range(size)))

    def _chart(self, pooled: str, grid: Any, n1: int, n2: int, gap_at: Any
               ) -> dict[str, Any]:
        """Both ECDFs at the grid: each value counted at the first grid point at or above
        it (an ASOF join), then summed along the grid."""
        import numpy as np

        rows = self.con.execute(
            f"""WITH grid AS (SELECT unnest(?::DOUBLE[]) AS x),
                    pooled AS (SELECT CAST(v AS DOUBLE) AS v, t FROM ({pooled}))
                SELECT grid.x, pooled.t, count(*) FROM pooled ASOF JOIN grid
                ON pooled.v <= grid.x GROUP BY ALL""", [grid.tolist()]).fetchall()
        at = {float(x): index for index, x in enumerate(grid.tolist())}
        counts = np.zeros((2, len(grid)), dtype=np.int64)
        for x, t, count in rows:
            counts[0 if int(t) == 1 else 1, at[float(x)]] += int(count)
        below = np.cumsum(counts, axis=1)
        return {"kind": "ecdf", "x": grid.tolist(),
                "train": (below[0] / n1).tolist(), "prod": (below[1] / n2).tolist(),
                "gap_at": float(gap_at)}


@dataclass(frozen=True)
class _Reduced:
    gap: Any
    wasserstein: float
    edges: Any
    grid: Any
    bins: Bins | None = None


@dataclass(frozen=True)
class _SideCounts:
    n: int
    missing: int
    infinite: int
    mean: float
    present: int


def _pooled(baseline: str, candidate: str) -> str:
    """Both sides' SELECTs of ``v`` as one, with ``t`` (1 for a baseline row)."""
    return (f"SELECT v, 1 AS t FROM ({baseline}) "
            f"UNION ALL SELECT v, 0 AS t FROM ({candidate})")


def _changed() -> DriftInputError:
    return DriftInputError("the duckdb engine read different values in two scans of the same "
                           "data: the data changed while the check ran")


@dataclass(frozen=True)
class _Cells:
    """``count`` cells of equal width from ``low`` on: a value ``v`` falls in cell
    ``floor((v - low) * scale)``, clamped to the first and the last cell. Each step of that
    is monotone in ``v``, so a cell's values are all below the next cell's, and equal values
    (0.0 and -0.0 too) share a cell. Cell ``j`` spans from about ``start(j)`` to
    ``start(j + 1)`` (the first from -inf, the last to inf)."""

    low: float
    scale: float
    count: int

    @classmethod
    def cut(cls, sample: Any, values: int) -> _Cells | None:
        """Cells for ``values`` values like the sorted ``sample``; None when the sample
        spans no range."""
        import numpy as np

        count = int(min(MAX_CELLS, max(MIN_CELLS, values // VALUES_PER_CELL)))
        low, high = (float(x) for x in np.quantile(
            sample, [CELL_RANGE_QUANTILE, 1.0 - CELL_RANGE_QUANTILE]))
        scale = count / (high - low) if high > low else 0.0
        if not (np.isfinite(scale) and scale > 0 and np.isfinite(1.0 / scale)
                and np.isfinite(low + count / scale)):
            return None
        return cls(low, scale, count)

    def of(self, values: Any) -> Any:
        """The cell of each value."""
        import numpy as np

        scaled = values - self.low
        scaled *= self.scale
        np.clip(scaled, 0, self.count - 1, out=scaled)
        return scaled.astype(np.intp)

    def start(self, at: Any) -> Any:
        """Where each cell about starts: what its values' offsets are summed from (sums of
        the values themselves would lose the offsets' digits)."""
        return self.low + at / self.scale

    def bounds(self) -> Any:
        """Where every cell about starts, and where the last ends."""
        import numpy as np

        bounds = self.start(np.arange(self.count + 1, dtype=np.float64))
        bounds[[0, -1]] = -np.inf, np.inf
        return bounds

    def tally(self, batches: Iterable[Any]) -> tuple[Any, Any]:
        """Per cell, of one side's values: their count and the sum of their offsets from
        the cell's start."""
        import numpy as np

        counts = np.zeros(self.count, dtype=np.int64)
        offsets = np.zeros(self.count)
        for values in batches:
            at = self.of(values)
            counts += np.bincount(at, minlength=self.count)
            offset = self.start(at)
            np.subtract(values, offset, out=offset)
            offsets += np.bincount(at, weights=offset, minlength=self.count)
        return counts, offsets

    def select(self, batches: Iterable[Any], chosen: Any) -> Any:
        """The values of one side that fall in the ``chosen`` cells, sorted."""
        import numpy as np

        kept = [values[chosen[self.of(values)]] for values in batches]
        return np.sort(np.concatenate(kept)) if kept else np.empty(0)


class _CellCounts:
    """Both sides counted in the same cells (:meth:`_Cells.tally`)."""

    def __init__(self, cells: _Cells, train: tuple[Any, Any], prod: tuple[Any, Any]
                 ) -> None:
        import numpy as np

        self.cells = cells
        (self.train, self.train_offsets), (self.prod, self.prod_offsets) = train, prod
        self.present = (self.train + self.prod) > 0
        self.train_to, self.prod_to = np.cumsum(self.train), np.cumsum(self.prod)
        self.train_before = self.train_to - self.train
        self.prod_before = self.prod_to - self.prod
        self.n1, self.n2 = int(self.train_to[-1]), int(self.prod_to[-1])

    def to_sort(self, deciles: Any, grid_ranks: Any) -> Any:
        """The cells whose values must be sorted: those that can hold the largest or the
        smallest gap or a change of its sign, the first and the last, and those holding
        (or lying between) the order statistics of the deciles and the chart's grid."""
        import numpy as np

        n1, n2 = self.n1, self.n2
        end_gap = self.train_to * n2 - self.prod_to * n1
        upper = self.train_to * n2 - self.prod_before * n1
        lower = self.train_before * n2 - self.prod_to * n1
        # Float gaps of exact gaps closer than this may compare either way.
        slack = (n1 * n2 >> 49) + 1
        top, bottom = end_gap[self.present].max(), end_gap[self.present].min()
        one_sign = (lower >= 0) | (upper <= 0)
        to_sort = self.present & ((upper >= top - slack) | (lower <= bottom + slack)
                                  | ~one_sign)
        used = np.flatnonzero(self.present)
        to_sort[[used[0], used[-1]]] = True
        spans = [(self.train_to, deciles)]
        if grid_ranks is not None:
            spans.append((self.train_to + self.prod_to, grid_ranks))
        for cumulative, ranks in spans:
            starts = np.searchsorted(cumulative, ranks[0], side="right")
            ends = np.searchsorted(cumulative, ranks[1], side="right")
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                to_sort[start:end + 1] = True
        return to_sort

    def reduce(self, train: Any, prod: Any, to_sort: Any, charts: bool) -> _Reduced:
        """The statistics from the sorted cells' values of both sides (sorted) and the
        other cells' counts."""
        import numpy as np

        from pytest_drift.engines.memory import merge_sorted
        from pytest_drift.engines.steps import CHART_POINTS, StepTable, ks_gap, quantiles
        from pytest_drift.stats.effects import PSI_BINS

        if (train.size, prod.size) != (int(self.train[to_sort].sum()),
                                       int(self.prod[to_sort].sum())):
            raise _changed()
        local = merge_sorted(train, prod)
        at = self.cells.of(local.values)
        below = []
        for counts, before, local_below in ((self.train, self.train_before, local.train_below),
                                            (self.prod, self.prod_before, local.prod_below)):
            sorted_counts = np.where(to_sort, counts, 0)
            sorted_before = np.cumsum(sorted_counts) - sorted_counts
            below.append(before[at] + local_below - sorted_before[at])
        # Before each run of sorted cells, a step at the end of the cell before it (not
        # sorted): the counts before the run, exact. Such a step never holds an extreme
        # gap, so it is never a location; its value is NaN.
        used = np.flatnonzero(self.present)
        after_other = used[1:][~to_sort[used[:-1]] & to_sort[used[1:]]]
        previous = used[np.searchsorted(used, after_other) - 1]
        merged = np.argsort(np.concatenate((at, previous)), kind="stable")
        table = StepTable(
            np.concatenate((local.values, np.full(previous.size, np.nan)))[merged],
            np.concatenate((below[0], self.train_to[previous]))[merged],
            np.concatenate((below[1], self.prod_to[previous]))[merged])
        gap = ks_gap(table)
        edges = np.unique(quantiles(table.values, table.train_below,
                                    np.arange(1, PSI_BINS) / PSI_BINS))
        grid = None
        if charts:
            grid = np.unique(np.append(
                np.unique(quantiles(table.values, table.train_below + table.prod_below,
                                    np.linspace(0.0, 1.0, CHART_POINTS - 1))),
                float(gap.location)))
        return _Reduced(gap, self._wasserstein(local.values, at, below, to_sort),
                        edges, grid, _bins(table, edges))

    def _wasserstein(self, values: Any, at: Any, below: Sequence[Any], to_sort: Any
                     ) -> float:
        """The area between the ECDFs, cell by cell: a cell not sorted, where the gap keeps
        its sign, from its counts and offsets; a sorted one step by step."""
        import numpy as np

        n1, n2 = self.n1, self.n2
        bounds = self.cells.bounds()
        width = np.diff(bounds)
        gap_before = self.train_before / n1 - self.prod_before / n2
        # Where the gap is 0 (before the first value, after the last) the cell may be
        # infinitely wide.
        between = ~self.present & (gap_before != 0)
        parts = [np.abs(gap_before[between]) * width[between]]
        whole = np.flatnonzero(self.present & ~to_sort)
        areas = gap_before[whole] * width[whole]
        for counts, offsets, n, sign in ((self.train, self.train_offsets, n1, 1.0),
                                         (self.prod, self.prod_offsets, n2, -1.0)):
            areas += sign * (counts[whole] * width[whole] - offsets[whole]) / n
        parts.append(np.abs(areas))
        gaps = below[0] / n1 - below[1] / n2
        first = np.ones(values.size, dtype=bool)
        first[1:] = at[1:] != at[:-1]
        last = np.ones(values.size, dtype=bool)
        last[:-1] = first[1:]
        lead_in = gap_before[at[first]]
        parts.append(np.abs(lead_in[lead_in != 0])
                     * (values[first] - bounds[at[first]])[lead_in != 0])
        following = np.empty(values.size)
        following[:-1] = values[1:]
        following[last] = bounds[at[last] + 1]
        steps = gaps != 0
        parts.append(np.abs(gaps[steps]) * (following[steps] - values[steps]))
        return float(sum(np.sum(part) for part in parts))


def _bins(table: Any, edges: Any) -> Bins:
    """Counts of both sides in the bins at ``edges`` (a value on an edge goes up), from a
    step table exact around every edge: an edge lies between two sorted values with no
    other cell between them, so the values below it are those up to the step before the
    first sorted value at or above it."""
    import numpy as np

    from pytest_drift.engines.steps import Bins

    exact = np.flatnonzero(~np.isnan(table.values))
    first_above = exact[np.searchsorted(table.values[exact], edges, side="left")]
    counts = []
    for cumulative in (table.train_below, table.prod_below):
        padded = np.concatenate(([0], cumulative))
        bounds = np.concatenate(([0], padded[first_above], [cumulative[-1]]))
        counts.append(tuple(int(c) for c in np.diff(bounds)))
    return Bins(tuple(float(e) for e in edges), counts[0], counts[1])


def _is_numeric(duck_type: str) -> bool:
    return (duck_type in _INTEGERS or duck_type in _FLOATS
            or duck_type.startswith("DECIMAL"))


def _scan(raw: str, context: LoadContext
          ) -> tuple[str, str, tuple[str, ...], Any] | None:
    """A DuckDB table function reading the files of ``raw`` if DuckDB can read them, with
    the Arrow schema pyarrow gives them."""
    from pytest_drift.loaders.paths import expand

    where = f"{context.role} {raw!r} (from {context.origin})"  # as the file loaders say it
    root, files = expand(raw, context.base_dir, where, context.format)
    fmt = files[0].format
    paths = "[" + ", ".join(_literal(str(f.path)) for f in files) + "]"
    names = tuple(str(f.path.resolve()) for f in files)
    if fmt == "parquet":
        from pytest_drift.loaders.parquet import ParquetDataset

        # The memory engine's checks and messages (empty parts, no footer, parts that
        # disagree on columns), and the schema as pyarrow reads it.
        schema = ParquetDataset(root, files, where).dataset.schema
        hive = str(root.is_dir()).lower()
        return f"read_parquet({paths}, hive_partitioning = {hive})", raw, names, schema
    if fmt in ("csv", "tsv"):
        if any(f.path.suffix.lower() in (".bz2", ".xz") for f in files):
            return None
        from pytest_drift.loaders.csv import CsvFile

        # pyarrow's inference (the memory engine's), told to DuckDB column by column.
        schema = CsvFile(files[0], where).schema()
        types = ", ".join(f"{_literal(field.name)}: {_literal(_duck_type(field.type))}"
                          for field in schema)
        delimiter = "\\t" if fmt == "tsv" else ","
        nulls = "[" + ", ".join(_literal(n) for n in CSV_NULLS) + "]"
        return (f"read_csv({paths}, delim = {_literal(delimiter)}, header = true, "
                f"nullstr = {nulls}, auto_detect = false, "
                f"columns = {{{types}}})", raw, names, schema)
    return None


def _duck_type(arrow_type: Any) -> str:
    """The DuckDB type that parses a CSV column the way pyarrow typed it."""
    import pyarrow as pa

    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type):
        return "DOUBLE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    if pa.types.is_date(arrow_type):
        return "DATE"
    return "VARCHAR"
