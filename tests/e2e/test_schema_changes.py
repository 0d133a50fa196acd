"""Schema changes in a pytest session and on the command line: under the default
``schema = warn`` the test passes with a ``DriftWarning`` and every output lists the changes
(terminal, JSON, GitHub step summary, HTML); under ``schema = fail`` (ini, marker or flag) the
test fails with them in its message, and ``datadrift`` exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.test_command_line import run_cli
from tests.e2e.runner import check, run_drift

CHECKS = """
    import pytest

    @pytest.mark.drift("data/train.parquet", "data/now.parquet")
    def test_inputs():
        pass
"""


def write_pair(directory: Path) -> None:
    """The same distributions, a changed shape: ``plan`` removed, ``coupon`` added,
    ``tier`` emptied, ``country`` with a new category (0.3% of the rows)."""
    rng = np.random.default_rng(7)
    rows = 1000
    countries = rng.choice(["FR", "DE", "IT"], rows)
    pq.write_table(pa.table({
        "amount": rng.normal(10, 2, rows), "country": countries,
        "tier": rng.integers(0, 4, rows), "plan": rng.choice(["free", "pro"], rows),
    }), directory / "train.parquet")
    moved = countries.copy()
    moved[:3] = "PT"
    pq.write_table(pa.table({
        "amount": rng.normal(10, 2, rows), "country": moved,
        "tier": pa.nulls(rows), "coupon": rng.integers(0, 3, rows),
    }), directory / "now.parquet")


LINES = (
    "column 'plan' removed from the candidate",
    "column 'coupon' added in the candidate",
    "column 'tier' retyped: int64 in the baseline, null in the candidate",
    "'country': 1 category new in the candidate, 0.3% of its values ('PT' 0.3%)",
)


def test_warn_passes_and_every_output_lists_the_changes(project: pytest.Pytester,
                                                        step_summary: Path) -> None:
    write_pair(project.path / "data")
    project.makepyfile(test_inputs=CHECKS)
    result, document = run_drift(project, "--drift-html", "r.html")
    result.assert_outcomes(passed=1, warnings=1)
    entry = check(document, "test_inputs")
    assert entry["status"] == "NORMAL"
    assert entry["schema"]["changes"] == 4
    assert entry["schema"]["failed"] is False
    text = result.stdout.str()
    assert "DriftWarning: test_inputs.py::test_inputs: schema changed (4 changes; " \
        "schema='warn'" in text
    assert "→ NORMAL, 4 schema changes" in text
    for line in LINES:
        assert text.count(line) == 2, line  # the drift summary and the warning
    markdown = step_summary.read_text(encoding="utf-8")
    html = (project.path / "r.html").read_text(encoding="utf-8")
    for line in LINES:
        assert line in markdown, line
        assert line.replace("'", "&#x27;") in html, line


@pytest.mark.parametrize("where", ["ini", "marker", "flag"])
def test_fail_fails_the_test_with_the_changes(project: pytest.Pytester, where: str) -> None:
    write_pair(project.path / "data")
    args: list[str] = []
    checks = CHECKS
    if where == "ini":
        project.makeini("[pytest]\ndrift_schema = fail\n")
    elif where == "marker":
        checks = CHECKS.replace('"data/now.parquet")', '"data/now.parquet", schema="fail")')
    else:
        args = ["--drift-schema", "fail"]
    project.makepyfile(test_inputs=checks)
    result, document = run_drift(project, *args)
    result.assert_outcomes(failed=1)
    entry = check(document, "test_inputs")
    assert entry["status"] == "DRIFT_DETECTED"
    assert entry["drifted_features"] == []
    assert entry["schema"]["failed"] is True
    text = result.stdout.str()
    assert "Schema changed (schema='fail'): candidate data/now.parquet vs baseline " \
        "data/train.parquet" in text
    for line in LINES:
        assert line in text, line
    assert "0 of 2 features drifted (0.0% <= threshold 20.0%)" in text


def test_the_command_line_exits_1_on_a_schema_change_under_fail(tmp_path: Path) -> None:
    write_pair(tmp_path)
    common = ["--train_data", "train.parquet", "--prod_data", "now.parquet",
              "--output", "out.json"]
    warned = run_cli(*common, cwd=tmp_path)
    assert warned.returncode == 0, warned.stderr
    assert "4 schema changes" in warned.stdout
    failed = run_cli(*common, "--schema", "fail", cwd=tmp_path)
    assert failed.returncode == 1, failed.stderr
    assert "Schema changed (schema='fail')" in failed.stdout + failed.stderr
    entry = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert entry["schema"]["columns_removed"] == ["plan"]


def test_a_bad_schema_value_names_the_option(project: pytest.Pytester) -> None:
    write_pair(project.path / "data")
    project.makepyfile(test_inputs=CHECKS.replace('"data/now.parquet")',
                                                  '"data/now.parquet", schema="strict")'))
    result, _ = run_drift(project)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*schema*'strict'*warn*fail*"])
