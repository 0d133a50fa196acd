"""Shared test set-up.

numpy and pandas are imported here, once: pytester's in-process runs restore sys.modules
afterwards, and importing numpy a second time in one process breaks it.
"""

from __future__ import annotations

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
