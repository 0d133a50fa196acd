"""Every feature of a check: plan its test, have the engine reduce it, run the test on the
reduction, measure the effect sizes.

The verdict (correction, min_effect, waivers) comes after, over all features of the check,
in :mod:`pytest_drift.verdict`; here ``drift_detected`` is the raw ``p < alpha``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pytest_drift.engines.base import Engine, NumericSummary, too_few
from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.models import CategoryShift, FeatureResult
from pytest_drift.options import CheckOptions
from pytest_drift.stats.registry import (
    CategoricalData,
    Kind,
    NumericData,
    StatTest,
    TestOutcome,
    TestRegistry,
)

if TYPE_CHECKING:
    from pytest_drift.columns import CategoryCounts


def choose_test(feature: str, kind: Kind, options: CheckOptions, registry: TestRegistry
                ) -> StatTest:
    """The feature's test: ``tests={feature: ...}``, else the default for its kind."""
    per_feature = (options.tests or {}).get(feature)
    name = per_feature or (options.numeric_test if kind == "numeric" else
                           options.categorical_test)
    option = "tests" if per_feature else f"{kind}_test"
    test = registry.get(name)
    if test is None:
        raise DriftUsageError(option, name, options.origins.get(option, option),
                              f"unknown test; known tests: {', '.join(registry.names())}")
    if kind not in test.kinds:
        raise DriftUsageError(option, name, options.origins.get(option, option),
                              f"{name} does not test {kind} features ({feature!r}); "
                              f"it tests {', '.join(sorted(test.kinds))} ones")
    return test


@dataclass(frozen=True)
class FeatureTest:
    """A feature still to be reduced: how it is tested (as numbers or as categories) and
    by which test."""

    feature: str
    kind: Kind
    test: StatTest


Planned = str | FeatureTest


def plan_feature(feature: str, engine: Engine, options: CheckOptions,
                 names: Mapping[str, str], registry: TestRegistry) -> Planned:
    """Decide how a feature is tested: the reason it is skipped, or its plan.

    A numeric plan is completed by the engine's ``summarize`` and :func:`numeric_result`,
    a categorical one by the engine's ``categories`` and :func:`categorical_result`.
    """
    baseline_kind, candidate_kind = engine.kinds(feature)
    for side, info in (("baseline", baseline_kind), ("candidate", candidate_kind)):
        if info.kind == "empty":
            return f"entirely missing in {side}"
        if info.kind == "unsupported":
            return f"type {info.type_name} in {side} cannot be tested (list it in exclude)"
    as_category = options.categorical is not None and feature in options.categorical
    if not as_category and baseline_kind.kind != candidate_kind.kind:
        numeric, text = ("baseline", "candidate") if baseline_kind.kind == "numeric" else (
            "candidate", "baseline")
        origins = {role: options.origins.get(role, role) for role in names}
        raise DriftInputError(
            f"column {feature!r} is numeric in the {numeric} {names[numeric]!r} (from "
            f"{origins[numeric]}) but text in the {text} {names[text]!r} (from "
            f"{origins[text]}). Fix the data, or test it as categories "
            f"(categorical=[{feature!r}]) or skip it (exclude=[{feature!r}])."
        )
    if as_category or baseline_kind.kind == "categorical":
        return FeatureTest(feature, "categorical",
                           choose_test(feature, "categorical", options, registry))
    return FeatureTest(feature, "numeric", choose_test(feature, "numeric", options, registry))


def _missing_test(baseline_missing: int, baseline_n: int, candidate_missing: int, candidate_n: int
                  ) -> float:
    from pytest_drift.stats.effects import missing_change_p_value

    return missing_change_p_value(baseline_missing, baseline_missing + baseline_n,
                                  candidate_missing,
                                  candidate_missing + candidate_n)


def _numeric(plan: FeatureTest, engine: Engine, options: CheckOptions, charts: bool
             ) -> FeatureResult | str:
    """A numeric feature tested in this process, by KS or by a test that needs every value."""
    if plan.test.name == "ks":
        summary = engine.summarize(plan.feature, options, charts)
        return summary if isinstance(summary, str) else numeric_result(plan, summary, options)
    from pytest_drift.engines.in_memory import summarize_columns

    columns = engine.values(plan.feature, options)
    if isinstance(columns, str):
        return columns
    left, right = columns
    summary = summarize_columns(left, right, options.alpha, charts)
    outcome = plan.test.run(NumericData(left.values, right.values, summary.gap))
    return numeric_result(plan, summary, options, outcome)


def numeric_result(plan: FeatureTest, summary: NumericSummary, options: CheckOptions,
                   outcome: TestOutcome | None = None) -> FeatureResult:
    """The feature's result from its summary; ``outcome`` of a test other than KS."""
    from pytest_drift.stats.effects import js_distance, psi

    gap, ks, bins = summary.gap, summary.ks, summary.bins
    assert ks is not None, "the p-value is computed before the result"
    if outcome is None:
        outcome = TestOutcome(ks.statistic, ks.p_value, ks.notes)
    return FeatureResult(
        name=plan.feature, kind="numeric", test=plan.test.name,
        statistic=outcome.statistic, p_value=outcome.p_value,
        drift_detected=outcome.p_value is not None and outcome.p_value < options.alpha,
        baseline_n=gap.n_baseline, candidate_n=gap.n_candidate,
        baseline_missing=summary.baseline_missing, candidate_missing=summary.candidate_missing,
        baseline_infinite=summary.baseline_infinite, candidate_infinite=summary.candidate_infinite,
        baseline_mean=summary.baseline_mean, candidate_mean=summary.candidate_mean,
        ks_statistic=ks.statistic, statistic_location=gap.location, notes=outcome.notes,
        effect=ks.statistic,
        wasserstein=summary.wasserstein,
        psi=psi(bins.baseline_counts, bins.candidate_counts), psi_bins=len(bins.baseline_counts),
        js_distance=js_distance(bins.baseline_counts, bins.candidate_counts),
        min_detectable_ks=summary.min_detectable_ks,
        missing_p_value=_missing_test(summary.baseline_missing + summary.baseline_infinite,
                                      gap.n_baseline,
                                      summary.candidate_missing + summary.candidate_infinite,
                                      gap.n_candidate),
        chart=summary.chart,
    )


def categorical_result(plan: FeatureTest, left: CategoryCounts, right: CategoryCounts,
                       options: CheckOptions, charts: bool) -> FeatureResult | str:
    """Test the counts; a string is the reason the feature is skipped."""
    from pytest_drift.engines.memory import bars_chart, category_table
    from pytest_drift.stats.effects import cramers_v, js_distance, new_and_gone, psi

    feature, test = plan.feature, plan.test
    table = category_table(left.counts, right.counts)
    n_baseline, n_candidate = sum(table.baseline_counts), sum(table.candidate_counts)
    if n_baseline == 0 or n_candidate == 0:
        return f"entirely missing in {'baseline' if n_baseline == 0 else 'candidate'}"
    reason = too_few(n_baseline, n_candidate, options.min_samples)
    if reason:
        return reason
    outcome = test.run(CategoricalData(table.categories, table.baseline_counts,
                                       table.candidate_counts))
    new, gone = new_and_gone(table.categories, table.baseline_counts, table.candidate_counts)
    association = cramers_v(table.baseline_counts, table.candidate_counts)
    return FeatureResult(
        name=feature, kind="categorical", test=test.name,
        statistic=outcome.statistic, p_value=outcome.p_value,
        drift_detected=outcome.p_value is not None and outcome.p_value < options.alpha,
        baseline_n=n_baseline, candidate_n=n_candidate,
        baseline_missing=left.missing, candidate_missing=right.missing,
        dof=outcome.dof, notes=outcome.notes,
        top_category=top_shift(table.categories, table.baseline_counts, table.candidate_counts),
        effect=association, cramers_v=association,
        psi=psi(table.baseline_counts, table.candidate_counts), psi_bins=len(table.categories),
        js_distance=js_distance(table.baseline_counts, table.candidate_counts),
        new_categories=tuple(new), gone_categories=tuple(gone),
        new_category_rows=tuple(int(right.counts[category]) for category in new),
        gone_category_rows=tuple(int(left.counts[category]) for category in gone),
        missing_p_value=_missing_test(left.missing, n_baseline, right.missing, n_candidate),
        chart=bars_chart(table) if charts else None,
    )


def top_shift(categories: Sequence[str], train: Sequence[int], prod: Sequence[int]
              ) -> CategoryShift:
    """The category whose share changed most."""
    n_baseline, n_candidate = sum(train), sum(prod)
    shares: Mapping[str, tuple[float, float]] = {
        c: (t / n_baseline, p / n_candidate)
        for c, t, p in zip(categories, train, prod, strict=True)
    }
    category = max(categories, key=lambda c: abs(shares[c][1] - shares[c][0]))
    return CategoryShift(category, *shares[category])


#: Below this many values (both sides, all KS-tested numeric features) the check runs in
#: its own process: starting workers would cost more than it saves.
PARALLEL_MIN_VALUES = 1_000_000


def evaluate_features(features: Sequence[str], engine: Engine, options: CheckOptions,
                      names: Mapping[str, str], registry: TestRegistry, *,
                      charts: bool = False,
                      progress: Callable[[int, int], None] | None = None,
                      parallel_min_values: int | None = None,
                      ) -> dict[str, FeatureResult | str]:
    """Test every feature (a string result is the reason it was skipped), in order.

    Every feature is planned first, so a usage or input error surfaces before any heavy
    work. With an engine whose data is in this process, KS-tested and categorical features
    are then reduced on up to ``options.workers`` forked processes when there are enough
    values to pay for them, and slow p-values are computed last, longest first.
    """
    from pytest_drift.parallel import Workers, default_workers

    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(features))

    results: dict[str, FeatureResult | str | None] = dict.fromkeys(features)
    to_reduce: list[FeatureTest] = []
    for feature in features:
        planned = plan_feature(feature, engine, options, names, registry)
        if isinstance(planned, str):
            results[feature] = planned
            advance()
        elif planned.kind == "numeric" and planned.test.name != "ks":
            results[feature] = _numeric(planned, engine, options, charts)
            advance()
        else:
            to_reduce.append(planned)

    workers = options.workers or default_workers()
    values = len(to_reduce) * sum(engine.rows)
    minimum = PARALLEL_MIN_VALUES if parallel_min_values is None else parallel_min_values
    if values < minimum or not engine.forkable:
        workers = 1
    # Costliest first, so the last feature to finish is a short one.
    to_reduce.sort(key=lambda plan: -(2 if plan.kind == "categorical"
                                      else engine.weight(plan.feature)))

    def reduce(index: int) -> NumericSummary | str | tuple[CategoryCounts, CategoryCounts]:
        plan = to_reduce[index]
        if plan.kind == "categorical":
            return engine.categories(plan.feature)
        return engine.summarize(plan.feature, options, charts, defer_costly=workers > 1)

    from pytest_drift.stats.ks import ks_test, p_value_cost

    waiting: list[tuple[FeatureTest, NumericSummary]] = []
    with Workers(min(workers, len(to_reduce)), reduce) as pool:
        for index, summary in pool.indexed(len(to_reduce)):
            plan = to_reduce[index]
            if plan.kind == "categorical":
                left, right = summary
                results[plan.feature] = categorical_result(plan, left, right, options, charts)
            elif isinstance(summary, str):
                results[plan.feature] = summary
            else:
                assert isinstance(summary, NumericSummary)
                if summary.ks is None:
                    waiting.append((plan, summary))
                    continue
                results[plan.feature] = numeric_result(plan, summary, options)
            advance()
        # The slow p-values last and longest first, so both workers finish together.
        waiting.sort(key=lambda item: -p_value_cost(item[1].gap))
        for index, ks in pool.call(ks_test, [(summary.gap,) for _, summary in waiting]):
            plan, summary = waiting[index]
            results[plan.feature] = numeric_result(plan, replace(summary, ks=ks), options)
            advance()
    return {feature: result for feature, result in results.items() if result is not None}
