"""docs/choosing-alpha-threshold-correction.md is what docs/false_alarms.py writes now: the
page never goes stale, and its numbers are the package's."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from scipy import stats

from pytest_drift.stats.effects import min_detectable_ks
from pytest_drift.stats.false_alarm import gate_false_alarm

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "false_alarms.py"
PAGE = ROOT / "docs" / "choosing-alpha-threshold-correction.md"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_false_alarms", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_page_is_what_the_script_writes(script: ModuleType, tmp_path: Path) -> None:
    written = tmp_path / "choosing.md"
    assert script.main(["--output", str(written)]) == 0
    expected = written.read_text(encoding="utf-8")
    committed = PAGE.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(
        committed.splitlines(keepends=True), expected.splitlines(keepends=True),
        "docs/choosing-alpha-threshold-correction.md", "python docs/false_alarms.py"))
    assert committed == expected, (
        "docs/choosing-alpha-threshold-correction.md is out of date; run "
        f"`python docs/false_alarms.py`:\n{diff}")


def test_check_mode_reports_a_stale_page(script: ModuleType, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "choosing.md"
    stale.write_text("# Choosing alpha, threshold and correction\n", encoding="utf-8")
    assert script.main(["--output", str(stale), "--check"]) == 1
    assert "+| 4 | 1 |" in capsys.readouterr().out
    assert script.main(["--output", str(PAGE), "--check"]) == 0


def test_the_page_has_the_table_and_the_numbers(script: ModuleType) -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert page.startswith("# Choosing alpha, threshold and correction\n")
    header = next(line for line in page.splitlines() if line.startswith("| features |"))
    assert header.endswith("| `none` | `bonferroni` | `holm` | `fdr_bh` |")
    table_rows = [line for line in page.splitlines() if line[:3] in {f"| {d}" for d in
                                                                      "123456789"}]
    features = [int(line.split("|")[1]) for line in table_rows[:15]]
    assert features == [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50]
    # The worked example: 4 features at 20%, no correction.
    four = gate_false_alarm(4, 0.05, 20, "none")
    assert four == pytest.approx(stats.binom.sf(0, 4, 0.05), rel=1e-12)
    assert "| 4 | 1 | **18.5%** |" in page
    assert "**18.5%** of runs without a correction" in page
    # The big-n advice, with the numbers min_detectable_ks gives.
    for n in (1_000, 1_000_000):
        assert f"| {n:,} | {min_detectable_ks(n, n, 0.05):.3g} |" in page
    assert "min_effect" in page
    assert "0.02 standard deviations" in page
