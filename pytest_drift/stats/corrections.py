"""Multiple-testing corrections: adjusted p-values for the features of one check."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_drift.option_values import CORRECTIONS

__all__ = ["CORRECTIONS", "adjust"]


def adjust(p_values: Sequence[float], method: str) -> list[float]:
    """Adjusted p-values, in the order given; a feature drifts when its adjusted p < alpha.

    - ``none``: the p-values themselves;
    - ``bonferroni``: ``min(1, m * p)``, controls the family-wise error rate;
    - ``holm``: Holm's step-down, uniformly more powerful than Bonferroni, same control;
    - ``fdr_bh``: Benjamini-Hochberg (``scipy.stats.false_discovery_control``), controls the
      expected share of false discoveries among the drifted features.
    """
    m = len(p_values)
    if method == "none" or m == 0:
        return [float(p) for p in p_values]
    if method == "bonferroni":
        return [min(1.0, float(p) * m) for p in p_values]
    if method == "holm":
        order = sorted(range(m), key=lambda i: p_values[i])
        adjusted = [0.0] * m
        running = 0.0
        for rank, index in enumerate(order):
            running = max(running, min(1.0, (m - rank) * float(p_values[index])))
            adjusted[index] = running
        return adjusted
    if method == "fdr_bh":
        from scipy import stats

        return [float(p) for p in stats.false_discovery_control(list(p_values), method="bh")]
    raise ValueError(f"unknown correction {method!r}; one of {', '.join(CORRECTIONS)}")
