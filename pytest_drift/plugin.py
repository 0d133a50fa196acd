"""The pytest face of pytest-datadrift: options, the ``drift`` marker, fixtures, summary.

Hooks read the config, call the core and render; the verdict is the core's. Heavy imports
(pandas, scipy, pyarrow, rich) happen only when a check runs.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_drift.errors import DriftDetected, DriftError, DriftUsageError, DriftWarning
from pytest_drift.loaders.budget import available_memory
from pytest_drift.loaders.cache import DatasetCache
from pytest_drift.options import (
    OPTIONS,
    CheckOptions,
    Layer,
    SessionOptions,
    resolve_check,
    resolve_session,
)

if TYPE_CHECKING:
    from pytest_drift.compare import Loader
    from pytest_drift.loaders import LoadContext, LoadedData
    from pytest_drift.models import DriftReport
    from pytest_drift.progress import CheckProgress
    from pytest_drift.stats.registry import TestRegistry

MARKER = "drift"
MARKER_HELP = (
    "drift(baseline=None, candidate=None, *, features=None, categorical=None, exclude=None, "
    "alpha=0.05, threshold=20, mode='fail', features_key='features', report=None, name=None): "
    "test the candidate dataset against the baseline and fail when the share of drifted "
    "features is above threshold (pytest-datadrift)"
)


@dataclass
class ItemChecks:
    """Per-test state: the marker's check and the entries not yet attached to a report."""

    marker_report: DriftReport | None = None
    marker_done: bool = False
    pending: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0


item_key = pytest.StashKey[ItemChecks]()


class DriftSession:
    """Session state, registered as a plugin: collects check entries, writes the report,
    and draws the summary (on the controller only, never on an xdist worker)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.layers = _config_layers(config)
        try:
            resolve_check(self.layers)
            session_options = resolve_session(self.layers)
        except DriftUsageError as exc:
            raise pytest.UsageError(f"pytest-datadrift: {exc}") from None
        self.report_path = _output_path(config, session_options, "report")
        self.html_path = _output_path(config, session_options, "html")
        #: node id → (file, line) of the tests that ran checks, for annotations.
        self.locations: dict[str, tuple[str, int]] = {}
        self.github_commands: list[str] = []
        self.entries: list[dict[str, Any]] = []
        self.written: Path | None = None
        self.html_written: Path | None = None
        self.write_error: str | None = None
        self.is_worker = hasattr(config, "workerinput")
        self._registry: TestRegistry | None = None
        available = available_memory()
        # Kept for later checks of the session, within a share of memory that leaves room.
        self.cache = DatasetCache(max_bytes=available // 4 if available else None)

    @pytest.hookimpl(trylast=True)
    def pytest_drift_load(self, source: Any, columns: Sequence[str] | None,
                          options: Mapping[str, Any]) -> LoadedData:
        """The built-in loaders, through the session cache: a dataset that several checks
        use is read once."""
        from pytest_drift.loaders import LoadContext, load

        return load(source, columns, LoadContext.from_mapping(options), cache=self.cache)

    @property
    def registry(self) -> TestRegistry:
        """The built-in tests and those ``pytest_drift_register_tests`` adds (built once)."""
        if self._registry is None:
            from pytest_drift.stats.registry import TestRegistry

            registry = TestRegistry()
            self.config.hook.pytest_drift_register_tests(register=registry.register)
            self._registry = registry
        return self._registry

    def progress(self, label: str) -> CheckProgress:
        """A progress bar for a slow check, on a terminal only (not -q, not a worker)."""
        from pytest_drift.progress import CheckProgress

        stdout = sys.__stdout__
        enabled = (not self.is_worker and self.config.get_verbosity() >= 0
                   and stdout is not None and stdout.isatty())
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        suspend = getattr(capture, "global_and_fixture_disabled", None)
        return CheckProgress(label, enabled=enabled, suspend_capture=suspend)

    def loader(self, item: pytest.Item) -> Loader:
        """Load through the ``pytest_drift_load`` hook as seen from ``item``: conftest
        loaders of its directory and above win, the built-in loaders come last."""
        from pytest_drift.loaders import as_loaded

        def load(source: Any, columns: Sequence[str] | None, context: LoadContext
                 ) -> LoadedData:
            result = item.ihook.pytest_drift_load(
                source=source, columns=columns, options=context.as_mapping())
            return as_loaded(result, source, context)

        return load

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entries = getattr(report, "drift_checks", None)
        if not entries:
            return
        self.entries.extend(entries)
        path, line, _ = report.location
        self.locations[report.nodeid] = (path, (line or 0) + 1)
        if not self.is_worker:
            from pytest_drift.report import strict, without_charts

            for entry in entries:
                self.config.hook.pytest_drift_report(check=strict(without_charts(entry)))

    def pytest_unconfigure(self) -> None:
        self.cache.clear()

    def sorted_entries(self) -> list[dict[str, Any]]:
        return sorted(self.entries, key=lambda e: (str(e.get("nodeid")), str(e.get("name"))))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or not self.entries:
            return
        from pytest_drift.compare import utc_now

        timestamp = utc_now()
        if self.report_path is not None:
            from pytest_drift.report import session_report, write_json

            document = session_report(self.sorted_entries(), timestamp)
            try:
                self.written = write_json(self.report_path, document)
            except OSError as exc:
                # A report that CI expects as an artifact and does not get fails the run.
                self._write_failed(session, f"could not write the drift report: {exc}")
        if self.html_path is not None:
            self._html(session, self.html_path, timestamp)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            self._github()

    def _html(self, session: pytest.Session, path: Path, timestamp: str) -> None:
        """The self-contained HTML report (charts per feature), written atomically."""
        from pytest_drift.html import render_html
        from pytest_drift.report import strict, write_text

        entries = [strict(entry) for entry in self.sorted_entries()]
        try:
            self.html_written = write_text(path, render_html(entries, generated_at=timestamp))
        except OSError as exc:
            self._write_failed(session, f"could not write the HTML report: {exc}")

    def _write_failed(self, session: pytest.Session, problem: str) -> None:
        message = f"pytest-datadrift: {problem}"
        self.write_error = message if self.write_error is None else \
            f"{self.write_error}\n{message}"
        session.exitstatus = pytest.ExitCode.USAGE_ERROR

    def _github(self) -> None:
        """The step summary (appended to ``$GITHUB_STEP_SUMMARY``) and the annotations
        (printed with the terminal summary)."""
        from pytest_drift.github import step_summary, workflow_commands

        entries = self.sorted_entries()
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            try:
                with open(summary_file, "a", encoding="utf-8") as stream:
                    stream.write(step_summary(entries, str(self.written or "")) + "\n")
            except OSError as exc:
                self.write_error = f"pytest-datadrift: could not write the step summary: {exc}"
        # Annotations need paths from the repository root, which may not be the rootdir.
        workspace = os.environ.get("GITHUB_WORKSPACE")
        locations = {
            nodeid: (os.path.relpath(self.config.rootpath / path, workspace) if workspace
                     else path, line)
            for nodeid, (path, line) in self.locations.items()
        }
        self.github_commands = workflow_commands(entries, locations)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.is_worker or not self.entries:
            return
        from pytest_drift.terminal import render

        writer = self.config.get_terminal_writer()
        terminalreporter.write_sep("=", "drift")
        text = render(self.sorted_entries(), markup=writer.hasmarkup, width=writer.fullwidth,
                      verbosity=terminalreporter.verbosity)
        terminalreporter.write(text)
        if self.written is not None:
            terminalreporter.write_line(f"drift report: {self.written}")
        if self.html_written is not None:
            terminalreporter.write_line(f"drift html report: {self.html_written}")
        if self.write_error is not None:
            terminalreporter.write_line(self.write_error, red=True, bold=True)
        for command in self.github_commands:
            terminalreporter.write_line(command)


def _output_path(config: pytest.Config, options: SessionOptions, name: str) -> Path | None:
    """The path of a session output (``report`` or ``html``), ``~`` and ``${ENV}``
    expanded, relative to the rootdir; a path that can never be written is a usage error
    now, not a crash at the end."""
    from pytest_drift.loaders import resolve_path

    raw = getattr(options, name)
    if raw is None:
        return None
    path = resolve_path(raw, config.rootpath)
    if path.is_dir():
        raise pytest.UsageError(
            f"pytest-datadrift: {name}={raw!r} (from {options.origins[name]}): "
            f"{path} is a directory; "
            "give a file path such as reports/drift_report.json"
        )
    return path


def _config_layers(config: pytest.Config) -> list[Layer]:
    """The command-line and ini layers, in that order of precedence."""
    cli: dict[str, object] = {}
    ini: dict[str, object] = {}
    for option in OPTIONS:
        if "flag" in option.where:
            value = config.getoption(option.dest)
            if value is not None:
                cli[option.name] = value
        if "ini" in option.where:
            raw = config.getini(option.ini)
            if isinstance(raw, list):
                separator = "\n" if option.ini_type == "linelist" else ","
                raw = separator.join(raw) if raw else None
            # An empty ini value means "unset", except for report where it disables it.
            if raw is not None and (raw != "" or option.name == "report"):
                ini[option.name] = raw
    location = str(config.inipath) if config.inipath else None
    return [Layer("command line", cli), Layer("ini", ini, location)]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_drift import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("datadrift", "data drift checks (pytest-datadrift)")
    for option in OPTIONS:
        if "flag" in option.where:
            group.addoption(option.flag, dest=option.dest, default=None,
                            metavar=option.metavar, help=option.help)
        if "ini" in option.where:
            parser.addini(option.ini, option.help, type=option.ini_type, default=None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    # Warn mode must not fail a test, even where filterwarnings = error turns warnings into
    # failures; the warning still shows in the warnings summary.
    config.addinivalue_line("filterwarnings", "default::pytest_drift.errors.DriftWarning")
    config.pluginmanager.register(DriftSession(config), SESSION_PLUGIN)


SESSION_PLUGIN = "datadrift-session"


def _session(config: pytest.Config) -> DriftSession:
    plugin = config.pluginmanager.get_plugin(SESSION_PLUGIN)
    if not isinstance(plugin, DriftSession):
        raise RuntimeError("pytest-datadrift's session plugin is not registered")
    return plugin


def _marker_layer(item: pytest.Item) -> Layer | None:
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


def _check_options(item: pytest.Item, first: Layer) -> CheckOptions:
    return resolve_check([first, *_session(item.config).layers])


def _record(item: pytest.Item, report: DriftReport) -> None:
    entry = report.to_json(charts=_session(item.config).html_path is not None)
    item.stash.setdefault(item_key, ItemChecks()).pending.append(entry)


def _run(item: pytest.Item, options: CheckOptions, name: str) -> DriftReport:
    """Run a check for ``item``; any error becomes an ERROR entry and is raised as a
    :class:`DriftError`, so the session report keeps every check."""
    from pytest_drift.compare import error_report, run_check

    try:
        session = _session(item.config)
        progress = session.progress(name)
        try:
            report = run_check(options, base_dir=item.config.rootpath, name=name,
                               nodeid=item.nodeid, loader=session.loader(item),
                               registry=session.registry, progress=progress)
        finally:
            progress.close()
    except DriftError as exc:
        _record(item, error_report(options, exc, name=name, nodeid=item.nodeid))
        raise
    except Exception as exc:
        error = DriftError(f"unexpected {type(exc).__name__}: {exc}")
        _record(item, error_report(options, error, name=name, nodeid=item.nodeid))
        raise error from exc
    _record(item, report)
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
        layer = declared if declared is not None else _marker_layer(item)
        if layer is None:
            return None
        options = _check_options(item, layer)
    except DriftUsageError as exc:
        values = declared.values if declared is not None else _marker_values(item)
        _record(item, _usage_error_report(item, exc, values, name=name))
        problem = str(exc)
    else:
        try:
            report = _run(item, options, options.name or name)
        except DriftError as exc:
            problem = str(exc)
        else:
            problem = report.error if report.status == "ERROR" else None
    if problem is not None or report is None:
        # Outside the except blocks, so pytest shows the message without a chained error.
        pytest.fail(f"drift check could not run: {problem}", pytrace=False)
    state.marker_report = report
    return report


def _marker_values(item: pytest.Item) -> Mapping[str, object]:
    """The closest marker's datasets, for the report of a check that could not start."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return {}
    values: dict[str, object] = dict(zip(("baseline", "candidate"), marker.args, strict=False))
    values.update(marker.kwargs)
    return values


def _usage_error_report(item: pytest.Item, error: DriftUsageError,
                        values: Mapping[str, object], *, name: str) -> DriftReport:
    """An ERROR entry for a check with an invalid option value."""
    from dataclasses import replace

    from pytest_drift.compare import error_report

    options = replace(resolve_check([]), baseline=values.get("baseline"),
                      candidate=values.get("candidate"))
    return error_report(options, error, name=name, nodeid=item.nodeid)


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
    if report is not None and report.status == "DRIFT_DETECTED":
        from pytest_drift.messages import failure_message

        message = failure_message(report.to_json())
        if report.mode == "warn":
            path, line, _ = item.location
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
    if call.excinfo is not None and call.when == "call" and state is not None:
        error = call.excinfo.value
        # The marker's gate failed: its explanation is the whole story, no traceback.
        if isinstance(error, DriftDetected) and error.report is state.marker_report:
            report.longrepr = call.excinfo.getrepr(style="value")
    return report


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
        layer = _marker_layer(item) or Layer("marker", {}, item.nodeid)
        options = _check_options(item, layer)
        source = getattr(options, role)
        if source is None:
            problem = (f"drift_{role} needs a {role}: give it to the drift marker, "
                       f"--drift-{role} or the drift_{role} ini key")
        else:
            context = LoadContext(role=role, origin=options.origins[role],
                                  base_dir=item.config.rootpath,
                                  features_key=options.features_key,
                                  format=(options.format or {}).get(role))
            frame = _session(item.config).loader(item)(source, None, context).table
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
            resolved = _check_options(item, Layer("drift_check", values, item.nodeid))
        except DriftUsageError as exc:
            _record(item, _usage_error_report(item, exc, values, name=default_name))
            problem = str(exc)
        else:
            report = _run(item, resolved, resolved.name or default_name)
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
