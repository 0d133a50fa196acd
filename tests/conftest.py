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


@pytest.fixture(scope="session")
def remote_tree(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The datasets the object-storage tests serve, on disk: tests/remote_support.py."""
    from tests.remote_support import local_tree

    return local_tree(tmp_path_factory.mktemp("remote-data"))


@pytest.fixture(scope="session")
def s3_server(remote_tree: Any) -> Iterator[Any]:
    """moto's S3-compatible server on localhost, its bucket holding ``remote_tree``."""
    pytest.importorskip("moto.server", reason="moto[server] (the test extra) is not installed")
    pytest.importorskip("boto3", reason="boto3 (the test extra) is not installed")
    from tests.remote_support import S3Server

    server = S3Server(remote_tree)
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The S3 server, with the environment pointing S3 clients at it."""
    from tests.remote_support import SCRUBBED

    for name in SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    return s3_server


@pytest.fixture(scope="session")
def web_server(remote_tree: Any) -> Iterator[Any]:
    """A threaded http.server on localhost serving ``remote_tree``, byte ranges included."""
    pytest.importorskip("fsspec", reason="fsspec (the remote extra) is not installed")
    pytest.importorskip("aiohttp", reason="aiohttp (the remote extra) is not installed")
    from tests.remote_support import FileServer

    server = FileServer(remote_tree)
    yield server
    server.stop()


@pytest.fixture
def silent_server() -> Iterator[Any]:
    """A server on localhost that accepts connections and never answers."""
    from tests.remote_support import SilentServer

    server = SilentServer()
    yield server
    server.stop()
