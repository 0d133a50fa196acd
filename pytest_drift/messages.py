"""The failure message of a check, built from its JSON entry with the words of
:mod:`pytest_drift.wording`: the same text appears in a failed test, in the command line's
output, in warn mode's ``DriftWarning`` and in the GitHub annotation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_drift.models import UNDECIDED
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
    verdict_line,
)


def failure_message(entry: Mapping[str, Any]) -> str:
    """The message of a failed gate: each drifted feature, then drift % against threshold
    (against a sketched baseline, also the features the bounds leave undecided)."""
    details: Mapping[str, Any] = entry.get("details", {})
    datasets = f"candidate {entry.get('candidate')} vs baseline {entry.get('baseline')}"
    if entry.get("status") == UNDECIDED:
        lines = [f"Drift gate undecided, {against_threshold(entry)}: {datasets}"]
    else:
        lines = [f"Data drift in {entry.get('drift_percentage', 0):.1f}% of features "
                 f"(threshold {entry.get('threshold')}%): {datasets}"]
    for name in entry.get("drifted_features", []):
        lines.append("  " + feature_line(name, details[name], entry))
    for name in entry.get("undecided_features") or []:
        lines.append(f"  {UNDECIDED_WORD} " + feature_line(name, details[name], entry))
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
    lines.append(undecided_advice(entry) if entry.get("status") == UNDECIDED
                 else expected_change_advice(entry))
    return "\n".join(lines)
