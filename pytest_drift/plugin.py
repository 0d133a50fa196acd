"""The pytest entry point of pytest-datadrift: hook implementations and fixtures only.

Hooks read the config, call the core and render; the verdict is the core's. Heavy imports
(pandas, scipy, pyarrow, rich) happen only when a check runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_drift.checks import (
    MARKER,
    ItemChecks,
    check_options,
    item_key,
    marker_check,
    marker_layer,
    record,
    run_for_item,
    snapshots_of,
    usage_error_report,
)
from pytest_drift.errors import DriftDetected, DriftError, DriftUsageError, DriftWarning
from pytest_drift.options import OPTIONS, Layer, marker_signature
from pytest_drift.session import SESSION_PLUGIN, DriftSession, session_of

if TYPE_CHECKING:
    from pytest_drift.models import DriftReport

#: The marker's line in ``pytest --markers``: every keyword with its default, then what it does.
MARKER_HELP = (
    f"{MARKER}({marker_signature()}): test the candidate dataset against the baseline and "
    "fail when the share of drifted features is above threshold (pytest-datadrift)"
)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_drift import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    from pytest_drift.baselines import add_flags

    group = parser.getgroup("datadrift", "data drift checks (pytest-datadrift)")
    for option in OPTIONS:
        if "flag" in option.where:
            group.addoption(option.flag, dest=option.dest, default=None,
                            metavar=option.metavar, help=option.help_text)
        if "ini" in option.where:
            parser.addini(option.ini, option.help_text, type=option.ini_type, default=None)
    add_flags(group)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    # Warn mode must not fail a test, even where filterwarnings = error turns warnings into
    # failures; the warning still shows in the warnings summary.
    config.addinivalue_line("filterwarnings", "default::pytest_drift.errors.DriftWarning")
    config.pluginmanager.register(DriftSession(config), SESSION_PLUGIN)




@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    if item.get_closest_marker(MARKER) is not None:
        marker_check(item)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    state = item.stash.get(item_key, None)
    report = state.marker_report if state else None
    if report is not None:
        from pytest_drift.messages import schema_warning_of

        path, line, _ = item.location
        schema_warning = schema_warning_of(report)
        if schema_warning is not None:
            warnings.warn_explicit(schema_warning, DriftWarning, filename=path,
                                   lineno=(line or 0) + 1)
    if report is not None and report.gate_failed:
        from pytest_drift.messages import failure_message

        message = failure_message(report.to_json())
        if report.mode == "warn":
            warnings.warn_explicit(message, DriftWarning, filename=path, lineno=(line or 0) + 1)
        else:
            raise DriftDetected(message, report)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    state = item.stash.get(item_key, None)
    if state is not None and state.pending:
        # Plain JSON on the report travels to the xdist controller with it.
        report.drift_checks = state.pending  # type: ignore[attr-defined]
        state.pending = []
    if call.when == "teardown":
        used = snapshots_of(item)
        if used:
            report.drift_snapshots = used  # type: ignore[attr-defined]
    if call.excinfo is not None and call.when == "call" and state is not None:
        error = call.excinfo.value
        # The marker's gate failed: its explanation is the whole story, no traceback.
        if isinstance(error, DriftDetected) and error.report is state.marker_report:
            report.longrepr = call.excinfo.getrepr(style="value")
    return report


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test whose drift marker has ``segment_by`` runs once per segment: its ids read
    ``test_x[country=FR]``. The segments are listed now, from the segment columns alone;
    when they cannot be (a missing file), the test runs once and its setup says why."""
    from pytest_drift.checks import SEGMENT_FIXTURE, segment_labels_at_collection

    labels = segment_labels_at_collection(metafunc.definition)
    if labels:
        metafunc.parametrize(SEGMENT_FIXTURE, labels, ids=labels, indirect=True)


@pytest.fixture(autouse=True)
def drift_segment(request: pytest.FixtureRequest) -> str | None:
    """The segment this test checks (``country=FR``) when its drift marker has
    ``segment_by``; None otherwise."""
    return getattr(request, "param", None)


@pytest.fixture
def drift_report(request: pytest.FixtureRequest) -> DriftReport:
    """The :class:`~pytest_drift.DriftReport` of this test's ``drift`` marker.

    Use it to assert more than the gate does::

        @pytest.mark.drift("data/train.csv", "data/prod.csv")
        def test_tempo_is_stable(drift_report):
            assert "tempo" not in drift_report.drifted_features
    """
    report = marker_check(request.node)
    if report is None:
        pytest.fail("the drift_report fixture needs a @pytest.mark.drift marker on the test",
                    pytrace=False)
    return report


def _load_frame(request: pytest.FixtureRequest, role: str) -> Any:
    from pytest_drift.loaders import LoadContext

    item = request.node
    problem = None
    try:
        layer = marker_layer(item) or Layer("marker", {}, item.nodeid)
        options = check_options(item, layer)
        source = getattr(options, role)
        if source is None:
            problem = (f"drift_{role} needs a {role}: give it to the drift marker, "
                       f"--drift-{role} or the drift_{role} ini key")
        else:
            context = LoadContext(role=role, origin=options.origins[role],
                                  base_dir=item.config.rootpath,
                                  features_key=options.features_key,
                                  format=(options.format or {}).get(role),
                                  remote_timeout=options.remote_timeout)
            frame = session_of(item.config).loader(item)(source, None, context).table
    except DriftError as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    return frame if hasattr(frame, "iloc") else frame.to_pandas()


@pytest.fixture
def drift_baseline(request: pytest.FixtureRequest) -> Any:
    """The baseline dataset of this test's ``drift`` marker (or flag/ini) as a DataFrame."""
    return _load_frame(request, "baseline")


@pytest.fixture
def drift_candidate(request: pytest.FixtureRequest) -> Any:
    """The candidate dataset of this test's ``drift`` marker (or flag/ini) as a DataFrame."""
    return _load_frame(request, "candidate")


@pytest.fixture
def drift_check(request: pytest.FixtureRequest) -> Callable[..., DriftReport]:
    """Run a check built in code and record it in the session report.

    ``drift_check(baseline, candidate, **options)`` takes paths or DataFrames and any
    option of the ``drift`` marker; command-line and ini values fill the rest. It returns
    the :class:`~pytest_drift.DriftReport` and fails the test when the gate fails::

        @pytest.mark.parametrize("region", ["eu", "us"])
        def test_region_is_stable(drift_check, train, prod, region):
            drift_check(train[train.region == region], prod[prod.region == region],
                        name=f"region={region}", exclude=["region"])
    """
    item = request.node

    def check(baseline: Any = None, candidate: Any = None, **options: Any) -> DriftReport:
        __tracebackhide__ = True
        from pytest_drift.compare import enforce

        state = item.stash.setdefault(item_key, ItemChecks())
        state.calls += 1
        values: Mapping[str, object] = {"baseline": baseline, "candidate": candidate,
                                        **options}
        default_name = f"{item.name}[check {state.calls}]"
        try:
            resolved = check_options(item, Layer("drift_check", values, item.nodeid))
        except DriftUsageError as exc:
            record(item, usage_error_report(item, exc, values, name=default_name))
            problem = str(exc)
        else:
            report = run_for_item(item, resolved, resolved.name or default_name, call=True)
            enforce(report)
            return report
        pytest.fail(f"drift_check: {problem}", pytrace=False)

    return check


# Declarative checks: [[tool.pytest_drift.checks]] in the rootdir's pyproject.toml (items.py).
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name != "pyproject.toml":
        return None
    from pytest_drift.items import collect_pyproject

    return collect_pyproject(file_path, parent)


def pytest_sessionstart(session: pytest.Session) -> None:
    from pytest_drift.items import warn_if_not_collected

    warn_if_not_collected(session.config)
