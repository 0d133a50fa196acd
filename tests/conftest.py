"""Shared test set-up.

numpy and pandas are imported here, once: pytester's in-process runs restore sys.modules
afterwards, and importing numpy a second time in one process breaks it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy  # noqa: F401
import pandas  # noqa: F401
import pyarrow  # noqa: F401
import pytest
import scipy.stats  # noqa: F401

DATA = Path(__file__).parent / "data"
DATASETS = ("cars_model_years", "penguins_islands", "seattle_weather_api_log")


@pytest.fixture(autouse=True)
def _scrub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI sets these; tests that need them set them explicitly."""
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR", "FORCE_COLOR",
                 "PY_COLORS", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def report_schema() -> dict[str, Any]:
    from pytest_drift.report import load_schema

    return load_schema()


def validate_report(document: dict[str, Any]) -> None:
    """Raise if ``document`` does not follow the shipped JSON Schema."""
    import jsonschema

    from pytest_drift.report import load_schema

    jsonschema.Draft202012Validator(
        load_schema(), format_checker=jsonschema.FormatChecker()
    ).validate(document)


def load_expected(name: str) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((DATA / name / "expected.json").read_text())
    return expected
