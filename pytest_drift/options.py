"""The option table and the one resolver that applies precedence and validation.

Every check option exists as a marker keyword, a ``--drift-…`` flag and a ``drift_…`` ini key
(except where ``where`` says otherwise). Values arrive in layers, highest precedence first:
marker keyword (or ``drift_check()``/API argument) > command line > ini > default. The resolver
parses each value, validates it, and records which layer it came from, so an error can name
the option, the bad value and its source.

This module imports nothing heavy: the plugin validates command-line and ini values with it
in every pytest run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_drift.errors import DriftUsageError
from pytest_drift.option_values import (
    CORRECTIONS,
    ENGINE_CHOICES,
    FORMAT_NAMES,
    MODES,
    SCHEMA_POLICIES,
    WINDOW_GATES,
    parse_alpha,
    parse_bool,
    parse_correction,
    parse_engine,
    parse_features_key,
    parse_format,
    parse_max_segments,
    parse_min_effect,
    parse_min_samples,
    parse_mode,
    parse_names,
    parse_psi_threshold,
    parse_schema_policy,
    parse_size,
    parse_snapshot_name,
    parse_snapshot_profile,
    parse_source,
    parse_test_name,
    parse_tests,
    parse_text,
    parse_threshold,
    parse_timeout,
    parse_waive,
    parse_window,
    parse_window_gate,
    parse_workers,
)

LayerKind = Literal["marker", "argument", "drift_check", "command line", "ini", "default"]
Where = Literal["marker", "flag", "ini"]

ALL_PLACES: frozenset[Where] = frozenset({"marker", "flag", "ini"})
#: The marker's positional arguments, in order; every other keyword is keyword-only.
DATASETS = ("baseline", "candidate")


def _as_written(value: object) -> object:
    """A value as a user writes it: 20, not 20.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True)
class Option:
    """One row of the option table."""

    name: str
    default: object
    parse: Callable[[object], object]
    #: What the option does; :attr:`help_text` adds the default.
    help: str
    metavar: str = "VALUE"
    ini_type: Literal["string", "args", "linelist"] = "string"
    where: frozenset[Where] = ALL_PLACES
    #: Session-scoped options take flag and ini values for the session, and marker values
    #: for the one check only (e.g. ``report``: the session report vs. a check's own file).
    session_scoped: bool = False
    #: A session-scoped option's default in one check (``report``: no file of its own).
    check_default: object = None
    #: The default in words, where the value does not say what it does (None: every column).
    default_help: str | None = None

    @property
    def flag(self) -> str:
        return "--drift-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "drift_" + self.name

    @property
    def dest(self) -> str:
        return "drift_" + self.name

    @property
    def help_text(self) -> str:
        """The help of the flag and the ini key: what the option does and its default, as
        it is written on a command line or in an ini file."""
        if self.default_help is not None:
            return f"{self.help} (default: {self.default_help})"
        if self.default is None or self.default == ():
            return self.help
        shown = _as_written(self.default)
        written = str(shown).lower() if isinstance(shown, bool) else str(shown)  # false
        return f"{self.help} (default {written})"

    @property
    def check_value(self) -> object:
        """What a check gets when no layer gives a value: the default, or for a
        session-scoped option the check's own (``report``: no file of its own)."""
        return self.check_default if self.session_scoped else self.default

    @property
    def keyword(self) -> str:
        """The marker keyword with the default a check gets, as Python writes it:
        ``alpha=0.05``."""
        return f"{self.name}={_as_written(self.check_value)!r}"


OPTIONS: tuple[Option, ...] = (
    Option("baseline", None, parse_source, "baseline dataset (what the model was trained on)",
           "PATH"),
    Option("candidate", None, parse_source, "candidate dataset (what the model sees now)",
           "PATH"),
    Option("features", None, parse_names, "features to test", "NAMES", ini_type="args",
           default_help="every column present in both datasets"),
    Option("categorical", None, parse_names, "features to test as categories", "NAMES",
           ini_type="args", default_help="inferred from the column type"),
    Option("exclude", (), parse_names, "features never tested (ids, timestamps)", "NAMES",
           ini_type="args"),
    Option("segment_by", None, parse_names,
           "columns whose values cut the check into one check per segment (e.g. country); "
           "under pytest, test ids read test_x[country=FR]", "NAMES", ini_type="args",
           where=frozenset({"marker", "flag"}), default_help="no segments"),
    Option("window", None, parse_window,
           "cut the candidate into consecutive windows of this pandas offset (1d, 6h, W) "
           "by time_column, each tested against the whole baseline", "OFFSET",
           where=frozenset({"marker", "flag"}), default_help="no windows"),
    Option("time_column", "timestamp", parse_text,
           "the candidate's column of times that window cuts by (an API log's timestamp "
           "key is one)", "COLUMN"),
    Option("window_gate", "last", parse_window_gate,
           "which windows decide the gate: last (the latest) or any", "|".join(WINDOW_GATES)),
    Option("max_segments", 100, parse_max_segments,
           "more segments than this is an error (a segment column of many values)", "N"),
    Option("alpha", 0.05, parse_alpha, "significance level per feature", "ALPHA"),
    Option("threshold", 20.0, parse_threshold,
           "percent of drifted features above which the gate fails", "PERCENT"),
    Option("mode", "fail", parse_mode,
           "fail: a failed gate fails the test; warn: emit DriftWarning instead",
           "|".join(MODES)),
    Option("schema", "warn", parse_schema_policy,
           "columns added, removed or retyped and categories new or gone: warn reports them "
           "with a DriftWarning; fail also fails the gate", "|".join(SCHEMA_POLICIES)),
    Option("correction", "none", parse_correction,
           f"multiple-testing correction across a check's features: {', '.join(CORRECTIONS)}",
           "METHOD"),
    Option("min_effect", None, parse_min_effect,
           "a feature drifts only if significant and its KS statistic (numbers) or Cramér's "
           "V (categories) is at least this", "EFFECT"),
    Option("numeric_test", "ks", parse_test_name,
           "test for numeric features: ks, cvm, anderson, psi, or a registered one", "TEST"),
    Option("categorical_test", "chi2", parse_test_name,
           "test for categorical features: chi2, psi, or a registered one", "TEST"),
    Option("tests", None, parse_tests,
           "per-feature tests: feature=test,... (marker: {'tempo': 'cvm'})", "MAP",
           ini_type="linelist"),
    Option("psi_threshold", 0.2, parse_psi_threshold,
           "with the psi test, a feature drifts when its PSI reaches this", "PSI"),
    Option("gate_missing", False, parse_bool,
           "also count a feature as drifted when its share of missing values changed "
           "significantly", "BOOL"),
    Option("waive", None, parse_waive,
           "waivers: feature: reason until YYYY-MM-DD (marker: a dict; ini: one per line); "
           "the drift is reported but not counted until the date", "MAP",
           ini_type="linelist", where=frozenset({"marker", "ini"})),
    Option("min_samples", 20, parse_min_samples,
           "a feature with fewer non-missing values on a side is skipped", "N"),
    Option("workers", None, parse_workers,
           "processes for the per-feature work: auto or a number; 1 runs in the test's "
           "process", "N|auto",
           default_help="auto, one per usable CPU, one inside an xdist worker"),
    Option("engine", "auto", parse_engine,
           f"where features are reduced: {', '.join(ENGINE_CHOICES)}; duckdb for data larger "
           "than memory, spark for data on a Spark cluster", "ENGINE"),
    Option("duckdb_memory_limit", None, parse_size,
           "memory the duckdb engine may use before spilling to disk, e.g. 2GB", "SIZE",
           default_help="half of the available memory"),
    Option("remote_timeout", 60.0, parse_timeout,
           "seconds a request to object storage (s3://, gs://, https:// datasets) may wait "
           "for an answer before the check errors", "SECONDS"),
    Option("features_key", "features", parse_features_key,
           "key (dotted path) of the model inputs in a JSON Lines API log", "KEY"),
    Option("format", None, parse_format,
           f"file format when the name does not say: {', '.join(FORMAT_NAMES)}; or per "
           "dataset: baseline=parquet,candidate=jsonl", "FORMAT",
           default_help="from the file name"),
    Option("report", "drift_report.json", parse_text,
           "as a marker keyword, an extra file for that check alone; otherwise the session "
           "report path, relative to rootdir, empty for none", "PATH", session_scoped=True),
    Option("html", None, parse_text,
           "also write a self-contained HTML report (charts per feature) to this path, "
           "relative to rootdir", "PATH", session_scoped=True, where=frozenset({"flag", "ini"})),
    Option("baselines_dir", "drift_baselines", parse_text,
           "where snapshots are kept: snapshot:NAME is BASELINES_DIR/NAME.parquet, relative "
           "to the rootdir", "DIR"),
    Option("snapshot_profile", "exact", parse_snapshot_profile,
           "how a saved snapshot keeps numeric features: exact (every distinct value) "
           "or sketch[:K] (a KLL sketch, for baselines too large to keep exactly; checks "
           "against it are approximate)", "PROFILE"),
    Option("snapshot", None, parse_snapshot_name,
           "the name --drift-update-baseline saves this check's baseline under", "NAME",
           where=frozenset({"marker"}), default_help="the test's module and name"),
    Option("previous_report", None, parse_text,
           "compare this run with the drift_report.json of an earlier run (e.g. the last "
           "main-branch artifact): features that newly drift or stopped drifting, the largest "
           "moves of each statistic; relative to rootdir", "PATH", session_scoped=True,
           where=frozenset({"flag", "ini"})),
    Option("name", None, parse_text, "a name for the check in the report (marker and API only)",
           "NAME", where=frozenset({"marker"})),
)

OPTIONS_BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}
#: The options a check has, in table order: all but the session's own outputs (html).
CHECK_OPTIONS: tuple[Option, ...] = tuple(
    option for option in OPTIONS if not option.session_scoped or "marker" in option.where)
#: The marker's keywords, in table order.
MARKER_OPTIONS: tuple[Option, ...] = tuple(o for o in OPTIONS if "marker" in o.where)


def marker_signature() -> str:
    """The ``drift`` marker's arguments with their defaults, as Python writes them:
    ``baseline=None, candidate=None, *, features=None, ..., alpha=0.05, ...``."""
    datasets = [o.keyword for o in MARKER_OPTIONS if o.name in DATASETS]
    keywords = [o.keyword for o in MARKER_OPTIONS if o.name not in DATASETS]
    return ", ".join([*datasets, "*", *keywords])


@dataclass(frozen=True)
class Layer:
    """Values from one source, e.g. the marker's keywords or the command line."""

    kind: LayerKind
    values: Mapping[str, object]
    #: Where the layer lives, e.g. the ini file's path, for messages.
    location: str | None = None
    #: Flags that differ from ``--drift-<name>`` (the ``datadrift`` command's own names).
    flags: Mapping[str, str] = field(default_factory=dict)

    def describe(self, option: Option) -> str:
        """Say where a value came from, in the words a user would search for."""
        if self.kind == "command line":
            return f"command line {self.flags.get(option.name, option.flag)}"
        if self.kind == "ini":
            where = f" in {self.location}" if self.location else ""
            return f"ini key {option.ini}{where}"
        if self.kind == "marker":
            return f"marker keyword {option.name}" + (f" on {self.location}"
                                                       if self.location else "")
        if self.kind == "drift_check":
            return f"drift_check({option.name}=...)"
        return f"argument {option.name}"


@dataclass(frozen=True)
class CheckOptions:
    """The resolved options of one check, with the source of each value.

    :func:`resolve_check` makes it, every field from the option table: the defaults are
    the table's (:attr:`Option.check_value`), never written here.
    """

    baseline: Any
    candidate: Any
    features: tuple[str, ...] | None
    categorical: tuple[str, ...] | None
    exclude: tuple[str, ...]
    #: The columns that cut the check into segments (see :mod:`pytest_drift.segments`).
    segment_by: tuple[str, ...] | None
    #: A pandas offset: the candidate's windows (see :mod:`pytest_drift.windows`).
    window: str | None
    time_column: str
    window_gate: str
    max_segments: int
    alpha: float
    threshold: float
    mode: str
    #: ``warn`` or ``fail``: what a schema change does (see :mod:`pytest_drift.schema_changes`).
    schema: str
    correction: str
    min_effect: float | None
    numeric_test: str
    categorical_test: str
    tests: Mapping[str, str] | None
    psi_threshold: float
    gate_missing: bool
    waive: Mapping[str, str] | None
    min_samples: int
    #: None: one per usable CPU (see :func:`pytest_drift.parallel.default_workers`).
    workers: int | None
    engine: str
    duckdb_memory_limit: int | None
    #: Seconds a request for a dataset at a URL may wait for an answer.
    remote_timeout: float
    features_key: str
    format: Mapping[str, str] | None
    report: str | None
    baselines_dir: str
    #: ``exact`` or ``sketch:K``: how a saved snapshot keeps numeric features.
    snapshot_profile: str
    snapshot: str | None
    name: str | None
    #: Which layer each value came from: ``marker``, ``command line``, ..., ``default``.
    sources: Mapping[str, str]
    #: How each source describes itself, for later messages (e.g. the baseline's origin).
    origins: Mapping[str, str]


@dataclass(frozen=True)
class SessionOptions:
    """Options that belong to the whole pytest session, made by :func:`resolve_session`
    with the option table's defaults."""

    report: str | None
    html: str | None
    #: An earlier run's session report to compare this run with (the trend).
    previous_report: str | None
    sources: Mapping[str, str]
    #: Where each value came from, in words (e.g. ``command line --drift-report``).
    origins: Mapping[str, str]


def _check_unknown(layers: Sequence[Layer]) -> None:
    for layer in layers:
        for key in layer.values:
            option = OPTIONS_BY_NAME.get(key)
            allowed_here = option is not None and (
                layer.kind not in ("command line", "ini") or option.where & {"flag", "ini"}
            )
            if not allowed_here:
                known = ", ".join(o.name for o in MARKER_OPTIONS)
                where = f" on {layer.location}" if layer.location else ""
                raise DriftUsageError(
                    key, layer.values[key], f"{layer.kind}{where}",
                    f"unknown option; known options are: {known}",
                )


def _resolve_one(option: Option, layers: Sequence[Layer], default: object
                 ) -> tuple[object, str, str]:
    for layer in layers:
        raw = layer.values.get(option.name)
        if raw is None:
            continue
        try:
            return option.parse(raw), layer.kind, layer.describe(option)
        except ValueError as exc:
            raise DriftUsageError(option.name, raw, layer.describe(option), str(exc)) from None
    return default, "default", "default"


def resolve_check(layers: Sequence[Layer]) -> CheckOptions:
    """Resolve the options of one check from layers given highest precedence first.

    Raises :class:`DriftUsageError` naming the option, value and source of the first bad
    value, or an unknown keyword.
    """
    _check_unknown(layers)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    origins: dict[str, str] = {}
    for option in CHECK_OPTIONS:
        usable = [
            layer for layer in layers
            if not (option.session_scoped and layer.kind in ("command line", "ini"))
        ]
        value, kind, origin = _resolve_one(option, usable, option.check_value)
        values[option.name] = value
        sources[option.name] = kind
        origins[option.name] = origin
    return CheckOptions(**values, sources=sources, origins=origins)  # type: ignore[arg-type]


def resolve_session(layers: Sequence[Layer]) -> SessionOptions:
    """Resolve the session-scoped options (the report and HTML paths, the previous report)
    from command line and ini; an empty path is None (no file)."""
    values: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    origins: dict[str, str] = {}
    for option in OPTIONS:
        if option.session_scoped:
            name = option.name
            value, sources[name], origins[name] = _resolve_one(option, layers, option.default)
            values[name] = value if isinstance(value, str) and value else None
    return SessionOptions(**values, sources=sources, origins=origins)
