"""``min_samples`` in a pytest session: a sparse feature is skipped by default, the
terminal and the report say why; the marker keyword, the ``--drift-min-samples`` flag and
the ``drift_min_samples`` ini key each lower the guard (the report says which); a bad value
errors its test (marker) or is a usage error (flag, ini). scipy is the oracle."""

from __future__ import annotations

import re

import pytest
from scipy import stats

from tests.e2e.runner import check, run_drift

SPARSE = ("data/sparse/baseline.csv", "data/sparse/candidate.csv")


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
