"""A windowed check, ``window="1d"``: the candidate cut into consecutive windows by its
``time_column`` (:mod:`pytest_drift.windows`), each window tested against the whole baseline
as a check of its own, on the memory and DuckDB engines. The check's report is the deciding
window's (the last tested one, or with ``window_gate="any"`` the first that failed) with
every window listed in its ``windows`` section. No pytest here."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.registry import Loader, Side, open_check
from pytest_drift.errors import DriftUsageError
from pytest_drift.evaluate import PARALLEL_MIN_VALUES as EVALUATE_PARALLEL_MIN_VALUES
from pytest_drift.models import DRIFT_DETECTED, FAILING, DriftReport, FeatureResult
from pytest_drift.options import CheckOptions
from pytest_drift.stats.registry import TestRegistry

if TYPE_CHECKING:
    from pytest_drift.engines.base import Engine
    from pytest_drift.verdict import CheckVerdict
    from pytest_drift.windows import WindowPlan

#: The engines that cut a candidate into windows.
WINDOW_ENGINES = ("memory", "duckdb")
#: Below this many values (all windows' checks together) the windows run in this process:
#: starting workers would cost more than it saves (as for one check's features).
PARALLEL_MIN_VALUES = EVALUATE_PARALLEL_MIN_VALUES


def _times_of(engine: Engine, column: str, role: str = "candidate") -> Any:
    from pytest_drift.engines import windowing

    if engine.name == "duckdb":
        return windowing.duckdb_times(engine, column, role)  # type: ignore[arg-type]
    return windowing.memory_times(engine, column, role)  # type: ignore[arg-type]


def _same_zoning(options: CheckOptions, candidate_times: Any, engine: Engine,
                 baseline: Side) -> None:
    """A baseline that has the time column too must agree on time zones: times with a zone
    on one side and without on the other cannot be compared."""
    from pytest_drift.errors import DriftInputError
    from pytest_drift.windows import read_times

    if options.time_column not in baseline.column_names:
        return
    origin = options.origins.get("time_column", "time_column")
    times = read_times(_times_of(engine, options.time_column, "baseline"),
                       options.time_column, f"baseline {baseline.description!r}", origin,
                       require_sorted=False)
    if (times.tz is None) != (candidate_times.tz is None):
        zoned, plain = ("baseline", "candidate") if times.tz is not None else (
            "candidate", "baseline")
        raise DriftInputError(
            f"time_column={options.time_column!r} (from {origin}) has a time zone in the "
            f"{zoned} and none in the {plain}: give both sides' times a zone (or neither), "
            "e.g. 2026-11-01T10:00:00Z")


def _windows_of(engine: Engine, column: str, plan: WindowPlan, codes: Any, indices: list[int],
                as_categories: Mapping[str, bool]) -> Iterator[tuple[int, Engine]]:
    from pytest_drift.engines import windowing

    if engine.name == "duckdb":
        return windowing.duckdb_windows(engine, column, plan,  # type: ignore[arg-type]
                                        indices, as_categories)
    return windowing.memory_windows(engine, plan, codes, indices)  # type: ignore[arg-type]


def run_windowed(
    options: CheckOptions,
    *,
    base_dir: Path | None = None,
    name: str | None = None,
    nodeid: str | None = None,
    api_log: bool | None = None,
    loader: Loader | None = None,
    registry: TestRegistry | None = None,
    today: Callable[[], datetime.date] | None = None,
    progress: Callable[[int, int], None] | None = None,
    charts: bool = False,
) -> DriftReport:
    """Run a windowed check (the arguments are :func:`pytest_drift.pipeline.run_check`'s).
    Loading and usage errors propagate as :class:`pytest_drift.errors.DriftError`."""
    from pytest_drift.check_parts import opening, plan_parts
    from pytest_drift.pipeline import check_report, load_contexts, utc_now
    from pytest_drift.snapshots import stage
    from pytest_drift.windows import plan_windows, read_times, window_codes

    assert options.window is not None
    column = options.time_column
    if stage.read_rank_errors(stage.prepare(options, None, base_dir)[1], options):
        raise DriftUsageError("window", options.window, options.origins.get("window", "window"),
                              f"the baseline {options.baseline!r} is a sketched snapshot, "
                              "whose bounds hold for one check of the whole candidate: "
                              "use an exact snapshot (snapshot_profile exact) for windows")
    origin = options.origins.get("window", "window")
    registry = registry or TestRegistry()
    started, timestamp = time.perf_counter(), utc_now()
    contexts = load_contexts(options, base_dir, api_log)
    contexts["candidate"] = replace(contexts["candidate"], also_read=(column,))
    found = opening(options, [column], base_dir=base_dir, api_log=api_log, loader=loader,
                    contexts=contexts)
    engine_name = found.engine_name
    if engine_name not in WINDOW_ENGINES:
        raise DriftUsageError("engine", engine_name, options.origins.get("engine", "engine"),
                              f"windows are cut on the {' and '.join(WINDOW_ENGINES)} "
                              "engines; choose one of them for a windowed check")
    with open_check(engine_name, found.request) as opened:
        candidate = opened.sides["candidate"]
        if not _has_column(opened.engine, column):
            _refuse_time(options, candidate.description,
                         found.peeked["candidate"] or candidate.column_names)
        parts = plan_parts(options, [column], found, opened.engine, opened.sides, registry)
        where = f"candidate {candidate.description!r}"
        times = read_times(_times_of(opened.engine, column), column, where,
                           options.origins.get("time_column", "time_column"))
        _same_zoning(options, times, opened.engine, opened.sides["baseline"])
        windows = plan_windows(times, options.window, origin)
        codes = window_codes(times, windows.edges)
        tested = [index for index in range(windows.count)
                  if windows.rows[index] >= options.min_samples]
        verdicts: dict[int, tuple[CheckVerdict, Any]] = {}
        evaluated = _evaluated(opened.engine, column, windows, codes, tested, parts.testable,
                               options, parts.names, registry, charts)
        for done, (index, raw) in enumerate(evaluated, start=1):
            verdicts[index] = parts.decide(
                raw, (opened.sides["baseline"].rows, windows.rows[index]), options, today)
            if progress is not None:
                progress(done, len(tested))
        sides = dict(opened.sides)
    if not verdicts:
        raise DriftUsageError(
            "window", options.window, origin,
            f"no window has min_samples={options.min_samples} rows (the most: "
            f"{max(windows.rows)}): choose a longer window")
    deciding, first_failed = _deciding(verdicts, options.window_gate)
    verdict, schema = verdicts[deciding]
    status = DRIFT_DETECTED if options.window_gate == "any" and first_failed is not None \
        else verdict.status
    sides["candidate"] = replace(sides["candidate"], rows=windows.rows[deciding])
    report = check_report(options, replace(verdict, status=status), sides, engine_name,
                          name=name, nodeid=nodeid, timestamp=timestamp,
                          duration=time.perf_counter() - started, snapshot=None,
                          approximate=False, schema=schema)
    return replace(report, windows=_windows_entry(options, windows, verdicts, deciding,
                                                  first_failed))


def _has_column(engine: Engine, column: str) -> bool:
    """Whether the opened candidate holds the column (an API log's ``timestamp`` is no
    column of the log, but is read when asked for)."""
    from pytest_drift.columns import column_names

    if engine.name == "duckdb":
        return column in engine.sides["candidate"].types  # type: ignore[attr-defined]
    return column in column_names(engine.prod)  # type: ignore[attr-defined]


def _evaluated(engine: Engine, column: str, windows: WindowPlan, codes: Any,
               tested: list[int], testable: Mapping[str, bool], options: CheckOptions,
               names: Mapping[str, str], registry: TestRegistry, charts: bool
               ) -> Iterator[tuple[int, dict[str, FeatureResult | str]]]:
    """Each tested window's raw results, in window order. The windows run on forked
    workers, a window to a worker (one pool for all of them: starting one per window would
    cost more than a small window's work): the memory engine's straight from its rows, an
    in-place engine's once its windows' counts are fetched and rebuilt in this process."""
    from pytest_drift.evaluate import evaluate_features
    from pytest_drift.parallel import Workers, default_workers

    workers = min(options.workers or default_workers(), len(tested))
    baseline_rows, candidate_rows = engine.rows
    values = len(testable) * (baseline_rows * len(tested) + candidate_rows)
    if workers < 2 or values < PARALLEL_MIN_VALUES:
        for index, window in _windows_of(engine, column, windows, codes, tested,
                                         dict(testable)):
            yield index, evaluate_features(list(testable), window, options, names, registry,
                                           charts=charts)
        return
    from pytest_drift.engines.windowing import memory_windows

    one_process = replace(options, workers=1)
    fetched = None if engine.forkable else [window for _, window in _windows_of(
        engine, column, windows, codes, tested, dict(testable))]

    def run(position: int) -> dict[str, FeatureResult | str]:
        if fetched is not None:
            window = fetched[position]
        else:
            [(_, window)] = memory_windows(engine, windows, codes,  # type: ignore[arg-type]
                                           [tested[position]])
        return evaluate_features(list(testable), window, one_process, names, registry,
                                 charts=charts)

    with Workers(workers, run) as pool:
        found = dict(pool.indexed(len(tested)))
    for position, index in enumerate(tested):
        yield index, found[position]


def _refuse_time(options: CheckOptions, description: str, columns: list[str]) -> None:
    if options.time_column not in columns:
        raise DriftUsageError(
            "time_column", options.time_column,
            options.origins.get("time_column", "time_column"),
            f"window={options.window!r} cuts the candidate by time, but "
            f"{options.time_column!r} is no column of the candidate {description!r}; its "
            f"columns: {', '.join(columns)}. Name its column of times with time_column")


def _deciding(verdicts: Mapping[int, tuple[CheckVerdict, Any]], gate: str
              ) -> tuple[int, int | None]:
    """The window whose verdict the check reports (the last tested one, or under
    ``gate='any'`` the first that failed), and the first window that failed."""
    failed = [index for index, (verdict, _) in sorted(verdicts.items())
              if verdict.status in FAILING]
    first = failed[0] if failed else None
    if gate == "any" and first is not None:
        return first, first
    return max(verdicts), first


def _windows_entry(options: CheckOptions, windows: WindowPlan,
                   verdicts: Mapping[int, tuple[CheckVerdict, Any]], deciding: int,
                   first_failed: int | None) -> dict[str, Any]:
    """The report's ``windows`` section."""
    listed = []
    for index in range(windows.count):
        start, end = windows.bounds(index)
        entry: dict[str, Any] = {"start": start, "end": end, "rows": windows.rows[index]}
        if index in verdicts:
            verdict = verdicts[index][0]
            drifted = [name for name, result in verdict.details.items()
                       if result.drift_detected]
            tested = len(verdict.details)
            entry.update(status=verdict.status, features_tested=tested,
                         features_with_drift=len(drifted), drifted_features=drifted,
                         drift_percentage=len(drifted) / tested * 100 if tested else None,
                         false_alarm_probability=verdict.false_alarm_probability,
                         skipped=None)
        else:
            entry.update(status="SKIPPED", features_tested=0, features_with_drift=0,
                         drifted_features=[], drift_percentage=None,
                         false_alarm_probability=None,
                         skipped=f"{windows.rows[index]} rows, fewer than min_samples="
                                 f"{options.min_samples}")
        listed.append(entry)
    gates = [verdict.false_alarm_probability for verdict, _ in verdicts.values()
             if verdict.false_alarm_probability is not None]
    return {
        "window": options.window, "time_column": options.time_column,
        "gate": options.window_gate, "deciding": deciding, "first_drifted": first_failed,
        "windows_tested": len(verdicts),
        # The windows share the baseline, so their gates are not independent: the union
        # bound holds whatever the dependence.
        "scan_false_alarm_bound": min(1.0, sum(gates)),
        "windows": listed,
    }
