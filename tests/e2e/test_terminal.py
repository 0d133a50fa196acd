"""The ``drift`` section of pytest's terminal summary."""

from __future__ import annotations

import pytest

from tests.e2e.runner import ANSI, CARS, STABLE, drift_section, run_drift

TWO_CHECKS = f"""
    import pytest

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_stable():
        pass

    @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
    def test_cars():
        pass
"""


def test_section_has_a_table_per_check(project):
    project.makepyfile(test_term=TWO_CHECKS)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*= drift =*",
        "test_cars DRIFT_DETECTED*",
        "*feature*statistic*p-value*",
        "DRIFT*Miles_per_Gallon*ks 0.4343*2.72e-17*19.77 → 27.96*216/182*",
        "DRIFT*Origin*chi2 13.16*",
        "*drift 100.0% > threshold 20.0% (7 of 7 features, alpha 0.05)*",
        "*test: test_term.py::test_cars",
        "test_stable NORMAL*",
        "*feature*statistic*p-value*",
        "ok*x*ks*",
        "ok*colour*chi2*",
        "*drift 0.0% <= threshold 20.0%*",
        "*test: test_term.py::test_stable",
        f"drift report: {project.path / 'drift_report.json'}",
        "*= short test summary info =*",
    ])
    section = drift_section(result.stdout.str())
    assert section.count("DRIFT ") == 7
    assert report["status"] == "DRIFT_DETECTED"


def test_quiet_prints_one_line_per_check(project):
    project.makepyfile(test_term=TWO_CHECKS)
    result, _ = run_drift(project, "-q")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*= drift =*",
        "DRIFT_DETECTED test_term.py::test_cars 100.0%*Miles_per_Gallon, Cylinders*",
        "NORMAL test_term.py::test_stable 0.0%*",
        f"drift report: {project.path / 'drift_report.json'}",
    ])
    section = drift_section(result.stdout.str())
    assert "p-value" not in section  # no table, only one line (and its warnings) per check
    assert "statistic" not in section


def test_names_and_ids_are_shown_verbatim(project):
    """Test ids, check names and column names are data, not rich markup."""
    project.makepyfile(test_names="""
        import pandas as pd
        import pytest

        FRAME = pd.DataFrame({"price[usd]": range(60), "[bold]size": [1, 2, 3] * 20})

        @pytest.mark.parametrize("region", ["eu", "/us"])
        def test_segment(drift_check, region):
            drift_check(FRAME, FRAME, name=f"segment [{region}]")
    """)
    result, report = run_drift(project)
    result.stderr.no_fnmatch_line("INTERNALERROR*")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=2)
    section = drift_section(result.stdout.str())
    for region in ("eu", "/us"):
        assert f"segment [{region}] NORMAL" in section
        assert f"test: test_names.py::test_segment[{region}]" in section
    assert section.count("price[usd]") == 2
    assert section.count("[bold]size") == 2
    assert {c["nodeid"] for c in report["checks"]} == {
        "test_names.py::test_segment[eu]", "test_names.py::test_segment[/us]"}


def test_color_no_has_no_escapes(project):
    project.makepyfile(test_term=TWO_CHECKS)
    result, _ = run_drift(project, "--color=no")
    result.assert_outcomes(passed=1, failed=1)
    assert not ANSI.search(result.stdout.str())
    result.stdout.fnmatch_lines(["*= drift =*", "test_cars DRIFT_DETECTED*"])


def test_color_yes_styles_the_section(project):
    project.makepyfile(test_term=TWO_CHECKS)
    result, _ = run_drift(project, "--color=yes")
    result.assert_outcomes(passed=1, failed=1)
    section = drift_section(result.stdout.str())
    assert ANSI.search(section)
    plain = ANSI.sub("", section)
    assert "test_cars DRIFT_DETECTED" in plain
    assert "Miles_per_Gallon" in plain


@pytest.mark.parametrize(("env", "styled"), [
    ({"FORCE_COLOR": "1"}, True),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
], ids=["FORCE_COLOR", "NO_COLOR"])
def test_color_follows_pytest_environment(project, monkeypatch, env, styled):
    # pytester sets PY_COLORS=0, which outranks both variables.
    monkeypatch.delenv("PY_COLORS")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    project.makepyfile(test_term=TWO_CHECKS)
    result, report = run_drift(project, subprocess=True)
    result.assert_outcomes(passed=1, failed=1)
    section = drift_section(result.stdout.str())
    assert bool(ANSI.search(section)) is styled
    if not styled:
        assert not ANSI.search(result.stdout.str())
    assert "test_cars DRIFT_DETECTED" in ANSI.sub("", section)
    assert report["status"] == "DRIFT_DETECTED"
