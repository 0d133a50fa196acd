"""The failure message of a check, built from its JSON entry with the words of
:mod:`pytest_drift.wording`: the same text appears in a failed test, in the command line's
output, in warn mode's ``DriftWarning`` and in the GitHub annotation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_drift.snapshots.wording import expected_change_advice
from pytest_drift.wording import feature_line, fmt_number, verdict_line


def failure_message(entry: Mapping[str, Any]) -> str:
    """The message of a failed gate: each drifted feature, then drift % against threshold."""
    details: Mapping[str, Any] = entry.get("details", {})
    lines = [
        f"Data drift in {entry.get('drift_percentage', 0):.1f}% of features (threshold "
        f"{entry.get('threshold')}%): candidate {entry.get('candidate')} vs baseline "
        f"{entry.get('baseline')}",
    ]
    for name in entry.get("drifted_features", []):
        lines.append("  " + feature_line(name, details[name], entry))
    lines.append(verdict_line(entry))
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
    lines.append(expected_change_advice(entry))
    return "\n".join(lines)
