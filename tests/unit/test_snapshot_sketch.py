"""The sketch profile: the rank error a sketched snapshot states is the true distance
between the sketch and the data, so the KS statistic of the data lies within it and scipy's
p-value on the raw data lies in the stated interval (hypothesis data, scipy as the oracle);
the verdict is undecided exactly when the interval spans alpha; and the gate never passes an
undecided check."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import datasketches
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_drift.errors import DriftInputError
from pytest_drift.models import NORMAL, UNDECIDED, FeatureResult
from pytest_drift.option_values import parse_snapshot_profile
from pytest_drift.options import Layer, resolve_check
from pytest_drift.report import session_report
from pytest_drift.snapshots.counts import numeric_counts
from pytest_drift.snapshots.sketch import sketched
from pytest_drift.stats.ks import p_value_interval
from pytest_drift.verdict import decide, gate_status
from tests.helpers import validate_report
from tests.sketch_support import use_thinned_sketch
from tests.unit.test_snapshots import check, saved, target

ENGINES = ("memory", "duckdb", "spark")


@pytest.mark.parametrize(("raw", "profile"), [
    ("exact", "exact"), ("sketch", "sketch:800"), (" Sketch:64 ", "sketch:64"),
    ("sketch:8", "sketch:8")])
def test_profiles_are_parsed(raw: str, profile: str) -> None:
    assert parse_snapshot_profile(raw) == profile


@pytest.mark.parametrize("raw", ["sketchy", "sketch:4", "sketch:x", "kll", 800, "sketch:"])
def test_bad_profiles_say_what_is_allowed(raw: object) -> None:
    with pytest.raises(ValueError, match=r"must be exact, sketch or sketch:K"):
        parse_snapshot_profile(raw)


def ecdf_distance(data: np.ndarray[Any, Any], values: np.ndarray[Any, Any],
                  weights: np.ndarray[Any, Any]) -> float:
    """The largest distance between the data's ECDF and the weighted values' ECDF,
    computed from the raw rows (not the way the library computes it)."""
    points = np.unique(data)
    data_cdf = np.searchsorted(np.sort(data), points, side="right") / len(data)
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    sketch_cdf = np.concatenate([[0], cumulative])[
        np.searchsorted(values[order], points, side="right")] / len(data)
    return float(np.abs(data_cdf - sketch_cdf).max())


def ks(left: Any, right: Any) -> Any:
    """scipy's KS test, its warnings (an exact path that falls back) silenced: the oracle."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return stats.ks_2samp(left, right)


samples = st.lists(st.one_of(st.integers(-50, 50).map(float),
                             st.floats(-1e3, 1e3, allow_nan=False, width=32).map(float)),
                   min_size=30, max_size=3000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline=samples, candidate=samples, k=st.sampled_from([8, 16, 32, 200]),
       shift=st.floats(-5, 5))
def test_the_stated_bound_holds(baseline: list[float], candidate: list[float], k: int,
                                shift: float) -> None:
    """|D(data) - D(sketch)| <= the stated rank error, which is the sketch's true distance
    from the data; scipy's p-value on the raw data is inside the stated interval."""
    data = np.asarray(baseline)
    other = np.asarray(candidate) + shift
    kept = sketched(numeric_counts("x", data, 0, 0, 0), k, datasketches)
    assert kept.rank_error is not None
    values = np.asarray(kept.counts.values.to_numpy(zero_copy_only=False), dtype=np.float64)
    weights = kept.counts.counts
    assert int(weights.sum()) == len(data)
    assert set(values) <= set(data)
    assert kept.rank_error == pytest.approx(ecdf_distance(data, values, weights), abs=1e-15)
    exact = ks(data, other)
    approximate = ks(np.repeat(values, weights), other)
    assert abs(exact.statistic - approximate.statistic) <= kept.rank_error + 1e-12
    error_rows = round(kept.rank_error * len(data))
    low, high = p_value_interval(len(data), len(other), float(approximate.statistic),
                                 error_rows)
    assert low - 1e-12 <= exact.pvalue <= high + 1e-12
    assert low - 1e-12 <= approximate.pvalue <= high + 1e-12


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shift=st.floats(0, 0.2))
def test_the_bound_holds_on_the_asymptotic_path(seed: int, shift: float) -> None:
    """Above 10 000 values a side scipy's p-value is asymptotic; the interval still holds
    it."""
    rng = np.random.default_rng(seed)
    data = np.round(rng.normal(size=30_000), 3)
    other = rng.normal(shift, size=12_000)
    kept = sketched(numeric_counts("x", data, 0, 0, 0), 64, datasketches)
    assert kept.rank_error is not None
    assert kept.rank_error > 0
    values = np.asarray(kept.counts.values.to_numpy(zero_copy_only=False))
    exact = ks(data, other)
    approximate = ks(np.repeat(values, kept.counts.counts), other)
    assert abs(exact.statistic - approximate.statistic) <= kept.rank_error + 1e-12
    low, high = p_value_interval(len(data), len(other), float(approximate.statistic),
                                 round(kept.rank_error * len(data)))
    assert low - 1e-12 <= exact.pvalue <= high + 1e-12


def test_a_feature_with_few_values_is_kept_exactly() -> None:
    data = np.repeat(np.arange(20.0), 500)
    kept = sketched(numeric_counts("x", data, 0, 0, 0), 64, datasketches)
    assert kept.rank_error == 0.0
    assert kept.counts.counts.tolist() == [500] * 20


def result(name: str, p_value: float, interval: tuple[float, float] | None,
           effect: float = 0.3) -> FeatureResult:
    return FeatureResult(name, "numeric", "ks", effect, p_value, False, 100, 100,
                         ks_statistic=effect, effect=effect,
                         statistic_bound=None if interval is None else 0.01,
                         p_value_interval=interval)


def options(**values: Any) -> Any:
    return resolve_check([Layer("argument", {"baseline": "a", "candidate": "b", **values})])


def test_an_interval_across_alpha_is_undecided() -> None:
    decided = {r.name: r for r in decide([
        result("certain", 0.001, (0.0005, 0.002)),
        result("open", 0.04, (0.02, 0.08)),
        result("clear", 0.5, (0.3, 0.6)),
        result("exact", 0.01, None),
    ], options(), {})}
    assert [decided[n].drift_detected for n in decided] == [True, False, False, True]
    assert [decided[n].undecided for n in decided] == [False, True, False, False]


def test_corrections_adjust_both_ends() -> None:
    """Bonferroni over 2 features: 0.02 → 0.04 (drift at alpha 0.05), 0.03 → 0.06 (not)."""
    decided = decide([result("a", 0.025, (0.02, 0.03)), result("b", 0.9, (0.8, 1.0))],
                     options(correction="bonferroni"), {})
    assert decided[0].undecided
    assert not decided[0].drift_detected
    assert decided[0].adjusted_p_value == pytest.approx(0.05)


def test_min_effect_is_decided_at_both_ends_of_the_bound() -> None:
    """KS 0.1 ± 0.01 against min_effect 0.105: significant, but the effect may be under."""
    [open_effect] = decide([result("a", 1e-9, (1e-10, 1e-8), effect=0.1)],
                           options(min_effect=0.105), {})
    assert open_effect.undecided
    assert open_effect.decided_by == "min_effect"
    [small] = decide([result("a", 1e-9, (1e-10, 1e-8), effect=0.05)],
                     options(min_effect=0.105), {})
    assert not small.undecided
    assert not small.drift_detected


def test_the_gate_is_undecided_only_when_the_open_features_decide_it() -> None:
    assert gate_status(10, 1, 20.0, 0) == NORMAL
    assert gate_status(10, 1, 20.0, 1) == NORMAL  # 2 of 10 is not above 20%
    assert gate_status(10, 1, 20.0, 2) == UNDECIDED
    assert gate_status(10, 3, 20.0, 5) == "DRIFT_DETECTED"


@pytest.fixture
def pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    baseline = pd.DataFrame({"x": rng.normal(size=4000), "n": rng.integers(0, 300, 4000),
                             "c": rng.choice(["a", "b", "c"], 4000)})
    candidate = pd.DataFrame({"x": rng.normal(0.3, size=600), "n": rng.integers(0, 300, 600),
                              "c": rng.choice(["a", "b", "c"], 600)})
    return baseline, candidate


@pytest.mark.parametrize("engine", ENGINES)
def test_a_check_from_a_sketch_bounds_the_raw_check(tmp_path: Path, engine: str,
                                                    pair: tuple[pd.DataFrame, pd.DataFrame],
                                                    request: pytest.FixtureRequest) -> None:
    """Against a real KLL sketch, on every engine: every statistic within its bound of the
    raw check's, every raw p-value in its interval, categories exact, and the report
    labelled approximate."""
    if engine == "spark":
        request.getfixturevalue("spark")
    baseline, candidate = pair
    path = saved(tmp_path, baseline, candidate, snapshot_profile="sketch:32")
    raw = check(baseline, candidate, engine=engine)
    sketch = check(f"snapshot:{path}", candidate, engine=engine)
    assert sketch.approximate
    assert not raw.approximate
    for name in ("x", "n"):
        exact, bounded = raw.details[name], sketch.details[name]
        assert bounded.statistic_bound is not None
        assert bounded.p_value_interval is not None
        assert abs(exact.statistic - bounded.statistic) <= bounded.statistic_bound + 1e-12
        low, high = bounded.p_value_interval
        assert low - 1e-12 <= exact.p_value <= high + 1e-12  # type: ignore[operator]
    assert sketch.details["c"].statistic == pytest.approx(raw.details["c"].statistic,
                                                          rel=1e-12)
    assert sketch.details["c"].statistic_bound is None
    document = sketch.to_json()
    assert document["approximate"] is True
    assert set(document["snapshot"]["rank_errors"]) == {"x", "n"}
    assert document["snapshot"]["profile"]["kind"] == "sketch"
    validate_report(session_report([document], "2026-12-04T00:00:00+00:00"))


def test_saving_the_same_files_again_keeps_the_file(tmp_path: Path,
                                                    pair: tuple[pd.DataFrame, pd.DataFrame]
                                                    ) -> None:
    """A sketch is random, so a second save from files with the same hash is skipped."""
    baseline, candidate = pair
    baseline.to_parquet(tmp_path / "base.parquet")
    candidate.to_parquet(tmp_path / "cand.parquet")
    files = (str(tmp_path / "base.parquet"), str(tmp_path / "cand.parquet"))
    path = saved(tmp_path, *files, snapshot_profile="sketch:32")
    first = path.read_bytes()
    again = check(*files, save=target(path), snapshot_profile="sketch:32")
    assert again.snapshot is not None
    assert again.snapshot["action"] == "unchanged"
    assert path.read_bytes() == first


def test_an_undecided_check_fails_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    """A coarse sketch (one row of every 400 kept) and a candidate near the edge of
    significance: the interval spans alpha, the check is UNDECIDED, it fails the gate, and
    its message names the feature, the interval and how to decide it."""
    from pytest_drift.messages import failure_message
    from pytest_drift.terminal import render

    use_thinned_sketch(monkeypatch, 400)
    rng = np.random.default_rng(3)
    baseline = pd.DataFrame({"x": rng.normal(size=4000)})
    candidate = pd.DataFrame({"x": rng.normal(0.12, size=500)})
    path = saved(tmp_path, baseline, candidate, snapshot_profile="sketch:32")
    report = check(f"snapshot:{path}", candidate)
    exact = ks(baseline["x"], candidate["x"])
    detail = report.details["x"]
    assert detail.p_value_interval is not None
    assert detail.p_value_interval[0] < 0.05 <= detail.p_value_interval[1]
    assert detail.p_value_interval[0] <= exact.pvalue <= detail.p_value_interval[1]
    assert report.status == UNDECIDED
    assert report.gate_failed
    assert report.undecided_features == ["x"]
    entry = report.to_json()
    message = failure_message(entry)
    assert message.startswith("Drift gate undecided, 0.0% to 100.0% around threshold 20.0%")
    assert "0 of 1 features drifted, 1 undecided (0.0% to 100.0%" in message
    assert "UNDECIDED x: ks statistic=" in message
    assert " ± " in message
    assert "p in [" in message
    assert "snapshot_profile='exact'" in message
    assert "approximate:" in message
    text = render([entry], markup=False, width=160)
    assert "UNDECIDED [approximate]" in text
    assert any(line.split()[:2] == ["UNDECIDED", "x"] for line in text.splitlines())
    assert re.search(r"ks \S+ ± \S+ +\[\S+, \S+\]", text)  # the bound and the interval
    assert json.loads(json.dumps(entry))["details"]["x"]["undecided"] is True


def test_a_sketched_feature_tested_as_categories_is_refused(
        tmp_path: Path, pair: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    baseline, candidate = pair
    path = saved(tmp_path, baseline, candidate, snapshot_profile="sketch:32")
    with pytest.raises(DriftInputError, match=r"keeps 'n' as a KLL sketch.*as categories"):
        check(f"snapshot:{path}", candidate, categorical=["n", "c"])


def test_engines_agree_on_one_sketched_snapshot(tmp_path: Path,
                                                pair: tuple[pd.DataFrame, pd.DataFrame]
                                                ) -> None:
    """The same sketched file gives the same report on the memory and DuckDB engines,
    bounds and intervals included."""
    from tests.engine_support import assert_same, entry

    baseline, candidate = pair
    path = saved(tmp_path, baseline, candidate, snapshot_profile="sketch:32")
    memory = check(f"snapshot:{path}", candidate, engine="memory")
    duckdb = check(f"snapshot:{path}", candidate, engine="duckdb")
    assert memory.details["x"].p_value_interval is not None
    assert_same(entry(memory, False), entry(duckdb, False))


def test_intervals_on_forked_workers_are_the_same(tmp_path: Path,
                                                  pair: tuple[pd.DataFrame, pd.DataFrame]
                                                  ) -> None:
    """The interval ends computed on two forked processes equal the ones computed in
    this process."""
    from pytest_drift.snapshots.sketch import bound_results

    baseline, candidate = pair
    path = saved(tmp_path, baseline, candidate, snapshot_profile="sketch:32")
    report = check(f"snapshot:{path}", candidate)
    errors = {name: r.statistic_bound for name, r in report.details.items()
              if r.statistic_bound is not None}
    assert len(errors) == 2
    in_process = bound_results(dict(report.details), errors, workers=1)
    forked = bound_results(dict(report.details), errors, workers=2)
    assert in_process == forked
    assert in_process == dict(report.details)
