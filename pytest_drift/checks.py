"""Running the checks of a test item: its ``drift`` markers (or a declared check), its
``drift_check`` calls, and the entries they leave for the test's report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pytest

from pytest_drift.errors import DriftError, DriftInputError, DriftUsageError
from pytest_drift.options import (
    CheckOptions,
    Layer,
    resolve_check,
)

if TYPE_CHECKING:
    from pytest_drift.models import DriftReport

from pytest_drift.session import session_of

MARKER = "drift"


@dataclass
class ItemChecks:
    """Per-test state: the marker's check and the entries not yet attached to a report."""

    marker_report: DriftReport | None = None
    marker_done: bool = False
    pending: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    #: The snapshot files its checks read or save (see :mod:`pytest_drift.baselines`).
    snapshots: list[str] = field(default_factory=list)


item_key = pytest.StashKey[ItemChecks]()


def marker_layer(item: pytest.Item) -> Layer | None:
    """The drift markers of a test merged into one layer, the closest marker winning."""
    markers = list(item.iter_markers(MARKER))
    if not markers:
        return None
    values: dict[str, object] = {}
    for marker in reversed(markers):  # farthest first, so closer markers overwrite
        if len(marker.args) > 2:
            raise DriftUsageError(
                "drift", marker.args, f"marker on {item.nodeid}",
                "takes at most two positional arguments: baseline and candidate",
            )
        for key, value in zip(("baseline", "candidate"), marker.args, strict=False):
            values[key] = value
        values.update(marker.kwargs)
    return Layer("marker", values, item.nodeid)


def check_options(item: pytest.Item, first: Layer) -> CheckOptions:
    return resolve_check([first, *session_of(item.config).layers])


def record(item: pytest.Item, report: DriftReport) -> None:
    entry = report.to_json(charts=session_of(item.config).html_path is not None)
    item.stash.setdefault(item_key, ItemChecks()).pending.append(entry)


def run_for_item(item: pytest.Item, options: CheckOptions, name: str, *, call: bool = False
                 ) -> DriftReport:
    """Run a check for ``item`` (saving its snapshot under ``--drift-update-baseline``;
    ``call``: a ``drift_check`` call, whose snapshot is named after the call too);
    any error is recorded as an ERROR entry, so the session report keeps every check, and
    raised again: a :class:`DriftError` becomes the test's
    one-line message, anything else (a bug) keeps its traceback."""
    from pytest_drift.pipeline import error_report, run_check

    try:
        session = session_of(item.config)
        save, used = session.snapshots.target(options, nodeid=item.nodeid, check=name,
                                              call=call)
        item.stash.setdefault(item_key, ItemChecks()).snapshots.append(str(used))
        progress = session.progress(name)
        try:
            report = run_check(options, base_dir=item.config.rootpath, name=name,
                               nodeid=item.nodeid, loader=session.loader(item),
                               registry=session.registry, progress=progress,
                               charts=session.html_path is not None, save=save)
        finally:
            progress.close()
    except DriftError as exc:
        record(item, error_report(options, exc, name=name, nodeid=item.nodeid))
        raise
    except Exception as exc:
        # A bug (ours, or in a hook): the report keeps the check, pytest shows the traceback.
        record(item, error_report(options, f"unexpected {type(exc).__name__}: {exc}",
                                  name=name, nodeid=item.nodeid))
        raise
    record(item, report)
    return report


#: The fixture a segmented check's tests are parametrized over: its value is the segment.
SEGMENT_FIXTURE = "drift_segment"


def segment_labels_at_collection(node: pytest.Item | pytest.Collector,
                                 layer: Layer | None = None) -> list[str] | None:
    """The segments a test (or a declared check's ``layer``) is parametrized over, or None
    when its check has no ``segment_by`` or its segments cannot be listed now (its setup
    then runs the check, which says why)."""
    from pytest_drift.segment_pipeline import segment_labels

    try:
        if layer is None and isinstance(node, pytest.Item):
            layer = marker_layer(node)
        if layer is None:
            return None
        options = resolve_check([layer, *session_of(node.config).layers])
        if not options.segment_by:
            return None
        return segment_labels(options, base_dir=node.config.rootpath,
                              loader=session_of(node.config).loader(node))
    except DriftError:
        return None


def segment_of(item: pytest.Item) -> str | None:
    """The label of the segment a test item stands for (``country=FR``), if it is one."""
    declared = getattr(item, "segment", None)
    if declared is not None:
        return str(declared)
    callspec = getattr(item, "callspec", None)
    value = callspec.params.get(SEGMENT_FIXTURE) if callspec is not None else None
    return None if value is None else str(value)


def family_name(item: pytest.Item, name: str) -> str:
    """A segmented check's name: the test's, without the segment's id."""
    label = segment_of(item)
    if label is not None and name.endswith(f"[{label}]"):
        return name[:-len(label) - 2]
    for inside, alone in ((f"-{label}]", "]"), (f"[{label}-", "["), (f"-{label}-", "-")):
        if label is not None and inside in name:  # beside other parameters' ids
            return name.replace(inside, alone)
    return name


def segment_for_item(item: pytest.Item, options: CheckOptions, family: str) -> DriftReport:
    """The report of the item's segment, from its family's one run (shared by the family's
    items: every segment is reduced at once). An item that stands for no segment (the
    segments could not be listed at collection) records every segment and reports the
    worst. Errors are recorded and raised as :func:`run_for_item` does."""
    from pytest_drift.pipeline import error_report
    from pytest_drift.segment_pipeline import run_segments

    session = session_of(item.config)
    label = segment_of(item)
    try:
        key = (item.parent.nodeid if item.parent else "", family_name(item, item.name))
        family_run = session.segment_families.get(key)
        if family_run is None:
            progress = session.progress(family)
            try:
                family_run = run_segments(options, base_dir=item.config.rootpath, name=family,
                                          loader=session.loader(item),
                                          registry=session.registry, progress=progress,
                                          charts=session.html_path is not None)
            finally:
                progress.close()
            session.segment_families[key] = family_run
    except DriftError as exc:
        record(item, error_report(options, exc, name=family, nodeid=item.nodeid))
        raise
    if label is None:
        from pytest_drift.models import STATUS_ORDER

        reports = [replace(each, nodeid=item.nodeid) for each in family_run]
        for each in reports:
            record(item, each)
        return min(reports, key=lambda each: STATUS_ORDER.index(each.status))
    found = family_run.reports.get(label)
    if found is None:
        raise DriftInputError(
            f"segment {label} of {family} was in the data at collection but is not now; "
            f"the segments now: {', '.join(family_run.reports)}")
    report = replace(found, nodeid=item.nodeid)
    record(item, report)
    return report


def marker_check(item: pytest.Item, declared: Layer | None = None, *, name: str | None = None
                 ) -> DriftReport | None:
    """Run the marker's check once per test (from setup or the first fixture that needs it).

    Any problem errors the test at setup with a message and no traceback, and is recorded
    in the session report as a check with status ERROR. ``declared`` and ``name`` stand in
    for the marker and the test's name for a check declared in pyproject.toml (items.py).
    """
    state = item.stash.setdefault(item_key, ItemChecks())
    if state.marker_done:
        if state.marker_report is None and item.get_closest_marker(MARKER) is not None:
            pytest.fail("the drift check of this test could not run (see above)", pytrace=False)
        return state.marker_report
    state.marker_done = True
    problem: str | None = None
    report: DriftReport | None = None
    name = name or item.name
    try:
        layer = declared if declared is not None else marker_layer(item)
        if layer is None:
            return None
        options = check_options(item, layer)
    except DriftUsageError as exc:
        values = declared.values if declared is not None else marker_values(item)
        record(item, usage_error_report(item, exc, values, name=name))
        problem = str(exc)
    else:
        try:
            if options.segment_by:
                report = segment_for_item(item, options, options.name or family_name(
                    item, name))
            else:
                report = run_for_item(item, options, options.name or name)
        except DriftError as exc:
            problem = str(exc)
        else:
            problem = report.error if report.status == "ERROR" else None
            if report.status == "SKIPPED":
                state.marker_report = report
                # Shown at the test's own line, as a skip marker's reason is.
                raise pytest.skip.Exception(
                    f"drift segment {report.segment and report.segment['label']}: "
                    f"{report.segment and report.segment['skipped']}",
                    _use_item_location=True)
    if problem is not None or report is None:
        # Outside the except blocks, so pytest shows the message without a chained error.
        pytest.fail(f"drift check could not run: {problem}", pytrace=False)
    state.marker_report = report
    return report


def snapshots_of(item: pytest.Item) -> list[str]:
    """The snapshot files a test's checks used; for a test whose marker check did not run
    (skipped), the one its marker names, so that it is not taken for unused."""
    from pytest_drift.baselines import referenced_snapshot
    from pytest_drift.items import DriftItem

    state = item.stash.get(item_key, None)
    used = list(state.snapshots) if state is not None else []
    layer = None if (state is not None and state.marker_done) or isinstance(
        item, DriftItem) else marker_layer_or_none(item)
    if layer is not None:
        try:
            options = check_options(item, layer)
        except DriftError:
            return used
        path = referenced_snapshot(options, item.nodeid, item.config.rootpath)
        used += [path] if path is not None else []
    return used


def marker_layer_or_none(item: pytest.Item) -> Layer | None:
    try:
        return marker_layer(item)
    except DriftUsageError:
        return None


def marker_values(item: pytest.Item) -> Mapping[str, object]:
    """The closest marker's datasets, for the report of a check that could not start."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return {}
    values: dict[str, object] = dict(zip(("baseline", "candidate"), marker.args, strict=False))
    values.update(marker.kwargs)
    return values


def usage_error_report(item: pytest.Item, error: DriftUsageError,
                        values: Mapping[str, object], *, name: str) -> DriftReport:
    """An ERROR entry for a check with an invalid option value."""
    from dataclasses import replace

    from pytest_drift.pipeline import error_report

    options = replace(resolve_check([]), baseline=values.get("baseline"),
                      candidate=values.get("candidate"))
    return error_report(options, error, name=name, nodeid=item.nodeid)


