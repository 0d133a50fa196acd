"""Snapshot files on the local disk or at a URL.

A snapshot's location is a :class:`~pathlib.Path` for a local file, or a ``str``: the URL
of an object (``snapshot:s3://bucket/baselines/churn.parquet``, or ``snapshot:churn`` with
``baselines_dir="s3://bucket/baselines"``). An object is reached through its URL's pyarrow
filesystem (:mod:`pytest_drift.loaders.remote`: credentials from the environment, every
request bounded by ``remote_timeout``, a failed request an error naming the URL). Reading
a header is a footer read and reading features fetches only their columns. Saving puts the
whole object at once: an object store's put is atomic, so a reader sees the old snapshot
or the new one, as :func:`~pytest_drift.snapshots.format.write_atomically` gives on disk.
``http(s)://`` is read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders.remote import HTTP_SCHEMES, open_url, request
from pytest_drift.snapshots.counts import FeatureCounts
from pytest_drift.snapshots.format import (
    SUFFIX,
    SnapshotHeader,
    read_features,
    read_header,
    write_atomically,
)

#: A local snapshot file, or the URL of a snapshot object.
Location: TypeAlias = "Path | str"


def stem(location: Location) -> str:
    """The snapshot's name: its file name without ``.parquet``."""
    name = location.rsplit("/", 1)[-1] if isinstance(location, str) else location.name
    return name[:-len(SUFFIX)] if name.endswith(SUFFIX) else name


def in_folder(folder: str, name: str) -> str:
    """The URL of ``name`` in the folder (prefix) URL ``folder``."""
    return f"{folder.rstrip('/')}/{name}"


@dataclass(frozen=True)
class _Opener:
    """The ``filesystem`` argument of the format's readers: they open the URL, which their
    messages name, and get the object at its path in the URL's filesystem (or bytes
    already fetched)."""

    open: Callable[[], Any]

    def open_input_file(self, shown: str) -> Any:
        return self.open()


def version(location: Location, where: str, timeout: float) -> tuple[int, str] | None:
    """The snapshot's size and modification time (what a cache keys it by); None when
    there is no such file or object."""
    if isinstance(location, Path):
        if not location.is_file():
            return None
        stat = location.stat()
        return stat.st_size, str(stat.st_mtime_ns)
    import pyarrow.fs as pafs

    filesystem, path = open_url(location, where, timeout)
    info = request(location, where, timeout, lambda: filesystem.get_file_info(path))
    if info.type != pafs.FileType.File:
        return None
    return int(info.size or 0), str(info.mtime_ns)


def header(location: Location, where: str, timeout: float) -> SnapshotHeader:
    """The snapshot's header (a footer read)."""
    if isinstance(location, Path):
        return read_header(location)
    filesystem, path = open_url(location, where, timeout)
    opener = _Opener(lambda: filesystem.open_input_file(path))
    return request(location, where, timeout, lambda: read_header(location, opener))


def features(location: Location, head: SnapshotHeader, names: Sequence[str] | None,
             where: str, timeout: float) -> list[FeatureCounts]:
    """The features ``names`` (all when None), each checked against its digest."""
    if isinstance(location, Path):
        return read_features(location, head, names)
    filesystem, path = open_url(location, where, timeout)
    opener = _Opener(lambda: filesystem.open_input_file(path))
    return request(location, where, timeout,
                   lambda: read_features(location, head, names, opener))


@dataclass(frozen=True)
class Existing:
    """The snapshot a save replaces, read once: its bytes and its header."""

    location: Location
    content: bytes
    header: SnapshotHeader

    def features(self) -> list[FeatureCounts]:
        """Its features (for what changed), from the bytes already read."""
        import pyarrow as pa

        opener = _Opener(lambda: pa.BufferReader(self.content))
        return read_features(str(self.location), self.header, None, opener)


def existing(location: Location, where: str, timeout: float) -> Existing | None:
    """The snapshot at ``location`` before a save; None when there is none, or it is
    damaged (a save replaces it). A failed request is an error, never None: the save might
    overwrite a snapshot it may not."""
    import pyarrow as pa

    if isinstance(location, Path):
        if not location.is_file():
            return None
        content = location.read_bytes()
    else:
        if version(location, where, timeout) is None:
            return None
        filesystem, path = open_url(location, where, timeout)

        def fetch() -> bytes:
            with filesystem.open_input_stream(path) as stream:
                return bytes(stream.read())

        content = request(location, where, timeout, fetch)
    try:
        head = read_header(str(location), _Opener(lambda: pa.BufferReader(content)))
    except DriftInputError:
        return None
    return Existing(location, content, head)


def write(location: Location, content: bytes, where: str, timeout: float) -> None:
    """Save the snapshot: atomically on disk, as one whole object at a URL."""
    if isinstance(location, Path):
        write_atomically(location, content)
        return
    if location.lower().startswith(HTTP_SCHEMES):
        raise DriftInputError(
            f"{where}: cannot save the snapshot to {location}: http:// and https:// URLs are "
            "read-only. Save it to a local path or to s3:// or gs:// (baselines_dir, or "
            "save_baseline=), and publish it to the web server from there.")
    filesystem, path = open_url(location, where, timeout)

    def put() -> None:
        with filesystem.open_output_stream(path) as stream:
            stream.write(content)

    request(location, where, timeout, put)

