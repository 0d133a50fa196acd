"""The session report: where it goes, when it is written, and what it holds."""

from __future__ import annotations

import os
import stat
from importlib.metadata import version

import pytest

from tests.e2e.runner import CARS, STABLE, check, literal, read_report, run_drift

STABLE_TEST = f"""
    import pytest

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_stable():
        pass
"""


def test_written_to_rootdir_by_default(project):
    project.makepyfile(test_default=STABLE_TEST)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"drift report: {project.path / 'drift_report.json'}"])
    assert report["schema_version"] == 3
    assert report["tool"] == "pytest-datadrift"
    assert report["version"] == version("pytest-datadrift")
    assert report["status"] == "NORMAL"
    assert [c["nodeid"] for c in report["checks"]] == ["test_default.py::test_stable"]
    # Written atomically: no temporary file is left behind.
    assert sorted(p.name for p in project.path.iterdir() if "drift_report" in p.name) == [
        "drift_report.json"]


def test_report_and_data_paths_are_relative_to_rootdir_not_cwd(project, monkeypatch):
    (project.path / "pytest.ini").write_text("[pytest]\n")
    tests = project.mkdir("tests")
    (tests / "test_sub.py").write_text(STABLE_TEST.replace("\n    ", "\n"))
    monkeypatch.chdir(tests)
    result, _ = run_drift(project)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"rootdir: {project.path}*"])
    assert not (tests / "drift_report.json").exists()
    report = read_report(project.path / "drift_report.json")
    assert report["checks"][0]["baseline"] == STABLE[0]


def test_command_line_path(project):
    project.makepyfile(test_path=STABLE_TEST)
    result, report = run_drift(project, "--drift-report", "out/r.json", report="out/r.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"drift report: {project.path / 'out' / 'r.json'}"])
    assert report["checks"][0]["name"] == "test_stable"
    assert not (project.path / "drift_report.json").exists()


def test_ini_path(project):
    project.makepyprojecttoml('[tool.pytest.ini_options]\ndrift_report = "ci/drift.json"\n')
    project.makepyfile(test_path=STABLE_TEST)
    result, report = run_drift(project, report="ci/drift.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"drift report: {project.path / 'ci' / 'drift.json'}"])
    assert report is not None


@pytest.mark.parametrize(("args", "ini"), [
    (("--drift-report", ""), None),
    (("--drift-report=",), None),
    ((), "[pytest]\ndrift_report =\n"),
], ids=["flag", "flag=", "ini"])
def test_empty_path_disables_the_report(project, args, ini):
    if ini is not None:
        (project.path / "pytest.ini").write_text(ini)
    project.makepyfile(test_off=STABLE_TEST)
    result, report = run_drift(project, *args)
    result.assert_outcomes(passed=1)
    assert report is None
    assert not list(project.path.rglob("*.json"))
    # The terminal summary is still drawn; it just names no file.
    result.stdout.fnmatch_lines(["*= drift =*", "*test_stable NORMAL*"])
    result.stdout.no_fnmatch_line("drift report:*")


def test_flag_overrides_ini_path(project):
    (project.path / "pytest.ini").write_text("[pytest]\ndrift_report =\n")
    project.makepyfile(test_path=STABLE_TEST)
    result, report = run_drift(project, "--drift-report", "again.json", report="again.json")
    result.assert_outcomes(passed=1)
    assert report is not None


@pytest.mark.parametrize(("tests", "status"), [
    (("stable",), "NORMAL"),
    (("stable", "drifting"), "DRIFT_DETECTED"),
    (("stable", "drifting", "broken"), "ERROR"),
    (("broken", "stable"), "ERROR"),
])
def test_written_even_when_tests_fail_and_status_is_the_worst(project, tests, status):
    bodies = {
        "stable": f"@pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})",
        "drifting": f"@pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})",
        "broken": f"@pytest.mark.drift('data/nowhere.csv', {CARS[1]!r})",
    }
    source = "import pytest\n" + "".join(
        f"\n{bodies[name]}\ndef test_{name}():\n    pass\n" for name in tests)
    project.makepyfile(test_worst=source)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, failed=int("drifting" in tests),
                           errors=int("broken" in tests))
    assert report["status"] == status
    assert sorted(c["name"] for c in report["checks"]) == sorted(f"test_{n}" for n in tests)


def test_session_without_checks_writes_and_prints_nothing(project):
    project.makepyfile(test_plain="""
        def test_plain():
            assert True
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1)
    assert report is None
    assert not list(project.path.glob("*.json"))
    result.stdout.no_fnmatch_line("*= drift =*")
    result.stdout.no_fnmatch_line("*drift report*")


def test_marker_report_keyword_writes_that_check_too(project):
    project.makepyfile(test_own=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, report="check.json")
        def test_with_own_file():
            pass

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, report="checks/cars.json")
        def test_cars_with_own_file():
            pass

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_without():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=2, failed=1)
    for name, path in (("test_with_own_file", "check.json"),
                       ("test_cars_with_own_file", "checks/cars.json")):
        entry = read_report_entry(project.path / path)
        assert entry == check(report, name)
        assert entry["option_sources"]["report"] == "marker"
    assert len(report["checks"]) == 3
    assert sorted(p.name for p in project.path.rglob("*.json")) == [
        "cars.json", "check.json", "drift_report.json"]


def read_report_entry(path):
    """A check's own file holds its entry; validate it as the one check of a report."""
    import json

    from tests.helpers import validate_report

    entry = json.loads(path.read_text())
    validate_report({"schema_version": 3, "tool": "pytest-datadrift", "version": "0",
                     "timestamp": entry["timestamp"], "status": entry["status"],
                     "checks": [entry]})
    return entry


def test_report_file_is_readable_like_any_other_file(project):
    """The temporary file of the atomic write must not leave the artifact owner-only."""
    project.makepyfile(test_mode=STABLE_TEST)
    umask = os.umask(0o022)
    os.umask(umask)
    result, _ = run_drift(project)
    result.assert_outcomes(passed=1)
    mode = stat.S_IMODE((project.path / "drift_report.json").stat().st_mode)
    assert mode == 0o666 & ~umask, oct(mode)


# -- the report path: refused when unusable, expanded like a shell ---------------------------


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


def test_expanded_relative_report_path_resolves_against_the_rootdir(project, monkeypatch):
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
