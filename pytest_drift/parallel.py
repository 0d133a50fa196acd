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
    assert _JOB is not None, "a worker runs only inside run_indexed"
    return _JOB(index)


def run_indexed(count: int, job: Callable[[int], Result], workers: int
                ) -> Iterator[tuple[int, Result]]:
    """Run ``job(0) … job(count - 1)``, on up to ``workers`` forked processes, and yield
    ``(index, result)`` as each finishes. An exception in a job is raised here."""
    if workers <= 1 or count < 2 or not can_fork():
        for index in range(count):
            yield index, job(index)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    global _JOB
    _JOB = job
    executor = ProcessPoolExecutor(min(workers, count),
                                   mp_context=multiprocessing.get_context("fork"))
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns that forking a multi-threaded process (pyarrow's pools)
            # may deadlock in the child; the workers only run numpy and scipy code.
            warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks",
                                    category=DeprecationWarning)
            futures = {executor.submit(_run, index): index for index in range(count)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield futures[future], future.result()
    except BrokenProcessPool:
        raise DriftError(
            "a worker process of the drift check died (killed for lack of memory?); run "
            "the check in one process with workers=1 (--drift-workers 1), or test fewer "
            "features at a time"
        ) from None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        _JOB = None
