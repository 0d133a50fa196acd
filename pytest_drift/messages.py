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


def feature_line(name: str, detail: Mapping[str, Any], entry: Mapping[str, Any]
                 | None = None) -> str:
    """One drifted feature: test, statistic, p-value (adjusted too when a correction ran),
    the effect against min_effect when set, n per side and what moved."""
    test = detail.get("test", "?")
    p_text = (f"p={fmt_number(detail.get('p_value'), 3)}" if detail.get("p_value") is not None
              else f"psi={fmt_number(detail.get('psi'))}")
    if detail.get("adjusted_p_value") is not None and (entry or {}).get("correction"):
        p_text += f" (adjusted {fmt_number(detail.get('adjusted_p_value'), 3)})"
    effect = ""
    if (entry or {}).get("min_effect") is not None and detail.get("effect") is not None:
        measure = "KS" if detail.get("kind") == "numeric" else "Cramér's V"
        effect = (f" effect {measure}={fmt_number(detail.get('effect'))} >= min_effect "
                  f"{entry['min_effect'] if entry else ''}")
    missing = ""
    if detail.get("decided_by") == "missing":
        missing = (f", missing {detail.get('train_missing_share', 0):.1%} → "
                   f"{detail.get('prod_missing_share', 0):.1%}")
    return (
        f"{name}: {test} statistic={fmt_number(detail.get('statistic'))} {p_text}{effect} "
        f"n={detail.get('train_n')}/{detail.get('prod_n')}, {change_text(detail)}{missing}"
    )


def against_threshold(entry: Mapping[str, Any]) -> str:
    """``100.0% > threshold 20.0%``: the gate's comparison, as the status decided it."""
    relation = ">" if entry.get("status") == "DRIFT_DETECTED" else "<="
    return (f"{fmt_percent(entry.get('drift_percentage'))} {relation} threshold "
            f"{fmt_percent(entry.get('threshold'))}")


def verdict_line(entry: Mapping[str, Any]) -> str:
    """``7 of 7 features drifted (100.0% > threshold 20.0%) at alpha 0.05``."""
    correction = f", {entry['correction']} correction" if entry.get("correction") else ""
    return (
        f"{entry.get('features_with_drift')} of {entry.get('features_tested')} features "
        f"drifted ({against_threshold(entry)}) at alpha {entry.get('alpha')}{correction}"
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
    lines.append(
        "If this change is expected, refresh the baseline; to tolerate it, raise threshold, "
        "lower alpha or exclude the feature."
    )
    return "\n".join(lines)
