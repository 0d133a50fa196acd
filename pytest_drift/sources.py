"""What a dataset source is, told without importing pandas, pyarrow or pyspark.

Options, loaders and engines all ask this module (never each other) whether a source is a
path, an in-memory frame, a Spark DataFrame, a ``spark:`` table name or a Delta table, so
there is no import cycle between them and the plugin stays light to import.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_drift.loaders import LoadContext

#: Names of a table in the Spark metastore: ``spark:db.table``.
SPARK_TABLE_PREFIX = "spark:"
#: A baseline kept as a snapshot: ``snapshot:NAME`` (under the baselines directory) or
#: ``snapshot:path/to/file.parquet``.
SNAPSHOT_PREFIX = "snapshot:"
#: How to install the Spark engine, for every message that needs it.
SPARK_INSTALL = "pip install 'pytest-datadrift[spark]'"


def is_frame(source: Any) -> bool:
    """Whether ``source`` is a ``pandas.DataFrame`` or a ``pyarrow.Table`` (subclasses too).

    Only an already imported pandas or pyarrow can have made one, so neither is imported.
    """
    pandas, pyarrow = sys.modules.get("pandas"), sys.modules.get("pyarrow")
    return (pandas is not None and isinstance(source, pandas.DataFrame)) or (
        pyarrow is not None and isinstance(source, pyarrow.Table))


def is_spark_frame(source: Any) -> bool:
    """Whether ``source`` is a ``pyspark.sql.DataFrame`` (classic or Connect)."""
    return any(cls.__module__.startswith("pyspark.sql") and cls.__name__ == "DataFrame"
               for cls in type(source).__mro__)


def is_spark_table_name(source: Any) -> bool:
    """Whether ``source`` names a metastore table or view: ``spark:db.table``."""
    return isinstance(source, str) and source.startswith(SPARK_TABLE_PREFIX)


def is_snapshot_name(source: Any) -> bool:
    """Whether ``source`` names a snapshot: ``snapshot:NAME``."""
    return isinstance(source, str) and source.startswith(SNAPSHOT_PREFIX)


def is_delta_table(source: Any, base_dir: Path | None) -> bool:
    """Whether ``source`` is the path of a Delta table (a directory with ``_delta_log``)."""
    from pytest_drift.loaders.remote import is_url

    if (not isinstance(source, str) or is_spark_table_name(source) or is_snapshot_name(source)
            or is_url(source)):
        return False
    from pytest_drift.loaders.paths import resolve_path

    return (resolve_path(source, base_dir) / "_delta_log").is_dir()


def is_spark_source(source: Any, base_dir: Path | None = None) -> bool:
    """Whether only Spark can read ``source``: a Spark DataFrame, a ``spark:`` table name or
    a Delta table."""
    return (is_spark_frame(source) or is_spark_table_name(source)
            or is_delta_table(source, base_dir))


def only_spark_reads(source: Any, context: LoadContext, engine: str) -> str | None:
    """Why ``source`` cannot be read on the ``engine`` engine, if only Spark can read it."""
    if is_spark_frame(source):
        what = "is a pyspark DataFrame, which"
    elif is_spark_table_name(source):
        what = f"{source!r} names a Spark table, which"
    elif is_delta_table(source, context.base_dir):
        what = (f"{source!r} is a Delta table: its directory holds the Parquet files of "
                "every version, and only Delta Lake knows which are current; it")
    else:
        return None
    return (f"{context.role} (from {context.origin}) {what} only the spark engine reads, "
            f"not the {engine} engine: use engine='spark' (engine='auto' picks it), with "
            f"{SPARK_INSTALL}.")
