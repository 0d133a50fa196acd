"""The gate's threshold through ``compare()``: a share of drifted features equal to the
threshold is NORMAL, only a larger one is DRIFT_DETECTED, with no rounding in between.

scipy decides, here, which features drift.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pytest_drift import compare


def test_seven_of_twenty_five_at_threshold_28_is_normal() -> None:
    rng = np.random.default_rng(9)
    train: dict[str, np.ndarray] = {}
    prod: dict[str, np.ndarray] = {}
    for i in range(7):
        train[f"shifted_{i}"] = rng.normal(0, 1, 300)
        prod[f"shifted_{i}"] = rng.normal(2, 1, 300)
    for i in range(18):
        values = rng.normal(0, 1, 300)
        train[f"same_{i}"], prod[f"same_{i}"] = values, values.copy()
    drifted = sorted(name for name in train
                     if stats.ks_2samp(train[name], prod[name]).pvalue < 0.05)
    assert len(drifted) == 7  # scipy's verdict: 7 of 25, exactly 28%
    assert 7 * 100 == 28 * 25
    report = compare(pd.DataFrame(train), pd.DataFrame(prod), threshold=28)
    assert (report.features_tested, sorted(report.drifted_features)) == (25, drifted)
    assert report.status == "NORMAL"
    assert compare(pd.DataFrame(train), pd.DataFrame(prod), threshold=27.9).status == (
        "DRIFT_DETECTED")
