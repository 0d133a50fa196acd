"""What to say about the trend against an earlier run, in the words every renderer shares
(the terminal, the GitHub step summary, the HTML report): the headline, each check's
status and notes, the moves of a statistic. Only the standard library is imported."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_drift.wording import DRIFT_WORD, OK_WORD, Entry, fmt_number

TREND_TITLE = "drift trend"
#: The heading of the trend in the step summary and the HTML report.
TREND_HEADING = "Drift trend since the previous run"


def check_where(ref: Entry) -> str:
    """A check as the trend names it: its node id, with the name when the id does not hold
    it (a ``drift_check`` or a named marker)."""
    name, nodeid = str(ref.get("name")), ref.get("nodeid")
    if not nodeid:
        return name
    return str(nodeid) if name in str(nodeid) else f"{nodeid} ({name})"


def not_comparable_text(changed: Mapping[str, tuple[Any, Any]]) -> str:
    """``test ks → cvm``: why a feature's statistics of two runs are not compared."""
    return ", ".join(f"{key} {before} → {now}" for key, (before, now) in changed.items())


def trend_error_text(previous_errored: bool, errored: bool) -> str:
    """Why a matched check could not be compared."""
    if previous_errored and errored:
        return "errored in both runs: nothing to compare"
    return ("errored in the previous run: nothing to compare" if previous_errored
            else "errored in this run: nothing to compare")


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def trend_headline(trend: Entry) -> str:
    """``compared with drift_report.json (written 2026-11-22T10:00:00+00:00): 3 checks
    matched, 1 new, 0 gone; 2 features newly drifting, 1 stopped drifting``."""
    checks = trend.get("checks") or []
    newly = sum(len(c.get("newly_drifting") or []) for c in checks)
    stopped = sum(len(c.get("stopped_drifting") or []) for c in checks)
    when = (f" (written {trend['previous_timestamp']})" if trend.get("previous_timestamp")
            else "")
    return (f"compared with {trend.get('previous_report')}{when}: "
            f"{_count(len(checks), 'check')} matched, {len(trend.get('new_checks') or [])} new, "
            f"{len(trend.get('gone_checks') or [])} gone; "
            f"{_count(newly, 'feature')} newly drifting, {stopped} stopped drifting")


def trend_check_lines(trend: Entry) -> list[str]:
    """``new check (not in the previous run): <node id>``, ``gone check ...``."""
    return ([f"new check (not in the previous run): {check_where(ref)}"
             for ref in trend.get("new_checks") or []]
            + [f"gone check (not in this run): {check_where(ref)}"
               for ref in trend.get("gone_checks") or []])


def trend_status_text(check: Entry) -> str:
    """``NORMAL → DRIFT_DETECTED``, or the status when it did not change."""
    before, now = check.get("previous_status"), check.get("status")
    return str(now) if before == now else f"{before} → {now}"


def _setting(value: Any) -> str:
    return "none" if value is None else fmt_number(value)


def trend_notes(check: Entry) -> list[str]:
    """What changed in a matched check besides the moves, one line each: the verdicts that
    changed, features that came or went or are not comparable, changed settings, an error."""
    lines = []
    if check.get("error"):
        lines.append(str(check["error"]))
    if check.get("newly_drifting"):
        lines.append(f"newly drifting: {', '.join(check['newly_drifting'])}")
    if check.get("stopped_drifting"):
        lines.append(f"stopped drifting: {', '.join(check['stopped_drifting'])}")
    if check.get("new_features"):
        lines.append(f"new features (not tested in the previous run): "
                     f"{', '.join(check['new_features'])}")
    if check.get("gone_features"):
        lines.append(f"gone features (not tested in this run): "
                     f"{', '.join(check['gone_features'])}")
    lines += [f"not comparable {name}: {reason}"
              for name, reason in (check.get("not_comparable") or {}).items()]
    changed = check.get("changed_settings") or {}
    if changed:
        lines.append("settings changed, so verdicts may differ for that reason: " + ", ".join(
            f"{name} {_setting(before)} → {_setting(now)}"
            for name, (before, now) in changed.items()))
    return lines


def trend_short_line(check: Entry) -> str | None:
    """One line per check whose verdicts changed, for ``-q``; None when none did."""
    parts = [f"newly drifting: {', '.join(check['newly_drifting'])}"
             if check.get("newly_drifting") else "",
             f"stopped drifting: {', '.join(check['stopped_drifting'])}"
             if check.get("stopped_drifting") else ""]
    shown = "; ".join(part for part in parts if part)
    return f"{check_where(check)}: {shown}" if shown else None


def move_statistic_text(move: Entry) -> str:
    """``0.1031 → 0.4343``: the statistic in the previous run and in this one."""
    return f"{fmt_number(move.get('previous_statistic'))} → {fmt_number(move.get('statistic'))}"


def move_change_text(move: Entry) -> str:
    """``+0.3312``: the signed change of the statistic."""
    change = move.get("change")
    text = fmt_number(change)
    return f"+{text}" if isinstance(change, (int, float)) and change > 0 else text


def move_p_value_text(move: Entry) -> str:
    """``0.512 → 2.72e-17``: the p-value in the previous run and in this one."""
    return (f"{fmt_number(move.get('previous_p_value'), 3)} → "
            f"{fmt_number(move.get('p_value'), 3)}")


def move_verdict_text(move: Entry) -> str:
    """``ok → DRIFT``, or the verdict when it did not change."""
    before = DRIFT_WORD if move.get("previous_drift") else OK_WORD
    now = DRIFT_WORD if move.get("drift") else OK_WORD
    return now if before == now else f"{before} → {now}"


def moves_caption(top: int) -> str:
    """``largest moves of the statistic (top 5)``."""
    return f"largest moves of the statistic (top {top})"
