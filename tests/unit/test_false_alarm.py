"""How often a gate fails on stable data: ``gate_false_alarm`` against the binomial, against
exact identities, against a seeded simulation of null p-values, and against real checks run
on pairs of frames drawn from one distribution; the report's note and the terminal warning."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

# Modules the plugin imports lazily, imported once here: pytester's in-process runs drop
# the modules first imported during a run, and importing them again costs a second a run.
import hypothesis  # noqa: F401
import numpy as np
import pandas as pd
import pyarrow.csv  # noqa: F401
import pytest
import rich.console
import rich.table  # noqa: F401
from scipy import stats

from pytest_drift import compare
from pytest_drift.stats.false_alarm import EXACT_UP_TO, gate_false_alarm
from tests.e2e.runner import check, drift_section, run_drift
from tests.unit.stats_support import (
    cached_min_detectable_ks,
    drifted_count,
    failing_count,
    quiet,
    validated,
)

ALPHA = 0.05
CORRECTIONS = ("none", "bonferroni", "holm", "fdr_bh")
#: A two-sided binomial test p-value under this is a disagreement (about 4 sigma).
DISAGREE = 1e-4


@pytest.fixture(autouse=True, scope="module")
def _fast_checks() -> Iterator[None]:
    with cached_min_detectable_ks():
        yield


def test_four_features_at_20_percent_is_18_5_percent() -> None:
    # One drifted feature of four is 25% > 20%: the gate fails when any feature drifts.
    expected = stats.binom.sf(0, 4, ALPHA)
    assert gate_false_alarm(4, ALPHA, 20, "none") == pytest.approx(expected, rel=1e-12)
    assert round(expected, 3) == 0.185


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 7, 10, 12, 25, 50, 120])
@pytest.mark.parametrize("threshold", [0, 10, 20, 33.3, 50, 99])
def test_none_and_bonferroni_are_binomial(m: int, threshold: float) -> None:
    k = failing_count(m, threshold)
    assert gate_false_alarm(m, ALPHA, threshold, "none") == pytest.approx(
        stats.binom.sf(k - 1, m, ALPHA), rel=1e-9, abs=1e-300)
    assert gate_false_alarm(m, ALPHA, threshold, "bonferroni") == pytest.approx(
        stats.binom.sf(k - 1, m, ALPHA / m), rel=1e-9, abs=1e-300)


def test_threshold_is_compared_exactly() -> None:
    """7 of 25 is exactly 28%: at threshold 28 it passes, so the gate needs 8."""
    assert failing_count(25, 28) == 8
    assert gate_false_alarm(25, ALPHA, 28, "none") == pytest.approx(
        stats.binom.sf(7, 25, ALPHA), rel=1e-9)


@pytest.mark.parametrize("m", [1, 2, 5, 30, 200, 250])
def test_any_drift_under_holm_and_bh(m: int) -> None:
    """At threshold 0 one drifted feature fails the gate. Holm then fails iff the smallest
    p-value is under alpha/m: 1 - (1 - alpha/m)^m. Benjamini-Hochberg rejects anything with
    probability exactly alpha on independent uniform p-values (Simes)."""
    draws = 20_000
    # Above EXACT_UP_TO features the module simulates: allow its sampling error (4 sigma).
    slack = 0.0 if m <= EXACT_UP_TO else 4 * math.sqrt(ALPHA / draws)
    holm = 1 - (1 - ALPHA / m) ** m
    assert gate_false_alarm(m, ALPHA, 0, "holm") == pytest.approx(holm, rel=1e-9, abs=slack)
    assert gate_false_alarm(m, ALPHA, 0, "fdr_bh") == pytest.approx(ALPHA, rel=1e-9,
                                                                    abs=slack)


def test_more_features_than_the_threshold_allows_never_fail() -> None:
    assert gate_false_alarm(4, ALPHA, 100, "none") == 0.0
    assert gate_false_alarm(0, ALPHA, 20, "none") == 0.0


@pytest.fixture(scope="module")
def null_p_values() -> np.ndarray:
    """20,000 draws of 25 independent uniform p-values, seeded."""
    return np.random.default_rng(20_240_601).uniform(size=(20_000, 25))


@pytest.mark.parametrize("correction", CORRECTIONS)
@pytest.mark.parametrize("threshold", [0, 10, 20])
def test_simulated_gate_failures_match(null_p_values: np.ndarray, correction: str,
                                       threshold: float) -> None:
    disagreements = []
    for m in (1, 3, 4, 10, 25):
        p = null_p_values[:, :m]
        failures = int((drifted_count(p, ALPHA, correction) * 100 > threshold * m).sum())
        expected = gate_false_alarm(m, ALPHA, threshold, correction)
        agreement = stats.binomtest(failures, p.shape[0], expected).pvalue
        if agreement < DISAGREE:
            disagreements.append(f"m={m}: simulated {failures / p.shape[0]:.5f}, "
                                 f"gate_false_alarm {expected:.5f} (binomial p {agreement:.1e})")
    assert not disagreements, disagreements


# -- real checks on stable data ---------------------------------------------------------------

PAIRS, FEATURES, ROWS = 300, 4, 60


def exact_ks_size(n: int, alpha: float) -> float:
    """The real rejection rate of the exact two-sample KS test (n a side, continuous data):
    D only takes the values k/n, so the test rejects with probability p(d*), the largest
    attainable p-value under alpha. p(k/n) is scipy's, on samples built to have that gap."""
    base = np.arange(n, dtype=np.float64)
    attainable = [quiet(stats.ks_2samp, base, base + k - 0.5).pvalue for k in range(1, n + 1)]
    return max(p for p in attainable if p < alpha)


@pytest.fixture(scope="module")
def null_checks() -> list[dict[str, Any]]:
    rng = np.random.default_rng(7)
    columns = [f"f{i}" for i in range(FEATURES)]
    entries = []
    for _ in range(PAIRS):
        baseline = pd.DataFrame(rng.normal(size=(ROWS, FEATURES)), columns=columns)
        candidate = pd.DataFrame(rng.normal(size=(ROWS, FEATURES)), columns=columns)
        entries.append(compare(baseline, candidate, alpha=ALPHA, threshold=20).to_json())
    validated(compare(baseline, candidate))  # one of them, through the schema
    return entries


def test_real_checks_reject_at_alpha_on_stable_data(null_checks: list[dict[str, Any]]) -> None:
    rejections = sum(d["drift_detected"] for e in null_checks for d in e["details"].values())
    tests = PAIRS * FEATURES
    size = exact_ks_size(ROWS, ALPHA)
    assert 0.9 * ALPHA < size < ALPHA  # KS at 60 a side is nearly exact at 5%
    assert stats.binomtest(rejections, tests, ALPHA).pvalue > DISAGREE, rejections / tests
    assert stats.binomtest(rejections, tests, size).pvalue > DISAGREE, rejections / tests


def test_real_checks_fail_the_gate_as_often_as_stated(null_checks: list[dict[str, Any]]
                                                      ) -> None:
    stated = gate_false_alarm(FEATURES, ALPHA, 20, "none")
    assert {e["false_alarm_probability"] for e in null_checks} == {stated}
    failures = sum(e["status"] == "DRIFT_DETECTED" for e in null_checks)
    assert stats.binomtest(failures, PAIRS, stated).pvalue > DISAGREE, failures / PAIRS


# -- what the report and the terminal say -----------------------------------------------------

def stable_frames(features: int = 4, rows: int = 120, seed: int = 11
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    columns = [f"f{i}" for i in range(features)]
    return (pd.DataFrame(rng.normal(size=(rows, features)), columns=columns),
            pd.DataFrame(rng.normal(size=(rows, features)), columns=columns))


def test_the_report_states_the_probability_and_warns_above_10_percent() -> None:
    entry = validated(compare(*stable_frames(), threshold=100))
    probability = gate_false_alarm(4, ALPHA, 100, "none")
    assert entry["false_alarm_probability"] == probability == 0.0
    assert not any("stable data" in note for note in entry["notes"])

    entry = validated(compare(*stable_frames()))
    probability = gate_false_alarm(4, ALPHA, 20, "none")
    assert entry["false_alarm_probability"] == pytest.approx(probability, rel=1e-12)
    warnings = [note for note in entry["notes"] if f"{probability:.1%}" in note]
    assert len(warnings) == 1, entry["notes"]
    assert "18.5%" in warnings[0]


def test_holm_brings_it_under_10_percent() -> None:
    entry = validated(compare(*stable_frames(), correction="holm"))
    expected = 1 - (1 - ALPHA / 4) ** 4
    assert entry["false_alarm_probability"] == pytest.approx(expected, rel=1e-9)
    assert expected < 0.10
    assert not any("stable data" in note for note in entry["notes"]), entry["notes"]


def test_a_distance_test_counts_in_the_denominator_only() -> None:
    """A psi-judged feature has no p-value: 3 features can drift by chance, out of 4."""
    entry = validated(compare(*stable_frames(), tests={"f0": "psi"}, psi_threshold=50))
    assert entry["false_alarm_probability"] == pytest.approx(
        stats.binom.sf(failing_count(4, 20) - 1, 3, ALPHA), rel=1e-9)
    assert entry["false_alarm_probability"] == gate_false_alarm(3, ALPHA, 20, "none", 4)


def test_terminal_shows_the_warning(pytester: pytest.Pytester) -> None:
    baseline, candidate = stable_frames()
    data = pytester.mkdir("data")
    baseline.to_csv(data / "baseline.csv", index=False)
    candidate.to_csv(data / "candidate.csv", index=False)
    pytester.makepyfile(test_gate="""
        import pytest

        @pytest.mark.drift("data/baseline.csv", "data/candidate.csv")
        def test_four_features():
            pass

        @pytest.mark.drift("data/baseline.csv", "data/candidate.csv", correction="holm")
        def test_four_features_holm():
            pass
    """)
    result, report = run_drift(pytester, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    plain, holm = check(report, "test_four_features"), check(report, "test_four_features_holm")
    probability = gate_false_alarm(4, ALPHA, 20, "none")
    assert plain["false_alarm_probability"] == pytest.approx(probability, rel=1e-12)
    assert any("18.5%" in note for note in plain["notes"]), plain["notes"]
    assert not any("stable data" in note for note in holm["notes"]), holm["notes"]
    section = drift_section(result.stdout.str())
    warnings = [line for line in section.splitlines() if "warning:" in line]
    assert len(warnings) == 1, section
    assert "18.5%" in warnings[0]
    assert "set correction='holm' or raise the threshold" in section
