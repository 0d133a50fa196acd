"""How often does a gate fail on stable data?

Under the null hypothesis (no feature drifts) and independent features with continuous
p-values, each p-value is uniform on (0, 1). The gate fails when more than
``threshold`` percent of the ``m`` tested features are declared drifted, that is when at
least ``k = floor(threshold * m / 100) + 1`` are. The chance of that depends on the
correction:

- none: ``X ~ Binomial(m, alpha)``; bonferroni: ``X ~ Binomial(m, alpha / m)``;
- holm (step-down): ``X >= k`` iff the ``i``-th smallest p-value is below
  ``alpha / (m - i + 1)`` for every ``i <= k``;
- fdr_bh (step-up): ``X >= k`` iff some ``j >= k`` has its ``j``-th smallest p-value below
  ``j * alpha / m``.

The last two are probabilities that uniform order statistics stay under (or cross) a
boundary, computed exactly by a recursion over the boundary's steps. Discrete tests (ties,
chi-square on counts) are conservative, so the true rate is at most the one computed.
"""

from __future__ import annotations

import functools
import math


def _failing_count(m: int, threshold: float) -> int:
    """The smallest number of drifted features that fails the gate (exact, no rounding)."""
    # X * 100 > threshold * m  <=>  X > threshold * m / 100
    k = math.floor(threshold * m / 100) + 1
    while (k - 1) * 100 > threshold * m:  # guard the floor against float error
        k -= 1
    return k


def _within_boundaries(m: int, bounds: list[float], lowest: list[int], highest: list[int]
                       ) -> float:
    """P(at every step i, between ``lowest[i]`` and ``highest[i]`` of m uniforms are
    <= ``bounds[i]``), ``bounds`` increasing: a recursion on the count below each bound."""
    import numpy as np
    from scipy import stats

    counts = np.arange(m + 1)
    below, total = np.meshgrid(counts, counts, indexing="ij")
    # mass[j] = P(exactly j points <= the current bound, and every step so far held)
    mass = np.zeros(m + 1)
    mass[0] = 1.0
    previous = 0.0
    for bound, low, high in zip(bounds, lowest, highest, strict=True):
        share = min(max((bound - previous) / (1.0 - previous), 0.0), 1.0)
        # Given `below` points under the previous bound, the other m - below are uniform
        # above it; each lands under the new bound with probability `share`.
        step = stats.binom.pmf(total - below, m - below, share)
        mass = mass @ np.nan_to_num(step)
        mass[(counts < low) | (counts > high)] = 0.0
        previous = bound
    return float(mass.sum())


#: Above this many features the boundary recursion (O(m^3)) gives way to a simulation.
EXACT_UP_TO = 200
SIMULATIONS = 20_000


@functools.lru_cache(maxsize=256)
def gate_false_alarm(m: int, alpha: float, threshold: float, correction: str,
                     features_tested: int | None = None) -> float:
    """The probability that a check of stable, independent features fails its gate.

    ``m`` features have p-values; ``features_tested`` (default ``m``) is the denominator of
    the drift percentage (features judged by a distance, such as PSI, count there only).
    """
    total = m if features_tested is None else features_tested
    k = _failing_count(total, threshold)
    if correction in ("holm", "fdr_bh") and m > EXACT_UP_TO:
        return _simulated(m, alpha, k, correction)
    return min(max(_exact(m, alpha, k, correction), 0.0), 1.0)


def _simulated(m: int, alpha: float, k: int, correction: str) -> float:
    """A seeded simulation of uniform p-values (deterministic: the same answer every run)."""
    import numpy as np

    if k > m:
        return 0.0
    p = np.sort(np.random.default_rng(0).uniform(size=(SIMULATIONS, m)), axis=1)
    ranks = np.arange(1, m + 1)
    if correction == "holm":
        passes = p[:, :k] <= alpha / (m - ranks[:k] + 1)
        return float(passes.all(axis=1).mean())
    crosses = p[:, k - 1:] <= ranks[k - 1:] * alpha / m
    return float(crosses.any(axis=1).mean())


def _exact(m: int, alpha: float, k: int, correction: str) -> float:
    """P(at least k of m uniform p-values are declared drifted)."""
    from scipy import stats

    if m <= 0 or k > m:
        return 0.0
    if correction == "none":
        return float(stats.binom.sf(k - 1, m, alpha))
    if correction == "bonferroni":
        return float(stats.binom.sf(k - 1, m, alpha / m))
    if correction == "holm":
        bounds = [alpha / (m - i) for i in range(k)]
        return _within_boundaries(m, bounds, list(range(1, k + 1)), [m] * k)
    if correction == "fdr_bh":
        # X < k  <=>  for every j >= k, fewer than j p-values are <= j * alpha / m.
        steps = range(k, m + 1)
        never = _within_boundaries(m, [j * alpha / m for j in steps], [0] * len(steps),
                                   [j - 1 for j in steps])
        return 1.0 - never
    raise ValueError(f"unknown correction {correction!r}")


def any_fails(probabilities: list[float]) -> float:
    """The chance that at least one of several gates fails on stable data when their data
    are independent (the segments of a check hold disjoint rows): ``1 - prod(1 - p)``."""
    return 1.0 - math.prod(1.0 - p for p in probabilities)
