"""What to say about a windowed check (its entry's ``windows`` section), in the words every
output shares: when drift started, which window decided the gate, the windows one by one,
the skipped ones and the chance that a scan of this many windows finds drift in stable data.
Only the standard library is imported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Entry = Mapping[str, Any]
#: Windows listed one by one in text; above this, the drifted ones and the last.
LISTED_WINDOWS = 40


def windows_of(entry: Entry) -> Mapping[str, Any]:
    return entry.get("windows") or {}


def _percent(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.1f}%"


def _span(window: Mapping[str, Any]) -> str:
    return f"{window['start']} to {window['end']}"


def first_drift_line(entry: Entry) -> str | None:
    """``drift started in the window 2026-11-03T00:00:00+00:00 to ... (50.0% of features:
    amount)``, or None when no window drifted."""
    section = windows_of(entry)
    first = section.get("first_drifted")
    if first is None:
        return None
    window = section["windows"][first]
    return (f"drift first crossed the threshold in the window {_span(window)} "
            f"({_percent(window['drift_percentage'])} of features: "
            f"{', '.join(window['drifted_features'])})")


def windows_headline(entry: Entry) -> str:
    """``5 windows of 1d by 'timestamp' (5 tested); the gate is that of the last tested
    window, 2026-11-05T00:00:00+00:00 to ...``."""
    section = windows_of(entry)
    listed: Sequence[Mapping[str, Any]] = section.get("windows") or []
    deciding = listed[section["deciding"]]
    rule = ("the gate is that of the last tested window" if section.get("gate") == "last"
            else "any window fails the gate (window_gate='any'); this report is of the "
                 "first that did" if section.get("first_drifted") is not None
            else "any window would fail the gate (window_gate='any'); none did; this "
                 "report is of the last")
    return (f"{len(listed)} windows of {section.get('window')} by "
            f"{section.get('time_column')!r} ({section.get('windows_tested')} tested); "
            f"{rule}, {_span(deciding)}")


def window_line(window: Mapping[str, Any]) -> str:
    """One window: its start, rows, drift percentage, status and drifted features."""
    if window.get("skipped"):
        return f"{window['start']}  {window['rows']} rows  skipped: {window['skipped']}"
    drifted = window.get("drifted_features") or []
    return (f"{window['start']}  {window['rows']} rows  {_percent(window['drift_percentage'])}"
            f"  {window['status']}{'  ' + ', '.join(drifted) if drifted else ''}")


def window_lines(entry: Entry) -> list[str]:
    """Every window (or, for many, the drifted and skipped ones and the last)."""
    listed: Sequence[Mapping[str, Any]] = windows_of(entry).get("windows") or []
    if len(listed) <= LISTED_WINDOWS:
        return [window_line(window) for window in listed]
    shown = [window for index, window in enumerate(listed)
             if window.get("drifted_features") or window.get("skipped")
             or index == len(listed) - 1][:LISTED_WINDOWS]
    return [*(window_line(window) for window in shown),
            f"({len(listed) - len(shown)} more windows without drift)"]


def scan_line(entry: Entry) -> str:
    """The chance that this many windows find drift somewhere in stable data."""
    section = windows_of(entry)
    bound = float(section.get("scan_false_alarm_bound") or 0.0)
    tested = section.get("windows_tested")
    effect = ("only the last one gates (window_gate='last')" if section.get("gate") == "last"
              else "any one fails the gate (window_gate='any'): lower alpha, set "
                   "correction='holm' or raise the threshold to lower it")
    return (f"on stable data, some of the {tested} windows fails its gate at most "
            f"{bound:.1%} of the time (the union bound: the windows share the baseline); "
            f"{effect}")
