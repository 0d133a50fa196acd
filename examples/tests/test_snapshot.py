"""A baseline kept as a reviewed snapshot: the check reads the committed
``drift_baselines/penguins_biscoe.parquet``, not the training data, so CI needs no access to
it.

The snapshot holds the exact distribution of the features the check tests in
``data/penguins_islands/baseline.csv`` (sorted distinct values with their counts, category
counts), so the check gives the same statistics and p-values as one on the raw file. It was
saved from that file by a run of ``pytest --drift-update-baseline`` while the marker named
the file (with ``snapshot="penguins_biscoe"``). When a change of the candidate is expected::

    pytest --drift-update-baseline -k test_sex_ratio_against_the_snapshot

approves it: the candidate replaces the snapshot and the changes per feature are printed; the
file's diff is then reviewed like code.
"""

from __future__ import annotations

import pytest

from pytest_drift import DriftReport


@pytest.mark.drift("snapshot:penguins_biscoe", "data/penguins_islands/candidate.csv",
                   features=["sex"])
def test_sex_ratio_against_the_snapshot(drift_report: DriftReport) -> None:
    """The same gate as ``test_penguins.py``'s sex-ratio test, from the snapshot."""
    assert drift_report.snapshot is not None
    assert drift_report.snapshot["action"] == "read"
