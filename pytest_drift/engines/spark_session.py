"""The Spark engine's session: pyspark required at a version, the SparkSession (the data's,
the active one, or a local one), quiet Python workers, columns by exact name, and the first
line of a failed job's error."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from pytest_drift.errors import DriftUsageError
from pytest_drift.sources import SPARK_INSTALL, is_spark_frame

#: ``repartitionById`` (rows sent to the partition a column names) is new in Spark 4.1.
MINIMUM_VERSION = (4, 1)


def require_pyspark(origin: str) -> Any:
    """The ``pyspark`` module, or a usage error that says how to install it."""
    try:
        import pyspark
    except ImportError:
        raise DriftUsageError(
            "engine", "spark", origin,
            f"the spark engine needs pyspark, which is not installed: {SPARK_INSTALL}",
        ) from None
    version = tuple(int(part) for part in pyspark.__version__.split(".")[:2] if part.isdigit())
    if version < MINIMUM_VERSION:
        raise DriftUsageError(
            "engine", "spark", origin,
            f"the spark engine needs pyspark {'.'.join(map(str, MINIMUM_VERSION))} or later "
            f"(installed: {pyspark.__version__}): {SPARK_INSTALL}",
        )
    return pyspark


def spark_session(sources: Sequence[Any]) -> Any:
    """The SparkSession of a DataFrame among ``sources``, else the active one, else a local
    one on this machine's cores (kept for the rest of the process)."""
    for source in sources:
        if is_spark_frame(source):
            return source.sparkSession
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    from pytest_drift.loaders.budget import available_memory
    from pytest_drift.parallel import usable_cpus

    # Executors start this interpreter, which has numpy and pyarrow, not "python3".
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    available = available_memory() or 4 * 2**30
    driver_memory = max(512, min(2048, available // 4 // 2**20))
    cores = usable_cpus()
    return (SparkSession.builder.master(f"local[{cores}]").appName("pytest-datadrift")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", f"{driver_memory}m")
            .config("spark.sql.shuffle.partitions", str(2 * cores))
            .getOrCreate())


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """pyspark warns that it does not support pandas 3 when it starts Python workers; the
    plugin hands it Arrow, never pandas."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyspark\.")
        yield


def column(name: str) -> Any:
    """A column by its exact name (dots and backticks included)."""
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
