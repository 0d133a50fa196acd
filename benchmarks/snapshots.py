"""Baselines from snapshots: how large a snapshot is (exact, or sketched with
``--profiles exact,sketch``) against the raw Parquet baseline, how long saving one takes,
and a check's time with the baseline read from the snapshot against read from the raw
Parquet file.

For each size (the data of ``generate.py``) and engine, in this one process: the baseline is
saved once as a snapshot (timed: the check plus the save), then the two checks run paired,
repeat by repeat, the order reversed on every other repeat. Both must give the same
statistics and p-values on every feature (to 1e-12; a mean summed in another order may
differ in its last bit), else the script stops: the figures compare the same work. From a
sketched snapshot every raw statistic must lie within the stated bound and every raw p-value
in the stated interval, else the script stops; the features the bound leaves undecided are
counted.

    python benchmarks/snapshots.py --sizes mid,large --engines memory,duckdb --repeats 5
    python benchmarks/snapshots.py --sizes mid,large --engines memory --profiles exact,sketch
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

from pytest_drift import compare

#: The statistics that must agree between the two checks.
COMPARED = ("statistic", "p_value", "effect", "train_count", "prod_count")


@dataclass
class SnapshotRun:
    size: str
    engine: str
    profile: str
    raw_bytes: int
    snapshot_bytes: int
    save_seconds: float
    #: Bytes of the snapshot's columns per kind of feature (values and counts).
    bytes_by_kind: dict[str, int]
    distinct_by_kind: dict[str, int]
    seconds: dict[str, list[float]] = field(default_factory=dict)
    #: A sketched snapshot: its largest rank error, and the features left undecided.
    largest_rank_error: float = 0.0
    undecided: int = 0


def same_results(raw: Any, snapshot: Any) -> None:
    """Stop when the check from the snapshot differs from the check on the raw file."""
    ours, theirs = raw.to_json()["details"], snapshot.to_json()["details"]
    if ours.keys() != theirs.keys() or raw.status != snapshot.status:
        raise SystemExit(f"the checks differ: {raw.status} vs {snapshot.status}")
    for feature, detail in ours.items():
        for key in COMPARED:
            a, b = detail.get(key), theirs[feature].get(key)
            close = (a == b or (isinstance(a, float) and isinstance(b, float)
                                and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)))
            if not close:
                raise SystemExit(f"{feature}.{key}: raw {a!r}, snapshot {b!r}")


def within_bounds(raw: Any, sketch: Any) -> int:
    """Stop when a raw statistic is outside its sketched bound or a raw p-value outside its
    interval; return how many features the bound leaves undecided."""
    for feature, exact in raw.details.items():
        bounded = sketch.details[feature]
        if bounded.statistic_bound is None:
            same_results_of(exact, bounded, feature)
            continue
        low, high = bounded.p_value_interval
        if abs(exact.statistic - bounded.statistic) > bounded.statistic_bound + 1e-12 or not (
                low - 1e-12 <= exact.p_value <= high + 1e-12):
            raise SystemExit(f"{feature}: raw D={exact.statistic} p={exact.p_value} outside "
                             f"D={bounded.statistic}±{bounded.statistic_bound}, p in "
                             f"[{low}, {high}]")
    return len(sketch.undecided_features)


def same_results_of(exact: Any, other: Any, feature: str) -> None:
    for key in ("statistic", "p_value"):
        a, b = getattr(exact, key), getattr(other, key)
        if not (a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)):
            raise SystemExit(f"{feature}.{key}: raw {a!r}, snapshot {b!r}")


def column_bytes(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """The compressed bytes of each feature's columns in the snapshot, summed by the kind
    of the benchmark's column, and its distinct values."""
    import pyarrow.parquet as pq

    from pytest_drift.snapshots.format import read_header

    header = read_header(path)
    metadata = pq.ParquetFile(path).metadata
    sizes: dict[str, int] = defaultdict(int)
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            sizes[chunk.path_in_schema.split(".")[0]] += chunk.total_compressed_size
    by_kind: dict[str, int] = defaultdict(int)
    distinct: dict[str, int] = defaultdict(int)
    for position, entry in enumerate(header.features):
        kind = generate.kind_of(int(entry.name[1:4]))  # c003_float_nan
        by_kind[kind] += sizes[f"v{position}"] + sizes[f"c{position}"]
        distinct[kind] += entry.distinct
    return dict(by_kind), dict(distinct)


def run(size: str, engine: str, profile: str, repeats: int, folder: Path) -> SnapshotRun:
    baseline = generate.path_of(size, "baseline", "parquet")
    candidate = generate.path_of(size, "candidate", "parquet")
    snapshot = folder / f"{size}-{engine}-{profile.replace(':', '')}.parquet"
    options: dict[str, Any] = {"engine": engine, "min_samples": 1, "report": ""}
    started = time.perf_counter()
    compare(str(baseline), str(candidate), save_baseline=snapshot, snapshot_profile=profile,
            **options)
    save_seconds = time.perf_counter() - started
    by_kind, distinct = column_bytes(snapshot)
    result = SnapshotRun(size, engine, profile, baseline.stat().st_size,
                         snapshot.stat().st_size, save_seconds, by_kind, distinct,
                         {"raw": [], "snapshot": []})
    sources = {"raw": str(baseline), "snapshot": f"snapshot:{snapshot}"}
    for repeat in range(repeats):
        order = ("raw", "snapshot") if repeat % 2 == 0 else ("snapshot", "raw")
        reports = {}
        for name in order:
            gc.collect()
            started = time.perf_counter()
            reports[name] = compare(sources[name], str(candidate), **options)
            result.seconds[name].append(time.perf_counter() - started)
            print(f"  {size} {engine} repeat {repeat + 1}/{repeats} {name}: "
                  f"{result.seconds[name][-1]:.3f} s", file=sys.stderr, flush=True)
        if profile == "exact":
            same_results(reports["raw"], reports["snapshot"])
        else:
            result.undecided = within_bounds(reports["raw"], reports["snapshot"])
            errors = (reports["snapshot"].snapshot or {}).get("rank_errors") or {}
            result.largest_rank_error = max(errors.values(), default=0.0)
    return result


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.1f} KB"


def markdown(runs: list[SnapshotRun]) -> str:
    lines = ["| size | engine | profile | raw baseline (Parquet) | snapshot | snapshot / raw | "
             "save (check + write) | check from raw (s) | check from snapshot (s) | raw / "
             "snapshot | largest rank error | undecided features |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        raw, snap = (statistics.median(r.seconds[k]) for k in ("raw", "snapshot"))
        ratio = statistics.median(a / b for a, b in zip(r.seconds["raw"], r.seconds["snapshot"],
                                                        strict=True))
        sketched = r.profile != "exact"
        lines.append(f"| {r.size} | {r.engine} | {r.profile} | {_mb(r.raw_bytes)} | "
                     f"{_mb(r.snapshot_bytes)} | {r.snapshot_bytes / r.raw_bytes:.3f} | "
                     f"{r.save_seconds:.2f} s | {raw:.3f} | {snap:.3f} | {ratio:.2f}× | "
                     f"{f'{r.largest_rank_error:.5f}' if sketched else '0 (exact)'} | "
                     f"{r.undecided if sketched else '-'} |")
    lines += ["", "| size | profile | kind of feature | values kept | snapshot bytes |",
              "|---|---|---|---:|---:|"]
    for r in runs:
        if r.engine != runs[0].engine:
            continue
        for kind in sorted(r.bytes_by_kind):
            lines.append(f"| {r.size} | {r.profile} | {kind} | {r.distinct_by_kind[kind]:,} | "
                         f"{_mb(r.bytes_by_kind[kind])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="mid,large")
    parser.add_argument("--engines", default="memory,duckdb")
    parser.add_argument("--profiles", default="exact",
                        help="snapshot profiles: exact, sketch, sketch:K (comma-separated)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the raw figures")
    args = parser.parse_args(argv)
    sizes = generate.parse_sizes(args.sizes)
    for size in sizes:
        generate.generate(size)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            for engine in args.engines.split(","):
                for profile in args.profiles.split(","):
                    runs.append(run(size, engine, profile, args.repeats, Path(folder)))
    print(markdown(runs))
    if args.json is not None:
        args.json.write_text(json.dumps([r.__dict__ for r in runs], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
