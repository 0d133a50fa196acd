"""Time windows: a 30-day log of requests checked in daily windows, against one check of the
whole log, on the same baseline.

The data (generated once into ``benchmarks/data/windows/``): a baseline of 1M rows and a
log of 3M requests over 30 days (100,000 a day, in time order), 12 features each (8 floats,
2 integers of few values, 2 categories), as Parquet; from day 21 four features drift. Per
engine, in this one process, the whole-log check and the windowed check run paired, repeat
by repeat, the order reversed on every other repeat; the ratio is windowed / whole (the
issue's target: within 3x). The script checks that the windowed check found the drift's
first day.

    python benchmarks/windows.py --engines memory,duckdb --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pytest_drift import compare

DATA = Path(__file__).resolve().parent / "data" / "windows"
DAYS, PER_DAY, BASELINE_ROWS = 30, 100_000, 1_000_000
DRIFT_DAY = 21


def _features(rng: np.random.Generator, rows: int, shift: float) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for index in range(8):
        moved = shift if index < 4 else 0.0
        columns[f"f{index}"] = rng.normal(moved, 1.0 + index / 10, rows)
    columns["count_a"] = rng.poisson(3, rows)
    columns["count_b"] = rng.integers(0, 12, rows)
    columns["country"] = rng.choice(["FR", "DE", "IT", "ES", "PT", "NL"], rows)
    columns["device"] = rng.choice(["ios", "android", "web"], rows)
    return columns


def generate() -> tuple[Path, Path]:
    """The baseline and the log, written once."""
    baseline, log = DATA / "baseline.parquet", DATA / "log.parquet"
    if baseline.is_file() and log.is_file():
        return baseline, log
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(30)
    pq.write_table(pa.table(_features(rng, BASELINE_ROWS, 0.0)), baseline)
    days = []
    for day in range(DAYS):
        columns = _features(rng, PER_DAY, 0.05 if day >= DRIFT_DAY else 0.0)
        start = np.datetime64("2026-11-01T00:00:00", "us") + np.timedelta64(day, "D")
        offsets = np.sort(rng.integers(0, 86_400_000_000, PER_DAY)).astype("timedelta64[us]")
        days.append(pa.table({"timestamp": pa.array(start + offsets, pa.timestamp("us",
                                                                                  "UTC")),
                              **columns}))
    pq.write_table(pa.concat_tables(days), log)
    return baseline, log


def timed(**options: Any) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    report = compare(**options)
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="memory,duckdb")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    baseline, log = generate()
    results = {}
    for engine in args.engines.split(","):
        runs: dict[str, list[float]] = {"whole": [], "daily": []}
        for repeat in range(args.repeats):
            order = ("whole", "daily") if repeat % 2 == 0 else ("daily", "whole")
            for kind in order:
                options = {"baseline": str(baseline), "candidate": str(log), "engine": engine,
                           "exclude": ["timestamp"] if kind == "whole" else []}
                if kind == "daily":
                    options["window"] = "1d"
                seconds, report = timed(**options)
                runs[kind].append(seconds)
                print(f"  {engine} repeat {repeat + 1}/{args.repeats} {kind}: {seconds:.2f} s",
                      file=sys.stderr)
                if kind == "daily":
                    first = report.to_json()["windows"]["first_drifted"]
                    if first != DRIFT_DAY:
                        sys.exit(f"the windowed check found the drift on day {first}, "
                                 f"not {DRIFT_DAY}")
        ratios = [daily / whole for daily, whole in zip(runs["daily"], runs["whole"],
                                                         strict=True)]
        results[engine] = {"whole": runs["whole"], "daily": runs["daily"],
                           "ratio": statistics.median(ratios)}
    print("| engine | one check of the whole log (s) | 30 daily windows (s) | "
          "daily / whole |")
    print("|---|---:|---:|---:|")
    for engine, result in results.items():
        print(f"| {engine} | {statistics.median(result['whole']):.2f} | "
              f"{statistics.median(result['daily']):.2f} | {result['ratio']:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
