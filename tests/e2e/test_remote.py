"""Datasets at URLs in a pytest session: a ``drift`` marker with an ``s3://`` baseline (moto's
S3-compatible server) and an ``https://``-style candidate (a local http.server), the same
check on the local copies, a missing object, and ``--drift-remote-timeout`` /
``drift_remote_timeout`` against a server that never answers.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from tests.e2e.runner import check, run_drift

NOT_COMPARED = ("name", "nodeid", "baseline", "candidate", "baseline_files",
                "candidate_files", "timestamp", "duration_seconds")


def write_module(project: pytest.Pytester, baseline: str, candidate: str, local: tuple[str, str]
                 ) -> None:
    project.makepyfile(test_remote=textwrap.dedent(f"""
        import pytest

        @pytest.mark.drift({baseline!r}, {candidate!r})
        def test_remote():
            pass

        @pytest.mark.drift({local[0]!r}, {local[1]!r})
        def test_local():
            pass
    """))


def same_check(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key not in NOT_COMPARED}


def test_s3_baseline_and_https_candidate_report_as_the_local_files(
        pytester: pytest.Pytester, s3: Any, web_server: Any, remote_tree: Any) -> None:
    baseline = s3.url("cars_model_years/baseline.parquet")
    candidate = web_server.url("cars_model_years/candidate.csv")
    local = (str(remote_tree / "cars_model_years/baseline.parquet"),
             str(remote_tree / "cars_model_years/candidate.csv"))
    write_module(pytester, baseline, candidate, local)
    result, report = run_drift(pytester)
    result.assert_outcomes(failed=2)  # the cars drift between the model years
    remote, local_entry = check(report, "test_remote"), check(report, "test_local")
    assert remote["status"] == "DRIFT_DETECTED"
    assert (remote["baseline"], remote["candidate"]) == (baseline, candidate)
    assert remote["baseline_files"] == [baseline]
    assert remote["candidate_files"] == [candidate]
    assert same_check(remote) == same_check(local_entry)
    assert "pytest-drift-remote-" not in result.stdout.str()


def test_a_missing_object_errors_its_check_with_the_url(
        pytester: pytest.Pytester, s3: Any, remote_tree: Any) -> None:
    missing = s3.url("cars_model_years/nowhere.parquet")
    local = str(remote_tree / "cars_model_years/baseline.parquet")
    write_module(pytester, local, missing, (local, local))
    result, report = run_drift(pytester)
    result.assert_outcomes(passed=1, errors=1)
    entry = check(report, "test_remote")
    assert entry["status"] == "ERROR"
    assert f"candidate {missing!r} (from marker keyword candidate" in entry["error"]
    assert f"no object at {missing}" in entry["error"]
    output = result.stdout.str()
    assert f"no object at {missing}" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("where", ["flag", "ini"])
def test_the_remote_timeout_option_bounds_a_silent_server(
        pytester: pytest.Pytester, s3: Any, silent_server: Any, remote_tree: Any,
        monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{silent_server.address}")
    url = s3.url("cars_model_years/candidate.parquet")
    local = str(remote_tree / "cars_model_years/baseline.parquet")
    write_module(pytester, local, url, (local, local))
    if where == "ini":
        pytester.makeini("[pytest]\ndrift_remote_timeout = 0.5\n")
        args: tuple[str, ...] = ()
    else:
        args = ("--drift-remote-timeout", "0.5")
    result, report = run_drift(pytester, *args)
    result.assert_outcomes(passed=1, errors=1)
    error = check(report, "test_remote")["error"]
    assert f"no answer for {url} within 0.5 s (remote_timeout" in error
    assert "--drift-remote-timeout" in error
