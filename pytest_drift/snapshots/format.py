"""The snapshot file: one Parquet file (zstd), never a pickle.

Layout, version 1. One row; for the feature at position ``i``, column ``v{i}`` holds its
sorted distinct values as a list (in their exact Arrow type) and column ``c{i}`` their
counts (list of int64). The file's key-value metadata ``pytest_drift.snapshot`` is a JSON
document: the format version, the snapshot's name and owner, the rows, per feature its
name, kind, missing and ±inf counts and a SHA-256 digest of its content, the source
fingerprint (paths, sizes, content hashes), the options that shaped it, and the versions
that wrote it. A digest over the whole document tells a hand-edited or damaged file from a
good one. The same data and versions give byte-identical files, so git diffs stay quiet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftInputError
from pytest_drift.snapshots.counts import FeatureCounts, StoredKind

#: The layout this version writes, and the newest it reads.
SNAPSHOT_FORMAT = 1
METADATA_KEY = b"pytest_drift.snapshot"
SUFFIX = ".parquet"


@dataclass(frozen=True)
class FeatureEntry:
    """What the metadata says of one feature (its values stay in the columns)."""

    name: str
    kind: StoredKind
    missing: int
    positive_infinite: int
    negative_infinite: int
    #: The Arrow type of the values, e.g. ``int64`` or ``string``.
    value_type: str
    distinct: int
    digest: str
    #: For a feature kept as a sketch: the largest distance between the sketch's CDF and
    #: the data's, measured when it was saved (see the sketch module). None when exact.
    rank_error: float | None = None

    def to_json(self) -> dict[str, Any]:
        entry = dict(vars(self))
        if self.rank_error is None:  # exact snapshots keep the layout they always had
            del entry["rank_error"]
        return entry


@dataclass(frozen=True)
class SnapshotHeader:
    """A snapshot's metadata: everything but the values."""

    name: str
    rows: int
    features: tuple[FeatureEntry, ...]
    #: The test that made it (its node id) and the check's name.
    owner: Mapping[str, str | None]
    #: Where the data came from: the dataset as written, its role, and its files
    #: (path, size, sha256).
    source: Mapping[str, Any]
    #: The options that shaped it: features, categorical, exclude, features_key, format.
    options: Mapping[str, Any]
    versions: Mapping[str, str | int]
    #: For an approximate profile (see the sketch module): its kind and parameters.
    profile: Mapping[str, Any] = field(default_factory=lambda: {"kind": "exact"})

    def feature(self, name: str) -> FeatureEntry | None:
        return next((entry for entry in self.features if entry.name == name), None)

    @property
    def feature_names(self) -> list[str]:
        return [entry.name for entry in self.features]


def _value_bytes(values: Any) -> bytes:
    """A canonical byte form of a values array, the same for the same values."""
    import pyarrow as pa

    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        import numpy as np

        dtype = "<u8" if pa.types.is_unsigned_integer(values.type) else (
            "<f8" if pa.types.is_floating(values.type) else "<i8")
        return bytes(np.asarray(values.to_numpy(zero_copy_only=False), dtype=dtype).tobytes())
    return json.dumps([str(v) for v in values.to_pylist()], ensure_ascii=False).encode()


def feature_digest(counts: FeatureCounts) -> str:
    """SHA-256 of a feature's kind, values, counts, missing and ±inf counts."""
    import numpy as np

    digest = hashlib.sha256()
    head = [counts.feature, counts.kind, counts.missing, counts.positive_infinite,
            counts.negative_infinite, str(counts.values.type)]
    digest.update(json.dumps(head, ensure_ascii=False).encode())
    digest.update(_value_bytes(counts.values))
    digest.update(np.asarray(counts.counts, dtype="<i8").tobytes())
    return digest.hexdigest()


def _document(header: SnapshotHeader) -> dict[str, Any]:
    return {
        "format": SNAPSHOT_FORMAT,
        "name": header.name,
        "rows": header.rows,
        "owner": dict(header.owner),
        "profile": dict(header.profile),
        "source": dict(header.source),
        "options": dict(header.options),
        "versions": dict(header.versions),
        "features": [entry.to_json() for entry in header.features],
    }


def _canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def header_for(name: str, features: Sequence[FeatureCounts], *, owner: Mapping[str, str | None],
               source: Mapping[str, Any], options: Mapping[str, Any],
               versions: Mapping[str, str | int],
               profile: Mapping[str, Any] | None = None,
               rank_errors: Sequence[float | None] | None = None) -> SnapshotHeader:
    """The header of a snapshot of ``features`` (all of the same rows); a sketched one
    states its ``profile`` and each feature's rank error."""
    rows = {counts.rows for counts in features}
    if len(rows) > 1:
        raise ValueError(f"features of one snapshot disagree on the rows: {sorted(rows)}")
    entries = tuple(FeatureEntry(
        counts.feature, counts.kind, counts.missing, counts.positive_infinite,
        counts.negative_infinite, str(counts.values.type), len(counts.values),
        feature_digest(counts), error)
        for counts, error in zip(features, rank_errors or [None] * len(features), strict=True))
    return SnapshotHeader(name, rows.pop() if rows else 0, entries, owner, source, options,
                          versions, dict(profile or {"kind": "exact"}))


def encode(header: SnapshotHeader, features: Sequence[FeatureCounts]) -> bytes:
    """The snapshot file's bytes."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, Any] = {}
    for index, counts in enumerate(features):
        columns[f"v{index}"] = pa.array([counts.values], pa.list_(counts.values.type))
        columns[f"c{index}"] = pa.array([counts.counts], pa.list_(pa.int64()))
    document = _document(header)
    document["digest"] = hashlib.sha256(_canonical(document)).hexdigest()
    table = pa.table(columns) if columns else pa.table({"empty": pa.array([0], pa.int8())})
    table = table.replace_schema_metadata({METADATA_KEY: _canonical(document)})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", compression_level=9,
                   use_dictionary=False, write_statistics=False)
    return sink.getvalue()


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` so that a reader sees the old file or the new one,
    never half of one."""
    from pytest_drift.report import write_bytes

    write_bytes(path, content)


def _damaged(path: Path | str, what: str) -> DriftInputError:
    from pytest_drift.loaders.remote import is_url

    restore = ("Restore it from where it was copied from" if is_url(path) else
               f"Restore it from version control (git checkout -- {path})")
    return DriftInputError(
        f"snapshot {path} {what}. {restore} or make it again with "
        "pytest --drift-update-baseline.")


def _feature_entry(raw: Mapping[str, Any]) -> FeatureEntry:
    return FeatureEntry(str(raw["name"]), raw["kind"], int(raw["missing"]),
                        int(raw["positive_infinite"]), int(raw["negative_infinite"]),
                        str(raw["value_type"]), int(raw["distinct"]), str(raw["digest"]),
                        None if raw.get("rank_error") is None else float(raw["rank_error"]))


def parse_header(path: Path | str, metadata: Mapping[bytes, bytes] | None) -> SnapshotHeader:
    """The header of a snapshot file from its Parquet metadata, checked."""
    if not metadata or METADATA_KEY not in metadata:
        raise DriftInputError(
            f"{path} is a Parquet file but not a pytest-datadrift snapshot (it has no "
            f"{METADATA_KEY.decode()} metadata). Point snapshot: at a file made by "
            "pytest --drift-update-baseline or compare(..., save_baseline=PATH).")
    try:
        document = json.loads(metadata[METADATA_KEY])
        version = int(document["format"])
    except (ValueError, KeyError, TypeError):
        raise _damaged(path, "has unreadable metadata (it was edited or damaged)") from None
    if version > SNAPSHOT_FORMAT:
        made_by = document.get("versions", {}).get("pytest-datadrift", "a newer version")
        raise DriftInputError(
            f"snapshot {path} has format version {version}, made by pytest-datadrift "
            f"{made_by}; this version reads format {SNAPSHOT_FORMAT} and older. Upgrade "
            "pytest-datadrift (pip install -U pytest-datadrift), or make the snapshot again "
            "with this version: pytest --drift-update-baseline.")
    stated = document.pop("digest", None)
    if stated != hashlib.sha256(_canonical(document)).hexdigest():
        raise _damaged(path, "does not match its own digest: it was edited or damaged")
    try:
        return SnapshotHeader(
            str(document["name"]), int(document["rows"]),
            tuple(_feature_entry(raw) for raw in document["features"]),
            document["owner"], document["source"], document["options"],
            document["versions"], document.get("profile", {"kind": "exact"}))
    except (KeyError, TypeError, ValueError):
        raise _damaged(path, "has metadata this version cannot read") from None


def _unreadable(filesystem: Any) -> tuple[type[BaseException], ...]:
    """The errors that say a file is damaged. Through a ``filesystem`` (an object at a URL)
    an OSError is a failed request, which the caller names as such."""
    import pyarrow as pa

    return (pa.ArrowInvalid,) if filesystem is not None else (pa.ArrowInvalid, OSError)


def open_parquet(path: Path | str, filesystem: Any = None) -> Any:
    """The snapshot as a ``pyarrow.parquet.ParquetFile``; a missing, truncated or
    non-Parquet file is an input error naming it."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path if filesystem is None else filesystem.open_input_file(
            str(path)))
    except FileNotFoundError:
        raise
    except _unreadable(filesystem) as exc:
        raise _damaged(path, f"cannot be read as Parquet ({exc}): it is truncated or "
                             "damaged") from None


def read_header(path: Path | str, filesystem: Any = None) -> SnapshotHeader:
    """Only the header of a snapshot file (a footer read)."""
    parquet = open_parquet(path, filesystem)
    return parse_header(path, parquet.schema_arrow.metadata)


def is_snapshot_file(path: Path) -> bool:
    """Whether ``path`` is a snapshot (a Parquet file with a snapshot header, readable or
    not); other files, e.g. a plain Parquet dataset kept next to snapshots, are not."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata
    except (pa.ArrowInvalid, OSError):
        return False
    return bool(metadata) and METADATA_KEY in metadata


def read_features(path: Path | str, header: SnapshotHeader, names: Sequence[str] | None,
                  filesystem: Any = None) -> list[FeatureCounts]:
    """The features ``names`` (all when None) of a snapshot, each checked against its
    digest."""
    import numpy as np

    parquet = open_parquet(path, filesystem)
    wanted = header.feature_names if names is None else [
        n for n in header.feature_names if n in set(names)]
    positions = {entry.name: index for index, entry in enumerate(header.features)}
    columns = [f"{prefix}{positions[name]}" for name in wanted for prefix in ("v", "c")]
    damaged: tuple[type[BaseException], ...] = (*_unreadable(filesystem), KeyError)
    try:
        table = parquet.read(columns=columns) if columns else None
    except damaged as exc:
        raise _damaged(path, f"cannot be read ({exc}): it is truncated or damaged") from None
    features = []
    for name in wanted:
        entry = header.features[positions[name]]
        assert table is not None
        values = table.column(f"v{positions[name]}").combine_chunks().flatten()
        counts = np.asarray(table.column(f"c{positions[name]}").combine_chunks().flatten()
                            .to_numpy(zero_copy_only=False), dtype=np.int64)
        feature = FeatureCounts(name, entry.kind, values, counts, entry.missing,
                                entry.positive_infinite, entry.negative_infinite)
        if feature_digest(feature) != entry.digest:
            raise _damaged(path, f"holds values of {name!r} that do not match its digest: "
                                 "it was edited or damaged")
        features.append(feature)
    return features
