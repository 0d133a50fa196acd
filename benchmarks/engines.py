"""Engines at scale: the same check on the memory, duckdb and spark engines, from Parquet.

Generates baseline and candidate Parquet files of N rows × 4 float features (in row-group
chunks, outside the repository), then runs ``compare()`` once per engine, each in a fresh
process, and records wall time, the peak memory of the whole process tree, the peak size of
the engine's temporary (spill) directory, and whether the results equal each other.

    python benchmarks/engines.py --rows 10M                 # about 2 minutes
    python benchmarks/engines.py --rows 100M --engines duckdb --memory-limit 2GB
    python benchmarks/engines.py --rows 10M --engines spark  # local[N]; start-up apart

Results print as Markdown (``--markdown FILE`` also writes them).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(tempfile.gettempdir()) / "pytest-drift-engines"
CHUNK = 1_000_000
FEATURES = ("normal", "lognormal_nan", "mixture", "uniform")


def parse_rows(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 10**3, "M": 10**6, "G": 10**9}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * scale)


def generate(rows: int, directory: Path) -> dict[str, Path]:
    """Write (or reuse) ``baseline.parquet`` and ``candidate.parquet`` with ``rows`` rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    paths = {side: directory / f"{side}.parquet" for side in ("baseline", "candidate")}
    stamp = directory / "complete.json"
    if stamp.exists() and json.loads(stamp.read_text()) == {"rows": rows}:
        return paths
    for number, path in enumerate(paths.values()):
        shift = 0.002 * number
        schema = pa.schema([(name, pa.float64()) for name in FEATURES])
        with pq.ParquetWriter(path, schema) as writer:
            for start in range(0, rows, CHUNK):
                size = min(CHUNK, rows - start)
                rng = np.random.default_rng([number, start // CHUNK])
                lognormal = rng.lognormal(3.0 + shift, 1.0, size)
                lognormal[rng.random(size) < 0.05] = np.nan
                mixture = np.where(rng.random(size) < 0.3, rng.normal(-2, 0.5, size),
                                   rng.normal(1 + shift, 1.0, size))
                writer.write_table(pa.table({
                    "normal": rng.normal(shift, 1.0, size),
                    "lognormal_nan": lognormal,
                    "mixture": mixture,
                    "uniform": rng.uniform(0.0, 1.0, size),
                }, schema=schema))
    stamp.write_text(json.dumps({"rows": rows}))
    return paths


def child(baseline: str, candidate: str, engine: str, memory_limit: str | None) -> None:
    """Run one check and print its results as JSON (the parent measures from outside)."""
    from pytest_drift import compare

    options: dict[str, Any] = {"engine": engine}
    if memory_limit and engine == "duckdb":
        options["duckdb_memory_limit"] = memory_limit
    startup = 0.0
    if engine == "spark":  # the local SparkSession's start, timed apart
        from pytest_drift.engines.spark_engine import spark_session

        started = time.perf_counter()
        spark_session([])
        startup = time.perf_counter() - started
    started = time.perf_counter()
    report = compare(baseline, candidate, **options)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds, "startup": startup, "engine": report.engine,
        "features": {name: {"statistic": r.statistic, "p_value": r.p_value,
                            "location": float(r.statistic_location or 0.0),
                            "train_n": r.baseline_n, "prod_n": r.candidate_n,
                            "wasserstein": r.wasserstein}
                     for name, r in report.details.items()},
    }))


def _tree_memory(pid: int) -> int:
    """Summed PSS (kB) of a process and all its descendants."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(c) for c in children)
    return total


def _directory_size(path: Path) -> int:
    size = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                size += (Path(root) / name).stat().st_size
    return size


def measure(paths: dict[str, Path], engine: str, memory_limit: str | None) -> dict[str, Any]:
    """One engine in a fresh process: results, wall time, peak tree memory, peak spill."""
    spill = Path(tempfile.mkdtemp(prefix="drift-engine-tmp-"))
    env = {**os.environ, "TMPDIR": str(spill), "SPARK_LOCAL_DIRS": str(spill)}
    command = [sys.executable, __file__, "--child", str(paths["baseline"]),
               str(paths["candidate"]), engine, memory_limit or ""]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    peak_memory = peak_disk = 0
    while process.poll() is None:
        peak_memory = max(peak_memory, _tree_memory(process.pid))
        peak_disk = max(peak_disk, _directory_size(spill))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    out, err = process.communicate()
    shutil.rmtree(spill, ignore_errors=True)
    if process.returncode != 0:
        return {"engine": engine, "error": err.strip().splitlines()[-1] if err else "failed"}
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall=wall, peak_memory_mb=peak_memory / 1024, peak_spill_mb=peak_disk / 2**20)
    return result


def equal(a: dict[str, Any], b: dict[str, Any]) -> str:
    """``identical``, ``within 1e-12`` or the first difference."""
    worst = "identical"
    for name, left in a["features"].items():
        right = b["features"][name]
        for key, value in left.items():
            other = right[key]
            if value == other:
                continue
            if isinstance(value, float) and abs(value - other) <= 1e-12 * max(1.0, abs(value)):
                worst = "within 1e-12"
                continue
            return f"{name}.{key}: {value} vs {other}"
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10M", help="rows per side, e.g. 10M or 100M")
    parser.add_argument("--engines", default="memory,duckdb")
    parser.add_argument("--memory-limit", default="2GB", help="duckdb_memory_limit")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        baseline, candidate, engine, limit = args.child
        child(baseline, candidate, engine, limit or None)
        return
    rows = parse_rows(args.rows)
    started = time.perf_counter()
    paths = generate(rows, args.data_dir / f"rows-{rows}")
    size = sum(p.stat().st_size for p in paths.values())
    print(f"data: {rows:,} rows × {len(FEATURES)} per side, {size / 1e9:.2f} GB of Parquet "
          f"({time.perf_counter() - started:.0f} s to generate or check)", file=sys.stderr)
    results = []
    for engine in args.engines.split(","):
        print(f"  {engine} ...", file=sys.stderr)
        results.append(measure(paths, engine, args.memory_limit))
        print(f"  {engine}: {results[-1].get('wall', results[-1].get('error'))}",
              file=sys.stderr)
    lines = [f"#### {rows:,} vs {rows:,} rows × {len(FEATURES)} float features, Parquet "
             f"({size / 1e9:.2f} GB), duckdb_memory_limit {args.memory_limit}", "",
             "| engine | wall (s) | inside compare (s) | session start-up (s) "
             "| peak memory, process tree PSS (MB) | peak temp disk (MB) | results |",
             "|---|---:|---:|---:|---:|---:|---|"]
    reference = next((r for r in results if "features" in r), None)
    for result in results:
        if "error" in result:
            lines.append(f"| {result['engine']} | | | | | | failed: {result['error']} |")
            continue
        same = "reference" if result is reference else equal(reference or result, result)
        startup = f"{result['startup']:.1f}" if result.get("startup") else ""
        lines.append(f"| {result['engine']} | {result['wall']:.1f} | {result['seconds']:.1f} "
                     f"| {startup} | {result['peak_memory_mb']:,.0f} "
                     f"| {result['peak_spill_mb']:,.0f} "
                     f"| {same} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
