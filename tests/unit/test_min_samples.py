"""``min_samples`` through ``compare()``: a feature with fewer non-missing values on a side
is skipped with a reason naming the count, the side and the option (numbers and categories
alike); the argument lowers or raises the guard; a bad value is a usage error.

Every expected statistic is computed here by scipy on the same values.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_drift import compare
from pytest_drift.errors import DriftUsageError
from tests.unit.stats_support import assert_matches_ks


def sparse_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``x`` has 100 values a side; ``few`` has 10 in the baseline and 100 in the candidate,
    and scipy finds drift in it."""
    rng = np.random.default_rng(8)
    few = np.full(100, np.nan)
    few[:10] = rng.normal(0, 1, 10)
    train = pd.DataFrame({"x": rng.normal(0, 1, 100), "few": few})
    prod = pd.DataFrame({"x": rng.normal(0, 1, 100), "few": rng.normal(3, 1, 100)})
    assert stats.ks_2samp(train["few"].dropna(), prod["few"]).pvalue < 0.05
    return train, prod


def test_min_samples_default_skips_a_sparse_feature() -> None:
    train, prod = sparse_frames()
    report = compare(train, prod)
    assert list(report.details) == ["x"]
    reason = report.skipped_features["few"]
    assert "min_samples=20" in reason
    assert re.search(r"\b10\b", reason), reason
    assert "baseline" in reason
    assert_matches_ks(report.details["x"], train["x"].to_numpy(), prod["x"].to_numpy())


def test_min_samples_argument_lowers_the_guard() -> None:
    train, prod = sparse_frames()
    report = compare(train, prod, min_samples=10)
    assert "few" not in report.skipped_features
    assert_matches_ks(report.details["few"], train["few"].dropna().to_numpy(),
                      prod["few"].to_numpy())
    report = compare(train, prod, min_samples=11)
    assert "min_samples=11" in report.skipped_features["few"]


def test_min_samples_applies_to_categories() -> None:
    train = pd.DataFrame({"x": np.arange(50.0),
                          "colour": ["red", "blue"] * 6 + [None] * 38})
    prod = pd.DataFrame({"x": np.arange(50.0), "colour": ["red", "blue"] * 25})
    report = compare(train, prod)
    reason = report.skipped_features["colour"]
    assert "min_samples=20" in reason
    assert re.search(r"\b12\b", reason), reason


@pytest.mark.parametrize("bad", [0, 2.5, "x", -3])
def test_invalid_min_samples_is_a_usage_error(bad: object) -> None:
    train, prod = sparse_frames()
    assert "x" in compare(train, prod, min_samples=20).details  # a known option
    with pytest.raises(DriftUsageError, match="min_samples") as caught:
        compare(train, prod, min_samples=bad)
    assert caught.value.option == "min_samples"
    message = str(caught.value)
    assert message.startswith(f"min_samples={bad!r} (from argument min_samples): "), message
    assert "number" in message
