"""Per-feature tests from the registry (ks, chi2, cvm, anderson, psi, and registered ones),
waivers judged on a fixed clock, and gate_missing; scipy and definitions written here are
the oracles."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_drift import DriftDetected, DriftUsageError, assert_no_drift, compare
from pytest_drift.options import Layer, resolve_check
from pytest_drift.pipeline import run_check

# The module, not its classes: pytest would try to collect classes named Test*.
from pytest_drift.stats import registry as tests_registry
from tests.unit.stats_support import (
    cached_min_detectable_ks,
    close,
    numeric_psi,
    psi_of_counts,
    quiet,
    two_proportion_p,
    validated,
)

KNOWN = "known tests: anderson, chi2, cvm, ks, psi"


@pytest.fixture(autouse=True, scope="module")
def _fast_checks() -> Iterator[None]:
    with cached_min_detectable_ks():
        yield


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """x moves by half a standard deviation, y does not; colour changes its mix."""
    rng = np.random.default_rng(5)
    n = 200
    baseline = pd.DataFrame({
        "x": rng.normal(size=n), "y": rng.normal(size=n),
        "colour": rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]),
    })
    candidate = pd.DataFrame({
        "x": rng.normal(0.5, 1, size=n), "y": rng.normal(size=n),
        "colour": rng.choice(["red", "green", "blue"], n, p=[0.35, 0.35, 0.3]),
    })
    return baseline, candidate


def run(baseline: pd.DataFrame, candidate: pd.DataFrame, **options: Any) -> dict[str, Any]:
    return validated(compare(baseline, candidate, **options))


def colour_counts(baseline: pd.DataFrame, candidate: pd.DataFrame) -> np.ndarray:
    table = pd.concat([baseline["colour"].value_counts(), candidate["colour"].value_counts()],
                      axis=1).fillna(0).sort_index()
    return table.to_numpy().T


# -- the built-in tests -----------------------------------------------------------------------

def test_defaults_are_ks_for_numbers_and_chi2_for_categories(frames) -> None:
    entry = run(*frames)
    assert {n: d["test"] for n, d in entry["details"].items()} == {
        "x": "ks", "y": "ks", "colour": "chi2"}
    assert entry["option_sources"]["numeric_test"] == "default"
    assert entry["option_sources"]["categorical_test"] == "default"
    baseline, candidate = frames
    ks = quiet(stats.ks_2samp, baseline["x"], candidate["x"])
    assert close(entry["details"]["x"]["p_value"], float(ks.pvalue))
    chi2 = stats.chi2_contingency(colour_counts(baseline, candidate))
    assert close(entry["details"]["colour"]["p_value"], float(chi2.pvalue))


def test_cvm_is_scipys_cramervonmises_2samp(frames) -> None:
    baseline, candidate = frames
    entry = run(baseline, candidate, tests={"x": "cvm"})
    x = entry["details"]["x"]
    expected = stats.cramervonmises_2samp(baseline["x"], candidate["x"])
    assert x["test"] == "cvm"
    assert close(x["statistic"], float(expected.statistic))
    assert close(x["p_value"], float(expected.pvalue))
    assert x["drift_detected"] is bool(expected.pvalue < 0.05)
    assert x["decided_by"] == "p_value"
    # The KS statistic is still reported beside it; y keeps the default test.
    ks = quiet(stats.ks_2samp, baseline["x"], candidate["x"])
    assert close(x["ks_statistic"], float(ks.statistic))
    assert entry["details"]["y"]["test"] == "ks"
    assert entry["option_sources"]["tests"] == "argument"


def scipy_anderson(a: Any, b: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = stats.anderson_ksamp([np.asarray(a, dtype=float), np.asarray(b, dtype=float)])
    return result, [str(w.message) for w in caught]


def test_anderson_is_scipys_and_its_warnings_become_notes(frames) -> None:
    baseline, candidate = frames
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        entry = run(baseline, candidate, tests={"x": "anderson", "y": "anderson"})
    assert [str(w.message) for w in escaped] == []
    for name in ("x", "y"):
        detail = entry["details"][name]
        expected, messages = scipy_anderson(baseline[name], candidate[name])
        assert detail["test"] == "anderson"
        assert close(detail["statistic"], float(expected.statistic))
        assert close(detail["p_value"], float(expected.pvalue))
        # scipy caps its p-value to [0.001, 0.25] and says so: here x is floored, y capped.
        capped = [m for m in messages if m.startswith(("p-value capped", "p-value floored"))]
        assert capped, messages
        assert set(capped) <= set(detail["notes"]), detail["notes"]


def test_anderson_notes_are_about_the_result(frames) -> None:
    """A note tells the user something about this feature's result, not that scipy renamed
    an argument: the notes of an anderson feature are scipy's p-value caps only."""
    baseline, candidate = frames
    entry = run(baseline, candidate, tests={"x": "anderson", "y": "anderson"})
    for name in ("x", "y"):
        notes = entry["details"][name]["notes"]
        assert all(note.startswith(("p-value capped", "p-value floored")) for note in notes), (
            name, notes)


@pytest.mark.parametrize("above", [True, False])
def test_psi_decides_by_psi_threshold(frames, above: bool) -> None:
    baseline, candidate = frames
    expected = numeric_psi(baseline["x"], candidate["x"])
    threshold = expected * (0.999 if above else 1.001)
    entry = run(baseline, candidate, tests={"x": "psi"}, psi_threshold=threshold)
    x = entry["details"]["x"]
    assert x["test"] == "psi"
    assert close(x["statistic"], expected)
    assert x["p_value"] is None
    assert x["adjusted_p_value"] is None
    assert x["decided_by"] == "psi_threshold"
    assert x["drift_detected"] is above
    assert ("x" in entry["drifted_features"]) is above


def test_psi_for_categories(frames) -> None:
    baseline, candidate = frames
    counts = colour_counts(baseline, candidate)
    expected = psi_of_counts(counts[0], counts[1])
    entry = run(baseline, candidate, categorical_test="psi", psi_threshold=expected / 2)
    colour = entry["details"]["colour"]
    assert colour["test"] == "psi"
    assert close(colour["statistic"], expected)
    assert colour["p_value"] is None
    assert colour["decided_by"] == "psi_threshold"
    assert colour["drift_detected"] is True
    assert entry["option_sources"]["categorical_test"] == "argument"


def test_psi_is_not_corrected(frames) -> None:
    """A distance has no p-value: the correction adjusts the others only."""
    baseline, candidate = frames
    entry = run(baseline, candidate, tests={"x": "psi"}, correction="bonferroni")
    raw = [entry["details"][n]["p_value"] for n in ("y", "colour")]
    assert [entry["details"][n]["adjusted_p_value"] for n in ("y", "colour")] == \
        pytest.approx([min(1.0, 2 * p) for p in raw], rel=1e-12)
    assert entry["details"]["x"]["decided_by"] == "psi_threshold"


def test_numeric_test_applies_to_every_number_but_tests_wins(frames) -> None:
    entry = run(*frames, numeric_test="cvm", tests={"y": "anderson"})
    assert {n: d["test"] for n, d in entry["details"].items()} == {
        "x": "cvm", "y": "anderson", "colour": "chi2"}
    assert entry["option_sources"]["numeric_test"] == "argument"


@pytest.mark.parametrize(("options", "option", "value"), [
    ({"tests": {"x": "kolmogorov"}}, "tests", "kolmogorov"),
    ({"numeric_test": "nope"}, "numeric_test", "nope"),
    ({"categorical_test": "gtest"}, "categorical_test", "gtest"),
])
def test_unknown_test_is_a_usage_error_listing_known_tests(frames, options, option, value
                                                           ) -> None:
    with pytest.raises(DriftUsageError) as raised:
        compare(*frames, **options)
    assert raised.value.option == option
    assert str(raised.value).startswith(f"{option}={value!r} (from argument {option})")
    assert KNOWN in str(raised.value)


@pytest.mark.parametrize(("options", "option", "feature"), [
    ({"tests": {"colour": "ks"}}, "tests", "colour"),
    ({"tests": {"x": "chi2"}}, "tests", "x"),
    ({"numeric_test": "chi2"}, "numeric_test", "x"),
    ({"categorical_test": "cvm"}, "categorical_test", "colour"),
])
def test_a_test_of_the_wrong_kind_is_a_usage_error(frames, options, option, feature) -> None:
    with pytest.raises(DriftUsageError) as raised:
        compare(*frames, **options)
    assert raised.value.option == option
    message = str(raised.value)
    assert f"({option}" in message or f"from argument {option}" in message
    assert repr(feature) in message
    assert "does not test" in message


def test_tests_naming_an_unknown_feature_is_a_usage_error(frames) -> None:
    with pytest.raises(DriftUsageError, match=r"tests=\['tempo'\].*unknown feature 'tempo'"):
        compare(*frames, tests={"tempo": "cvm"})


@pytest.mark.parametrize("value", ["x", "x cvm", 3, {"x": 3}])
def test_a_malformed_tests_mapping_is_a_usage_error(frames, value) -> None:
    with pytest.raises(DriftUsageError) as raised:
        compare(*frames, tests=value)
    assert raised.value.option == "tests"


# -- registered tests -------------------------------------------------------------------------

@dataclass(frozen=True)
class WelchTest:
    name: str = "welch"
    kinds: frozenset[str] = frozenset({"numeric"})

    def run(self, data: Any) -> tests_registry.TestOutcome:
        result = stats.ttest_ind(data.train, data.prod, equal_var=False)
        return tests_registry.TestOutcome(float(result.statistic), float(result.pvalue))


def test_a_registered_test_is_used_by_name(frames) -> None:
    baseline, candidate = frames
    registry = tests_registry.TestRegistry()
    registry.register(WelchTest())
    assert registry.names() == ["anderson", "chi2", "cvm", "ks", "psi", "welch"]
    options = resolve_check([Layer("argument", {"baseline": baseline, "candidate": candidate,
                                                "tests": {"x": "welch"}})])
    entry = validated(run_check(options, registry=registry))
    expected = stats.ttest_ind(baseline["x"], candidate["x"], equal_var=False)
    assert entry["details"]["x"]["test"] == "welch"
    assert close(entry["details"]["x"]["statistic"], float(expected.statistic))
    assert close(entry["details"]["x"]["p_value"], float(expected.pvalue))
    # Without it, the name is unknown, and the message lists what is known.
    with pytest.raises(DriftUsageError, match=KNOWN):
        run_check(options)


def test_an_incomplete_test_is_refused() -> None:
    registry = tests_registry.TestRegistry(tests_registry.BUILT_IN)
    with pytest.raises(TypeError, match="needs name, kinds and run"):
        registry.register(object())  # type: ignore[arg-type]


# -- waivers ----------------------------------------------------------------------------------

WAIVER = {"x": "seasonal promotion until 2026-03-31"}


def waived_check(frames: tuple[pd.DataFrame, pd.DataFrame], today: date,
                 waive: dict[str, str] | None = None) -> Any:
    baseline, candidate = frames
    options = resolve_check([Layer("argument", {
        "baseline": baseline, "candidate": candidate, "waive": waive or WAIVER,
        "threshold": 0})])
    return run_check(options, today=lambda: today)


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2026, 3, 31)])
def test_a_waived_drift_is_reported_but_not_counted(frames, today: date) -> None:
    entry = validated(waived_check(frames, today))
    x = entry["details"]["x"]
    assert x["p_value"] < 0.05  # it did drift
    assert x["drift_detected"] is False
    assert x["decided_by"] == "waiver"
    assert x["waiver"] == "seasonal promotion, until 2026-03-31"
    assert entry["waived_features"] == {"x": "seasonal promotion, until 2026-03-31"}
    assert "x" not in entry["drifted_features"]
    assert entry["features_with_drift"] == len(entry["drifted_features"])
    assert entry["option_sources"]["waive"] == "argument"


def test_the_failure_message_names_the_waiver(frames) -> None:
    baseline, candidate = frames
    with pytest.raises(DriftDetected) as raised:
        assert_no_drift(baseline, candidate, threshold=0,
                        waive={"x": "seasonal promotion until 2999-12-31"})
    assert "waived: x (seasonal promotion, until 2999-12-31)" in str(raised.value)


def test_an_expired_waiver_errors_the_check(frames) -> None:
    with pytest.raises(DriftUsageError) as raised:
        waived_check(frames, date(2026, 4, 1))
    message = str(raised.value)
    assert raised.value.option == "waive"
    assert "'x'" in message
    assert "expired on 2026-03-31" in message


@pytest.mark.parametrize("text", ["seasonal promotion", "until next quarter",
                                  "promo until 2026-02-30", "promo until 31/03/2026", ""])
def test_a_waiver_without_a_date_is_a_usage_error(frames, text: str) -> None:
    baseline, candidate = frames
    with pytest.raises(DriftUsageError) as raised:
        compare(baseline, candidate, waive={"x": text})
    assert raised.value.option == "waive"
    assert "(from argument waive)" in str(raised.value)
    assert "until YYYY-MM-DD" in str(raised.value) or "is not a date" in str(raised.value)


def test_a_waiver_of_an_unknown_feature_is_a_usage_error(frames) -> None:
    with pytest.raises(DriftUsageError, match="unknown feature 'tempo'"):
        compare(*frames, waive={"tempo": "gone until 2999-01-01"})


# -- gate_missing -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def missing_jump() -> tuple[pd.DataFrame, pd.DataFrame]:
    """m: 120 values in the baseline, none missing; the candidate has the same 120 values
    and 80 missing ones (0% → 40%). y is stable."""
    rng = np.random.default_rng(9)
    values = rng.normal(size=120)
    baseline = pd.DataFrame({"m": values, "y": rng.normal(size=120)})
    candidate = pd.DataFrame({"m": np.concatenate([values, np.full(80, np.nan)]),
                              "y": rng.normal(size=200)})
    return baseline, candidate


def test_missing_p_value_is_the_two_proportion_z_test(missing_jump) -> None:
    entry = run(*missing_jump)
    m = entry["details"]["m"]
    expected = two_proportion_p(0, 120, 80, 200)
    # The pooled z-test is the uncorrected chi-square test of the 2×2 table.
    chi2 = stats.chi2_contingency([[0, 120], [80, 120]], correction=False)
    assert expected == pytest.approx(chi2.pvalue, rel=1e-9)
    assert close(m["missing_p_value"], expected)
    assert (m["train_missing"], m["prod_missing"]) == (0, 80)
    assert m["prod_missing_share"] == pytest.approx(0.4)
    assert m["missing_drift"] is True
    # The values themselves did not move.
    assert m["ks_statistic"] == 0.0
    assert m["p_value"] == 1.0
    assert m["drift_detected"] is False
    assert m["decided_by"] == "p_value"
    assert entry["option_sources"]["gate_missing"] == "default"


def test_gate_missing_counts_the_jump_as_drift(missing_jump) -> None:
    entry = run(*missing_jump, gate_missing=True, threshold=100)
    m = entry["details"]["m"]
    assert m["drift_detected"] is True
    assert m["decided_by"] == "missing"
    assert entry["drifted_features"] == ["m"]
    assert entry["details"]["y"]["decided_by"] == "p_value"
    assert entry["option_sources"]["gate_missing"] == "argument"


def test_gate_missing_failure_message_shows_the_shares(missing_jump) -> None:
    with pytest.raises(DriftDetected) as raised:
        assert_no_drift(*missing_jump, gate_missing=True)
    assert "missing 0.0% → 40.0%" in str(raised.value)


def test_gate_missing_on_categories() -> None:
    baseline = pd.DataFrame({"c": ["a", "b"] * 60})
    candidate = pd.DataFrame({"c": ["a", "b"] * 60 + [None] * 80})
    entry = run(baseline, candidate, gate_missing=True, threshold=100)
    c = entry["details"]["c"]
    assert close(c["missing_p_value"], two_proportion_p(0, 120, 80, 200))
    assert c["decided_by"] == "missing"
    assert c["drift_detected"] is True
