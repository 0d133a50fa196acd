"""The HTML report of a pytest session: where it goes, what it holds, the same with xdist."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest

from tests.e2e.runner import CARS, STABLE, WEATHER, check, run_drift

PROJECT = {
    "test_markers": f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_cars():
            pass

        @pytest.mark.drift({WEATHER[0]!r}, {WEATHER[1]!r}, threshold=50)
        def test_weather():
            pass

        @pytest.mark.drift("data/nowhere.csv", {CARS[1]!r})
        def test_missing_file():
            pass
    """,
    "test_segments": f"""
        import pytest

        @pytest.mark.parametrize("segment", ["<b>eu</b>", "us"])
        def test_segment(drift_check, segment):
            drift_check(*{STABLE!r}, name=f"segment={{segment}}")
    """,
}
#: Times differ between runs; everything else in the page must not.
TIMES = re.compile(r"<time [^>]*>[^<]*</time>")


def html_of(project: pytest.Pytester, relative: str) -> str:
    path = project.path / relative
    assert path.is_file(), f"no HTML report at {path}"
    return path.read_text(encoding="utf-8")


def test_flag_writes_the_html_report_and_names_it(project):
    project.makepyfile(**PROJECT)
    result, report = run_drift(project, "--drift-html", "out/r.html")
    result.assert_outcomes(passed=4, failed=1, errors=1)
    path = project.path / "out" / "r.html"
    result.stdout.fnmatch_lines([f"drift report: {project.path / 'drift_report.json'}",
                                 f"drift html report: {path}"])
    text = html_of(project, "out/r.html")
    assert text.startswith("<!DOCTYPE html>")
    for entry in report["checks"]:
        assert f'data-check="{escape(entry["name"])}"' in text
        for feature in entry["details"]:
            assert f'data-feature="{escape(feature)}"' in text
    assert text.count("<svg") == sum(len(e["details"]) for e in report["checks"])
    assert "segment=&lt;b&gt;eu&lt;/b&gt;" in text
    assert "data/nowhere.csv" in text  # the error check is in the page too
    # The chart data is the HTML report's alone: the JSON report stays lean.
    assert all("chart" not in d for e in report["checks"] for d in e["details"].values())
    # Written atomically: no temporary file is left behind.
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.html"]


def test_ini_path_and_no_json_report(project):
    project.makeini("[pytest]\ndrift_html = ci/drift.html\ndrift_report =\n")
    project.makepyfile(test_cars=PROJECT["test_markers"])
    result, _ = run_drift(project, report=None)
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines([f"drift html report: {project.path / 'ci' / 'drift.html'}"])
    assert "drift report: " not in result.stdout.str()
    assert not list(project.path.rglob("*.json"))
    assert 'data-check="test_cars"' in html_of(project, "ci/drift.html")


def test_no_html_without_the_option_or_without_checks(project):
    project.makepyfile(test_plain="def test_plain():\n    pass\n")
    result, _ = run_drift(project, "--drift-html", "r.html", report=None)
    result.assert_outcomes(passed=1)
    assert not (project.path / "r.html").exists()
    assert "drift html report" not in result.stdout.str()
    project.makepyfile(test_plain=PROJECT["test_markers"])
    result, report = run_drift(project)
    assert report is not None
    assert not list(project.path.rglob("*.html"))
    assert "drift html report" not in result.stdout.str()


def test_unwritable_html_path_keeps_outcomes_and_exits_4(project):
    (project.path / "somefile.txt").write_text("not a directory\n")
    project.makepyfile(test_cars=PROJECT["test_markers"])
    result, report = run_drift(project, "--drift-html", "somefile.txt/r.html")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.assert_outcomes(passed=2, failed=1, errors=1)
    output = result.stdout.str()
    assert "pytest-datadrift: could not write the HTML report" in output
    assert "INTERNALERROR" not in output + result.stderr.str()
    assert report is not None  # the JSON report is written all the same
    assert (project.path / "somefile.txt").read_text() == "not a directory\n"


def test_directory_as_html_path_is_a_usage_error(project):
    project.mkdir("reports")
    project.makepyfile(test_cars=PROJECT["test_markers"])
    result, _ = run_drift(project, "--drift-html", "reports", report=None)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*html='reports'*is a directory*"])


@pytest.mark.parametrize("plugin_args", [("-n", "0"), ("-n", "2")], ids=["-n0", "-n2"])
def test_same_page_with_xdist(project, plugin_args):
    project.makepyfile(**PROJECT)
    reference, _ = run_drift(project, "--drift-html", "r.html")
    expected = html_of(project, "r.html")
    (project.path / "r.html").unlink()
    # Workers are processes: -n2 runs in a subprocess; -n0 is one process, like no xdist.
    result, report = run_drift(project, "--drift-html", "r.html", *plugin_args,
                               subprocess=plugin_args == ("-n", "2"))
    result.assert_outcomes(passed=4, failed=1, errors=1)
    assert result.ret == reference.ret
    text = html_of(project, "r.html")
    assert TIMES.sub("", text) == TIMES.sub("", expected)
    assert len(TIMES.findall(text)) == 1 + len(report["checks"])  # page, and each check
    assert result.stdout.str().count("drift html report: ") == 1
    assert check(report, "test_cars")["status"] == "DRIFT_DETECTED"
    assert Path(project.path / "r.html").stat().st_size < 300_000
