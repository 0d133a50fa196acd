"""A sketched snapshot in a pytest session: saved with ``drift_snapshot_profile = sketch``,
every output of a check against it says it is approximate (terminal, JSON, GitHub step
summary and annotation, HTML), and an undecided gate fails the test with its reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.e2e.runner import check, run_drift
from tests.sketch_support import use_thinned_sketch

CHECKS = """
    import pytest

    @pytest.mark.drift("snapshot:big", "data/now.parquet")
    def test_big():
        pass
"""
INI = """
    [pytest]
    drift_snapshot_profile = sketch:64
    drift_workers = 1
"""


def write_pair(project: pytest.Pytester, shift: float) -> None:
    rng = np.random.default_rng(11)
    for name, rows, moved in (("train", 6000, 0.0), ("now", 800, shift)):
        pq.write_table(pa.table({"x": rng.normal(moved, size=rows),
                                 "y": rng.exponential(size=rows),
                                 "k": rng.choice(["a", "b"], rows)}),
                       project.path / "data" / f"{name}.parquet")


def save_big(project: pytest.Pytester) -> None:
    """Save data/train.parquet as snapshot:big with the session's profile."""
    project.makepyfile(test_save="""
        import pytest

        @pytest.mark.drift("data/train.parquet", "data/now.parquet", snapshot="big")
        def test_save():
            pass
    """)
    result, _ = run_drift(project, "--drift-update-baseline", "test_save.py")
    assert result.ret == 0, result.stdout.str()
    (project.path / "test_save.py").unlink()


def test_every_output_says_the_check_is_approximate(project: pytest.Pytester,
                                                     step_summary: Path) -> None:
    project.makeini(INI)
    write_pair(project, shift=0.0)
    save_big(project)
    project.makepyfile(test_big=CHECKS)
    result, document = run_drift(project, "--drift-html", "r.html")
    entry = check(document, "test_big")
    assert entry["approximate"] is True
    assert entry["snapshot"]["profile"]["k"] == 64
    assert set(entry["snapshot"]["rank_errors"]) == {"x", "y"}
    assert entry["details"]["x"]["statistic_bound"] == entry["snapshot"]["rank_errors"]["x"]
    assert entry["details"]["k"].get("statistic_bound") is None  # categories are exact
    text = result.stdout.str()
    assert "test_big NORMAL [approximate]" in text or entry["status"] != "NORMAL"
    assert f"→ {entry['status']} [approximate]" in text
    assert "approximate: the baseline snapshot:big keeps numeric features as KLL sketches " \
        "(k=64)" in text
    markdown = step_summary.read_text(encoding="utf-8")
    assert f"`test_big` {entry['status']} [approximate]" in markdown
    assert "- approximate: the baseline snapshot:big" in markdown
    html = (project.path / "r.html").read_text(encoding="utf-8")
    assert '<span class="badge warn">approximate</span>' in html
    assert " ± " in html


def test_an_undecided_gate_fails_the_test(project: pytest.Pytester,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A coarse sketch and a candidate near significance: UNDECIDED, the test fails, the
    message says which feature and how to decide it; the exit code is a test failure's."""
    use_thinned_sketch(monkeypatch, 600)
    project.makeini(INI)
    write_pair(project, shift=0.1)
    save_big(project)
    project.makepyfile(test_big=CHECKS)
    result, document = run_drift(project)
    entry = check(document, "test_big")
    assert entry["status"] == "UNDECIDED", (entry["snapshot"], entry["details"]["x"])
    assert entry["undecided_features"] == ["x", "y"]
    assert document is not None
    assert document["status"] == "UNDECIDED"
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    text = result.stdout.str()
    assert "Drift gate undecided, 0.0% to 66.7% around threshold 20.0%" in text
    assert "UNDECIDED x: ks statistic=" in text
    assert "snapshot_profile='sketch:K', K above 64" in text
