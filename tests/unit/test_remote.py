"""Datasets at URLs: s3:// against moto's S3-compatible server, https:// against a local
http.server, and the errors of a missing object, a denied request, a silent server, an
unknown scheme and a missing extra.

A check on URLs must give the same statistics as the same check on the local files the
objects were uploaded from: the local run is the oracle.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from pytest_drift import compare
from pytest_drift.errors import DriftInputError, DriftUsageError
from pytest_drift.loaders import LoadContext, load, open_with, peek_columns
from pytest_drift.loaders.cache import DatasetCache
from pytest_drift.loaders.remote import is_url
from tests.engine_support import assert_same
from tests.remote_support import BUCKET, FileServer, S3Server, SilentServer

#: Report fields that name the datasets, or differ between two runs.
NOT_COMPARED = ("baseline", "candidate", "baseline_files", "candidate_files", "timestamp",
                "duration_seconds")
#: A generous bound on a check against a silent server; it must end long before.
HANG = 60.0


def comparable(report: Any) -> dict[str, Any]:
    entry = report.to_json()
    return {key: value for key, value in entry.items() if key not in NOT_COMPARED}


def within_bound(call: Any) -> Any:
    """``call()``'s exception or result, failing the test if it hangs (a silent server must
    give an error after the timeout, not block the run)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(HANG)
    assert not worker.is_alive(), f"no answer after {HANG} s: the timeout was not applied"
    return outcome


# -- telling a URL from a path ----------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("s3://bucket/key.csv", True), ("gs://bucket/a/b.parquet", True),
    ("https://example.org/x.csv", True), ("HTTP://example.org/x.csv", True),
    ("ftp://host/x.csv", True), ("data/train.csv", False), ("/abs/s3:/x.csv", False),
    ("C:\\data\\x.csv", False), ("spark:db.table", False), ("s3:bucket", False),
])
def test_urls_are_told_from_paths(raw: str, expected: bool) -> None:
    assert is_url(raw) is expected


def test_an_unknown_scheme_is_an_input_error_naming_the_url() -> None:
    with pytest.raises(DriftInputError) as raised:
        compare("ftp://example.org/train.csv", "ftp://example.org/prod.csv")
    message = str(raised.value)
    assert "baseline 'ftp://example.org/train.csv' (from argument baseline)" in message
    assert "unknown URL scheme 'ftp://'" in message
    assert "s3://, gs:// or https://" in message
    assert "\n" not in message


def test_https_without_the_remote_extra_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "fsspec.implementations.http", None)
    with pytest.raises(DriftInputError) as raised:
        compare("https://example.org/train.csv", "https://example.org/prod.csv")
    message = str(raised.value)
    assert "baseline 'https://example.org/train.csv'" in message
    assert "pip install 'pytest-datadrift[remote]'" in message


@pytest.mark.parametrize("raw", ["0", "-1", "soon"])
def test_remote_timeout_must_be_positive_seconds(raw: str) -> None:
    with pytest.raises(DriftUsageError) as raised:
        compare("a.csv", "b.csv", remote_timeout=raw)
    assert raised.value.option == "remote_timeout"


def test_spark_refuses_a_url_and_says_which_engines_read_it(s3: S3Server) -> None:
    baseline, candidate = (s3.url(key) for key in PAIRS[1])
    with pytest.raises(DriftInputError) as raised:
        compare(baseline, candidate, engine="spark")
    message = str(raised.value)
    assert f"baseline {baseline!r} (from argument baseline) is a URL" in message
    assert "engine='memory' or engine='duckdb'" in message
    assert "s3a://" in message


# -- s3:// against moto -------------------------------------------------------------------------

PAIRS = [
    ("cars_model_years/baseline.csv", "cars_model_years/candidate.csv"),
    ("cars_model_years/baseline.parquet", "cars_model_years/candidate.parquet"),
    ("penguins_islands/baseline.parquet", "penguins_islands/candidate_parts/"),
    ("penguins_islands/baseline.csv", "penguins_islands/candidate.parquet"),
]


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
@pytest.mark.parametrize(("baseline", "candidate"), PAIRS)
def test_s3_gives_the_statistics_of_the_local_files(s3: S3Server, remote_tree: Path,
                                                    engine: str, baseline: str,
                                                    candidate: str) -> None:
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    remote = compare(s3.url(baseline), s3.url(candidate), engine=engine, workers=1)
    local = compare(str(remote_tree / baseline), str(remote_tree / candidate), engine=engine,
                    workers=1)
    if engine == "memory":
        assert comparable(remote) == comparable(local)
    else:
        # DuckDB scans the local files in place and reads the URLs' tables from memory: its
        # sums (the means) may add the same values in another order.
        assert_same(comparable(remote), comparable(local))
    assert remote.engine == engine
    assert remote.baseline == s3.url(baseline)


def test_auto_picks_an_engine_that_reads_urls(s3: S3Server) -> None:
    report = compare(s3.url(PAIRS[1][0]), s3.url(PAIRS[1][1]))
    assert report.engine in ("memory", "duckdb")
    assert report.status == "DRIFT_DETECTED"


def test_a_prefix_lists_its_data_parts_as_the_files(s3: S3Server) -> None:
    source = open_with(s3.url("penguins_islands/candidate_parts/"), LoadContext())
    assert source.files == (
        f"s3://{BUCKET}/penguins_islands/candidate_parts/part-0.parquet",
        f"s3://{BUCKET}/penguins_islands/candidate_parts/part-1.parquet")


def test_parquet_reads_only_the_needed_columns(s3: S3Server) -> None:
    context = LoadContext()
    url = s3.url("cars_model_years/baseline.parquet")
    assert peek_columns(url, context) is not None
    loaded = load(url, ["Horsepower"], context)
    assert loaded.table.column_names == ["Horsepower"]
    assert loaded.files == (url,)


def test_the_session_cache_reads_an_object_once_and_again_when_it_changes(
        s3: S3Server, remote_tree: Path) -> None:
    import boto3

    key = "cache/baseline.csv"
    client = boto3.client("s3", endpoint_url=s3.endpoint)
    original = (remote_tree / "cars_model_years" / "baseline.csv").read_bytes()
    client.put_object(Bucket=BUCKET, Key=key, Body=original)
    cache, context = DatasetCache(), LoadContext()
    first = load(s3.url(key), None, context, cache)
    load(s3.url(key), None, context, cache)
    assert cache.reads == 1
    client.put_object(Bucket=BUCKET, Key=key, Body=original + original.split(b"\n", 1)[1])
    changed = load(s3.url(key), None, context, cache)
    assert cache.reads == 2
    assert changed.table.num_rows == 2 * first.table.num_rows


@pytest.mark.parametrize("key", ["cars_model_years/nowhere.csv", "nowhere/", "absent.parquet"])
def test_a_missing_object_names_the_url(s3: S3Server, remote_tree: Path, key: str) -> None:
    with pytest.raises(DriftInputError) as raised:
        compare(str(remote_tree / PAIRS[0][0]), s3.url(key))
    message = str(raised.value)
    assert f"candidate {s3.url(key)!r} (from argument candidate)" in message
    assert f"no object at {s3.url(key)}" in message
    assert "Check the URL" in message


def test_a_missing_bucket_names_the_url(s3: S3Server, remote_tree: Path) -> None:
    with pytest.raises(DriftInputError, match=r"no object at s3://no-such-bucket/x\.csv"):
        compare(str(remote_tree / PAIRS[0][0]), "s3://no-such-bucket/x.csv")


@pytest.mark.parametrize("key", [PAIRS[0][1], PAIRS[1][1], "penguins_islands/candidate_parts/"])
def test_a_denied_request_says_to_check_the_credentials(s3: S3Server, remote_tree: Path,
                                                        key: str) -> None:
    with s3.denying(), pytest.raises(DriftInputError) as raised:
        compare(str(remote_tree / PAIRS[0][0]), s3.url(key))
    message = str(raised.value)
    assert f"candidate {s3.url(key)!r}" in message
    assert f"access to {s3.url(key)} was denied" in message
    assert "AWS_ACCESS_KEY_ID" in message
    assert "\n" not in message


def test_a_silent_s3_endpoint_errors_after_the_timeout(
        s3: S3Server, remote_tree: Path, silent_server: SilentServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{silent_server.address}")
    url = s3.url(PAIRS[1][1])
    outcome = within_bound(lambda: compare(str(remote_tree / PAIRS[1][0]), url,
                                           remote_timeout=0.5))
    error = outcome.get("error")
    assert isinstance(error, DriftInputError), outcome
    message = str(error)
    assert f"no answer for {url} within 0.5 s (remote_timeout, 3 attempts)" in message
    assert "--drift-remote-timeout" in message


# -- https:// against http.server -----------------------------------------------------------------


@pytest.mark.parametrize(("baseline", "candidate"), [PAIRS[0], PAIRS[1], PAIRS[3]])
def test_https_gives_the_statistics_of_the_local_files(web_server: FileServer,
                                                       remote_tree: Path, baseline: str,
                                                       candidate: str) -> None:
    remote = compare(web_server.url(baseline), web_server.url(candidate), workers=1)
    local = compare(str(remote_tree / baseline), str(remote_tree / candidate), workers=1)
    assert comparable(remote) == comparable(local)
    assert remote.candidate_files == (web_server.url(candidate),)


def test_parquet_from_a_server_without_byte_ranges_is_downloaded(
        web_server: FileServer, remote_tree: Path) -> None:
    """``web_server`` answers byte ranges; this one does not (as ``python -m http.server``)."""
    server = FileServer(remote_tree, ranges=False)
    try:
        baseline, candidate = PAIRS[1]
        remote = compare(server.url(baseline), server.url(candidate), workers=1)
    finally:
        server.stop()
    local = compare(str(remote_tree / baseline), str(remote_tree / candidate), workers=1)
    assert comparable(remote) == comparable(local)


def test_https_404_names_the_url(web_server: FileServer, remote_tree: Path) -> None:
    url = web_server.url("cars_model_years/nowhere.csv")
    with pytest.raises(DriftInputError) as raised:
        compare(str(remote_tree / PAIRS[0][0]), url)
    assert f"candidate {url!r} (from argument candidate): no object at {url}" in str(
        raised.value)


def test_a_broken_remote_csv_names_the_url_not_the_local_copy(web_server: FileServer,
                                                              remote_tree: Path) -> None:
    broken = remote_tree / "broken"
    broken.mkdir(exist_ok=True)
    (broken / "candidate.csv").write_bytes(b"")
    url = web_server.url("broken/candidate.csv")
    with pytest.raises(DriftInputError) as raised:
        compare(str(remote_tree / PAIRS[0][0]), url)
    message = str(raised.value)
    assert f"{url} is empty" in message
    assert "pytest-drift-remote-" not in message


def test_a_silent_web_server_errors_after_the_timeout(web_server: FileServer,
                                                      silent_server: SilentServer,
                                                      remote_tree: Path) -> None:
    url = f"http://{silent_server.address}/candidate.csv"
    outcome = within_bound(lambda: compare(str(remote_tree / PAIRS[0][0]), url,
                                           remote_timeout=0.5))
    error = outcome.get("error")
    assert isinstance(error, DriftInputError), outcome
    assert f"no answer for {url} within 0.5 s (remote_timeout)" in str(error)


# -- gs:// ----------------------------------------------------------------------------------------


def test_a_silent_gcs_endpoint_errors_after_the_timeout(
        silent_server: SilentServer, remote_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://{silent_server.address}")
    url = "gs://drift-data/cars_model_years/candidate.parquet"
    outcome = within_bound(lambda: compare(str(remote_tree / PAIRS[1][0]), url,
                                           remote_timeout=0.5))
    error = outcome.get("error")
    assert isinstance(error, DriftInputError), outcome
    assert f"no answer for {url} within 0.5 s (remote_timeout)" in str(error)


def test_too_large_at_a_url_says_to_copy_it_for_duckdb(s3: S3Server,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_drift.loaders import budget

    monkeypatch.setattr(budget, "available_memory", lambda: 1000)
    url = s3.url(PAIRS[0][1])
    with pytest.raises(DriftInputError) as raised:
        load(url, None, LoadContext(role="candidate"))
    message = str(raised.value)
    assert f"candidate {url!r} (from argument) is too large for memory" in message
    assert "copy the data to local disk" in message
