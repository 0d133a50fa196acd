"""Datasets at URLs: ``s3://`` and ``gs://`` objects or prefixes, and ``https://`` files.

:func:`is_url` tells a URL from a local path; :func:`find` lists the objects behind a URL
through a pyarrow filesystem (``S3FileSystem``, ``GcsFileSystem``, or fsspec's
``HTTPFileSystem`` for ``http(s)://``, the ``remote`` extra) and says which format they are;
:meth:`RemoteFiles.fingerprint` is what the session cache keys the objects by (their sizes
and ETags or modification times). Credentials come from where the cloud's own tools look for them
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, ``AWS_REGION``,
``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` for an S3-compatible server;
``GOOGLE_APPLICATION_CREDENTIALS``, ``STORAGE_EMULATOR_HOST``).

Parquet is read where it lies: only the footers and the tested columns' chunks travel (the
Parquet loader reads through the filesystem). Row formats (CSV, TSV, JSON, JSON Lines) and
Feather are downloaded once into a temporary file, because their readers
pass over a file several times (the header, the type inference, the parse, and for a broken
file the line-by-line re-read that names the bad line): over a stream each pass would fetch
the object again, and a local copy gives every reader, and every message, the behaviour it
has for a local file (:mod:`pytest_drift.loaders.remote_copies`).

Every failure is a one-line :class:`DriftInputError` naming the URL and what to do: no such
object, access denied, no answer within ``remote_timeout``, no connection, an unknown scheme,
or the ``remote`` extra not installed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pytest_drift.errors import DriftInputError, DriftTimeoutError
from pytest_drift.loaders.paths import detect_name, is_data_name

T = TypeVar("T")

#: ``scheme://`` at the start of a string: a URL, never a local path.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: The schemes read, by the filesystem that reads them.
S3_SCHEMES = ("s3",)
GCS_SCHEMES = ("gs", "gcs")
HTTP_SCHEMES = ("http", "https")
SCHEMES = (*S3_SCHEMES, *GCS_SCHEMES, *HTTP_SCHEMES)
REMOTE_INSTALL = "pip install 'pytest-datadrift[remote]'"
#: What raising the timeout takes, for every timeout message.
TIMEOUT_ADVICE = ("raise remote_timeout (marker keyword remote_timeout=..., "
                  "--drift-remote-timeout, ini drift_remote_timeout)")
#: Attempts of an S3 request (the AWS SDK's standard retries) before it is an error.
S3_ATTEMPTS = 3


def is_url(raw: object) -> bool:
    """Whether ``raw`` is a URL (``scheme://...``), of a scheme read here or not.

    >>> is_url("s3://bucket/data.parquet"), is_url("data/train.csv")
    (True, False)
    """
    return isinstance(raw, str) and _URL.match(raw) is not None


@dataclass(frozen=True)
class RemoteObject:
    """One object behind a URL: its URL, its path in the filesystem, its size, and its
    version (ETag or modification time; empty when the server says neither)."""

    url: str
    path: str
    size: int
    version: str


@dataclass(frozen=True)
class RemoteFiles:
    """The data objects behind a URL: one object, or the parts under a prefix, all of
    one format."""

    url: str
    filesystem: Any
    #: The path of the URL in the filesystem (the prefix for a prefix of parts).
    root: str
    objects: tuple[RemoteObject, ...]
    format: str
    compression: str | None
    #: How long a request may wait for an answer, in seconds.
    timeout: float

    def fingerprint(self) -> tuple[tuple[str, int, str], ...]:
        """What identifies the data for the session cache: each object's URL, size and
        version, so a changed object is read again."""
        return tuple((o.url, o.size, o.version) for o in self.objects)


def find(raw: str, where: str, override: str | None, timeout: float) -> RemoteFiles:
    """The objects behind the URL ``raw`` and their format (``override``: the ``format``
    option). A URL naming a prefix (``s3://bucket/parts/``) gives its data parts, as a local
    directory does; names starting with ``_`` or ``.`` are not data."""
    scheme = raw.split("://", 1)[0].lower()
    filesystem, root = open_url(raw, where, timeout)
    objects = _list(filesystem, root, raw, scheme, where, timeout)
    formats = {detect_name(o.path.rsplit("/", 1)[-1], o.url, where, override) for o in objects}
    if len(formats) > 1:
        shown = ", ".join(sorted(fmt for fmt, _ in formats))
        raise DriftInputError(f"{where}: the objects under {raw} mix formats ({shown}); point "
                              "at a prefix of one format.")
    fmt, compression = formats.pop()
    return RemoteFiles(raw, filesystem, root, tuple(objects), fmt, compression, timeout)


def open_url(raw: str, where: str, timeout: float) -> tuple[Any, str]:
    """The pyarrow filesystem that reads the URL ``raw``, and the URL's path in it.

    Requests wait at most ``timeout`` seconds for an answer (S3: to connect and between
    bytes, up to :data:`S3_ATTEMPTS` attempts; GCS: retries stop after it, and the listing
    is not waited for longer; HTTP: to connect and between reads)."""
    scheme = raw.split("://", 1)[0].lower()
    if scheme in S3_SCHEMES:
        return _s3(raw, timeout), raw.split("://", 1)[1]
    if scheme in GCS_SCHEMES:
        return _gcs(timeout), raw.split("://", 1)[1]
    if scheme in HTTP_SCHEMES:
        return _http(where, timeout), raw
    raise DriftInputError(
        f"{where}: unknown URL scheme {scheme + '://'!r}: a dataset is a local path or an "
        "s3://, gs:// or https:// URL. Fix the URL, or copy the data to one of those.")


def _endpoint(variable_names: tuple[str, ...]) -> tuple[str, str] | None:
    """``(host[:port][/path], scheme)`` of the first endpoint variable set, if any."""
    for name in variable_names:
        value = os.environ.get(name, "").strip()
        if value:
            parsed = urlsplit(value if "://" in value else "https://" + value)
            return parsed.netloc + parsed.path.rstrip("/"), parsed.scheme
    return None


def _s3(raw: str, timeout: float) -> Any:
    import pyarrow.fs as pafs

    options: dict[str, Any] = {
        "connect_timeout": timeout, "request_timeout": timeout,
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=S3_ATTEMPTS)}
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    endpoint = _endpoint(("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"))
    if endpoint is not None:
        options["endpoint_override"], options["scheme"] = endpoint
    elif not region:
        # The bucket's own region, as pyarrow's from_uri finds it; the SDK's default else.
        bucket = raw.split("://", 1)[1].split("/", 1)[0]
        try:  # a request of its own, which pyarrow does not bound: not waited for longer
            region = _within(lambda: pafs.resolve_s3_region(bucket), timeout)
        except (OSError, ValueError, TimeoutError):
            region = None
    if region:
        options["region"] = region
    return pafs.S3FileSystem(**options)


def _gcs(timeout: float) -> Any:
    import datetime

    import pyarrow.fs as pafs

    options: dict[str, Any] = {"retry_time_limit": datetime.timedelta(seconds=timeout)}
    emulator = _endpoint(("STORAGE_EMULATOR_HOST",))
    if emulator is not None:
        options["endpoint_override"], options["scheme"] = emulator
        options["anonymous"] = True
    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if project:
        options["project_id"] = project
    return pafs.GcsFileSystem(**options)


def _http(where: str, timeout: float) -> Any:
    try:
        import aiohttp
        from fsspec.implementations.http import HTTPFileSystem
    except ImportError:
        raise DriftInputError(
            f"{where}: reading http:// and https:// URLs needs fsspec and aiohttp: "
            f"{REMOTE_INSTALL}.") from None
    import pyarrow.fs as pafs

    # connect and sock_read, not total: a large download may take longer than the timeout.
    client = {"timeout": aiohttp.ClientTimeout(connect=timeout, sock_read=timeout)}
    http = HTTPFileSystem(client_kwargs=client, skip_instance_cache=True)
    return pafs.PyFileSystem(pafs.FSSpecHandler(http))


def _list(filesystem: Any, root: str, raw: str, scheme: str, where: str, timeout: float
          ) -> list[RemoteObject]:
    """The data objects at ``root``: the object itself, or the parts under the prefix."""
    if scheme in HTTP_SCHEMES:
        return [_http_object(filesystem, raw, where, timeout)]
    import pyarrow.fs as pafs

    def listing() -> list[Any]:
        info = filesystem.get_file_info(root)
        if info.type == pafs.FileType.File:
            return [info]
        if info.type == pafs.FileType.NotFound:
            raise FileNotFoundError(raw)
        return list(filesystem.get_file_info(
            pafs.FileSelector(root.rstrip("/"), recursive=True)))

    listed = request(raw, where, timeout, listing)
    if len(listed) == 1 and listed[0].path == root:
        return [_object(listed[0], raw, root)]
    base = raw.rstrip("/")
    prefix = root.rstrip("/") + "/"
    objects = [_object(item, f"{base}/{item.path[len(prefix):]}", item.path) for item in listed
               if item.type == pafs.FileType.File
               and all(is_data_name(part) for part in item.path[len(prefix):].split("/"))]
    if not objects:
        raise DriftInputError(f"{where}: the prefix {raw} holds no data objects (names "
                              "starting with _ or . are not data). Point at the prefix the "
                              "job wrote its parts to.")
    return sorted(objects, key=lambda o: o.path)


def request(url: str, where: str, timeout: float, call: Callable[[], T]) -> T:
    """``call()``, which sends requests for ``url``; a failed one is the input error naming
    the URL. GCS's client bounds its retries by the timeout, but waits two minutes on a
    server that accepts and never answers: a GCS call is not waited for longer."""
    try:
        return _within(call, timeout) if url.lower().startswith(GCS_SCHEMES) else call()
    except (OSError, ValueError, TimeoutError) as exc:
        raise remote_error(exc, url, where, timeout) from None


def _within(call: Callable[[], T], seconds: float) -> T:
    """``call()``'s result, or TimeoutError when it has not returned after ``seconds`` (it
    then ends in a daemon thread, unwaited for)."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=run, daemon=True, name="pytest-drift-remote")
    worker.start()
    worker.join(seconds)
    if failure:
        raise failure[0]
    if not outcome:
        raise TimeoutError(f"no answer within {seconds:g} s")
    return outcome[0]


def _object(info: Any, url: str, path: str) -> RemoteObject:
    mtime = info.mtime_ns
    return RemoteObject(url, path, int(info.size or 0), "" if mtime is None else str(mtime))


def _http_object(filesystem: Any, url: str, where: str, timeout: float) -> RemoteObject:
    """An ``http(s)://`` file, by fsspec's own ``info`` (the size, ETag, Last-Modified)."""
    try:
        info = filesystem.handler.fs.info(url)
    except (OSError, ValueError) as exc:
        raise remote_error(exc, url, where, timeout) from None
    version = next((str(info[key]) for key in ("ETag", "Last-Modified") if info.get(key)), "")
    return RemoteObject(url, url, int(info.get("size") or 0), version)


# -- errors ---------------------------------------------------------------------------------


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it (fsspec reports a timeout as FileNotFoundError from it)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _status(chain: list[BaseException]) -> int | None:
    """The HTTP status of the first error that carries one."""
    for error in chain:
        status = getattr(error, "status", None)
        if isinstance(status, int):
            return status
    return None


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


#: Timeouts of every layer: on Python 3.10 asyncio's TimeoutError (which aiohttp's and
#: fsspec's derive from) and concurrent.futures' are not the builtin one.
_TIMEOUTS = (TimeoutError, asyncio.TimeoutError, concurrent.futures.TimeoutError)


def remote_error(exc: BaseException, url: str, where: str, timeout: float) -> DriftInputError:
    """The input error for a failed request for ``url``: what happened and what to do."""
    chain = _causes(exc)
    text = " ".join(str(error) for error in chain)
    status = _status(chain)
    credentials = ("GOOGLE_APPLICATION_CREDENTIALS" if url.lower().startswith(GCS_SCHEMES)
                   else "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE")
    if (any(isinstance(error, _TIMEOUTS) for error in chain) or "curlCode: 28" in text
            or "Timeout was reached" in text or "DEADLINE_EXCEEDED" in text):
        attempts = f", {S3_ATTEMPTS} attempts" if url.lower().startswith(S3_SCHEMES) else ""
        return DriftTimeoutError(
            f"{where}: no answer for {url} within {timeout:g} s (remote_timeout{attempts}). "
            "Check the endpoint and the network, or " + TIMEOUT_ADVICE + ".")
    if status in (401, 403) or re.search(
            r"ACCESS_DENIED|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|"
            r"PERMISSION_DENIED|UNAUTHENTICATED|Forbidden", text):
        return DriftInputError(
            f"{where}: access to {url} was denied ({_first_line(chain[-1])}). Check the "
            f"credentials ({credentials}) and that they may read it.")
    if status == 404 or any(isinstance(error, FileNotFoundError) for error in chain) \
            or re.search(r"NO_SUCH_(KEY|BUCKET)|NoSuchKey|NoSuchBucket|NOT_FOUND", text):
        return DriftInputError(
            f"{where}: no object at {url}. Check the URL (bucket, key or prefix), and that "
            "the job that writes it has run.")
    if status is not None:
        return DriftInputError(
            f"{where}: the server answered HTTP {status} for {url}. Check the URL and the "
            "server.")
    endpoint = next((f" (the endpoint: {name})" for schemes, name in
                     ((S3_SCHEMES, "AWS_ENDPOINT_URL"), (GCS_SCHEMES, "STORAGE_EMULATOR_HOST"))
                     if url.lower().startswith(schemes)), "")
    return DriftInputError(
        f"{where}: {url} cannot be read: {_first_line(chain[-1])}. Check the URL, the "
        f"server{endpoint} and the network.")
