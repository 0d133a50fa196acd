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

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_drift.errors import DriftUsageError

LayerKind = Literal["marker", "argument", "drift_check", "command line", "ini", "default"]
Where = Literal["marker", "flag", "ini"]

ALL_PLACES: frozenset[Where] = frozenset({"marker", "flag", "ini"})
MODES = ("fail", "warn")


def _parse_source(raw: object) -> object:
    """A dataset: a path (str or PathLike) or, from Python only, a pandas or Spark DataFrame
    or an Arrow table."""
    if isinstance(raw, os.PathLike):
        raw = os.fspath(raw)
    if isinstance(raw, str):
        if not raw.strip():
            raise ValueError("must be a non-empty path")
        return raw
    from pytest_drift.sources import is_frame, is_spark_frame

    if is_frame(raw) or is_spark_frame(raw):
        return raw
    raise ValueError("must be a path (str or os.PathLike), a pandas.DataFrame, a "
                     "pyarrow.Table or a pyspark.sql.DataFrame")


def _parse_names(raw: object) -> tuple[str, ...]:
    """Column names: a list/tuple of str, or one string of comma-separated names."""
    items: list[object]
    if isinstance(raw, str):
        items = [raw]
    elif isinstance(raw, (list, tuple, set, frozenset)):
        items = list(raw)
    else:
        raise ValueError("must be a list of column names or a comma-separated string")
    names: list[str] = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)  # a DataFrame's integer column label
        if not isinstance(item, str):
            raise ValueError(f"column names must be strings, got {item!r}")
        # A string (from a flag or an ini file) may hold several comma-separated names;
        # items of a Python list are taken verbatim, so a name may contain a comma.
        parts = item.split(",") if isinstance(raw, str) else [item]
        names.extend(p.strip() for p in parts if p.strip())
    return tuple(dict.fromkeys(names))


def _parse_float(raw: object) -> float:
    if isinstance(raw, bool):
        raise ValueError("must be a number, not a bool")
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw.strip().rstrip("%"))
        except ValueError:
            raise ValueError("must be a number") from None
    raise ValueError("must be a number")


def _parse_alpha(raw: object) -> float:
    value = _parse_float(raw)
    if not (math.isfinite(value) and 0.0 < value < 1.0):
        raise ValueError("must be a number between 0 and 1, exclusive (e.g. 0.05)")
    return value


def _parse_threshold(raw: object) -> float:
    value = _parse_float(raw)
    if not (math.isfinite(value) and 0.0 <= value <= 100.0):
        raise ValueError("must be a percentage between 0 and 100 (e.g. 20)")
    return value


def _parse_min_samples(raw: object) -> int:
    value = _parse_float(raw)
    if not (math.isfinite(value) and value.is_integer() and value >= 1):
        raise ValueError("must be a whole number of values, at least 1 (e.g. 20)")
    return int(value)


def _parse_workers(raw: object) -> int | None:
    """``auto`` (None: one per usable CPU) or a number of processes, at least 1."""
    if isinstance(raw, str) and raw.strip().lower() == "auto":
        return None
    problem = "must be auto or a whole number of processes, at least 1"
    try:
        value = _parse_float(raw)
    except ValueError:
        raise ValueError(problem) from None
    if not (math.isfinite(value) and value.is_integer() and value >= 1):
        raise ValueError(problem)
    return int(value)


ENGINE_CHOICES = ("auto", "memory", "duckdb", "spark")


def _parse_engine(raw: object) -> str:
    name = raw.strip().lower() if isinstance(raw, str) else None
    if name not in ENGINE_CHOICES:
        raise ValueError(f"must be one of {', '.join(ENGINE_CHOICES)}")
    return name


_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def _parse_size(raw: object) -> int:
    """A number of bytes: ``2GB``, ``512 MiB``, ``1.5gb`` or a plain number of bytes."""
    problem = "must be a size such as 2GB or 512MiB (at least 64MiB)"
    if isinstance(raw, bool):
        raise ValueError(problem)
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().lower().replace(" ", "")
        number = text.rstrip("kmgtibB")
        unit = text[len(number):]
        if unit not in _SIZE_UNITS:
            raise ValueError(problem)
        try:
            value = float(number) * _SIZE_UNITS[unit]
        except ValueError:
            raise ValueError(problem) from None
    else:
        raise ValueError(problem)
    if not (math.isfinite(value) and value >= 64 * 2**20):
        raise ValueError(problem)
    return int(value)


CORRECTIONS = ("none", "bonferroni", "holm", "fdr_bh")


def _parse_correction(raw: object) -> str:
    name = str(raw).strip().lower() if isinstance(raw, str) else None
    if name in ("bh", "fdr"):
        name = "fdr_bh"
    if name not in CORRECTIONS:
        raise ValueError(f"must be one of {', '.join(CORRECTIONS)}")
    return name


def _parse_min_effect(raw: object) -> float:
    value = _parse_float(raw)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError("must be a KS statistic or Cramér's V between 0 and 1 (e.g. 0.1)")
    return value


def _parse_psi_threshold(raw: object) -> float:
    value = _parse_float(raw)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError("must be a positive PSI (0.1 moderate, 0.2 large shift)")
    return value


def _parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(raw, str) and raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def _parse_test_name(raw: object) -> str:
    if isinstance(raw, str) and raw.strip():
        return raw.strip().lower()
    raise ValueError("must be the name of a test, e.g. ks, chi2, cvm, anderson, psi")


def _parse_mapping(raw: object, what: str, *, commas: bool = True) -> dict[str, str]:
    """A {feature: value} mapping; from flags and ini, ``feature=value`` items separated
    by lines, or by commas when ``commas`` (``feature: value`` too)."""
    if isinstance(raw, str):
        items: dict[str, str] = {}
        # One item per line (ini), or comma-separated on one line (a flag).
        parts = raw.splitlines() if "\n" in raw.strip() or not commas else raw.split(",")
        for part in parts:
            if not part.strip():
                continue
            positions = [i for i in (part.find("="), part.find(":")) if i >= 0]
            if not positions:
                raise ValueError(f"write each item as feature=value or feature: value, got "
                                 f"{part!r}")
            key, value = part[: min(positions)], part[min(positions) + 1:]
            items[key.strip()] = value.strip()
        return items
    if isinstance(raw, dict) and all(isinstance(k, str) and isinstance(v, str)
                                     for k, v in raw.items()):
        return {k: v.strip() for k, v in raw.items()}
    raise ValueError(f"must be a mapping of feature names to {what}")


def _parse_tests(raw: object) -> dict[str, str]:
    return {k: v.lower() for k, v in _parse_mapping(raw, "test names").items()}


def _parse_waive(raw: object) -> dict[str, str]:
    """``{feature: "reason until YYYY-MM-DD"}``; the date is required (see waivers.py)."""
    from pytest_drift.waivers import parse_waiver

    waivers = _parse_mapping(raw, "reason until YYYY-MM-DD", commas=False)  # reasons have commas
    for feature, text in waivers.items():
        parse_waiver(feature, text)
    return waivers


def _parse_mode(raw: object) -> str:
    if isinstance(raw, str) and raw.strip().lower() in MODES:
        return raw.strip().lower()
    raise ValueError(f"must be one of {', '.join(MODES)}")


def _parse_text(raw: object) -> str:
    if isinstance(raw, os.PathLike):
        raw = os.fspath(raw)
    if isinstance(raw, str):
        return raw.strip()
    raise ValueError("must be a string")


#: The file formats the built-in loaders read (see pytest_drift.loaders.paths).
FORMAT_NAMES = ("csv", "tsv", "parquet", "feather", "json", "jsonl")
_FORMAT_ALIASES = {"arrow": "feather", "ipc": "feather", "ndjson": "jsonl", "pq": "parquet"}


def _format_name(raw: object) -> str:
    name = str(raw).strip().lower()
    name = _FORMAT_ALIASES.get(name, name)
    if name not in FORMAT_NAMES:
        raise ValueError(f"unknown format {raw!r}; one of {', '.join(FORMAT_NAMES)}")
    return name


def _parse_format(raw: object) -> dict[str, str]:
    """One format for both datasets ("csv"), or per dataset: {"baseline": "parquet",
    "candidate": "jsonl"} or, from flags and ini, "baseline=parquet,candidate=jsonl"."""
    if isinstance(raw, str) and "=" in raw:
        raw = dict(part.split("=", 1) for part in raw.split(",") if part.strip())
    if isinstance(raw, dict):
        formats = {str(role).strip(): fmt for role, fmt in raw.items()}
        unknown = set(formats) - {"baseline", "candidate"}
        if unknown:
            raise ValueError(f"keys must be baseline and candidate, not {sorted(unknown)}")
        return {role: _format_name(fmt) for role, fmt in formats.items()}
    if isinstance(raw, str):
        name = _format_name(raw)
        return {"baseline": name, "candidate": name}
    raise ValueError("must be a format name or {'baseline': ..., 'candidate': ...}")


def _parse_features_key(raw: object) -> str:
    text = _parse_text(raw)
    if not text or any(not part for part in text.split(".")):
        raise ValueError("must be a key or dotted path such as 'features' or 'request.inputs'")
    return text


@dataclass(frozen=True)
class Option:
    """One row of the option table."""

    name: str
    default: object
    parse: Callable[[object], object]
    help: str
    metavar: str = "VALUE"
    ini_type: Literal["string", "args", "linelist"] = "string"
    where: frozenset[Where] = ALL_PLACES
    #: Session-scoped options take flag and ini values for the session, and marker values
    #: for the one check only (e.g. ``report``: the session report vs. a check's own file).
    session_scoped: bool = False
    check_default: object = None

    @property
    def flag(self) -> str:
        return "--drift-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "drift_" + self.name

    @property
    def dest(self) -> str:
        return "drift_" + self.name


OPTIONS: tuple[Option, ...] = (
    Option("baseline", None, _parse_source, "baseline dataset (what the model was trained on)",
           "PATH"),
    Option("candidate", None, _parse_source, "candidate dataset (what the model sees now)",
           "PATH"),
    Option("features", None, _parse_names,
           "features to test (default: every column present in both datasets)", "NAMES",
           ini_type="args"),
    Option("categorical", None, _parse_names,
           "features to test as categories (default: inferred from the column type)", "NAMES",
           ini_type="args"),
    Option("exclude", (), _parse_names, "features never tested (ids, timestamps)", "NAMES",
           ini_type="args"),
    Option("alpha", 0.05, _parse_alpha, "significance level per feature (default 0.05)",
           "ALPHA"),
    Option("threshold", 20.0, _parse_threshold,
           "percent of drifted features above which the gate fails (default 20)", "PERCENT"),
    Option("mode", "fail", _parse_mode,
           "fail: a failed gate fails the test; warn: emit DriftWarning instead", "fail|warn"),
    Option("correction", "none", _parse_correction,
           "multiple-testing correction across a check's features: none, bonferroni, holm, "
           "fdr_bh", "METHOD"),
    Option("min_effect", None, _parse_min_effect,
           "a feature drifts only if significant and its KS statistic (numbers) or Cramér's "
           "V (categories) is at least this", "EFFECT"),
    Option("numeric_test", "ks", _parse_test_name,
           "test for numeric features: ks, cvm, anderson, psi, or a registered one", "TEST"),
    Option("categorical_test", "chi2", _parse_test_name,
           "test for categorical features: chi2, psi, or a registered one", "TEST"),
    Option("tests", None, _parse_tests,
           "per-feature tests: feature=test,... (marker: {'tempo': 'cvm'})", "MAP",
           ini_type="linelist"),
    Option("psi_threshold", 0.2, _parse_psi_threshold,
           "with the psi test, a feature drifts when its PSI reaches this (default 0.2)",
           "PSI"),
    Option("gate_missing", False, _parse_bool,
           "also count a feature as drifted when its share of missing values changed "
           "significantly", "BOOL"),
    Option("waive", None, _parse_waive,
           "waivers: feature: reason until YYYY-MM-DD (marker: a dict; ini: one per line); "
           "the drift is reported but not counted until the date", "MAP",
           ini_type="linelist", where=frozenset({"marker", "ini"})),
    Option("min_samples", 20, _parse_min_samples,
           "a feature with fewer non-missing values on a side is skipped (default 20)", "N"),
    Option("workers", None, _parse_workers,
           "processes for the per-feature work: auto (default: one per usable CPU, one "
           "inside an xdist worker) or a number; 1 runs in the test's process", "N|auto"),
    Option("engine", "auto", _parse_engine,
           "where features are reduced: auto (default), memory, duckdb (data larger than "
           "memory), spark (data on a Spark cluster)", "ENGINE"),
    Option("duckdb_memory_limit", None, _parse_size,
           "memory the duckdb engine may use before spilling to disk, e.g. 2GB (default: "
           "half of the available memory)", "SIZE"),
    Option("features_key", "features", _parse_features_key,
           "key (dotted path) of the model inputs in a JSON Lines API log (default features)",
           "KEY"),
    Option("format", None, _parse_format,
           "file format when the name does not say: csv, tsv, parquet, feather, json, jsonl; "
           "or per dataset: baseline=parquet,candidate=jsonl", "FORMAT"),
    Option("report", "drift_report.json", _parse_text,
           "session report path, relative to rootdir (default drift_report.json; empty "
           "disables); as a marker keyword, an extra file for that check alone", "PATH",
           session_scoped=True),
    Option("html", None, _parse_text,
           "also write a self-contained HTML report (charts per feature) to this path, "
           "relative to rootdir", "PATH", session_scoped=True, where=frozenset({"flag", "ini"})),
    Option("name", None, _parse_text, "a name for the check in the report (marker and API only)",
           "NAME", where=frozenset({"marker"})),
)

OPTIONS_BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}


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
    """The resolved options of one check, with the source of each value."""

    baseline: Any = None
    candidate: Any = None
    features: tuple[str, ...] | None = None
    categorical: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    alpha: float = 0.05
    threshold: float = 20.0
    mode: str = "fail"
    correction: str = "none"
    min_effect: float | None = None
    numeric_test: str = "ks"
    categorical_test: str = "chi2"
    tests: Mapping[str, str] | None = None
    psi_threshold: float = 0.2
    gate_missing: bool = False
    waive: Mapping[str, str] | None = None
    min_samples: int = 20
    #: None: one per usable CPU (see :func:`pytest_drift.parallel.default_workers`).
    workers: int | None = None
    engine: str = "auto"
    duckdb_memory_limit: int | None = None
    features_key: str = "features"
    format: Mapping[str, str] | None = None
    report: str | None = None
    name: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    #: How each source describes itself, for later messages (e.g. the baseline's origin).
    origins: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionOptions:
    """Options that belong to the whole pytest session."""

    report: str | None
    html: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    #: Where each value came from, in words (e.g. ``command line --drift-report``).
    origins: Mapping[str, str] = field(default_factory=dict)


def _check_unknown(layers: Sequence[Layer]) -> None:
    for layer in layers:
        for key in layer.values:
            option = OPTIONS_BY_NAME.get(key)
            allowed_here = option is not None and (
                layer.kind not in ("command line", "ini") or option.where & {"flag", "ini"}
            )
            if not allowed_here:
                known = ", ".join(o.name for o in OPTIONS if "marker" in o.where)
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
    for option in OPTIONS:
        if option.session_scoped and "marker" not in option.where:
            continue  # a session output (html), nothing a check has
        usable = [
            layer for layer in layers
            if not (option.session_scoped and layer.kind in ("command line", "ini"))
        ]
        default = option.check_default if option.session_scoped else option.default
        value, kind, origin = _resolve_one(option, usable, default)
        values[option.name] = value
        sources[option.name] = kind
        origins[option.name] = origin
    return CheckOptions(**values, sources=sources, origins=origins)  # type: ignore[arg-type]


def resolve_session(layers: Sequence[Layer]) -> SessionOptions:
    """Resolve the session-scoped options (the report path) from command line and ini."""
    values: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    origins: dict[str, str] = {}
    for name in ("report", "html"):
        option = OPTIONS_BY_NAME[name]
        value, sources[name], origins[name] = _resolve_one(option, layers, option.default)
        values[name] = value if isinstance(value, str) and value else None
    return SessionOptions(report=values["report"], html=values["html"], sources=sources,
                          origins=origins)
