"""Effect sizes against scipy and against definitions written here: Wasserstein,
Jensen-Shannon, PSI (bins defined independently), Cramér's V, new and gone categories,
the smallest detectable KS statistic, and ``min_effect`` in the verdict."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial import distance
from scipy.stats import contingency

from pytest_drift import DriftDetected, assert_no_drift, compare
from pytest_drift.engines.memory import numeric_bins, wasserstein
from pytest_drift.stats.effects import (
    PSI_FLOOR,
    cramers_v,
    js_distance,
    min_detectable_ks,
    new_and_gone,
    psi,
)
from tests.unit.stats_support import (
    cached_min_detectable_ks,
    close,
    decile_counts,
    numeric_psi,
    psi_of_counts,
    quiet,
    validated,
)

FLOATS = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
#: Few distinct values: ties, repeated deciles, empty bins.
TIED = st.integers(min_value=-3, max_value=3).map(float)
SAMPLE = st.one_of(st.lists(FLOATS, min_size=1, max_size=60),
                   st.lists(TIED, min_size=1, max_size=60))
CHECK_SAMPLE = st.one_of(st.lists(FLOATS, min_size=20, max_size=60),
                         st.lists(TIED, min_size=20, max_size=60))


#: For tests that run a whole check per example: a failure is reported as found, not shrunk
#: through hundreds of further checks.
CHECKS = settings(max_examples=25, deadline=None,
                  phases=[Phase.explicit, Phase.reuse, Phase.generate])


@pytest.fixture(autouse=True, scope="module")
def _fast_checks() -> Iterator[None]:
    with cached_min_detectable_ks():
        yield


def test_psi_floor_is_the_documented_one() -> None:
    assert PSI_FLOOR == 1e-4


# -- Wasserstein ------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(SAMPLE, SAMPLE)
@example([0.0], [1.0])
@example([1.0, 1.0, 2.0], [1.0, 2.0, 2.0, 2.0])
def test_wasserstein_is_scipys(train: list[float], prod: list[float]) -> None:
    expected = stats.wasserstein_distance(train, prod)
    assert close(wasserstein(np.array(train), np.array(prod)), expected), (train, prod)


# -- numeric bins: PSI and Jensen-Shannon -----------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(SAMPLE, SAMPLE)
@example([1.0] * 30, [1.0] * 10 + [2.0] * 10)
@example(list(map(float, range(100))), list(map(float, range(50, 150))))
# 21 evenly spaced values: the deciles are exactly 2, 4, ..., 18 (two values a bin, three in
# the last); a value equal to an edge goes to the upper bin.
@example(list(map(float, range(21))), [6.0, 12.0])
# Ties: the 60% quantile of [0, 0, 0, 0, 1, 1] is exactly 0, one of the repeated edges.
@example([0.0, 0.0, 0.0, 0.0, 1.0, 1.0], [0.0])
def test_bins_are_the_baseline_deciles(train: list[float], prod: list[float]) -> None:
    bins = numeric_bins(np.array(train), np.array(prod))
    baseline_counts, candidate_counts = decile_counts(train, prod)
    assert list(bins.baseline_counts) == baseline_counts.tolist()
    assert list(bins.candidate_counts) == candidate_counts.tolist()
    assert sum(bins.baseline_counts) == len(train)
    assert sum(bins.candidate_counts) == len(prod)


@settings(max_examples=300, deadline=None)
@given(SAMPLE, SAMPLE)
@example([1.0] * 30, [2.0] * 30)
def test_psi_and_js_of_the_bins(train: list[float], prod: list[float]) -> None:
    baseline_counts, candidate_counts = decile_counts(train, prod)
    assert close(psi(baseline_counts.tolist(), candidate_counts.tolist()),
                 psi_of_counts(baseline_counts, candidate_counts))
    expected_js = distance.jensenshannon(baseline_counts, candidate_counts, base=2)
    assert close(js_distance(baseline_counts.tolist(), candidate_counts.tolist()), expected_js)


@CHECKS
@given(CHECK_SAMPLE, CHECK_SAMPLE)
@example(list(map(float, range(100))), list(map(float, range(50, 150))))
@example([0.0] * 15 + [1.0] * 15, [1.0] * 25)
@example(list(map(float, range(21))), list(map(float, range(2, 23))))
# 60% of the baseline is 0, so its 60% quantile is 0 exactly: the candidate's 0.5 is in the
# bin [0, 1), with the candidate's zeros.
@example([0.0] * 16 + [1.0] * 10, [0.0] * 19 + [0.5])
def test_numeric_effects_in_the_report(train: list[float], prod: list[float]) -> None:
    entry = validated(compare(pd.DataFrame({"x": train}), pd.DataFrame({"x": prod})))
    detail = entry["details"]["x"]
    baseline_counts, candidate_counts = decile_counts(train, prod)
    assert close(detail["wasserstein"], stats.wasserstein_distance(train, prod))
    assert close(detail["psi"], numeric_psi(train, prod))
    assert detail["psi_bins"] == baseline_counts.size
    assert close(detail["js_distance"],
                 distance.jensenshannon(baseline_counts, candidate_counts, base=2))
    ks = quiet(stats.ks_2samp, train, prod)
    assert close(detail["ks_statistic"], float(ks.statistic))
    assert close(detail["effect"], float(ks.statistic))


def test_psi_of_a_known_shift() -> None:
    """100 evenly spread values; the candidate moves half its mass past the top decile."""
    train = np.arange(100.0)
    prod = np.concatenate([np.arange(50.0), np.full(50, 1000.0)])
    entry = validated(compare(pd.DataFrame({"x": train}), pd.DataFrame({"x": prod})))
    # Bins of 10 values each (edges 9.9, 19.8, ...): the candidate puts 10 values in each of
    # the first 5 and 50 in the last, none in bins 6-9 (floored at 1e-4).
    b = np.full(10, 0.1)
    c = np.array([0.1] * 5 + [1e-4] * 4 + [0.5])
    expected = float(np.sum((c - b) * np.log(c / b)))
    assert close(entry["details"]["x"]["psi"], expected)


# -- categories: Cramér's V, PSI, JS, new and gone ------------------------------------------

COLOURS = ("blue", "green", "purple", "red", "white")


def category_table(train: list[str], prod: list[str]) -> pd.DataFrame:
    """Rows baseline and candidate, columns the sorted union of categories."""
    return pd.concat([pd.Series(train).value_counts().rename("baseline"),
                      pd.Series(prod).value_counts().rename("candidate")],
                     axis=1).fillna(0).astype(int).sort_index().T


@CHECKS
@given(st.lists(st.sampled_from(COLOURS), min_size=20, max_size=80),
       st.lists(st.sampled_from(COLOURS), min_size=20, max_size=80))
@example(["red"] * 20, ["red"] * 10 + ["blue"] * 10)
def test_categorical_effects_in_the_report(train: list[str], prod: list[str]) -> None:
    entry = validated(compare(pd.DataFrame({"c": train}), pd.DataFrame({"c": prod})))
    detail = entry["details"]["c"]
    table = category_table(train, prod)
    counts = table.to_numpy()
    # One category on both sides: nothing tells the sides apart (V is 0, not 0/0).
    expected_v = (contingency.association(counts, method="cramer") if counts.shape[1] >= 2
                  else 0.0)
    assert close(detail["cramers_v"], expected_v)
    assert close(detail["effect"], expected_v)
    assert close(detail["psi"], psi_of_counts(counts[0], counts[1]))
    assert detail["psi_bins"] == counts.shape[1]
    assert close(detail["js_distance"], distance.jensenshannon(counts[0], counts[1], base=2))
    assert detail["new_categories"] == [c for c in table.columns
                                        if table.loc["baseline", c] == 0]
    assert detail["gone_categories"] == [c for c in table.columns
                                         if table.loc["candidate", c] == 0]
    shares = table.div(table.sum(axis=1), axis=0)
    change = (shares.loc["candidate"] - shares.loc["baseline"]).abs()
    assert change[detail["top_category"]["category"]] == change.max()


def test_cramers_v_function_is_scipys() -> None:
    train, prod = [30, 50, 20], [10, 50, 40]
    assert close(cramers_v(train, prod),
                 contingency.association([train, prod], method="cramer"))


def test_new_and_gone_categories_by_name() -> None:
    baseline = pd.DataFrame({"colour": ["red"] * 10 + ["blue"] * 10 + ["green"] * 10})
    candidate = pd.DataFrame({"colour": ["red"] * 10 + ["purple"] * 10 + ["orange"] * 10})
    entry = validated(compare(baseline, candidate, threshold=100))
    detail = entry["details"]["colour"]
    assert detail["new_categories"] == ["orange", "purple"]
    assert detail["gone_categories"] == ["blue", "green"]
    assert new_and_gone(["a", "b", "c"], [1, 0, 2], [0, 3, 2]) == (["b"], ["a"])


# -- the smallest detectable KS statistic -----------------------------------------------------

@pytest.mark.parametrize(("n_baseline", "n_candidate", "alpha"), [
    (60, 60, 0.05), (100, 400, 0.05), (400, 100, 0.05), (1000, 1000, 0.01),
    (37, 5000, 0.1), (10**6, 10**6, 0.05), (1000, 1000, 0.05),
])
def test_min_detectable_ks_is_where_the_asymptotic_p_crosses_alpha(
        n_baseline: int, n_candidate: int, alpha: float) -> None:
    d = min_detectable_ks(n_baseline, n_candidate, alpha)
    en = round(n_baseline * n_candidate / (n_baseline + n_candidate))
    # scipy's kstwo.isf is a root search: its answer is alpha to about 1e-6.
    assert stats.kstwo.sf(d, en) == pytest.approx(alpha, rel=1e-5)
    # Just below it the p-value is above alpha, just above it below: the crossing.
    assert stats.kstwo.sf(d * (1 - 1e-4), en) > alpha > stats.kstwo.sf(d * (1 + 1e-4), en)
    assert min_detectable_ks(n_candidate, n_baseline, alpha) == d


def test_min_detectable_ks_shrinks_with_n() -> None:
    """With a million rows a side, a shift 30 times smaller than at a thousand rows is
    significant: the statistic falls like 1 / sqrt(n)."""
    small, big = min_detectable_ks(1000, 1000, 0.05), min_detectable_ks(10**6, 10**6, 0.05)
    assert big < small / 30
    assert small * np.sqrt(500) == pytest.approx(big * np.sqrt(500_000), rel=1e-2)


def test_min_detectable_ks_in_the_report() -> None:
    rng = np.random.default_rng(3)
    baseline = pd.DataFrame({"x": rng.normal(size=150), "c": rng.choice(["a", "b"], 150)})
    candidate = pd.DataFrame({"x": rng.normal(size=90), "c": rng.choice(["a", "b"], 90)})
    entry = validated(compare(baseline, candidate, alpha=0.01))
    detail = entry["details"]["x"]
    en = round(150 * 90 / 240)
    assert stats.kstwo.sf(detail["min_detectable_ks"], en) == pytest.approx(0.01, rel=1e-5)
    assert "min_detectable_ks" not in entry["details"]["c"]


# -- min_effect -------------------------------------------------------------------------------

MIN_EFFECT = 0.2


@pytest.fixture(scope="module")
def big_and_small() -> tuple[pd.DataFrame, pd.DataFrame]:
    """x moves a whole standard deviation; y a quarter of one, which 400 rows a side make
    significant (p ~ 1e-4) with a KS statistic under 0.2; z does not move."""
    rng = np.random.default_rng(1)
    n = 400
    baseline = pd.DataFrame({"x": rng.normal(size=n), "y": rng.normal(size=n),
                             "z": rng.normal(size=n)})
    candidate = pd.DataFrame({"x": rng.normal(1, 1, size=n), "y": rng.normal(0.25, 1, size=n),
                              "z": rng.normal(size=n)})
    return baseline, candidate


def test_min_effect_keeps_a_small_significant_shift_out(big_and_small) -> None:
    baseline, candidate = big_and_small
    ks = {c: quiet(stats.ks_2samp, baseline[c], candidate[c]) for c in baseline}
    # The example is the one the test is about.
    assert ks["y"].pvalue < 0.05
    assert ks["y"].statistic < MIN_EFFECT
    assert ks["x"].pvalue < 0.05
    assert ks["x"].statistic >= MIN_EFFECT
    entry = validated(compare(baseline, candidate, min_effect=MIN_EFFECT, threshold=0))
    y, x = entry["details"]["y"], entry["details"]["x"]
    assert y["p_value"] == pytest.approx(ks["y"].pvalue, rel=1e-12)
    assert y["effect"] == pytest.approx(ks["y"].statistic, rel=1e-12)
    assert y["drift_detected"] is False
    assert y["decided_by"] == "min_effect"
    assert x["drift_detected"] is True
    assert x["decided_by"] == "p_value"
    assert entry["drifted_features"] == ["x"]
    assert entry["min_effect"] == MIN_EFFECT
    without = validated(compare(baseline, candidate, threshold=0))
    assert without["drifted_features"] == ["x", "y"]


def failure_text(baseline: pd.DataFrame, candidate: pd.DataFrame) -> str:
    with pytest.raises(DriftDetected) as raised:
        assert_no_drift(baseline, candidate, min_effect=MIN_EFFECT, threshold=0)
    return str(raised.value)


def number_pattern(value: float) -> str:
    """The number as the message may print it: 4 significant digits or more."""
    return re.escape(f"{value:.4g}") + r"\d*"


def test_failure_message_shows_effect_against_min_effect(big_and_small) -> None:
    baseline, candidate = big_and_small
    message = failure_text(baseline, candidate)
    ks_x = quiet(stats.ks_2samp, baseline["x"], candidate["x"]).statistic
    x_line = next(line for line in message.splitlines() if line.strip().startswith("x:"))
    # "effect KS=0.4425 >= min_effect 0.2": the feature's effect, then the bar it cleared.
    assert re.search(number_pattern(ks_x) + r"\D.*min_effect\D*" + number_pattern(MIN_EFFECT),
                     x_line), x_line


def test_failure_message_shows_the_held_back_feature_with_both_numbers(big_and_small) -> None:
    """y was significant but moved less than min_effect: the CI log should say so, with its
    KS statistic and the min_effect it fell short of (as it names waived features)."""
    baseline, candidate = big_and_small
    message = failure_text(baseline, candidate)
    ks_y = quiet(stats.ks_2samp, baseline["y"], candidate["y"]).statistic
    y_lines = [line for line in message.splitlines()
               if re.search(r"\by\b", line) and re.search(number_pattern(ks_y), line)]
    assert y_lines, f"y (KS {ks_y:.4g} < min_effect {MIN_EFFECT}) is not in:\n{message}"
    assert any(re.search(number_pattern(MIN_EFFECT), line) for line in y_lines), message


def test_min_effect_on_categories_is_cramers_v() -> None:
    """5000 rows a side: a 3-point share change is significant, Cramér's V is 0.03."""
    baseline = pd.DataFrame({"c": ["a"] * 2500 + ["b"] * 2500})
    candidate = pd.DataFrame({"c": ["a"] * 2650 + ["b"] * 2350})
    counts = [[2500, 2500], [2650, 2350]]
    p = stats.chi2_contingency(counts).pvalue
    v = contingency.association(counts, method="cramer")
    assert p < 0.05
    assert v < 0.1
    entry = validated(compare(baseline, candidate, min_effect=0.1))
    detail = entry["details"]["c"]
    assert detail["effect"] == pytest.approx(v, rel=1e-12)
    assert detail["drift_detected"] is False
    assert detail["decided_by"] == "min_effect"
