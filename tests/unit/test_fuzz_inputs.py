"""Fuzzing the loaders (§8): whatever bytes a file holds, a check either gives a report or
raises DriftInputError / DriftUsageError, never another exception; and a side with no rows
is never a NORMAL verdict.

Files are random bytes (and random CSV- or JSON-like text) under every suffix, and valid
CSV and JSON Lines files mutated: bytes flipped, truncated, quotes, delimiters, line breaks,
NUL bytes and invalid UTF-8 inserted, header names duplicated, lines duplicated or dropped.
Each is checked as the candidate against a valid baseline, and against itself.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from pytest_drift import DriftInputError, DriftReport, DriftUsageError, compare
from pytest_drift.report import strict
from tests.helpers import DATA

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
#: Features need this many values: low, so that the small mutated files reach the tests.
MIN_SAMPLES = 5


def _cars_excerpt() -> bytes:
    """40 rows and 4 columns of the cars baseline: floats with missing cells, integers,
    text (few columns keep the fuzzing fast)."""
    lines = (DATA / "cars_model_years" / "baseline.csv").read_bytes().splitlines()[:41]
    keep = (0, 1, 3, 6)  # Miles_per_Gallon, Cylinders, Horsepower, Origin
    return b"".join(b",".join(line.split(b",")[i] for i in keep) + b"\n" for line in lines)


VALID_CSV = _cars_excerpt()
_LOG_LINES = (DATA / "seattle_weather_api_log" / "candidate.jsonl").read_bytes().splitlines(
    keepends=True)
VALID_API_LOG = b"".join(_LOG_LINES[:40])
VALID_RECORDS = b"".join(
    json.dumps(json.loads(line)["features"]).encode() + b"\n" for line in _LOG_LINES[40:80])
VALID_WEATHER_CSV = b"".join(
    (DATA / "seattle_weather_api_log" / "baseline.csv").read_bytes().splitlines(
        keepends=True)[:41])


def check(baseline: Path | str, candidate: Path | str) -> DriftReport | None:
    """Run a check; a report must be sound, an error must be one of ours."""
    try:
        with warnings.catch_warnings():
            # Data may be odd; a warning about it is not a crash (the suite turns warnings
            # into errors).
            warnings.simplefilter("ignore")
            report = compare(str(baseline), str(candidate), min_samples=MIN_SAMPLES)
    except (DriftInputError, DriftUsageError) as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert message.strip(), "an error without a message"
        return None
    assert isinstance(report, DriftReport)
    assert report.status in ("NORMAL", "DRIFT_DETECTED", "ERROR")
    if not report.baseline_rows or not report.candidate_rows:
        assert report.status != "NORMAL", (
            f"NORMAL with {report.baseline_rows} baseline and {report.candidate_rows} "
            "candidate rows")
    if report.status == "ERROR":
        assert report.features_tested == 0
        assert report.error
    else:
        assert report.features_tested > 0
    # Whatever the data, the entry can be written as strict JSON.
    json.dumps(strict(report.to_json()), allow_nan=False)
    return report


# --- a crash that would take the whole test run down ------------------------------------
#
# pyarrow.json.read_json (pyarrow 26) dereferences a null pointer when the first JSON value
# of a file is ``null`` (apache/arrow#47409), and the JSON Lines loader tries pyarrow first
# (pytest_drift/loaders/jsonl.py, JsonLinesFile._fast). A segfault would end the test run,
# so those inputs are checked in a child process, and the fuzz tests below skip them only
# while the loader still crashes on them.

ISOLATED = """
import sys
from pytest_drift import DriftInputError, DriftUsageError, compare
for path in sys.argv[1:]:
    print("checking", path, flush=True)
    try:
        compare(path, path, min_samples=5)
    except (DriftInputError, DriftUsageError) as exc:
        print("input error:", exc, flush=True)
    else:
        print("report", flush=True)
"""


def isolated(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ISOLATED, *map(str, paths)],
                          capture_output=True, text=True, timeout=120, check=False)


def starts_with_null(content: bytes) -> bool:
    return content.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"null")


@functools.cache
def leading_null_crashes() -> bool:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "null.jsonl"
        path.write_bytes(b"null\n")
        return isolated([path]).returncode != 0


LEADING_NULL = [b"null\n", b"null", b'\n  null\n{"x": 1}\n', b"\xef\xbb\xbfnull\n",
                b"nullx\n", b'null\n{"features": {"x": 1}}\n']


def test_json_lines_starting_with_null_is_an_input_error(tmp_path: Path) -> None:
    """Found by test_random_bytes_under_every_suffix[.jsonl]: a file whose first line is
    ``null`` killed the Python process (SIGSEGV) instead of raising DriftInputError."""
    paths = []
    for index, content in enumerate(LEADING_NULL):
        path = tmp_path / f"case{index}.jsonl"
        path.write_bytes(content)
        paths.append(path)
    result = isolated(paths)
    assert result.returncode == 0, (
        f"the check crashed (exit code {result.returncode}) after:\n{result.stdout}"
        f"{result.stderr[-2000:]}")
    outcomes = [line for line in result.stdout.splitlines() if not line.startswith("checking")]
    assert len(outcomes) == len(paths)
    for path, outcome in zip(paths, outcomes, strict=True):
        assert outcome.startswith("input error:"), outcome
        assert path.name in outcome, outcome


def both_ways(folder: Path, valid: bytes, valid_suffix: str, mutated: bytes,
              suffix: str) -> None:
    if "jsonl" in suffix and starts_with_null(mutated) and leading_null_crashes():
        reject()  # see test_json_lines_starting_with_null_is_an_input_error
    baseline = folder / f"baseline{valid_suffix}"
    baseline.write_bytes(valid)
    candidate = folder / f"mutated{suffix}"
    candidate.write_bytes(mutated)
    check(baseline, candidate)
    check(candidate, candidate)


# --- random files ----------------------------------------------------------------------


CSV_ALPHABET = st.sampled_from([*'ab,,,""\n\n\r\t 01.5-+eE;\x00\\', "é", "NaN", "inf"])
JSON_ALPHABET = st.sampled_from([*'{}[]"":,,\n\n 01.5-eEabtrufnl\\\x00', '"features"', '"x"',
                                 "null", "true", "NaN", "1e999"])


def text_like(alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return st.lists(alphabet, max_size=300).map(lambda parts: "".join(parts).encode())


SUFFIXES = (".csv", ".tsv", ".csv.gz", ".json", ".jsonl", ".parquet", ".feather")


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_random_bytes_under_every_suffix(data: st.DataObject, tmp_path: Path) -> None:
    suffix = data.draw(st.sampled_from(SUFFIXES), label="suffix")
    alphabet = JSON_ALPHABET if "json" in suffix else CSV_ALPHABET
    content = data.draw(st.one_of(st.binary(max_size=1500), text_like(alphabet)),
                        label="content")
    valid, valid_suffix = (VALID_RECORDS, ".jsonl") if "json" in suffix else (VALID_CSV,
                                                                                ".csv")
    both_ways(tmp_path, valid, valid_suffix, content, suffix)


@pytest.mark.parametrize("document", [
    b"[" * 100_000,
    b'{"features": ' * 50_000,
    b'[{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
], ids=["deep-array", "deep-object", "deep-value"])
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_deeply_nested_json_is_an_input_error(document: bytes, suffix: str,
                                              tmp_path: Path) -> None:
    """Python's json module raises RecursionError on deep nesting: that is a broken file,
    not a crash of the check."""
    both_ways(tmp_path, VALID_RECORDS, ".jsonl", document, suffix)


# --- mutations of valid files ----------------------------------------------------------


INSERTS = [b'"', b",", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80",
           b"\t", b"{", b"}", b"[", b"]", b":", b"NaN", b"-inf", b"1e999", b"null", b'""',
           b"\\", b"\xef\xbb\xbf"]


@st.composite
def mutation(draw: st.DrawFn, size: int) -> tuple[str, Any, Any]:
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate-line",
                                 "drop-line", "duplicate-header", "blank-header"]))
    position = draw(st.integers(0, max(size, 1)))
    if kind == "flip":
        return kind, position, draw(st.integers(1, 255))
    if kind == "insert":
        return kind, position, draw(st.one_of(st.sampled_from(INSERTS),
                                              st.binary(min_size=1, max_size=4)))
    if kind == "delete":
        return kind, position, draw(st.integers(1, 20))
    if kind in ("duplicate-header", "blank-header"):
        return kind, draw(st.integers(0, 10)), draw(st.integers(0, 10))
    return kind, position, None


def apply(data: bytes, change: tuple[str, Any, Any], delimiter: bytes = b",") -> bytes:
    kind, where, arg = change
    if kind == "flip" and data:
        where %= len(data)
        return data[:where] + bytes([data[where] ^ arg]) + data[where + 1:]
    if kind == "truncate":
        return data[:where]
    if kind == "insert":
        return data[:where] + arg + data[where:]
    if kind == "delete":
        return data[:where] + data[where + arg:]
    lines = data.split(b"\n")
    if kind == "duplicate-line" and lines:
        line = where % len(lines)
        return b"\n".join(lines[: line + 1] + lines[line:])
    if kind == "drop-line" and lines:
        line = where % len(lines)
        return b"\n".join(lines[:line] + lines[line + 1:])
    if kind in ("duplicate-header", "blank-header"):
        names = lines[0].split(delimiter)
        source, target = where % len(names), arg % len(names)
        names[target] = names[source] if kind == "duplicate-header" else b""
        return b"\n".join([delimiter.join(names), *lines[1:]])
    return data


def mutated(valid: bytes, delimiter: bytes = b",") -> st.SearchStrategy[bytes]:
    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = valid
        for _ in range(draw(st.integers(1, 4))):
            data = apply(data, draw(mutation(len(data))), delimiter)
        return data

    return build()


@FUZZ
@given(content=mutated(VALID_CSV))
@example(content=VALID_CSV.replace(b"Cylinders", b"Miles_per_Gallon", 1))
@example(content=VALID_CSV.splitlines(keepends=True)[0])
@example(content=VALID_CSV.replace(b"USA", b"\"USA", 1))
@example(content=VALID_CSV.replace(b"USA", b"US\xe9", 1))
@example(content=VALID_CSV.replace(b"USA", b"US\x00A"))
@example(content=VALID_CSV.replace(b",", b"", 1))
@example(content=VALID_CSV + b"1,2,3,4,5,6,7,8\n")
@example(content=b"")
def test_mutated_csv(content: bytes, tmp_path: Path) -> None:
    both_ways(tmp_path, VALID_CSV, ".csv", content, ".csv")


@FUZZ
@given(content=mutated(VALID_CSV.replace(b",", b"\t")), compress=st.booleans())
def test_mutated_tsv(content: bytes, compress: bool, tmp_path: Path) -> None:
    if compress:
        import gzip

        both_ways(tmp_path, VALID_CSV, ".csv", gzip.compress(content), ".tsv.gz")
    else:
        both_ways(tmp_path, VALID_CSV, ".csv", content, ".tsv")


@FUZZ
@given(content=st.one_of(mutated(VALID_API_LOG), mutated(VALID_RECORDS)))
# Found by this test: a key that is not UTF-8 escaped pyarrow's reader as a UnicodeDecodeError.
@example(content=VALID_RECORDS.replace(b'"wind"', b'"w\x80ind"', 1))
@example(content=VALID_API_LOG.replace(b'"features": {', b'"features": [', 1))
@example(content=VALID_API_LOG.replace(b'"features": {', b'"features": null, "x": {', 3))
@example(content=VALID_RECORDS.replace(b"}\n", b"}, \n", 1))
@example(content=VALID_RECORDS.replace(b'"wind": 1.2', b'"wind": "1.2"', 1))
@example(content=VALID_RECORDS.replace(b'"wind"', b'"temp_max"'))
@example(content=VALID_RECORDS.replace(b"1.2", b"1e999"))
@example(content=VALID_RECORDS.replace(b"\n", b"\n\n"))
@example(content=b"\n\n\n")
@example(content=b"{}\n" * 30)
@example(content=b'{"features": {}}\n' * 30)
def test_mutated_jsonl(content: bytes, tmp_path: Path) -> None:
    baseline = VALID_WEATHER_CSV
    both_ways(tmp_path, baseline, ".csv", content, ".jsonl")


@FUZZ
@given(content=mutated(b"[" + VALID_RECORDS.replace(b"}\n", b"},\n")[:-2] + b"]"))
@example(content=b"[]")
@example(content=b"[{}]")
@example(content=b'{"x": [1, 2]}')
@example(content=b'[{"x": 1}, 2]')
def test_mutated_json(content: bytes, tmp_path: Path) -> None:
    both_ways(tmp_path, VALID_WEATHER_CSV, ".csv", content, ".json")


def test_the_valid_files_give_reports(tmp_path: Path) -> None:
    """The fuzzed files start valid: unmutated, every one gives a tested report."""
    for name, data in (("a.csv", VALID_CSV), ("b.jsonl", VALID_API_LOG),
                       ("c.jsonl", VALID_RECORDS), ("d.csv", VALID_WEATHER_CSV)):
        (tmp_path / name).write_bytes(data)
    for baseline, candidate in (("a.csv", "a.csv"), ("d.csv", "b.jsonl"),
                                ("d.csv", "c.jsonl"), ("c.jsonl", "b.jsonl")):
        report = check(tmp_path / baseline, tmp_path / candidate)
        assert report is not None
        assert report.status != "ERROR"
        assert report.features_tested >= 4
