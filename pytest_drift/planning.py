"""The plan stage: which features a check tests, which it skips before reading any value, and
the checks on each dataset's columns (names given to options exist, no duplicate names, rows).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.options import CheckOptions

#: The options that name columns, checked against the datasets' columns.
NAMING_OPTIONS = ("features", "categorical", "exclude", "tests", "waive")


@dataclass(frozen=True)
class CheckPlan:
    """The features a check tests, in order, and those skipped before loading (reasons):
    among them the columns of one dataset only, which the schema section reports as added
    (candidate only) or removed (baseline only)."""

    tested: list[str]
    skipped: dict[str, str] = field(default_factory=dict)
    only_in_baseline: list[str] = field(default_factory=list)
    only_in_candidate: list[str] = field(default_factory=list)


def describe_source(source: Any) -> str:
    """A source as the report names it before loading: the path, or the object's type."""
    if source is None or isinstance(source, str):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def files_text(files: Sequence[str]) -> str:
    """`` (a.csv, b.csv, c.csv and 2 more)``: the files behind a dataset, for messages."""
    if not files:
        return ""
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return f" ({shown})"


def plan_features(options: CheckOptions, baseline_columns: Sequence[str],
                  candidate_columns: Sequence[str]) -> CheckPlan:
    """Choose the features to test and list the ones skipped before loading, with reasons.

    A name that is no column of either dataset is a usage error that names both datasets.
    """
    datasets = " ({})".format(" and ".join(
        f"{role} {describe_source(getattr(options, role))!r}"
        for role in ("baseline", "candidate")))
    everywhere = list(dict.fromkeys([*baseline_columns, *candidate_columns]))
    for option in NAMING_OPTIONS:
        names = list(getattr(options, option) or ())
        # Session-wide categorical/exclude lists (flag, ini) may name columns that only some
        # checks' datasets have; a check's own list must name real columns.
        session_wide = options.sources.get(option) in ("command line", "ini")
        if names and (option == "features" or not session_wide):
            _refuse_unknown(option, names, everywhere, options.origins.get(option, option),
                            datasets)
    wanted = list(options.features) if options.features is not None else everywhere
    excluded = set(options.exclude)
    plan = CheckPlan([])
    for feature in wanted:
        if feature in excluded:
            continue
        if feature not in baseline_columns:
            plan.skipped[feature] = "missing from baseline"
            if feature in candidate_columns:
                plan.only_in_candidate.append(feature)
        elif feature not in candidate_columns:
            plan.skipped[feature] = "missing from candidate"
            plan.only_in_baseline.append(feature)
        else:
            plan.tested.append(feature)
    return plan


def columns_to_read(options: CheckOptions, plan: CheckPlan | None) -> list[str] | None:
    """The columns both datasets must provide, when they are known before loading."""
    if plan is not None:
        return plan.tested
    if options.features is not None:
        return [f for f in options.features if f not in set(options.exclude)]
    return None


def checked_columns(role: str, description: str, files: Sequence[str], peeked: list[str] | None,
                    loaded: list[str], rows: int, options: CheckOptions) -> list[str]:
    """The dataset's column names (all of them when known before loading, else the loaded
    ones); duplicate names and an empty table are input errors."""
    from pytest_drift.columns import duplicated

    where = (f"{role} {description!r} (from {options.origins.get(role, role)})"
             f"{files_text(files)}")
    names = peeked if peeked is not None else loaded
    twins = duplicated(names) or duplicated(loaded)
    if twins:
        raise DriftInputError(
            f"{where} has duplicate column names {', '.join(map(repr, twins))}: a column must "
            "be named once. Rename the copies."
        )
    if rows == 0:
        raise DriftInputError(
            f"{where} has no data rows: the job that wrote it produced a header only, or "
            "nothing."
        )
    return names


def _refuse_unknown(option: str, names: Sequence[str], columns: Sequence[str], origin: str,
                    datasets: str) -> None:
    unknown = [n for n in names if n not in columns]
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, columns, n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise DriftUsageError(
        option, list(names), origin,
        f"unknown feature {', '.join(hints)}; the datasets{datasets} have columns: "
        f"{', '.join(columns)}",
    )
