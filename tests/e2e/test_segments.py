"""Segmented checks in a pytest session: a marked test with ``segment_by`` runs once per
segment (ids ``test_x[country=FR]``), a drifted segment fails alone with its segment in the
message, rare and one-sided segments are skipped with the reason, every segment is an entry
of the JSON report, a declared check accepts the key, and under xdist the same entries
arrive."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.e2e.runner import run_drift

CHECKS = """
    import pytest

    @pytest.mark.drift("data/train.csv", "data/now.csv", segment_by="country")
    def test_inputs(drift_segment):
        assert drift_segment.startswith("country=")
"""


def write_pair(directory: Path) -> None:
    """FR and DE on both sides (``amount`` moves in DE), LU rare in the baseline and
    the candidate, PT in the candidate only."""
    rng = np.random.default_rng(4)
    rows = 2000

    def side(countries: list[str], shares: list[float]) -> pd.DataFrame:
        return pd.DataFrame({"country": rng.choice(countries, rows, p=shares),
                             "amount": rng.normal(20, 5, rows).round(2),
                             "visits": rng.poisson(3, rows)})

    baseline = side(["FR", "DE", "LU"], [0.6, 0.395, 0.005])
    candidate = side(["FR", "DE", "LU", "PT"], [0.6, 0.37, 0.005, 0.025])
    candidate.loc[candidate["country"] == "DE", "amount"] += 4.0
    directory.mkdir(parents=True, exist_ok=True)
    baseline.to_csv(directory / "train.csv", index=False)
    candidate.to_csv(directory / "now.csv", index=False)


def test_one_test_per_segment_and_the_drifted_one_fails(project: pytest.Pytester) -> None:
    write_pair(project.path / "data")
    project.makepyfile(test_inputs=CHECKS)
    result, document = run_drift(project, "-rs", "-v")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    text = result.stdout.str()
    for outcome, label in (("FAILED", "country=DE"), ("PASSED", "country=FR"),
                           ("SKIPPED", "country=LU"), ("SKIPPED", "country=PT")):
        assert f"test_inputs.py::test_inputs[{label}] {outcome}" in text, label
    assert "Data drift in 50.0% of features (threshold 20.0%): candidate data/now.csv vs " \
        "baseline data/train.csv, segment country=DE" in text
    assert "amount: ks statistic=" in text
    assert "drift segment country=PT: only in the candidate (" in text
    assert "fewer than min_samples=20" in text
    entries = {entry["nodeid"]: entry for entry in document["checks"]}
    assert sorted(entries) == [f"test_inputs.py::test_inputs[country={c}]"
                               for c in ("DE", "FR", "LU", "PT")]
    de = entries["test_inputs.py::test_inputs[country=DE]"]
    assert de["name"] == "test_inputs[country=DE]"
    assert de["status"] == "DRIFT_DETECTED"
    assert de["drifted_features"] == ["amount"]
    assert de["segment"]["key"] == {"country": "DE"}
    assert list(de["details"]) == ["amount", "visits"]
    pt = entries["test_inputs.py::test_inputs[country=PT]"]
    assert pt["status"] == "SKIPPED"
    assert pt["segment"]["only_in"] == "candidate"
    assert document["status"] == "DRIFT_DETECTED"
    assert "test_inputs[country=PT] SKIPPED" in text  # the drift summary lists it too


def test_a_one_sided_segment_fails_under_schema_fail(project: pytest.Pytester) -> None:
    write_pair(project.path / "data")
    project.makepyfile(test_inputs=CHECKS.replace('segment_by="country"',
                                                  'segment_by="country", schema="fail"'))
    result, _ = run_drift(project, "-k", "PT")
    result.assert_outcomes(failed=1, deselected=3)
    assert "segment country=PT not tested: only in the candidate (" in result.stdout.str()


def test_a_declared_check_is_segmented_too(project: pytest.Pytester) -> None:
    write_pair(project.path / "data")
    project.makepyprojecttoml("""
        [tool.pytest_drift]
        [[tool.pytest_drift.checks]]
        name = "inputs"
        baseline = "data/train.csv"
        candidate = "data/now.csv"
        segment_by = ["country"]
    """)
    result, document = run_drift(project, "pyproject.toml", "-v")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    assert "pyproject.toml::drift[inputs][country=DE] FAILED" in result.stdout.str()
    assert {entry["name"] for entry in document["checks"]} == {
        f"inputs[country={c}]" for c in ("DE", "FR", "LU", "PT")}


def test_segments_under_xdist_give_the_same_entries(project: pytest.Pytester) -> None:
    write_pair(project.path / "data")
    project.makepyfile(test_inputs=CHECKS)
    _, alone = run_drift(project)
    result, spread = run_drift(project, "-n", "2")
    result.assert_outcomes(passed=1, failed=1, skipped=2)

    def statuses(document: dict[str, object]) -> dict[str, str]:
        return {entry["nodeid"]: entry["status"]  # type: ignore[index]
                for entry in document["checks"]}  # type: ignore[attr-defined]

    assert statuses(spread) == statuses(alone)


def test_a_segment_column_of_too_many_values_errors_the_test(project: pytest.Pytester
                                                             ) -> None:
    write_pair(project.path / "data")
    project.makepyfile(test_inputs=CHECKS.replace('segment_by="country"',
                                                  'segment_by="amount"'))
    result, document = run_drift(project)
    result.assert_outcomes(errors=1)
    text = result.stdout.str()
    assert "drift check could not run: segment_by=['amount'] (from marker keyword segment_by " \
        "on test_inputs.py::test_inputs): " in text
    assert "segments (baseline and candidate together), more than max_segments=100" in text
    assert document["checks"][0]["status"] == "ERROR"


def test_the_step_summary_and_the_html_report_list_every_segment(
        project: pytest.Pytester, step_summary: Path) -> None:
    write_pair(project.path / "data")
    project.makepyfile(test_inputs=CHECKS)
    result, _ = run_drift(project, "--drift-html", "r.html")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    markdown = step_summary.read_text(encoding="utf-8")
    assert "### ❌ `test_inputs[country=DE]` DRIFT_DETECTED" in markdown
    assert "### ⏭️ `test_inputs[country=PT]` SKIPPED" in markdown
    html = (project.path / "r.html").read_text(encoding="utf-8")
    for label in ("country=DE", "country=FR", "country=LU", "country=PT"):
        assert f"test_inputs[{label}]" in html, label
    assert "only in the candidate" in html


def test_a_segment_gone_between_collection_and_the_run_is_said(project: pytest.Pytester
                                                               ) -> None:
    """The data changed after pytest collected the segments (a job rewrote the file):
    the test of a segment no longer there errors, saying so and naming those there now."""
    write_pair(project.path / "data")
    project.makeconftest("""
        import pandas as pd

        def pytest_collection_finish(session):
            frame = pd.read_csv("data/now.csv")
            frame[frame["country"] != "FR"].to_csv("data/now.csv", index=False)
            frame = pd.read_csv("data/train.csv")
            frame[frame["country"] != "FR"].to_csv("data/train.csv", index=False)
    """)
    project.makepyfile(test_inputs=CHECKS)
    result, _ = run_drift(project, "-k", "FR")
    result.assert_outcomes(errors=1, deselected=3)
    assert "segment country=FR of test_inputs was in the data at collection but is not " \
        "now; the segments now: country=DE, country=LU, country=PT" in result.stdout.str()
