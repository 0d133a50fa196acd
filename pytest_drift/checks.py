"""Running the checks of a test item: its ``drift`` markers (or a declared check), its
``drift_check`` calls, and the entries they leave for the test's report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from pytest_drift.errors import DriftError, DriftUsageError
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
            report = run_for_item(item, options, options.name or name)
        except DriftError as exc:
            problem = str(exc)
        else:
            problem = report.error if report.status == "ERROR" else None
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


