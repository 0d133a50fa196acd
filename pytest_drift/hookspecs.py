"""Hooks that pytest-datadrift adds to pytest. Implement them in a ``conftest.py`` or a
plugin. Arguments may be added in later versions; none is renamed or removed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest


@pytest.hookspec(firstresult=True)
def pytest_drift_load(source: Any, columns: Sequence[str] | None,
                      options: Mapping[str, Any]) -> Any:
    """Load a dataset for a drift check; the first implementation that returns one wins.

    Called for the baseline and the candidate of every check (and for the
    ``drift_baseline``/``drift_candidate`` fixtures). Return ``None`` for a source you do not
    handle; the built-in loaders (CSV, TSV, Parquet, Feather, JSON, JSON Lines, DataFrames)
    run last.

    :param source: what the marker, flag or ini key gave: usually a string such as
        ``"data/train.csv"`` or ``"sqlite:warehouse.db/train"``, or a DataFrame.
    :param columns: the columns the check needs, or ``None`` for all of them. Returning
        more is fine; returning fewer makes the missing ones "missing from" that side.
    :param options: ``role`` ("baseline" or "candidate"), ``origin`` (where the source
        option was set, for messages), ``rootdir`` (a ``pathlib.Path``, for relative
        paths), ``features_key``, ``format``, ``api_log``, ``remote_timeout`` (seconds a
        request for a dataset at a URL may wait) and ``also_read`` (columns to include
        besides all the others when ``columns`` is None: a windowed check's time column).
    :return: a ``pandas.DataFrame``, a ``pyarrow.Table``, a
        ``pytest_drift.loaders.LoadedData``, or ``None``.

    Raise ``pytest_drift.DriftInputError`` with a message naming the source for data that
    cannot be loaded: the check then errors with that message and the others still run.

    Example, a ``conftest.py`` that reads tables from SQLite::

        import sqlite3
        import pandas as pd

        def pytest_drift_load(source, columns, options):
            if not (isinstance(source, str) and source.startswith("sqlite:")):
                return None
            database, table = source.removeprefix("sqlite:").rsplit("/", 1)
            with sqlite3.connect(options["rootdir"] / database) as connection:
                return pd.read_sql_query(f'SELECT * FROM "{table}"', connection)
    """


@pytest.hookspec
def pytest_drift_register_tests(register: Callable[[Any], None]) -> None:
    """Add statistical tests that checks can name (``tests={"feature": "name"}``,
    ``numeric_test="name"``, ``categorical_test="name"``). Called once per session.

    A test has a ``name``, the ``kinds`` of feature it applies to (``"numeric"``,
    ``"categorical"``) and ``run(data)`` returning a ``pytest_drift.stats.registry.TestOutcome``
    (statistic and p-value; a p-value of None makes it a distance judged by
    ``psi_threshold``). ``data`` is a ``NumericData`` (``train`` and ``prod`` arrays of the
    finite values, ``gap`` the KS gap) or a ``CategoricalData`` (categories and counts).

    Example, a ``conftest.py`` adding the two-sample t-test::

        from dataclasses import dataclass
        from scipy import stats
        from pytest_drift.stats.registry import TestOutcome

        @dataclass(frozen=True)
        class WelchTest:
            name: str = "welch"
            kinds: frozenset = frozenset({"numeric"})

            def run(self, data):
                result = stats.ttest_ind(data.train, data.prod, equal_var=False)
                return TestOutcome(float(result.statistic), float(result.pvalue))

        def pytest_drift_register_tests(register):
            register(WelchTest())
    """


@pytest.hookspec
def pytest_drift_report(check: Mapping[str, Any]) -> None:
    """Receive each finished check: send alerts, write metrics. Every implementation runs.

    Called on the controller (never on an xdist worker) as each test's checks arrive, with
    the check's JSON entry as it appears in ``drift_report.json`` (plain, strict JSON
    values): ``check["name"]``, ``check["status"]``, ``check["drift_percentage"]``,
    ``check["details"][feature]["p_value"]``, ... An exception here is a bug in the sink and
    stops the session, so catch what your network calls may raise.

    Example, a ``conftest.py`` that prints failed checks::

        def pytest_drift_report(check):
            if check["status"] != "NORMAL":
                print(f"{check['nodeid']}: {check['status']} {check['drifted_features']}")

    ``examples/sinks/`` has a Slack-compatible webhook and a Prometheus metrics file.
    """
