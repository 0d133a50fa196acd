"""What a check cut into parts (segments, time windows) shares with the one pipeline of
:mod:`pytest_drift.pipeline`: the load and plan stages once for all parts, with the columns
that place a row in a part read but not tested (``placing``), and per part the decide and
gate stages over that part's results. No pytest here."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift.engines.registry import Loader, OpenRequest, choose_engine
from pytest_drift.models import FeatureResult
from pytest_drift.options import CheckOptions
from pytest_drift.pipeline import ROLES
from pytest_drift.planning import CheckPlan

if TYPE_CHECKING:
    from pytest_drift.columns import KindInfo
    from pytest_drift.engines.base import Engine
    from pytest_drift.engines.registry import Side
    from pytest_drift.evaluate import Planned
    from pytest_drift.loaders import LoadContext
    from pytest_drift.schema_changes import SchemaChanges
    from pytest_drift.stats.registry import TestRegistry
    from pytest_drift.verdict import CheckVerdict



def without(placing: Sequence[str], plan: CheckPlan) -> CheckPlan:
    """The plan without the columns that place rows in parts: they are no features."""
    return replace(plan, tested=[f for f in plan.tested if f not in placing],
                   skipped={f: reason for f, reason in plan.skipped.items()
                            if f not in placing},
                   only_in_baseline=[f for f in plan.only_in_baseline if f not in placing],
                   only_in_candidate=[f for f in plan.only_in_candidate if f not in placing])


@dataclass(frozen=True)
class Opening:
    """The load stage of a check in parts, before its engine opens: the sources, their
    load contexts and the columns peeked at, the plan when they could be, the request."""

    sources: dict[str, Any]
    contexts: dict[str, LoadContext]
    peeked: dict[str, list[str] | None]
    plan: CheckPlan | None
    request: OpenRequest
    engine_name: str


def opening(options: CheckOptions, placing: Sequence[str], *, base_dir: Path | None,
            api_log: bool | None, loader: Loader | None,
            contexts: dict[str, LoadContext] | None = None) -> Opening:
    """Load contexts, peeked columns, the plan without the ``placing`` columns, and the
    request that reads the tested features and those columns (``contexts``: the
    pipeline's, changed by the caller)."""
    from pytest_drift.loaders import load, peek_columns
    from pytest_drift.pipeline import load_contexts
    from pytest_drift.planning import columns_to_read, plan_features

    sources = {role: getattr(options, role) for role in ROLES}
    contexts = contexts or load_contexts(options, base_dir, api_log)
    peeked = {role: peek_columns(sources[role], contexts[role]) for role in ROLES}
    plan = None if None in peeked.values() else without(placing, plan_features(
        options, peeked["baseline"] or [], peeked["candidate"] or []))
    needed = columns_to_read(options, plan)
    request = OpenRequest(options, sources, contexts,
                          None if needed is None else [*needed, *placing], loader or load)
    return Opening(sources, contexts, peeked, plan, request, choose_engine(request))


@dataclass(frozen=True)
class PartPlan:
    """The features of a check in parts, planned once on the whole data: how each is
    tested (or why it is skipped), each side's kind, those a part's engine reduces."""

    plan: CheckPlan
    names: dict[str, str]
    planned: dict[str, Planned]
    kinds: dict[str, tuple[KindInfo, KindInfo]]

    @property
    def testable(self) -> dict[str, bool]:
        """The features to reduce in every part: true for those tested as categories."""
        from pytest_drift.evaluate import FeatureTest

        return {feature: test.kind == "categorical" for feature, test in self.planned.items()
                if isinstance(test, FeatureTest)}

    def decide(self, raw: Mapping[str, FeatureResult | str], rows: tuple[int, int],
               options: CheckOptions, today: Callable[[], datetime.date] | None
               ) -> tuple[CheckVerdict, SchemaChanges]:
        """A part's verdict and schema findings from its features' raw results (``rows``:
        the baseline's and the part's candidate rows)."""
        from pytest_drift import waivers as waiver_clock
        from pytest_drift.schema_changes import schema_changes
        from pytest_drift.verdict import decide_check

        results: dict[str, FeatureResult | str] = {
            feature: test if isinstance(test, str) else raw[feature]
            for feature, test in self.planned.items() if isinstance(test, str) or feature in raw}
        schema = schema_changes(options.schema, self.plan.only_in_baseline,
                                self.plan.only_in_candidate, self.kinds, results,
                                options.categorical or ())
        verdict = decide_check(results, self.plan.skipped, options,
                               (today or waiver_clock.today)(), rows, schema.failed)
        return verdict, schema


def plan_parts(options: CheckOptions, placing: Sequence[str], found: Opening,
               engine: Engine, sides: Mapping[str, Side], registry: TestRegistry) -> PartPlan:
    """Confirm the plan on the opened datasets and plan every feature once."""
    from pytest_drift.evaluate import plan_feature
    from pytest_drift.pipeline import confirmed_plan

    plan = without(placing, confirmed_plan(options, found.plan, found.peeked, dict(sides)))
    names = {role: side.description for role, side in sides.items()}
    return PartPlan(
        plan, names,
        {feature: plan_feature(feature, engine, options, names, registry)
         for feature in plan.tested},
        {feature: engine.kinds(feature) for feature in plan.tested})
