"""The fixtures: drift_baseline, drift_candidate, drift_report and drift_check."""

from __future__ import annotations

import fnmatch

import pytest

from tests.e2e.runner import CARS, STABLE, WEATHER, check, run_drift, scipy_p_values

REGIONS = ("eu", "us")


def segment_frames(rows: int = 600):
    """Training and production frames with a region column; only "us" shifts in x."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2028)

    def frame(shift: float):
        region = rng.choice(REGIONS, rows)
        x = rng.normal(0, 1, rows) + np.where(region == "us", shift, 0.0)
        return pd.DataFrame({"region": region, "x": x.round(5),
                             "y": rng.uniform(0, 1, rows).round(5),
                             "plan": rng.choice(["free", "pro"], rows)})

    return frame(0.0), frame(0.8)


def test_baseline_and_candidate_frames(project):
    import pandas as pd

    baseline, candidate = (pd.read_csv(project.path / path) for path in CARS)
    project.makepyfile(test_frames=f"""
        import pandas as pd
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, threshold=100)
        def test_frames(drift_baseline, drift_candidate):
            assert isinstance(drift_baseline, pd.DataFrame)
            assert isinstance(drift_candidate, pd.DataFrame)
            assert drift_baseline.shape == {baseline.shape}
            assert drift_candidate.shape == {candidate.shape}
            assert list(drift_baseline.columns) == {list(baseline.columns)}
            assert int(drift_baseline["Miles_per_Gallon"].isna().sum()) == {
                int(baseline["Miles_per_Gallon"].isna().sum())}
            assert drift_candidate["Weight_in_lbs"].sum() == {
                int(candidate["Weight_in_lbs"].sum())}
            assert sorted(drift_candidate["Origin"].unique()) == {
                sorted(candidate["Origin"].unique())}

        def test_candidate_from_the_command_line(drift_candidate):
            assert drift_candidate.shape == {candidate.shape}

        def test_baseline_from_nowhere(drift_baseline):
            pass
    """)
    result, report = run_drift(project, "--drift-candidate", CARS[1])
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_baseline_from_nowhere*",
        "drift_baseline needs a baseline: give it to the drift marker, --drift-baseline or "
        "the drift_baseline ini key",
    ])
    # Only the marked test ran a check; the fixtures alone do not.
    assert [c["name"] for c in report["checks"]] == ["test_frames"]


def test_drift_report_needs_the_marker(project):
    project.makepyfile(test_no_marker="""
        def test_report_without_marker(drift_report):
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*drift_report fixture needs a @pytest.mark.drift marker on the test*",
    ])
    assert report is None


def test_drift_check_over_parametrized_segments(project):
    train, prod = segment_frames()
    (project.path / "data" / "segments").mkdir()
    train.to_csv(project.path / "data/segments/train.csv", index=False)
    prod.to_csv(project.path / "data/segments/prod.csv", index=False)
    p_values = {
        region: scipy_p_values(train[train.region == region].drop(columns="region"),
                               prod[prod.region == region].drop(columns="region"))
        for region in REGIONS
    }
    # What scipy says, and so what the gate must do: eu is stable, us drifts in x only
    # (1 of 3 features, 33% > 20%).
    assert [name for name, p in p_values["eu"].items() if p < 0.05] == []
    assert [name for name, p in p_values["us"].items() if p < 0.05] == ["x"]
    project.makepyfile(test_segments="""
        import pandas as pd
        import pytest

        @pytest.fixture(scope="module")
        def frames():
            return (pd.read_csv("data/segments/train.csv"),
                    pd.read_csv("data/segments/prod.csv"))

        @pytest.mark.parametrize("region", ["eu", "us"])
        def test_region_is_stable(drift_check, frames, region):
            train, prod = frames
            report = drift_check(train[train.region == region], prod[prod.region == region],
                                 name=f"region={region}", exclude=["region"])
            assert report.status == "NORMAL"
            assert report.drifted_features == []
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*_ test_region_is_stable[[]us[]] _*",
        "E*DriftDetected: Data drift in 33.3% of features (threshold 20.0%)*",
        "E*  x: ks statistic=* p=* n=*/*, mean * → *",
        "E*1 of 3 features drifted (33.3% > threshold 20.0%) at alpha 0.05",
    ])
    assert [c["name"] for c in report["checks"]] == ["region=eu", "region=us"]
    for region in REGIONS:
        entry = check(report, f"region={region}")
        assert entry["nodeid"] == f"test_segments.py::test_region_is_stable[{region}]"
        assert fnmatch.fnmatch(entry["baseline"], "<pandas.DataFrame *>")
        assert entry["baseline_files"] == []
        assert entry["train_samples"] == int((train.region == region).sum())
        assert entry["production_samples"] == int((prod.region == region).sum())
        assert list(entry["details"]) == ["x", "y", "plan"]
        assert {n: d["p_value"] for n, d in entry["details"].items()} == pytest.approx(
            p_values[region], rel=1e-12, abs=1e-12)
        assert entry["option_sources"]["exclude"] == "drift_check"
        assert entry["option_sources"]["name"] == "drift_check"
    assert check(report, "region=eu")["status"] == "NORMAL"
    assert check(report, "region=us")["status"] == "DRIFT_DETECTED"
    assert report["status"] == "DRIFT_DETECTED"


def test_drift_check_with_paths_and_command_line_options(project):
    """Unnamed calls are numbered; flags fill the options a call leaves out."""
    project.makepyfile(test_paths=f"""
        def test_two_checks(drift_check):
            stable = drift_check({STABLE[0]!r}, {STABLE[1]!r})
            weather = drift_check({WEATHER[0]!r}, {WEATHER[1]!r}, features=["temp_max", "wind"])
            assert (stable.status, weather.status) == ("NORMAL", "NORMAL")

        def test_datasets_from_the_command_line(drift_check):
            drift_check(features=["x"], threshold=0)

        def test_failing_call_fails_the_test(drift_check):
            drift_check({CARS[0]!r}, {CARS[1]!r}, name="cars")
            raise AssertionError("not reached: the failed gate stops the test")
    """)
    result, report = run_drift(project, "--drift-threshold", "50",
                               "--drift-baseline", STABLE[0], "--drift-candidate", STABLE[1])
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*_ test_failing_call_fails_the_test _*",
        "E*DriftDetected: Data drift in 100.0% of features (threshold 50.0%)*",
    ])
    result.stdout.no_fnmatch_line("*not reached*")
    # The report lists checks by test, then by name.
    assert [(c["nodeid"], c["name"]) for c in report["checks"]] == [
        ("test_paths.py::test_datasets_from_the_command_line",
         "test_datasets_from_the_command_line[check 1]"),
        ("test_paths.py::test_failing_call_fails_the_test", "cars"),
        ("test_paths.py::test_two_checks", "test_two_checks[check 1]"),
        ("test_paths.py::test_two_checks", "test_two_checks[check 2]"),
    ]
    weather = check(report, "test_two_checks[check 2]")
    assert weather["baseline"] == WEATHER[0]
    assert list(weather["details"]) == ["temp_max", "wind"]
    assert weather["drift_percentage"] == 50.0
    assert weather["threshold"] == 50.0
    assert weather["option_sources"]["threshold"] == "command line"
    assert weather["option_sources"]["features"] == "drift_check"
    flags = check(report, "test_datasets_from_the_command_line[check 1]")
    assert (flags["baseline"], flags["candidate"]) == STABLE
    assert flags["option_sources"]["baseline"] == "command line"
    assert (flags["threshold"], flags["option_sources"]["threshold"]) == (0.0, "drift_check")
    assert check(report, "cars")["status"] == "DRIFT_DETECTED"


def section(text: str, title: str) -> str:
    """The ``= title =`` section of pytest's output, up to the next ``===`` header."""
    after = text.split(f"= {title} =", 1)[1]
    return after.split("\n=", 1)[0]


def test_drift_check_with_invalid_alpha_fails_without_traceback(project):
    project.makepyfile(test_alpha=f"""
        def test_alpha(drift_check):
            drift_check({STABLE[0]!r}, {STABLE[1]!r}, alpha=5)
    """)
    result, report = run_drift(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*alpha=5 (from drift_check(alpha=...)): must be a number*"])
    failure = section(result.stdout.str(), "FAILURES")
    assert "pytest_drift" not in failure, failure
    assert "Traceback" not in failure
    entry = check(report, "test_alpha[check 1]")
    assert entry["status"] == "ERROR"
    assert "alpha=5" in entry["error"]
    assert entry["nodeid"] == "test_alpha.py::test_alpha"
    assert (entry["baseline"], entry["candidate"]) == STABLE
    assert report["status"] == "ERROR"
