"""How the Spark engine reads a dataset as a DataFrame: a DataFrame as it is, a metastore
table (``spark:db.table``), a Delta table, Parquet files read by Spark in place (typed as
pyarrow types them), anything else loaded as on the memory engine and handed to Spark."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.spark_session import column, first_line
from pytest_drift.errors import DriftInputError
from pytest_drift.sources import (
    SPARK_TABLE_PREFIX,
    is_delta_table,
    is_snapshot_name,
    is_spark_frame,
    is_spark_table_name,
)

if TYPE_CHECKING:
    from pytest_drift.loaders import LoadContext, LoadedData


@dataclass(frozen=True)
class SparkSide:
    """A dataset as the engine holds it."""

    frame: Any
    description: str
    files: tuple[str, ...]
    rows: int
    column_names: list[str]
    #: Per column: non-null values, NaN and ±inf (floating columns only).
    present: dict[str, int]
    nan: dict[str, int]
    infinite: dict[str, int]
    #: Where the kinds come from: the Arrow schema pyarrow gives the files, or the frame
    #: that was loaded (what the memory engine would see); else the DataFrame's schema.
    arrow_schema: Any = None
    loaded: Any = None


def read_source(session: Any, source: Any, context: LoadContext, load: Callable[[], LoadedData]
          ) -> tuple[Any, str, tuple[str, ...], Any, Any]:
    """The DataFrame of a source, its description and files, and where kinds come from
    (an Arrow schema or a loaded frame, when not from the DataFrame)."""
    if is_spark_frame(source):
        return source, "", (), None, None
    if is_spark_table_name(source):
        name = source[len(SPARK_TABLE_PREFIX):]
        try:
            return session.table(name), source, (), None, None
        except Exception as exc:  # pyspark's AnalysisException
            raise DriftInputError(
                f"{context.where}: Spark has no table {name!r} ({first_line(exc)}). "
                f"Name it as spark:database.table, as spark.table() would.") from None
    if is_delta_table(source, context.base_dir):
        return _read_delta(session, source, context)
    if isinstance(source, str) and not is_snapshot_name(source):
        scanned = _scan_parquet(session, source, context)
        if scanned is not None:
            return scanned
    loaded = load()
    return (_from_arrow(session, loaded.table), loaded.description, loaded.files, None,
            loaded.table)

def _read_delta(session: Any, raw: str, context: LoadContext
                ) -> tuple[Any, str, tuple[str, ...], Any, Any]:
    from pytest_drift.loaders.paths import resolve_path

    path = resolve_path(raw, context.base_dir).resolve()
    try:
        frame = session.read.format("delta").load(str(path))
    except Exception as exc:
        raise DriftInputError(
            f"{context.where}: {path} is a Delta table and this SparkSession cannot read "
            f"Delta ({first_line(exc)}). Configure Delta Lake on the session "
            "(pip install delta-spark; configure_spark_with_delta_pip), or pass "
            "spark.read.format('delta').load(...) as the dataset.") from None
    return frame, raw, (str(path),), None, None

def _scan_parquet(session: Any, raw: str, context: LoadContext
                  ) -> tuple[Any, str, tuple[str, ...], Any, Any] | None:
    """Parquet files read by Spark in place, with the schema pyarrow gives them (so the
    kinds are the memory engine's) and the memory engine's checks of the parts."""
    from pytest_drift.loaders.parquet import ParquetDataset
    from pytest_drift.loaders.paths import expand

    where = f"{context.role} {raw!r} (from {context.origin})"
    root, files = expand(raw, context.base_dir, where, context.format)
    if files[0].format != "parquet":
        return None
    schema = ParquetDataset(root, files, where).dataset.schema
    # Absolute: the JVM's working directory is where it started, not where we are.
    paths = ([str(root.resolve())] if root.is_dir()
             else [str(f.path.resolve()) for f in files])
    try:
        frame = session.read.parquet(*paths)
    except Exception as exc:
        raise DriftInputError(f"{where}: Spark could not read {raw!r}: "
                              f"{first_line(exc)}") from None
    return frame, raw, tuple(str(f.path.resolve()) for f in files), schema, None

def _from_arrow(session: Any, table: Any) -> Any:
    """A loaded table (pandas or Arrow) as a DataFrame; categoricals as their values."""
    import pyarrow as pa

    from pytest_drift.columns import is_pandas

    if is_pandas(table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    fields = [field.with_type(field.type.value_type)
              if pa.types.is_dictionary(field.type) else field for field in table.schema]
    return session.createDataFrame(table.cast(pa.schema(fields)))


class PooledValues:
    """A numeric feature's finite values of both sides in one DataFrame: ``v`` and ``t``
    (1 for a baseline row), or, once values are counted, ``v`` with the counts ``c1``,
    ``c2`` of each value."""

    def __init__(self, feature: str, raw: Any, parse: Callable[[str], Any]) -> None:
        self.feature = feature
        self.raw = raw
        self.rows = raw
        self.weighted = False
        self.parse = parse

    @classmethod
    def of(cls, sides: Mapping[str, SparkSide], feature: str) -> PooledValues:
        """Both sides' finite values, typed as numpy pools them."""
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        types = [sides[role].frame.schema[feature].dataType
                 for role in ("baseline", "candidate")]
        floating = (T.FloatType, T.DoubleType)
        integral = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
        target: str | None
        parse: Callable[[str], Any]
        if all(isinstance(t, integral) for t in types):
            target, parse = "long", int
        elif any(isinstance(t, floating) for t in types):
            # Floats (and anything pooled with them) are compared as float64, as numpy
            # (and scipy) pool them.
            target, parse = "double", float
        else:  # Decimals, exactly (integers pooled with them become Decimals too)
            target, parse = None, Decimal
        parts = []
        for role, flag in (("baseline", 1), ("candidate", 0)):
            frame = sides[role].frame
            value = column(feature)
            finite = value.isNotNull()
            if isinstance(frame.schema[feature].dataType, floating):
                finite = finite & ~F.isnan(value) & (F.abs(value) != float("inf"))
            typed = value.cast(target) if target else value
            if target == "double":
                # -0.0 as 0.0: numpy holds them equal, Spark's binary searches do not.
                typed = typed + F.lit(0.0)
            parts.append(frame.where(finite).select(
                typed.alias("v"), F.lit(flag).cast("byte").alias("t")))
        return cls(feature, parts[0].unionByName(parts[1]), parse)

    def count_values(self) -> None:
        """Count each value per side first: values that repeat move once."""
        from pyspark.sql import functions as F

        self.rows = self.raw.groupBy("v").agg(
            F.sum(F.col("t").cast("long")).alias("c1"),
            F.sum((1 - F.col("t")).cast("long")).alias("c2"))
        self.weighted = True
