"""Reading the report of an earlier run (the ``previous_report`` option), for the trend.

The file must be what pytest-datadrift writes: a session report (``drift_report.json``) of
this or an older schema version, or the one check entry the ``datadrift`` command writes to
``--output``. Anything else is refused with one line that names the file and says what to
pass instead, before any check runs. Only the standard library is imported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftUsageError
from pytest_drift.report import SCHEMA_VERSION, TOOL

OPTION = "previous_report"
WHAT_TO_PASS = "pass the drift_report.json that pytest-datadrift wrote in an earlier run"
#: Keys every check entry has had since schema 1: a document with them (and no ``checks``)
#: is one check entry, as ``datadrift --output`` writes it.
ENTRY_KEYS = frozenset({"name", "status", "details", "features_tested"})


class _Refused(Exception):
    """Why the file is not a report this version can compare with."""


def read_previous(raw: str, path: Path, origin: str) -> dict[str, Any]:
    """The earlier run's report at ``path`` as a session report document.

    ``raw`` is the path as the user wrote it and ``origin`` where it was set (for the
    message). A single check entry becomes a report of that one check.

    Raises
    ------
    DriftUsageError
        The file is missing, unreadable, not strict JSON, truncated, not a pytest-datadrift
        report, or of a newer schema version than this one reads.
    """
    try:
        return _as_report(_parse(path), path)
    except _Refused as exc:
        raise DriftUsageError(OPTION, raw, origin, str(exc)) from None


def _parse(path: Path) -> Any:
    if path.is_dir():
        raise _Refused(f"{path} is a directory; give the drift_report.json file in it")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _Refused(f"{path} does not exist; {WHAT_TO_PASS} (in CI: the last main-branch "
                       "artifact), or leave the option out") from None
    except OSError as exc:
        raise _Refused(f"{path} cannot be read ({exc.strerror or exc}); make it readable by "
                       "the user running the tests, or leave the option out") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(f"{path} is not UTF-8 JSON text; {WHAT_TO_PASS}") from None
    if not text.strip():
        raise _Refused(f"{path} is empty (a failed download?); {WHAT_TO_PASS}")

    def reject(constant: str) -> None:
        raise _Refused(f"{path} holds {constant}, which is not strict JSON (pytest-datadrift "
                       f"never writes it); {WHAT_TO_PASS}")

    try:
        return json.loads(text, parse_constant=reject)
    except json.JSONDecodeError as exc:
        # json.dumps never leaves a string open: an open one, or an end before the
        # document's, is a file cut short.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise _Refused(f"{path} ends before its JSON does (a truncated download?); "
                           f"{WHAT_TO_PASS}") from None
        raise _Refused(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                       f"{exc.msg}); {WHAT_TO_PASS}") from None


def _as_report(parsed: Any, path: Path) -> dict[str, Any]:
    not_a_report = (f"{path} is not a pytest-datadrift report (a JSON object with "
                    f"\"tool\": \"{TOOL}\" and its \"checks\"); {WHAT_TO_PASS}")
    if not isinstance(parsed, dict):
        raise _Refused(not_a_report)
    document: dict[str, Any] = parsed
    if "checks" not in document and document.keys() >= ENTRY_KEYS:
        document = {"schema_version": None, "tool": TOOL, "version": None,
                    "timestamp": document.get("timestamp"), "status": document.get("status"),
                    "checks": [document]}
    elif document.get("tool") != TOOL or not isinstance(document.get("checks"), list):
        raise _Refused(not_a_report)
    else:
        _check_version(document, path)
    for index, entry in enumerate(document["checks"]):
        if not _is_entry(entry):
            raise _Refused(f"{path} is not a pytest-datadrift report: checks[{index}] is not "
                           f"a check entry; {WHAT_TO_PASS}")
    return document


def _check_version(document: Mapping[str, Any], path: Path) -> None:
    version = document.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _Refused(f"{path} has no valid schema_version ({version!r}); {WHAT_TO_PASS}")
    if version > SCHEMA_VERSION:
        writer = document.get("version")
        by = f" (written by pytest-datadrift {writer})" if isinstance(writer, str) else ""
        raise _Refused(f"{path} has schema_version {version}{by}, newer than this "
                       f"pytest-datadrift reads (up to {SCHEMA_VERSION}); upgrade "
                       "pytest-datadrift (pip install -U pytest-datadrift), or leave the "
                       "option out")


def _is_entry(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        return False
    details = entry.get("details", {})
    return isinstance(details, dict) and all(isinstance(d, dict) for d in details.values())
