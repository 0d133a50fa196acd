"""Frozen result objects: one per feature, one per check, each with ``to_json()``.

``to_json()`` returns plain Python values (no numpy scalars). Non-finite floats are kept as
they are here; the report writer maps them to ``null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pytest_drift.schema_changes import SchemaChanges

Status = Literal["NORMAL", "DRIFT_DETECTED", "UNDECIDED", "ERROR", "SKIPPED"]
NORMAL: Status = "NORMAL"
DRIFT_DETECTED: Status = "DRIFT_DETECTED"
#: Against a sketched baseline, the bounds leave the gate on both sides of its threshold.
UNDECIDED: Status = "UNDECIDED"
ERROR: Status = "ERROR"
#: A segment not tested: too few rows, or seen on one side only.
SKIPPED: Status = "SKIPPED"
#: Worst first: the session status is the first of these that any check has.
STATUS_ORDER: tuple[Status, ...] = (ERROR, DRIFT_DETECTED, UNDECIDED, NORMAL, SKIPPED)
#: The statuses that fail the gate: an undecided gate never passes.
FAILING: tuple[Status, ...] = (DRIFT_DETECTED, UNDECIDED)


def over_threshold(features_tested: int, features_with_drift: int, threshold: float) -> bool:
    """``drift_percentage > threshold``, the gate's rule."""
    # Compared without dividing: 7 of 25 is exactly 28%, not 28.000000000000004%.
    return features_with_drift * 100 > threshold * features_tested


@dataclass(frozen=True)
class CategoryShift:
    """The category whose share changed most between baseline and candidate."""

    category: str
    baseline_share: float
    candidate_share: float

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "train_share": self.baseline_share,
            "prod_share": self.candidate_share,
        }


@dataclass(frozen=True)
class FeatureResult:
    """The test of one feature, its effect sizes and the verdict on it.

    ``statistic`` is the chosen test's statistic (KS D, chi-square, Cramér-von Mises,
    Anderson-Darling, or PSI for the ``psi`` test, which has no p-value). ``ks_statistic``
    is KS D for every numeric feature, whatever its test. Counts (``train_n``, ``prod_n``)
    are of the non-missing values tested. ``decided_by`` names the rule that set
    ``drift_detected``.
    """

    name: str
    kind: Literal["numeric", "categorical"]
    test: str
    statistic: float
    p_value: float | None
    drift_detected: bool
    baseline_n: int
    candidate_n: int
    baseline_missing: int = 0
    candidate_missing: int = 0
    baseline_infinite: int = 0
    candidate_infinite: int = 0
    baseline_mean: float | None = None
    candidate_mean: float | None = None
    ks_statistic: float | None = None
    statistic_location: float | int | Decimal | None = None
    dof: int | None = None
    top_category: CategoryShift | None = None
    notes: tuple[str, ...] = ()
    adjusted_p_value: float | None = None
    decided_by: str = "p_value"
    effect: float | None = None
    wasserstein: float | None = None
    psi: float | None = None
    psi_bins: int | None = None
    js_distance: float | None = None
    cramers_v: float | None = None
    new_categories: tuple[str, ...] = ()
    gone_categories: tuple[str, ...] = ()
    #: Rows of each new category in the candidate and of each gone one in the baseline
    #: (the report gives them in its ``schema`` section, not per feature).
    new_category_rows: tuple[int, ...] = field(default=(), repr=False)
    gone_category_rows: tuple[int, ...] = field(default=(), repr=False)
    min_detectable_ks: float | None = None
    missing_p_value: float | None = None
    missing_drift: bool = False
    waiver: str | None = None
    #: Against a sketched baseline: the largest error of ``statistic`` (the sketch's rank
    #: error), the p-value's interval (at the largest statistic, at the smallest), and
    #: whether the verdict depends on where in the interval the p-value is.
    statistic_bound: float | None = None
    p_value_interval: tuple[float, float] | None = None
    undecided: bool = False
    #: What the HTML report draws (ECDFs or category shares); not in the JSON report.
    chart: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def baseline_missing_share(self) -> float:
        total = self.baseline_n + self.baseline_missing + self.baseline_infinite
        return (self.baseline_missing + self.baseline_infinite) / total if total else 0.0

    @property
    def candidate_missing_share(self) -> float:
        total = self.candidate_n + self.candidate_missing + self.candidate_infinite
        return (self.candidate_missing + self.candidate_infinite) / total if total else 0.0

    def to_json(self, *, charts: bool = False) -> dict[str, Any]:
        """The feature's entry under ``details`` in the report (``charts``: with the data
        the HTML report draws, which the JSON report leaves out)."""
        entry: dict[str, Any] = {
            "test": self.test,
            "kind": self.kind,
            "statistic": self.statistic,
            "ks_statistic": self.ks_statistic,
        }
        if self.test == "chi2":
            entry["chi2_statistic"] = self.statistic
            entry["dof"] = self.dof
        # The report keeps analyze_drift.py's train_*/prod_* keys (baseline/candidate in
        # code): reports and dashboards written against it still read every field.
        entry.update({
            "p_value": self.p_value,
            "adjusted_p_value": self.adjusted_p_value,
            "drift_detected": self.drift_detected,
            "decided_by": self.decided_by,
            "train_mean": self.baseline_mean,
            "prod_mean": self.candidate_mean,
            "train_n": self.baseline_n,
            "prod_n": self.candidate_n,
            "train_missing": self.baseline_missing,
            "prod_missing": self.candidate_missing,
            "train_infinite": self.baseline_infinite,
            "prod_infinite": self.candidate_infinite,
            "train_missing_share": self.baseline_missing_share,
            "prod_missing_share": self.candidate_missing_share,
            "missing_p_value": self.missing_p_value,
            "missing_drift": self.missing_drift,
            "effect": self.effect,
        })
        if self.kind == "numeric":
            entry.update(statistic_location=self.statistic_location,
                         wasserstein=self.wasserstein,
                         min_detectable_ks=self.min_detectable_ks)
        entry.update(psi=self.psi, psi_bins=self.psi_bins, js_distance=self.js_distance)
        if self.kind == "categorical":
            entry.update(cramers_v=self.cramers_v, new_categories=list(self.new_categories),
                         gone_categories=list(self.gone_categories))
        if self.top_category is not None:
            entry["top_category"] = self.top_category.to_json()
        entry["waiver"] = self.waiver
        if self.statistic_bound is not None:
            entry.update(statistic_bound=self.statistic_bound,
                         p_value_interval=list(self.p_value_interval or ()),
                         undecided=self.undecided)
        entry["notes"] = list(self.notes)
        if charts and self.chart is not None:
            entry["chart"] = dict(self.chart)
        return entry


@dataclass(frozen=True)
class DriftReport:
    """The result of one check: every tested feature, the skipped ones, and the verdict.

    Attributes mirror the fields of the JSON report (``to_json()``); ``details`` maps each
    tested feature to its :class:`FeatureResult`, in column order.
    """

    name: str
    baseline: str
    candidate: str
    status: Status
    alpha: float
    threshold: float
    mode: str
    baseline_rows: int | None = None
    candidate_rows: int | None = None
    details: Mapping[str, FeatureResult] = field(default_factory=dict)
    skipped_features: Mapping[str, str] = field(default_factory=dict)
    nodeid: str | None = None
    timestamp: str = ""
    baseline_files: tuple[str, ...] = ()
    candidate_files: tuple[str, ...] = ()
    option_sources: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    duration_seconds: float | None = None
    engine: str = "memory"
    correction: str = "none"
    min_effect: float | None = None
    #: The chance that this gate fails on stable data (see stats/false_alarm.py).
    false_alarm_probability: float | None = None
    notes: tuple[str, ...] = ()
    #: The snapshot the check read or wrote: name, path, action (``read``, ``created``,
    #: ``updated``, ``unchanged``), rows, source, profile and the changes per feature.
    snapshot: Mapping[str, Any] | None = None
    #: The baseline is a sketched snapshot: statistics are bounded, p-values intervals.
    approximate: bool = False
    #: Columns added, removed or retyped, categories new or gone (None: the check could
    #: not run).
    schema: SchemaChanges | None = None
    #: A segment's check: ``family`` (the check's name), ``by``, ``key`` (column → value),
    #: ``label`` (``country=FR``), ``only_in`` (the side a one-sided segment is on) and
    #: ``skipped`` (why it was not tested).
    segment: Mapping[str, Any] | None = None
    #: A windowed check (``window``): the window, its gate, the windows (start, end, rows,
    #: status, drift percentage, drifted features, why one was skipped), which one decided
    #: and the first that crossed the threshold; ``details`` are the deciding window's.
    windows: Mapping[str, Any] | None = None

    @property
    def waived_features(self) -> dict[str, str]:
        """Features whose drift a waiver keeps out of the count, with the waiver."""
        return {name: r.waiver for name, r in self.details.items() if r.waiver is not None}

    @property
    def features_tested(self) -> int:
        return len(self.details)

    @property
    def drifted_features(self) -> list[str]:
        """Names of the features whose test found drift, in column order."""
        return [name for name, result in self.details.items() if result.drift_detected]

    @property
    def features_with_drift(self) -> int:
        return len(self.drifted_features)

    @property
    def undecided_features(self) -> list[str]:
        """Features whose verdict the sketch's bound leaves open, in column order."""
        return [name for name, result in self.details.items() if result.undecided]

    @property
    def drift_percentage(self) -> float | None:
        """``features_with_drift / features_tested * 100``; None when nothing was tested."""
        if not self.details:
            return None
        return self.features_with_drift / self.features_tested * 100.0

    @property
    def approved(self) -> bool:
        """True when this run made the candidate the baseline's snapshot
        (``--drift-update-baseline``): what it drifted from is what was approved."""
        return bool(self.snapshot and self.snapshot.get("approved"))

    @property
    def gate_failed(self) -> bool:
        """True when the gate fails the test: drift detected (or undecided against a
        sketch), and not approved."""
        return self.status in FAILING and not self.approved

    @property
    def passed(self) -> bool:
        """True when the gate passed (status NORMAL)."""
        return self.status == NORMAL

    def to_json(self, *, charts: bool = False) -> dict[str, Any]:
        """The check entry of the session report (fields of ``analyze_drift.py`` first);
        ``charts`` adds each feature's chart data, for the HTML report."""
        return {
            "name": self.name,
            "nodeid": self.nodeid,
            "timestamp": self.timestamp,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "train_samples": self.baseline_rows,
            "production_samples": self.candidate_rows,
            "features_tested": self.features_tested,
            "features_with_drift": self.features_with_drift,
            "drifted_features": self.drifted_features,
            "drift_percentage": self.drift_percentage,
            "threshold": self.threshold,
            "alpha": self.alpha,
            "correction": None if self.correction == "none" else self.correction,
            "status": self.status,
            "skipped_features": dict(self.skipped_features),
            "details": {name: result.to_json(charts=charts)
                        for name, result in self.details.items()},
            "mode": self.mode,
            "min_effect": self.min_effect,
            "false_alarm_probability": self.false_alarm_probability,
            "waived_features": self.waived_features,
            "notes": list(self.notes),
            "engine": self.engine,
            "baseline_files": list(self.baseline_files),
            "candidate_files": list(self.candidate_files),
            "option_sources": dict(self.option_sources),
            "error": self.error,
            "duration_seconds": self.duration_seconds,
            "snapshot": None if self.snapshot is None else dict(self.snapshot),
            "approximate": self.approximate,
            "undecided_features": self.undecided_features,
            "schema": None if self.schema is None else self.schema.to_json(),
            "segment": None if self.segment is None else dict(self.segment),
            "windows": None if self.windows is None else dict(self.windows),
        }
