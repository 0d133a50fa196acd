"""The ``duckdb`` engine: data larger than memory, reduced where it lies.

DuckDB scans the Parquet and CSV files itself (only the tested columns, out of core under a
memory limit, spilling to a temporary directory). Each numeric feature becomes a step table
inside DuckDB (counts per distinct value, running sums in value order); only a handful of
numbers per feature come back: the extreme gaps and their location, the Wasserstein sum,
the baseline's order statistics at the decile ranks and the counts below the bin edges.
The arithmetic is the same IEEE double arithmetic as the ``memory`` engine's
(:mod:`pytest_drift.engines.steps`), so both give the same report.

Sources DuckDB cannot scan (JSON, Feather, compressed CSV other than gzip and zstd, a
``pytest_drift_load`` hook's result) are loaded into memory first and registered.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.base import NumericSummary, empty_side, memory_only_test, too_few
from pytest_drift.errors import DriftInputError, DriftUsageError

if TYPE_CHECKING:
    from pytest_drift.columns import CategoryCounts, KindInfo, NumericColumn
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


class DuckDBEngine:
    """Both datasets as DuckDB views on one connection with a memory limit."""

    name = "duckdb"
    forkable = False

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
        self._counts: dict[str, dict[str, int]] = {}

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

    @property
    def rows(self) -> tuple[int, int]:
        return self.sides["baseline"].rows, self.sides["candidate"].rows

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
            if type(exc).__name__ == "OutOfMemoryException":
                raise DriftInputError(
                    f"the duckdb engine ran out of memory under duckdb_memory_limit "
                    f"({self.memory_limit // 2**20} MiB) even spilling to disk: raise the "
                    f"limit (duckdb_memory_limit='4GB'): {exc}") from None
            raise
        return tuple(rows[0])

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
            present = int(self._one(f"SELECT count({quoted(feature)}) FROM {side.view}")[0])
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

    def weight(self, feature: str) -> int:
        return 1

    def values(self, feature: str, options: CheckOptions
               ) -> tuple[NumericColumn, NumericColumn] | str:
        raise memory_only_test(self.name, feature, options)

    def categories(self, feature: str) -> tuple[CategoryCounts, CategoryCounts]:
        from pytest_drift.columns import CategoryCounts, category_label

        counted = []
        for role in ("baseline", "candidate"):
            side = self.sides[role]
            column = quoted(feature)
            duck_type = side.types[feature]
            value = (f"CASE WHEN isnan({column}) THEN NULL ELSE {column} END"
                     if duck_type in _FLOATS else column)
            rows = self.con.execute(
                f"SELECT {value} AS v, count(*) FROM {side.view} GROUP BY v").fetchall()
            counts: dict[str, int] = {}
            missing = 0
            for category, count in rows:
                if category is None:
                    missing += int(count)
                else:
                    label = category_label(category)
                    counts[label] = counts.get(label, 0) + int(count)
            counted.append(CategoryCounts(counts, missing))
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
        pooled = (f"SELECT v, 1 AS t FROM ({finite['baseline']}) "
                  f"UNION ALL SELECT v, 0 AS t FROM ({finite['candidate']})")
        reduced = self._reduce(pooled, train.n, prod.n, charts)
        return NumericSummary(
            gap=reduced.gap, ks=ks_test(reduced.gap),
            train_missing=train.missing, prod_missing=prod.missing,
            train_infinite=train.infinite, prod_infinite=prod.infinite,
            train_mean=train.mean, prod_mean=prod.mean,
            wasserstein=reduced.wasserstein, bins=self._bins(pooled, reduced.edges),
            min_detectable_ks=min_detectable_ks(train.n, prod.n, options.alpha),
            chart=(self._chart(pooled, reduced.grid, train.n, prod.n, reduced.gap.location)
                   if charts else None),
        )

    # -- numeric reduction -------------------------------------------------------------------

    def _finite(self, role: str, feature: str) -> str:
        """The side's finite values of the column, as a SELECT of ``v``. Sides of two
        different number types are compared as float64, as numpy (and scipy) pool them."""
        side = self.sides[role]
        column, duck_type = quoted(feature), side.types[feature]
        types = {other.types[feature] for other in self.sides.values()}
        if duck_type in _FLOATS:
            return (f"SELECT CAST({column} AS DOUBLE) AS v FROM {side.view} WHERE {column} "
                    f"IS NOT NULL AND NOT isnan({column}) AND NOT isinf({column})")
        if len(types) > 1 and not any(t.startswith("DECIMAL") for t in types):
            return (f"SELECT CAST({column} AS DOUBLE) AS v FROM {side.view} "
                    f"WHERE {column} IS NOT NULL")
        return f"SELECT {column} AS v FROM {side.view} WHERE {column} IS NOT NULL"

    def _side_counts(self, role: str, feature: str) -> _SideCounts:
        """Rows, missing (null or NaN), ±inf, finite values and their mean: one scan."""
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
                           mean=float(mean) if n and mean is not None else float("nan"))

    def _few_values(self, pooled: str) -> bool:
        """Whether the values repeat a lot (counting them first pays), from a sample."""
        distinct, sampled = self._one(
            f"SELECT approx_count_distinct(v), count(*) FROM ({pooled}) "
            "USING SAMPLE 100000 ROWS")
        return bool(sampled) and int(distinct) <= 0.05 * int(sampled)

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

    def _reduce(self, pooled: str, n1: int, n2: int, charts: bool) -> _Reduced:
        """One sort of the pooled values: the KS gap and its location with scipy's rules,
        the Wasserstein sum, the baseline's decile edges (and the chart's grid)."""
        import numpy as np

        from pytest_drift.engines.steps import (
            CHART_POINTS,
            interpolate,
            plain_number,
            quantile_ranks,
        )
        from pytest_drift.stats.effects import PSI_BINS
        from pytest_drift.stats.ks import KsGap

        grouped = self._few_values(pooled)
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


@dataclass(frozen=True)
class _SideCounts:
    n: int
    missing: int
    infinite: int
    mean: float


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
