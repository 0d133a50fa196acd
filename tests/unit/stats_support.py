"""Oracles and helpers for the statistics tests: written here, from the definitions, never
from the package's own code, so a test compares the package with an independent answer."""

from __future__ import annotations

import contextlib
import functools
import json
import math
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from scipy import stats

from tests.helpers import validate_report

TOL = 1e-12


def validated(report: Any) -> dict[str, Any]:
    """A ``DriftReport``'s JSON entry, after checking it inside a session report against the
    shipped JSON Schema (as strict JSON, the way the report writer stores it)."""
    from pytest_drift.pipeline import utc_now
    from pytest_drift.report import session_report, strict

    document = json.loads(json.dumps(strict(session_report([report.to_json()], utc_now())),
                                     allow_nan=False))
    validate_report(document)
    entry: dict[str, Any] = document["checks"][0]
    return entry


def validated_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A check entry (e.g. the command line's ``--output``), checked against the schema."""
    from pytest_drift.pipeline import utc_now
    from pytest_drift.report import session_report

    validate_report(session_report([entry], utc_now()))
    return entry


def close(ours: float | None, theirs: float, tol: float = TOL) -> bool:
    return ours is not None and math.isclose(ours, theirs, rel_tol=tol, abs_tol=tol)


# -- multiple-testing corrections -------------------------------------------------------------

def bonferroni(p: Sequence[float]) -> list[float]:
    m = len(p)
    return [min(1.0, m * x) for x in p]


def holm(p: Sequence[float]) -> list[float]:
    """Holm's step-down: the i-th smallest p-value times (m - i + 1), made non-decreasing
    along the sorted order by a running maximum, capped at 1."""
    m = len(p)
    order = np.argsort(np.asarray(p, dtype=np.float64), kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * np.asarray(p, dtype=np.float64)[order])
    stepped = np.maximum.accumulate(scaled)
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return adjusted.tolist()


def drifted_count(p: np.ndarray, alpha: float, correction: str) -> np.ndarray:
    """Per row of a (draws, m) array of p-values, how many features each correction
    declares drifted (the rejection rules, vectorised, written from their definitions)."""
    m = p.shape[1]
    ranks = np.arange(1, m + 1)
    if correction == "none":
        return (p < alpha).sum(axis=1)
    if correction == "bonferroni":
        return (p * m < alpha).sum(axis=1)
    ordered = np.sort(p, axis=1)
    if correction == "holm":
        # Step down: reject the smallest while p_(i) < alpha / (m - i + 1); stop at the first
        # that is not.
        below = ordered * (m - ranks + 1) < alpha
        return np.where(below.all(axis=1), m, np.argmin(below, axis=1))
    if correction == "fdr_bh":
        # Step up: the largest i with p_(i) * m / i < alpha; reject the i smallest.
        below = ordered * m / ranks < alpha
        last = m - np.argmax(below[:, ::-1], axis=1)
        return np.where(below.any(axis=1), last, 0)
    raise ValueError(correction)


def failing_count(m: int, threshold: float) -> int:
    """The fewest drifted features that fail the gate: the smallest k with k/m*100 > t."""
    return next((k for k in range(m + 1) if k * 100 > threshold * m), m + 1)


# -- effect sizes -----------------------------------------------------------------------------

def decile_counts(train: Sequence[float], prod: Sequence[float]) -> tuple[np.ndarray, ...]:
    """Counts of both sides in bins cut at the baseline's deciles (np.quantile, repeated
    edges merged by np.unique), a value on an edge counted in the upper bin."""
    left = np.asarray(train, dtype=np.float64)
    right = np.asarray(prod, dtype=np.float64)
    edges = np.unique(np.quantile(left, [i / 10 for i in range(1, 10)]))
    size = edges.size + 1
    return (np.bincount(np.searchsorted(edges, left, side="right"), minlength=size),
            np.bincount(np.searchsorted(edges, right, side="right"), minlength=size))


def psi_of_counts(baseline_counts: Sequence[int], candidate_counts: Sequence[int],
                  floor: float = 1e-4) -> float:
    """sum((c - b) ln(c / b)) over the shares, each floored at ``floor``."""
    b = np.maximum(np.asarray(baseline_counts) / np.sum(baseline_counts), floor)
    c = np.maximum(np.asarray(candidate_counts) / np.sum(candidate_counts), floor)
    return float(np.sum((c - b) * np.log(c / b)))


def numeric_psi(train: Sequence[float], prod: Sequence[float]) -> float:
    return psi_of_counts(*decile_counts(train, prod))


def two_proportion_p(missing_a: int, total_a: int, missing_b: int, total_b: int) -> float:
    """The pooled two-proportion z-test, two-sided."""
    pooled = (missing_a + missing_b) / (total_a + total_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_a + 1 / total_b))
    z = (missing_b / total_b - missing_a / total_a) / spread
    return float(2 * stats.norm.sf(abs(z)))


def quiet(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a scipy oracle without letting its warnings fail the test session."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@contextlib.contextmanager
def cached_min_detectable_ks() -> Iterator[None]:
    """``min_detectable_ks`` (a root search in scipy, ~10 ms) is recomputed for every
    feature of every check; it is a pure function of (n1, n2, alpha), so caching it keeps
    checks run by the hundred fast without changing any number."""
    import pytest_drift.stats.effects as effects

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(effects, "min_detectable_ks",
                      functools.lru_cache(maxsize=None)(effects.min_detectable_ks))
        yield


def assert_matches_ks(result: Any, left: Any, right: Any) -> None:
    """A KS result equal to ``ks_2samp(left, right)``: statistic, p-value and location."""
    oracle = stats.ks_2samp(left, right)
    assert result.test == "ks"
    assert math.isclose(result.statistic, float(oracle.statistic), rel_tol=TOL, abs_tol=TOL), (
        result.statistic, oracle.statistic)
    assert math.isclose(result.p_value, float(oracle.pvalue), rel_tol=TOL, abs_tol=TOL), (
        result.p_value, oracle.pvalue)
    assert result.statistic_location == oracle.statistic_location, (
        result.statistic_location, oracle.statistic_location)
    assert result.drift_detected == (oracle.pvalue < 0.05)
