"""A progress bar for checks that take a while: features done out of features to test.

It appears only after ``DELAY`` seconds, only on a terminal (not in CI logs, not under
``-q``, never on an xdist worker), and goes away when the check ends.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

#: Checks faster than this show nothing.
DELAY = 2.0


class CheckProgress:
    """Call it with ``(done, total)`` after each feature; ``close()`` when the check ends.

    ``suspend_capture`` returns a context manager that lets output through pytest's capture
    while the bar is shown.
    """

    def __init__(self, label: str, *, enabled: bool, console: Any = None,
                 suspend_capture: Callable[[], Any] | None = None,
                 clock: Callable[[], float] = time.perf_counter, delay: float = DELAY) -> None:
        self.label = label
        self.enabled = enabled
        self.console = console
        self.suspend_capture = suspend_capture
        self.clock = clock
        self.delay = delay
        self.started = clock()
        self._bar: Any = None
        self._task: Any = None
        self._stack = contextlib.ExitStack()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if self.clock() - self.started < self.delay:
                return
            self._start(total)
        self._bar.update(self._task, completed=done, total=total)

    def _start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        if self.suspend_capture is not None:
            self._stack.enter_context(self.suspend_capture())
        self._bar = Progress("[progress.description]{task.description}", BarColumn(),
                             MofNCompleteColumn(), "features", TimeElapsedColumn(),
                             console=self.console, transient=True)
        self._stack.enter_context(self._bar)
        self._task = self._bar.add_task(self.label, total=total)

    def close(self) -> None:
        self._stack.close()
        self._bar = None
