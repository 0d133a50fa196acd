"""The SQL the ``duckdb`` engine runs: names and literals, the scans of files DuckDB reads
itself (typed as pyarrow types them), a side's finite values, both sides pooled, and the
running counts of the pooled values in value order (the step table, inside DuckDB)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_drift.loaders import LoadContext

INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
             "UINTEGER", "UBIGINT", "UHUGEINT"}
FLOATS = {"FLOAT", "DOUBLE"}
#: How DuckDB's types are named in messages, as the memory engine (Arrow) names them.
ARROW_NAMES = {"TINYINT": "int8", "SMALLINT": "int16", "INTEGER": "int32", "BIGINT": "int64",
                "UTINYINT": "uint8", "USMALLINT": "uint16", "UINTEGER": "uint32",
                "UBIGINT": "uint64", "FLOAT": "float", "DOUBLE": "double", "VARCHAR": "string",
                "BOOLEAN": "bool", "DATE": "date32[day]", "TIMESTAMP": "timestamp[us]"}
#: Read as missing in CSV files, as pyarrow (the memory engine's CSV reader) does.
CSV_NULLS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
             "1.#QNAN", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null")


def quoted(name: str) -> str:
    """A column name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A string as a DuckDB literal."""
    return "'" + text.replace("'", "''") + "'"


def is_numeric(duck_type: str) -> bool:
    """Whether a column of this DuckDB type is tested as numbers."""
    return (duck_type in FLOATS or duck_type in INTEGERS
            or duck_type.startswith("DECIMAL"))


def finite(view: str, feature: str, duck_type: str, side_types: set[str],
           sample: str = "") -> str:
    """A side's finite values of the column, as a SELECT of ``v``. Sides of two different
    number types (``side_types``: the column's types on both sides) are compared as float64, as
    numpy (and scipy) pool them. ``sample``: a ``TABLESAMPLE`` clause, to read only part of
    the rows."""
    column = quoted(feature)
    rows = f"(SELECT {column} FROM {view} {sample})" if sample else view
    if duck_type in FLOATS:
        return (f"SELECT CAST({column} AS DOUBLE) AS v FROM {rows} WHERE {column} "
                f"IS NOT NULL AND NOT isnan({column}) AND NOT isinf({column})")
    if len(side_types) > 1 and not any(t.startswith("DECIMAL") for t in side_types):
        return (f"SELECT CAST({column} AS DOUBLE) AS v FROM {rows} "
                f"WHERE {column} IS NOT NULL")
    return f"SELECT {column} AS v FROM {rows} WHERE {column} IS NOT NULL"


def pooled(baseline: str, candidate: str) -> str:
    """Both sides' SELECTs of ``v`` as one, with ``t`` (1 for a baseline row)."""
    return (f"SELECT v, 1 AS t FROM ({baseline}) "
            f"UNION ALL SELECT v, 0 AS t FROM ({candidate})")


def running_counts(pooled: str, grouped: bool) -> str:
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


def at_ranks(grouped: bool, running: str, ranks: Sequence[int], baseline: bool
             ) -> list[str]:
    """Aggregates giving the values of these ranks (0-based) of the sample counted by
    ``running``: one per rank when grouped, else one list of ``{rank, value}``."""
    if grouped:
        return [f"min(v) FILTER (WHERE {running} > {int(rank)})" for rank in ranks]
    positions = ", ".join(str(int(rank) + 1) for rank in sorted(set(ranks)))
    who = "t = 1 AND " if baseline else ""
    return [f"list({{'r': {running} - 1, 'v': v}}) FILTER (WHERE {who}{running} IN "
            f"({positions}))"]


def values_at(grouped: bool, found: Sequence[Any], ranks: Sequence[int]
              ) -> tuple[list[Any], int]:
    """The values at ``ranks`` from what :func:`at_ranks` found, and how many of
    ``found`` that used."""
    if grouped:
        return list(found[:len(ranks)]), len(ranks)
    by_rank = {int(item["r"]): item["v"] for item in found[0]}
    return [by_rank[int(rank)] for rank in ranks], 1


def scan(raw: str, context: LoadContext
         ) -> tuple[str, str, tuple[str, ...], Any] | None:
    """A DuckDB table function reading the files of ``raw`` if DuckDB can read them, with
    the Arrow schema pyarrow gives them. None for a snapshot, and for a URL: DuckDB would
    need its httpfs extension (a download), so the loaders read it and the table is
    registered."""
    from pytest_drift.loaders.paths import expand
    from pytest_drift.loaders.remote import is_url
    from pytest_drift.sources import is_snapshot_name

    if is_url(raw) or is_snapshot_name(raw):
        return None  # read through the loader
    where = f"{context.role} {raw!r} (from {context.origin})"  # as the file loaders say it
    root, files = expand(raw, context.base_dir, where, context.format)
    fmt = files[0].format
    paths = "[" + ", ".join(literal(str(f.path)) for f in files) + "]"
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
        types = ", ".join(f"{literal(field.name)}: {literal(csv_type(field.type))}"
                          for field in schema)
        delimiter = "\\t" if fmt == "tsv" else ","
        nulls = "[" + ", ".join(literal(n) for n in CSV_NULLS) + "]"
        return (f"read_csv({paths}, delim = {literal(delimiter)}, header = true, "
                f"nullstr = {nulls}, auto_detect = false, "
                f"columns = {{{types}}})", raw, names, schema)
    return None


def csv_type(arrow_type: Any) -> str:
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
