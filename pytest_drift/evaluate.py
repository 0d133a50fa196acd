"""One feature: reduce its columns, run its test, measure the effect sizes.

The verdict (correction, min_effect, waivers) comes after, over all features of the check,
in :mod:`pytest_drift.verdict`; here ``drift_detected`` is the raw ``p < alpha``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.models import CategoryShift, FeatureResult
from pytest_drift.options import CheckOptions
from pytest_drift.stats.registry import (
    DEFAULTS,
    CategoricalData,
    Kind,
    NumericData,
    StatTest,
    TestOutcome,
    TestRegistry,
)


def choose_test(feature: str, kind: Kind, options: CheckOptions, registry: TestRegistry
                ) -> StatTest:
    """The feature's test: ``tests={feature: ...}``, else the default for its kind."""
    per_feature = (options.tests or {}).get(feature)
    name = per_feature or (options.numeric_test if kind == "numeric" else
                           options.categorical_test) or DEFAULTS[kind]
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


def evaluate_feature(feature: str, train: Any, prod: Any, options: CheckOptions,
                     names: Mapping[str, str], registry: TestRegistry) -> FeatureResult | str:
    """Test one feature; a string return is the reason it was skipped."""
    from pytest_drift.columns import column_kind

    train_kind, prod_kind = column_kind(train, feature), column_kind(prod, feature)
    for side, info in (("baseline", train_kind), ("candidate", prod_kind)):
        if info.kind == "empty":
            return f"entirely missing in {side}"
        if info.kind == "unsupported":
            return f"type {info.type_name} in {side} cannot be tested (list it in exclude)"
    as_category = options.categorical is not None and feature in options.categorical
    if not as_category and train_kind.kind != prod_kind.kind:
        numeric, text = ("baseline", "candidate") if train_kind.kind == "numeric" else (
            "candidate", "baseline")
        origins = {role: options.origins.get(role, role) for role in names}
        raise DriftInputError(
            f"column {feature!r} is numeric in the {numeric} {names[numeric]!r} (from "
            f"{origins[numeric]}) but text in the {text} {names[text]!r} (from "
            f"{origins[text]}). Fix the data, or test it as categories "
            f"(categorical=[{feature!r}]) or skip it (exclude=[{feature!r}])."
        )
    if as_category or train_kind.kind == "categorical":
        return _categorical(feature, train, prod, options, registry)
    return _numeric(feature, train, prod, options, registry)


def _too_few(n_train: int, n_prod: int, min_samples: int) -> str | None:
    for side, n in (("baseline", n_train), ("candidate", n_prod)):
        if n < min_samples:
            return f"{n} non-missing values in {side}, fewer than min_samples={min_samples}"
    return None


def _missing_test(train_missing: int, train_n: int, prod_missing: int, prod_n: int
                  ) -> float:
    from pytest_drift.stats.effects import missing_change_p_value

    return missing_change_p_value(train_missing, train_missing + train_n, prod_missing,
                                  prod_missing + prod_n)


def _numeric(feature: str, train: Any, prod: Any, options: CheckOptions,
             registry: TestRegistry) -> FeatureResult | str:
    from pytest_drift.columns import numeric_column
    from pytest_drift.engines.memory import ecdf_chart, ks_gap, numeric_bins, wasserstein
    from pytest_drift.stats.effects import js_distance, min_detectable_ks, psi
    from pytest_drift.stats.ks import ks_test

    left, right = numeric_column(train, feature), numeric_column(prod, feature)
    for side, column in (("baseline", left), ("candidate", right)):
        if column.values.size == 0:
            what = "±inf" if column.infinite else "missing"
            return f"entirely {what} in {side}"
    too_few = _too_few(left.values.size, right.values.size, options.min_samples)
    if too_few:
        return too_few
    test = choose_test(feature, "numeric", options, registry)
    gap = ks_gap(left.values, right.values)
    ks = ks_test(gap)
    outcome = (TestOutcome(ks.statistic, ks.p_value, ks.notes) if test.name == "ks"
               else test.run(NumericData(left.values, right.values, gap)))
    bins = numeric_bins(left.values, right.values)
    return FeatureResult(
        name=feature, kind="numeric", test=test.name,
        statistic=outcome.statistic, p_value=outcome.p_value,
        drift_detected=outcome.p_value is not None and outcome.p_value < options.alpha,
        train_n=gap.n_train, prod_n=gap.n_prod,
        train_missing=left.missing, prod_missing=right.missing,
        train_infinite=left.infinite, prod_infinite=right.infinite,
        train_mean=left.mean, prod_mean=right.mean,
        ks_statistic=ks.statistic, statistic_location=gap.location, notes=outcome.notes,
        effect=ks.statistic,
        wasserstein=wasserstein(left.values, right.values),
        psi=psi(bins.train_counts, bins.prod_counts), psi_bins=len(bins.train_counts),
        js_distance=js_distance(bins.train_counts, bins.prod_counts),
        min_detectable_ks=min_detectable_ks(gap.n_train, gap.n_prod, options.alpha),
        missing_p_value=_missing_test(left.missing + left.infinite, gap.n_train,
                                      right.missing + right.infinite, gap.n_prod),
        chart=ecdf_chart(left.values, right.values, gap.location),
    )


def _categorical(feature: str, train: Any, prod: Any, options: CheckOptions,
                 registry: TestRegistry) -> FeatureResult | str:
    from pytest_drift.columns import category_counts
    from pytest_drift.engines.memory import bars_chart, category_table
    from pytest_drift.stats.effects import cramers_v, js_distance, new_and_gone, psi

    left, right = category_counts(train, feature), category_counts(prod, feature)
    table = category_table(left.counts, right.counts)
    n_train, n_prod = sum(table.train_counts), sum(table.prod_counts)
    if n_train == 0 or n_prod == 0:
        return f"entirely missing in {'baseline' if n_train == 0 else 'candidate'}"
    too_few = _too_few(n_train, n_prod, options.min_samples)
    if too_few:
        return too_few
    test = choose_test(feature, "categorical", options, registry)
    outcome = test.run(CategoricalData(table.categories, table.train_counts,
                                       table.prod_counts))
    new, gone = new_and_gone(table.categories, table.train_counts, table.prod_counts)
    association = cramers_v(table.train_counts, table.prod_counts)
    return FeatureResult(
        name=feature, kind="categorical", test=test.name,
        statistic=outcome.statistic, p_value=outcome.p_value,
        drift_detected=outcome.p_value is not None and outcome.p_value < options.alpha,
        train_n=n_train, prod_n=n_prod,
        train_missing=left.missing, prod_missing=right.missing,
        dof=outcome.dof, notes=outcome.notes,
        top_category=top_shift(table.categories, table.train_counts, table.prod_counts),
        effect=association, cramers_v=association,
        psi=psi(table.train_counts, table.prod_counts), psi_bins=len(table.categories),
        js_distance=js_distance(table.train_counts, table.prod_counts),
        new_categories=tuple(new), gone_categories=tuple(gone),
        missing_p_value=_missing_test(left.missing, n_train, right.missing, n_prod),
        chart=bars_chart(table),
    )


def top_shift(categories: Sequence[str], train: Sequence[int], prod: Sequence[int]
              ) -> CategoryShift:
    """The category whose share changed most."""
    n_train, n_prod = sum(train), sum(prod)
    shares: Mapping[str, tuple[float, float]] = {
        c: (t / n_train, p / n_prod) for c, t, p in zip(categories, train, prod, strict=True)
    }
    category = max(categories, key=lambda c: abs(shares[c][1] - shares[c][0]))
    return CategoryShift(category, *shares[category])
