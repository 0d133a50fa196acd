"""Two-sample Kolmogorov-Smirnov test from its sufficient statistics.

Under the null hypothesis the distribution of D depends only on the two sample sizes, so
``(n1, n2)`` and the two ECDF heights at the point of the maximum gap determine both the
statistic and the p-value. The p-value is scipy's own: ``scipy.stats.ks_2samp`` with its
defaults (``method="auto"``, two-sided), so results equal scipy on the raw values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from decimal import Decimal

#: scipy's ``method="auto"`` computes the exact p-value up to this sample size.
SCIPY_EXACT_MAX_N = 10_000


@dataclass(frozen=True)
class KsGap:
    """Where the two empirical CDFs differ most.

    ``train_below`` and ``prod_below`` count the values ``<= location`` on each side, so the
    gap is ``train_below / n_train - prod_below / n_prod`` (signed, as scipy computes it).
    """

    n_baseline: int
    n_candidate: int
    baseline_below: int
    candidate_below: int
    location: float | int | Decimal

    @property
    def signed_gap(self) -> float:
        return self.baseline_below / self.n_baseline - self.candidate_below / self.n_candidate


@dataclass(frozen=True)
class KsResult:
    statistic: float
    p_value: float
    notes: tuple[str, ...] = ()


def ks_test(gap: KsGap) -> KsResult:
    """The two-sided KS statistic and p-value, equal to ``scipy.stats.ks_2samp`` defaults."""
    import numpy as np
    from scipy import stats

    n1, n2 = gap.n_baseline, gap.n_candidate
    if max(n1, n2) <= SCIPY_EXACT_MAX_N:
        # A canonical pair of samples with the same sizes and the same gap: value 0 repeated
        # ``below`` times, then 1. scipy then runs its exact path (and any fallback or
        # warning) exactly as it would on the raw values, in microseconds.
        train = np.ones(n1, dtype=np.int8)
        train[: gap.baseline_below] = 0
        prod = np.ones(n2, dtype=np.int8)
        prod[: gap.candidate_below] = 0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = stats.ks_2samp(train, prod)
        notes = tuple(str(w.message) for w in caught)
        return KsResult(float(result.statistic), float(result.pvalue), notes)
    d = abs(gap.signed_gap)
    return KsResult(float(d), _asymptotic_p_value(d, n1, n2))


def _asymptotic_p_value(d: float, n1: int, n2: int) -> float:
    """scipy's asymptotic branch, the one ``method="auto"`` takes above SCIPY_EXACT_MAX_N."""
    import numpy as np
    from scipy import stats

    m, n = sorted([float(n1), float(n2)], reverse=True)
    en = m * n / (m + n)
    return float(np.clip(stats.kstwo.sf(d, np.round(en)), 0.0, 1.0))


def _achievable_gap(n1: int, n2: int, numerator: int, *, above: bool) -> KsGap:
    """The gap ``i/n1 - j/n2 = k/(n1*n2)`` of two samples of these sizes with ``k`` the
    largest possible at most ``numerator`` (``above``: the smallest at least it)."""
    import numpy as np

    i = np.arange(n1 + 1, dtype=np.int64)
    # j such that i*n2 - j*n1 is just under (or just over) the numerator.
    if above:
        j = np.clip(np.floor_divide(i * n2 - numerator, n1), 0, n2)
    else:
        j = np.clip(-np.floor_divide(numerator - i * n2, n1), 0, n2)
    k = i * n2 - j * n1
    fits = (k >= numerator) if above else ((k <= numerator) & (k >= 0))
    candidates = np.where(fits, k, -1 if not above else np.iinfo(np.int64).max)
    best = int(np.argmin(candidates) if above else np.argmax(candidates))
    return KsGap(n1, n2, int(i[best]), int(j[best]), 0)


def p_value_interval(n1: int, n2: int, statistic: float, error_rows: int
                     ) -> tuple[float, float]:
    """The p-values KS may have when its statistic is known only to within
    ``error_rows / n1`` of ``statistic`` (a baseline kept as a sketch of that rank error):
    ``(p at the largest statistic, p at the smallest)``, each as :func:`ks_test` computes
    it. The exact p-value is defined only at the gaps two samples of these sizes can have,
    so each end is the nearest such gap inside the range."""
    if max(n1, n2) <= SCIPY_EXACT_MAX_N:
        scale = n1 * n2
        centre = round(statistic * scale)
        low = max(0, centre - error_rows * n2)
        high = min(scale, centre + error_rows * n2)
        return (ks_test(_achievable_gap(n1, n2, high, above=False)).p_value,
                ks_test(_achievable_gap(n1, n2, low, above=True)).p_value)
    error = error_rows / n1
    return (_asymptotic_p_value(min(1.0, statistic + error), n1, n2),
            _asymptotic_p_value(max(0.0, statistic - error), n1, n2))


def p_value_cost(gap: KsGap) -> float:
    """Roughly how long :func:`ks_test` takes, in units of one cheap call.

    scipy's asymptotic p-value (``kstwo.sf``) is a closed form except where
    ``2.2 <= n * d**2 < 370`` with ``n`` the effective sample size: there it sums ``O(n)``
    terms (``scipy.special.smirnov``), about half a second at ``n = 500 000``. The number
    only orders work between processes; it changes no result.
    """
    n1, n2 = gap.n_baseline, gap.n_candidate
    if max(n1, n2) <= SCIPY_EXACT_MAX_N:
        return 1.0
    effective = round(n1 * n2 / (n1 + n2))
    spread = effective * gap.signed_gap ** 2
    return float(effective) if 2.2 <= spread < 370.0 else 1.0
