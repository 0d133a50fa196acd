"""One builder of bad inputs, shared by the pytest, command-line and documentation checks.

Each :class:`Case` writes a baseline and a candidate into a directory (under ``data/``) and
says what the user must be told about it. The same case runs through the ``drift`` marker
(tests/e2e/test_bad_inputs_pytest.py), the ``datadrift`` command line
(tests/cli/test_bad_inputs_cli.py) and :func:`pytest_drift.compare` (docs/bad_inputs.py,
which writes docs/bad-input.md).

A case's ``expect`` fragments are written with paths relative to the directory
(``data/candidate.csv``); :func:`normalise` turns a real message into that form. Where the
dataset was named (the option and where it came from) depends on how the check was run, so
each runner adds it itself: :func:`origin_fragments` gives ``(from marker keyword candidate
on test_case.py::test_bad_input)``, ``(from command line --prod_data)`` or
``(from argument candidate)`` for the options a case lists in ``named_by``.

Nothing here imports pytest: the documentation script uses it too.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from tests.bad_segment_inputs import segment_cases
from tests.bad_snapshot_inputs import snapshot_cases
from tests.bad_window_inputs import window_cases

#: A file that unpickling a payload of :func:`pickle_payload` creates.
UNPICKLED_MARKER = "UNPICKLED.marker"
#: Rows of the well-formed datasets: more than ``min_samples`` (20) on each side.
ROWS = 40
#: The columns of the well-formed datasets.
HEADER = ("size", "colour", "price")
#: Memory "available" in the too-large case: the candidate needs more than half of it.
SMALL_MEMORY = 60_000

Outcome = Literal["error", "skipped", "infinite"]
Interface = Literal["marker", "command line", "argument"]


class Built(NamedTuple):
    """What a case's builder returns: the two datasets and the check's other options."""

    baseline: Any
    candidate: Any
    options: dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One kind of bad input."""

    id: str
    #: What it is, in a few words (a heading of the documentation page).
    title: str
    build: Callable[[Path], Built]
    #: Fragments the message must hold, paths relative to the directory.
    expect: tuple[str, ...]
    #: A regular expression for the part of the message that says what to do.
    advice: str
    #: What to do, in the documentation's words.
    fix: str
    #: The options whose origin the message must name (``baseline``, ``candidate``, ...).
    named_by: tuple[str, ...] = ("candidate",)
    outcome: Outcome = "error"
    #: A file (relative to the directory) that the check must find unreadable.
    unreadable: str | None = None
    #: Bytes of memory the check must believe are available.
    memory: int | None = None
    #: The candidate is a JSON Lines API log (the command line runs it in online mode).
    api_log: bool = False
    #: The datasets are DataFrames (no command line for them).
    frames: bool = False
    #: The skipped feature and its reason, for ``outcome="skipped"``.
    skipped: Mapping[str, str] = field(default_factory=dict)
    #: ``(feature, train_infinite, prod_infinite, prod_missing)`` for ``outcome="infinite"``.
    infinite: tuple[str, int, int, int] | None = None

    @property
    def is_error(self) -> bool:
        return self.outcome == "error"


# --- well-formed data -------------------------------------------------------------------


def rows(count: int = ROWS, *, price: Callable[[int], str] | None = None) -> list[list[str]]:
    """Stable rows: the same values on both sides, so no feature drifts."""
    colours = ("red", "blue", "green", "blue")
    return [[str(i % 5), colours[i % 4], price(i) if price else f"{10 + (i * 7) % 13 / 10:.1f}"]
            for i in range(count)]


def csv_text(header: tuple[str, ...] | list[str] = HEADER, body: list[list[str]] | None = None
             ) -> str:
    body = rows() if body is None else body
    return "\n".join(",".join(line) for line in [list(header), *body]) + "\n"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def data_dir(directory: Path) -> Path:
    folder = directory / "data"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def with_baseline(directory: Path) -> str:
    """Write the well-formed baseline; return its name as the user writes it."""
    write(data_dir(directory) / "baseline.csv", csv_text())
    return "data/baseline.csv"


def frame_table(count: int = ROWS) -> Any:
    import pyarrow as pa

    body = rows(count)
    return pa.table({"size": [int(r[0]) for r in body], "colour": [r[1] for r in body],
                     "price": [float(r[2]) for r in body]})


class Unpickled:
    """Unpickling this object creates the file ``marker``: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def pickle_payload(directory: Path) -> bytes:
    """A pickle that creates ``UNPICKLED_MARKER`` in ``directory`` when it is loaded."""
    return pickle.dumps(Unpickled((directory / UNPICKLED_MARKER).resolve()))


def was_unpickled(directory: Path) -> bool:
    return (directory / UNPICKLED_MARKER).exists()


# --- the bad inputs ---------------------------------------------------------------------


def _missing_file(d: Path) -> Built:
    return Built(with_baseline(d), "data/candidate.csv", {})


def _unreadable_file(d: Path) -> Built:
    baseline = with_baseline(d)
    write(d / "data" / "candidate.csv", csv_text())
    return Built(baseline, "data/candidate.csv", {})


def _empty_directory(d: Path) -> Built:
    parts = data_dir(d) / "candidate"
    write(parts / "_SUCCESS", "")
    write(parts / ".part-0.csv.crc", "")
    return Built(with_baseline(d), "data/candidate", {})


def _glob_no_match(d: Path) -> Built:
    write(data_dir(d) / "parts" / "part-0.csv", csv_text())
    return Built(with_baseline(d), "data/parts/*.parquet", {})


def _unknown_format(d: Path) -> Built:
    write(data_dir(d) / "candidate.xlsx", csv_text())
    return Built(with_baseline(d), "data/candidate.xlsx", {})


def _unknown_scheme(d: Path) -> Built:
    return Built(with_baseline(d), "ftp://example.org/candidate.csv", {})


def _pickle_file(d: Path) -> Built:
    write(data_dir(d) / "candidate.pkl", pickle_payload(d))
    return Built(with_baseline(d), "data/candidate.pkl", {})


def _pickle_as_csv(d: Path) -> Built:
    write(data_dir(d) / "candidate.csv", pickle_payload(d))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _pickle_as_parquet(d: Path) -> Built:
    write(data_dir(d) / "candidate.parquet", pickle_payload(d))
    return Built(with_baseline(d), "data/candidate.parquet", {})


def _empty(name: str) -> Callable[[Path], Built]:
    def build(d: Path) -> Built:
        write(data_dir(d) / name, b"")
        return Built(with_baseline(d), f"data/{name}", {})

    return build


def _feather_no_rows(d: Path) -> Built:
    import pyarrow.feather as feather

    feather.write_feather(frame_table(0), str(data_dir(d) / "candidate.feather"))
    return Built(with_baseline(d), "data/candidate.feather", {})


def _header_only(d: Path) -> Built:
    write(data_dir(d) / "candidate.csv", csv_text(body=[]))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _malformed_row(d: Path) -> Built:
    body = rows()
    body[29] = [*body[29], "extra"]  # line 31: a header line, then 29 good rows
    write(data_dir(d) / "candidate.csv", csv_text(body=body))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _unclosed_quote(column: int) -> Callable[[Path], Built]:
    def build(d: Path) -> Built:
        body = rows()
        body[11][column] = f'"{body[11][column]}'  # line 13, never closed
        write(data_dir(d) / "candidate.csv", csv_text(body=body))
        return Built(with_baseline(d), "data/candidate.csv", {})

    return build


def _json_lines(body: list[list[str]]) -> list[str]:
    return [json.dumps({"size": int(r[0]), "colour": r[1], "price": float(r[2])})
            for r in body]


def _malformed_json_line(d: Path) -> Built:
    lines = _json_lines(rows())
    lines[6] = lines[6].replace(", ", ",, ", 1)  # line 7
    write(data_dir(d) / "candidate.jsonl", "\n".join(lines) + "\n")
    return Built(with_baseline(d), "data/candidate.jsonl", {})


def _api_log_without_features(d: Path) -> Built:
    lines = [json.dumps({"timestamp": f"2024-05-01T10:{i:02d}:00Z",
                         "features": json.loads(line), "prediction": 0.5})
             for i, line in enumerate(_json_lines(rows()))]
    lines[4] = json.dumps({"timestamp": "2024-05-01T10:04:00Z", "prediction": 0.5})  # line 5
    write(data_dir(d) / "requests.jsonl", "\n".join(lines) + "\n")
    return Built(with_baseline(d), "data/requests.jsonl", {})


def _json_not_records(d: Path) -> Built:
    body = rows()
    document = {name: [r[i] for r in body] for i, name in enumerate(HEADER)}
    write(data_dir(d) / "candidate.json", json.dumps(document))
    return Built(with_baseline(d), "data/candidate.json", {})


def _numeric_and_text(d: Path) -> Built:
    body = rows(price=lambda i: f"EUR {10 + i % 7}")
    write(data_dir(d) / "candidate.csv", csv_text(body=body))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _entirely_missing(d: Path) -> Built:
    write(data_dir(d) / "candidate.csv", csv_text(body=rows(price=lambda i: "")))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _infinite(d: Path) -> Built:
    special = {3: "inf", 8: "-inf", 15: "inf", 21: "nan", 30: ""}
    body = rows(price=lambda i: special.get(i, f"{10 + (i * 7) % 13 / 10:.1f}"))
    write(data_dir(d) / "candidate.csv", csv_text(body=body))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _unknown_feature(d: Path) -> Built:
    write(data_dir(d) / "candidate.csv", csv_text())
    return Built(with_baseline(d), "data/candidate.csv", {"features": ["colr", "size"]})


def _duplicate_csv_header(d: Path) -> Built:
    body = [[*r, r[0]] for r in rows()]
    write(data_dir(d) / "candidate.csv", csv_text((*HEADER, "size"), body))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _duplicate_frame_columns(d: Path) -> Built:
    table = frame_table()
    candidate = table.to_pandas()
    candidate.columns = ["size", "colour", "size"]
    return Built(table.to_pandas(), candidate, {})


def _non_utf8(d: Path) -> Built:
    text = csv_text().encode("utf-8").split(b"\n")
    text[8] = text[8].replace(b"blue", "bl\u00e9u".encode("latin-1"))  # line 9
    write(data_dir(d) / "candidate.csv", b"\n".join(text))
    return Built(with_baseline(d), "data/candidate.csv", {})


def _too_large(d: Path) -> Built:
    body = rows(4000)
    write(data_dir(d) / "candidate.csv", csv_text(body=body))
    # engine="auto" would pick the DuckDB engine, installed with the test extras.
    return Built(with_baseline(d), "data/candidate.csv", {"engine": "memory"})


def _mixed_formats(d: Path) -> Built:
    import pyarrow.parquet as pq

    parts = data_dir(d) / "candidate"
    write(parts / "part-0.csv", csv_text())
    pq.write_table(frame_table(), str(parts / "part-1.parquet"))
    return Built(with_baseline(d), "data/candidate", {})


def _csv_parts_differ(d: Path) -> Built:
    parts = data_dir(d) / "candidate"
    write(parts / "part-0.csv", csv_text())
    write(parts / "part-1.csv", csv_text(("size", "colour", "weight")))
    return Built(with_baseline(d), "data/candidate", {})


def _parquet_parts_differ(d: Path) -> Built:
    import pyarrow.parquet as pq

    parts = data_dir(d) / "candidate"
    parts.mkdir(exist_ok=True)
    table = frame_table()
    pq.write_table(table, str(parts / "part-0.parquet"))
    pq.write_table(table.rename_columns(["size", "colour", "weight"]),
                   str(parts / "part-1.parquet"))
    return Built(with_baseline(d), "data/candidate", {})


FIX_EMPTY = ("Check the job that writes the file: it wrote nothing. Point the option at the "
             "complete file.")
#: An explicit instruction, for messages that only state the problem.
SAYS_WHAT_TO_DO = r"(?i:\b(check|fix|write|regenerate|re-run|rerun|point)\b)"

CASES: tuple[Case, ...] = (
    Case("missing-file", "A file that does not exist", _missing_file,
         ("candidate 'data/candidate.csv'", "file not found: data/candidate.csv"),
         re.escape("Check the path; relative paths are resolved against"),
         "Fix the path. Relative paths are resolved against the pytest rootdir (the current "
         "directory for the command line and `compare`)."),
    Case("unreadable-file", "A file the tests may not read", _unreadable_file,
         ("candidate 'data/candidate.csv'", "data/candidate.csv cannot be read: "
          "permission denied"),
         re.escape("Make it readable by the user running the tests"),
         "Give the user that runs the tests read permission (`chmod a+r`), or copy the file.",
         unreadable="data/candidate.csv"),
    Case("empty-directory", "A directory with no data files", _empty_directory,
         ("candidate 'data/candidate'", "the directory data/candidate holds no data files"),
         re.escape("(looked for .csv, .tsv"),
         "Point the option at the directory the job wrote its parts to; files whose names "
         "start with `_` or `.` (`_SUCCESS`, `.crc`) are not data."),
    Case("glob-no-match", "A glob that matches nothing", _glob_no_match,
         ("candidate 'data/parts/*.parquet'",
          "the pattern 'data/parts/*.parquet' matched no data files"),
         re.escape("Check the pattern"),
         "Fix the pattern (here the parts are `.csv`); relative patterns are resolved against "
         "the rootdir."),
    Case("unknown-format", "A file extension that is not a data format", _unknown_format,
         ("candidate 'data/candidate.xlsx'", "unknown format of 'candidate.xlsx'",
          "Supported files: .csv"),
         re.escape("say which format it is with format='csv'"),
         "Export the data as CSV or Parquet, or name the format with `format=` when the file "
         "name does not say it."),
    Case("unknown-url-scheme", "A URL of a scheme that is not read", _unknown_scheme,
         ("candidate 'ftp://example.org/candidate.csv'", "unknown URL scheme 'ftp://'",
          "s3://, gs:// or https://"),
         re.escape("Fix the URL"),
         "Copy the data to object storage (`s3://`, `gs://`) or a web server (`https://`), "
         "or to a local path; see README's Object storage section."),
    Case("pickle-file", "A pickle file (.pkl)", _pickle_file,
         ("candidate 'data/candidate.pkl'", "data/candidate.pkl is a pickle file",
          "never loaded"),
         re.escape("write the data as Parquet (DataFrame.to_parquet) or CSV"),
         "Write the data as Parquet (`DataFrame.to_parquet`) or CSV. Pickles run code when "
         "loaded and are never opened."),
    Case("pickle-as-csv", "A pickle named .csv", _pickle_as_csv,
         ("candidate 'data/candidate.csv'", "data/candidate.csv is a pickle file"),
         re.escape("write the data as Parquet (DataFrame.to_parquet) or CSV"),
         "Write real CSV (or Parquet). A file that starts like a pickle is refused, whatever "
         "its name, and never unpickled."),
    Case("pickle-as-parquet", "A pickle named .parquet", _pickle_as_parquet,
         ("candidate 'data/candidate.parquet'", "data/candidate.parquet is a pickle file"),
         SAYS_WHAT_TO_DO,
         "Write the file with `DataFrame.to_parquet`. It is read as Parquet only, never "
         "unpickled."),
    Case("empty-csv", "An empty CSV file (0 bytes)", _empty("candidate.csv"),
         ("candidate 'data/candidate.csv'", "data/candidate.csv is empty"),
         SAYS_WHAT_TO_DO, FIX_EMPTY),
    Case("empty-jsonl", "An empty JSON Lines file (0 bytes)", _empty("candidate.jsonl"),
         ("candidate 'data/candidate.jsonl'", "data/candidate.jsonl is empty"),
         SAYS_WHAT_TO_DO, FIX_EMPTY),
    Case("empty-parquet", "An empty Parquet file (0 bytes)", _empty("candidate.parquet"),
         ("candidate 'data/candidate.parquet'", "data/candidate.parquet is empty"),
         SAYS_WHAT_TO_DO, FIX_EMPTY),
    Case("empty-feather", "An empty Feather file (0 bytes)", _empty("candidate.feather"),
         ("candidate 'data/candidate.feather'", "data/candidate.feather is empty"),
         SAYS_WHAT_TO_DO, FIX_EMPTY),
    Case("feather-no-rows", "A Feather file with columns but no rows", _feather_no_rows,
         ("candidate 'data/candidate.feather'", "has no data rows"),
         re.escape("the job that wrote it"),
         "Check the job that writes the file: it wrote the columns and no rows."),
    Case("header-only-csv", "A CSV file with a header and no rows", _header_only,
         ("candidate 'data/candidate.csv'", "has no data rows"),
         re.escape("the job that wrote it"),
         "Check the job that writes the file: it wrote the header and no data."),
    Case("malformed-csv-row", "A CSV row with the wrong number of fields", _malformed_row,
         ("candidate 'data/candidate.csv'", "data/candidate.csv is not valid CSV at line 31",
          "Expected 3 columns, got 4"),
         re.escape("Fix the file or the job that writes it"),
         "Fix that row (an unquoted comma in a value is the usual cause) or the job that "
         "writes the file."),
    Case("unclosed-quote", "A quote that is never closed (in the middle of a row)",
         _unclosed_quote(1),
         ("candidate 'data/candidate.csv'", "data/candidate.csv has a quote that is never "
          "closed (from line 13)"),
         re.escape("Fix the quoting of that row"),
         "Close the quote on that line, or write the file with a CSV library that quotes "
         "values."),
    Case("unclosed-quote-last-column", "A quote that is never closed (in the last column)",
         _unclosed_quote(2),
         ("candidate 'data/candidate.csv'", "data/candidate.csv has a quote that is never "
          "closed (from line 13)"),
         re.escape("Fix the quoting of that row"),
         "Close the quote on that line, or write the file with a CSV library that quotes "
         "values."),
    Case("malformed-json-line", "A JSON Lines line that is not valid JSON",
         _malformed_json_line,
         ("candidate 'data/candidate.jsonl'", "data/candidate.jsonl line 7 is not valid JSON"),
         re.escape("Each line must be one JSON object"),
         "Fix that line: each line must hold one complete JSON object."),
    Case("api-log-without-features", "An API-log line without the features object",
         _api_log_without_features,
         ("candidate 'data/requests.jsonl'", "data/requests.jsonl line 5 has no 'features' "
          "object"),
         re.escape("every request line must carry the model inputs (features_key="),
         "Log the model inputs on every request, or set `features_key` to the key (a dotted "
         "path for nested objects) that holds them.",
         api_log=True),
    Case("json-not-records", "A JSON file that is not a list of records", _json_not_records,
         ("candidate 'data/candidate.json'", "data/candidate.json must hold a JSON list of "
          "records"),
         re.escape("for one object per line use .jsonl"),
         'Write `[{"feature": value, ...}, ...]` (`DataFrame.to_json(orient="records")`), or '
         "one object per line as `.jsonl`."),
    Case("numeric-and-text", "A column numeric on one side and text on the other",
         _numeric_and_text,
         ("column 'price' is numeric in the baseline 'data/baseline.csv'",
          "but text in the candidate 'data/candidate.csv'"),
         re.escape("categorical=['price']") + ".*" + re.escape("exclude=['price']"),
         "Fix the data (here a currency prefix), or test the column as categories "
         "(`categorical=[...]`) or leave it out (`exclude=[...]`).",
         named_by=("baseline", "candidate")),
    Case("column-entirely-missing", "A column with no value on one side", _entirely_missing,
         (), "", "Nothing, if expected: the column is skipped with the reason, shown in the "
         "terminal and the report, and the other features are tested. Otherwise fix the job "
         "that fills it.",
         named_by=(), outcome="skipped",
         skipped={"price": "entirely missing in candidate"}),
    Case("infinite-values", "±inf values in a numeric column", _infinite,
         (), "", "Nothing: ±inf are counted apart from missing values (`train_infinite`, "
         "`prod_infinite`), left out of the test like missing values, and shown in the "
         "terminal's `miss` column. Fix the job that produces them if they are a bug.",
         named_by=(), outcome="infinite", infinite=("price", 0, 3, 2)),
    Case("unknown-feature", "A feature name that is not a column", _unknown_feature,
         ("unknown feature 'colr' (did you mean 'colour'?)", "data/baseline.csv",
          "data/candidate.csv"),
         re.escape("did you mean 'colour'?"),
         "Fix the name in `features` (or `categorical`, `exclude`); the message lists the "
         "columns.",
         named_by=("features",)),
    Case("duplicate-csv-header", "A CSV header that names a column twice",
         _duplicate_csv_header,
         ("candidate 'data/candidate.csv'", "duplicate column names 'size'"),
         re.escape("Rename the copies"),
         "Rename one of the columns in the job that writes the file."),
    Case("duplicate-frame-columns", "A DataFrame with two columns of one name",
         _duplicate_frame_columns,
         ("candidate '<pandas.DataFrame 40×3>'", "duplicate column names 'size'"),
         re.escape("Rename the copies"),
         "Rename the copies (`df.columns = [...]`) or drop one "
         "(`df.loc[:, ~df.columns.duplicated()]`).",
         frames=True),
    Case("non-utf8", "A file that is not UTF-8", _non_utf8,
         ("candidate 'data/candidate.csv'", "data/candidate.csv is not UTF-8 text (line 9, "
          "byte 0xe9)"),
         re.escape("Re-encode it as UTF-8"),
         "Re-encode the file as UTF-8 (`iconv -f latin1 -t utf-8`), or have the job write "
         "UTF-8."),
    Case("too-large", "Data too large for memory", _too_large,
         ("candidate 'data/candidate.csv'", "is too large for memory",
          "the tested columns need about 48 KB and 60 KB is available"),
         re.escape('engine="duckdb"'),
         'Test fewer features, or run the check on the DuckDB engine (`engine="duckdb"`, or '
         "`engine=\"auto\"` with `pip install \"pytest-datadrift[duckdb]\"`), which streams "
         "the data from disk.",
         memory=SMALL_MEMORY),
    Case("mixed-formats", "A directory of parts in different formats", _mixed_formats,
         ("candidate 'data/candidate'", "the files mix formats (csv, parquet:",
          "data/candidate/part-0.csv", "data/candidate/part-1.parquet"),
         re.escape("point at files of one format"),
         "Keep one format per directory, or point the option at a glob of one format "
         "(`data/candidate/*.parquet`)."),
    Case("csv-parts-differ", "CSV parts with different columns", _csv_parts_differ,
         ("candidate 'data/candidate'", "data/candidate/part-1.csv has columns",
          "data/candidate/part-0.csv"),
         re.escape("the parts of one dataset must have the same columns"),
         "Write every part with the same columns."),
    Case("parquet-parts-differ", "Parquet parts with different columns",
         _parquet_parts_differ,
         ("candidate 'data/candidate'", "data/candidate/part-1.parquet",
          "data/candidate/part-0.parquet", "weight"),
         SAYS_WHAT_TO_DO,
         "Write every part with the same columns (one schema)."),
    *snapshot_cases(),
    *segment_cases(),
    *window_cases(),
)

CASES_BY_ID: Mapping[str, Case] = {case.id: case for case in CASES}
ERROR_CASES = tuple(case for case in CASES if case.is_error)


def build(case_id: str, directory: Path) -> Built:
    """Write case ``case_id``'s files into ``directory``; return its datasets and options."""
    return CASES_BY_ID[case_id].build(directory)


@contextmanager
def simulated(case: Case, directory: Path, patch: Callable[[Any, str, Any], None] | None = None
              ) -> Iterator[None]:
    """Apply what a case cannot write to disk: an unreadable file, little memory.

    ``patch(target, name, value)`` sets an attribute (``monkeypatch.setattr``); without it the
    attributes are set here and restored on exit.
    """
    import pytest_drift.loaders.budget as budget

    changes: list[tuple[Any, str, Any]] = []
    if case.unreadable is not None:
        denied = (directory / case.unreadable).resolve()
        real_access = os.access

        def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
            if mode & os.R_OK and Path(path).resolve() == denied:
                return False
            return real_access(path, mode, *args, **kwargs)

        changes.append((os, "access", access))
    if case.memory is not None:
        available = case.memory
        changes.append((budget, "available_memory", lambda: available))
    saved = [(target, name, getattr(target, name)) for target, name, _ in changes]
    for target, name, value in changes:
        (patch or setattr)(target, name, value)
    try:
        yield
    finally:
        if patch is None:
            for target, name, value in saved:
                setattr(target, name, value)


def origin(option: str, interface: Interface, *, nodeid: str = "", api_log: bool = False
           ) -> str:
    """How a message names where ``option`` was set, for one way of running the check."""
    if interface == "marker":
        return f"(from marker keyword {option} on {nodeid})"
    if interface == "command line":
        flags = {"baseline": "--train_data",
                 "candidate": "--api_logs" if api_log else "--prod_data"}
        return f"(from command line {flags.get(option, '--drift-' + option.replace('_', '-'))})"
    return f"(from argument {option})"


def origin_fragments(case: Case, interface: Interface, nodeid: str = "") -> list[str]:
    return [origin(option, interface, nodeid=nodeid, api_log=case.api_log)
            for option in case.named_by]


def normalise(text: str, directory: Path, root: str = ".") -> str:
    """``text`` with paths under ``directory`` relative to it and ``directory`` itself
    written as ``root``."""
    for path in dict.fromkeys((str(directory.resolve()), str(directory))):
        text = text.replace(path + os.sep, "").replace(path, root)
    return text


def problems(case: Case, message: str, directory: Path, interface: Interface,
             nodeid: str = "") -> list[str]:
    """What the message of an error case does not say (empty: it says everything)."""
    shown = normalise(message, directory)
    missing = [repr(fragment) for fragment in
               (*case.expect, *origin_fragments(case, interface, nodeid))
               if fragment not in shown]
    if not re.search(case.advice, shown):
        missing.append(f"what to do (advice matching {case.advice!r})")
    return missing


def cli_args(case: Case, built: Built) -> list[str]:
    """The ``datadrift`` arguments that run ``built`` (file datasets only)."""
    mode = "online" if case.api_log else "batch"
    candidate_flag = "--api_logs" if case.api_log else "--prod_data"
    args = ["--mode", mode, "--train_data", str(built.baseline), candidate_flag,
            str(built.candidate)]
    for name, value in built.options.items():
        text = ",".join(value) if isinstance(value, (list, tuple)) else str(value)
        args += ["--drift-" + name.replace("_", "-"), text]
    return args


# --- the report of an earlier run (previous_report) ------------------------------------------

#: The earlier run's report as the cases name it, relative to the directory.
PREVIOUS_REPORT = "previous.json"
PASS_A_REPORT = "pass the drift_report.json that pytest-datadrift wrote in an earlier run"


@dataclass(frozen=True)
class PreviousReportCase:
    """A file given to ``previous_report`` that cannot be compared with: the run stops
    before any check with one message, the same from pytest and the command line."""

    id: str
    title: str
    #: The file's content; None: no file.
    content: str | None
    #: The message after ``previous_report='previous.json' (from ...): ``, paths relative.
    problem: str
    fix: str

    def write(self, directory: Path) -> None:
        if self.content is not None:
            write(directory / PREVIOUS_REPORT, self.content)

    def message(self, origin: str) -> str:
        """The whole message, given where the option was set (``command line
        --drift-previous-report``)."""
        return f"previous_report={PREVIOUS_REPORT!r} (from {origin}): {self.problem}"


def _newer_report() -> str:
    from pytest_drift.report import TOOL

    return json.dumps({"schema_version": 99, "tool": TOOL, "version": "9.0.0",
                       "timestamp": "2030-01-01T00:00:00+00:00", "status": "NORMAL",
                       "checks": []})


def _cut_report() -> str:
    text = json.dumps({"schema_version": 2, "tool": "pytest-datadrift", "version": "0.1.0",
                       "timestamp": "2026-01-01T00:00:00+00:00", "status": "NORMAL",
                       "checks": [{"name": "test_x", "nodeid": "t.py::test_x",
                                   "details": {}}]}, indent=2)
    return text[: len(text) // 2]


def previous_report_cases() -> tuple[PreviousReportCase, ...]:
    """The cases (a function: the newest schema version comes from the package)."""
    from pytest_drift.report import SCHEMA_VERSION

    return (
        PreviousReportCase(
            "previous-report-missing", "A previous report that does not exist", None,
            f"{PREVIOUS_REPORT} does not exist; {PASS_A_REPORT} (in CI: the last "
            "main-branch artifact), or leave the option out",
            "Fix the path (relative paths are resolved against the rootdir), or pass the "
            "option only when the download of the earlier report succeeded."),
        PreviousReportCase(
            "previous-report-not-json", "A previous report that is not JSON",
            "<!DOCTYPE html>\n<html><body>Not Found</body></html>\n",
            f"{PREVIOUS_REPORT} is not valid JSON (line 1, column 1: Expecting value); "
            f"{PASS_A_REPORT}",
            "Pass the `drift_report.json` itself (an artifact download gives the file, "
            "not the zip or an error page)."),
        PreviousReportCase(
            "previous-report-truncated", "A previous report cut short", _cut_report(),
            f"{PREVIOUS_REPORT} ends before its JSON does (a truncated download?); "
            f"{PASS_A_REPORT}",
            "Download the earlier report again; pytest-datadrift writes it atomically, so "
            "a cut file comes from the copy."),
        PreviousReportCase(
            "previous-report-not-a-drift-report", "A JSON file that is not a drift report",
            json.dumps({"created": 1700000000.0, "tests": [], "summary": {"passed": 3}}),
            f"{PREVIOUS_REPORT} is not a pytest-datadrift report (a JSON object with "
            f"\"tool\": \"pytest-datadrift\" and its \"checks\"); {PASS_A_REPORT}",
            "Pass the `drift_report.json` of the earlier run (or the `--output` of an "
            "earlier `datadrift` command), not another tool's report."),
        PreviousReportCase(
            "previous-report-newer-schema", "A previous report of a newer schema version",
            _newer_report(),
            f"{PREVIOUS_REPORT} has schema_version 99 (written by pytest-datadrift 9.0.0), "
            f"newer than this pytest-datadrift reads (up to {SCHEMA_VERSION}); upgrade "
            "pytest-datadrift (pip install -U pytest-datadrift), or leave the option out",
            "Upgrade pytest-datadrift to the version that wrote the report, or pin both "
            "runs to one version."),
    )
