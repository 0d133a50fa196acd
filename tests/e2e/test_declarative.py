"""Declarative checks: ``[[tool.pytest_drift.checks]]`` in the rootdir's pyproject.toml, each
collected as the test ``pyproject.toml::drift[<name>]`` (SPEC §2.4)."""

from __future__ import annotations

import re
import textwrap

import pytest

from tests.e2e.runner import ANSI, CARS, STABLE, check, literal, run_drift, without_volatile

CHECKS = f"""
    [[tool.pytest_drift.checks]]
    name = "cars"
    baseline = "{CARS[0]}"
    candidate = "{CARS[1]}"
    threshold = 30
    exclude = ["Origin"]

    [[tool.pytest_drift.checks]]
    name = "stable"
    baseline = "{STABLE[0]}"
    candidate = "{STABLE[1]}"
"""
#: The line of each check's [[tool.pytest_drift.checks]] header in CHECKS (1-based), after
#: the two lines that ``pyproject`` puts first.
CARS_LINE, STABLE_LINE = 4, 11
PLUGIN_ARGS = pytest.mark.parametrize("plugin_args", [(), ("-n", "2")], ids=["no xdist", "-n2"])


def pyproject(project: pytest.Pytester, checks: str = CHECKS, ini: str = "") -> None:
    project.makepyprojecttoml(f"[tool.pytest.ini_options]\n{ini}\n{textwrap.dedent(checks)}")


def failure_section(text: str, title: str) -> list[str]:
    """The lines of the failure (or error) section whose header names ``title``."""
    # xdist adds a line naming the worker.
    lines = [ANSI.sub("", line) for line in text.splitlines() if not line.startswith("[gw")]
    header = re.compile(rf"^_+ {re.escape(title)} _+$")
    start = next(i for i, line in enumerate(lines) if header.match(line)) + 1
    end = next(i for i in range(start, len(lines)) if re.match(r"^(_{3,}|={3,}) ", lines[i]))
    return lines[start:end]


@PLUGIN_ARGS
def test_passing_and_failing_checks(project, plugin_args):
    pyproject(project)
    result, report = run_drift(project, "-rA", *plugin_args, subprocess=bool(plugin_args))
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines_random([
        "PASSED pyproject.toml::drift?stable?",
        "FAILED pyproject.toml::drift?cars? - pytest_drift.errors.DriftDetected: *",
    ])
    # The header comes from reportinfo; the message alone explains the failure.
    body = failure_section(result.stdout.str(), "drift check 'cars'")
    assert body[0].startswith("Data drift in 100.0% of features (threshold 30.0%)")
    assert not any("Traceback" in line or line.startswith(("E ", ">")) for line in body)

    assert [entry["name"] for entry in report["checks"]] == ["cars", "stable"]
    cars, stable = check(report, "cars"), check(report, "stable")
    assert cars["nodeid"] == "pyproject.toml::drift[cars]"
    assert stable["nodeid"] == "pyproject.toml::drift[stable]"
    assert (cars["status"], cars["threshold"]) == ("DRIFT_DETECTED", 30.0)
    assert "Origin" not in cars["details"]
    assert cars["option_sources"]["threshold"] == cars["option_sources"]["exclude"] == "marker"
    assert (stable["status"], stable["threshold"]) == ("NORMAL", 20.0)
    assert stable["option_sources"]["threshold"] == "default"


def test_failure_message_is_the_markers(project):
    """A check and a marker with the same options fail with the same text."""
    pyproject(project)
    project.makepyfile(test_marker=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, threshold=30, exclude=["Origin"])
        def test_cars():
            pass
    """)
    result, _ = run_drift(project, "-k", "cars")
    result.assert_outcomes(failed=2)
    text = result.stdout.str()
    declared = failure_section(text, "drift check 'cars'")
    marker = failure_section(text, "test_cars")
    # The marker's section ends with the test's location; the message itself is the same.
    assert declared == marker[: len(declared)]
    assert len(declared) > 5


@PLUGIN_ARGS
def test_collect_only_lists_node_ids(project, plugin_args):
    pyproject(project)
    project.makepyfile(test_other="def test_other():\n    pass\n")
    result = project.runpytest("--collect-only", "-q", *plugin_args)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines([
        literal("pyproject.toml::drift[cars]"),
        literal("pyproject.toml::drift[stable]"),
        "test_other.py::test_other",
        "3 tests collected*",
    ])
    tree = project.runpytest("--collect-only")
    tree.stdout.fnmatch_lines([
        "  <DriftFile pyproject.toml>",
        "    <DriftItem drift[[]cars[]]>",
        "    <DriftItem drift[[]stable[]]>",
    ])


@pytest.mark.parametrize(("args", "names"), [
    (("-k", "cars"), ["cars"]),
    (("-k", "not cars"), ["stable"]),
    (("pyproject.toml::drift[stable]",), ["stable"]),
    (("-m", "drift"), ["cars", "stable"]),
], ids=["-k cars", "-k not cars", "node id", "-m drift"])
def test_selection(project, args, names):
    pyproject(project)
    result, report = run_drift(project, *args)
    assert sorted(entry["name"] for entry in report["checks"]) == names
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == int("stable" in names)
    assert outcomes.get("failed", 0) == int("cars" in names)


def test_not_drift_deselects_checks(project):
    pyproject(project)
    project.makepyfile(test_other="def test_other():\n    pass\n")
    result, report = run_drift(project, "-m", "not drift")
    result.assert_outcomes(passed=1, deselected=2)
    assert report is None


def test_flags_and_ini_apply_below_the_checks_values(project):
    """check table > command line > ini > default, per option."""
    pyproject(project, ini='drift_alpha = "0.2"\ndrift_threshold = "100"')
    result, report = run_drift(project)
    # ini threshold 100 lets stable pass; the check's own 30 still fails cars.
    result.assert_outcomes(passed=1, failed=1)
    cars, stable = check(report, "cars"), check(report, "stable")
    assert (cars["threshold"], cars["option_sources"]["threshold"]) == (30.0, "marker")
    assert (stable["threshold"], stable["option_sources"]["threshold"]) == (100.0, "ini")
    assert (cars["alpha"], cars["option_sources"]["alpha"]) == (0.2, "ini")

    result, report = run_drift(project, "--drift-threshold", "100", "--drift-alpha", "0.01",
                               "--drift-exclude", "Cylinders")
    result.assert_outcomes(passed=1, failed=1)
    cars = check(report, "cars")
    assert (cars["threshold"], cars["option_sources"]["threshold"]) == (30.0, "marker")
    assert (cars["alpha"], cars["option_sources"]["alpha"]) == (0.01, "command line")
    assert check(report, "stable")["option_sources"]["threshold"] == "command line"
    # The check's exclude list wins over the flag's as a whole, as a marker's does.
    assert "Cylinders" in cars["details"]
    assert "Origin" not in cars["details"]


def test_warn_mode_warns_at_the_checks_line(project):
    pyproject(project, checks=CHECKS.replace("threshold = 30", 'mode = "warn"'))
    result, report = run_drift(project, "-k", "cars")
    result.assert_outcomes(passed=1, deselected=1, warnings=1)
    result.stdout.fnmatch_lines([f"  pyproject.toml:{CARS_LINE}: DriftWarning: Data drift*"])
    assert check(report, "cars")["mode"] == "warn"


def test_github_annotation_points_at_the_check(project, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    pyproject(project)
    result, _ = run_drift(project)
    result.stdout.fnmatch_lines(
        [f"::error file=pyproject.toml,line={CARS_LINE},title=data drift%3A cars::*"])


BAD_VALUES = f"""
    [[tool.pytest_drift.checks]]
    name = "bad threshold"
    baseline = "{STABLE[0]}"
    candidate = "{STABLE[1]}"
    threshold = 300

    [[tool.pytest_drift.checks]]
    name = "missing file"
    baseline = "data/nowhere.csv"
    candidate = "{STABLE[1]}"

    [[tool.pytest_drift.checks]]
    name = "unknown feature"
    baseline = "{STABLE[0]}"
    candidate = "{STABLE[1]}"
    features = ["x", "colur"]
"""


@PLUGIN_ARGS
def test_bad_values_error_the_check_and_are_reported(project, plugin_args):
    pyproject(project, checks=BAD_VALUES + CHECKS)
    result, report = run_drift(project, *plugin_args, subprocess=bool(plugin_args))
    result.assert_outcomes(passed=1, failed=1, errors=3)
    result.stdout.fnmatch_lines_random([
        "drift check could not run: threshold=300 (from key threshold in pyproject.toml "
        "[[]tool.pytest_drift[]] check 'bad threshold'): must be a percentage between 0 and "
        "100*",
        "drift check could not run: baseline 'data/nowhere.csv' (from key baseline in "
        "pyproject.toml [[]tool.pytest_drift[]] check 'missing file'): file not found*",
        "*unknown feature 'colur' (did you mean 'colour'?)*",
    ])
    errors = failure_section(result.stdout.str(), "ERROR at setup of drift check 'bad threshold'")
    assert len(errors) == 1
    for name in ("bad threshold", "missing file", "unknown feature"):
        entry = check(report, name)
        assert entry["status"] == "ERROR"
        assert entry["nodeid"] == f"pyproject.toml::drift[{name}]"
        assert entry["error"]


@pytest.mark.parametrize(("declaration", "messages"), [
    pytest.param(
        "[tool.pytest_drift]\nthreshold = 30\n" + CHECKS,
        ["pyproject.toml:3: unknown key 'threshold' in [[]tool.pytest_drift[]] (threshold is an "
         "option of a check: set it in each [[][[]tool.pytest_drift.checks[]][]] table, or for "
         "every check with the ini key drift_threshold); it takes: checks"],
        id="option in the table"),
    pytest.param(
        "[tool.pytest_drift]\nchecs = []\n" + CHECKS,
        ["pyproject.toml:3: unknown key 'checs' in [[]tool.pytest_drift[]] (did you mean "
         "'checks'?)*"],
        id="unknown table key"),
    pytest.param(
        CHECKS.replace("threshold = 30", "thresold = 30"),
        [f"pyproject.toml:{CARS_LINE}: unknown key 'thresold' in [[]tool.pytest_drift[]] "
         "check 'cars' (did you mean 'threshold'?)",
         "a check takes the keys: name, baseline, candidate, *"],
        id="unknown check key"),
    pytest.param(
        CHECKS.replace("threshold = 30", 'html = "drift.html"'),
        [f"pyproject.toml:{CARS_LINE}: unknown key 'html' in [[]tool.pytest_drift[]] check "
         "'cars' (html is set for the whole session: --drift-html or the ini key drift_html)"],
        id="session option in a check"),
    pytest.param(
        CHECKS.replace('name = "stable"', 'name = "cars"'),
        [f"pyproject.toml:{STABLE_LINE}: duplicate check name 'cars' in [[]tool.pytest_drift[]] "
         "(checks #1 and #2): give each check its own name"],
        id="duplicate name"),
    pytest.param(
        CHECKS.replace('name = "stable"', ""),
        [f"pyproject.toml:{STABLE_LINE}: check #2 in [[]tool.pytest_drift[]] has no name: add "
         'name = "..." (the test id becomes drift[[]<name>[]])'],
        id="missing name"),
    pytest.param(
        CHECKS.replace('name = "stable"', 'name = "a::b"'),
        [f"pyproject.toml:{STABLE_LINE}: check #2 in [[]tool.pytest_drift[]] has name = 'a::b'"
         ": a name is a non-empty string without '::', line breaks or surrounding spaces"],
        id="bad name"),
    pytest.param(
        '[tool.pytest_drift]\nchecks = "cars"\n',
        ["pyproject.toml:3: checks in [[]tool.pytest_drift[]] must be an array of tables*"],
        id="checks not tables"),
])
def test_declaration_mistakes_are_collection_errors(project, declaration, messages):
    pyproject(project, checks=declaration)
    result, report = run_drift(project)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*_ ERROR collecting pyproject.toml _*", *messages])
    result.stdout.no_fnmatch_line("*Traceback*")
    assert report is None


def test_every_mistake_is_reported_at_once(project):
    pyproject(project, checks=CHECKS.replace("threshold = 30", "thresold = 30")
              .replace('name = "stable"', 'name = "cars"\ncolour = "red"'))
    result, _ = run_drift(project)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([
        "*unknown key 'thresold' in * check 'cars'*",
        "*duplicate check name 'cars'*",
        "*unknown key 'colour' in * check #2",
        "a check takes the keys: *",
    ])


@PLUGIN_ARGS
def test_unknown_key_with_xdist(project, plugin_args):
    pyproject(project, checks=CHECKS.replace("threshold = 30", "thresold = 30"))
    project.makepyfile(test_other="def test_other():\n    pass\n")
    result, report = run_drift(project, *plugin_args, subprocess=bool(plugin_args))
    # Without xdist a collection error stops the run; xdist runs the rest and fails.
    assert result.ret == (pytest.ExitCode.TESTS_FAILED if plugin_args
                          else pytest.ExitCode.INTERRUPTED)
    result.stdout.fnmatch_lines([
        "*_ ERROR collecting pyproject.toml _*",
        f"pyproject.toml:{CARS_LINE}: unknown key 'thresold' in * check 'cars'*",
    ])
    result.stdout.no_fnmatch_line("*INTERNALERROR*")
    assert report is None


def test_invalid_toml_is_a_collection_error(project):
    # Configured by -c pytest.ini, pytest itself does not read pyproject.toml.
    project.makefile(".ini", pytest="[pytest]")
    project.path.joinpath("pyproject.toml").write_text(
        "[[tool.pytest_drift.checks]]\nname = cars\n", encoding="utf-8")
    result, _ = run_drift(project, "-c", "pytest.ini")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["pyproject.toml: not valid TOML: Invalid value (at line 2*"])


def test_checks_written_inline(project):
    """Checks as an inline array: same items; lines come from the names."""
    pyproject(project, checks=f"""
        [tool.pytest_drift]
        checks = [
            {{name = "stable", baseline = "{STABLE[0]}", candidate = "{STABLE[1]}"}},
        ]
    """)
    result, report = run_drift(project, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*pyproject.toml::drift?stable? PASSED*"])
    assert check(report, "stable")["status"] == "NORMAL"


# --- which runs collect the checks ------------------------------------------------------


def test_testpaths_without_pyproject_warn(project):
    """pytest only collects testpaths: the checks do not run, and pytest says so."""
    pyproject(project, ini='testpaths = ["tests"]')
    project.mkdir("tests").joinpath("test_other.py").write_text("def test_other():\n    pass\n")
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*PytestConfigWarning: 2 drift checks in [[]tool.pytest_drift[]] of "
        "*pyproject.toml will not run: pytest collects only testpaths = *'tests'* when run "
        'without arguments. Add "pyproject.toml" to testpaths*',
    ])
    assert report is None

    # Warnings as errors: a usage error, not a crash.
    result, _ = run_drift(project, "-W", "error::pytest.PytestConfigWarning")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: 2 drift checks in * will not run*"])

    # Named on the command line: collected, whatever testpaths says; other paths: no warning.
    result, report = run_drift(project, "pyproject.toml")
    result.assert_outcomes(passed=1, failed=1)
    result, report = run_drift(project, "tests")
    result.assert_outcomes(passed=1)
    assert "drift checks" not in result.stdout.str()


def test_testpaths_with_pyproject(project):
    pyproject(project, ini='testpaths = ["tests", "pyproject.toml"]')
    project.mkdir("tests").joinpath("test_other.py").write_text("def test_other():\n    pass\n")
    result, report = run_drift(project)
    result.assert_outcomes(passed=2, failed=1)
    assert len(report["checks"]) == 2


def test_rootdir_and_pyproject_together_collect_once(project):
    pyproject(project)
    result, report = run_drift(project, ".", "pyproject.toml")
    result.assert_outcomes(passed=1, failed=1)
    assert len(report["checks"]) == 2


def test_other_pyproject_files_are_not_collected(project):
    """Only the rootdir's pyproject.toml holds checks; a subproject's is left alone, and
    naming it gives an error that says so."""
    pyproject(project, checks="")
    sub = project.mkdir("sub")
    sub.joinpath("pyproject.toml").write_text(CHECKS, encoding="utf-8")
    result, report = run_drift(project)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert report is None
    result, _ = run_drift(project, "sub/pyproject.toml", "--rootdir", str(project.path))
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines([
        "sub/pyproject.toml: pytest-datadrift reads [[]tool.pytest_drift[]] checks from the "
        "rootdir's pyproject.toml only*"])


def test_pyproject_without_checks(project):
    """Not collected when pytest walks the rootdir; named explicitly, it says what is missing."""
    pyproject(project, checks="")
    project.makepyfile(test_other="def test_other():\n    pass\n")
    result, _ = run_drift(project)
    result.assert_outcomes(passed=1)
    result, _ = run_drift(project, "pyproject.toml")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["pyproject.toml: has no [[]tool.pytest_drift[]] table; declare each drift check as a "
         "[[][[]tool.pytest_drift.checks[]][]] table*"])


def test_same_report_with_and_without_xdist(project):
    pyproject(project, checks=BAD_VALUES + CHECKS)
    _, expected = run_drift(project)
    _, report = run_drift(project, "-n", "2", subprocess=True)
    assert without_volatile(report) == without_volatile(expected)
