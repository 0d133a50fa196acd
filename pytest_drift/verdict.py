"""The decide and gate stages: from the features' raw results to their verdicts (correction,
min_effect, missing values, waivers), the check's status, and what the gate would do on
stable data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from pytest_drift.errors import DriftUsageError
from pytest_drift.models import (
    DRIFT_DETECTED,
    ERROR,
    NORMAL,
    UNDECIDED,
    FeatureResult,
    Status,
    over_threshold,
)
from pytest_drift.options import CheckOptions
from pytest_drift.waivers import Waiver, parse_waiver

#: Above this chance of failing on stable data, the check says so.
FALSE_ALARM_WARNING = 0.10
#: A candidate under this share of the baseline's rows gets a note.
SMALL_CANDIDATE = 0.05


def active_waivers(options: CheckOptions, today: dt.date) -> dict[str, Waiver]:
    """The check's waivers; an expired one is an error that names it."""
    waivers = {f: parse_waiver(f, text) for f, text in (options.waive or {}).items()}
    expired = [w for w in waivers.values() if w.expired(today)]
    if expired:
        names = "; ".join(f"{w.feature!r} ({w.reason}) expired on {w.until.isoformat()}"
                          for w in expired)
        raise DriftUsageError(
            "waive", dict(options.waive or {}), options.origins.get("waive", "waive"),
            f"the waiver of {names}: look at the drift again, then remove the waiver or "
            "give it a new date",
        )
    return waivers


def _adjusted(results: Sequence[FeatureResult], correction: str, end: int | None = None
              ) -> dict[str, float]:
    """Each tested feature's adjusted p-value; ``end`` 0 or 1 takes that end of a bounded
    p-value's interval. The corrections are monotone in every p-value, so the adjusted
    ends bound the adjusted p-value."""
    from pytest_drift.stats.corrections import adjust

    tested = [r for r in results if r.p_value is not None]
    p_values = [float(r.p_value_interval[end] if r.p_value_interval and end is not None
                      else r.p_value or 0.0) for r in tested]
    return dict(zip((r.name for r in tested), adjust(p_values, correction), strict=True))


def decide(results: Sequence[FeatureResult], options: CheckOptions,
           waivers: dict[str, Waiver]) -> list[FeatureResult]:
    """Each feature's verdict, with the rule that decided it (``decided_by``).

    A bounded result (against a sketched baseline) is decided twice, at the end of its
    interval that favours drift and at the other: a verdict the two ends disagree on is
    undecided, never passed.
    """
    point = _adjusted(results, options.correction)
    at_least = _adjusted(results, options.correction, 0)
    at_most = _adjusted(results, options.correction, 1)
    decided = []
    for result in results:
        bound = result.statistic_bound or 0.0
        verdicts = []
        for adjusted, effect in ((at_least, (result.effect or 0.0) + bound),
                                 (at_most, (result.effect or 0.0) - bound)):
            adjusted_p = adjusted.get(result.name)
            if result.p_value is None:  # a distance test such as psi
                drift, rule = result.statistic >= options.psi_threshold, "psi_threshold"
            else:
                drift = adjusted_p is not None and adjusted_p < options.alpha
                rule = ("p_value" if options.correction == "none" else
                        f"adjusted_p_value ({options.correction})")
            if drift and options.min_effect is not None and result.effect is not None \
                    and effect < options.min_effect:
                drift, rule = False, "min_effect"
            verdicts.append((drift, rule))
        (possible, rule), (certain, certain_rule) = verdicts
        rule = rule if certain == possible else certain_rule
        missing_drift = result.missing_p_value is not None and \
            result.missing_p_value < options.alpha
        if options.gate_missing and missing_drift and not certain:
            possible = certain = True
            rule = "missing"
        waiver = waivers.get(result.name)
        if waiver is not None and possible:
            possible = certain = False
            rule = "waiver"
        decided.append(replace(
            result, adjusted_p_value=point.get(result.name), drift_detected=certain,
            undecided=possible and not certain, decided_by=rule,
            missing_drift=missing_drift,
            waiver=f"{waiver.reason}, until {waiver.until.isoformat()}" if waiver else None,
        ))
    return decided


def false_alarm(results: Sequence[FeatureResult], options: CheckOptions) -> float | None:
    """The chance that this gate fails on stable data (features independent)."""
    from pytest_drift.stats.false_alarm import gate_false_alarm

    if not results:
        return None
    with_p = sum(r.p_value is not None for r in results)
    return gate_false_alarm(with_p, options.alpha, options.threshold, options.correction,
                            len(results))


def check_notes(probability: float | None, options: CheckOptions, baseline_rows: int,
                candidate_rows: int, tested: int) -> list[str]:
    """What the user should know about the check beyond its verdict."""
    notes = []
    if probability is not None and probability > FALSE_ALARM_WARNING:
        notes.append(
            f"this gate fails on stable data {probability:.1%} of the time ({tested} features,"
            f" alpha {options.alpha}, threshold {options.threshold:g}%, correction "
            f"{options.correction}): set correction='holm' or raise the threshold"
        )
    if options.min_effect is not None or options.gate_missing:
        notes.append("false_alarm_probability is for the tests alone: min_effect lowers it, "
                     "gate_missing raises it")
    if baseline_rows and candidate_rows < SMALL_CANDIDATE * baseline_rows:
        notes.append(f"the candidate has {candidate_rows} rows, under {SMALL_CANDIDATE:.0%} of the "
                     f"baseline's {baseline_rows}: only large shifts can be detected")
    return notes


def gate_status(features_tested: int, features_with_drift: int, threshold: float,
                features_undecided: int = 0, schema_failed: bool = False) -> Status:
    """NORMAL or DRIFT_DETECTED by ``drift_percentage > threshold``; ERROR if nothing ran.
    UNDECIDED when the features whose verdict a sketch's bound leaves open decide it.
    A schema change under ``schema='fail'`` is drift of the data's shape: DRIFT_DETECTED."""
    if features_tested == 0:
        return ERROR
    if schema_failed or over_threshold(features_tested, features_with_drift, threshold):
        return DRIFT_DETECTED
    if over_threshold(features_tested, features_with_drift + features_undecided, threshold):
        return UNDECIDED
    return NORMAL


@dataclass(frozen=True)
class CheckVerdict:
    """A check's decided features, the ones skipped, and the gate's status."""

    details: dict[str, FeatureResult]
    skipped: dict[str, str]
    status: Status
    error: str | None
    false_alarm_probability: float | None
    notes: tuple[str, ...]


def decide_check(results: Mapping[str, FeatureResult | str], skipped: Mapping[str, str],
                 options: CheckOptions, today: dt.date, rows: tuple[int, int],
                 schema_failed: bool = False) -> CheckVerdict:
    """Decide every feature (``results`` holds a feature's result, or the reason it was
    skipped), then the gate; ``rows`` are the baseline's and the candidate's.
    ``schema_failed``: schema changes under ``schema='fail'``, which fail a gate that
    tested something (:func:`gate_status`)."""
    waivers = active_waivers(options, today)
    all_skipped = dict(skipped)
    raw: list[FeatureResult] = []
    for feature, result in results.items():
        if isinstance(result, str):
            all_skipped[feature] = result
        else:
            raw.append(result)
    details = {result.name: result for result in decide(raw, options, waivers)}
    drifted = sum(result.drift_detected for result in details.values())
    undecided = sum(result.undecided for result in details.values())
    status = gate_status(len(details), drifted, options.threshold, undecided, schema_failed)
    error = None
    if status == ERROR:
        reasons = "; ".join(f"{k}: {v}" for k, v in all_skipped.items()) or \
            "no features selected"
        error = f"no feature could be tested ({reasons})"
    probability = false_alarm(list(details.values()), options)
    notes = check_notes(probability, options, rows[0], rows[1], len(details))
    return CheckVerdict(details, all_skipped, status, error, probability, tuple(notes))
