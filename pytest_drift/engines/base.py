"""What every engine provides: a check's two datasets, reduced feature by feature to the
small statistics that the tests, effect sizes and charts need.

An engine never computes a p-value or a verdict: those come from the same scipy functions
for every engine (:mod:`pytest_drift.evaluate`), so every engine gives the same report.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pytest_drift.errors import DriftUsageError
from pytest_drift.stats.ks import KsGap, KsResult

if TYPE_CHECKING:
    import pyarrow as pa

    from pytest_drift.columns import CategoryCounts, KindInfo, NumericColumn
    from pytest_drift.engines.steps import Bins, Reduction
    from pytest_drift.options import CheckOptions
    from pytest_drift.segments import SegmentKey
    from pytest_drift.snapshots.counts import FeatureCounts


@dataclass(frozen=True)
class NumericSummary:
    """A numeric feature reduced to what its result reports: small, whatever the rows."""

    gap: KsGap
    #: None while a costly p-value waits to be scheduled (see ``evaluate_features``).
    ks: KsResult | None
    baseline_missing: int
    candidate_missing: int
    baseline_infinite: int
    candidate_infinite: int
    baseline_mean: float
    candidate_mean: float
    wasserstein: float
    bins: Bins
    min_detectable_ks: float
    chart: dict[str, Any] | None


class Side(Protocol):
    """What a numeric feature's summary reports of one side besides its reduction."""

    @property
    def missing(self) -> int: ...

    @property
    def infinite(self) -> int: ...

    @property
    def mean(self) -> float: ...


def numeric_summary(reduction: Reduction, bins: Bins, chart: dict[str, Any] | None,
                    train: Side, prod: Side, alpha: float, defer_costly: bool = False
                    ) -> NumericSummary:
    """The summary of a reduced numeric feature; with ``defer_costly`` a slow p-value is
    left out (``ks`` None)."""
    from pytest_drift.stats.effects import min_detectable_ks
    from pytest_drift.stats.ks import ks_test, p_value_cost

    gap = reduction.gap
    costly = defer_costly and p_value_cost(gap) > 1
    return NumericSummary(
        gap=gap, ks=None if costly else ks_test(gap),
        baseline_missing=train.missing, candidate_missing=prod.missing,
        baseline_infinite=train.infinite, candidate_infinite=prod.infinite,
        baseline_mean=train.mean, candidate_mean=prod.mean,
        wasserstein=reduction.wasserstein, bins=bins,
        min_detectable_ks=min_detectable_ks(gap.n_baseline, gap.n_candidate, alpha),
        chart=chart,
    )


class Engine(Protocol):
    """One check's baseline and candidate, as an engine holds them."""

    #: The engine's name, as the report records it.
    name: str
    #: Rows of the baseline and of the candidate.
    rows: tuple[int, int]
    #: Whether features may be reduced on forked worker processes (data in this process).
    forkable: bool

    def kinds(self, feature: str) -> tuple[KindInfo, KindInfo]:
        """How the feature would be tested on each side (numeric, categorical, ...)."""

    def summarize(self, feature: str, options: CheckOptions, charts: bool,
                  defer_costly: bool = False) -> NumericSummary | str:
        """A numeric feature's summary, or the reason it is skipped. With ``defer_costly``
        a slow p-value is left out (``ks`` None) for the caller to schedule."""

    def values(self, feature: str, options: CheckOptions
               ) -> tuple[NumericColumn, NumericColumn] | str:
        """A numeric feature's values on both sides (for tests that need every value), or
        the reason it is skipped."""

    def categories(self, feature: str) -> tuple[CategoryCounts, CategoryCounts]:
        """Both sides' counts per category."""

    def weight(self, feature: str) -> int:
        """How costly the feature is to reduce, relative to the others (for scheduling)."""

    def feature_counts(self, role: str, feature: str, as_category: bool) -> FeatureCounts:
        """One side's feature as a snapshot keeps it (``role``: ``baseline`` or
        ``candidate``): sorted distinct values with counts, or counts per category when
        ``as_category`` or the column holds categories."""

    def segment_rows(self, role: str, by: Sequence[str]) -> dict[SegmentKey, int]:
        """One side's rows per segment of the ``by`` columns (:mod:`pytest_drift.segments`)."""

    def segment_engines(self, by: Sequence[str], keys: Sequence[SegmentKey],
                        as_categories: Mapping[str, bool]) -> Iterator[tuple[SegmentKey, Any]]:
        """Each segment's data as an engine of its own (both sides' rows of that segment):
        ``as_categories`` names the features to keep, true for those tested as categories.
        The rows of all segments are found at once, never one query per segment."""


def too_few(n_baseline: int, n_candidate: int, min_samples: int) -> str | None:
    """The reason a feature with these counts of values is skipped, if it is."""
    for side, n in (("baseline", n_baseline), ("candidate", n_candidate)):
        if n < min_samples:
            return f"{n} non-missing values in {side}, fewer than min_samples={min_samples}"
    return None


def empty_side(baseline_n: int, baseline_infinite: int, candidate_n: int, candidate_infinite: int
               ) -> str | None:
    """The reason a numeric feature with no finite value on a side is skipped."""
    for side, n, infinite in (("baseline", baseline_n, baseline_infinite),
                              ("candidate", candidate_n, candidate_infinite)):
        if n == 0:
            return f"entirely {'±inf' if infinite else 'missing'} in {side}"
    return None


def engine_module(module: str, engine: str, needs: str, install: str, origin: str) -> Any:
    """The module an engine runs on, or a usage error that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DriftUsageError(
            "engine", engine, origin,
            f"the {engine} engine needs {needs}, which is not installed: {install}",
        ) from None


def memory_only_test(engine: str, feature: str, options: CheckOptions) -> DriftUsageError:
    """The usage error of a numeric test other than KS on an engine that keeps the values
    where they are: such tests need every value in memory."""
    per_feature = (options.tests or {}).get(feature)
    option = "tests" if per_feature else "numeric_test"
    value = options.tests if per_feature else options.numeric_test
    return DriftUsageError(
        option, value, options.origins.get(option, option),
        f"feature {feature!r}: only ks tests numeric features on the {engine} engine (the "
        "other tests need every value in memory); use engine='memory' for this check",
    )


class InPlaceEngine:
    """What the engines that reduce the data where it lies (a database, a cluster) share:
    nothing to fork to worker processes, every feature about as costly, numeric tests
    that need every value in memory refused, categories and snapshot counts from one
    side's counts per value. ``sides`` holds each role's opened dataset."""

    name: str
    forkable = False
    sides: dict[str, Any]

    @property
    def rows(self) -> tuple[int, int]:
        return self.sides["baseline"].rows, self.sides["candidate"].rows

    def weight(self, feature: str) -> int:
        return 1

    def values(self, feature: str, options: CheckOptions
               ) -> tuple[NumericColumn, NumericColumn] | str:
        raise memory_only_test(self.name, feature, options)

    def kinds(self, feature: str) -> tuple[KindInfo, KindInfo]:
        raise NotImplementedError

    def side_categories(self, role: str, feature: str) -> CategoryCounts:
        """One side's counts per category (NaN is missing, not a category)."""
        raise NotImplementedError

    def value_counts(self, role: str, feature: str) -> tuple[pa.Array, pa.Array]:
        """One side's distinct values of a numeric column (nulls, NaN and ±inf among them,
        in any order) and how many rows hold each, as a ``GROUP BY`` gives them."""
        raise NotImplementedError

    def categories(self, feature: str) -> tuple[CategoryCounts, CategoryCounts]:
        return self.side_categories("baseline", feature), self.side_categories(
            "candidate", feature)

    def feature_counts(self, role: str, feature: str, as_category: bool) -> FeatureCounts:
        from pytest_drift.snapshots.counts import categorical_counts, empty_counts, stored_kind

        kind = stored_kind(feature, self.kinds(feature)[0 if role == "baseline" else 1].kind,
                           as_category)
        if kind == "empty":
            return empty_counts(feature, self.sides[role].rows)
        if kind == "categorical":
            counted = self.side_categories(role, feature)
            return categorical_counts(feature, counted.counts, counted.missing)
        return grouped_counts(feature, *self.value_counts(role, feature))

    def grouped_counts(self, role: str, by: Sequence[str], feature: str | None) -> pa.Table:
        """One side's rows per segment of the ``by`` columns (and per value of ``feature``),
        one ``GROUP BY``: columns :func:`pytest_drift.segments.grouped_names`, then
        ``VALUE_COLUMN`` (with a feature) and ``ROWS_COLUMN``."""
        raise NotImplementedError

    def segment_rows(self, role: str, by: Sequence[str]) -> dict[SegmentKey, int]:
        from pytest_drift.segments import grouped_rows

        return grouped_rows(self.grouped_counts(role, by, None), by)

    def segment_engines(self, by: Sequence[str], keys: Sequence[SegmentKey],
                        as_categories: Mapping[str, bool]) -> Iterator[tuple[SegmentKey, Any]]:
        """Each segment as a memory engine over its counts per value, rebuilt as columns
        (as a snapshot is read): one ``GROUP BY`` per side and feature for all segments."""
        import pyarrow as pa

        from pytest_drift.engines.in_memory import MemoryEngine
        from pytest_drift.segments import split_grouped

        wanted = set(keys)
        columns: dict[str, dict[SegmentKey, dict[str, pa.Array]]] = {
            role: {key: {} for key in keys} for role in ("baseline", "candidate")}
        for feature, as_category in as_categories.items():
            for role, by_segment in columns.items():
                for key, (values, counts) in split_grouped(
                        self.grouped_counts(role, by, feature), by).items():
                    if key in wanted:
                        by_segment[key][feature] = rebuilt_column(feature, values, counts,
                                                                  as_category)
        for key in keys:
            yield key, MemoryEngine(pa.table(columns["baseline"][key]),
                                    pa.table(columns["candidate"][key]))


def rebuilt_column(feature: str, values: pa.Array, counts: pa.Array, as_category: bool
                   ) -> pa.Array:
    """A feature's column again from its counts per value (a ``GROUP BY``), as a snapshot
    is read: as categories, or as numbers in their exact type."""
    from pytest_drift.columns import counts_of_values
    from pytest_drift.segments import category_pairs
    from pytest_drift.snapshots.counts import as_column, categorical_counts

    if as_category:
        counted = counts_of_values(category_pairs(values, counts))
        return as_column(categorical_counts(feature, counted.counts, counted.missing))
    return as_column(grouped_counts(feature, values, counts))


def grouped_counts(feature: str, values: pa.Array, counts: pa.Array) -> FeatureCounts:
    """A numeric feature as a snapshot keeps it, from its counts per value (any order;
    nulls, NaN and ±inf among the values; -0.0 and 0.0 one value, as numpy holds them)."""
    import numpy as np
    import pyarrow as pa

    from pytest_drift.snapshots.counts import FeatureCounts, exact_values

    rows = np.asarray(counts.to_numpy(zero_copy_only=False), dtype=np.int64)
    valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    missing = int(rows[~valid].sum())
    present, rows = values.filter(pa.array(valid)), rows[valid]
    positive = negative = 0
    if pa.types.is_floating(present.type):
        floats = present.cast(pa.float64()).to_numpy()
        missing += int(rows[np.isnan(floats)].sum())
        positive = int(rows[np.isposinf(floats)].sum())
        negative = int(rows[np.isneginf(floats)].sum())
        finite = np.isfinite(floats)
        numbers, rows = floats[finite], rows[finite]
    else:
        numbers = present.to_numpy(zero_copy_only=False)  # Decimals as objects
    distinct, index = np.unique(numbers, return_inverse=True)
    summed = np.zeros(len(distinct), dtype=np.int64)
    np.add.at(summed, index.reshape(-1), rows)
    return FeatureCounts(feature, "numeric", exact_values(distinct), summed, missing,
                         positive, negative)
