"""Snapshots in a pytest session: ``--drift-update-baseline`` (save each selected check's
baseline, or approve its candidate), the snapshots each test uses, and at the end what was
saved and changed, the snapshots no check used, and ``--drift-remove-unused-baselines``.

Tests run on xdist workers hand the controller their snapshot paths on their reports, like
their check entries; the controller alone lists and removes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_drift.errors import DriftError
from pytest_drift.snapshots.wording import REMOVE_FLAG, UPDATE_FLAG

if TYPE_CHECKING:
    from pytest_drift.options import CheckOptions
    from pytest_drift.snapshots.store import SnapshotTarget
    from pytest_drift.snapshots.update import UnusedSnapshots


def add_flags(group: Any) -> None:
    """The session's snapshot flags (actions, not check options: no ini key, no marker)."""
    group.addoption(UPDATE_FLAG, dest="drift_update_baseline", action="store_true",
                    default=False,
                    help="save each selected check's baseline as a snapshot; a check that "
                         "reads snapshot:NAME gets its candidate approved as the new "
                         "snapshot (its gate does not fail) and the changes are printed")
    group.addoption(REMOVE_FLAG, dest="drift_remove_unused_baselines", action="store_true",
                    default=False,
                    help="delete the snapshots that no check of the session read or saves "
                         "(only on a run of every test with no error)")


@dataclass
class SnapshotBook:
    """The session's snapshot bookkeeping."""

    config: pytest.Config
    #: Snapshot files the session's tests read or save (as reported, from every worker).
    used: set[Path] = field(default_factory=set)
    #: Why the session did not run every test (then nothing is unused for sure).
    narrowed: list[str] = field(default_factory=list)
    unused: UnusedSnapshots | None = None
    removed: list[Path] = field(default_factory=list)
    not_removed: list[str] = field(default_factory=list)

    @property
    def updating(self) -> bool:
        return bool(self.config.getoption("drift_update_baseline", False))

    @property
    def removing(self) -> bool:
        return bool(self.config.getoption("drift_remove_unused_baselines", False))

    def target(self, options: CheckOptions, *, nodeid: str, check: str, call: bool
               ) -> tuple[SnapshotTarget | None, Path | str]:
        """What an update writes for this check (None when not updating), and the snapshot
        file the check uses; ``call``: a ``drift_check`` call, not the test's marker."""
        from pytest_drift.snapshots.update import (
            default_snapshot_name,
            own_snapshot,
            update_target,
        )

        default = default_snapshot_name(nodeid, check if call else None)
        base_dir = self.config.rootpath
        if self.updating:
            target = update_target(options, nodeid=nodeid, check=check, default_name=default,
                                   base_dir=base_dir)
            return target, target.path
        return None, own_snapshot(options, default, base_dir)[0]

    def add_used(self, paths: Sequence[str]) -> None:
        from pytest_drift.loaders.remote import is_url

        # Only local folders are looked through for unused snapshots.
        self.used.update(Path(path) for path in paths if not is_url(path))

    def note_narrowed(self, reason: str) -> None:
        if reason not in self.narrowed:
            self.narrowed.append(reason)

    def finish(self, session: pytest.Session, entries: Sequence[dict[str, Any]],
               baselines_dir: Path) -> None:
        """At the end of the session (controller): find, and maybe remove, the unused."""
        from pytest_drift.snapshots.update import remove_snapshots, unused_snapshots

        self._narrowed_by_options(session)
        if self.narrowed:
            if self.removing:
                self.not_removed = [f"the session did not run every test "
                                    f"({', '.join(self.narrowed)})"]
            return
        folders = [baselines_dir, *{path.parent for path in self.used}]
        self.unused = unused_snapshots(folders, self.used)
        if not self.removing or not self.unused.paths:
            return
        errored = [str(e.get("nodeid") or e.get("name")) for e in entries
                   if e.get("status") == "ERROR"]
        if errored:
            self.not_removed = [f"{len(errored)} check(s) could not run ({errored[0]}, ...)"]
            return
        self.removed = remove_snapshots(self.unused.paths)

    def _narrowed_by_options(self, session: pytest.Session) -> None:
        option = self.config.option
        for name, reason in (("keyword", "-k"), ("markexpr", "-m"), ("deselect", "--deselect"),
                             ("lf", "--last-failed")):
            if getattr(option, name, None):
                self.note_narrowed(reason)
        if self.config.args_source == pytest.Config.ArgsSource.ARGS and any(
                not _is_whole(arg, self.config) for arg in self.config.args):
            self.note_narrowed("test paths given")
        if session.shouldstop or session.shouldfail:
            self.note_narrowed("stopped early")

    def lines(self, entries: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
        """The section's lines with their kind (``title``, ``line``, ``detail``,
        ``warning``): each saved snapshot and its changes, the unused, the removed."""
        from pytest_drift.snapshots import wording

        out: list[tuple[str, str]] = []
        for entry in entries:
            snapshot = wording.saved(entry)
            if snapshot is None:
                continue
            out.append(("line", wording.saved_line(entry)))
            changed = wording.changed_features(snapshot)
            out += [("detail", wording.change_line(change)) for change in changed]
            same = len(snapshot.get("changes") or []) - len(changed)
            if changed and same:
                out.append(("detail", wording.unchanged_line(same)))
        if self.removed:
            out.append(("line", wording.removed_heading(len(self.removed))))
            out += [("detail", self._shown(path)) for path in self.removed]
        elif self.unused is not None and self.unused.paths:
            out.append(("warning", wording.unused_heading(len(self.unused.paths))))
            out += [("detail", self._shown(path)) for path in self.unused.paths]
            out.append(("detail", wording.remove_hint()))
        out += [("warning", wording.not_removed_text(self.not_removed))] if (
            self.not_removed) else []
        return out

    def _shown(self, path: Path) -> str:
        from pytest_drift.snapshots.store import display_path

        return display_path(path, self.config.rootpath)


def _is_whole(arg: str, config: pytest.Config) -> bool:
    """Whether a command-line argument names the whole suite: the rootdir or a testpath."""
    path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
    if "::" in arg:
        return False
    whole = {config.rootpath.resolve(),
             *((config.rootpath / p).resolve() for p in config.getini("testpaths") or [])}
    return path in whole


def referenced_snapshot(options: CheckOptions, nodeid: str, rootpath: Path) -> str | None:
    """The snapshot file of a test whose check did not run (skipped), so that it is not
    listed as unused; None when its options cannot say."""
    from pytest_drift.snapshots.update import default_snapshot_name, own_snapshot

    try:
        path, _ = own_snapshot(options, default_snapshot_name(nodeid), rootpath)
    except DriftError:
        return None
    return str(path)
