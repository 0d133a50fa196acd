"""pytest-xdist: the same outcomes and the same report, written by the controller alone."""

from __future__ import annotations

import pytest

from tests.e2e.runner import CARS, FOUR_CHECKS, STABLE, run_drift, without_volatile

PROJECT = {
    "test_markers": FOUR_CHECKS,
    "test_segments": f"""
        import pytest

        PAIRS = {{"stable": {STABLE!r}, "cars": {CARS!r}}}

        @pytest.mark.parametrize("segment", ["stable", "cars"])
        def test_segment(drift_check, segment):
            drift_check(*PAIRS[segment], name=f"segment={{segment}}")

        def test_without_check():
            pass
    """,
}
# Records, at the very end of each worker's session, whether a report exists by then: the
# controller writes it only after every worker has finished, so it must not.
PROBE = """
    import pytest

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(session):
        workerinput = getattr(session.config, "workerinput", None)
        if workerinput is not None:
            root = session.config.rootpath
            exists = (root / "drift_report.json").exists()
            (root / f"probe-{workerinput['workerid']}.txt").write_text(str(exists))
"""


@pytest.mark.parametrize("plugin_args", [(), ("-n", "0"), ("-n", "2")],
                         ids=["no xdist", "-n0", "-n2"])
def test_same_outcomes_and_report_with_xdist(project, plugin_args):
    project.makepyfile(**PROJECT)
    project.makeconftest(PROBE)
    reference, expected = run_drift(project)
    reference.assert_outcomes(passed=4, failed=2, errors=1, warnings=1)
    assert reference.ret == pytest.ExitCode.TESTS_FAILED
    assert len(expected["checks"]) == 6

    # Workers are processes: -n2 runs in a subprocess; -n0 is one process, like no xdist.
    result, report = run_drift(project, *plugin_args, subprocess=plugin_args == ("-n", "2"))
    result.assert_outcomes(passed=4, failed=2, errors=1, warnings=1)
    assert result.ret == reference.ret
    assert without_volatile(report) == without_volatile(expected)
    assert report["status"] == "ERROR"
    result.stdout.fnmatch_lines(["*= drift =*", "drift report: *drift_report.json"])
    assert result.stdout.str().count("drift report: ") == 1
    assert result.stdout.str().count("= drift =") == 1
    probes = {p.name: p.read_text() for p in project.path.glob("probe-*.txt")}
    if plugin_args == ("-n", "2"):
        assert probes == {"probe-gw0.txt": "False", "probe-gw1.txt": "False"}
    else:
        assert probes == {}


def test_a_crashed_worker_does_not_lose_the_other_checks(project):
    """A worker that dies mid-session takes its current test with it, not the checks the
    other tests already reported: the controller writes them all."""
    project.makepyfile(test_crash=f"""
        import os

        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_stable():
            pass

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
        def test_cars():
            pass

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, name="second stable")
        def test_stable_again():
            pass

        def test_worker_dies():
            os._exit(1)
    """)
    result, report = run_drift(project, "-n", "2", subprocess=True)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*test_worker_dies*"])
    assert report is not None
    names = sorted(check["name"] for check in report["checks"])
    assert names == ["second stable", "test_cars", "test_stable"]
    assert report["status"] == "DRIFT_DETECTED"
