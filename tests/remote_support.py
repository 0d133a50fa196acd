"""Servers on localhost for the tests of datasets at URLs.

- :class:`S3Server`: moto's standalone S3-compatible server (a real HTTP server on a free
  port), with a bucket holding the datasets of tests/data as CSV, as Parquet and as a prefix
  of Parquet parts; :meth:`S3Server.denying` makes it check credentials (moto's
  ``/moto-api/reset-auth``: after that many unauthenticated requests, every request is
  authenticated, and the tests' made-up keys are refused with 403).
- :class:`FileServer`: ``http.server`` serving a directory, with byte ranges (as web servers
  and object stores answer them) unless told not to.
- :class:`SilentServer`: accepts connections and never answers.
"""

from __future__ import annotations

import http.server
import logging
import os
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from tests.helpers import DATA

BUCKET = "drift-data"
#: The datasets uploaded, with the files of each: ``<name>/baseline.csv`` and so on.
DATASETS = ("cars_model_years", "penguins_islands")
#: Credentials the tests give the S3 client (moto accepts any until it checks them).
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_REGION": "us-east-1"}
#: Variables that would send the requests elsewhere or change the credentials.
SCRUBBED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION",
            "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


def write_parquet_copies(source: Path, target: Path) -> None:
    """Each CSV of ``source`` as Parquet in ``target``, and the candidate again as a
    directory of two parts beside a ``_SUCCESS`` marker (``candidate_parts/``)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    target.mkdir(parents=True, exist_ok=True)
    for csv_file in sorted(source.glob("*.csv")):
        table = pacsv.read_csv(csv_file)
        pq.write_table(table, target / f"{csv_file.stem}.parquet")
        if csv_file.stem == "candidate":
            parts = target / "candidate_parts"
            parts.mkdir(exist_ok=True)
            half = table.num_rows // 2
            pq.write_table(table.slice(0, half), parts / "part-0.parquet")
            pq.write_table(table.slice(half), parts / "part-1.parquet")
            (parts / "_SUCCESS").write_bytes(b"")


def local_tree(root: Path) -> Path:
    """The datasets as the bucket holds them, on disk under ``root``: each dataset's CSV
    files and their Parquet copies."""
    for name in DATASETS:
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for csv_file in (DATA / name).glob("*.csv"):
            (folder / csv_file.name).write_bytes(csv_file.read_bytes())
        write_parquet_copies(folder, folder)
    return root


class S3Server:
    """moto's server on ``127.0.0.1`` with :data:`BUCKET` holding :func:`local_tree`."""

    def __init__(self, tree: Path) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request
        self.tree = tree
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self._upload()

    def _upload(self) -> None:
        import boto3

        client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_bucket(Bucket=BUCKET)
        for path in sorted(self.tree.rglob("*")):
            if path.is_file():
                client.put_object(Bucket=BUCKET, Key=path.relative_to(self.tree).as_posix(),
                                  Body=path.read_bytes())

    def url(self, key: str) -> str:
        return f"s3://{BUCKET}/{key}"

    def environment(self) -> dict[str, str]:
        """The variables that point an S3 client at this server."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def _set_auth(self, unauthenticated_requests: str) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset-auth",
                                         data=unauthenticated_requests.encode(), method="POST",
                                         # a form body would be parsed away before moto reads it
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=10):
            pass

    @contextmanager
    def denying(self) -> Iterator[None]:
        """Every request authenticated (the tests' keys are unknown to it, so refused)."""
        self._set_auth("0")
        try:
            yield
        finally:
            self._set_auth("inf")

    def stop(self) -> None:
        self._server.stop()


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """``SimpleHTTPRequestHandler`` with ``Range: bytes=a-b`` answered by 206."""

    ranges = True

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def send_head(self) -> Any:
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not (self.ranges and header and header.startswith("bytes=") and path.is_file()):
            return super().send_head()
        size = path.stat().st_size
        first, _, last = header[len("bytes="):].partition("-")
        start = int(first) if first else max(size - int(last), 0)
        end = min(int(last), size - 1) if first and last else size - 1
        stream = open(path, "rb")  # noqa: SIM115 - copyfile reads and the handler closes it
        stream.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Limited(stream, end - start + 1)


class _Limited:
    """The first ``length`` bytes of a file, for ``copyfile``."""

    def __init__(self, stream: Any, length: int) -> None:
        self.stream, self.left = stream, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.stream.read(size)
        self.left -= len(data)
        return bytes(data)

    def close(self) -> None:
        self.stream.close()


class FileServer:
    """A threaded ``http.server`` serving ``directory`` on ``127.0.0.1``."""

    def __init__(self, directory: Path, *, ranges: bool = True) -> None:
        handler = type("Handler", (_RangeHandler,), {"ranges": ranges})
        self._server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(handler, directory=os.fspath(directory)))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class SilentServer:
    """Accepts connections on ``127.0.0.1`` and never sends a byte."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self._socket.settimeout(0.2)
        self._held: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        self.address = f"127.0.0.1:{self._socket.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            self._held.append(connection)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self._socket.close()
