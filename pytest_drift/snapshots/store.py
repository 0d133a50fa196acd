"""Where snapshots live and who may write them: names and paths, the source fingerprint,
saving a check's side as a snapshot, and the checks that a snapshot still fits a check."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.option_values import SNAPSHOT_NAME
from pytest_drift.snapshots import files
from pytest_drift.snapshots.files import Location
from pytest_drift.snapshots.format import (
    SNAPSHOT_FORMAT,
    SUFFIX,
    SnapshotHeader,
    encode,
    header_for,
)
from pytest_drift.sources import SNAPSHOT_PREFIX, is_snapshot_name

if TYPE_CHECKING:
    from pytest_drift.engines.base import Engine
    from pytest_drift.options import CheckOptions
    from pytest_drift.planning import CheckPlan
    from pytest_drift.snapshots.counts import FeatureCounts

#: The options that decide what a snapshot holds.
SHAPING_OPTIONS = ("features", "categorical", "exclude", "features_key", "format")


def snapshot_name_of(text: str) -> str:
    """A snapshot name made from a check's node id: ``tests/test_model.py::test_churn[eu]``
    → ``tests.test_model.test_churn-eu``."""
    path, separator, rest = text.partition("::")
    if path.endswith(".py"):
        path = path[:-3]
    dotted = path.replace("/", ".") + (f".{rest.replace('::', '.')}" if separator else "")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", dotted).strip("-.")
    return cleaned or "baseline"


def snapshot_path(raw: str, baselines_dir: str, base_dir: Path | None) -> Location:
    """The file of ``snapshot:NAME`` (``baselines_dir/NAME.parquet``) or of
    ``snapshot:PATH.parquet``, anchored at ``base_dir`` (the rootdir); a URL (of the
    snapshot, or of ``baselines_dir``) stays one."""
    from pytest_drift.loaders.paths import resolve_path
    from pytest_drift.loaders.remote import is_url

    target = raw[len(SNAPSHOT_PREFIX):] if is_snapshot_name(raw) else raw
    if is_url(target):
        return target
    if target.endswith(SUFFIX) or "/" in target:
        return resolve_path(target, base_dir)
    if not SNAPSHOT_NAME.fullmatch(target):
        raise DriftUsageError(
            "baseline", raw, "snapshot name",
            "a snapshot name is letters, digits, '.', '_' and '-' (snapshot:NAME), or a "
            "path ending in .parquet (snapshot:path/to/file.parquet)")
    if is_url(baselines_dir):
        return files.in_folder(baselines_dir, f"{target}{SUFFIX}")
    return resolve_path(baselines_dir, base_dir) / f"{target}{SUFFIX}"


def display_path(path: Location, base_dir: Path | None) -> str:
    """``path`` relative to ``base_dir`` when under it (portable between checkouts); a URL
    as it is."""
    if isinstance(path, str):
        return path
    if base_dir is not None:
        try:
            return path.resolve().relative_to(base_dir.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def known_snapshots(directory: Path) -> list[str]:
    return sorted(p.stem for p in directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []


def missing_snapshot(raw: str, path: Location, where: str) -> DriftInputError:
    """No snapshot at ``path``: the error names it, the snapshots beside a local one, and
    how to make it."""
    known = [] if isinstance(path, str) else known_snapshots(path.parent)
    listing = ("" if isinstance(path, str) else
               f" Snapshots in {path.parent}: {', '.join(known)}." if known
               else f" {path.parent} holds no snapshot.")
    return DriftInputError(
        f"{where}: no snapshot {raw!r}: {path} does not exist.{listing} Make it with "
        "pytest --drift-update-baseline (it saves each selected check's baseline), or "
        "compare(baseline, candidate, save_baseline=PATH).")


def file_fingerprint(path: Path, base_dir: Path | None) -> dict[str, Any]:
    """A file's path (relative to the rootdir when under it), size and SHA-256."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {"path": display_path(path, base_dir), "size": path.stat().st_size,
            "sha256": digest.hexdigest()}


def source_fingerprint(description: str, files: Sequence[str], role: str,
                       base_dir: Path | None) -> dict[str, Any]:
    """Where a snapshot's data came from. Files that are not local (a URL, a table) are
    named without a hash."""
    entries = []
    for name in files:
        path = Path(name)
        entries.append(file_fingerprint(path, base_dir) if path.is_file() else {"path": name})
    shown = description
    if not is_snapshot_name(description) and Path(description).exists():
        shown = display_path(Path(description), base_dir)
    return {"dataset": shown, "role": role, "files": entries}


def shaping_options(options: CheckOptions) -> dict[str, Any]:
    """The options that decided what a snapshot holds, as JSON values."""
    def plain(value: Any) -> Any:
        if isinstance(value, (tuple, list)):
            return list(value)
        if isinstance(value, Mapping):
            return dict(value)
        return value

    return {name: plain(getattr(options, name)) for name in SHAPING_OPTIONS}


@dataclass(frozen=True)
class SnapshotTarget:
    """Where a check saves a snapshot, of which side, and on whose behalf."""

    path: Location
    #: ``snapshot:NAME`` or the path, as the check names it.
    label: str
    #: ``baseline``: save the check's baseline; ``candidate``: approve the candidate as
    #: the new baseline.
    role: str
    nodeid: str | None
    check: str | None

    @property
    def where(self) -> str:
        """How messages about saving it begin."""
        return f"saving {self.label}"


def owner_of(header: SnapshotHeader) -> str:
    nodeid, check = header.owner.get("nodeid"), header.owner.get("check")
    return f"{nodeid} (check {check!r})" if nodeid else f"check {check!r}"


def refuse_foreign(target: SnapshotTarget, header: SnapshotHeader) -> None:
    """A check may replace only the snapshots it made itself. One made outside pytest
    (``compare(save_baseline=)``, ``datadrift --save-baseline``) belongs to no test: the
    first test that updates it takes it over."""
    owner = (header.owner.get("nodeid"), header.owner.get("check"))
    if owner == (target.nodeid, target.check) or (owner[0] is None and target.nodeid):
        return
    this = f"{target.nodeid} (check {target.check!r})" if target.nodeid else (
        f"check {target.check!r}")
    raise DriftInputError(
        f"snapshot {target.path} belongs to {owner_of(header)}; {this} would overwrite it, "
        "so nothing was written. Give this check its own snapshot (snapshot='NAME' on its "
        "marker), or update the snapshot from the check that owns it "
        "(pytest --drift-update-baseline -k ...), or delete the file if that check is gone.")


def side_counts(engine: Engine, role: str, plan: CheckPlan, options: CheckOptions,
                columns: Sequence[str]) -> list[FeatureCounts]:
    """The side's features as a snapshot keeps them: every planned feature the side has
    (tested, or only on this side) and can test, in column order."""
    wanted = {*plan.tested, *plan.skipped}
    side = 0 if role == "baseline" else 1
    return [engine.feature_counts(role, feature, options.categorical is not None
                                  and feature in options.categorical)
            for feature in columns
            if feature in wanted and engine.kinds(feature)[side].kind != "unsupported"]


def save_snapshot(target: SnapshotTarget, features: Sequence[FeatureCounts],
                  source: Mapping[str, Any], options: CheckOptions,
                  previous: files.Existing | None) -> tuple[SnapshotHeader, bool]:
    """Write the snapshot atomically over ``previous`` (the one it replaces, None when
    new). Returns its header and whether the file changed."""
    from pytest_drift.report import package_version
    from pytest_drift.snapshots.sketch import is_sketch, profile_of, sketched_features

    if previous is not None:
        refuse_foreign(target, previous.header)
    profile = profile_of(options)
    if previous is not None and is_sketch(profile) and same_data(previous.header, source,
                                                                  options, profile):
        # A sketch is random: sketching the same files again would change the file and
        # its bound for nothing.
        return previous.header, False
    kept = sketched_features(features, options)
    header = header_for(
        files.stem(target.path), [feature.counts for feature in kept],
        owner={"nodeid": target.nodeid, "check": target.check}, source=source,
        options=shaping_options(options),
        versions={"pytest-datadrift": package_version(), "format": SNAPSHOT_FORMAT},
        profile=profile, rank_errors=[feature.rank_error for feature in kept])
    content = encode(header, [feature.counts for feature in kept])
    changed = previous is None or previous.content != content
    if changed:
        files.write(target.path, content, target.where, options.remote_timeout)
    return header, changed


def same_data(header: SnapshotHeader, source: Mapping[str, Any], options: CheckOptions,
              profile: Mapping[str, Any]) -> bool:
    """Whether a snapshot was made from the same files (by content hash), with the same
    options and profile, as it would be now."""
    hashed = all("sha256" in entry for entry in source.get("files") or [{}])
    return (hashed and dict(header.source) == dict(source)
            and dict(header.profile) == dict(profile)
            and dict(header.options) == shaping_options(options))


def check_fits(header: SnapshotHeader, path: Location, options: CheckOptions, plan: CheckPlan,
               candidate: str) -> None:
    """A snapshot baseline must hold every feature the check tests, kept the way the check
    tests it; else the error names the snapshot, the check's options and the fix."""
    from pytest_drift.options import OPTIONS_BY_NAME

    made_with = ", ".join(
        f"{name}={header.options.get(name)!r}" for name in SHAPING_OPTIONS
        if header.options.get(name) not in (None, [], {}, OPTIONS_BY_NAME[name].default))
    made_with = f" (made with {made_with})" if made_with else ""
    fix = ("If the change is expected, approve it: pytest --drift-update-baseline -k "
           "<this test>; else change the check back.")
    lacking = [f for f, why in plan.skipped.items() if why == "missing from baseline"]
    if lacking:
        raise DriftInputError(
            f"snapshot {path}{made_with} does not fit this check: it has no feature "
            f"{', '.join(map(repr, lacking))}, which the candidate {candidate!r} has. {fix}")
    stored_categorical = set(header.options.get("categorical") or ())
    for feature in plan.tested:
        entry = header.feature(feature)
        as_category = options.categorical is not None and feature in options.categorical
        if entry is not None and entry.kind == "categorical" and not as_category and (
                feature in stored_categorical):
            raise DriftInputError(
                f"snapshot {path}{made_with} keeps {feature!r} as categories, but this "
                f"check tests it as numbers (categorical={list(options.categorical or [])!r}"
                f"). {fix}")
