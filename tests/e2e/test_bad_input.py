"""Bad input (a missing or unreadable file, a column numeric on one side and text on the
other, a column name given twice) errors the one check with a message naming the file and
the option that named it; the other checks still run and the report keeps every check."""

from __future__ import annotations

import pytest

from tests.e2e.runner import CARS, STABLE, check, literal, run_drift

MISSING = "data/missing/train.csv"


@pytest.mark.parametrize(("where", "origin"), [
    ("marker", "marker keyword baseline on test_inputs.py::test_broken"),
    ("command line", "command line --drift-baseline"),
    ("ini", "ini key drift_baseline in */pytest.ini"),
])
def test_missing_baseline_errors_that_check_only(project, where, origin):
    marker = f"baseline={MISSING!r}, " if where == "marker" else ""
    if where == "ini":
        project.makeini(f"[pytest]\ndrift_baseline = {MISSING}\n")
        (project.path / "tox.ini").rename(project.path / "pytest.ini")
    args = ("--drift-baseline", MISSING) if where == "command line" else ()
    project.makepyfile(test_inputs=f"""
        import pytest

        @pytest.mark.drift({marker}candidate={CARS[1]!r})
        def test_broken():
            pass

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_drifting():
            pass
    """)
    result, report = run_drift(project, *args)
    result.assert_outcomes(passed=1, failed=1, errors=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    path = project.path / MISSING
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_broken*",
        f"*baseline {literal(repr(MISSING))} (from {origin}): file not found: {path}*",
    ])
    assert [c["name"] for c in report["checks"]] == ["test_broken", "test_drifting",
                                                     "test_stable"]
    broken = check(report, "test_broken")
    assert broken["status"] == "ERROR"
    assert f"file not found: {path}" in broken["error"]
    assert broken["option_sources"]["baseline"] == where
    assert (broken["features_tested"], broken["drift_percentage"]) == (0, None)
    assert check(report, "test_stable")["status"] == "NORMAL"
    assert check(report, "test_drifting")["status"] == "DRIFT_DETECTED"
    assert report["status"] == "ERROR"


def test_setup_error_is_told_once_without_traceback(project):
    project.makepyfile(test_once=f"""
        import pytest

        @pytest.mark.drift({MISSING!r}, {CARS[1]!r})
        def test_broken():
            pass
    """)
    result, _ = run_drift(project)
    result.assert_outcomes(errors=1)
    errors = result.stdout.str().split("= ERRORS =", 1)[1].split("= drift =", 1)[0]
    assert errors.count("file not found") == 1, errors
    assert "During handling of the above exception" not in errors
    assert "Traceback" not in errors


def test_numeric_on_one_side_text_on_the_other(project):
    folder = project.path / "data" / "mixed"
    folder.mkdir()
    rows = range(40)
    (folder / "baseline.csv").write_text(
        "zip,size\n" + "".join(f"{1000 + i},{i % 7}\n" for i in rows))
    (folder / "candidate.csv").write_text(
        "zip,size\n" + "".join(f"Z-{1000 + i},{i % 7}\n" for i in rows))
    project.makepyfile(test_mixed="""
        import pytest

        @pytest.mark.drift("data/mixed/baseline.csv", "data/mixed/candidate.csv")
        def test_mixed():
            pass

        @pytest.mark.drift("data/mixed/baseline.csv", "data/mixed/candidate.csv",
                           exclude=["zip"])
        def test_mixed_column_excluded():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_mixed *",
        "*column 'zip' is numeric in the baseline 'data/mixed/baseline.csv' (from marker keyword"
        " baseline on *) but text in the candidate 'data/mixed/candidate.csv' (from marker"
        " keyword candidate on *)*",
    ])
    broken = check(report, "test_mixed")
    assert broken["status"] == "ERROR"
    assert "column 'zip'" in broken["error"]
    assert check(report, "test_mixed_column_excluded")["status"] == "NORMAL"


@pytest.mark.parametrize(("content", "filename", "problem"), [
    ("", "empty.csv", "*is empty*"),
    ("size,colour\n" + "1,red\n" * 30 + "2,blue,extra\n", "malformed.csv", "*line 32*"),
    ("size,colour\n", "header_only.csv", "*"),
    ("size,colour\n1,red\n", "table.xlsx", "*unknown format*"),
], ids=["empty", "malformed row", "header only", "unknown format"])
def test_unreadable_candidate_names_file_and_option(project, content, filename, problem):
    (project.path / "data" / filename).write_text(content)
    (project.path / "data" / "train.csv").write_text(
        "size,colour\n" + "".join(f"{i % 5},{'red' if i % 2 else 'blue'}\n" for i in range(40)))
    project.makepyfile(test_unreadable=f"""
        import pytest

        @pytest.mark.drift("data/train.csv", "data/{filename}")
        def test_unreadable():
            pass

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, errors=1)
    broken = check(report, "test_unreadable")
    assert broken["status"] == "ERROR"
    message = (f"*candidate 'data/{filename}' (from marker keyword candidate on "
               f"test_unreadable.py::test_unreadable)*")
    result.stdout.fnmatch_lines(["*ERROR at setup of test_unreadable*", message + problem])
    assert filename in broken["error"]
    assert check(report, "test_stable")["status"] == "NORMAL"


# -- duplicate column names ----------------------------------------------------------------


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


BROKEN_HOOK = """
    def pytest_drift_load(source, columns, options):
        if "cars_model_years/candidate" in source:
            return broken_helper(source)


    def broken_helper(source):
        raise RuntimeError("the loader hook has a bug: " + source)
"""


@pytest.mark.parametrize("tb", ["long", "short"])
def test_a_bug_in_a_hook_keeps_its_traceback(project, tb):
    """Only errors raised on purpose are one-line messages: a bug in a hook (or ours)
    shows where it happened, as --tb asks, and the report still keeps the check."""
    project.makeconftest(BROKEN_HOOK)
    project.makepyfile(test_bug=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_hooked():
            pass

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass
    """)
    result, report = run_drift(project, f"--tb={tb}")
    result.assert_outcomes(passed=1, errors=1)
    errors = result.stdout.str().split("= ERRORS =", 1)[1].split("= drift =", 1)[0]
    assert "RuntimeError: the loader hook has a bug" in errors, errors
    assert "conftest.py" in errors, errors
    assert "broken_helper" in errors, errors
    assert "could not run: unexpected" not in errors
    hooked = check(report, "test_hooked")
    assert hooked["status"] == "ERROR"
    assert hooked["error"].startswith("unexpected RuntimeError: the loader hook has a bug")
    assert check(report, "test_stable")["status"] == "NORMAL"


def test_a_bug_in_a_hook_honours_tb_no(project):
    project.makeconftest(BROKEN_HOOK)
    project.makepyfile(test_bug=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_hooked():
            pass
    """)
    result, _ = run_drift(project, "--tb=no")
    result.assert_outcomes(errors=1)
    assert "broken_helper" not in result.stdout.str()
