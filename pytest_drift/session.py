"""The session's drift state, registered as a pytest plugin: the checks' entries, the
session cache and the test registry; the report, HTML, GitHub output and terminal summary at
the end (on the controller only, never on an xdist worker)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_drift.baselines import SnapshotBook
from pytest_drift.errors import DriftUsageError
from pytest_drift.loaders.budget import available_memory
from pytest_drift.options import (
    OPTIONS,
    Layer,
    SessionOptions,
    resolve_check,
    resolve_session,
)

if TYPE_CHECKING:
    from pytest_drift.engines.registry import Loader
    from pytest_drift.loaders import LoadContext, LoadedData
    from pytest_drift.loaders.cache import DatasetCache
    from pytest_drift.progress import CheckProgress
    from pytest_drift.segment_pipeline import SegmentFamily
    from pytest_drift.stats.registry import TestRegistry

SESSION_PLUGIN = "datadrift-session"


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
        self.is_worker = hasattr(config, "workerinput")
        #: The earlier run's report, read now: before any check runs, and before this run
        #: replaces it when both are the same file.
        self.previous: tuple[dict[str, Any], str] | None = (
            None if self.is_worker else _previous_report(config, session_options))
        self.trend: dict[str, Any] | None = None
        #: node id → (file, line) of the tests that ran checks, for annotations.
        self.locations: dict[str, tuple[str, int]] = {}
        self.github_commands: list[str] = []
        self.entries: list[dict[str, Any]] = []
        #: Segmented checks already run in this process, by family (see checks.py).
        self.segment_families: dict[tuple[str, str], SegmentFamily] = {}
        self.written: Path | None = None
        self.html_written: Path | None = None
        self.write_error: str | None = None
        self._registry: TestRegistry | None = None
        self._cache: DatasetCache | None = None
        self.snapshots = SnapshotBook(config)

    @property
    def cache(self) -> DatasetCache:
        """Datasets kept for later checks of the session, within a quarter of the available
        memory; made when the first check loads data."""
        if self._cache is None:
            from pytest_drift.loaders.cache import DatasetCache

            available = available_memory()
            self._cache = DatasetCache(max_bytes=available // 4 if available else None)
        return self._cache

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

    def loader(self, item: pytest.Item | pytest.Collector) -> Loader:
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
        self.snapshots.add_used(getattr(report, "drift_snapshots", None) or [])
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

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.snapshots.note_narrowed("collection errors")

    def pytest_deselected(self, items: Sequence[pytest.Item]) -> None:
        if items:
            self.snapshots.note_narrowed("tests deselected")

    def pytest_unconfigure(self) -> None:
        if self._cache is not None:
            self._cache.clear()

    def sorted_entries(self) -> list[dict[str, Any]]:
        return sorted(self.entries, key=lambda e: (str(e.get("nodeid")), str(e.get("name"))))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            return
        self._baselines(session)
        if not self.entries:
            return
        from pytest_drift.pipeline import utc_now

        timestamp = utc_now()
        if self.previous is not None:
            from pytest_drift.report import strict
            from pytest_drift.trend import compute_trend

            previous, source = self.previous
            self.trend = strict(compute_trend(previous, self.sorted_entries(), source=source))
        if self.report_path is not None:
            from pytest_drift.report import session_report, write_json

            document = session_report(self.sorted_entries(), timestamp, self.trend)
            try:
                self.written = write_json(self.report_path, document)
            except OSError as exc:
                # A report that CI expects as an artifact and does not get fails the run.
                self._write_failed(session, f"could not write the drift report: {exc}")
        if self.html_path is not None:
            self._html(session, self.html_path, timestamp)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            self._github()

    def _baselines(self, session: pytest.Session) -> None:
        """The snapshots no check used, and their removal when asked for."""
        from pytest_drift.loaders import resolve_path

        folder = resolve_path(resolve_check(self.layers).baselines_dir, self.config.rootpath)
        self.snapshots.finish(session, self.sorted_entries(), folder)

    def _html(self, session: pytest.Session, path: Path, timestamp: str) -> None:
        """The self-contained HTML report (charts per feature), written atomically."""
        from pytest_drift.html import render_html
        from pytest_drift.report import strict, write_text

        entries = [strict(entry) for entry in self.sorted_entries()]
        try:
            self.html_written = write_text(path, render_html(entries, generated_at=timestamp,
                                                             trend=self.trend))
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
                    stream.write(step_summary(entries, str(self.written or ""),
                                              trend=self.trend) + "\n")
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
        if self.is_worker:
            return
        if self.entries:
            self._checks_summary(terminalreporter)
        self._baselines_summary(terminalreporter)

    def _checks_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        from pytest_drift.terminal import render

        writer = self.config.get_terminal_writer()
        terminalreporter.write_sep("=", "drift")
        text = render(self.sorted_entries(), markup=writer.hasmarkup, width=writer.fullwidth,
                      verbosity=terminalreporter.verbosity)
        terminalreporter.write(text)
        if self.trend is not None:
            from pytest_drift.terminal import render_trend
            from pytest_drift.trend_wording import TREND_TITLE

            terminalreporter.write_sep("-", TREND_TITLE)
            terminalreporter.write(render_trend(self.trend, markup=writer.hasmarkup,
                                                width=writer.fullwidth,
                                                verbosity=terminalreporter.verbosity))
        if self.written is not None:
            terminalreporter.write_line(f"drift report: {self.written}")
        if self.html_written is not None:
            terminalreporter.write_line(f"drift html report: {self.html_written}")
        if self.write_error is not None:
            terminalreporter.write_line(self.write_error, red=True, bold=True)
        for command in self.github_commands:
            terminalreporter.write_line(command)

    def _baselines_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        from pytest_drift.snapshots.wording import BASELINES_TITLE

        lines = self.snapshots.lines(self.sorted_entries())
        if not lines:
            return
        terminalreporter.write_sep("=", BASELINES_TITLE)
        for kind, text in lines:
            terminalreporter.write_line(f"  {text}" if kind == "detail" else text,
                                        yellow=kind == "warning")


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


def _previous_report(config: pytest.Config, options: SessionOptions
                     ) -> tuple[dict[str, Any], str] | None:
    """The earlier run's report and its path as given, when ``previous_report`` is set;
    a file that cannot be compared with is a usage error now, said once."""
    from pytest_drift.loaders import resolve_path
    from pytest_drift.previous_report import read_previous

    raw = options.previous_report
    if raw is None:
        return None
    try:
        document = read_previous(raw, resolve_path(raw, config.rootpath),
                                 options.origins["previous_report"])
    except DriftUsageError as exc:
        raise pytest.UsageError(f"pytest-datadrift: {exc}") from None
    return document, raw


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
            # An empty ini value means "unset", except for a session output (report, html)
            # where it means no file.
            if raw is not None and (raw != "" or option.session_scoped):
                ini[option.name] = raw
    location = str(config.inipath) if config.inipath else None
    return [Layer("command line", cli), Layer("ini", ini, location)]


def session_of(config: pytest.Config) -> DriftSession:
    plugin = config.pluginmanager.get_plugin(SESSION_PLUGIN)
    if not isinstance(plugin, DriftSession):
        raise RuntimeError("pytest-datadrift's session plugin is not registered")
    return plugin


