"""Helpers shared by the test modules (import as ``from tests.helpers import ...``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
DATASETS = ("cars_model_years", "penguins_islands", "seattle_weather_api_log")


def validate_report(document: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` if ``document`` breaks the shipped JSON Schema."""
    import jsonschema

    from pytest_drift.report import load_schema

    jsonschema.Draft202012Validator(
        load_schema(), format_checker=jsonschema.FormatChecker()
    ).validate(document)


def load_expected(name: str) -> dict[str, Any]:
    """The scipy oracle's answers for one of the datasets in tests/data."""
    expected: dict[str, Any] = json.loads((DATA / name / "expected.json").read_text())
    return expected
