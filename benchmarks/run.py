"""Time ``pytest_drift.compare`` against the floor and the plain pandas + scipy loop.

For each size and format, in this one process, the three contenders run paired, repeat by
repeat (the order reverses on every other repeat, so none always runs first or last):

``floor``
    pyarrow reads both files into numpy arrays and nothing else (string columns as dictionary
    indices): no test can be faster than its input.
``loop``
    ``pandas.read_csv`` / ``pandas.read_parquet``, then ``scipy.stats.ks_2samp`` on every
    numeric column (missing values dropped) and ``scipy.stats.chi2_contingency`` on every
    text column's counts: what a user writes by hand.
``compare``
    ``pytest_drift.compare(baseline_path, candidate_path, min_samples=1)``.

Reported: the median seconds, the medians of the per-repeat ratios (paired: the machine's
speed drifts between runs, the ratio within a repeat much less), the peak memory of each
contender in a fresh subprocess (``ru_maxrss``: numpy and pyarrow allocate outside
tracemalloc's view), whether compare's statistics and p-values equal the loop's on every
column, and the import cost of the plugin.

    python benchmarks/run.py --sizes small,mid --repeats 3
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cold
import generate
from contenders import CONTENDERS, RUNNERS, Outcome, import_for, run_compare

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "pandas", "scipy", "pyarrow", "rich")


# --- measurements -------------------------------------------------------------------------


@dataclass
class Timing:
    size: str
    fmt: str
    seconds: dict[str, list[float]] = field(default_factory=dict)
    results: dict[str, dict[str, Outcome]] = field(default_factory=dict)


def warm_cache(paths: Sequence[Path]) -> None:
    """Read the files once so that every contender finds them in the page cache."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass


def time_paired(size: str, fmt: str, repeats: int, log: Callable[[str], None]) -> Timing:
    baseline = generate.path_of(size, "baseline", fmt)
    candidate = generate.path_of(size, "candidate", fmt)
    warm_cache([baseline, candidate])
    timing = Timing(size, fmt, {name: [] for name in CONTENDERS})
    for repeat in range(repeats):
        order = CONTENDERS if repeat % 2 == 0 else tuple(reversed(CONTENDERS))
        for name in order:
            gc.collect()
            started = time.perf_counter()
            outcome = RUNNERS[name](baseline, candidate, fmt)
            elapsed = time.perf_counter() - started
            timing.seconds[name].append(elapsed)
            if repeat == 0:
                timing.results[name] = outcome
            del outcome
            log(f"  {size} {fmt} repeat {repeat + 1}/{repeats} {name}: {elapsed:.3f} s")
    return timing


def _status_kb(pid: int | str, key: str) -> int:
    """A ``/proc/<pid>/status`` field in kB (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(root: int) -> list[int]:
    """Every living process below ``root`` (scans /proc: this kernel has no
    ``/proc/<pid>/task/<tid>/children``)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    stack = [root]
    while stack:
        for child in parents.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


class MemorySampler(threading.Thread):
    """Every ``interval`` seconds, the high-water RSS of each child process (a process pool's
    workers) and the proportional set size of this process and its children together (PSS
    shares the pages a forked worker has in common with its parent instead of counting them
    twice)."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.children_hwm_kb: dict[int, int] = {}
        self.total_pss_kb = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        me = os.getpid()
        total = _pss_kb(me)
        for pid in descendants(me):
            total += _pss_kb(pid)
            hwm = _status_kb(pid, "VmHWM")
            self.children_hwm_kb[pid] = max(self.children_hwm_kb.get(pid, 0), hwm)
        self.total_pss_kb = max(self.total_pss_kb, total)

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.sample()


def worker(contender: str, size: str, fmt: str) -> None:
    """One measurement in this fresh process; prints one JSON line.

    The peak of this process is ``VmHWM`` (the high-water RSS of its own address space), not
    ``getrusage().ru_maxrss``: on Linux a child's ``ru_maxrss`` starts at its parent's RSS at
    fork time, so a worker started by the benchmark (which holds pandas, scipy and the last
    contender's data) would report the benchmark's memory instead of its own.
    """
    import_for(contender)
    gc.collect()
    after_import = _status_kb("self", "VmRSS")
    baseline = generate.path_of(size, "baseline", fmt)
    candidate = generate.path_of(size, "candidate", fmt)
    sampler = MemorySampler()
    sampler.start()
    started = time.perf_counter()
    RUNNERS[contender](baseline, candidate, fmt)
    elapsed = time.perf_counter() - started
    sampler.stop()
    print(json.dumps({
        "seconds": elapsed,
        "rss_after_import_kb": after_import,
        "peak_kb": _status_kb("self", "VmHWM"),
        "workers": len(sampler.children_hwm_kb),
        "largest_worker_peak_kb": max(sampler.children_hwm_kb.values(), default=0),
        "total_pss_peak_kb": sampler.total_pss_kb,
        "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "ru_maxrss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }))


@dataclass
class Memory:
    size: str
    fmt: str
    #: contender -> the worker's JSON.
    runs: dict[str, dict[str, float]] = field(default_factory=dict)


def measure_memory(size: str, fmt: str, log: Callable[[str], None]) -> Memory:
    memory = Memory(size, fmt)
    for name in CONTENDERS:
        completed = subprocess.run(
            [sys.executable, __file__, "--worker", name, "--sizes", size, "--formats", fmt],
            capture_output=True, text=True, check=True, cwd=ROOT)
        memory.runs[name] = json.loads(completed.stdout.strip().splitlines()[-1])
        log(f"  {size} {fmt} memory {name}: "
            f"{memory.runs[name]['peak_kb'] / 1024:.0f} MB peak")
    return memory


def profile_compare(size: str, fmt: str, top: int = 12) -> list[tuple[str, float, int]]:
    """compare() under cProfile, in one process (``workers=1``: a profiler does not see
    into worker processes): the pytest_drift and scipy functions with the most cumulative
    time (nested: they overlap), as (function, seconds, calls)."""
    import cProfile
    import pstats

    baseline = generate.path_of(size, "baseline", fmt)
    candidate = generate.path_of(size, "candidate", fmt)
    profiler = cProfile.Profile()
    profiler.enable()
    run_compare(baseline, candidate, fmt, workers=1)
    profiler.disable()
    entries: list[tuple[str, float, int]] = []
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = (
        pstats.Stats(profiler).stats)  # type: ignore[attr-defined]
    for (filename, line, function), (_cc, calls, _tt, cumulative, _callers) in raw.items():
        if "pytest_drift" in filename:
            module = filename.split("pytest_drift", 1)[1].strip("/").removesuffix(".py")
            label = f"pytest_drift/{module}.{function}"
            if function.startswith("<"):
                label += f":{line}"
        elif "scipy" in filename and function in {"sf", "ks_2samp", "chi2_contingency"}:
            label = f"scipy {Path(filename).stem}.{function}"
        else:
            continue
        if function in {"compare", "run_check"}:
            continue
        entries.append((label, cumulative, calls))
    entries.sort(key=lambda entry: -entry[1])
    return entries[:top]


# --- import cost --------------------------------------------------------------------------


def _python(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          check=False, env=None if env is None else {**os.environ, **env})


def parse_importtime(stderr: str) -> dict[str, int]:
    """Cumulative microseconds of each top-level import of a ``-X importtime`` log."""
    top: dict[str, int] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) == 1:
            top[match.group(3)] = int(match.group(1))
    return top


def heavy_modules(stderr: str) -> list[str]:
    """Which of :data:`HEAVY` a ``-X importtime`` log shows imported."""
    names = {m.group(1).split(".")[0] for m in
             re.finditer(r"import time:\s+\d+ \|\s+\d+ \| *(\S+)", stderr)}
    return [name for name in HEAVY if name in names]


def median_wall(args: Sequence[str], cwd: Path, repeats: int,
                env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        _python(args, cwd, env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_imports(repeats: int = 9) -> dict[str, Any]:
    """The plugin's import cost, alone and after pytest, and ``pytest --co -q`` on an empty
    directory with and without the plugin (alternating, medians)."""
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="drift-bench-empty-") as empty, \
            tempfile.TemporaryDirectory(prefix="drift-bench-pycache-") as pycache:
        cwd = Path(empty)
        # Imports as an installed package sees them: from bytecode caches (an environment
        # with PYTHONDONTWRITEBYTECODE would otherwise compile every module every time).
        cached = {"PYTHONPYCACHEPREFIX": pycache, "PYTHONDONTWRITEBYTECODE": ""}
        _python(["-c", "import pytest, pytest_drift.plugin"], cwd, cached)
        # -X importtime figures vary from run to run: the median of ``repeats`` runs each.
        alone_us, after_us, pytest_us = [], [], []
        for _ in range(repeats):
            alone = _python(["-X", "importtime", "-c", "import pytest_drift.plugin"],
                            cwd, cached).stderr
            alone_us.append(sum(parse_importtime(alone).values()))
            after = _python(["-X", "importtime", "-c",
                             "import pytest; import pytest_drift.plugin"], cwd, cached).stderr
            top = parse_importtime(after)
            pytest_us.append(top.get("pytest", 0))
            after_us.append(top.get("pytest_drift.plugin", 0))
        out["plugin_alone_us"] = statistics.median(alone_us)
        out["plugin_alone_heavy"] = heavy_modules(alone)
        out["pytest_us"] = statistics.median(pytest_us)
        out["plugin_after_pytest_us"] = statistics.median(after_us)
        out["plugin_after_pytest_us_runs"] = after_us
        # importtime prints a module when its import ends: what follows the top-level
        # pytest line is what the plugin imports on top of pytest.
        out["plugin_after_pytest_heavy"] = heavy_modules(after.split("| pytest\n", 1)[-1])
        out["wall_import_pytest_s"] = median_wall(["-c", "import pytest"], cwd, repeats,
                                                  cached)
        out["wall_import_pytest_and_plugin_s"] = median_wall(
            ["-c", "import pytest, pytest_drift.plugin"], cwd, repeats, cached)
        collect = ["-m", "pytest", "--co", "-q", "-p", "no:cacheprovider"]
        # All installed plugins (hypothesis, xdist, ...) with and without ours; then no
        # autoloaded plugin at all, with ours loaded by name or not.
        no_autoload = {**cached, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        variants: dict[str, tuple[list[str], dict[str, str] | None]] = {
            "with": (collect, cached),
            "without": ([*collect, "-p", "no:datadrift"], cached),
            "alone_with": ([*collect, "-p", "pytest_drift.plugin"], no_autoload),
            "alone_without": (collect, no_autoload),
        }
        for args, env in variants.values():  # fill the bytecode cache first
            _python(args, cwd, env)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for repeat in range(repeats):
            order = list(variants) if repeat % 2 == 0 else list(reversed(variants))
            for variant in order:
                args, env = variants[variant]
                started = time.perf_counter()
                _python(args, cwd, env)
                times[variant].append(time.perf_counter() - started)
        for variant, (args, env) in variants.items():
            out[f"pytest_co_{variant}_s"] = statistics.median(times[variant])
            log = _python(["-X", "importtime", *args], cwd, env)
            out[f"pytest_co_{variant}_heavy"] = heavy_modules(log.stderr)
            out[f"pytest_co_{variant}_exit"] = log.returncode
    return out


# --- exactness ----------------------------------------------------------------------------


@dataclass
class Agreement:
    """compare() against the loop, column by column, for one kind of feature."""

    columns: int = 0
    identical_statistic: int = 0
    identical_p: int = 0
    max_statistic_diff: float = 0.0
    max_p_diff: float = 0.0
    differing: list[str] = field(default_factory=list)


def agreement(loop: dict[str, Outcome], ours: dict[str, Outcome]) -> dict[str, Agreement]:
    by_kind: dict[str, Agreement] = {}
    for name, (kind, statistic, p_value) in loop.items():
        entry = by_kind.setdefault(kind, Agreement())
        entry.columns += 1
        if name not in ours or ours[name][0] != kind:
            entry.differing.append(f"{name} (not tested as {kind})")
            continue
        _kind, our_statistic, our_p = ours[name]
        our_p = float("nan") if our_p is None else our_p
        p_value = float("nan") if p_value is None else p_value
        entry.identical_statistic += our_statistic == statistic
        entry.identical_p += our_p == p_value
        entry.max_statistic_diff = max(entry.max_statistic_diff, abs(our_statistic - statistic))
        entry.max_p_diff = max(entry.max_p_diff, abs(our_p - p_value))
        if our_statistic != statistic or our_p != p_value:
            entry.differing.append(name)
    return by_kind


# --- the machine --------------------------------------------------------------------------


def _git(*args: str) -> str:
    """A read-only git command's output (never one that changes the repository)."""
    completed = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT,
                               check=False)
    return completed.stdout.rstrip()


FAULT_PROBE = """
import time
import numpy as np
times = []
for _ in range(2):
    started = time.perf_counter()
    block = np.ones(1 << 27)  # 1 GiB, written page by page
    times.append(time.perf_counter() - started)
    del block
print(times[0], times[1])
"""


def page_fault_cost() -> tuple[float, float]:
    """Seconds to fill 1 GiB of fresh memory in a new process, the first time and again.

    On some virtual machines memory a process has not touched yet is slow to get (the host
    backs it on first touch); that cost lands on whichever contender allocates first, and on
    every fresh pytest process.
    """
    completed = subprocess.run([sys.executable, "-c", FAULT_PROBE], capture_output=True,
                               text=True, check=True)
    first, again = (float(x) for x in completed.stdout.split())
    return first, again


def machine() -> dict[str, Any]:
    cpu = ""
    memory_gb = 0.0
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), "")
        with open("/proc/meminfo") as info:
            memory_gb = int(next(line for line in info
                                 if line.startswith("MemTotal")).split()[1]) / 1024**2
    except (OSError, StopIteration):
        pass
    versions = {}
    for package in ("numpy", "pandas", "scipy", "pyarrow", "pytest", "rich",
                    "pytest-datadrift"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    dirty = [line[3:] for line in _git("status", "--porcelain").splitlines()
             if not line[3:].startswith("benchmarks")]
    return {
        "cpus": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)),
        "cpu": cpu, "memory_gb": round(memory_gb, 1), "python": platform.python_version(),
        "platform": platform.platform(), "versions": versions,
        "commit": _git("rev-parse", "--short", "HEAD").strip(),
        "fill_1gib_first_and_again_s": page_fault_cost(),
        "modified_outside_benchmarks": dirty,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- the report ---------------------------------------------------------------------------


def _ratios(numerator: list[float], denominator: list[float]) -> float:
    """The median of the per-repeat ratios (paired)."""
    return statistics.median(n / d for n, d in zip(numerator, denominator, strict=True))


def _mb(kb: float) -> str:
    return f"{kb / 1024:,.0f}"


def _shape(size: str) -> str:
    spec = generate.SIZES[size]
    return (f"{spec.baseline_rows / 1000:g}k × {spec.candidate_rows / 1000:g}k × "
            f"{spec.columns}")


def markdown(timings: list[Timing], memories: list[Memory],
             profiles: dict[tuple[str, str], list[tuple[str, float, int]]],
             imports: dict[str, Any] | None, info: dict[str, Any], command: str) -> str:
    first, again = info["fill_1gib_first_and_again_s"]
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    lines = [f"Machine: {info['usable_cpus']} usable CPUs ({info['cpu']}), "
             f"{info['memory_gb']} GB; Python {info['python']}; {versions}. Filling 1 GiB "
             f"of fresh memory in a new process (before the run): {first:.2f} s the first "
             f"time, {again:.2f} s again.", "",
             f"Run {info['date']} on commit {info['commit']}"
             + (f" (modified outside benchmarks/: {', '.join(info['modified_outside_benchmarks'])})"
                if info["modified_outside_benchmarks"] else "")
             + f"; `{command}`", ""]
    if timings:
        repeats = len(timings[0].seconds["floor"])
        lines += [f"### Time (median of {repeats} paired repeats, seconds)", "",
                  "| size | format | floor | loop | compare | compare / floor | loop / floor "
                  "| speed-up vs loop (loop / compare) |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
        for t in timings:
            s = t.seconds
            lines.append(
                f"| {t.size} ({_shape(t.size)}) | {t.fmt} "
                f"| {statistics.median(s['floor']):.3f} | {statistics.median(s['loop']):.3f} "
                f"| {statistics.median(s['compare']):.3f} "
                f"| {_ratios(s['compare'], s['floor']):.1f}× "
                f"| {_ratios(s['loop'], s['floor']):.1f}× "
                f"| {_ratios(s['loop'], s['compare']):.2f}× |")
        lines += ["", "Every repeat (seconds, in run order within a repeat: floor, loop, "
                  "compare forward on odd repeats, reversed on even ones):", ""]
        for t in timings:
            runs = "; ".join(f"{name} " + ", ".join(f"{x:.3f}" for x in t.seconds[name])
                             for name in CONTENDERS)
            lines.append(f"- {t.size} {t.fmt}: {runs}")
        lines += ["", "### Exactness: compare() against the loop, every column", "",
                  "| size | format | kind | columns | identical statistic | identical p "
                  "| max abs diff statistic | max abs diff p | drifted (compare, p < 0.05) |",
                  "|---|---|---|---:|---:|---:|---:|---:|---:|"]
        for t in timings:
            ours = t.results["compare"]
            for kind, entry in sorted(agreement(t.results["loop"], ours).items()):
                drifted = sum(1 for k, _s, p in ours.values()
                              if k == kind and p is not None and p < 0.05)
                lines.append(
                    f"| {t.size} | {t.fmt} | {kind} | {entry.columns} "
                    f"| {entry.identical_statistic} | {entry.identical_p} "
                    f"| {entry.max_statistic_diff:.3g} | {entry.max_p_diff:.3g} "
                    f"| {drifted} |")
        different = [f"{t.size} {t.fmt}: {', '.join(e.differing)}" for t in timings
                     for e in agreement(t.results["loop"], t.results["compare"]).values()
                     if e.differing]
        if different:
            lines += ["", "Columns not bit-identical: " + "; ".join(different)]
    if memories:
        lines += ["", "### Peak memory (MB, one fresh process per contender)", "",
                  "Peak: the process's high-water RSS (`VmHWM`). Workers: the largest "
                  "high-water RSS of any child process (compare's worker pool; 0 when there "
                  "is none). Total: the largest sampled sum of PSS over the process and its "
                  "children (every 50 ms). After imports: RSS before reading anything "
                  "(interpreter and libraries).", "",
                  "| size | format | floor peak | loop peak | compare peak | compare workers "
                  "(count, largest peak) | compare total (PSS) | RSS after imports "
                  "(floor / loop / compare) | seconds in the worker (floor / loop / compare) |",
                  "|---|---|---:|---:|---:|---:|---:|---|---|"]
        for m in memories:
            r = m.runs
            lines.append(
                f"| {m.size} | {m.fmt} | {_mb(r['floor']['peak_kb'])} "
                f"| {_mb(r['loop']['peak_kb'])} | {_mb(r['compare']['peak_kb'])} "
                f"| {r['compare']['workers']:.0f}, "
                f"{_mb(r['compare']['largest_worker_peak_kb'])} "
                f"| {_mb(r['compare']['total_pss_peak_kb'])} "
                f"| {' / '.join(_mb(r[n]['rss_after_import_kb']) for n in CONTENDERS)} "
                f"| {' / '.join(format(r[n]['seconds'], '.2f') for n in CONTENDERS)} |")
    for (size, fmt), entries in profiles.items():
        lines += ["", f"### Where compare() spends its time: {size} {fmt} (cProfile of one "
                  "process, workers=1; cumulative, nested entries overlap)", "",
                  "| function | seconds | calls |", "|---|---:|---:|"]
        lines += [f"| `{label}` | {seconds:.3f} | {calls} |"
                  for label, seconds, calls in entries]
    if imports is not None:
        i = imports
        exits = ", ".join(str(i[f"pytest_co_{v}_exit"])
                          for v in ("with", "without", "alone_with", "alone_without"))
        lines += [
            "", "### Import cost", "",
            "| measurement | value |", "|---|---|",
            f"| `python -X importtime -c \"import pytest_drift.plugin\"`: all top-level "
            f"imports, pytest included (median of runs) | {i['plugin_alone_us'] / 1000:.1f} ms |",
            f"| heavy modules it imports | {', '.join(i['plugin_alone_heavy']) or 'none'} |",
            f"| `import pytest` (importtime, cumulative) | {i['pytest_us'] / 1000:.1f} ms |",
            f"| `pytest_drift.plugin` after `import pytest` (importtime, cumulative; median, "
            f"min–max) | {i['plugin_after_pytest_us'] / 1000:.1f} ms "
            f"({min(i['plugin_after_pytest_us_runs']) / 1000:.1f}–"
            f"{max(i['plugin_after_pytest_us_runs']) / 1000:.1f}) |",
            f"| heavy modules the plugin adds after pytest "
            f"| {', '.join(i['plugin_after_pytest_heavy']) or 'none'} |",
            f"| wall: `python -c \"import pytest\"` → `\"import pytest, "
            f"pytest_drift.plugin\"` (median) | {i['wall_import_pytest_s'] * 1000:.0f} → "
            f"{i['wall_import_pytest_and_plugin_s'] * 1000:.0f} ms |",
            f"| wall: `pytest --co -q` in an empty directory, without → with the plugin "
            f"(median) | {i['pytest_co_without_s'] * 1000:.0f} → "
            f"{i['pytest_co_with_s'] * 1000:.0f} ms "
            f"(+{(i['pytest_co_with_s'] - i['pytest_co_without_s']) * 1000:.0f} ms) |",
            f"| heavy modules imported by that session, without → with the plugin "
            f"| {', '.join(i['pytest_co_without_heavy']) or 'none'} → "
            f"{', '.join(i['pytest_co_with_heavy']) or 'none'} |",
            f"| wall: the same with `PYTEST_DISABLE_PLUGIN_AUTOLOAD=1` (no other plugin), "
            f"without → with `-p pytest_drift.plugin` (median) "
            f"| {i['pytest_co_alone_without_s'] * 1000:.0f} → "
            f"{i['pytest_co_alone_with_s'] * 1000:.0f} ms "
            f"(+{(i['pytest_co_alone_with_s'] - i['pytest_co_alone_without_s']) * 1000:.0f}"
            " ms) |",
            f"| heavy modules imported by that session, without → with the plugin "
            f"| {', '.join(i['pytest_co_alone_without_heavy']) or 'none'} → "
            f"{', '.join(i['pytest_co_alone_with_heavy']) or 'none'} |",
            f"| exit codes (5: no tests collected, as expected) "
            f"| {exits} |",
        ]
    return "\n".join(lines) + "\n"


# --- main ---------------------------------------------------------------------------------


def _list(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(raw: str) -> list[str]:
        names = [name.strip() for name in raw.split(",") if name.strip()]
        if names == ["all"]:
            return list(allowed)
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(
                f"unknown {', '.join(unknown)}; known: {', '.join(allowed)} (or all)")
        return names
    return parse


def run_cold(args: argparse.Namespace, info: dict[str, Any], command: str, started: float,
             log: Callable[[str], None]) -> int:
    """The ``--cold`` run: its tables to stdout (and ``--markdown``), raw figures to ``--json``."""
    colds = [cold.measure_cold(size, fmt, (generate.path_of(size, "baseline", fmt),
                                           generate.path_of(size, "candidate", fmt)),
                               CONTENDERS, args.repeats, log)
             for size in args.sizes for fmt in args.formats]
    text = markdown([], [], {}, None, info, command) + "\n" + cold.markdown(colds)
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"command": command, "machine": info,
                                     "cold": cold.as_json(colds),
                                     "total_seconds": time.perf_counter() - started},
                                    indent=1) + "\n")
    log(f"done in {time.perf_counter() - started:.0f} s; raw results in {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_list(list(generate.SIZES)), default=["small", "mid"],
                        help="comma-separated, of small, mid, large, wide, or all "
                             "(default: small,mid)")
    parser.add_argument("--formats", type=_list(generate.FORMATS),
                        default=list(generate.FORMATS), help="parquet,csv (default: both)")
    parser.add_argument("--repeats", type=int, default=3, help="paired repeats (default 3)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the peak-memory subprocesses")
    parser.add_argument("--no-imports", action="store_true", help="skip the import cost")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one compare() per size and format")
    parser.add_argument("--cold", action="store_true",
                        help="instead: each contender's first call in a fresh process "
                             "(cold.py), --repeats processes per contender")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    parser.add_argument("--json", type=Path, default=generate.DATA_DIR / "last_run.json",
                        help="raw results (default: benchmarks/data/last_run.json)")
    parser.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.sizes[0], args.formats[0])
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    started = time.perf_counter()
    info = machine()  # first: its memory probe wants a machine that has been idle
    for size in args.sizes:
        seconds = generate.generate(size)
        log(f"{size}: data " + ("up to date" if seconds is None else
                                f"generated in {seconds:.1f} s"))
    if args.cold:
        return run_cold(args, info, command.strip(), started, log)
    for contender in CONTENDERS:
        import_for(contender)
    # One untimed round on the small files: the first call into pyarrow's readers, pandas and
    # scipy pays one-off set-up that would otherwise land on whichever contender runs first.
    generate.generate("small")
    for fmt in args.formats:
        for contender in CONTENDERS:
            RUNNERS[contender](generate.path_of("small", "baseline", fmt),
                               generate.path_of("small", "candidate", fmt), fmt)
    timings: list[Timing] = []
    memories: list[Memory] = []
    profiles: dict[tuple[str, str], list[tuple[str, float, int]]] = {}
    for size in args.sizes:
        for fmt in args.formats:
            timings.append(time_paired(size, fmt, args.repeats, log))
            if not args.no_memory:
                memories.append(measure_memory(size, fmt, log))
            if args.profile:
                profiles[(size, fmt)] = profile_compare(size, fmt)
    imports = None if args.no_imports else measure_imports()
    text = markdown(timings, memories, profiles, imports, info, command.strip())
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "command": command.strip(), "machine": info, "imports": imports,
        "timings": [{"size": t.size, "format": t.fmt, "seconds": t.seconds,
                     "agreement": {k: vars(v) for k, v in
                                   agreement(t.results["loop"], t.results["compare"]).items()},
                     "loop": t.results["loop"], "compare": t.results["compare"]}
                    for t in timings],
        "memory": [{"size": m.size, "format": m.fmt, "runs": m.runs} for m in memories],
        "profiles": {f"{s} {f}": entries for (s, f), entries in profiles.items()},
        "total_seconds": time.perf_counter() - started,
    }, indent=1, default=str) + "\n")
    log(f"done in {time.perf_counter() - started:.0f} s; raw results in {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
