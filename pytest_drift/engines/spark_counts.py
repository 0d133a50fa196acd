"""A Spark side's counts per value of one column, by ``groupBy``: its categories, and for a
snapshot its numbers, collected through Arrow so that they keep their exact type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.spark_session import column

if TYPE_CHECKING:
    import pyarrow as pa

    from pytest_drift.columns import CategoryCounts
    from pytest_drift.engines.spark_read import SparkSide


def categories(frame: Any, feature: str, collect: Callable[[Any], list[Any]]
               ) -> CategoryCounts:
    """The DataFrame's counts per category of ``feature`` (``collect`` fetches a small
    result's rows)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from pytest_drift.columns import counts_of_values

    value = column(feature)
    if isinstance(frame.schema[feature].dataType, (T.FloatType, T.DoubleType)):
        value = F.when(~F.isnan(value), value)  # NaN is missing, not a category
    return counts_of_values(collect(frame.groupBy(value.alias("v")).count()))


def value_counts(side: SparkSide, feature: str, job: Callable[[Callable[[], Any]], Any]
                 ) -> tuple[pa.Array, pa.Array]:
    """The side's distinct values of ``feature`` (nulls, NaN and ±inf among them) and their
    counts, typed as pyarrow types the files when it does (``job`` runs a Spark action)."""

    grouped = side.frame.groupBy(column(feature).alias("v")).count()
    table = job(grouped.toArrow)
    values, counts = table.column("v").combine_chunks(), table.column("count").combine_chunks()
    return _typed(side, feature, values), counts


def _typed(side: SparkSide, feature: str, values: pa.Array) -> pa.Array:
    """Values typed as pyarrow types the files, when it does."""
    import pyarrow as pa

    if side.arrow_schema is not None:
        # Spark reads unsigned Parquet integers as wider signed ones (uint64 as a decimal).
        typed = side.arrow_schema.field(feature).type
        if pa.types.is_integer(typed) and values.type != typed:
            values = values.cast(typed)
    return values


def grouped_counts(side: SparkSide, by: Sequence[str], feature: str | None,
                   job: Callable[[Callable[[], Any]], Any]) -> pa.Table:
    """The side's rows per segment (and per value of ``feature``) by one ``groupBy``, as
    :meth:`pytest_drift.engines.base.InPlaceEngine.grouped_counts` names its columns."""
    from pytest_drift.segments import ROWS_COLUMN, VALUE_COLUMN, grouped_names

    keys = [column(name).alias(alias) for name, alias in zip(by, grouped_names(by), strict=True)]
    if feature is not None:
        keys.append(column(feature).alias(VALUE_COLUMN))
    table = job(side.frame.groupBy(*keys).count().toArrow)
    table = table.rename_columns([*table.column_names[:-1], ROWS_COLUMN])
    if feature is not None:
        values = _typed(side, feature, table.column(VALUE_COLUMN).combine_chunks())
        table = table.set_column(table.schema.get_field_index(VALUE_COLUMN), VALUE_COLUMN,
                                 values)
    return table
