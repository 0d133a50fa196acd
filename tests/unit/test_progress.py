"""The progress bar of slow checks: shown after the delay on a terminal, never otherwise."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from pytest_drift.options import Layer, resolve_check
from pytest_drift.pipeline import run_check
from pytest_drift.progress import CheckProgress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=100), buffer


def test_nothing_before_the_delay() -> None:
    console, buffer = terminal()
    clock = Clock()
    progress = CheckProgress("check", enabled=True, console=console, clock=clock, delay=2.0)
    clock.now = 1.9
    progress(1, 10)
    progress.close()
    assert buffer.getvalue() == ""


def test_bar_after_the_delay_counts_features() -> None:
    console, buffer = terminal()
    clock = Clock()
    suspended: list[str] = []

    class Suspend:
        def __enter__(self) -> None:
            suspended.append("in")

        def __exit__(self, *args: object) -> None:
            suspended.append("out")

    progress = CheckProgress("cars", enabled=True, console=console, clock=clock, delay=2.0,
                             suspend_capture=Suspend)
    clock.now = 2.5
    progress(3, 7)
    progress(7, 7)
    progress.close()
    text = buffer.getvalue()
    assert "cars" in text
    assert "7/7" in text
    assert suspended == ["in", "out"]  # pytest's capture is let through only while shown


def test_disabled_when_not_a_terminal() -> None:
    console, buffer = terminal()
    clock = Clock()
    progress = CheckProgress("check", enabled=False, console=console, clock=clock, delay=0.0)
    clock.now = 10.0
    progress(1, 2)
    progress.close()
    assert buffer.getvalue() == ""


def test_run_check_reports_each_feature() -> None:
    frame = pd.DataFrame({"a": range(40), "b": range(40), "c": ["x", "y"] * 20})
    seen: list[tuple[int, int]] = []
    options = resolve_check([Layer("argument", {"baseline": frame, "candidate": frame})])
    run_check(options, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
