"""The option values: the words each option accepts and the parsers that turn what a user
wrote (in a marker, a flag or an ini file) into a value, raising ValueError with what the
option expects.

The names a check may choose from (modes, engines, corrections, file formats) are listed
here once, for the parsers, the help texts and the code that implements them. This module
imports nothing heavy: the option table parses command-line and ini values with it in every
pytest run.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping

#: What a failed gate does: fail the test, or emit a DriftWarning.
MODES = ("fail", "warn")
#: Which windows of a windowed check decide its gate: the last one, or any one.
WINDOW_GATES = ("last", "any")
#: What a schema change does: fail the gate, or be reported with a DriftWarning.
SCHEMA_POLICIES = ("warn", "fail")
#: Where a check's features are reduced (the ``engine`` option); ``auto`` picks one.
ENGINE_CHOICES = ("auto", "memory", "duckdb", "spark")
#: The multiple-testing corrections (see :mod:`pytest_drift.stats.corrections`).
CORRECTIONS = ("none", "bonferroni", "holm", "fdr_bh")
_CORRECTION_ALIASES = {"bh": "fdr_bh", "fdr": "fdr_bh"}
#: The file formats the built-in loaders read (see :mod:`pytest_drift.loaders.paths`).
FORMAT_NAMES = ("csv", "tsv", "parquet", "feather", "json", "jsonl")
_FORMAT_ALIASES = {"arrow": "feather", "ipc": "feather", "ndjson": "jsonl", "pq": "parquet"}


def _choice(raw: object, choices: tuple[str, ...], aliases: Mapping[str, str] | None = None
            ) -> str:
    """One of ``choices``, whatever the case and surrounding blanks."""
    name = raw.strip().lower() if isinstance(raw, str) else None
    if name is not None and aliases:
        name = aliases.get(name, name)
    if name not in choices:
        raise ValueError(f"must be one of {', '.join(choices)}")
    return name


def parse_source(raw: object) -> object:
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


def parse_names(raw: object) -> tuple[str, ...]:
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


def _number(raw: object) -> float:
    """A number from a number or its text (``20%`` is 20)."""
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


def _bounded(raw: object, within: Callable[[float], bool], problem: str) -> float:
    """A finite number for which ``within`` holds; ``problem`` says what it must be."""
    value = _number(raw)
    if not (math.isfinite(value) and within(value)):
        raise ValueError(problem)
    return value


def parse_alpha(raw: object) -> float:
    """A significance level, strictly between 0 and 1."""
    return _bounded(raw, lambda value: 0.0 < value < 1.0,
                    "must be a number between 0 and 1, exclusive (e.g. 0.05)")


def parse_threshold(raw: object) -> float:
    """A percentage of features, from 0 to 100."""
    return _bounded(raw, lambda value: 0.0 <= value <= 100.0,
                    "must be a percentage between 0 and 100 (e.g. 20)")


def parse_min_samples(raw: object) -> int:
    """A whole number of values, at least 1."""
    value = _number(raw)
    if not (math.isfinite(value) and value.is_integer() and value >= 1):
        raise ValueError("must be a whole number of values, at least 1 (e.g. 20)")
    return int(value)


def parse_max_segments(raw: object) -> int:
    """A whole number of segments, at least 1."""
    value = _number(raw)
    if not (math.isfinite(value) and value.is_integer() and value >= 1):
        raise ValueError("must be a whole number of segments, at least 1 (e.g. 100)")
    return int(value)


def parse_workers(raw: object) -> int | None:
    """``auto`` (None: one per usable CPU) or a number of processes, at least 1."""
    if isinstance(raw, str) and raw.strip().lower() == "auto":
        return None
    problem = "must be auto or a whole number of processes, at least 1"
    try:
        value = _number(raw)
    except ValueError:
        raise ValueError(problem) from None
    if not (math.isfinite(value) and value.is_integer() and value >= 1):
        raise ValueError(problem)
    return int(value)


def parse_engine(raw: object) -> str:
    """One of :data:`ENGINE_CHOICES`."""
    return _choice(raw, ENGINE_CHOICES)


_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(raw: object) -> int:
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


def parse_timeout(raw: object) -> float:
    """A number of seconds, more than 0 (``60``, ``2.5``)."""
    return _bounded(raw, lambda value: value > 0.0,
                    "must be a number of seconds, more than 0 (e.g. 60)")


def parse_correction(raw: object) -> str:
    """One of :data:`CORRECTIONS` (``bh`` and ``fdr`` are ``fdr_bh``)."""
    return _choice(raw, CORRECTIONS, _CORRECTION_ALIASES)


def parse_min_effect(raw: object) -> float:
    """An effect size (KS statistic or Cramér's V), from 0 to 1."""
    return _bounded(raw, lambda value: 0.0 <= value <= 1.0,
                    "must be a KS statistic or Cramér's V between 0 and 1 (e.g. 0.1)")


def parse_psi_threshold(raw: object) -> float:
    """A positive population stability index."""
    return _bounded(raw, lambda value: value > 0.0,
                    "must be a positive PSI (0.1 moderate, 0.2 large shift)")


def parse_bool(raw: object) -> bool:
    """A bool, or its text: 1/0, true/false, yes/no, on/off."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(raw, str) and raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


def parse_test_name(raw: object) -> str:
    """The name of a statistical test, lower-cased (the registry knows whether it exists)."""
    if isinstance(raw, str) and raw.strip():
        return raw.strip().lower()
    raise ValueError("must be the name of a test, e.g. ks, chi2, cvm, anderson, psi")


def _mapping(raw: object, what: str, *, commas: bool = True) -> dict[str, str]:
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


def parse_tests(raw: object) -> dict[str, str]:
    """``{feature: test name}``, the names lower-cased."""
    return {k: v.lower() for k, v in _mapping(raw, "test names").items()}


def parse_waive(raw: object) -> dict[str, str]:
    """``{feature: "reason until YYYY-MM-DD"}``; the date is required (see waivers.py)."""
    from pytest_drift.waivers import parse_waiver

    waivers = _mapping(raw, "reason until YYYY-MM-DD", commas=False)  # reasons have commas
    for feature, text in waivers.items():
        parse_waiver(feature, text)
    return waivers


def parse_mode(raw: object) -> str:
    """One of :data:`MODES`."""
    return _choice(raw, MODES)


def parse_window_gate(raw: object) -> str:
    """One of :data:`WINDOW_GATES`."""
    return _choice(raw, WINDOW_GATES)


def parse_window(raw: object) -> str:
    """A pandas offset alias (see :func:`pytest_drift.windows.parse_window`)."""
    from pytest_drift.windows import parse_window as window

    return window(raw)


def parse_schema_policy(raw: object) -> str:
    """One of :data:`SCHEMA_POLICIES`."""
    return _choice(raw, SCHEMA_POLICIES)


def parse_text(raw: object) -> str:
    """A string (or a path), stripped."""
    if isinstance(raw, os.PathLike):
        raw = os.fspath(raw)
    if isinstance(raw, str):
        return raw.strip()
    raise ValueError("must be a string")


#: A snapshot's name: letters, digits, ``.``, ``_`` and ``-``.
SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def parse_snapshot_name(raw: object) -> str:
    """A snapshot's name (:data:`SNAPSHOT_NAME`)."""
    name = parse_text(raw)
    if not SNAPSHOT_NAME.fullmatch(name):
        raise ValueError("a snapshot name is letters, digits, '.', '_' and '-' (it names "
                         "the file BASELINES_DIR/NAME.parquet)")
    return name


#: How a snapshot keeps numeric features: exactly, or as KLL sketches (``sketch`` or
#: ``sketch:K``, K the sketch's size parameter; see :mod:`pytest_drift.snapshots.sketch`).
SNAPSHOT_PROFILES = ("exact", "sketch")
SKETCH_DEFAULT_K = 800
SKETCH_MIN_K = 8
SKETCH_MAX_K = 65535


def parse_snapshot_profile(raw: object) -> str:
    """``exact``, ``sketch`` (``sketch:800``) or ``sketch:K``, normalised to ``sketch:K``."""
    problem = (f"must be exact, sketch or sketch:K with K a whole number from {SKETCH_MIN_K} "
               f"to {SKETCH_MAX_K} (larger is more exact; sketch is sketch:{SKETCH_DEFAULT_K})")
    text = raw.strip().lower() if isinstance(raw, str) else None
    if text == "exact":
        return text
    if text == "sketch":
        return f"sketch:{SKETCH_DEFAULT_K}"
    if text is None or not text.startswith("sketch:"):
        raise ValueError(problem)
    size = text.partition(":")[2].strip()
    if not size.isdigit() or not SKETCH_MIN_K <= int(size) <= SKETCH_MAX_K:
        raise ValueError(problem)
    return f"sketch:{int(size)}"


def sketch_size(profile: str) -> int | None:
    """K of a ``sketch:K`` profile; None for ``exact``."""
    return int(profile.partition(":")[2]) if profile.startswith("sketch:") else None


def _format_name(raw: object) -> str:
    name = str(raw).strip().lower()
    name = _FORMAT_ALIASES.get(name, name)
    if name not in FORMAT_NAMES:
        raise ValueError(f"unknown format {raw!r}; one of {', '.join(FORMAT_NAMES)}")
    return name


def parse_format(raw: object) -> dict[str, str]:
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


def parse_features_key(raw: object) -> str:
    """A key, or a dotted path of keys, of a JSON Lines log line."""
    text = parse_text(raw)
    if not text or any(not part for part in text.split(".")):
        raise ValueError("must be a key or dotted path such as 'features' or 'request.inputs'")
    return text
