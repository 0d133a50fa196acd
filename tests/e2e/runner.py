"""Run pytest sessions that use the plugin and read what they leave behind.

``run_drift`` is the e2e suite's ``run_and_parse`` (pytest's junitxml tests): it runs pytest
in a pytester project and returns the result together with the parsed session report, which
it always validates against the JSON Schema shipped with the package.
"""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import DATA, DATASETS, validate_report

REPORT = "drift_report.json"
#: Baseline and candidate of each dataset, relative to the rootdir of a ``project``.
CARS = ("data/cars_model_years/baseline.csv", "data/cars_model_years/candidate.csv")
WEATHER = ("data/seattle_weather_api_log/baseline.csv",
           "data/seattle_weather_api_log/candidate.csv")
WEATHER_LOG = "data/seattle_weather_api_log/candidate.jsonl"
STABLE = ("data/stable/baseline.csv", "data/stable/candidate.csv")

#: Four checks, one per outcome: NORMAL, DRIFT_DETECTED, DRIFT_DETECTED in warn mode,
#: ERROR (a missing file).
FOUR_CHECKS = f"""
    import pytest

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_stable():
        pass

    @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
    def test_cars():
        pass

    @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, mode="warn")
    def test_cars_warn():
        pass

    @pytest.mark.drift("data/nowhere.csv", {CARS[1]!r})
    def test_missing_file():
        pass
"""
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Fields that differ between two runs of the same checks.
VOLATILE = frozenset({"timestamp", "duration_seconds"})


def read_report(path: Path) -> dict[str, Any]:
    """Parse a session report, which must be strict JSON and follow the schema."""

    def reject(constant: str) -> None:
        raise ValueError(f"{path} holds {constant}, which is not valid JSON")

    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"),
                                          parse_constant=reject)
    validate_report(document)
    return document


def run_drift(
    pytester: pytest.Pytester,
    *args: str,
    report: str | None = REPORT,
    subprocess: bool = False,
) -> tuple[pytest.RunResult, dict[str, Any] | None]:
    """Run pytest in ``pytester``'s directory; return the result and the session report.

    ``report`` is where the session report is expected, relative to the project
    (``None``: nowhere). A stale file is removed first, so the report returned is the one
    this run wrote, or ``None`` when it wrote none.
    """
    path = pytester.path / report if report else None
    if path is not None:
        path.unlink(missing_ok=True)
    if subprocess:
        result = pytester.runpytest_subprocess(*args)
    else:
        # An in-process run inherits this session's warning filters ("error" from
        # pyproject.toml); start it from Python's defaults, as a fresh process would.
        with warnings.catch_warnings():
            warnings.resetwarnings()
            result = pytester.runpytest(*args)
    document = read_report(path) if path is not None and path.exists() else None
    return result, document


def check(document: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """The check entry called ``name`` in a session report."""
    assert document is not None, "no session report was written"
    found = [entry for entry in document["checks"] if entry["name"] == name]
    assert len(found) == 1, f"{name!r} not once in {[e['name'] for e in document['checks']]}"
    return found[0]


def without_volatile(value: Any) -> Any:
    """A report with timestamps and durations removed, to compare two runs."""
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


def drift_section(text: str) -> str:
    """The ``drift`` section of the terminal output, up to the next ``===`` header; it keeps
    any ANSI escapes."""
    lines = text.splitlines(keepends=True)
    plain = [ANSI.sub("", line).rstrip("\n") for line in lines]
    start = next((i for i, line in enumerate(plain) if re.fullmatch(r"=+ drift =+", line)),
                 None)
    assert start is not None, f"no drift section in:\n{text}"
    end = next((i for i in range(start + 1, len(plain)) if re.fullmatch(r"=+ .* =+", plain[i])),
               len(lines))
    return "".join(lines[start:end])


def literal(text: str) -> str:
    """``text`` as an fnmatch pattern that matches only itself (brackets are literal)."""
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def copy_datasets(target: Path) -> None:
    """Copy the real datasets of tests/data into ``target`` (one folder per dataset)."""
    for name in DATASETS:
        destination = target / name
        destination.mkdir(parents=True, exist_ok=True)
        for source in (DATA / name).iterdir():
            if source.suffix in (".csv", ".jsonl"):
                shutil.copyfile(source, destination / source.name)


def stable_frames(seed: int = 15, rows: int = 400) -> tuple[Any, Any]:
    """A seeded random split of one generated frame: baseline and candidate, no drift."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "x": rng.normal(10, 2, rows).round(3),
        "y": rng.uniform(0, 1, rows).round(4),
        "colour": rng.choice(["red", "green", "blue"], rows, p=[0.5, 0.3, 0.2]),
        "rooms": rng.integers(1, 6, rows),
    })
    in_baseline = rng.random(rows) < 0.5
    return (frame[in_baseline].reset_index(drop=True),
            frame[~in_baseline].reset_index(drop=True))


def scipy_verdicts(baseline: Any, candidate: Any, alpha: float = 0.05) -> dict[str, bool]:
    """Per feature, whether scipy finds drift: KS for numbers, chi-square for the rest."""
    return {name: bool(p < alpha) for name, p in scipy_p_values(baseline, candidate).items()}


def scipy_p_values(baseline: Any, candidate: Any, categorical: tuple[str, ...] = ()
                   ) -> dict[str, float]:
    """Per feature, scipy's p-value: ``ks_2samp`` for numbers, ``chi2_contingency`` on the
    table of counts for strings and for the features in ``categorical``."""
    import pandas as pd
    from scipy import stats

    p_values: dict[str, float] = {}
    for name in baseline.columns:
        left, right = baseline[name].dropna(), candidate[name].dropna()
        if pd.api.types.is_numeric_dtype(left) and name not in categorical:
            p_value = stats.ks_2samp(left, right).pvalue
        else:
            counts = pd.concat([left.value_counts(), right.value_counts()], axis=1).fillna(0)
            p_value = stats.chi2_contingency(counts.T.to_numpy()).pvalue
        p_values[name] = float(p_value)
    return p_values
