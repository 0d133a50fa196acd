"""Statistical tests. Each takes sufficient statistics, never rows, so every engine can feed it."""

from pytest_drift.stats.chi2 import Chi2Result, chi2_test
from pytest_drift.stats.ks import KsGap, KsResult, ks_test

__all__ = ["Chi2Result", "KsGap", "KsResult", "chi2_test", "ks_test"]
