"""Each contender's first call in a fresh process: what a new user meets (a script, a fresh
clone's ``make bench``, the first check of a pytest session), not the warm calls ``run.py``
times in one process.

Two ways, each contender once per repeat in its own new interpreter, paired and alternating
(the order reverses on every other repeat):

``script``
    The process imports what that contender's script imports at its top (floor: pyarrow;
    loop: numpy, pandas, scipy.stats; compare: ``pytest_drift``), then makes its first call.
    Whatever else a contender needs (pyarrow for pandas, pandas and scipy for compare) it
    imports inside the call. Compare the whole process: every contender pays for every
    library it uses.
``preloaded``
    The process first imports the libraries all contenders share (numpy, pandas, pyarrow's
    readers, scipy.stats), then makes the first call: what is left of "cold" once the
    libraries are loaded (lazy imports of our own modules, a first worker pool, memory
    touched for the first time, pyarrow's first read).

Each fresh process reads bytecode from a cache filled by one untimed run of each contender
(as an installed package has one), and finds the files in the page cache.

    python benchmarks/run.py --cold --sizes mid --formats parquet --repeats 9

Light to import on purpose: ``--worker`` runs in the fresh process, whose clock starts here.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
HERE = Path(__file__).resolve().parent
WAYS = ("script", "preloaded")
#: What each contender's script imports at its top.
SCRIPT_IMPORTS = {
    "floor": ("pyarrow", "pyarrow.csv", "pyarrow.parquet"),
    "loop": ("numpy", "pandas", "scipy.stats"),
    "compare": ("pytest_drift",),
}
#: The libraries every contender uses or has imported for it; loaded first in ``preloaded``.
SHARED_LIBRARIES = ("numpy", "pandas", "pyarrow.csv", "pyarrow.parquet", "pyarrow.dataset",
                    "scipy.stats")


def worker(contender: str, way: str, baseline: str, candidate: str, fmt: str) -> None:
    """In the fresh process: the imports, then the first call; prints one JSON line."""
    sys.path.insert(0, str(HERE))
    shared = SHARED_LIBRARIES if way == "preloaded" else ()
    for module in (*shared, *SCRIPT_IMPORTS[contender]):
        importlib.import_module(module)
    imported = time.perf_counter()
    import contenders

    contenders.RUNNERS[contender](Path(baseline), Path(candidate), fmt)
    done = time.perf_counter()
    print(json.dumps({"imports": imported - STARTED, "first_call": done - imported}))


@dataclass
class Cold:
    size: str
    fmt: str
    #: (way, contender) -> one dict per repeat: process wall, CPU of the process and its
    #: children (compare's workers), the worker's own imports and first call.
    runs: dict[str, list[dict[str, float]]] = field(default_factory=dict)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_fresh(contender: str, way: str, paths: tuple[Path, Path], fmt: str,
               env: dict[str, str]) -> dict[str, float]:
    cpu, started = _children_cpu(), time.perf_counter()
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", contender, way, *map(str, paths), fmt],
        capture_output=True, text=True, check=True, env=env, cwd=HERE.parent)
    wall = time.perf_counter() - started
    return {"process_wall": wall, "process_cpu": _children_cpu() - cpu,
            **json.loads(completed.stdout.strip().splitlines()[-1])}


def measure_cold(size: str, fmt: str, paths: tuple[Path, Path], contenders: Sequence[str],
                 repeats: int, log: Callable[[str], None]) -> Cold:
    """``repeats`` fresh processes per contender and way, paired and alternating."""
    cold = Cold(size, fmt)
    pairs = [(way, name) for way in WAYS for name in contenders]
    with tempfile.TemporaryDirectory(prefix="drift-bench-pycache-") as pycache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": pycache, "PYTHONDONTWRITEBYTECODE": ""}
        for way, name in pairs:  # untimed: fills the bytecode cache
            _run_fresh(name, way, paths, fmt, env)
        for repeat in range(repeats):
            for way, name in pairs if repeat % 2 == 0 else reversed(pairs):
                run = _run_fresh(name, way, paths, fmt, env)
                cold.runs.setdefault(f"{way} {name}", []).append(run)
                log(f"  {size} {fmt} cold repeat {repeat + 1}/{repeats} {way} {name}: "
                    f"{run['process_wall']:.3f} s wall, first call {run['first_call']:.3f} s")
    return cold


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _ratio(top: list[dict[str, float]], bottom: list[dict[str, float]], key: str) -> str:
    ratios = sorted(t[key] / b[key] for t, b in zip(top, bottom, strict=True))
    return f"{statistics.median(ratios):.2f}× ({ratios[0]:.2f}–{ratios[-1]:.2f})"


def markdown(colds: list[Cold]) -> str:
    if not colds:
        return ""
    repeats = len(next(iter(colds[0].runs.values())))
    lines = [f"### Cold: each contender's first call in a fresh process (median of {repeats} "
             "paired repeats, seconds)", "",
             "Process: the whole `python` process, interpreter start-up included. CPU: of "
             "the process and its children (compare's worker pool). Imports: what the "
             "process imports before the call (its script's imports; in `preloaded`, first "
             "numpy, pandas, pyarrow's readers and scipy.stats). First call: the rest, with "
             "whatever the contender imports on first use.", "",
             "| size | format | way | contender | process | imports | first call | CPU |",
             "|---|---|---|---|---:|---:|---:|---:|"]
    for c in colds:
        for label, runs in c.runs.items():
            way, name = label.split()
            lines.append(f"| {c.size} | {c.fmt} | {way} | {name} "
                         f"| {_median(runs, 'process_wall'):.3f} "
                         f"| {_median(runs, 'imports'):.3f} "
                         f"| {_median(runs, 'first_call'):.3f} "
                         f"| {_median(runs, 'process_cpu'):.3f} |")
    lines += ["", "Speed-up of compare over the loop, cold (median of the per-repeat ratios "
              "loop / compare, min–max):", "",
              "| size | format | whole process (`script`) | first call after the shared "
              "libraries (`preloaded`) |", "|---|---|---:|---:|"]
    for c in colds:
        r = c.runs
        if "script loop" not in r or "script compare" not in r:
            continue
        lines.append(f"| {c.size} | {c.fmt} "
                     f"| {_ratio(r['script loop'], r['script compare'], 'process_wall')} "
                     f"| {_ratio(r['preloaded loop'], r['preloaded compare'], 'first_call')} |")
    return "\n".join(lines) + "\n"


def as_json(colds: list[Cold]) -> list[dict[str, Any]]:
    return [{"size": c.size, "format": c.fmt, "runs": c.runs} for c in colds]


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    worker(*sys.argv[2:7])
