"""The three real datasets in tests/data: the report equals expected.json, and equals scipy
recomputed here from the files read with Python's csv/json modules (see tests/data/README.md).
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from pytest_drift import compare
from pytest_drift.report import session_report, strict, write_json
from tests.helpers import DATA, DATASETS, load_expected, validate_report

TIMESTAMP = "2026-11-22T10:00:00+00:00"
CASES = [(name, "candidate.csv") for name in DATASETS] + [
    ("seattle_weather_api_log", "candidate.jsonl")
]


def expected_close(ours: float, theirs: float) -> bool:
    """The tolerance README.md asks for: relative 1e-6 or absolute 1e-9."""
    return math.isclose(ours, theirs, rel_tol=1e-6) or abs(ours - theirs) <= 1e-9


# --- the independent oracle ------------------------------------------------------------


def read_csv_cells(path: Path) -> dict[str, list[Any]]:
    """Columns of a CSV as Python values: None for empty cells, else the cell's text."""
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        header = next(reader)
        columns: dict[str, list[Any]] = {name: [] for name in header}
        for row in reader:
            for name, cell in zip(header, row, strict=True):
                columns[name].append(cell if cell != "" else None)
    return columns


def read_jsonl_cells(path: Path) -> dict[str, list[Any]]:
    """Columns of an API log: the objects under "features", one row per line."""
    rows = [json.loads(line)["features"] for line in path.read_text().splitlines() if line]
    names = list(dict.fromkeys(key for row in rows for key in row))
    return {name: [row.get(name) for row in rows] for name in names}


def as_numbers(cells: list[Any]) -> list[float] | None:
    """The non-missing values as floats, or None if the column is not numeric."""
    values = []
    for cell in cells:
        if cell is None:
            continue
        if isinstance(cell, bool):
            return None
        if isinstance(cell, (int, float)):
            number = float(cell)
        else:
            try:
                number = float(cell)
            except ValueError:
                return None
        if not math.isfinite(number):
            return None
        values.append(number)
    return values


def scipy_oracle(baseline: dict[str, list[Any]], candidate: dict[str, list[Any]]
                 ) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name in baseline:
        if name not in candidate:
            continue
        left, right = baseline[name], candidate[name]
        missing = (sum(c is None for c in left), sum(c is None for c in right))
        a, b = as_numbers(left), as_numbers(right)
        if a is not None and b is not None:
            ks = stats.ks_2samp(np.array(a), np.array(b))
            results[name] = {
                "test": "ks", "statistic": float(ks.statistic), "p_value": float(ks.pvalue),
                "location": float(ks.statistic_location),
                "train_mean": float(np.mean(a)), "prod_mean": float(np.mean(b)),
                "n": (len(a), len(b)), "missing": missing, "dof": None,
            }
        else:
            cl = Counter(str(c) for c in left if c is not None)
            cr = Counter(str(c) for c in right if c is not None)
            categories = sorted(set(cl) | set(cr))
            chi2 = stats.chi2_contingency(
                np.array([[cl[c] for c in categories], [cr[c] for c in categories]]))
            results[name] = {
                "test": "chi2", "statistic": float(chi2.statistic),
                "p_value": float(chi2.pvalue), "dof": int(chi2.dof),
                "train_mean": None, "prod_mean": None,
                "n": (sum(cl.values()), sum(cr.values())), "missing": missing,
            }
    return results


def read_cells(path: Path) -> dict[str, list[Any]]:
    return read_jsonl_cells(path) if path.suffix == ".jsonl" else read_csv_cells(path)


# --- tests -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, str], Any]:
    return {
        (name, candidate): compare(DATA / name / "baseline.csv", DATA / name / candidate)
        for name, candidate in CASES
    }


def test_all_dataset_files_are_present() -> None:
    for name, candidate in CASES:
        assert (DATA / name / "baseline.csv").is_file()
        assert (DATA / name / candidate).is_file()
        assert (DATA / name / "expected.json").is_file()


@pytest.mark.parametrize(("name", "candidate"), CASES)
def test_report_equals_expected_json(name: str, candidate: str, reports: Any) -> None:
    expected = load_expected(name)
    report = reports[(name, candidate)]
    entry = report.to_json()

    assert entry["train_samples"] == expected["train_samples"]
    assert entry["production_samples"] == expected["production_samples"]
    assert list(entry["details"]) == list(expected["features"])
    assert entry["skipped_features"] == {}
    for feature, want in expected["features"].items():
        got = entry["details"][feature]
        assert got["test"] == want["test"], feature
        if want["test"] == "ks":
            assert got["ks_statistic"] is not None
            assert expected_close(got["ks_statistic"], want["ks_statistic"]), feature
            assert expected_close(got["statistic"], want["ks_statistic"]), feature
            assert expected_close(got["train_mean"], want["train_mean"]), feature
            assert expected_close(got["prod_mean"], want["prod_mean"]), feature
        else:
            assert got["ks_statistic"] is None
            assert expected_close(got["chi2_statistic"], want["chi2_statistic"]), feature
            assert expected_close(got["statistic"], want["chi2_statistic"]), feature
            assert got["dof"] == want["dof"], feature
            assert got["train_mean"] is None
            assert got["prod_mean"] is None
        assert expected_close(got["p_value"], want["p_value"]), feature
        assert got["drift_detected"] is want["drift_detected"], feature

    assert entry["features_with_drift"] == expected["features_with_drift"]
    assert entry["drifted_features"] == expected["drifted_features"]
    assert entry["drift_percentage"] == pytest.approx(expected["drift_percentage"], abs=1e-9)
    assert entry["status"] == expected["status"]
    assert entry["features_tested"] == len(expected["features"])


@pytest.mark.parametrize(("name", "candidate"), CASES)
def test_counts_equal_oracle_details(name: str, candidate: str, reports: Any) -> None:
    details = json.loads((DATA / name / "oracle_details.json").read_text())["features"]
    report = reports[(name, candidate)]
    for feature, want in details.items():
        got = report.details[feature]
        assert (got.baseline_n, got.candidate_n) == (want["n_train"], want["n_prod"]), feature
        assert (got.baseline_missing, got.candidate_missing) == (
            want["missing_train"], want["missing_prod"]), feature
        assert got.kind == want["kind"], feature


@pytest.mark.parametrize(("name", "candidate"), CASES)
def test_report_equals_scipy_on_the_raw_files(name: str, candidate: str, reports: Any
                                              ) -> None:
    oracle = scipy_oracle(read_cells(DATA / name / "baseline.csv"),
                          read_cells(DATA / name / candidate))
    report = reports[(name, candidate)]
    assert list(report.details) == list(oracle)
    for feature, want in oracle.items():
        got = report.details[feature]
        assert got.test == want["test"], feature
        assert math.isclose(got.statistic, want["statistic"], rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(got.p_value, want["p_value"], rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(got.p_value, want["p_value"], rel_tol=1e-9, abs_tol=1e-300)
        assert got.drift_detected == (want["p_value"] < 0.05), feature
        assert (got.baseline_n, got.candidate_n) == want["n"], feature
        assert (got.baseline_missing, got.candidate_missing) == want["missing"], feature
        assert got.dof == want["dof"], feature
        if want["test"] == "ks":
            assert got.statistic_location == want["location"], feature
            assert got.baseline_mean == pytest.approx(want["train_mean"], rel=1e-12)
            assert got.candidate_mean == pytest.approx(want["prod_mean"], rel=1e-12)
    drifted = [f for f, want in oracle.items() if want["p_value"] < 0.05]
    assert report.drifted_features == drifted
    percentage = len(drifted) / len(oracle) * 100
    assert report.drift_percentage == pytest.approx(percentage)
    assert report.status == ("DRIFT_DETECTED" if percentage > 20 else "NORMAL")


def _comparable(entry: dict[str, Any]) -> dict[str, Any]:
    """The parts of a check entry that must not depend on the candidate's file format."""
    drop = {"timestamp", "candidate", "candidate_files", "duration_seconds"}
    return {k: v for k, v in entry.items() if k not in drop}


def test_api_log_gives_the_same_report_as_csv(reports: Any) -> None:
    name = "seattle_weather_api_log"
    from_csv = reports[(name, "candidate.csv")].to_json()
    from_log = reports[(name, "candidate.jsonl")].to_json()
    assert _comparable(from_log) == _comparable(from_csv)
    assert from_log["candidate_files"] == [str((DATA / name / "candidate.jsonl").resolve())]


@pytest.mark.parametrize(("name", "candidate"), CASES)
def test_report_json_is_valid(name: str, candidate: str, reports: Any, tmp_path: Path
                              ) -> None:
    entry = reports[(name, candidate)].to_json()
    document = session_report([entry], TIMESTAMP)
    validate_report(strict(document))
    assert document["status"] == entry["status"]
    written = json.loads(write_json(tmp_path / "drift_report.json", document).read_text())
    validate_report(written)
    assert written["checks"][0]["details"].keys() == entry["details"].keys()


def test_session_report_of_all_datasets_is_valid(reports: Any) -> None:
    entries = [report.to_json() for report in reports.values()]
    document = session_report(entries, TIMESTAMP)
    validate_report(strict(document))
    assert len(document["checks"]) == len(CASES)
