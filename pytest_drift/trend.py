"""The trend: this run's checks against the report of an earlier run.

Checks are matched by node id and name. Per matched check, a feature tested in both runs
with the same test and kind is compared: whether it newly drifts or stopped drifting, and
how far its statistic moved; one whose test or kind changed is not comparable (its
statistics are on different scales) and is listed as such, never compared. The result is
the plain JSON object stored as ``trend`` in the session report, which every renderer reads.
Only the standard library is imported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_drift import trend_wording

#: How many of a check's largest moves of the statistic the trend keeps.
TOP_MOVES = 5
#: A feature is comparable between the runs when these are the same.
COMPARABLE_WHEN_SAME = ("test", "kind")
#: Check settings that change what a verdict means; a change is reported with the check.
VERDICT_SETTINGS = ("alpha", "threshold", "correction", "min_effect")

Entry = Mapping[str, Any]
#: (node id, name, occurrence): two checks of one name in one test stay apart.
Key = tuple[Any, str, int]


def check_ref(entry: Entry) -> dict[str, Any]:
    """How the trend names a check: its node id and name."""
    return {"nodeid": entry.get("nodeid"), "name": str(entry.get("name"))}


def _by_key(entries: Sequence[Entry]) -> dict[Key, Entry]:
    keyed: dict[Key, Entry] = {}
    seen: dict[tuple[Any, str], int] = {}
    for entry in entries:
        ref = (entry.get("nodeid"), str(entry.get("name")))
        seen[ref] = seen.get(ref, 0) + 1
        keyed[(ref[0], ref[1], seen[ref])] = entry
    return keyed


def compute_trend(previous: Mapping[str, Any], entries: Sequence[Entry], *, source: str,
                  top: int = TOP_MOVES) -> dict[str, Any]:
    """The ``trend`` object of the session report.

    Parameters
    ----------
    previous
        The earlier run's report (:func:`pytest_drift.previous_report.read_previous`).
    entries
        This run's check entries.
    source
        The earlier report's path, as the user gave it.
    top
        How many of each check's largest moves to keep.
    """
    earlier = _by_key(previous.get("checks") or [])
    current = _by_key(entries)
    return {
        "previous_report": source,
        "previous_timestamp": previous.get("timestamp"),
        "previous_version": previous.get("version"),
        "top": top,
        "new_checks": [check_ref(entry) for key, entry in current.items() if key not in earlier],
        "gone_checks": [check_ref(entry) for key, entry in earlier.items() if key not in current],
        "checks": [compare_check(earlier[key], entry, top=top)
                   for key, entry in current.items() if key in earlier],
    }


def compare_check(previous: Entry, current: Entry, *, top: int = TOP_MOVES) -> dict[str, Any]:
    """One matched check: its features' changes between the two runs."""
    result: dict[str, Any] = {
        **check_ref(current),
        "previous_status": previous.get("status"),
        "status": current.get("status"),
        "error": None,
        "changed_settings": {name: [previous.get(name), current.get(name)]
                             for name in VERDICT_SETTINGS
                             if previous.get(name) != current.get(name)},
        "newly_drifting": [], "stopped_drifting": [],
        "new_features": [], "gone_features": [],
        "not_comparable": {}, "moves": [],
    }
    if "ERROR" in (previous.get("status"), current.get("status")):
        result["error"] = trend_wording.trend_error_text(previous.get("status") == "ERROR",
                                                   current.get("status") == "ERROR")
        return result
    before: Mapping[str, Entry] = previous.get("details") or {}
    now: Mapping[str, Entry] = current.get("details") or {}
    result["new_features"] = [name for name in now if name not in before]
    result["gone_features"] = [name for name in before if name not in now]
    moves = []
    for name, detail in now.items():
        if name not in before:
            continue
        old = before[name]
        changed = {key: (old.get(key), detail.get(key)) for key in COMPARABLE_WHEN_SAME
                   if old.get(key) != detail.get(key)}
        if changed:
            result["not_comparable"][name] = trend_wording.not_comparable_text(changed)
            continue
        was, is_now = bool(old.get("drift_detected")), bool(detail.get("drift_detected"))
        if is_now and not was:
            result["newly_drifting"].append(name)
        elif was and not is_now:
            result["stopped_drifting"].append(name)
        move = _move(name, old, detail)
        if move is not None:
            moves.append(move)
    moves.sort(key=lambda move: (-abs(move["change"]), move["feature"]))
    result["moves"] = moves[:top]
    return result


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _move(name: str, previous: Entry, current: Entry) -> dict[str, Any] | None:
    """How far the feature's statistic moved; None when it did not, or a side has none."""
    before, now = _number(previous.get("statistic")), _number(current.get("statistic"))
    if before is None or now is None or before == now:
        return None
    return {
        "feature": name, "test": current.get("test"),
        "previous_statistic": before, "statistic": now, "change": now - before,
        "previous_p_value": previous.get("p_value"), "p_value": current.get("p_value"),
        "previous_drift": bool(previous.get("drift_detected")),
        "drift": bool(current.get("drift_detected")),
    }


def has_news(check: Entry) -> bool:
    """Whether a matched check has anything to show: a change of verdict, a move, a
    feature that came, went or is not comparable, a changed setting or an error."""
    return any(check.get(key) for key in ("error", "changed_settings", "newly_drifting",
                                          "stopped_drifting", "new_features", "gone_features",
                                          "not_comparable", "moves"))
