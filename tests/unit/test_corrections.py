"""Multiple-testing corrections: ``adjust`` against scipy and against the definitions, and
through ``compare()``: the verdict is the adjusted p-value against alpha, and the report
keeps the raw and the adjusted p-value and the rule that decided."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_drift import compare
from pytest_drift.stats.corrections import CORRECTIONS, adjust
from tests.unit.stats_support import (
    bonferroni,
    cached_min_detectable_ks,
    holm,
    quiet,
    validated,
)

#: p-values as they come: anywhere in [0, 1], with exact ties and the round numbers that
#: make a correction's edge cases (0, alpha, 1).
P_VALUE = st.one_of(
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    st.sampled_from([0.0, 1e-300, 0.001, 0.01, 0.0125, 0.05, 0.2, 0.5, 1.0]),
)
P_LISTS = st.lists(P_VALUE, min_size=1, max_size=60)
FAST = settings(max_examples=150, deadline=None)


@pytest.fixture(autouse=True, scope="module")
def _fast_checks() -> Iterator[None]:
    with cached_min_detectable_ks():
        yield


@FAST
@given(P_LISTS)
@example([0.01, 0.04, 0.03, 0.005])
@example([0.05] * 5)
@example([1.0])
def test_fdr_bh_is_scipys_false_discovery_control(p: list[float]) -> None:
    expected = stats.false_discovery_control(p, method="bh")
    assert adjust(p, "fdr_bh") == [float(x) for x in expected]


@FAST
@given(P_LISTS)
@example([0.01, 0.04, 0.03, 0.005])
def test_bonferroni_is_m_times_p_capped_at_1(p: list[float]) -> None:
    assert adjust(p, "bonferroni") == bonferroni(p)


@FAST
@given(P_LISTS)
@example([0.01, 0.04, 0.03, 0.005])
@example([0.02, 0.02, 0.02])
@example([0.3, 0.01, 0.3, 0.5])
def test_holm_is_the_step_down_with_a_running_max(p: list[float]) -> None:
    ours, theirs = adjust(p, "holm"), holm(p)
    assert all(math.isclose(a, b, rel_tol=1e-15, abs_tol=0) for a, b in zip(ours, theirs,
                                                                            strict=True)), (
        ours, theirs)


def test_holm_worked_example() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → running max
    assert adjust([0.01, 0.04, 0.03, 0.005], "holm") == pytest.approx(
        [0.03, 0.06, 0.06, 0.02], rel=1e-15)


@FAST
@given(P_LISTS)
def test_none_is_the_identity(p: list[float]) -> None:
    assert adjust(p, "none") == p


@FAST
@given(P_LISTS, st.sampled_from(CORRECTIONS))
def test_adjusted_is_at_least_raw_and_at_most_1(p: list[float], method: str) -> None:
    adjusted = adjust(p, method)
    assert len(adjusted) == len(p)
    assert all(raw <= adj <= 1.0 for raw, adj in zip(p, adjusted, strict=True)), (p, adjusted)


@FAST
@given(P_LISTS)
def test_holm_is_never_above_bonferroni(p: list[float]) -> None:
    assert all(h <= b for h, b in zip(adjust(p, "holm"), adjust(p, "bonferroni"),
                                      strict=True))


@pytest.mark.parametrize("method", CORRECTIONS)
def test_no_p_values_is_no_adjusted_values(method: str) -> None:
    assert adjust([], method) == []


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown correction 'sidak'"):
        adjust([0.1], "sidak")


# -- through compare() ------------------------------------------------------------------------

ROWS = 80


def shifted_frames(seed: int, shifts: Sequence[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feature ``f<i>``: normal(0, 1) in the baseline, normal(shift_i, 1) in the candidate."""
    rng = np.random.default_rng(seed)
    baseline, candidate = {}, {}
    for i, shift in enumerate(shifts):
        baseline[f"f{i}"] = rng.normal(size=ROWS)
        candidate[f"f{i}"] = rng.normal(shift, 1.0, size=ROWS)
    return pd.DataFrame(baseline), pd.DataFrame(candidate)


def oracle_p_values(baseline: pd.DataFrame, candidate: pd.DataFrame) -> list[float]:
    return [float(quiet(stats.ks_2samp, baseline[c], candidate[c]).pvalue)
            for c in baseline.columns]


def oracle_adjusted(p: list[float], method: str) -> list[float]:
    if method == "none":
        return p
    if method == "bonferroni":
        return bonferroni(p)
    if method == "holm":
        return holm(p)
    return [float(x) for x in stats.false_discovery_control(p, method="bh")]


def check_verdicts(seed: int, shifts: Sequence[float], method: str, alpha: float = 0.05,
                   threshold: float = 20.0) -> dict[str, object]:
    baseline, candidate = shifted_frames(seed, shifts)
    raw = oracle_p_values(baseline, candidate)
    adjusted = oracle_adjusted(raw, method)
    entry = validated(compare(baseline, candidate, correction=method, alpha=alpha,
                              threshold=threshold))
    rule = "p_value" if method == "none" else f"adjusted_p_value ({method})"
    assert entry["correction"] == (None if method == "none" else method)
    assert entry["option_sources"]["correction"] == "argument"
    drifted = []
    for name, p, adj in zip(baseline.columns, raw, adjusted, strict=True):
        detail = entry["details"][name]
        assert detail["p_value"] == pytest.approx(p, rel=1e-12, abs=1e-300)
        assert detail["adjusted_p_value"] == pytest.approx(adj, rel=1e-12, abs=1e-300)
        assert detail["decided_by"] == rule
        if abs(adj - alpha) > 1e-9:  # a tie with alpha is decided by rounding: not tested
            assert detail["drift_detected"] is (adj < alpha), (name, p, adj)
        if detail["drift_detected"]:
            drifted.append(name)
    assert entry["drifted_features"] == drifted
    assert entry["features_with_drift"] == len(drifted)
    failed = len(drifted) * 100 > threshold * len(shifts)
    assert entry["status"] == ("DRIFT_DETECTED" if failed else "NORMAL")
    return entry


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       shifts=st.lists(st.sampled_from([0.0, 0.0, 0.2, 0.35, 0.5, 0.8]), min_size=2,
                       max_size=7),
       alpha=st.sampled_from([0.01, 0.05, 0.1]))
def test_holm_verdicts_are_adjusted_p_below_alpha(seed: int, shifts: list[float],
                                                  alpha: float) -> None:
    check_verdicts(seed, shifts, "holm", alpha=alpha)


#: Seed 2 with these shifts: f3 has p = 0.035 < 0.05, but its Holm-adjusted p is 0.17.
SEED, SHIFTS = 2, (0.0, 0.0, 0.0, 0.35, 0.45, 1.0)


@pytest.mark.parametrize("method", CORRECTIONS)
def test_every_correction_through_compare(method: str) -> None:
    check_verdicts(SEED, SHIFTS, method)


def test_holm_turns_a_raw_drift_into_no_drift_and_says_so() -> None:
    entry = check_verdicts(SEED, SHIFTS, "holm")
    f3 = entry["details"]["f3"]
    # The example must be the one the test is about.
    assert f3["p_value"] < 0.05 <= f3["adjusted_p_value"], f3
    assert f3["drift_detected"] is False
    assert f3["decided_by"] == "adjusted_p_value (holm)"
    assert "f3" not in entry["drifted_features"]
    assert entry["details"]["f5"]["drift_detected"] is True
    without = validated(compare(*shifted_frames(SEED, SHIFTS)))
    assert without["details"]["f3"]["drift_detected"] is True
    assert without["details"]["f3"]["decided_by"] == "p_value"
    assert without["correction"] is None
