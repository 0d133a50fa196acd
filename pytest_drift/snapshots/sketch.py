"""The sketch profile of a snapshot (``snapshot_profile="sketch[:K]"``): numeric features
kept as Apache DataSketches KLL sketches, for baselines too large to keep exactly.

A KLL sketch keeps a few thousand of a feature's values, each standing for a power-of-two
number of rows (its weight); the weights add up to the feature's rows. The file layout is
the exact one's (values and counts, here the weights), so every engine reads a sketched
snapshot as it reads an exact one.

The bound is measured, not estimated. When the snapshot is saved the exact distribution is
at hand, so the largest distance between the sketch's CDF and the data's, its rank error
``ε``, is computed exactly and kept with the feature. For any candidate the KS statistic
against the sketch, ``D̂``, and against the data, ``D``, then differ by at most ``ε`` (the
triangle inequality for the sup distance): ``D ∈ [D̂ - ε, D̂ + ε]``. The p-value falls as
``D`` grows, so it lies between the p-values at the two ends (:func:`p_value_interval`).
Categorical features, missing and ±inf counts and rows are kept exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.option_values import sketch_size
from pytest_drift.snapshots.counts import FeatureCounts

if TYPE_CHECKING:
    from pytest_drift.models import FeatureResult
    from pytest_drift.options import CheckOptions
    from pytest_drift.snapshots.format import SnapshotHeader

SKETCH_KIND = "sketch"
#: Rows fed to the sketch at a time: bounds the memory a feature with billions of rows
#: needs while it is sketched.
FEED_ROWS = 1 << 22


def datasketches(options: CheckOptions) -> Any:
    """The ``datasketches`` module, or a usage error saying how to install it."""
    try:
        import datasketches as module  # type: ignore[import-untyped]
    except ImportError:
        raise DriftUsageError(
            "snapshot_profile", options.snapshot_profile,
            options.origins.get("snapshot_profile", "snapshot_profile"),
            "a sketched snapshot needs Apache DataSketches: pip install "
            "'pytest-datadrift[sketch]'") from None
    return module


def profile_of(options: CheckOptions) -> dict[str, Any]:
    """The ``profile`` a snapshot saved with these options states."""
    k = sketch_size(options.snapshot_profile)
    if k is None:
        return {"kind": "exact"}
    from importlib.metadata import version

    datasketches(options)
    return {"kind": SKETCH_KIND, "sketch": "kll", "k": k,
            "library": f"datasketches {version('datasketches')}"}


def is_sketch(profile: Mapping[str, Any]) -> bool:
    return profile.get("kind") == SKETCH_KIND


@dataclass(frozen=True)
class SketchedFeature:
    """A feature as a sketched snapshot keeps it, with its measured rank error (None for
    a feature kept exactly: categories, or no values)."""

    counts: FeatureCounts
    rank_error: float | None


def _rank_error_rows(exact: FeatureCounts, indexes: Any, weights: Any) -> int:
    """The largest gap, in rows, between the data's cumulative counts and the sketch's,
    over every distinct value (where both step functions jump)."""
    import numpy as np

    sketch_counts = np.bincount(indexes, weights=weights, minlength=len(exact.values))
    gap = np.cumsum(exact.counts, dtype=np.int64) - np.cumsum(
        sketch_counts.astype(np.int64), dtype=np.int64)
    return int(np.abs(gap).max()) if len(gap) else 0


def sketched(exact: FeatureCounts, k: int, module: Any) -> SketchedFeature:
    """A numeric feature as a KLL sketch of size ``k``; kept exactly when its distinct
    values are no more than the sketch would retain, or it is not numeric."""
    import numpy as np

    if exact.kind != "numeric" or exact.present == 0:
        return SketchedFeature(exact, None)
    # The sketch sees each row as the position of its value among the distinct values, so
    # every type (int64, decimal, float64) is kept exactly and no value is rounded.
    sketch = module.kll_doubles_sketch(k)
    positions = np.arange(len(exact.values), dtype=np.float64)
    fed = np.concatenate([[0], np.cumsum(exact.counts, dtype=np.int64)])
    start = 0
    while start < len(positions):
        stop = max(start + 1, int(np.searchsorted(fed, fed[start] + FEED_ROWS, "right")) - 1)
        sketch.update(np.repeat(positions[start:stop], exact.counts[start:stop]))
        start = stop
    if len(exact.values) <= sketch.num_retained:
        return SketchedFeature(exact, 0.0)
    retained = np.asarray(list(sketch), dtype=np.float64).reshape(-1, 2)
    indexes = retained[:, 0].astype(np.int64)
    weights = retained[:, 1].astype(np.int64)
    kept, where = np.unique(indexes, return_inverse=True)
    summed = np.bincount(where, weights=weights).astype(np.int64)
    if int(summed.sum()) != exact.present:
        raise AssertionError(f"the sketch of {exact.feature!r} holds {summed.sum()} rows, "
                             f"not {exact.present}")
    import pyarrow as pa

    counts = replace(exact, values=exact.values.take(pa.array(kept)), counts=summed)
    error_rows = _rank_error_rows(exact, indexes, weights)
    return SketchedFeature(counts, error_rows / exact.present)


def sketched_features(features: Sequence[FeatureCounts], options: CheckOptions
                      ) -> list[SketchedFeature]:
    """The features as the check's ``snapshot_profile`` keeps them."""
    k = sketch_size(options.snapshot_profile)
    if k is None:
        return [SketchedFeature(counts, None) for counts in features]
    module = datasketches(options)
    return [sketched(counts, k, module) for counts in features]


def rank_errors(header: SnapshotHeader) -> dict[str, float]:
    """Each sketched feature's rank error; empty for an exact snapshot."""
    if not is_sketch(header.profile):
        return {}
    return {entry.name: entry.rank_error for entry in header.features
            if entry.rank_error is not None}


def check_tests(errors: Mapping[str, float], options: CheckOptions, path: object) -> None:
    """Only the KS test has a bound from the sketch: a sketched feature tested another way
    (or as categories) is an input error naming the snapshot and the fix."""
    for feature in errors:
        test = (options.tests or {}).get(feature) or options.numeric_test
        as_category = options.categorical is not None and feature in options.categorical
        if test != "ks" or as_category:
            how = "as categories" if as_category else f"with {test}"
            raise DriftInputError(
                f"snapshot {path} keeps {feature!r} as a KLL sketch, which bounds only the "
                f"KS statistic, but this check tests it {how}. Test it with ks, or save "
                "the snapshot exactly (snapshot_profile='exact', then pytest "
                "--drift-update-baseline).")


def bounded(result: FeatureResult, interval: tuple[float, float], rank_error: float
            ) -> FeatureResult:
    """A KS result against a sketch, with the bound on its statistic and its p-value as
    the interval the bound allows."""
    return replace(result, statistic_bound=rank_error, p_value_interval=interval)


def interval_of(result: FeatureResult, rank_error: float) -> tuple[float, float]:
    """The p-value interval of a KS result against a sketch of this rank error."""
    from pytest_drift.stats.ks import p_value_interval

    assert result.ks_statistic is not None, "a sketched feature is tested with ks"
    return p_value_interval(result.baseline_n, result.candidate_n, result.ks_statistic,
                            round(rank_error * result.baseline_n))


def bound_results(results: Mapping[str, FeatureResult | str], errors: Mapping[str, float],
                  workers: int = 1) -> dict[str, FeatureResult | str]:
    """The results of a check against a sketched snapshot, each sketched feature's bounded.
    Each end of an interval is a p-value as slow as the feature's own (scipy's asymptotic
    distribution sums O(n) terms near significance), so they are computed on up to
    ``workers`` forked processes."""
    from pytest_drift.parallel import Workers

    sketched = [(name, result) for name, result in results.items()
                if not isinstance(result, str) and name in errors]
    bounded_results = dict(results)
    with Workers(min(workers, len(sketched)), lambda index: None) as pool:
        for index, interval in pool.call(
                interval_of, [(result, errors[name]) for name, result in sketched]):
            name, result = sketched[index]
            bounded_results[name] = bounded(result, interval, errors[name])
    return bounded_results
