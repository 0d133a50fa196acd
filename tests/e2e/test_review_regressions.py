"""Regression tests for the defects of the code review, seen from a pytest run: outcomes,
terminal output and the session report."""

from __future__ import annotations

import re

import pytest
from scipy import stats

from tests.e2e.runner import CARS, STABLE, check, literal, read_report, run_drift

SPARSE = ("data/sparse/baseline.csv", "data/sparse/candidate.csv")


def section(text: str, title: str) -> str:
    """The ``= title =`` section of pytest's output, up to the next ``===`` header."""
    after = text.split(f"= {title} =", 1)[1]
    return after.split("\n=", 1)[0]


# -- 2. duplicate column names ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_duplicate_csv_header_errors_the_test(project, role):
    twins = "data/twins.csv"
    (project.path / twins).write_text(
        "a,b,a\n" + "".join(f"{i},{i % 3},{100 + i}\n" for i in range(40)))
    (project.path / "data/clean.csv").write_text(
        "a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(40)))
    sides = {"baseline": "data/clean.csv", "candidate": "data/clean.csv", role: twins}
    project.makepyfile(test_twins=f"""
        import pytest

        @pytest.mark.drift({sides["baseline"]!r}, {sides["candidate"]!r})
        def test_twins():
            pass

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_twins*",
        f"*{role} {literal(repr(twins))} (from marker keyword {role} on *) has duplicate "
        "column names 'a'*",
    ])
    entry = check(report, "test_twins")
    assert entry["status"] == "ERROR"
    assert "duplicate column names 'a'" in entry["error"]
    assert entry["error"].startswith(f"{role} ")
    assert check(report, "test_stable")["status"] == "NORMAL"
    assert report["status"] == "ERROR"


def test_duplicate_pandas_labels_in_drift_check(pytester):
    pytester.makepyfile(test_labels="""
        import numpy as np
        import pandas as pd

        def test_labels(drift_check):
            rng = np.random.default_rng(0)
            clean = pd.DataFrame({"a": rng.normal(0, 1, 50), "b": rng.normal(0, 1, 50)})
            twins = pd.DataFrame(rng.normal(0, 1, (50, 3)), columns=["a", "b", "a"])
            drift_check(clean, twins, name="twins")
    """)
    result, report = run_drift(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*candidate * has duplicate column names 'a'*"])
    entry = check(report, "twins")
    assert entry["status"] == "ERROR"
    assert "candidate" in entry["error"]
    assert "duplicate column names 'a'" in entry["error"]


# -- 3. and 4. the session report's path ------------------------------------------------------


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_report_path_that_is_a_directory_is_a_usage_error(project, absolute):
    (project.path / "reports").mkdir()
    project.makepyfile(test_stable=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass
    """)
    given = str(project.path / "reports") if absolute else "reports"
    result, _ = run_drift(project, "--drift-report", given, report=None)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*pytest-datadrift: report={literal(repr(given))} (from "
                                 "command line --drift-report)*is a directory*"])
    assert "passed" not in result.stdout.str()  # refused before any test ran
    assert list((project.path / "reports").iterdir()) == []


def test_unwritable_report_path_keeps_outcomes_and_exits_4(project):
    (project.path / "somefile.txt").write_text("not a directory\n")
    project.makepyfile(test_two=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_cars():
            pass
    """)
    result, _ = run_drift(project, "--drift-report", "somefile.txt/r.json", report=None)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    assert "could not write the drift report" in output
    assert "INTERNALERROR" not in output + result.stderr.str()
    result.stdout.fnmatch_lines(["FAILED test_two.py::test_cars*"])
    assert (project.path / "somefile.txt").read_text() == "not a directory\n"


def test_report_path_expands_environment_variables(project, monkeypatch):
    target = project.path / "from_env"
    monkeypatch.setenv("REPORT_DIR", str(target))
    project.makepyfile(test_stable=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass
    """)
    result, _ = run_drift(project, "--drift-report", "${REPORT_DIR}/d.json", report=None)
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK
    document = read_report(target / "d.json")
    assert check(document, "test_stable")["status"] == "NORMAL"
    assert not (project.path / "${REPORT_DIR}").exists()
    result.stdout.fnmatch_lines([f"drift report: {target / 'd.json'}"])


def test_report_path_expands_the_home_directory(project, monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    project.makepyfile(test_stable=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass
    """)
    result, _ = run_drift(project, "--drift-report", "~/reports/d.json", report=None)
    result.assert_outcomes(passed=1)
    document = read_report(home / "reports" / "d.json")
    assert check(document, "test_stable")["status"] == "NORMAL"
    assert not (project.path / "~").exists()


def test_relative_expansion_resolves_against_the_rootdir(project, monkeypatch):
    monkeypatch.setenv("REPORT_DIR", "nested")
    project.makepyfile(test_stable=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass
    """)
    result, _ = run_drift(project, "--drift-report", "${REPORT_DIR}/d.json", report=None)
    result.assert_outcomes(passed=1)
    assert read_report(project.path / "nested" / "d.json")["status"] == "NORMAL"


# -- 6. min_samples from the marker, the command line and ini ---------------------------------


def sparse_data(pytester: pytest.Pytester) -> dict[str, tuple[list[int], list[int]]]:
    """``x`` has 60 values a side; ``few`` has 10 in the baseline and 60 in the candidate.
    Returns the values of each feature, for scipy."""
    folder = pytester.path / "data" / "sparse"
    folder.mkdir(parents=True)
    values = {"x": ([(i * 7) % 61 for i in range(60)], [(i * 11) % 61 for i in range(60)]),
              "few": (list(range(10)), list(range(60)))}
    for side, name in enumerate(("baseline.csv", "candidate.csv")):
        x, few = values["x"][side], values["few"][side]
        cells = [f"{x[i]},{few[i] if i < len(few) else ''}\n" for i in range(60)]
        (folder / name).write_text("x,few\n" + "".join(cells))
    return values


def test_min_samples_default_skips_a_sparse_feature(pytester):
    values = sparse_data(pytester)
    pytester.makepyfile(test_sparse=f"""
        import pytest

        @pytest.mark.drift({SPARSE[0]!r}, {SPARSE[1]!r})
        def test_sparse():
            pass
    """)
    result, report = run_drift(pytester)
    assert stats.ks_2samp(*values["x"]).pvalue >= 0.05
    result.assert_outcomes(passed=1)
    entry = check(report, "test_sparse")
    assert list(entry["details"]) == ["x"]
    reason = entry["skipped_features"]["few"]
    assert "min_samples=20" in reason
    assert re.search(r"\b10\b", reason), reason
    assert entry["option_sources"]["min_samples"] == "default"
    result.stdout.fnmatch_lines(["*10 non-missing values in baseline*"])


@pytest.mark.parametrize("where", ["marker", "command line", "ini"])
def test_min_samples_from_each_layer(pytester, where):
    values = sparse_data(pytester)
    keyword = ", min_samples=10" if where == "marker" else ""
    if where == "ini":
        pytester.makeini("[pytest]\ndrift_min_samples = 10\n")
    args = ("--drift-min-samples", "10") if where == "command line" else ()
    pytester.makepyfile(test_sparse=f"""
        import pytest

        @pytest.mark.drift({SPARSE[0]!r}, {SPARSE[1]!r}{keyword})
        def test_sparse():
            pass
    """)
    result, report = run_drift(pytester, *args)
    oracle = {name: stats.ks_2samp(*pair) for name, pair in values.items()}
    # scipy: few drifts and x does not, so 1 of 2 features (50% > 20%) fails the gate.
    assert [name for name, o in oracle.items() if o.pvalue < 0.05] == ["few"]
    result.assert_outcomes(failed=1)
    entry = check(report, "test_sparse")
    assert entry["skipped_features"] == {}
    few = entry["details"]["few"]
    assert (few["train_n"], few["prod_n"]) == (10, 60)
    assert few["statistic"] == pytest.approx(oracle["few"].statistic, rel=1e-12, abs=1e-12)
    assert few["p_value"] == pytest.approx(oracle["few"].pvalue, rel=1e-12, abs=1e-12)
    assert entry["option_sources"]["min_samples"] == where


def test_invalid_min_samples_in_the_marker_errors_the_test(pytester):
    sparse_data(pytester)
    pytester.makepyfile(test_sparse=f"""
        import pytest

        @pytest.mark.drift({SPARSE[0]!r}, {SPARSE[1]!r}, min_samples=2.5)
        def test_sparse():
            pass
    """)
    result, report = run_drift(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*min_samples=2.5 (from marker keyword min_samples on *)*"])
    assert check(report, "test_sparse")["status"] == "ERROR"


@pytest.mark.parametrize("where", ["command line", "ini"])
def test_invalid_min_samples_flag_or_ini_is_a_usage_error(pytester, where):
    sparse_data(pytester)
    if where == "ini":
        pytester.makeini("[pytest]\ndrift_min_samples = x\n")
    args = ("--drift-min-samples", "0") if where == "command line" else ()
    pytester.makepyfile(test_sparse=f"""
        import pytest

        @pytest.mark.drift({SPARSE[0]!r}, {SPARSE[1]!r})
        def test_sparse():
            pass
    """)
    result, _ = run_drift(pytester, *args, report=None)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    source = "command line --drift-min-samples" if where == "command line" else (
        "ini key drift_min_samples")
    result.stderr.fnmatch_lines([f"*min_samples=* (from {source}*): *"])


# -- 10. warn mode under filterwarnings = error -----------------------------------------------


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


# -- 11. an invalid drift_check() argument ----------------------------------------------------


def test_drift_check_with_invalid_alpha(project):
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
