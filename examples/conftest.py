"""Shared fixtures of the example test suite.

pytest-datadrift needs no conftest: installing it registers the ``drift`` marker and the
``drift_baseline``, ``drift_candidate``, ``drift_report`` and ``drift_check`` fixtures. This
file shows the one thing a real repository usually adds: the datasets loaded once per session,
so that many segment checks (``tests/test_segments.py``) slice the same DataFrames instead of
reading the files again for each one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def cars_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The random split of the cars data (``data/make_split.py``): baseline, candidate."""
    folder = DATA / "cars_random_split"
    return pd.read_csv(folder / "baseline.csv"), pd.read_csv(folder / "candidate.csv")
