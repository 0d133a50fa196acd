"""Effect sizes: how much a distribution moved, beside whether the move is significant.

Each takes counts (binned or per category), so every engine can feed it. The binning of
numeric features is stated with the result: ``PSI_BINS`` bins at the baseline's quantiles.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

#: Numeric features are binned at the baseline's deciles for PSI and Jensen-Shannon.
PSI_BINS = 10
#: An empty bin's share is floored at this value in PSI (the logarithm of 0 is undefined).
PSI_FLOOR = 1e-4
PSI_BINNING = (f"{PSI_BINS} bins at the baseline's quantiles (a value on an edge goes to the "
               f"upper bin); empty shares floored at {PSI_FLOOR:g}")


def shares(counts: Sequence[int]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts] if total else [0.0 for _ in counts]


def psi(baseline_counts: Sequence[int], candidate_counts: Sequence[int]) -> float:
    """Population stability index, ``sum((c - b) * ln(c / b))`` over bins or categories."""
    total = 0.0
    for b, c in zip(shares(baseline_counts), shares(candidate_counts), strict=True):
        b, c = max(b, PSI_FLOOR), max(c, PSI_FLOOR)
        total += (c - b) * math.log(c / b)
    return total


def js_distance(baseline_counts: Sequence[int], candidate_counts: Sequence[int]) -> float:
    """Jensen-Shannon distance in base 2 (0: same shares, 1: disjoint), as scipy's."""
    from scipy.spatial import distance

    return float(distance.jensenshannon(list(baseline_counts), list(candidate_counts), base=2))


def cramers_v(baseline_counts: Sequence[int], candidate_counts: Sequence[int]) -> float:
    """Cramér's V of the 2×K table (0: same shares, 1: categories tell the sides apart)."""
    if len(baseline_counts) < 2:
        return 0.0
    from scipy.stats import contingency

    return float(contingency.association([list(baseline_counts), list(candidate_counts)],
                                         method="cramer"))


def new_and_gone(categories: Sequence[str], baseline_counts: Sequence[int],
                 candidate_counts: Sequence[int]) -> tuple[list[str], list[str]]:
    """Categories seen only in the candidate, and only in the baseline."""
    new = [c for c, t, p in zip(categories, baseline_counts, candidate_counts, strict=True)
           if t == 0 and p > 0]
    gone = [c for c, t, p in zip(categories, baseline_counts, candidate_counts, strict=True)
            if t > 0 and p == 0]
    return new, gone


@functools.lru_cache(maxsize=1024)
def min_detectable_ks(n_baseline: int, n_candidate: int, alpha: float) -> float:
    """The smallest KS statistic that would be significant at ``alpha`` for these sizes
    (Smirnov's asymptotic distribution, as scipy uses for large samples)."""
    from scipy import stats

    m, n = sorted([float(n_baseline), float(n_candidate)], reverse=True)
    return float(stats.kstwo.isf(alpha, round(m * n / (m + n))))


def missing_change_p_value(baseline_missing: int, baseline_total: int, candidate_missing: int,
                           candidate_total: int) -> float:
    """Two-proportion z-test (pooled) that the share of missing values changed."""
    from scipy import stats

    if baseline_total == 0 or candidate_total == 0:
        return 1.0
    pooled = (baseline_missing + candidate_missing) / (baseline_total + candidate_total)
    if pooled in (0.0, 1.0):
        return 1.0
    spread = math.sqrt(pooled * (1 - pooled) * (1 / baseline_total + 1 / candidate_total))
    z = (candidate_missing / candidate_total - baseline_missing / baseline_total) / spread
    return float(2 * stats.norm.sf(abs(z)))
