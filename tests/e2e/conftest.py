"""Fixtures for the end-to-end tests: a pytester project holding the test datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Modules imported lazily by the plugin (and by hypothesis's pytest plugin, which imports
# hypothesis in every terminal summary), imported once here: pytester's in-process runs drop
# the modules first imported during a run, and importing them again costs a second a run.
import hypothesis  # noqa: F401
import pyarrow.compute
import pyarrow.csv
import pyarrow.json
import pyarrow.parquet  # noqa: F401
import pytest
import rich.console
import rich.table  # noqa: F401

from tests.e2e.runner import copy_datasets, scipy_verdicts, stable_frames


@pytest.fixture(scope="session")
def stable_pair() -> tuple[Any, Any]:
    """Baseline and candidate frames in which scipy finds no drift in any feature."""
    baseline, candidate = stable_frames()
    verdicts = scipy_verdicts(baseline, candidate)
    assert not any(verdicts.values()), verdicts
    return baseline, candidate


@pytest.fixture
def project(pytester: pytest.Pytester, stable_pair: tuple[Any, Any]) -> pytest.Pytester:
    """A pytester project with ``data/<dataset>/`` for the real datasets of tests/data and
    ``data/stable/`` for a pair without drift."""
    data = pytester.mkdir("data")
    copy_datasets(data)
    stable = data / "stable"
    stable.mkdir()
    baseline, candidate = stable_pair
    baseline.to_csv(stable / "baseline.csv", index=False)
    candidate.to_csv(stable / "candidate.csv", index=False)
    return pytester


@pytest.fixture
def step_summary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A GitHub Actions run: the file the step summary is appended to."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary
