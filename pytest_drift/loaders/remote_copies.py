"""Local copies of objects at URLs, for the readers that pass over a file several times
(row formats and Feather, see :mod:`pytest_drift.loaders.remote`), and whether a web server
answers the byte ranges Parquet is read in place by. Copies are kept for the process by
URL and version and removed at exit."""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from pathlib import Path

from pytest_drift.loaders.remote import HTTP_SCHEMES, RemoteFiles, RemoteObject, remote_error

#: Bytes per read when downloading an object.
CHUNK = 1 << 22

_copies: dict[tuple[str, int, str], Path] = {}
_directory: list[Path] = []


def _copy_directory() -> Path:
    if not _directory:
        _directory.append(Path(tempfile.mkdtemp(prefix="pytest-drift-remote-")))
        atexit.register(shutil.rmtree, _directory[0], True)
    return _directory[0]


def download(files: RemoteFiles, item: RemoteObject, where: str) -> Path:
    """A local copy of ``item`` (downloaded once per version), named as the object is."""
    key = (item.url, item.size, item.version)
    copy = _copies.get(key)
    if copy is not None and copy.exists() and item.version:
        return copy
    folder = _copy_directory() / hashlib.sha256(repr(key).encode()).hexdigest()[:16]
    folder.mkdir(exist_ok=True)
    copy = folder / (item.path.rstrip("/").rsplit("/", 1)[-1] or "object")
    try:
        with files.filesystem.open_input_stream(item.path) as source, \
                open(copy, "wb") as target:
            while chunk := source.read(CHUNK):
                target.write(chunk)
    except (OSError, ValueError) as exc:
        copy.unlink(missing_ok=True)
        raise remote_error(exc, item.url, where, files.timeout) from None
    _copies[key] = copy
    return copy


def answers_ranges(files: RemoteFiles, item: RemoteObject, where: str) -> bool:
    """Whether the server answers byte-range requests for ``item`` (every object store does;
    a plain web server may not, and then Parquet is downloaded whole)."""
    if not files.url.lower().startswith(HTTP_SCHEMES) or item.size < 8:
        return True
    try:
        files.filesystem.handler.fs.cat_file(item.url, start=item.size - 8, end=item.size)
    except ValueError as exc:
        if "range requests" in str(exc):  # fsspec: "... doesn't appear to support range ..."
            return False
        raise remote_error(exc, item.url, where, files.timeout) from None
    except OSError as exc:
        raise remote_error(exc, item.url, where, files.timeout) from None
    return True
