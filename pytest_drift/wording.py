"""What to say about a check and its features, in the words every renderer shares.

The terminal table, the GitHub step summary and annotations, the HTML report and the failure
message all read a check's JSON entry and take their words from here: the verdict word of a
feature, what moved, the gate's comparison, the notices. A renderer only formats (rich
styles, Markdown, HTML); it never decides what a feature's verdict is called or recomputes a
statistic. Only the standard library is imported: the plugin loads this in every run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pytest_drift.models import FAILING, UNDECIDED, over_threshold
from pytest_drift.schema_wording import schema_headline, schema_lines, schema_suffix

Entry = Mapping[str, Any]

#: The verdict word of a feature, by the rule that kept a significant feature out of the
#: count (``decided_by``); a drifted feature is ``DRIFT``, any other ``ok``.
DRIFT_WORD = "DRIFT"
KEPT_OUT_WORDS = {"waiver": "waived", "min_effect": "small"}
OK_WORD = "ok"
#: A feature whose verdict a sketched baseline's bound leaves open.
UNDECIDED_WORD = "UNDECIDED"
#: A check's status as a past-tense word, for counts ("3 passed, 1 drifted").
STATUS_WORDS = {"NORMAL": "passed", "DRIFT_DETECTED": "drifted", "UNDECIDED": "undecided",
                "ERROR": "errored", "SKIPPED": "skipped"}
#: How every output marks a check against a sketched baseline.
APPROXIMATE_MARK = "[approximate]"


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


def verdict_word(detail: Entry) -> str:
    """``DRIFT``, ``UNDECIDED`` (against a sketch, the bound allows either), ``waived`` (a
    waiver keeps it out), ``small`` (under min_effect) or ``ok``."""
    if detail.get("undecided"):
        return UNDECIDED_WORD
    if detail.get("drift_detected"):
        return DRIFT_WORD
    return KEPT_OUT_WORDS.get(str(detail.get("decided_by")), OK_WORD)


def status_word(status: str) -> str:
    return STATUS_WORDS.get(status, status.lower())


def is_warn(entry: Entry) -> bool:
    """Whether the check drifted in warn mode: reported, but not failing."""
    return entry.get("mode") == "warn" and entry.get("status") in FAILING


def ordered_features(entry: Entry) -> list[tuple[str, Entry]]:
    """Drifted features first, then undecided ones, each group in column order."""
    details: Mapping[str, Entry] = entry.get("details", {})
    return sorted(details.items(), key=lambda item: (not item[1].get("drift_detected"),
                                                     not item[1].get("undecided")))


def change_text(detail: Entry, *, compact: bool = False) -> str:
    """``mean 19.77 → 27.96`` for numbers; the category whose share moved most otherwise.

    ``compact`` is the tables' form: ``19.77 → 27.96``, ``Japan 13%→27%``.
    """
    top = detail.get("top_category")
    if detail.get("kind") == "categorical" and top:
        if compact:
            return f"{top['category']} {top['train_share']:.0%}→{top['prod_share']:.0%}"
        return f"{top['category']!r} {top['train_share']:.1%} → {top['prod_share']:.1%}"
    means = f"{fmt_number(detail.get('train_mean'))} → {fmt_number(detail.get('prod_mean'))}"
    return means if compact else f"mean {means}"


def has_missing(detail: Entry) -> bool:
    """Whether a feature had missing or ±inf values on either side."""
    return any(detail.get(key) for key in ("train_missing", "prod_missing", "train_infinite",
                                           "prod_infinite"))


def missing_text(detail: Entry, separator: str = "/") -> str:
    """``7/1``, or ``7/1 (±inf 2/0)``: missing values per side, ±inf apart."""
    text = f"{detail.get('train_missing', 0)}{separator}{detail.get('prod_missing', 0)}"
    if detail.get("train_infinite") or detail.get("prod_infinite"):
        text += (f" (±inf {detail.get('train_infinite', 0)}{separator}"
                 f"{detail.get('prod_infinite', 0)})")
    return text


def counts_text(detail: Entry, separator: str = "/") -> str:
    """``216/182``: the values tested per side."""
    return f"{detail.get('train_n')}{separator}{detail.get('prod_n')}"


def statistic_value(detail: Entry) -> str:
    """``0.4343``, or ``0.4343 ± 0.0021`` against a sketched baseline."""
    value = fmt_number(detail.get("statistic"))
    bound = detail.get("statistic_bound")
    # A bound of 0: the sketch kept every value of this feature, so it is exact.
    return f"{value} ± {fmt_number(bound)}" if bound else value


def p_value_cell(detail: Entry) -> str:
    """A table's p-value: ``2.72e-17``, or ``[0.0275, 0.0503]`` against a sketched
    baseline."""
    interval: Any = detail.get("p_value_interval")
    if _is_interval(detail):
        return f"[{fmt_number(interval[0], 3)}, {fmt_number(interval[1], 3)}]"
    return fmt_number(detail.get("p_value"), 3)


def _is_interval(detail: Entry) -> bool:
    interval: Any = detail.get("p_value_interval")
    return bool(interval) and interval[0] != interval[1]


def p_value_value(detail: Entry) -> str:
    """``p=2.72e-17``, or ``p in [0.0275, 0.0503]`` against a sketched baseline."""
    joiner = " in " if _is_interval(detail) else "="
    return f"p{joiner}{p_value_cell(detail)}"


def statistic_text(detail: Entry) -> str:
    """``ks 0.4343, p=2.72e-17``: the test, its statistic and p-value (with their bounds
    against a sketched baseline)."""
    return f"{detail.get('test')} {statistic_value(detail)}, {p_value_value(detail)}"


def feature_line(name: str, detail: Entry, entry: Entry | None = None) -> str:
    """One drifted feature: test, statistic, p-value (adjusted too when a correction ran),
    the effect against min_effect when set, n per side and what moved."""
    test = detail.get("test", "?")
    p_text = (p_value_value(detail) if detail.get("p_value") is not None
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
        f"{name}: {test} statistic={statistic_value(detail)} {p_text}{effect} "
        f"n={counts_text(detail)}, {change_text(detail)}{missing}"
    )


def drift_range(entry: Entry) -> tuple[float, float] | None:
    """The drift percentages an undecided check may have: with none of its undecided
    features drifted, and with all of them."""
    tested = entry.get("features_tested") or 0
    if not tested:
        return None
    drifted = entry.get("features_with_drift") or 0
    undecided = len(entry.get("undecided_features") or [])
    return drifted / tested * 100.0, (drifted + undecided) / tested * 100.0


def against_threshold(entry: Entry) -> str:
    """``100.0% > threshold 20.0%``: the gate's comparison, as the status decided it;
    ``10.0% to 30.0% around threshold 20.0%`` when undecided."""
    status = entry.get("status")
    threshold = fmt_percent(entry.get("threshold"))
    span = drift_range(entry)
    if status == UNDECIDED and span is not None:
        return f"{fmt_percent(span[0])} to {fmt_percent(span[1])} around threshold {threshold}"
    relation = ">" if over_threshold(int(entry.get("features_tested") or 0),
                                     int(entry.get("features_with_drift") or 0),
                                     float(entry.get("threshold") or 0)) else "<="
    return f"{fmt_percent(entry.get('drift_percentage'))} {relation} threshold {threshold}"


def approximate_suffix(entry: Entry) -> str:
    """`` [approximate]`` for a check against a sketched baseline, else nothing."""
    return f" {APPROXIMATE_MARK}" if entry.get("approximate") else ""


def correction_text(entry: Entry) -> str:
    """``, holm correction`` when a correction ran, else nothing."""
    return f", {entry['correction']} correction" if entry.get("correction") else ""


def verdict_line(entry: Entry) -> str:
    """``7 of 7 features drifted (100.0% > threshold 20.0%) at alpha 0.05``."""
    undecided = len(entry.get("undecided_features") or [])
    return (
        f"{entry.get('features_with_drift')} of {entry.get('features_tested')} features "
        f"drifted{f', {undecided} undecided' if undecided else ''} ({against_threshold(entry)})"
        f" at alpha {entry.get('alpha')}"
        f"{correction_text(entry)}"
    )


def segment_skip(entry: Entry) -> str | None:
    """Why a segment of a segmented check was not tested (too few rows, one side only)."""
    segment = entry.get("segment") or {}
    return None if segment.get("skipped") is None else str(segment["skipped"])


def segment_skip_line(entry: Entry) -> str:
    """``segment country=PT not tested: only in the candidate (12 rows): ...``."""
    segment = entry.get("segment") or {}
    fails = " (schema='fail': a segment on one side only fails)" if entry.get(
        "status") in FAILING else ""
    return f"segment {segment.get('label')} not tested: {segment_skip(entry)}{fails}"


def summary_line(entry: Entry) -> str:
    """``drift 25.0% > threshold 20.0% (3 of 12 features, alpha 0.05) → DRIFT_DETECTED``."""
    status = entry.get("status")
    if status == "ERROR":
        return f"ERROR: {entry.get('error')}"
    if segment_skip(entry) is not None:
        return f"{segment_skip_line(entry)} → {status}"
    warn = " (mode=warn: not failing)" if is_warn(entry) else ""
    return (
        f"drift {against_threshold(entry)} ({entry.get('features_with_drift')} of "
        f"{entry.get('features_tested')} features, alpha {entry.get('alpha')}) → {status}{warn}"
        f"{approximate_suffix(entry)}{schema_suffix(entry)}"
    )


def short_line(entry: Entry) -> str:
    """One line per check, for ``-q``: status, node id, drift % against threshold."""
    status = entry.get("status")
    where = entry.get("nodeid") or entry.get("name")
    if entry.get("nodeid") and str(entry.get("name")) not in str(entry.get("nodeid")):
        where = f"{where} ({entry.get('name')})"
    if status == "ERROR":
        return f"ERROR {where}: {entry.get('error')}"
    if segment_skip(entry) is not None:
        return f"{status} {where}: {segment_skip_line(entry)}"
    drifted = entry.get("drifted_features") or []
    tail = f" drifted: {', '.join(drifted)}" if drifted else ""
    warn = " (mode=warn)" if is_warn(entry) else ""
    undecided = entry.get("undecided_features") or []
    tail += f" undecided: {', '.join(undecided)}" if undecided else ""
    return (f"{status}{warn}{approximate_suffix(entry)} {where} {against_threshold(entry)}{tail}"
            f"{schema_suffix(entry)}")


def false_alarm_text(probability: float) -> str:
    """``4.9%``, or ``under 0.1%``: the chance that the gate fails on stable data."""
    return "under 0.1%" if 0 < probability < 0.001 else f"{probability:.1%}"


NoticeKind = Literal["approximate", "windows", "schema", "skipped", "waived", "approved",
                     "warning", "note"]


@dataclass(frozen=True)
class Notice:
    """Something a check's reader must see besides the table: nothing is left out silently.

    ``subject`` is the feature it is about (None for a note on the whole check).
    """

    kind: NoticeKind
    subject: str | None
    text: str


def notices(entry: Entry, *, feature_notes: bool = True) -> list[Notice]:
    """That the check is approximate, its windows, its schema changes, skipped and waived
    features, an approval, the check's warnings, then each feature's notes."""
    found = []
    if entry.get("approximate"):
        from pytest_drift.snapshots.wording import approximate_text

        found.append(Notice("approximate", None, approximate_text(entry)))
    if entry.get("windows"):
        from pytest_drift import window_wording as windows

        first = windows.first_drift_line(entry)
        found += [Notice("windows", None, text) for text in [
            f"{windows.windows_headline(entry)}:",
            *(f"  {line}" for line in windows.window_lines(entry)),
            *([first] if first else []), windows.scan_line(entry)]]
    lines = schema_lines(entry)
    if lines:
        found += [Notice("schema", None, text)
                  for text in [f"{schema_headline(entry)}:", *(f"  {line}" for line in lines)]]
    found += [Notice("skipped", str(name), str(reason))
              for name, reason in (entry.get("skipped_features") or {}).items()]
    found += [Notice("waived", str(name), str(waiver))
              for name, waiver in (entry.get("waived_features") or {}).items()]
    snapshot = entry.get("snapshot") or {}
    if snapshot.get("approved"):
        from pytest_drift.snapshots.wording import approval_text

        found.append(Notice("approved", None, approval_text(snapshot)))
    found += [Notice("warning", None, str(note)) for note in entry.get("notes") or []]
    if feature_notes:
        found += [Notice("note", str(name), str(note))
                  for name, detail in (entry.get("details") or {}).items()
                  for note in detail.get("notes") or []]
    return found


def notice_text(notice: Notice) -> str:
    """``skipped x: reason``, ``warning: text``, ``note (x): text``: a notice on one line."""
    if notice.kind == "note":
        return f"note ({notice.subject}): {notice.text}"
    if notice.kind in ("approximate", "schema", "windows"):  # its text says so itself
        return notice.text
    if notice.subject is None:
        return f"{notice.kind}: {notice.text}"
    return f"{notice.kind} {notice.subject}: {notice.text}"
