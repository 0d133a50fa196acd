"""The session report: strict JSON, written atomically, with a JSON Schema."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pytest_drift.models import STATUS_ORDER

SCHEMA_VERSION = 3
TOOL = "pytest-datadrift"


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(TOOL)
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def strict(value: Any) -> Any:
    """Plain JSON values: numpy scalars to Python, non-finite floats to None, tuples to lists."""
    if isinstance(value, Mapping):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # numpy scalar (np.float64 is a float subclass: convert it too)
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    return str(value)


def worst_status(entries: Iterable[Mapping[str, Any]]) -> str:
    statuses = {entry.get("status") for entry in entries}
    return next((s for s in STATUS_ORDER if s in statuses), "NORMAL")


def session_report(entries: Sequence[Mapping[str, Any]], timestamp: str,
                   trend: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``drift_report.json`` document for a list of check entries, with the trend
    against an earlier run (:mod:`pytest_drift.trend`) when there is one."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": TOOL,
        "version": package_version(),
        "timestamp": timestamp,
        "status": worst_status(entries),
        "checks": [without_charts(entry) for entry in entries],
    }
    if trend is not None:
        document["trend"] = dict(trend)
    return document


def without_charts(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A check entry without the HTML report's chart data."""
    if "details" not in entry:
        return dict(entry)
    details = {name: {k: v for k, v in detail.items() if k != "chart"}
               for name, detail in entry["details"].items()}
    return {**entry, "details": details}


def write_json(path: Path, document: Mapping[str, Any]) -> Path:
    """Write ``document`` as strict JSON to ``path`` atomically (temporary file, then rename)."""
    return write_text(path, json.dumps(strict(document), indent=2, allow_nan=False) + "\n")


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`write_bytes`)."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` atomically: a temporary file in the same directory,
    then a rename, so a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # mkstemp creates the file 0600; an artifact should be readable like any other file.
        os.fchmod(handle, 0o644)
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the session report, shipped with the package."""
    text = resources.files("pytest_drift").joinpath("schema/drift_report.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema
