"""The drift marker: the gate passes or fails the marked test, whatever its body does."""

from __future__ import annotations

import json
import math
import re

import pytest

from tests.e2e.runner import CARS, STABLE, WEATHER, WEATHER_LOG, check, run_drift, scipy_p_values
from tests.helpers import DATA, DATASETS, load_expected

FEATURE_LINE = re.compile(
    r"^  (?P<name>\w+): (?P<test>ks|chi2) statistic=(?P<statistic>\S+) p=(?P<p_value>\S+) "
    r"n=(?P<train_n>\d+)/(?P<prod_n>\d+), (?P<change>.*)$"
)
MEANS = re.compile(r"^mean (?P<train_mean>\S+) → (?P<prod_mean>\S+)$")


def oracle(name: str) -> tuple[dict, dict]:
    """scipy's answers for a dataset, and the counts of non-missing values per feature."""
    details = json.loads((DATA / name / "oracle_details.json").read_text())
    return load_expected(name), details["features"]


def close(printed: str, value: float) -> bool:
    """A number printed with 3 or 4 significant digits matches the exact value."""
    return math.isclose(float(printed), value, rel_tol=5e-3)


def test_passing_gate(project, stable_pair):
    project.makepyfile(test_stable=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_training_data_is_stable():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    entry = check(report, "test_training_data_is_stable")
    assert entry["nodeid"] == "test_stable.py::test_training_data_is_stable"
    assert entry["status"] == "NORMAL"
    assert report["status"] == "NORMAL"
    assert (entry["features_tested"], entry["features_with_drift"]) == (4, 0)
    assert entry["drift_percentage"] == 0.0
    expected = scipy_p_values(*stable_pair)
    assert {name: d["p_value"] for name, d in entry["details"].items()} == pytest.approx(
        expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("dataset", DATASETS)
def test_failing_gate_lists_each_drifted_feature(project, dataset):
    """The failure explains itself: each drifted feature with scipy's statistic and
    p-value, the counts and means, then the drift percentage against the threshold."""
    baseline, candidate = (f"data/{dataset}/{side}.csv" for side in ("baseline", "candidate"))
    project.makepyfile(test_real=f"""
        import pytest

        @pytest.mark.drift({baseline!r}, {candidate!r})
        def test_is_stable():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    expected, counts = oracle(dataset)
    drifted = expected["drifted_features"]
    percentage = f"{expected['drift_percentage']:.1f}%"
    result.stdout.fnmatch_lines([
        "*_ test_is_stable _*",
        f"Data drift in {percentage} of features (threshold 20.0%)*",
        *[f"  {name}: * statistic=* p=* n=*/*, *" for name in drifted],
        f"{len(drifted)} of {len(expected['features'])} features drifted ({percentage} > "
        "threshold 20.0%) at alpha 0.05",
    ])
    failure = result.stdout.str().split("FAILURES", 1)[1].split("= drift =", 1)[0]
    lines = {m["name"]: m for m in map(FEATURE_LINE.match, failure.splitlines()) if m}
    assert list(lines) == drifted
    for name, line in lines.items():
        want = expected["features"][name]
        statistic = want["ks_statistic"] if want["test"] == "ks" else want["chi2_statistic"]
        assert line["test"] == want["test"]
        assert close(line["statistic"], statistic), (name, line["statistic"], statistic)
        assert close(line["p_value"], want["p_value"]), (name, line["p_value"])
        assert (int(line["train_n"]), int(line["prod_n"])) == (
            counts[name]["n_train"], counts[name]["n_prod"])
        if want["test"] == "ks":
            means = MEANS.match(line["change"])
            assert means is not None, line["change"]
            assert close(means["train_mean"], want["train_mean"])
            assert close(means["prod_mean"], want["prod_mean"])
    entry = check(report, "test_is_stable")
    assert entry["status"] == expected["status"] == "DRIFT_DETECTED"
    assert entry["drifted_features"] == drifted
    assert entry["drift_percentage"] == pytest.approx(expected["drift_percentage"])
    assert (entry["train_samples"], entry["production_samples"]) == (
        expected["train_samples"], expected["production_samples"])


@pytest.mark.parametrize(("threshold", "outcome", "status"), [
    (50, "passed", "NORMAL"),
    (49.9, "failed", "DRIFT_DETECTED"),
])
def test_gate_fails_only_above_the_threshold(project, threshold, outcome, status):
    """Two of the four weather features drift: 50% fails a 49.9% gate, not a 50% one."""
    project.makepyfile(test_weather=f"""
        import pytest

        @pytest.mark.drift({WEATHER[0]!r}, {WEATHER[1]!r}, threshold={threshold})
        def test_weather():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(**{outcome: 1})
    entry = check(report, "test_weather")
    assert entry["drift_percentage"] == load_expected("seattle_weather_api_log")[
        "drift_percentage"] == 50.0
    assert (entry["threshold"], entry["status"]) == (threshold, status)


def test_empty_body_fails_on_drift(project):
    project.makepyfile(test_empty=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_nothing_but_the_marker():
            ...
    """)
    result, report = run_drift(project)
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["FAILED test_empty.py::test_nothing_but_the_marker - *"])
    assert check(report, "test_nothing_but_the_marker")["status"] == "DRIFT_DETECTED"


def test_body_asserts_on_the_drift_report(project):
    """The gate passes (50% <= 60%), then the body decides with ``drift_report``."""
    project.makepyfile(test_body=f"""
        import pytest

        @pytest.mark.drift({WEATHER[0]!r}, {WEATHER[1]!r}, threshold=60)
        def test_temperatures_drift_but_wind_does_not(drift_report):
            assert drift_report.status == "NORMAL"
            assert drift_report.drifted_features == ["temp_max", "temp_min"]
            assert "wind" not in drift_report.drifted_features

        @pytest.mark.drift({WEATHER[0]!r}, {WEATHER[1]!r}, threshold=60)
        def test_wind_is_stable_too(drift_report):
            assert "temp_max" not in drift_report.drifted_features
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*_ test_wind_is_stable_too _*",
        "E*AssertionError: assert 'temp_max' not in *'temp_max', 'temp_min'*",
    ])
    assert [c["name"] for c in report["checks"]] == [
        "test_temperatures_drift_but_wind_does_not", "test_wind_is_stable_too"]
    assert report["status"] == "NORMAL"


def test_api_log_candidate_gives_the_same_check_as_its_csv(project):
    project.makepyfile(test_log=f"""
        import pytest

        @pytest.mark.drift({WEATHER[0]!r}, {WEATHER[1]!r}, threshold=60)
        def test_csv():
            pass

        @pytest.mark.drift({WEATHER[0]!r}, {WEATHER_LOG!r}, threshold=60)
        def test_api_log():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=2)
    from_csv, from_log = check(report, "test_csv"), check(report, "test_api_log")
    assert from_log["details"] == from_csv["details"]
    assert from_log["drifted_features"] == ["temp_max", "temp_min"]


@pytest.mark.parametrize("arguments", [
    f"{STABLE[0]!r}, {STABLE[1]!r}",
    f"baseline={STABLE[0]!r}, candidate={STABLE[1]!r}",
    f"{STABLE[0]!r}, candidate={STABLE[1]!r}",
], ids=["positional", "keyword", "mixed"])
def test_marker_takes_datasets_positionally_or_by_keyword(project, arguments):
    project.makepyfile(test_args=f"""
        import pytest

        @pytest.mark.drift({arguments})
        def test_it():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1)
    entry = check(report, "test_it")
    assert (entry["baseline"], entry["candidate"]) == STABLE
    assert entry["option_sources"]["baseline"] == "marker"
    assert entry["option_sources"]["candidate"] == "marker"


def test_module_pytestmark_applies_to_each_test(project):
    project.makepyfile(test_module=f"""
        import pytest

        pytestmark = pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})

        def test_first():
            pass

        def test_second():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(failed=2)
    assert [c["nodeid"] for c in report["checks"]] == [
        "test_module.py::test_first", "test_module.py::test_second"]
    assert {c["status"] for c in report["checks"]} == {"DRIFT_DETECTED"}


def test_class_pytestmark_applies_to_each_method_only(project):
    project.makepyfile(test_class=f"""
        import pytest

        class TestStable:
            pytestmark = pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})

            def test_one(self):
                pass

            def test_two(self, drift_report):
                assert drift_report.status == "NORMAL"

        def test_without_marker():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=3)
    assert [c["nodeid"] for c in report["checks"]] == [
        "test_class.py::TestStable::test_one", "test_class.py::TestStable::test_two"]


def test_closest_marker_wins_keyword_by_keyword(project):
    """Module, class and function markers merge; each keyword comes from the closest."""
    project.makepyfile(test_merge=f"""
        import pytest

        pytestmark = pytest.mark.drift({WEATHER[0]!r}, {WEATHER[1]!r}, alpha=0.01,
                                       threshold=10)

        def test_module_only():
            pass

        @pytest.mark.drift(threshold=60)
        def test_function_threshold():
            pass

        @pytest.mark.drift(alpha=0.02, threshold=60)
        class TestClass:
            def test_class_values(self):
                pass

            @pytest.mark.drift(alpha=0.03)
            def test_function_alpha(self):
                pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_merge.py::test_module_only - *"])
    effective = {c["name"]: (c["baseline"], c["alpha"], c["threshold"]) for c in report["checks"]}
    assert effective == {
        "test_module_only": (WEATHER[0], 0.01, 10.0),
        "test_function_threshold": (WEATHER[0], 0.01, 60.0),
        "test_class_values": (WEATHER[0], 0.02, 60.0),
        "test_function_alpha": (WEATHER[0], 0.03, 60.0),
    }


def test_warn_mode_from_the_marker_passes_with_a_drift_warning(project):
    project.makepyfile(test_warn=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, mode="warn")
        def test_cars():
            pass
    """)
    result, report = run_drift(project)
    assert_warned(result, report)


def test_warn_mode_from_the_command_line(project):
    project.makepyfile(test_warn=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_cars():
            pass
    """)
    result, report = run_drift(project, "--drift-mode", "warn")
    assert_warned(result, report)
    assert check(report, "test_cars")["option_sources"]["mode"] == "command line"


def assert_warned(result: pytest.RunResult, report: dict | None) -> None:
    result.assert_outcomes(passed=1, warnings=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines([
        "*= warnings summary =*",
        "test_warn.py::test_cars",
        "*DriftWarning: Data drift in 100.0% of features (threshold 20.0%)*",
        "*Miles_per_Gallon: ks statistic=* p=* n=216/182, mean *",
        "*7 of 7 features drifted (100.0% > threshold 20.0%) at alpha 0.05",
    ])
    entry = check(report, "test_cars")
    assert (entry["mode"], entry["status"]) == ("warn", "DRIFT_DETECTED")


def test_warn_mode_passes_under_filterwarnings_error(project):
    project.makeini("[pytest]\nfilterwarnings =\n    error\n")
    project.makepyfile(test_warn=f"""
        import warnings

        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, mode="warn")
        def test_cars():
            pass

        def test_other_warnings_are_still_errors():
            with pytest.raises(UserWarning):
                warnings.warn("still an error", UserWarning)
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=2, warnings=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines([
        "*= warnings summary =*",
        "test_warn.py::test_cars",
        "*DriftWarning: Data drift in 100.0% of features*",
    ])
    entry = check(report, "test_cars")
    assert (entry["mode"], entry["status"]) == ("warn", "DRIFT_DETECTED")
