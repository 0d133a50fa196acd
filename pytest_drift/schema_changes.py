"""The schema stage: what changed shape between the baseline and the candidate, found beside
the tests: columns added, removed or retyped, and categories new in the candidate or gone
from it with their share of rows. ``schema='fail'`` makes any of them fail the gate; by
default they are reported and warned about (see :mod:`pytest_drift.schema_wording`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_drift.columns import KindInfo
    from pytest_drift.models import FeatureResult

#: Categories listed per feature and direction in the report, largest share first (the
#: counts and shares cover them all).
LISTED_CATEGORIES = 20


@dataclass(frozen=True)
class Retyped:
    """A column whose kind of values changed (numbers, categories, nothing, or an
    untestable type): see :func:`type_family`."""

    feature: str
    baseline_type: str
    candidate_type: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.feature, "baseline_type": self.baseline_type,
                "candidate_type": self.candidate_type}


@dataclass(frozen=True)
class CategoryChange:
    """One category seen on one side only: its rows there and their share of that side's
    non-missing values of the feature."""

    category: str
    rows: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "rows": self.rows, "share": self.share}


@dataclass(frozen=True)
class CategoryChanges:
    """A categorical feature's categories new in the candidate and gone from it."""

    feature: str
    new: tuple[CategoryChange, ...]
    gone: tuple[CategoryChange, ...]

    @property
    def count(self) -> int:
        return len(self.new) + len(self.gone)

    def to_json(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "new_count": len(self.new),
            "new_share": sum((change.share for change in self.new), 0.0),
            "new": [change.to_json() for change in _listed(self.new)],
            "gone_count": len(self.gone),
            "gone_share": sum((change.share for change in self.gone), 0.0),
            "gone": [change.to_json() for change in _listed(self.gone)],
        }


def _listed(changes: Sequence[CategoryChange]) -> list[CategoryChange]:
    return sorted(changes, key=lambda change: (-change.rows, change.category))[
        :LISTED_CATEGORIES]


@dataclass(frozen=True)
class SchemaChanges:
    """A check's schema findings and what its ``schema`` option makes of them."""

    policy: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    retyped: tuple[Retyped, ...] = ()
    categories: tuple[CategoryChanges, ...] = ()

    @property
    def changes(self) -> int:
        """Each column added, removed or retyped, and each category new or gone."""
        return (len(self.added) + len(self.removed) + len(self.retyped)
                + sum(feature.count for feature in self.categories))

    @property
    def failed(self) -> bool:
        """Whether the changes fail the gate (``schema='fail'``)."""
        return self.policy == "fail" and self.changes > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "changes": self.changes,
            "failed": self.failed,
            "columns_added": list(self.added),
            "columns_removed": list(self.removed),
            "columns_retyped": [retyped.to_json() for retyped in self.retyped],
            "categories": [feature.to_json() for feature in self.categories],
        }


def type_family(info: KindInfo) -> str:
    """What a retype is judged by: the kind of values a column holds (numbers, categories,
    nothing, or an untestable type by its name), not how they are stored. Integers, floats
    and decimals are all numbers: CSV inference types a file whose values happen to be whole
    as int64 and another as double, and pandas turns integers with a missing value into
    floats. String, bool and dictionary columns are all categories, as a snapshot keeps
    them."""
    if info.kind in ("numeric", "categorical"):
        return "numbers" if info.kind == "numeric" else "categories"
    name = info.type_name.lower()
    if info.kind == "empty" and name in ("null", "object", "void", "na"):
        return "nothing"
    if info.kind == "empty":  # a typed column with no value: its type's kind
        from pytest_drift.columns import KindInfo

        return type_family(KindInfo("numeric" if _numeric_name(name) else "categorical", name))
    return name


def _numeric_name(name: str) -> bool:
    return any(mark in name for mark in ("int", "float", "double", "decimal"))


def schema_changes(policy: str, only_in_baseline: Sequence[str],
                   only_in_candidate: Sequence[str],
                   kinds: Mapping[str, tuple[KindInfo, KindInfo]],
                   results: Mapping[str, FeatureResult | str],
                   as_categories: Sequence[str] = ()) -> SchemaChanges:
    """The check's schema findings: the columns on one side only (from the plan), the
    tested columns whose type family differs (``kinds``: each side's; a feature listed in
    ``categorical`` is compared as categories whatever its type), and each categorical
    result's categories new and gone."""
    retyped = tuple(
        Retyped(feature, baseline.type_name, candidate.type_name)
        for feature, (baseline, candidate) in kinds.items()
        if feature not in as_categories and type_family(baseline) != type_family(candidate))
    categories = tuple(
        changes for changes in (_category_changes(result) for result in results.values()
                                if not isinstance(result, str) and result.kind == "categorical")
        if changes.count)
    return SchemaChanges(policy, tuple(only_in_candidate), tuple(only_in_baseline), retyped,
                         categories)


def _category_changes(result: FeatureResult) -> CategoryChanges:
    new = tuple(CategoryChange(category, rows, rows / result.candidate_n)
                for category, rows in zip(result.new_categories, result.new_category_rows,
                                          strict=True))
    gone = tuple(CategoryChange(category, rows, rows / result.baseline_n)
                 for category, rows in zip(result.gone_categories, result.gone_category_rows,
                                           strict=True))
    return CategoryChanges(result.name, new, gone)
