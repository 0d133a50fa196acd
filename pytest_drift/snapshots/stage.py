"""The snapshot steps of a check's pipeline: before loading (which baseline to compare
with), after planning (does the snapshot still fit the check), and after reducing (save a
side as a snapshot). Each returns what the report's ``snapshot`` entry says."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift.snapshots import files
from pytest_drift.snapshots.files import Location
from pytest_drift.snapshots.store import (
    SnapshotTarget,
    check_fits,
    display_path,
    refuse_foreign,
    save_snapshot,
    side_counts,
    snapshot_path,
    source_fingerprint,
)
from pytest_drift.sources import is_snapshot_name

if TYPE_CHECKING:
    from pytest_drift.engines.base import Engine
    from pytest_drift.engines.registry import Side
    from pytest_drift.options import CheckOptions
    from pytest_drift.planning import CheckPlan
    from pytest_drift.snapshots.format import SnapshotHeader


@dataclass(frozen=True)
class SnapshotStep:
    """A check's dealings with snapshots: the one it reads and the one it writes."""

    #: The snapshot file the baseline is read from (None: a raw baseline).
    reads: Location | None
    #: Where the check writes one (None: it writes none).
    writes: SnapshotTarget | None
    #: The approved snapshot does not exist yet (or is damaged): the candidate is compared
    #: with itself, and becomes the snapshot.
    fresh: bool = False


def prepare(options: CheckOptions, writes: SnapshotTarget | None, base_dir: Path | None
            ) -> tuple[CheckOptions, SnapshotStep]:
    """The options to run with and the snapshot step. An approval may not replace another
    check's snapshot: refused before anything is read."""
    reads = (snapshot_path(options.baseline, options.baselines_dir, base_dir)
             if is_snapshot_name(options.baseline) else None)
    if writes is None or writes.role == "baseline":
        return options, SnapshotStep(reads, writes)
    previous = files.existing(writes.path, writes.where, options.remote_timeout)
    if previous is not None:
        refuse_foreign(writes, previous.header)
        return options, SnapshotStep(reads, writes)
    return replace(options, baseline=options.candidate), SnapshotStep(None, writes, fresh=True)


def needed_columns(needed: list[str] | None, plan: CheckPlan | None, step: SnapshotStep
                   ) -> list[str] | None:
    """The columns to read: a check that saves a snapshot also reads the features only
    one side has, so the snapshot keeps them."""
    if step.writes is None or needed is None or plan is None:
        return needed
    return list(dict.fromkeys([*needed, *plan.skipped]))


def read_rank_errors(step: SnapshotStep, options: CheckOptions) -> dict[str, float]:
    """For a sketched snapshot baseline: each sketched feature's rank error, after checking
    that the check tests those features the one way the bound holds for. Empty otherwise."""
    if step.reads is None:
        return {}
    from pytest_drift.snapshots.sketch import check_tests, rank_errors

    header = files.header(step.reads, f"baseline {options.baseline}", options.remote_timeout)
    errors = rank_errors(header)
    check_tests(errors, options, step.reads)
    return errors


def _profile_fields(header: SnapshotHeader) -> dict[str, Any]:
    from pytest_drift.snapshots.sketch import rank_errors

    errors = rank_errors(header)
    return {"profile": dict(header.profile), **({"rank_errors": errors} if errors else {})}


def read_entry(step: SnapshotStep, options: CheckOptions, plan: CheckPlan,
               base_dir: Path | None) -> dict[str, Any] | None:
    """For a snapshot baseline: check that it fits the check, and say what it is."""
    if step.reads is None or step.writes is not None:
        return None
    from pytest_drift.planning import describe_source

    header = files.header(step.reads, f"baseline {options.baseline}", options.remote_timeout)
    check_fits(header, step.reads, options, plan, describe_source(options.candidate))
    return {"name": header.name, "path": display_path(step.reads, base_dir),
            "action": "read", "approved": False, "rows": header.rows,
            "source": dict(header.source), **_profile_fields(header), "changes": []}


def write_entry(step: SnapshotStep, engine: Engine, sides: dict[str, Side], plan: CheckPlan,
                options: CheckOptions, base_dir: Path | None) -> dict[str, Any] | None:
    """Save the target side as a snapshot; say what was written and what changed."""
    target = step.writes
    if target is None:
        return None
    from pytest_drift.snapshots.changes import snapshot_changes

    side = sides[target.role]
    features = side_counts(engine, target.role, plan, options, side.column_names)
    previous = files.existing(target.path, target.where, options.remote_timeout)
    old = [] if previous is None else previous.features()
    source = source_fingerprint(side.description, side.files, target.role, base_dir)
    header, changed = save_snapshot(target, features, source, options, previous)
    action = "created" if previous is None else "updated" if changed else "unchanged"
    return {"name": header.name, "path": display_path(target.path, base_dir),
            "action": action, "approved": target.role == "candidate", "rows": header.rows,
            "source": source, **_profile_fields(header),
            "changes": [] if previous is None else snapshot_changes(old, features)}

