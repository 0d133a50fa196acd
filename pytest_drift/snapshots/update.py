"""Which snapshot a check owns and what an update does with it, and the snapshots no check
of a session uses. No pytest here: the plugin (:mod:`pytest_drift.baselines`) and the
Python API call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pytest_drift.errors import DriftUsageError
from pytest_drift.options import CheckOptions
from pytest_drift.snapshots.files import Location, stem
from pytest_drift.snapshots.format import SUFFIX
from pytest_drift.snapshots.store import SnapshotTarget, snapshot_name_of, snapshot_path
from pytest_drift.sources import SNAPSHOT_PREFIX, is_snapshot_name


def default_snapshot_name(nodeid: str, call: str | None = None) -> str:
    """The snapshot name of a check that does not choose one: its test's node id (the
    marker's or a declared check), with the check's name for a ``drift_check`` call."""
    return snapshot_name_of(nodeid if call is None else f"{nodeid}-{call}")


def own_snapshot(options: CheckOptions, default_name: str, base_dir: Path | None
                 ) -> tuple[Location, str]:
    """The file of the snapshot a check reads or saves, and its ``snapshot:`` label.

    A check whose baseline is ``snapshot:NAME`` owns that one; a check with raw data saves
    its baseline as ``snapshot=`` names it, else under ``default_name``.
    """
    if is_snapshot_name(options.baseline):
        label = str(options.baseline)
        path = snapshot_path(label, options.baselines_dir, base_dir)
        if options.snapshot is not None and options.snapshot != stem(path):
            raise DriftUsageError(
                "snapshot", options.snapshot, options.origins.get("snapshot", "marker"),
                f"names the snapshot a check saves its raw baseline as, but this check reads "
                f"{label}, which an update replaces: drop snapshot= or make the two agree")
        return path, label
    name = options.snapshot or default_name
    return snapshot_path(f"{SNAPSHOT_PREFIX}{name}", options.baselines_dir, base_dir), (
        f"{SNAPSHOT_PREFIX}{name}")


def update_target(options: CheckOptions, *, nodeid: str | None, check: str,
                  default_name: str, base_dir: Path | None) -> SnapshotTarget:
    """What ``--drift-update-baseline`` writes for a check: a snapshot baseline is replaced
    by the candidate (approved), a raw baseline is saved as the check's snapshot."""
    path, label = own_snapshot(options, default_name, base_dir)
    role = "candidate" if is_snapshot_name(options.baseline) else "baseline"
    return SnapshotTarget(path, label, role, nodeid, check)


def save_target(destination: str | Path, *, check: str, base_dir: Path | None,
                given_as: str = "save_baseline") -> SnapshotTarget:
    """Where ``compare(..., save_baseline=PATH)`` and ``datadrift --save-baseline PATH``
    save the baseline: a path or URL ending in ``.parquet`` (``snapshot:`` optional)."""
    text = str(destination)
    shown = text[len(SNAPSHOT_PREFIX):] if is_snapshot_name(text) else text
    if not shown.endswith(SUFFIX):
        raise DriftUsageError(
            given_as, text, "argument" if given_as == "save_baseline" else "command line",
            f"a snapshot is a file ending in {SUFFIX}, e.g. drift_baselines/churn{SUFFIX}")
    from pytest_drift.loaders.paths import resolve_path
    from pytest_drift.loaders.remote import is_url

    path = shown if is_url(shown) else resolve_path(shown, base_dir)
    return SnapshotTarget(path, f"{SNAPSHOT_PREFIX}{shown}",
                          "baseline", None, check)


@dataclass(frozen=True)
class UnusedSnapshots:
    """Snapshot files in the session's baseline folders that no check read or would save."""

    directories: tuple[Path, ...]
    paths: tuple[Path, ...]


def unused_snapshots(directories: Iterable[Path], used: Iterable[Path]) -> UnusedSnapshots:
    """The snapshots (files with a snapshot header; other Parquet files are not ours) in
    ``directories`` that are not in ``used``."""
    from pytest_drift.snapshots.format import is_snapshot_file

    seen = {path.resolve() for path in used}
    folders = tuple(dict.fromkeys(d.resolve() for d in directories if d.is_dir()))
    unused = [path for folder in folders for path in sorted(folder.glob(f"*{SUFFIX}"))
              if path.resolve() not in seen and is_snapshot_file(path)]
    return UnusedSnapshots(folders, tuple(unused))


def remove_snapshots(paths: Iterable[Path]) -> list[Path]:
    """Delete the files; returns those removed (one already gone is not an error)."""
    removed = []
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed
