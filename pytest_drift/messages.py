"""The failure message of a check, built from its JSON entry with the words of
:mod:`pytest_drift.wording`: the same text appears in a failed test, in the command line's
output, in warn mode's ``DriftWarning`` and in the GitHub annotation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_drift.models import DriftReport

from pytest_drift.models import UNDECIDED
from pytest_drift.schema_wording import (
    has_changes,
    schema_advice,
    schema_failed,
    schema_headline,
    schema_lines,
    schema_warning,
)
from pytest_drift.snapshots.wording import (
    approximate_text,
    expected_change_advice,
    undecided_advice,
)
from pytest_drift.wording import (
    UNDECIDED_WORD,
    against_threshold,
    feature_line,
    fmt_number,
    segment_skip,
    segment_skip_line,
    verdict_line,
)


def failure_message(entry: Mapping[str, Any]) -> str:
    """The message of a failed gate: each drifted feature, the schema changes, then drift %
    against threshold (against a sketched baseline, also the features the bounds leave
    undecided)."""
    details: Mapping[str, Any] = entry.get("details", {})
    datasets = f"candidate {entry.get('candidate')} vs baseline {entry.get('baseline')}"
    segment = entry.get("segment") or {}
    if segment:
        datasets += f", segment {segment.get('label')}"
    if segment_skip(entry) is not None:
        return "\n".join([f"{segment_skip_line(entry)}: {datasets}", schema_advice()])
    if entry.get("status") == UNDECIDED:
        lines = [f"Drift gate undecided, {against_threshold(entry)}: {datasets}"]
    elif schema_failed(entry) and not entry.get("drifted_features"):
        lines = [f"Schema changed (schema='fail'): {datasets}"]
    else:
        lines = [f"Data drift in {entry.get('drift_percentage', 0):.1f}% of features "
                 f"(threshold {entry.get('threshold')}%): {datasets}"]
    if entry.get("windows"):
        from pytest_drift import window_wording as windows

        first = windows.first_drift_line(entry)
        lines += [windows.windows_headline(entry), *([first] if first else [])]
    for name in entry.get("drifted_features", []):
        lines.append("  " + feature_line(name, details[name], entry))
    for name in entry.get("undecided_features") or []:
        lines.append(f"  {UNDECIDED_WORD} " + feature_line(name, details[name], entry))
    if has_changes(entry):
        lines.append(schema_headline(entry) + ":")
        lines += [f"  {line}" for line in schema_lines(entry)]
    lines.append(verdict_line(entry))
    if entry.get("approximate"):
        lines.append(approximate_text(entry))
    small = [(name, d) for name, d in details.items() if d.get("decided_by") == "min_effect"]
    if small:
        lines.append("significant but under min_effect " + str(entry.get("min_effect")) + ": "
                     + "; ".join(f"{name} (effect {fmt_number(d.get('effect'))}, p="
                                 f"{fmt_number(d.get('adjusted_p_value') or d.get('p_value'), 3)})"
                                 for name, d in small))
    waived: Mapping[str, str] = entry.get("waived_features", {})
    if waived:
        lines.append("waived: " + "; ".join(f"{k} ({v})" for k, v in waived.items()))
    skipped: Mapping[str, str] = entry.get("skipped_features", {})
    if skipped:
        lines.append("skipped: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()))
    if entry.get("status") == UNDECIDED:
        lines.append(undecided_advice(entry))
    elif entry.get("drifted_features") or not schema_failed(entry):
        lines.append(expected_change_advice(entry))
    if schema_failed(entry):
        lines.append(schema_advice())
    return "\n".join(lines)


def schema_warning_of(report: DriftReport) -> str | None:
    """The ``DriftWarning`` of a check whose schema changed without failing its gate
    (``schema='warn'``); None when nothing changed or the changes fail the gate."""
    schema = report.schema
    if schema is None or not schema.changes or schema.failed:
        return None
    return schema_warning(report.to_json())
