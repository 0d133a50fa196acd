"""Shared fixtures of the example test suite.

pytest-datadrift needs no conftest: installing it registers the ``drift`` marker and the
``drift_baseline``, ``drift_candidate``, ``drift_report`` and ``drift_check`` fixtures. This
file shows what a real repository usually adds:

- the datasets loaded once per session, so that many segment checks
  (``tests/test_segments.py``) slice the same DataFrames instead of reading the files again;
- a loader for a source that is not a file: ``pytest_drift_load`` serves
  ``sqlite:<database>/<table>`` from a SQLite database with the standard library
  (``tests/test_warehouse.py``). The built-in loaders handle everything else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pytest_drift import DriftInputError

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def cars_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The random split of the cars data (``data/make_split.py``): baseline, candidate."""
    folder = DATA / "cars_random_split"
    return pd.read_csv(folder / "baseline.csv"), pd.read_csv(folder / "candidate.csv")


def pytest_drift_load(
    source: Any, columns: Sequence[str] | None, options: Mapping[str, Any]
) -> pd.DataFrame | None:
    """Load ``sqlite:<database>/<table>`` sources; return None for anything else.

    ``columns`` are the features the check needs (None: all), so only those are selected.
    """
    if not (isinstance(source, str) and source.startswith("sqlite:")):
        return None
    database, _, table = source.removeprefix("sqlite:").rpartition("/")
    path = options["rootdir"] / database
    if not path.is_file():
        raise DriftInputError(f"{options['role']} {source!r} (from {options['origin']}): "
                              f"no SQLite database at {path}")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        known = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
        if not known:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
            raise DriftInputError(f"{options['role']} {source!r}: no table {table!r} in "
                                  f"{database}; its tables are {tables}")
        wanted = [c for c in (columns or known) if c in known]
        selected = ", ".join(f'"{c}"' for c in wanted)
        return pd.read_sql_query(f'SELECT {selected} FROM "{table}"', connection)
