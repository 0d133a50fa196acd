"""From what the user wrote to the files to read and their format."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from pytest_drift.errors import DriftInputError
from pytest_drift.option_values import FORMAT_NAMES

#: File suffix → format. A compression suffix may follow a row format (``.csv.gz``).
FORMAT_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".parq": "parquet",
    ".feather": "feather",
    ".arrow": "feather",
    ".ipc": "feather",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
#: The formats the loaders read: the ``format`` option's names.
FORMATS = FORMAT_NAMES
COMPRESSION_SUFFIXES = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd",
                        ".zstd": "zstd"}
#: Formats read as a stream of text, so a compressed file can be read through.
COMPRESSIBLE = ("csv", "tsv", "json", "jsonl")
PICKLE_SUFFIXES = (".pkl", ".pickle", ".pck", ".joblib", ".dill")
GLOB_CHARACTERS = ("*", "?", "[")
EMPTY_ADVICE = " The job that writes it produced nothing: check that job, or point at another file."
#: Pickle protocols 2 to 5 start with these two bytes.
PICKLE_MAGIC = tuple(bytes([0x80, protocol]) for protocol in range(2, 6))


def looks_like_pickle(path: Path) -> bool:
    """A file whose first bytes are a pickle's, whatever its name says."""
    try:
        with open(path, "rb") as stream:
            return stream.read(2) in PICKLE_MAGIC
    except OSError:
        return False


def pickle_refusal(where: str, path: Path | str) -> str:
    return (f"{where}: {path} is a pickle file. Pickles can run arbitrary code when loaded, "
            "so they are never loaded: write the data as Parquet (DataFrame.to_parquet) or "
            f"CSV. Supported files: {known_suffixes()}.")


@dataclass(frozen=True)
class DataFile:
    """One file to read: its path, format and compression (None when not compressed)."""

    path: Path
    format: str
    compression: str | None = None


def resolve_path(raw: str, base_dir: Path | None) -> Path:
    """Expand ``~`` and ``${ENV}`` and anchor a relative path at ``base_dir`` (the rootdir)."""
    path = Path(os.path.expanduser(os.path.expandvars(raw)))
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def known_suffixes() -> str:
    row = ", ".join(FORMAT_SUFFIXES)
    compressed = "/".join(COMPRESSION_SUFFIXES)
    return f"{row} (CSV, TSV, JSON and JSON Lines optionally {compressed})"


def detect(path: Path, where: str, override: str | None = None) -> DataFile:
    """The format of ``path`` from its suffixes, or ``override`` (the ``format`` option)."""
    if looks_like_pickle(path):
        raise DriftInputError(pickle_refusal(where, path))
    fmt, compression = detect_name(path.name, str(path), where, override)
    return DataFile(path, fmt, compression)


def detect_name(filename: str, shown: str, where: str, override: str | None = None
                ) -> tuple[str, str | None]:
    """The format and compression a file name says (or ``override``), without opening the
    file; ``shown`` is how messages name the file (its path or URL)."""
    name = filename.lower()
    if name.endswith(PICKLE_SUFFIXES):
        raise DriftInputError(pickle_refusal(where, shown))
    compression = None
    stem = name
    for suffix, codec in COMPRESSION_SUFFIXES.items():
        if name.endswith(suffix):
            compression, stem = codec, name[: -len(suffix)]
            break
    fmt = override or FORMAT_SUFFIXES.get(Path(stem).suffix)
    if fmt is None:
        raise DriftInputError(
            f"{where}: unknown format of {filename!r}. Supported files: {known_suffixes()}; "
            f"or say which format it is with format={FORMATS[0]!r} (or "
            f"{', '.join(FORMATS[1:])})."
        )
    if compression is not None and fmt not in COMPRESSIBLE:
        raise DriftInputError(
            f"{where}: {filename!r} is a compressed {fmt} file; {fmt} files carry their own "
            "compression, so write them uncompressed (Parquet and Feather compress inside)."
        )
    return fmt, compression


def is_data_name(name: str) -> bool:
    """Whether a file of this name in a directory of parts may hold data: Spark and Hadoop
    leave _SUCCESS, .crc and _metadata files beside the parts."""
    return not name.startswith(("_", "."))


def _is_data_file(path: Path) -> bool:
    return path.is_file() and is_data_name(path.name)


def expand(raw: str, base_dir: Path | None, where: str, override: str | None
           ) -> tuple[Path, list[DataFile]]:
    """The files behind a path, a directory of parts or a glob, in sorted order.

    Returns the resolved path (the directory for a directory) and the data files. Every
    file of a directory or glob must have the same format.
    """
    path = resolve_path(raw, base_dir)
    if any(char in raw for char in GLOB_CHARACTERS) and not path.exists():
        matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        files = [p for p in matches if _is_data_file(p)]
        if not files:
            raise DriftInputError(
                f"{where}: the pattern {str(path)!r} matched no data files. Check the pattern; "
                f"relative patterns are resolved against {base_dir or Path.cwd()}."
            )
        return path, _same_format(files, where, override)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if _is_data_file(p))
        if not files:
            raise DriftInputError(
                f"{where}: the directory {path} holds no data files (looked for "
                f"{known_suffixes()})."
            )
        return path, _same_format(files, where, override)
    if not path.exists():
        raise DriftInputError(
            f"{where}: file not found: {path}. Check the path; relative paths are resolved "
            f"against {base_dir or Path.cwd()}."
        )
    if not os.access(path, os.R_OK):
        raise DriftInputError(
            f"{where}: {path} cannot be read: permission denied. Make it readable by the user "
            "running the tests."
        )
    return path, [detect(path, where, override)]


def _same_format(paths: list[Path], where: str, override: str | None) -> list[DataFile]:
    files = [detect(p, where, override) for p in paths]
    formats = sorted({f.format for f in files})
    if len(formats) > 1:
        examples = ", ".join(
            str(next(f.path for f in files if f.format == fmt)) for fmt in formats)
        raise DriftInputError(
            f"{where}: the files mix formats ({', '.join(formats)}: {examples}); point at "
            "files of one format."
        )
    return files
