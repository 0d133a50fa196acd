"""What changed between a snapshot and the one that replaces it, per feature: rows,
missing values, mean and quantiles of numbers, categories added or gone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_drift.snapshots.counts import FeatureCounts

#: The quantiles an update shows for a numeric feature.
SHOWN_QUANTILES = (0.1, 0.5, 0.9)


def _numbers(counts: FeatureCounts) -> dict[str, Any]:
    import numpy as np

    from pytest_drift.engines.steps import quantiles

    if counts.present == 0:
        return {"mean": None, "quantiles": [None] * len(SHOWN_QUANTILES)}
    values = np.asarray(counts.values.to_numpy(zero_copy_only=False))
    as_float = np.asarray([float(v) for v in values] if values.dtype == object else values,
                          dtype=np.float64)
    mean = float(np.dot(as_float, counts.counts) / counts.present)
    cumulative = np.cumsum(counts.counts)
    shown = quantiles(as_float, cumulative, np.asarray(SHOWN_QUANTILES))
    return {"mean": mean, "quantiles": [float(q) for q in shown]}


def feature_change(old: FeatureCounts | None, new: FeatureCounts | None) -> dict[str, Any]:
    """One feature's change; ``old`` None: the feature is new, ``new`` None: it is gone."""
    feature = (new or old).feature  # type: ignore[union-attr]
    change: dict[str, Any] = {
        "feature": feature,
        "kind": (new or old).kind,  # type: ignore[union-attr]
        "change": "added" if old is None else "removed" if new is None else "changed",
        "rows": [None if old is None else old.present, None if new is None else new.present],
        "missing": [None if old is None else old.missing,
                    None if new is None else new.missing],
    }
    sides = [old, new]
    if all(side is None or side.kind == "numeric" for side in sides):
        described = [None if side is None else _numbers(side) for side in sides]
        change["mean"] = [None if d is None else d["mean"] for d in described]
        change["quantiles"] = {
            f"p{round(q * 100)}": [None if d is None else d["quantiles"][i] for d in described]
            for i, q in enumerate(SHOWN_QUANTILES)}
    if all(side is None or side.kind == "categorical" for side in sides):
        before = set() if old is None else set(old.values.to_pylist())
        after = set() if new is None else set(new.values.to_pylist())
        change["categories_added"] = sorted(after - before)
        change["categories_gone"] = sorted(before - after)
    if old is not None and new is not None and _same(old, new):
        change["change"] = "unchanged"
    return change


def _same(old: FeatureCounts, new: FeatureCounts) -> bool:
    from pytest_drift.snapshots.format import feature_digest

    return feature_digest(old) == feature_digest(new)


def snapshot_changes(old: Sequence[FeatureCounts], new: Sequence[FeatureCounts]
                     ) -> list[dict[str, Any]]:
    """Every feature of either snapshot, in the new one's order then the gone ones."""
    before = {counts.feature: counts for counts in old}
    after = {counts.feature: counts for counts in new}
    names = [*after, *[name for name in before if name not in after]]
    return [feature_change(before.get(name), after.get(name)) for name in names]
