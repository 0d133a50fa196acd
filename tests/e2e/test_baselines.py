"""Baselines as snapshots in a pytest session: ``--drift-update-baseline`` saves raw
baselines and approves candidates (printing what changed), the snapshots no check uses are
listed and removed only on a whole run, ownership is kept, and all of it under xdist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from tests.e2e.runner import CARS, STABLE, check, run_drift

BASELINES = "drift_baselines"
#: A raw check (saved as its test's snapshot) and a check that reads snapshot:cars_now.
TWO_CHECKS = f"""
    import pytest

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_raw():
        pass

    @pytest.mark.drift("snapshot:cars_now", "data/now.csv")
    def test_cars():
        pass
"""


def snapshot_file(project: pytest.Pytester, name: str) -> Path:
    return project.path / BASELINES / f"{name}.parquet"


@pytest.fixture
def cars_project(project: pytest.Pytester) -> pytest.Pytester:
    """``data/now.csv`` is the cars baseline; ``data/later.csv`` the cars candidate (which
    drifts from it)."""
    shutil.copyfile(project.path / CARS[0], project.path / "data" / "now.csv")
    shutil.copyfile(project.path / CARS[1], project.path / "data" / "later.csv")
    project.makepyfile(test_snap=TWO_CHECKS)
    return project


def lines_after(output: str, title: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if f" {title} " in line and "===" in line)
    return lines[start + 1:]


def test_update_saves_raw_baselines_and_creates_a_missing_snapshot(
        cars_project: pytest.Pytester) -> None:
    result, document = run_drift(cars_project, "--drift-update-baseline")
    assert result.ret == 0
    result.assert_outcomes(passed=2)
    raw_file = snapshot_file(cars_project, "test_snap.test_raw")
    cars_file = snapshot_file(cars_project, "cars_now")
    assert raw_file.is_file()
    assert cars_file.is_file()
    section = "\n".join(lines_after(result.stdout.str(), "drift baselines"))
    assert (f"snapshot:test_snap.test_raw ({BASELINES}/test_snap.test_raw.parquet) saved "
            f"from the baseline {STABLE[0]}") in section
    assert (f"snapshot:cars_now ({BASELINES}/cars_now.parquet) created from the candidate "
            "data/now.csv (approved)") in section
    raw = check(document, "test_raw")["snapshot"]
    assert (raw["action"], raw["approved"]) == ("created", False)
    assert raw["source"]["files"][0]["path"] == STABLE[0]
    created = check(document, "test_cars")
    assert (created["snapshot"]["action"], created["snapshot"]["approved"]) == ("created", True)
    assert created["status"] == "NORMAL"  # the candidate compared with itself


def test_a_check_from_the_saved_snapshot_needs_no_raw_data(project: pytest.Pytester) -> None:
    shutil.copyfile(project.path / STABLE[0], project.path / "data" / "train.csv")
    project.makepyfile(test_raw=f"""
        import pytest

        @pytest.mark.drift("data/train.csv", {STABLE[1]!r}, snapshot="train")
        def test_raw():
            pass
    """)
    _, saved = run_drift(project, "--drift-update-baseline")
    (project.path / "data" / "train.csv").unlink()
    project.makepyfile(test_raw=f"""
        import pytest

        @pytest.mark.drift("snapshot:train", {STABLE[1]!r})
        def test_raw():
            pass
    """)
    result, document = run_drift(project)
    result.assert_outcomes(passed=1)
    from_raw, from_snapshot = check(saved, "test_raw"), check(document, "test_raw")
    assert from_snapshot["snapshot"]["action"] == "read"
    # Equal to 1e-12: a mean summed in another order may differ in the last bit.
    assert from_snapshot["details"].keys() == from_raw["details"].keys()
    for feature, raw in from_raw["details"].items():
        for key, value in raw.items():
            ours = from_snapshot["details"][feature][key]
            if isinstance(value, float):
                assert ours == pytest.approx(value, rel=1e-12, abs=1e-12), (feature, key)
            else:
                assert ours == value, (feature, key)
    baseline = pd.read_csv(project.path / STABLE[0])["x"]
    candidate = pd.read_csv(project.path / STABLE[1])["x"]
    expected = stats.ks_2samp(baseline, candidate)
    assert from_snapshot["details"]["x"]["statistic"] == pytest.approx(expected.statistic,
                                                                       abs=1e-12)
    assert from_snapshot["details"]["x"]["p_value"] == pytest.approx(expected.pvalue,
                                                                     rel=1e-9)


def test_approving_an_expected_change(cars_project: pytest.Pytester) -> None:
    run_drift(cars_project, "--drift-update-baseline")
    other = snapshot_file(cars_project, "test_snap.test_raw").read_bytes()
    before = snapshot_file(cars_project, "cars_now").read_bytes()
    shutil.copyfile(cars_project.path / "data" / "later.csv",
                    cars_project.path / "data" / "now.csv")

    failed, _ = run_drift(cars_project)
    assert failed.ret == 1
    failed.assert_outcomes(passed=1, failed=1)
    failed.stdout.fnmatch_lines(["*If this change is expected, approve it: pytest "
                                 "--drift-update-baseline 'test_snap.py::test_cars'*"])

    approved, document = run_drift(cars_project, "--drift-update-baseline", "-k", "test_cars")
    assert approved.ret == 0
    approved.assert_outcomes(passed=1, deselected=1)
    entry = check(document, "test_cars")
    assert entry["status"] == "DRIFT_DETECTED"  # the drift that was approved, shown
    assert (entry["snapshot"]["action"], entry["snapshot"]["approved"]) == ("updated", True)
    section = lines_after(approved.stdout.str(), "drift baselines")
    assert section[0].startswith("snapshot:cars_now (drift_baselines/cars_now.parquet) "
                                 "replaced by the candidate data/now.csv (approved), 183 rows")
    changes = {line.split(":")[0].strip(): line for line in section[1:8]}
    assert "rows 223 → 183" in changes["Weight_in_lbs"]
    assert "mean 3190 → 2723" in changes["Weight_in_lbs"]
    assert "p50 " in changes["Weight_in_lbs"]
    assert "approved: the candidate replaced snapshot:cars_now" in approved.stdout.str()
    assert snapshot_file(cars_project, "cars_now").read_bytes() != before
    assert snapshot_file(cars_project, "test_snap.test_raw").read_bytes() == other

    passed, _ = run_drift(cars_project)
    assert passed.ret == 0
    after = snapshot_file(cars_project, "cars_now").read_bytes()
    again, document = run_drift(cars_project, "--drift-update-baseline", "-k", "test_cars")
    assert check(document, "test_cars")["snapshot"]["action"] == "unchanged"
    assert "unchanged: the candidate data/now.csv holds the same data" in again.stdout.str()
    assert snapshot_file(cars_project, "cars_now").read_bytes() == after


def test_categories_added_and_gone_are_printed(project: pytest.Pytester) -> None:
    data = project.path / "data"
    pd.DataFrame({"colour": ["red", "blue"] * 30}).to_csv(data / "old.csv", index=False)
    pd.DataFrame({"colour": ["red", "green"] * 30}).to_csv(data / "new.csv", index=False)
    project.makepyfile(test_colour="""
        import pytest

        @pytest.mark.drift("snapshot:colour", "data/current.csv")
        def test_colour():
            pass
    """)
    shutil.copyfile(data / "old.csv", data / "current.csv")
    run_drift(project, "--drift-update-baseline")
    shutil.copyfile(data / "new.csv", data / "current.csv")
    result, _ = run_drift(project, "--drift-update-baseline")
    result.stdout.fnmatch_lines(["  colour: rows 60, categories added: green, "
                                 "categories gone: blue"])


def stray_snapshot(project: pytest.Pytester) -> Path:
    """A snapshot no test uses (a copy of one that exists) and a plain Parquet file."""
    stray = snapshot_file(project, "old_model")
    shutil.copyfile(snapshot_file(project, "cars_now"), stray)
    pq.write_table(pa.table({"x": [1, 2]}), project.path / BASELINES / "plain.parquet")
    return stray


def test_unused_snapshots_are_listed_and_removed_on_a_whole_run(
        cars_project: pytest.Pytester) -> None:
    run_drift(cars_project, "--drift-update-baseline")
    stray = stray_snapshot(cars_project)
    listed, _ = run_drift(cars_project)
    section = lines_after(listed.stdout.str(), "drift baselines")
    assert section[0] == "1 unused snapshot: no check of this session reads or saves it"
    assert section[1] == f"  {BASELINES}/old_model.parquet"
    assert "plain.parquet" not in listed.stdout.str()

    removed, _ = run_drift(cars_project, "--drift-remove-unused-baselines")
    assert removed.ret == 0
    removed.stdout.fnmatch_lines(["removed 1 unused snapshot:",
                                  f"  {BASELINES}/old_model.parquet"])
    assert not stray.exists()
    assert (cars_project.path / BASELINES / "plain.parquet").exists()
    assert snapshot_file(cars_project, "cars_now").exists()


@pytest.mark.parametrize(("args", "reason"), [
    (("-k", "test_cars"), "-k"),
    (("test_snap.py::test_cars",), "test paths given"),
    (("-m", "not slow"), "-m"),
])
def test_nothing_is_removed_when_the_session_ran_a_subset(
        cars_project: pytest.Pytester, args: tuple[str, ...], reason: str) -> None:
    run_drift(cars_project, "--drift-update-baseline")
    stray = stray_snapshot(cars_project)
    result, _ = run_drift(cars_project, "--drift-remove-unused-baselines", *args)
    assert stray.exists()
    assert snapshot_file(cars_project, "test_snap.test_raw").exists()
    text = result.stdout.str()
    assert "--drift-remove-unused-baselines: nothing removed, because the session did not " \
           "run every test (" in text
    assert reason in text


def test_nothing_is_removed_after_a_collection_error(cars_project: pytest.Pytester) -> None:
    run_drift(cars_project, "--drift-update-baseline")
    stray = stray_snapshot(cars_project)
    cars_project.makepyfile(test_broken="import no_such_module_here\n")
    result, _ = run_drift(cars_project, "--drift-remove-unused-baselines",
                          "--continue-on-collection-errors")
    assert stray.exists()
    assert "collection errors" in result.stdout.str()


def test_nothing_is_removed_when_a_check_errored(cars_project: pytest.Pytester) -> None:
    run_drift(cars_project, "--drift-update-baseline")
    stray = stray_snapshot(cars_project)
    cars_project.makepyfile(test_missing="""
        import pytest

        @pytest.mark.drift("data/nowhere.csv", "data/now.csv")
        def test_missing():
            pass
    """)
    result, _ = run_drift(cars_project, "--drift-remove-unused-baselines")
    assert stray.exists()
    result.stdout.fnmatch_lines(["*nothing removed, because 1 check(s) could not run "
                                 "(test_missing.py::test_missing*"])


def test_a_skipped_test_still_uses_its_snapshot(cars_project: pytest.Pytester) -> None:
    run_drift(cars_project, "--drift-update-baseline")
    cars_project.makepyfile(test_snap=TWO_CHECKS.replace(
        '@pytest.mark.drift("snapshot:cars_now"',
        '@pytest.mark.skip(reason="not today")\n    @pytest.mark.drift("snapshot:cars_now"'))
    result, _ = run_drift(cars_project, "--drift-remove-unused-baselines")
    result.assert_outcomes(passed=1, skipped=1)
    assert snapshot_file(cars_project, "cars_now").exists()
    assert "unused" not in result.stdout.str()


def test_each_drift_check_call_and_a_declared_check_get_their_own(
        project: pytest.Pytester) -> None:
    project.makepyfile(test_calls=f"""
        def test_two(drift_check):
            drift_check({STABLE[0]!r}, {STABLE[1]!r}, name="first")
            drift_check({STABLE[1]!r}, {STABLE[0]!r})
    """)
    project.makepyprojecttoml(f"""
        [tool.pytest.ini_options]
        testpaths = ["test_calls.py", "pyproject.toml"]

        [[tool.pytest_drift.checks]]
        name = "declared"
        baseline = {STABLE[0]!r}
        candidate = {STABLE[1]!r}
    """)
    result, document = run_drift(project, "--drift-update-baseline")
    result.assert_outcomes(passed=2)
    names = sorted(p.name for p in (project.path / BASELINES).iterdir())
    assert names == ["pyproject.toml.drift-declared.parquet",
                     "test_calls.test_two-first.parquet",
                     "test_calls.test_two-test_two-check-2.parquet"]
    project.makepyprojecttoml("""
        [tool.pytest.ini_options]
        testpaths = ["pyproject.toml"]

        [[tool.pytest_drift.checks]]
        name = "declared"
        baseline = "snapshot:pyproject.toml.drift-declared"
        candidate = "data/stable/candidate.csv"
    """)
    read, document = run_drift(project)
    read.assert_outcomes(passed=1)
    assert check(document, "declared")["snapshot"]["action"] == "read"


def test_another_tests_snapshot_is_never_overwritten(project: pytest.Pytester) -> None:
    project.makepyfile(test_pair=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, snapshot="shared")
        def test_a():
            pass

        @pytest.mark.drift({STABLE[1]!r}, {STABLE[0]!r}, snapshot="shared")
        def test_b():
            pass
    """)
    result, _ = run_drift(project, "--drift-update-baseline", "-k", "test_a")
    content = snapshot_file(project, "shared").read_bytes()
    result, _ = run_drift(project, "--drift-update-baseline", "-k", "test_b")
    assert result.ret == 1
    result.assert_outcomes(errors=1, deselected=1)
    result.stdout.fnmatch_lines([
        f"*snapshot *{BASELINES}/shared.parquet belongs to test_pair.py::test_a (check "
        "'test_a'); test_pair.py::test_b (check 'test_b') would overwrite it, so nothing was "
        "written*"])
    assert snapshot_file(project, "shared").read_bytes() == content


def test_a_snapshot_name_that_disagrees_with_the_baseline_is_a_usage_error(
        project: pytest.Pytester) -> None:
    project.makepyfile(test_names=f"""
        import pytest

        @pytest.mark.drift("snapshot:one", {STABLE[1]!r}, snapshot="two")
        def test_names():
            pass
    """)
    result, _ = run_drift(project, "--drift-update-baseline")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*snapshot='two' (from marker keyword snapshot on "
                                 "test_names.py::test_names)*reads snapshot:one*"])


def test_under_xdist(cars_project: pytest.Pytester) -> None:
    result, _ = run_drift(cars_project, "-n", "2", "--drift-update-baseline",
                                 subprocess=True)
    result.assert_outcomes(passed=2)
    assert snapshot_file(cars_project, "cars_now").is_file()
    assert snapshot_file(cars_project, "test_snap.test_raw").is_file()
    stray = stray_snapshot(cars_project)
    listed, _ = run_drift(cars_project, "-n", "2", subprocess=True)
    listed.stdout.fnmatch_lines(["1 unused snapshot: no check of this session reads or "
                                 "saves it", f"  {BASELINES}/old_model.parquet"])
    removed, _ = run_drift(cars_project, "-n", "2", "--drift-remove-unused-baselines",
                           subprocess=True)
    removed.stdout.fnmatch_lines(["removed 1 unused snapshot:"])
    assert not stray.exists()
