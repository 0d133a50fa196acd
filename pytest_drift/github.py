"""GitHub Actions: a Markdown step summary and one workflow annotation per failed check.

Used on the controller only, when ``GITHUB_ACTIONS=true``. Formats check entries with the
words of :mod:`pytest_drift.wording`; computes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_drift import trend_wording
from pytest_drift.models import FAILING
from pytest_drift.wording import (
    DRIFT_WORD,
    UNDECIDED_WORD,
    against_threshold,
    approximate_suffix,
    change_text,
    correction_text,
    counts_text,
    is_warn,
    notice_text,
    notices,
    ordered_features,
    p_value_cell,
    statistic_value,
    verdict_word,
)

#: Features tables longer than this go into a collapsed <details> block.
COLLAPSE_AFTER = 10
ICONS = {"NORMAL": "✅", "DRIFT_DETECTED": "❌", "UNDECIDED": "❓", "ERROR": "⚠️", "SKIPPED": "⏭️"}


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell: on one line (a lone ``\\r`` ends a line in
    Markdown too), pipes escaped."""
    return _LINE_BREAK.sub(" ", str(text)).replace("|", "\\|")


def _code(text: object) -> str:
    """An inline code span that shows ``text`` verbatim, outside a table: on one line, with a
    fence longer than any run of backticks in it (backslash escapes do not work in code)."""
    text = _LINE_BREAK.sub(" ", str(text))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%``, ``\\r``, ``\\n``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _features_table(entry: Mapping[str, Any]) -> list[str]:
    rows = ["| | feature | test | statistic | p-value | baseline → candidate | n |",
            "|---|---|---|---:|---:|---|---:|"]
    for name, detail in ordered_features(entry):
        verdict = verdict_word(detail)
        mark = f"**{verdict}**" if verdict in (DRIFT_WORD, UNDECIDED_WORD) else verdict
        rows.append(
            f"| {mark} | {_cell(name)} | {detail.get('test')} | "
            f"{statistic_value(detail)} | {p_value_cell(detail)} | "
            f"{_cell(change_text(detail, compact=True))} | {counts_text(detail)} |"
        )
    return rows


def step_summary(entries: Sequence[Mapping[str, Any]], report_path: str | None,
                 trend: Mapping[str, Any] | None = None) -> str:
    """The Markdown appended to ``$GITHUB_STEP_SUMMARY``: a verdict per check, drifted
    features first, long tables collapsed; then the trend against an earlier run, when
    there is one."""
    failed = sum(e.get("status") != "NORMAL" for e in entries)
    lines = [f"## Data drift: {len(entries) - failed} of {len(entries)} checks passed", ""]
    for entry in entries:
        status = str(entry.get("status"))
        title = f"### {ICONS.get(status, '')} {_code(entry.get('name'))} {status}"
        if is_warn(entry):
            title += " (warn mode)"
        title += approximate_suffix(entry)
        lines += [title, ""]
        if status == "ERROR":
            lines += [f"> {_cell(entry.get('error'))}", ""]
            continue
        lines += [f"Drift {against_threshold(entry)}: {entry.get('features_with_drift')} of "
                  f"{entry.get('features_tested')} features at alpha {entry.get('alpha')}"
                  f"{correction_text(entry)}. Candidate {_code(entry.get('candidate'))}, baseline "
                  f"{_code(entry.get('baseline'))}.", ""]
        table = _features_table(entry)
        if len(table) - 2 > COLLAPSE_AFTER:
            lines += ["<details><summary>all features</summary>", "", *table, "",
                      "</details>", ""]
        else:
            lines += [*table, ""]
        for notice in notices(entry, feature_notes=False):
            if notice.subject is not None:  # a feature's name shows as code
                lines.append(f"- {notice.kind} {_code(notice.subject)}: {_cell(notice.text)}")
            else:
                lines.append(f"- {_cell(notice_text(notice))}")
        lines.append("")
    if trend is not None:
        lines += trend_summary(trend)
    if report_path:
        lines += [f"Report: {_code(report_path)}", ""]
    return "\n".join(lines)


def _moves_table(check: Mapping[str, Any]) -> list[str]:
    rows = ["| | feature | test | statistic | change | p-value |",
            "|---|---|---|---|---:|---|"]
    for move in check.get("moves") or []:
        verdict = trend_wording.move_verdict_text(move)
        mark = f"**{verdict}**" if move.get("drift") else verdict
        rows.append(f"| {mark} | {_cell(move.get('feature'))} | {_cell(move.get('test'))} | "
                    f"{trend_wording.move_statistic_text(move)} | "
                    f"{trend_wording.move_change_text(move)} | "
                    f"{trend_wording.move_p_value_text(move)} |")
    return rows


def trend_summary(trend: Mapping[str, Any]) -> list[str]:
    """The trend's Markdown lines: the headline, new and gone checks, and per matched
    check with news its largest moves and what else changed."""
    from pytest_drift.trend import has_news

    lines = [f"## {trend_wording.TREND_HEADING}", "",
             _cell(trend_wording.trend_headline(trend)), ""]
    lines += [f"- {_cell(line)}" for line in trend_wording.trend_check_lines(trend)]
    for check in trend.get("checks") or []:
        if not has_news(check):
            continue
        lines += ["", f"#### {_code(check.get('name'))} {trend_wording.trend_status_text(check)}",
                  ""]
        lines += [f"- {_cell(note)}" for note in trend_wording.trend_notes(check)]
        if check.get("moves"):
            lines += ["", f"{trend_wording.moves_caption(int(trend.get('top') or 0))}:", "",
                      *_moves_table(check)]
    lines.append("")
    return lines


def workflow_commands(entries: Sequence[Mapping[str, Any]],
                locations: Mapping[str, tuple[str, int]]) -> list[str]:
    """One ``::error`` (``::warning`` in warn mode) per failed check, at its test's file and
    line when known."""
    from pytest_drift.messages import failure_message

    commands = []
    for entry in entries:
        status = entry.get("status")
        if status == "NORMAL":
            continue
        level = "warning" if is_warn(entry) else "error"
        message = (failure_message(entry) if status in FAILING
                   else f"drift check could not run: {entry.get('error')}")
        properties = [f"title={escape_property('data drift: ' + str(entry.get('name')))}"]
        location = locations.get(str(entry.get("nodeid")))
        if location is not None:
            properties[:0] = [f"file={escape_property(location[0])}",
                              f"line={location[1]}"]
        commands.append(f"::{level} {','.join(properties)}::{escape_data(message)}")
    return commands
