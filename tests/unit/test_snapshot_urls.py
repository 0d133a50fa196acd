"""Snapshots at URLs, against moto's S3-compatible server: saved as one object, read back
(also as ``snapshot:NAME`` with ``baselines_dir`` at a URL) with the results of the same
snapshot on disk, on the memory and DuckDB engines; a missing object, a denied request and a
save to a read-only https:// URL are errors naming the URL, and leave the object as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_drift import compare
from pytest_drift.errors import DriftInputError
from tests.remote_support import S3Server

CARS = "cars_model_years"
#: Fields that name where the baseline was read from, or differ between two runs.
NOT_COMPARED = ("baseline", "baseline_files", "timestamp", "duration_seconds", "snapshot")


def comparable(report: Any) -> dict[str, Any]:
    return {k: v for k, v in report.to_json().items() if k not in NOT_COMPARED}


def local(remote_tree: Path, side: str) -> str:
    return str(remote_tree / CARS / f"{side}.csv")


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_a_snapshot_saved_to_s3_reads_as_the_local_one(s3: S3Server, remote_tree: Path,
                                                       tmp_path: Path, engine: str) -> None:
    baseline, candidate = local(remote_tree, "baseline"), local(remote_tree, "candidate")
    url = s3.url(f"snapshots/{engine}/cars.parquet")
    saved = compare(baseline, candidate, report="", save_baseline=url, workers=1)
    assert saved.snapshot is not None
    assert (saved.snapshot["action"], saved.snapshot["path"]) == ("created", url)
    compare(baseline, candidate, report="", save_baseline=tmp_path / "cars.parquet")

    from_url = compare(f"snapshot:{url}", candidate, report="", engine=engine, workers=1)
    from_disk = compare(f"snapshot:{tmp_path / 'cars.parquet'}", candidate, report="",
                        engine=engine, workers=1)
    assert from_url.snapshot is not None
    assert from_url.snapshot["action"] == "read"
    assert from_url.baseline_files == (url,)
    assert comparable(from_url) == comparable(from_disk)
    assert_close(from_url, compare(baseline, candidate, report="", engine=engine, workers=1))

    again = compare(baseline, candidate, report="", save_baseline=url, workers=1)
    assert again.snapshot is not None
    assert again.snapshot["action"] == "unchanged"


def assert_close(ours: Any, raw: Any) -> None:
    """The raw check's details to 1e-12 (a mean summed in another order may differ in its
    last bit)."""
    for feature, detail in raw.to_json()["details"].items():
        mine = ours.to_json()["details"][feature]
        for key, value in detail.items():
            if isinstance(value, float):
                assert mine[key] == pytest.approx(value, rel=1e-12, abs=1e-12), (feature, key)
            else:
                assert mine[key] == value, (feature, key)


def test_a_snapshot_name_in_a_baselines_dir_at_a_url(s3: S3Server, remote_tree: Path) -> None:
    baseline, candidate = local(remote_tree, "baseline"), local(remote_tree, "candidate")
    compare(baseline, candidate, report="", save_baseline=s3.url("named/cars.parquet"))
    report = compare("snapshot:cars", candidate, report="",
                     baselines_dir=s3.url("named"), workers=1)
    assert report.snapshot is not None
    assert report.snapshot["path"] == s3.url("named/cars.parquet")
    assert report.drifted_features == compare(baseline, candidate, report="",
                                              workers=1).drifted_features


def test_a_missing_snapshot_object_names_the_url(s3: S3Server, remote_tree: Path) -> None:
    url = s3.url("snapshots/nope.parquet")
    with pytest.raises(DriftInputError) as error:
        compare(f"snapshot:{url}", local(remote_tree, "candidate"), report="")
    message = str(error.value)
    assert f"no snapshot 'snapshot:{url}': {url} does not exist" in message
    assert "pytest --drift-update-baseline" in message


def test_a_denied_request_for_a_snapshot_says_to_check_the_credentials(
        s3: S3Server, remote_tree: Path) -> None:
    baseline, candidate = local(remote_tree, "baseline"), local(remote_tree, "candidate")
    url = s3.url("snapshots/denied/cars.parquet")
    compare(baseline, candidate, report="", save_baseline=url)
    with s3.denying(), pytest.raises(DriftInputError) as error:
        compare(f"snapshot:{url}", candidate, report="")
    message = str(error.value)
    assert url in message
    assert "AWS_ACCESS_KEY_ID" in message


def test_another_tests_snapshot_at_a_url_is_not_overwritten(s3: S3Server,
                                                            remote_tree: Path) -> None:
    from pytest_drift.options import Layer, resolve_check
    from pytest_drift.pipeline import run_check
    from pytest_drift.snapshots.store import SnapshotTarget

    baseline, candidate = local(remote_tree, "baseline"), local(remote_tree, "candidate")
    url = s3.url("snapshots/owned/cars.parquet")
    options = resolve_check([Layer("argument", {"baseline": baseline,
                                                "candidate": candidate, "report": ""})])
    run_check(options, save=SnapshotTarget(url, f"snapshot:{url}", "baseline",
                                           "t.py::test_a", "test_a"))
    before = compare(f"snapshot:{url}", candidate, report="").snapshot
    other = resolve_check([Layer("argument", {"baseline": candidate, "candidate": candidate,
                                              "report": ""})])
    with pytest.raises(DriftInputError, match=r"belongs to t\.py::test_a .*nothing was "
                                              r"written"):
        run_check(other, save=SnapshotTarget(url, f"snapshot:{url}", "baseline",
                                             "t.py::test_b", "test_b"))
    after = compare(f"snapshot:{url}", candidate, report="").snapshot
    assert before is not None
    assert after is not None
    assert after["rows"] == before["rows"]
    assert after["source"] == before["source"]


def test_an_https_url_is_read_only(web_server: Any, remote_tree: Path) -> None:
    with pytest.raises(DriftInputError) as error:
        compare(local(remote_tree, "baseline"), local(remote_tree, "candidate"), report="",
                save_baseline=web_server.url("snapshots/cars.parquet"))
    assert "http:// and https:// URLs are read-only" in str(error.value)
