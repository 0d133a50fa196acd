"""Render checks with rich for pytest's terminal summary and the command line.

Everything here reads the JSON entries of checks: a renderer never recomputes a statistic.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_drift.messages import against_threshold, change_text, fmt_number

STATUS_STYLE = {"NORMAL": "bold green", "DRIFT_DETECTED": "bold red", "ERROR": "bold magenta"}


def _missing_text(detail: Mapping[str, Any]) -> str:
    text = f"{detail.get('train_missing', 0)}/{detail.get('prod_missing', 0)}"
    infinite = (detail.get("train_infinite", 0), detail.get("prod_infinite", 0))
    if any(infinite):
        text += f" (±inf {infinite[0]}/{infinite[1]})"
    return text


def ordered_features(entry: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Drifted features first, each group in column order."""
    details: Mapping[str, Mapping[str, Any]] = entry.get("details", {})
    items = list(details.items())
    return sorted(items, key=lambda item: not item[1].get("drift_detected"))


def check_table(entry: Mapping[str, Any]) -> Any:
    """A rich Table of one check: one row per feature, drifted rows highlighted."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    status = str(entry.get("status"))
    warn = " (mode=warn)" if entry.get("mode") == "warn" and status == "DRIFT_DETECTED" else ""
    title = Text.assemble((f"{entry.get('name')} ", "bold"), (status, STATUS_STYLE[status]),
                          warn)
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False,
                  collapse_padding=True, expand=False)
    features = ordered_features(entry)
    show_missing = any(_missing_text(d) != "0/0" for _, d in features)
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
        drifted = bool(detail.get("drift_detected"))
        verdict = "DRIFT" if drifted else (
            "waived" if detail.get("decided_by") == "waiver" else
            "small" if detail.get("decided_by") == "min_effect" else "ok")
        cells = [
            verdict, name,
            f"{detail.get('test')} {fmt_number(detail.get('statistic'))}",
            fmt_number(detail.get("p_value"), 3), change_text(detail, compact=True),
            f"{detail.get('train_n')}/{detail.get('prod_n')}",
        ]
        if show_missing:
            cells.append(_missing_text(detail))
        table.add_row(*cells, style="bold red" if drifted else None)
    return table


def summary_line(entry: Mapping[str, Any]) -> str:
    """``drift 25.0% > threshold 20.0% (3 of 12 features, alpha 0.05) → DRIFT_DETECTED``."""
    status = entry.get("status")
    if status == "ERROR":
        return f"ERROR: {entry.get('error')}"
    warn = " (mode=warn: not failing)" if entry.get("mode") == "warn" and \
        status == "DRIFT_DETECTED" else ""
    return (
        f"drift {against_threshold(entry)} ({entry.get('features_with_drift')} of "
        f"{entry.get('features_tested')} features, alpha {entry.get('alpha')}) → {status}{warn}"
    )


def short_line(entry: Mapping[str, Any]) -> str:
    """One line per check, for ``-q``: status, node id, drift % against threshold."""
    status = entry.get("status")
    where = entry.get("nodeid") or entry.get("name")
    if entry.get("nodeid") and str(entry.get("name")) not in str(entry.get("nodeid")):
        where = f"{where} ({entry.get('name')})"
    if status == "ERROR":
        return f"ERROR {where}: {entry.get('error')}"
    drifted = entry.get("drifted_features") or []
    tail = f" drifted: {', '.join(drifted)}" if drifted else ""
    warn = " (mode=warn)" if entry.get("mode") == "warn" and status == "DRIFT_DETECTED" else ""
    return f"{status}{warn} {where} {against_threshold(entry)}{tail}"


def render(
    entries: Sequence[Mapping[str, Any]], *, markup: bool, width: int, verbosity: int = 0
) -> str:
    """Text (with ANSI styles when ``markup``) for a list of check entries."""
    from rich.console import Console

    buffer = io.StringIO()
    # markup=False: names and node ids such as test_x[eu] or price[usd] are data, not tags.
    console = Console(file=buffer, force_terminal=markup, no_color=not markup, markup=False,
                      color_system="standard" if markup else None, width=max(width, 40),
                      highlight=False, emoji=False, soft_wrap=False)
    for entry in entries:
        status = str(entry.get("status"))
        if verbosity < 0:
            console.print(short_line(entry), style=STATUS_STYLE.get(status), soft_wrap=True)
            for note in entry.get("notes", []):
                console.print(f"  warning: {note}", style="yellow", soft_wrap=True)
            continue
        if status == "ERROR" and not entry.get("details"):
            console.print(f"{entry.get('name')} ERROR", style=STATUS_STYLE[status])
        else:
            console.print(check_table(entry))
        # soft_wrap: node ids and the verdict stay on one line, whole, to paste back.
        console.print(summary_line(entry), style=STATUS_STYLE.get(status), soft_wrap=True)
        for name, reason in entry.get("skipped_features", {}).items():
            console.print(f"  skipped {name}: {reason}", style="yellow", soft_wrap=True)
        for name, waiver in entry.get("waived_features", {}).items():
            console.print(f"  waived {name}: {waiver}", style="yellow", soft_wrap=True)
        for note in entry.get("notes", []):
            console.print(f"  warning: {note}", style="yellow", soft_wrap=True)
        if entry.get("nodeid"):
            console.print(f"  test: {entry['nodeid']}", style="dim", soft_wrap=True)
        for name, detail in entry.get("details", {}).items():
            for note in detail.get("notes", []):
                console.print(f"  note ({name}): {note}", style="yellow")
    return buffer.getvalue()
