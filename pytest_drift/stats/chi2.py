"""Chi-square test of homogeneity on the 2×K table of category counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Chi2Result:
    statistic: float
    p_value: float
    dof: int


def chi2_test(baseline_counts: Sequence[int], candidate_counts: Sequence[int]) -> Chi2Result:
    """``scipy.stats.chi2_contingency`` (defaults) on the table ``[train_counts, prod_counts]``.

    The columns are the union of the categories of both sides, so a category seen on one
    side only has a zero on the other. Counts, not proportions: a chi-square on shares is
    not a valid test.
    """
    import numpy as np
    from scipy import stats

    table = np.array([baseline_counts, candidate_counts], dtype=np.int64)
    result = stats.chi2_contingency(table)
    return Chi2Result(float(result.statistic), float(result.pvalue), int(result.dof))
