"""Shared test set-up.

numpy and pandas are imported here, once: pytester's in-process runs restore sys.modules
afterwards, and importing numpy a second time in one process breaks it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy  # noqa: F401
import pandas  # noqa: F401
import pyarrow  # noqa: F401
import pytest
import scipy.stats  # noqa: F401


@pytest.fixture(autouse=True)
def _scrub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI sets these; tests that need them set them explicitly."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "NO_COLOR",
                 "FORCE_COLOR", "PY_COLORS", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local[2] SparkSession, started once per test session (per xdist worker) and the
    active session for every check that runs on the spark engine."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    import os
    import shutil
    import sys

    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs a Java runtime (17 or later), and none is installed")

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("pytest-datadrift-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    yield session
    session.stop()
