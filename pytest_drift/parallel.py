"""Per-feature work on worker processes, so every core counts.

The expensive parts of a numeric feature (sorting or counting its values, and scipy's
asymptotic KS p-value, a loop that holds the GIL) cannot use a second core from threads.
Worker processes are started with ``fork``: they inherit the loaded tables, so nothing of row
size is copied or pickled; only each feature's small summary travels back. ``fork`` is used
on Linux only (elsewhere the work runs in the calling process).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pytest_drift.errors import DriftError

Result = TypeVar("Result")

#: The job of the current pool, inherited by its forked workers.
_JOB: Callable[[int], Any] | None = None

#: What the jobs import on first use (the KS p-value and the effect sizes), imported before
#: forking so that the workers inherit it: each worker would otherwise import its own copy
#: after the fork, most of a second of CPU for scipy.stats, and the parent then a third.
WORKER_IMPORTS = ("scipy.stats",)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_workers() -> int:
    """One process per usable CPU; one inside a pytest-xdist worker, whose siblings already
    use the other CPUs."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return 1
    return usable_cpus()


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _run(index: int) -> Any:
    assert _JOB is not None, "a worker runs only inside a Workers block"
    return _JOB(index)


class Workers:
    """Up to ``workers`` forked processes for one check, or the calling process alone.

    ``job(index)`` is what :meth:`indexed` runs; the workers inherit it (and everything it
    reads) when they start, so its data is never pickled. :meth:`call` runs a module-level
    function on small picklable arguments in the same workers.
    """

    def __init__(self, workers: int, job: Callable[[int], Any]) -> None:
        self.workers = workers
        self.job = job
        self._executor: Any = None

    def __enter__(self) -> Workers:
        global _JOB
        if self.workers > 1 and can_fork():
            import importlib
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            for module in WORKER_IMPORTS:
                importlib.import_module(module)
            _JOB = self.job
            with warnings.catch_warnings():
                # Python 3.12+ warns that forking a multi-threaded process (pyarrow's
                # pools) may deadlock in the child; the workers run numpy and scipy code.
                warnings.filterwarnings(
                    "ignore", message=r".*fork\(\) may lead to deadlocks",
                    category=DeprecationWarning)
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("fork"))
                # Fork every worker now, while the job is in place and warnings are muted.
                for future in [self._executor.submit(int) for _ in range(self.workers)]:
                    future.result()
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _JOB
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            # Only the block that forked owns the job: one in this process alone (a
            # worker's own check of a window) leaves its worker's job in place.
            _JOB = None

    def indexed(self, count: int) -> Iterator[tuple[int, Any]]:
        """``job(0) … job(count - 1)``, yielding ``(index, result)`` as each finishes."""
        return self._map(_run, [(index,) for index in range(count)], self.job)

    def call(self, function: Callable[..., Result], arguments: list[tuple[Any, ...]]
             ) -> Iterator[tuple[int, Result]]:
        """``function(*arguments[i])`` for each ``i``, yielding ``(i, result)`` as each
        finishes; ``function`` must be importable by name (defined at module level)."""
        return self._map(function, arguments, function)

    def _map(self, remote: Callable[..., Any], arguments: list[tuple[Any, ...]],
             local: Callable[..., Any]) -> Iterator[tuple[int, Any]]:
        if self._executor is None:
            for index, args in enumerate(arguments):
                yield index, local(*args)
            return
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        try:
            futures = {self._executor.submit(remote, *args): index
                       for index, args in enumerate(arguments)}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield futures[future], future.result()
        except BrokenProcessPool:
            raise DriftError(
                "a worker process of the drift check died (killed for lack of memory?); "
                "run the check in one process with workers=1 (--drift-workers 1), or test "
                "fewer features at a time"
            ) from None

