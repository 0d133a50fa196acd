"""A segmented check, ``segment_by=["country"]``: the pipeline of :mod:`pytest_drift.pipeline`
run once per segment seen on either side, as one family of reports. The datasets are loaded
and opened once; the engine finds every segment's rows at once (:mod:`pytest_drift.segments`);
segments on one side only or under ``min_samples`` rows are reports of status ``SKIPPED``
(a one-sided segment fails under ``schema='fail'``: a value of the segment column appeared
or disappeared). No pytest here."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.registry import Loader, OpenRequest, Side, choose_engine, open_check
from pytest_drift.errors import DriftUsageError
from pytest_drift.models import (
    DRIFT_DETECTED,
    SKIPPED,
    STATUS_ORDER,
    DriftReport,
    Status,
)
from pytest_drift.options import CheckOptions
from pytest_drift.pipeline import ROLES
from pytest_drift.planning import describe_source
from pytest_drift.schema_changes import SchemaChanges
from pytest_drift.segments import SegmentKey, SegmentPlan
from pytest_drift.stats.registry import TestRegistry

if TYPE_CHECKING:
    from pytest_drift.engines.base import Engine



@dataclass(frozen=True)
class SegmentFamily:
    """A segmented check's reports, one per segment (label → report), in segment order."""

    name: str
    by: tuple[str, ...]
    reports: Mapping[str, DriftReport]

    @property
    def status(self) -> Status:
        """The worst status of its segments."""
        statuses = {report.status for report in self.reports.values()}
        return next((status for status in STATUS_ORDER if status in statuses), SKIPPED)

    @property
    def gate_failed(self) -> bool:
        return any(report.gate_failed for report in self.reports.values())

    def __iter__(self) -> Iterator[DriftReport]:
        return iter(self.reports.values())


def _refuse_snapshots(options: CheckOptions) -> None:
    from pytest_drift.sources import is_snapshot_name

    if is_snapshot_name(options.baseline):
        raise DriftUsageError(
            "segment_by", list(options.segment_by or ()), options.origins.get(
                "segment_by", "segment_by"),
            f"the baseline {options.baseline!r} is a snapshot, which keeps each feature's "
            "values but not the rows they came from, so it cannot be cut into segments: "
            "give the raw baseline")


def _require_columns(options: CheckOptions, by: tuple[str, ...], role: str, description: str,
                     columns: Sequence[str]) -> None:
    missing = [name for name in by if name not in columns]
    if missing:
        raise DriftUsageError(
            "segment_by", list(by), options.origins.get("segment_by", "segment_by"),
            f"{', '.join(map(repr, missing))} is no column of the {role} {description!r}; "
            f"its columns: {', '.join(columns)}")


def _segment_plan(options: CheckOptions, by: tuple[str, ...], engine: Engine) -> SegmentPlan:
    plan = SegmentPlan(by, engine.segment_rows("baseline", by),
                       engine.segment_rows("candidate", by))
    if len(plan.keys) > options.max_segments:
        raise DriftUsageError(
            "segment_by", list(by), options.origins.get("segment_by", "segment_by"),
            f"{len(plan.keys)} segments (baseline and candidate together), more than "
            f"max_segments={options.max_segments}: segment by columns of few values (a "
            "numeric column rarely is one), or raise max_segments")
    return plan


def segment_labels(options: CheckOptions, *, base_dir: Path | None = None,
                   loader: Loader | None = None) -> list[str]:
    """The labels of a segmented check's segments (``country=FR``), reading only the
    segment columns: what pytest parametrizes the check's test over at collection."""
    from pytest_drift.loaders import load
    from pytest_drift.pipeline import load_contexts

    by = tuple(options.segment_by or ())
    _refuse_snapshots(options)
    sources = {role: getattr(options, role) for role in ROLES}
    request = OpenRequest(options, sources, load_contexts(options, base_dir, None), list(by),
                          loader or load)
    with open_check(choose_engine(request), request) as opened:
        for role, side in opened.sides.items():
            _require_columns(options, by, role, side.description, side.column_names)
        segments = _segment_plan(options, by, opened.engine)
    return [segments.label(key) for key in segments.keys]


def run_segments(
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
) -> SegmentFamily:
    """Run a segmented check: one report per segment, named ``NAME[country=FR]`` (the
    arguments are :func:`pytest_drift.pipeline.run_check`'s). Loading and usage errors
    propagate as :class:`pytest_drift.errors.DriftError`."""
    from pytest_drift.check_parts import opening, plan_parts
    from pytest_drift.evaluate import evaluate_features
    from pytest_drift.pipeline import check_report, utc_now

    by = tuple(options.segment_by or ())
    _refuse_snapshots(options)
    if options.window is not None:
        raise DriftUsageError(
            "window", options.window, options.origins.get("window", "window"),
            "a check is cut into segments or into time windows, not both at once: give "
            "window to a check of one segment (a filtered candidate), or drop segment_by")
    family = name or options.name or "compare"
    registry = registry or TestRegistry()
    started, timestamp = time.perf_counter(), utc_now()
    found = opening(options, by, base_dir=base_dir, api_log=api_log, loader=loader)
    for role, columns in found.peeked.items():
        if columns is not None:
            _require_columns(options, by, role, describe_source(found.sources[role]), columns)
    engine_name = found.engine_name
    reports: dict[str, DriftReport] = {}
    with open_check(engine_name, found.request) as opened:
        for role, side in opened.sides.items():
            _require_columns(options, by, role, side.description, side.column_names)
        parts = plan_parts(options, by, found, opened.engine, opened.sides, registry)
        segments = _segment_plan(options, by, opened.engine)
        testable = parts.testable
        tested = [key for key in segments.keys
                  if segments.skip_reason(key, options.min_samples) is None]
        for done, (key, engine) in enumerate(
                opened.engine.segment_engines(by, tested, testable), start=1):
            raw = evaluate_features(list(testable), engine, options, parts.names, registry,
                                    charts=charts)
            sides = _segment_sides(opened.sides, segments, key)
            verdict, schema = parts.decide(
                raw, (sides["baseline"].rows, sides["candidate"].rows), options, today)
            label = segments.label(key)
            reports[label] = check_report(
                options, verdict, sides, engine_name, name=f"{family}[{label}]",
                nodeid=None if nodeid is None else f"{nodeid}[{label}]", timestamp=timestamp,
                duration=time.perf_counter() - started, snapshot=None, approximate=False,
                schema=schema, segment=_segment_entry(family, segments, key, None))
            if progress is not None:
                progress(done, len(tested))
        sides_of = {key: _segment_sides(opened.sides, segments, key) for key in segments.keys}
    for key in segments.keys:
        reason = segments.skip_reason(key, options.min_samples)
        if reason is not None:
            label = segments.label(key)
            reports[label] = _skipped_report(
                options, family, segments, key, reason, sides_of[key], engine_name,
                nodeid=None if nodeid is None else f"{nodeid}[{label}]", timestamp=timestamp)
    ordered = {segments.label(key): reports[segments.label(key)] for key in segments.keys}
    return SegmentFamily(family, by, _with_family_false_alarm(ordered, options))


def _with_family_false_alarm(reports: dict[str, DriftReport], options: CheckOptions
                             ) -> dict[str, DriftReport]:
    """Each segment's report with the chance that some segment's gate fails on stable
    data (segments hold disjoint rows, so their gates are independent), and a note when it
    is above :data:`pytest_drift.verdict.FALSE_ALARM_WARNING`."""
    from pytest_drift.stats.false_alarm import any_fails
    from pytest_drift.verdict import FALSE_ALARM_WARNING

    gates = [report.false_alarm_probability for report in reports.values()
             if report.false_alarm_probability is not None]
    probability = any_fails(gates)
    note = (f"some segment's gate fails on stable data {probability:.1%} of the time "
            f"({len(gates)} segments tested): lower alpha (e.g. {options.alpha:g}/"
            f"{len(gates)}) or raise the threshold")
    marked = {}
    for label, report in reports.items():
        segment = {**(report.segment or {}), "segments_tested": len(gates),
                   "family_false_alarm_probability": probability}
        notes = report.notes
        if probability > FALSE_ALARM_WARNING and report.segment and not report.segment.get(
                "skipped"):
            notes = (*notes, note)
        marked[label] = replace(report, segment=segment, notes=notes)
    return marked


def _segment_sides(sides: Mapping[str, Side], segments: SegmentPlan, key: SegmentKey
                   ) -> dict[str, Side]:
    """The datasets as a segment's report describes them: the segment's rows."""
    rows = {"baseline": segments.baseline_rows.get(key, 0),
            "candidate": segments.candidate_rows.get(key, 0)}
    return {role: replace(side, rows=rows[role]) for role, side in sides.items()}


def _segment_entry(family: str, segments: SegmentPlan, key: SegmentKey,
                   skipped: str | None) -> dict[str, Any]:
    return {"family": family, "by": list(segments.by),
            "key": dict(zip(segments.by, key, strict=True)), "label": segments.label(key),
            "only_in": segments.only_in(key), "skipped": skipped}


def _skipped_report(options: CheckOptions, family: str, segments: SegmentPlan,
                    key: SegmentKey, reason: str, sides: Mapping[str, Side], engine: str, *,
                    nodeid: str | None, timestamp: str) -> DriftReport:
    """A segment not tested; one on one side only fails under ``schema='fail'``."""
    one_sided = segments.only_in(key) is not None
    status: Status = DRIFT_DETECTED if one_sided and options.schema == "fail" else SKIPPED
    baseline, candidate = sides["baseline"], sides["candidate"]
    return DriftReport(
        name=f"{family}[{segments.label(key)}]", nodeid=nodeid, timestamp=timestamp,
        baseline=baseline.description, candidate=candidate.description,
        baseline_files=baseline.files, candidate_files=candidate.files,
        baseline_rows=baseline.rows, candidate_rows=candidate.rows, engine=engine,
        alpha=options.alpha, threshold=options.threshold, mode=options.mode, status=status,
        option_sources=dict(options.sources), correction=options.correction,
        min_effect=options.min_effect, schema=SchemaChanges(options.schema),
        segment=_segment_entry(family, segments, key, reason),
    )
