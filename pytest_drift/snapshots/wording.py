"""What is said about snapshots, in every output: a check's approval, what an update
changed per feature, and the snapshots no check uses. Renderers only format these lines.
Only the standard library is imported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_drift.wording import fmt_number

Entry = Mapping[str, Any]

#: The title of the session's section on snapshots.
BASELINES_TITLE = "drift baselines"
#: The flags, named once for every message that tells a user to use them.
UPDATE_FLAG = "--drift-update-baseline"
REMOVE_FLAG = "--drift-remove-unused-baselines"

_ACTIONS = {
    ("created", False): "saved from the baseline {dataset}",
    ("updated", False): "updated from the baseline {dataset}",
    ("unchanged", False): "unchanged: the baseline {dataset} holds the same data",
    ("created", True): "created from the candidate {dataset} (approved)",
    ("updated", True): "replaced by the candidate {dataset} (approved)",
    ("unchanged", True): "unchanged: the candidate {dataset} holds the same data",
}


def expected_change_advice(entry: Entry) -> str:
    """The last line of a failed gate's message: how to accept the change or tolerate it."""
    tolerate = "to tolerate it, raise threshold, lower alpha or exclude the feature."
    snapshot = entry.get("snapshot") or {}
    if snapshot.get("action") == "read" and entry.get("nodeid"):
        return (f"If this change is expected, approve it: pytest {UPDATE_FLAG} "
                f"'{entry['nodeid']}' makes the candidate the new snapshot:"
                f"{snapshot.get('name')}; {tolerate}")
    return f"If this change is expected, refresh the baseline; {tolerate}"


def approximate_text(entry: Entry) -> str:
    """The notice of a check against a sketched snapshot: what is approximate, by how
    much, and how to make it exact."""
    snapshot = entry.get("snapshot") or {}
    profile = snapshot.get("profile") or {}
    errors: Mapping[str, float] = snapshot.get("rank_errors") or {}
    largest = max(errors.values(), default=0.0)
    return (f"approximate: the baseline snapshot:{snapshot.get('name')} keeps numeric features "
            f"as KLL sketches (k={profile.get('k')}), so each KS statistic is within "
            f"±{fmt_number(largest)} at most of the exact one and each p-value is an interval; "
            "the gate decides only when an interval is on one side of alpha. For exact "
            "results save it with snapshot_profile='exact'.")


def undecided_advice(entry: Entry) -> str:
    """What to do when the bounds leave the gate undecided."""
    names = ", ".join(entry.get("undecided_features") or [])
    return (f"Undecided: the sketch's bounds put the p-values of {names} on both sides of "
            f"alpha {entry.get('alpha')}, and they decide the gate. Save the snapshot exactly "
            "(snapshot_profile='exact') or with a larger sketch (snapshot_profile='sketch:K', "
            f"K above {(entry.get('snapshot') or {}).get('profile', {}).get('k')}), then "
            f"pytest {UPDATE_FLAG}.")


def saved(entry: Entry) -> Entry | None:
    """The snapshot entry of a check that wrote (or would have rewritten) one."""
    snapshot: Entry | None = entry.get("snapshot")
    if not snapshot or snapshot.get("action") == "read":
        return None
    return snapshot


def approval_text(snapshot: Entry) -> str:
    """The notice of a check whose candidate became its snapshot."""
    label = f"snapshot:{snapshot.get('name')} ({snapshot.get('path')})"
    action = snapshot.get("action")
    if action == "created":
        return f"the candidate was saved as {label}, which did not exist or was damaged"
    if action == "unchanged":
        return f"{label} already holds this candidate"
    return (f"the candidate replaced {label}: the drift shown is what was approved, so the "
            "gate does not fail")


def saved_line(entry: Entry) -> str:
    """``snapshot:NAME (path) replaced by the candidate data/new.csv (approved), 5000 rows,
    by tests/test_model.py::test_churn``."""
    snapshot = saved(entry) or {}
    dataset = (snapshot.get("source") or {}).get("dataset") or "data"
    what = _ACTIONS.get((str(snapshot.get("action")), bool(snapshot.get("approved"))),
                        str(snapshot.get("action"))).format(dataset=dataset)
    return (f"snapshot:{snapshot.get('name')} ({snapshot.get('path')}) {what}, "
            f"{snapshot.get('rows')} rows, by "
            f"{entry.get('nodeid') or repr(entry.get('name'))}")


def _pair(values: Sequence[Any]) -> str:
    before, after = values
    if before == after:
        return fmt_number(after)
    return f"{fmt_number(before)} → {fmt_number(after)}"


def change_line(change: Entry) -> str:
    """One feature's change: ``amount: rows 4000 → 5000, mean 10.2 → 11.4, p50 …``."""
    feature = change.get("feature")
    if change.get("change") == "added":
        head = f"{feature}: new feature"
    elif change.get("change") == "removed":
        return f"{feature}: gone (the candidate does not have it)"
    elif change.get("change") == "unchanged":
        return f"{feature}: unchanged"
    else:
        head = f"{feature}:"
    parts = [f"rows {_pair(change['rows'])}"]
    if any(change.get("missing") or ()):
        parts.append(f"missing {_pair(change['missing'])}")
    if "mean" in change:
        parts.append(f"mean {_pair(change['mean'])}")
        parts += [f"{name} {_pair(pair)}" for name, pair in change.get("quantiles", {}).items()]
    added, gone = change.get("categories_added") or [], change.get("categories_gone") or []
    if added:
        parts.append(f"categories added: {', '.join(map(str, added))}")
    if gone:
        parts.append(f"categories gone: {', '.join(map(str, gone))}")
    return f"{head} {', '.join(parts)}"


def changed_features(snapshot: Entry) -> list[Entry]:
    """The changes worth a line: every feature but the unchanged ones."""
    return [c for c in snapshot.get("changes") or [] if c.get("change") != "unchanged"]


def unchanged_line(count: int) -> str:
    return f"{count} feature{'s' if count != 1 else ''} unchanged"


def unused_heading(count: int) -> str:
    noun, pronoun = ("snapshot", "it") if count == 1 else ("snapshots", "them")
    return f"{count} unused {noun}: no check of this session reads or saves {pronoun}"


def remove_hint() -> str:
    return f"remove them with pytest {REMOVE_FLAG} (on a run of the whole suite)"


def removed_heading(count: int) -> str:
    return f"removed {count} unused snapshot{'s' if count != 1 else ''}:"


def not_removed_text(reasons: Sequence[str]) -> str:
    """Why ``--drift-remove-unused-baselines`` removed nothing."""
    return (f"{REMOVE_FLAG}: nothing removed, because {' and '.join(reasons)}; a snapshot "
            "is unused only when every test ran, so run the whole suite without errors")
