"""One check, stage by stage: load → plan → reduce → decide → gate → report. No pytest here.

Each stage has its module: the datasets' contexts and column names (here and
:mod:`pytest_drift.loaders`), the plan (:mod:`pytest_drift.planning`), the engine that opens
and reduces the data (:mod:`pytest_drift.engines.registry`, :mod:`pytest_drift.evaluate`),
the verdicts and the gate (:mod:`pytest_drift.verdict`), and the report
(:mod:`pytest_drift.models`, :mod:`pytest_drift.report`).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift import waivers as waiver_clock
from pytest_drift.engines.registry import Loader, OpenRequest, Side, choose_engine, open_check
from pytest_drift.errors import DriftError, DriftUsageError
from pytest_drift.models import ERROR, DriftReport
from pytest_drift.options import CheckOptions
from pytest_drift.planning import (
    CheckPlan,
    checked_columns,
    columns_to_read,
    describe_source,
    plan_features,
)
from pytest_drift.schema_changes import SchemaChanges, schema_changes
from pytest_drift.stats.registry import TestRegistry
from pytest_drift.verdict import CheckVerdict, decide_check

if TYPE_CHECKING:
    from pytest_drift.loaders import LoadContext
    from pytest_drift.snapshots.store import SnapshotTarget

ROLES = ("baseline", "candidate")


def utc_now() -> str:
    return datetime.datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_check(
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
    save: SnapshotTarget | None = None,
) -> DriftReport:
    """Run one resolved check. Loading and usage errors propagate as :class:`DriftError`.

    ``registry`` holds the tests by name (the plugin adds hook-registered ones); ``today``
    is the clock waivers are judged by; ``progress(done, total)`` hears of each feature.
    ``loader(source, columns, context)`` reads a dataset (the plugin passes its
    ``pytest_drift_load`` hook, with a session cache); the default is the built-in loader.
    ``charts=True`` adds the chart data the HTML report draws (not computed otherwise).
    ``api_log=True`` requires a JSON Lines candidate to be an API request log (inputs under
    ``features_key``); the default detects it from the first record.
    ``save`` writes a side of the check as a snapshot (the baseline, or the candidate to
    approve it as the new baseline).
    """
    from pytest_drift.evaluate import evaluate_features
    from pytest_drift.loaders import load, peek_columns
    from pytest_drift.parallel import default_workers
    from pytest_drift.snapshots import stage
    from pytest_drift.snapshots.sketch import bound_results

    if options.segment_by:
        raise DriftUsageError(
            "segment_by", list(options.segment_by), options.origins.get("segment_by",
                                                                       "segment_by"),
            "a segmented check is a family of checks: run it with compare_segments(), the "
            "drift marker or a declared check")
    if options.window is not None:
        from pytest_drift.window_pipeline import run_windowed

        if save is not None:
            raise DriftUsageError("window", options.window,
                                  options.origins.get("window", "window"),
                                  "a windowed check cannot save a snapshot: check the whole "
                                  "candidate (without window) to save or approve one")
        return run_windowed(options, base_dir=base_dir, name=name, nodeid=nodeid,
                            api_log=api_log, loader=loader, registry=registry, today=today,
                            progress=progress, charts=charts)
    started, timestamp = time.perf_counter(), utc_now()
    asked = options
    options, snapshot_step = stage.prepare(options, save, base_dir)
    sources = {role: getattr(options, role) for role in ROLES}
    contexts = load_contexts(options, base_dir, api_log)
    peeked = {role: peek_columns(sources[role], contexts[role]) for role in ROLES}
    plan = None if None in peeked.values() else plan_features(
        options, peeked["baseline"] or [], peeked["candidate"] or [])
    needed = stage.needed_columns(columns_to_read(options, plan), plan, snapshot_step)
    request = OpenRequest(options, sources, contexts, needed, loader or load)
    engine_name = choose_engine(request)
    with open_check(engine_name, request) as opened:
        plan = confirmed_plan(options, plan, peeked, opened.sides)
        snapshot = stage.read_entry(snapshot_step, options, plan, base_dir)
        rank_errors = stage.read_rank_errors(snapshot_step, options)
        names = {role: side.description for role, side in opened.sides.items()}
        results = bound_results(
            evaluate_features(plan.tested, opened.engine, options, names,
                              registry or TestRegistry(), charts=charts, progress=progress),
            rank_errors, workers=(options.workers or default_workers())
            if opened.engine.forkable else 1)
        kinds = {feature: opened.engine.kinds(feature) for feature in plan.tested}
        snapshot = stage.write_entry(snapshot_step, opened.engine, opened.sides, plan,
                                     options, base_dir) or snapshot
    sides = opened.sides
    if snapshot_step.fresh:  # the candidate compared with itself stands for the snapshot
        sides = {**sides, "baseline": replace(sides["baseline"], description=asked.baseline)}
    schema = schema_changes(options.schema, plan.only_in_baseline, plan.only_in_candidate,
                            kinds, results, options.categorical or ())
    verdict = decide_check(results, plan.skipped, options, (today or waiver_clock.today)(),
                           (sides["baseline"].rows, sides["candidate"].rows), schema.failed)
    report = check_report(options, verdict, sides, engine_name, name=name, nodeid=nodeid,
                     timestamp=timestamp, duration=time.perf_counter() - started,
                     snapshot=snapshot, approximate=bool(rank_errors), schema=schema)
    if options.report:
        from pytest_drift.loaders import resolve_path
        from pytest_drift.report import write_json

        write_json(resolve_path(options.report, base_dir), report.to_json())
    return report


def load_contexts(options: CheckOptions, base_dir: Path | None, api_log: bool | None
                   ) -> dict[str, LoadContext]:
    """How each dataset is to be read; a missing dataset is a usage error."""
    from pytest_drift.loaders import LoadContext

    contexts = {}
    for role in ROLES:
        if getattr(options, role) is None:
            raise DriftUsageError(
                role, None, "no marker, argument, flag or ini key",
                f"a {role} dataset is required: give it to the marker (positionally or as "
                f"{role}=...), on the command line (--drift-{role}) or in ini (drift_{role})",
            )
        contexts[role] = LoadContext(
            role=role, origin=options.origins.get(role, "argument"), base_dir=base_dir,
            features_key=options.features_key, format=(options.format or {}).get(role),
            api_log=api_log if role == "candidate" else None,
            remote_timeout=options.remote_timeout,
            baselines_dir=options.baselines_dir,
        )
    return contexts


def confirmed_plan(options: CheckOptions, plan: CheckPlan | None,
                    peeked: dict[str, list[str] | None], sides: dict[str, Side]) -> CheckPlan:
    """The plan, made from the opened datasets' columns when they could not be peeked at.

    Names are checked against every column of a dataset, not only the ones read.
    """
    columns = {role: checked_columns(role, side.description, side.files, peeked[role],
                                     side.column_names, side.rows, options)
               for role, side in sides.items()}
    return plan or plan_features(options, columns["baseline"], columns["candidate"])


def check_report(options: CheckOptions, verdict: CheckVerdict, sides: dict[str, Side],
            engine: str, *, name: str | None, nodeid: str | None, timestamp: str,
            duration: float, snapshot: dict[str, Any] | None, approximate: bool,
            schema: SchemaChanges, segment: dict[str, Any] | None = None) -> DriftReport:
    """The report of a check that ran (``segment``: which segment of a family it is)."""
    baseline, candidate = sides["baseline"], sides["candidate"]
    return DriftReport(
        name=name or options.name or "compare", nodeid=nodeid, timestamp=timestamp,
        baseline=baseline.description, candidate=candidate.description,
        baseline_files=baseline.files, candidate_files=candidate.files,
        baseline_rows=baseline.rows, candidate_rows=candidate.rows, engine=engine,
        details=verdict.details, skipped_features=verdict.skipped, alpha=options.alpha,
        threshold=options.threshold, mode=options.mode, status=verdict.status,
        error=verdict.error, option_sources=dict(options.sources),
        duration_seconds=round(duration, 6), correction=options.correction,
        min_effect=options.min_effect,
        false_alarm_probability=verdict.false_alarm_probability, notes=verdict.notes,
        snapshot=snapshot, approximate=approximate, schema=schema, segment=segment,
    )


def error_report(
    options: CheckOptions, error: DriftError | str, *, name: str, nodeid: str | None = None
) -> DriftReport:
    """The report of a check that could not run: status ERROR with the error's message."""
    return DriftReport(
        name=name, nodeid=nodeid, timestamp=utc_now(),
        baseline=describe_source(options.baseline),
        candidate=describe_source(options.candidate),
        status=ERROR, alpha=options.alpha, threshold=options.threshold, mode=options.mode,
        option_sources=dict(options.sources), error=str(error),
    )

