"""Plain-text explanations of a check, built from its JSON entry.

Renderers read the entry, never recompute: the same text appears in a failed test, in the
command line's output and in warn mode's ``DriftWarning``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def fmt_number(value: Any, digits: int = 4) -> str:
    """A short, readable number: ``0.4343``, ``2.72e-17``, ``3190``; ``n/a`` for null."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
        return f"{value:.{max(digits - 1, 1)}e}"
    return f"{value:.{digits}g}"


def fmt_percent(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def change_text(detail: Mapping[str, Any], *, compact: bool = False) -> str:
    """``mean 19.77 → 27.96`` for numbers; the category whose share moved most otherwise.

    ``compact`` is the terminal table's form: ``19.77 → 27.96``, ``Japan 13%→27%``.
    """
    top = detail.get("top_category")
    if detail.get("test") == "chi2" and top:
        if compact:
            return f"{top['category']} {top['train_share']:.0%}→{top['prod_share']:.0%}"
        return f"{top['category']!r} {top['train_share']:.1%} → {top['prod_share']:.1%}"
    means = f"{fmt_number(detail.get('train_mean'))} → {fmt_number(detail.get('prod_mean'))}"
    return means if compact else f"mean {means}"


def feature_line(name: str, detail: Mapping[str, Any]) -> str:
    """One drifted feature: test, statistic, p-value, n per side and what moved."""
    test = detail.get("test", "?")
    return (
        f"{name}: {test} statistic={fmt_number(detail.get('statistic'))} "
        f"p={fmt_number(detail.get('p_value'), 3)} "
        f"n={detail.get('train_n')}/{detail.get('prod_n')}, {change_text(detail)}"
    )


def against_threshold(entry: Mapping[str, Any]) -> str:
    """``100.0% > threshold 20.0%``: the gate's comparison, as the status decided it."""
    relation = ">" if entry.get("status") == "DRIFT_DETECTED" else "<="
    return (f"{fmt_percent(entry.get('drift_percentage'))} {relation} threshold "
            f"{fmt_percent(entry.get('threshold'))}")


def verdict_line(entry: Mapping[str, Any]) -> str:
    """``7 of 7 features drifted (100.0% > threshold 20.0%) at alpha 0.05``."""
    return (
        f"{entry.get('features_with_drift')} of {entry.get('features_tested')} features "
        f"drifted ({against_threshold(entry)}) at alpha {entry.get('alpha')}"
    )


def failure_message(entry: Mapping[str, Any]) -> str:
    """The message of a failed gate: each drifted feature, then drift % against threshold."""
    details: Mapping[str, Any] = entry.get("details", {})
    lines = [
        f"Data drift in {entry.get('drift_percentage', 0):.1f}% of features (threshold "
        f"{entry.get('threshold')}%): candidate {entry.get('candidate')} vs baseline "
        f"{entry.get('baseline')}",
    ]
    for name in entry.get("drifted_features", []):
        lines.append("  " + feature_line(name, details[name]))
    lines.append(verdict_line(entry))
    skipped: Mapping[str, str] = entry.get("skipped_features", {})
    if skipped:
        lines.append("skipped: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()))
    lines.append(
        "If this change is expected, refresh the baseline; to tolerate it, raise threshold, "
        "lower alpha or exclude the feature."
    )
    return "\n".join(lines)
