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


def psi(train_counts: Sequence[int], prod_counts: Sequence[int]) -> float:
    """Population stability index, ``sum((c - b) * ln(c / b))`` over bins or categories."""
    total = 0.0
    for b, c in zip(shares(train_counts), shares(prod_counts), strict=True):
        b, c = max(b, PSI_FLOOR), max(c, PSI_FLOOR)
        total += (c - b) * math.log(c / b)
    return total


def js_distance(train_counts: Sequence[int], prod_counts: Sequence[int]) -> float:
    """Jensen-Shannon distance in base 2 (0: same shares, 1: disjoint), as scipy's."""
    from scipy.spatial import distance

    return float(distance.jensenshannon(list(train_counts), list(prod_counts), base=2))


def cramers_v(train_counts: Sequence[int], prod_counts: Sequence[int]) -> float:
    """Cramér's V of the 2×K table (0: same shares, 1: categories tell the sides apart)."""
    if len(train_counts) < 2:
        return 0.0
    from scipy.stats import contingency

    return float(contingency.association([list(train_counts), list(prod_counts)],
                                         method="cramer"))


def new_and_gone(categories: Sequence[str], train_counts: Sequence[int],
                 prod_counts: Sequence[int]) -> tuple[list[str], list[str]]:
    """Categories seen only in the candidate, and only in the baseline."""
    new = [c for c, t, p in zip(categories, train_counts, prod_counts, strict=True)
           if t == 0 and p > 0]
    gone = [c for c, t, p in zip(categories, train_counts, prod_counts, strict=True)
            if t > 0 and p == 0]
    return new, gone


@functools.lru_cache(maxsize=1024)
def min_detectable_ks(n_train: int, n_prod: int, alpha: float) -> float:
    """The smallest KS statistic that would be significant at ``alpha`` for these sizes
    (Smirnov's asymptotic distribution, as scipy uses for large samples)."""
    from scipy import stats

    m, n = sorted([float(n_train), float(n_prod)], reverse=True)
    return float(stats.kstwo.isf(alpha, round(m * n / (m + n))))


def missing_change_p_value(train_missing: int, train_total: int, prod_missing: int,
                           prod_total: int) -> float:
    """Two-proportion z-test (pooled) that the share of missing values changed."""
    from scipy import stats

    if train_total == 0 or prod_total == 0:
        return 1.0
    pooled = (train_missing + prod_missing) / (train_total + prod_total)
    if pooled in (0.0, 1.0):
        return 1.0
    spread = math.sqrt(pooled * (1 - pooled) * (1 / train_total + 1 / prod_total))
    z = (prod_missing / prod_total - train_missing / train_total) / spread
    return float(2 * stats.norm.sf(abs(z)))
