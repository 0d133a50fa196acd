"""Render checks with rich for pytest's terminal summary and the command line.

Everything here formats the JSON entries of checks with the words of
:mod:`pytest_drift.wording`: a renderer never recomputes a statistic.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_drift import trend_wording, wording

STATUS_STYLE = {"NORMAL": "bold green", "DRIFT_DETECTED": "bold red", "UNDECIDED": "bold yellow",
                "ERROR": "bold magenta", "SKIPPED": "bold yellow"}


def check_table(entry: Mapping[str, Any]) -> Any:
    """A rich Table of one check: one row per feature, drifted rows highlighted."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    status = str(entry.get("status"))
    warn = " (mode=warn)" if wording.is_warn(entry) else ""
    title = Text.assemble((f"{entry.get('name')} ", "bold"), (status, STATUS_STYLE[status]),
                          warn, wording.approximate_suffix(entry))
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False,
                  collapse_padding=True, expand=False)
    features = wording.ordered_features(entry)
    show_missing = any(wording.has_missing(d) for _, d in features)
    table.add_column("", no_wrap=True)
    longest = max((len(name) for name, _ in features), default=7)
    table.add_column("feature", overflow="fold", min_width=min(longest, 24))
    table.add_column("statistic", justify="right", no_wrap=True)
    table.add_column("p-value", justify="right", no_wrap=True)
    table.add_column("change", overflow="fold")
    table.add_column("n", justify="right", no_wrap=True)
    if show_missing:
        table.add_column("miss", justify="right")
    for name, detail in features:
        verdict = wording.verdict_word(detail)
        cells = [
            verdict, name,
            f"{detail.get('test')} {wording.statistic_value(detail)}",
            wording.p_value_cell(detail),
            wording.change_text(detail, compact=True), wording.counts_text(detail),
        ]
        if show_missing:
            cells.append(wording.missing_text(detail))
        table.add_row(*cells, style=ROW_STYLE.get(verdict))
    return table


#: Rows highlighted by their verdict word.
ROW_STYLE = {wording.DRIFT_WORD: "bold red", wording.UNDECIDED_WORD: "bold yellow"}



def _console(buffer: io.StringIO, *, markup: bool, width: int) -> Any:
    from rich.console import Console

    # markup=False: names and node ids such as test_x[eu] or price[usd] are data, not tags.
    return Console(file=buffer, force_terminal=markup, no_color=not markup, markup=False,
                   color_system="standard" if markup else None, width=max(width, 40),
                   highlight=False, emoji=False, soft_wrap=False)


def render(
    entries: Sequence[Mapping[str, Any]], *, markup: bool, width: int, verbosity: int = 0
) -> str:
    """Text (with ANSI styles when ``markup``) for a list of check entries."""
    buffer = io.StringIO()
    console = _console(buffer, markup=markup, width=width)
    for entry in entries:
        status = str(entry.get("status"))
        if verbosity < 0:
            console.print(wording.short_line(entry), style=STATUS_STYLE.get(status),
                          soft_wrap=True)
            for notice in wording.notices(entry, feature_notes=False):
                if notice.kind in ("warning", "schema") or (
                        notice.kind == "windows" and "first crossed" in notice.text):
                    console.print(f"  {wording.notice_text(notice)}", style="yellow",
                                  soft_wrap=True)
            continue
        if status in ("ERROR", "SKIPPED") or (wording.segment_skip(entry)
                                               and not entry.get("details")):
            console.print(f"{entry.get('name')} {status}", style=STATUS_STYLE[status])
        else:
            console.print(check_table(entry))
        # soft_wrap: node ids and the verdict stay on one line, whole, to paste back.
        console.print(wording.summary_line(entry), style=STATUS_STYLE.get(status),
                      soft_wrap=True)
        check_notices = wording.notices(entry)
        for notice in check_notices:
            if notice.kind != "note":
                console.print(f"  {wording.notice_text(notice)}", style="yellow",
                              soft_wrap=True)
        if entry.get("nodeid"):
            console.print(f"  test: {entry['nodeid']}", style="dim", soft_wrap=True)
        for notice in check_notices:
            if notice.kind == "note":
                console.print(f"  {wording.notice_text(notice)}", style="yellow")
    return buffer.getvalue()


def moves_table(check: Mapping[str, Any], top: int) -> Any:
    """A rich Table of a matched check's largest moves of the statistic since the earlier
    run; rows whose feature now drifts are highlighted."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    status = str(check.get("status"))
    title = Text.assemble((f"{check.get('name')} ", "bold"),
                          (trend_wording.trend_status_text(check), STATUS_STYLE.get(status, "")))
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False, collapse_padding=True, expand=False,
                  caption=trend_wording.moves_caption(top), caption_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("feature", overflow="fold")
    table.add_column("test", no_wrap=True)
    table.add_column("statistic", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    table.add_column("p-value", no_wrap=True)
    for move in check.get("moves") or []:
        table.add_row(trend_wording.move_verdict_text(move), str(move.get("feature")),
                      str(move.get("test")), trend_wording.move_statistic_text(move),
                      trend_wording.move_change_text(move), trend_wording.move_p_value_text(move),
                      style="bold red" if move.get("drift") else None)
    return table


def render_trend(trend: Mapping[str, Any], *, markup: bool, width: int, verbosity: int = 0
                 ) -> str:
    """Text for the trend against an earlier run: a headline, new and gone checks, then per
    matched check with news its largest moves and what else changed (``-q``: the headline
    and the checks whose verdicts changed)."""
    from pytest_drift.trend import has_news

    buffer = io.StringIO()
    console = _console(buffer, markup=markup, width=width)
    console.print(trend_wording.trend_headline(trend), style="bold", soft_wrap=True)
    checks = trend.get("checks") or []
    if verbosity < 0:
        for check in checks:
            line = trend_wording.trend_short_line(check)
            if line is not None:
                console.print(line, style="yellow", soft_wrap=True)
        return buffer.getvalue()
    for line in trend_wording.trend_check_lines(trend):
        console.print(f"  {line}", style="yellow", soft_wrap=True)
    for check in checks:
        if not has_news(check):
            continue
        if check.get("moves"):
            console.print(moves_table(check, int(trend.get("top") or 0)))
        else:
            console.print(f"{check.get('name')} {trend_wording.trend_status_text(check)}",
                          style="bold")
        for note in trend_wording.trend_notes(check):
            console.print(f"  {note}", style="yellow", soft_wrap=True)
        if check.get("nodeid"):
            console.print(f"  test: {check['nodeid']}", style="dim", soft_wrap=True)
    return buffer.getvalue()
