"""Open a possibly compressed file for reading, as pyarrow and Python's csv/json need."""

from __future__ import annotations

import io
from typing import IO, Any

from pytest_drift.loaders.paths import DataFile


def binary(file: DataFile) -> Any:
    """A binary stream of the file's uncompressed bytes (a pyarrow stream or a file object)."""
    if file.compression == "xz":
        import lzma

        return lzma.open(file.path, "rb")
    import pyarrow as pa

    return pa.input_stream(str(file.path), compression=file.compression)


def text(file: DataFile) -> IO[str]:
    """The file's text, for Python's csv and json modules (error paths and JSON records)."""
    return io.TextIOWrapper(io.BufferedReader(binary(file)), encoding="utf-8", newline="")


def first_non_utf8_line(file: DataFile) -> str:
    """`` (line N, byte 0xe9)`` for the first line that is not UTF-8, or an empty string."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    with io.BufferedReader(binary(file)) as reader:
        for number, line in enumerate(reader, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError as exc:
                return f" (line {number}, byte {line[exc.start]:#04x})"
            if number > 50_000_000:
                break
    return ""
