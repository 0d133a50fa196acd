"""The statistics options in pytest and on the command line: correction, min_effect,
numeric_test, categorical_test, tests, psi_threshold, gate_missing and waive (marker and ini
only), each through the marker, its ``--drift-…`` flag, its ``drift_…`` ini key and the
``python -m pytest_drift`` command line; the effective value and ``option_sources`` are read
from the report, and bad values are usage errors naming the option. Also: tests registered by
a conftest's ``pytest_drift_register_tests``, and waivers judged on a patched clock."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pytest_drift.cli import main as cli_main
from tests.e2e.runner import check, drift_section, literal, run_drift
from tests.unit.stats_support import (
    close,
    numeric_psi,
    two_proportion_p,
    validated_entry,
)

BASELINE, CANDIDATE = "data/stats/baseline.csv", "data/stats/candidate.csv"
ROWS = 200
#: Candidate rows moved into the baseline's first decile, per feature, and the PSI band each
#: must fall in: between the psi_threshold values used below (0.2 < 0.3 < 0.5 < 0.8).
PSI_FEATURES = {"q1": (42, 0.2, 0.3), "q2": (55, 0.3, 0.5), "q3": (75, 0.5, 0.8)}

CONFTEST = '''
from dataclasses import dataclass

from scipy import stats

from pytest_drift.stats.registry import TestOutcome


@dataclass(frozen=True)
class Welch:
    name: str = "welch"
    kinds: frozenset = frozenset({"numeric"})

    def run(self, data):
        result = stats.ttest_ind(data.train, data.prod, equal_var=False)
        return TestOutcome(float(result.statistic), float(result.pvalue))


@dataclass(frozen=True)
class PowerDivergence:
    name: str
    lambda_: str
    kinds: frozenset = frozenset({"categorical"})

    def run(self, data):
        result = stats.chi2_contingency([data.train_counts, data.prod_counts],
                                        lambda_=self.lambda_)
        return TestOutcome(float(result.statistic), float(result.pvalue), dof=int(result.dof))


def pytest_drift_register_tests(register):
    register(Welch())
    register(PowerDivergence("g2", "log-likelihood"))
    register(PowerDivergence("cressie", "cressie-read"))
'''


def make_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """x moves by 0.8 sd; y does not; m keeps its values but 40% of the candidate's are
    missing (0% in the baseline); colour changes its mix; q1..q3 have known PSIs."""
    rng = np.random.default_rng(2024)
    m = rng.normal(size=ROWS)
    baseline = pd.DataFrame({
        "x": rng.normal(size=ROWS), "y": rng.normal(size=ROWS), "m": m,
        "colour": rng.choice(["red", "green", "blue"], ROWS, p=[0.5, 0.3, 0.2]),
    })
    candidate = pd.DataFrame({
        "x": rng.normal(0.8, 1, size=ROWS), "y": rng.normal(size=ROWS),
        "m": np.concatenate([m[:120], np.full(80, np.nan)]),
        "colour": rng.choice(["red", "green", "blue"], ROWS, p=[0.3, 0.3, 0.4]),
    })
    grid = np.arange(ROWS) / ROWS
    for name, (moved, low, high) in PSI_FEATURES.items():
        baseline[name] = grid
        candidate[name] = np.concatenate([np.linspace(0, 0.04, moved),
                                          np.linspace(0, 1, ROWS - moved, endpoint=False)])
        assert low < numeric_psi(baseline[name], candidate[name]) < high, name
    return baseline, candidate


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_frames()


@pytest.fixture
def stats_project(pytester: pytest.Pytester, frames) -> pytest.Pytester:
    folder = pytester.mkdir("data") / "stats"
    folder.mkdir()
    baseline, candidate = frames
    baseline.to_csv(folder / "baseline.csv", index=False)
    candidate.to_csv(folder / "candidate.csv", index=False)
    pytester.makeconftest(CONFTEST)
    return pytester


# -- every option through every layer ---------------------------------------------------------

LAYERS = ("marker", "command line", "ini", "default")


@dataclass(frozen=True)
class OptionCase:
    option: str
    #: The check's features, and marker keywords that keep the readout independent of the
    #: other options' values.
    features: tuple[str, ...]
    #: The value set at each layer, as Python (marker), flag text and ini text.
    marker: Any
    flag: str | None
    ini: str
    #: The effect each layer's value has, read from the check entry.
    read: Callable[[dict[str, Any]], Any]
    expected: dict[str, Any]
    controls: str = ""


def detail_test(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda entry: entry["details"][name]["test"]


OPTION_CASES = [
    OptionCase("correction", ("x", "y"), "holm", "bonferroni", "fdr_bh",
               lambda e: e["correction"],
               {"marker": "holm", "command line": "bonferroni", "ini": "fdr_bh",
                "default": None}),
    OptionCase("min_effect", ("x", "y"), 0.3, "0.2", "0.1", lambda e: e["min_effect"],
               {"marker": 0.3, "command line": 0.2, "ini": 0.1, "default": None}),
    OptionCase("numeric_test", ("y",), "cvm", "psi", "anderson", detail_test("y"),
               {"marker": "cvm", "command line": "psi", "ini": "anderson", "default": "ks"}),
    OptionCase("categorical_test", ("colour",), "g2", "psi", "cressie", detail_test("colour"),
               {"marker": "g2", "command line": "psi", "ini": "cressie", "default": "chi2"}),
    OptionCase("tests", ("x",), {"x": "anderson"}, "x=cvm", "x: welch", detail_test("x"),
               {"marker": "anderson", "command line": "cvm", "ini": "welch", "default": "ks"}),
    # Each PSI threshold lets a different set of q1 < q2 < q3 through.
    OptionCase("psi_threshold", ("q1", "q2", "q3"), 0.8, "0.5", "0.3",
               lambda e: e["drifted_features"],
               {"marker": [], "command line": ["q3"], "ini": ["q2", "q3"],
                "default": ["q1", "q2", "q3"]},
               controls="tests={'q1': 'psi', 'q2': 'psi', 'q3': 'psi'}, min_effect=0"),
    OptionCase("gate_missing", ("m",), True, "false", "true",
               lambda e: (e["details"]["m"]["drift_detected"],
                          e["details"]["m"]["decided_by"] == "missing"),
               {"marker": (True, True), "command line": (False, False), "ini": (True, True),
                "default": (False, False)},
               controls="tests={'m': 'ks'}"),
    OptionCase("waive", ("x",), {"x": "marker reason until 2999-12-31"}, None,
               "x: ini reason until 2999-12-31",
               lambda e: (e["details"]["x"]["waiver"], e["details"]["x"]["decided_by"]),
               {"marker": ("marker reason, until 2999-12-31", "waiver"),
                "ini": ("ini reason, until 2999-12-31", "waiver"),
                "default": (None, "p_value")},
               controls="tests={'x': 'ks'}, min_effect=0"),
]


def option_tests() -> str:
    """Per option, test_<option>_marker sets it on the marker; test_<option>_plain leaves it
    to the command line, ini or default."""
    lines = ["import pytest", ""]
    for case in OPTION_CASES:
        common = (f"{BASELINE!r}, {CANDIDATE!r}, features={list(case.features)!r}, "
                  f"threshold=100" + (f", {case.controls}" if case.controls else ""))
        lines += [
            f"@pytest.mark.drift({common}, {case.option}={case.marker!r})",
            f"def test_{case.option}_marker():",
            "    pass",
            "",
            f"@pytest.mark.drift({common})",
            f"def test_{case.option}_plain():",
            "    pass",
            "",
        ]
    return "\n".join(lines)


def flag_args() -> list[str]:
    args = []
    for case in OPTION_CASES:
        if case.flag is not None:
            args += [f"--drift-{case.option.replace('_', '-')}", case.flag]
    return args


def ini_text(kind: str) -> str:
    if kind == "pyproject.toml":
        # pyproject values as TOML: numbers and booleans typed, mappings as lists of lines.
        values = {"correction": "fdr_bh", "min_effect": 0.1, "numeric_test": "anderson",
                  "categorical_test": "cressie", "tests": ["x: welch"], "psi_threshold": 0.3,
                  "gate_missing": True, "waive": ["x: ini reason until 2999-12-31"]}
        body = [f"drift_{k} = {json.dumps(v)}" for k, v in values.items()]
        return "\n".join(["[tool.pytest.ini_options]", *body, ""])
    return "\n".join(["[pytest]", *(f"drift_{c.option} = {c.ini}" for c in OPTION_CASES), ""])


#: Session → (where the plain tests' values come from, flags given, ini file written).
SESSIONS = {
    "command line over ini": ("command line", True, "pytest.ini"),
    "ini (pytest.ini)": ("ini", False, "pytest.ini"),
    "ini (pyproject.toml)": ("ini", False, "pyproject.toml"),
    "default": ("default", False, None),
}


@pytest.mark.parametrize("session", list(SESSIONS))
def test_every_option_through_every_layer(stats_project, session: str) -> None:
    plain_layer, flags, ini_file = SESSIONS[session]
    stats_project.makepyfile(test_options=option_tests())
    if ini_file is not None:
        (stats_project.path / ini_file).write_text(ini_text(ini_file))
    result, report = run_drift(stats_project, *(flag_args() if flags else []))
    result.assert_outcomes(passed=2 * len(OPTION_CASES))
    wrong = []
    for case in OPTION_CASES:
        for kind in ("marker", "plain"):
            layer = "marker" if kind == "marker" else plain_layer
            if layer == "command line" and case.flag is None:
                layer = "ini"  # no flag for this option: the ini value is the next one
            entry = check(report, f"test_{case.option}_{kind}")
            source, effect = entry["option_sources"][case.option], case.read(entry)
            if source != layer or effect != case.expected[layer]:
                wrong.append(f"{case.option} ({kind}): source {source!r}, effect {effect!r}; "
                             f"expected {layer!r}, {case.expected[layer]!r}")
    assert not wrong, "\n".join(wrong)


def test_waive_has_no_flag(stats_project) -> None:
    stats_project.makepyfile(test_any=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r})
        def test_check():
            pass
    """)
    result, report = run_drift(stats_project, "--drift-waive", "x: r until 2999-12-31")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unrecognized arguments: --drift-waive*"])
    assert report is None


# -- bad values -------------------------------------------------------------------------------

#: option → (the marker's value, the value the message shows, what it says is allowed)
MARKER_ERRORS = {
    "correction": ("'bogus'", "'bogus'", "must be one of none, bonferroni, holm, fdr_bh"),
    "min_effect": ("1.5", "1.5", "must be a KS statistic or Cramér's V between 0 and 1*"),
    "numeric_test": ("'nope'", "'nope'",
                     "unknown test; known tests: anderson, chi2, cressie, cvm, g2, ks, psi, "
                     "welch"),
    "categorical_test": ("'cvm'", "'cvm'",
                         "cvm does not test categorical features ('colour')*"),
    # The test name is the bad value: the message shows it, not the whole mapping.
    "tests": ("{'x': 'kolmogorov'}", "'kolmogorov'",
              "unknown test; known tests: anderson, chi2, *"),
    "psi_threshold": ("0", "0", "must be a positive PSI*"),
    "gate_missing": ("'maybe'", "'maybe'", "must be true or false"),
    "waive": ("{'x': 'until further notice'}", "{'x': 'until further notice'}",
              "waiver of 'x' must read 'reason until YYYY-MM-DD'*"),
}


def test_bad_marker_values_error_their_test(stats_project) -> None:
    functions = []
    for option, (value, _, _) in MARKER_ERRORS.items():
        functions.append(f"""
@pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, {option}={value})
def test_bad_{option}():
    pass
""")
    stats_project.makepyfile(test_bad="import pytest\n" + "".join(functions))
    result, report = run_drift(stats_project)
    result.assert_outcomes(errors=len(MARKER_ERRORS))
    for option, (_, shown, allowed) in MARKER_ERRORS.items():
        message = (f"{option}={shown} (from marker keyword {option} on "
                   f"test_bad.py::test_bad_{option}): {allowed}")
        result.stdout.fnmatch_lines([f"*ERROR at setup of test_bad_{option}*",
                                     f"*{literal(message)}*".replace("[*]", "*")])
        entry = check(report, f"test_bad_{option}")
        assert entry["status"] == "ERROR"
        assert entry["error"].startswith(f"{option}={shown} (from marker keyword {option}")


FLAG_ERRORS = [
    ("correction", "bogus", "must be one of none, bonferroni, holm, fdr_bh"),
    ("min_effect", "-0.1", "must be a KS statistic or Cramér's V between 0 and 1*"),
    ("numeric_test", "", "must be the name of a test*"),
    ("categorical_test", " ", "must be the name of a test*"),
    ("tests", "x", "write each item as feature=value or feature: value, got 'x'"),
    ("psi_threshold", "-1", "must be a positive PSI*"),
    ("gate_missing", "maybe", "must be true or false"),
]


@pytest.mark.parametrize(("option", "value", "allowed"), FLAG_ERRORS,
                         ids=[f[0] for f in FLAG_ERRORS])
def test_bad_flag_is_a_usage_error(stats_project, option: str, value: str, allowed: str
                                   ) -> None:
    stats_project.makepyfile(test_any=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r})
        def test_check():
            pass
    """)
    flag = f"--drift-{option.replace('_', '-')}"
    result, report = run_drift(stats_project, flag, value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        f"ERROR: pytest-datadrift: {option}={value!r} (from command line {flag}): {allowed}"])
    assert report is None


INI_ERRORS = [
    ("correction", "bogus", "'bogus'", "must be one of none, bonferroni, holm, fdr_bh"),
    ("min_effect", "2", "'2'", "must be a KS statistic or Cramér's V between 0 and 1*"),
    ("tests", "x cvm", "'x cvm'", "write each item as feature=value or feature: value*"),
    ("psi_threshold", "0", "'0'", "must be a positive PSI*"),
    ("gate_missing", "sometimes", "'sometimes'", "must be true or false"),
    ("waive", "x: for ever", "'x: for ever'",
     "waiver of 'x' must read 'reason until YYYY-MM-DD'*"),
]


@pytest.mark.parametrize(("option", "text", "shown", "allowed"), INI_ERRORS,
                         ids=[e[0] for e in INI_ERRORS])
def test_bad_ini_value_is_a_usage_error(stats_project, option: str, text: str, shown: str,
                                        allowed: str) -> None:
    (stats_project.path / "pytest.ini").write_text(f"[pytest]\ndrift_{option} = {text}\n")
    stats_project.makepyfile(test_any=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r})
        def test_check():
            pass
    """)
    result, report = run_drift(stats_project)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        f"ERROR: pytest-datadrift: {option}={shown} (from ini key drift_{option} in "
        f"*pytest.ini): {allowed}"])
    assert report is None


@pytest.mark.parametrize(("args", "ini", "origin"), [
    (("--drift-numeric-test", "nope"), None, "command line --drift-numeric-test"),
    ((), "drift_numeric_test = nope", "ini key drift_numeric_test in *pytest.ini"),
], ids=["flag", "ini"])
def test_unknown_test_name_from_a_session_value_names_its_source(stats_project, args, ini,
                                                                 origin) -> None:
    if ini is not None:
        (stats_project.path / "pytest.ini").write_text(f"[pytest]\n{ini}\n")
    stats_project.makepyfile(test_any=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["y"])
        def test_check():
            pass
    """)
    result, report = run_drift(stats_project, *args)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        f"*numeric_test='nope' (from {origin}): unknown test; known tests: anderson, chi2, "
        "cressie, cvm, g2, ks, psi, welch*"])
    assert check(report, "test_check")["status"] == "ERROR"


# -- the command line -------------------------------------------------------------------------

def write_frames(folder: Path, frames: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[Path, Path]:
    baseline, candidate = frames
    paths = folder / "baseline.csv", folder / "candidate.csv"
    baseline.to_csv(paths[0], index=False)
    candidate.to_csv(paths[1], index=False)
    return paths


NEW_FLAGS = ["--correction", "holm", "--min-effect", "0.05", "--drift-numeric-test", "cvm",
             "--categorical_test", "psi", "--tests", "x=anderson,q2=psi",
             "--psi-threshold", "0.3", "--drift-gate-missing", "true"]


def test_command_line_takes_every_new_option(tmp_path: Path, frames) -> None:
    baseline, candidate = write_frames(tmp_path, frames)
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pytest_drift", "--mode", "batch", "--train_data",
         str(baseline), "--prod_data", str(candidate), "--output", str(out),
         "--drift-threshold", "100", *NEW_FLAGS],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    entry = validated_entry(json.loads(out.read_text()))
    sources = entry["option_sources"]
    assert {o: sources[o] for o in ("correction", "min_effect", "numeric_test",
                                    "categorical_test", "tests", "psi_threshold",
                                    "gate_missing")} == dict.fromkeys(
        ("correction", "min_effect", "numeric_test", "categorical_test", "tests",
         "psi_threshold", "gate_missing"), "command line")
    assert sources["waive"] == "default"
    details = entry["details"]
    assert entry["correction"] == "holm"
    assert entry["min_effect"] == 0.05
    assert {n: details[n]["test"] for n in ("x", "y", "m", "colour", "q1", "q2")} == {
        "x": "anderson", "y": "cvm", "m": "cvm", "colour": "psi", "q1": "cvm", "q2": "psi"}
    # psi_threshold 0.3: q2's PSI (0.3 < psi < 0.5) is drift by it.
    assert details["q2"]["decided_by"] == "psi_threshold"
    assert details["q2"]["drift_detected"] is True
    # gate_missing: m's values did not move, its missing share did.
    assert details["m"]["decided_by"] == "missing"
    assert close(details["m"]["missing_p_value"], two_proportion_p(0, ROWS, 80, ROWS))


@pytest.mark.parametrize("spelling", ["--correction", "--drift-correction"])
def test_command_line_correction_spellings(tmp_path: Path, frames, spelling: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    baseline, candidate = write_frames(tmp_path, frames)
    out = tmp_path / "report.json"
    status = cli_main(["--train_data", str(baseline), "--prod_data", str(candidate),
                       "--output", str(out), "--features", "x,y", "--threshold", "100",
                       spelling, "bonferroni"])
    assert status == 0, capsys.readouterr().err
    entry = validated_entry(json.loads(out.read_text()))
    assert entry["correction"] == "bonferroni"
    assert entry["option_sources"]["correction"] == "command line"
    p = [entry["details"][n]["p_value"] for n in ("x", "y")]
    assert [entry["details"][n]["adjusted_p_value"] for n in ("x", "y")] == pytest.approx(
        [min(1.0, 2 * v) for v in p], rel=1e-12)


@pytest.mark.parametrize(("args", "option", "allowed"), [
    (("--correction", "bogus"), "correction", "must be one of none, bonferroni, holm, fdr_bh"),
    (("--min-effect", "7"), "min_effect", "must be a KS statistic"),
    (("--psi-threshold", "0"), "psi_threshold", "must be a positive PSI"),
    (("--gate-missing", "perhaps"), "gate_missing", "must be true or false"),
    (("--tests", "x"), "tests", "write each item as feature=value"),
    (("--tests", "x=nope"), "tests", "unknown test; known tests: anderson, chi2, cvm, ks, psi"),
    (("--numeric-test", "chi2"), "numeric_test", "chi2 does not test numeric features"),
    (("--categorical-test", "nope"), "categorical_test", "unknown test; known tests:"),
], ids=["correction", "min_effect", "psi_threshold", "gate_missing", "tests", "tests name",
        "numeric_test", "categorical_test"])
def test_command_line_bad_values_are_usage_errors(tmp_path: Path, frames, args, option,
                                                  allowed, capsys) -> None:
    baseline, candidate = write_frames(tmp_path, frames)
    status = cli_main(["--train_data", str(baseline), "--prod_data", str(candidate),
                       "--output", "", *args])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(f"datadrift: error: {option}="), err
    assert "(from command line --" in err
    assert allowed in err
    assert "Traceback" not in err


def test_command_line_has_no_waive(tmp_path: Path, frames, capsys) -> None:
    baseline, candidate = write_frames(tmp_path, frames)
    with pytest.raises(SystemExit) as raised:
        cli_main(["--train_data", str(baseline), "--prod_data", str(candidate),
                  "--waive", "x: r until 2999-12-31"])
    assert raised.value.code == 2
    assert "unrecognized arguments: --waive" in capsys.readouterr().err


# -- a test registered by a conftest ----------------------------------------------------------

def test_registered_test_is_usable_from_a_marker(stats_project, frames) -> None:
    stats_project.makepyfile(test_hook=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["x", "y", "colour"],
                           tests={{"x": "welch"}}, categorical_test="g2", threshold=100)
        def test_custom(drift_report):
            assert drift_report.details["x"].test == "welch"
    """)
    result, report = run_drift(stats_project)
    result.assert_outcomes(passed=1)
    entry = check(report, "test_custom")
    baseline, candidate = frames
    welch = stats.ttest_ind(baseline["x"], candidate["x"], equal_var=False)
    x = entry["details"]["x"]
    assert close(x["statistic"], float(welch.statistic))
    assert close(x["p_value"], float(welch.pvalue))
    counts = pd.concat([baseline["colour"].value_counts(), candidate["colour"].value_counts()],
                       axis=1).fillna(0).sort_index().to_numpy().T
    g2 = stats.chi2_contingency(counts, lambda_="log-likelihood")
    colour = entry["details"]["colour"]
    assert colour["test"] == "g2"
    assert close(colour["statistic"], float(g2.statistic))
    assert close(colour["p_value"], float(g2.pvalue))
    assert entry["details"]["y"]["test"] == "ks"


# -- waivers in a pytest run ------------------------------------------------------------------

def test_waived_feature_in_a_pytest_run(stats_project) -> None:
    stats_project.makepyfile(test_waive=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["x", "y"], threshold=0,
                           waive={{"x": "new pricing, reviewed by data team until 2999-12-31"}})
        def test_waived(drift_report):
            assert drift_report.waived_features == {{
                "x": "new pricing, reviewed by data team, until 2999-12-31"}}
    """)
    result, report = run_drift(stats_project)
    result.assert_outcomes(passed=1)
    entry = check(report, "test_waived")
    x = entry["details"]["x"]
    assert x["p_value"] < 0.05
    assert x["drift_detected"] is False
    assert x["decided_by"] == "waiver"
    assert entry["drifted_features"] == []
    assert entry["waived_features"] == {
        "x": "new pricing, reviewed by data team, until 2999-12-31"}
    assert entry["status"] == "NORMAL"
    assert entry["option_sources"]["waive"] == "marker"
    section = drift_section(result.stdout.str())
    assert "waived x: new pricing, reviewed by data team, until 2999-12-31" in section


def test_expired_and_undated_waivers_error_their_test(stats_project) -> None:
    stats_project.makepyfile(test_waive=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["x", "y"],
                           waive={{"x": "launch week until 2000-01-31"}})
        def test_expired():
            pass

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["x", "y"],
                           waive={{"x": "launch week"}})
        def test_undated():
            pass
    """)
    result, report = run_drift(stats_project)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_expired*",
        "*the waiver of 'x' (launch week) expired on 2000-01-31*",
        "*ERROR at setup of test_undated*",
        "*waive={'x': 'launch week'} (from marker keyword waive on test_waive.py::test_undated)"
        ": waiver of 'x' must read 'reason until YYYY-MM-DD'*",
    ])
    expired = check(report, "test_expired")
    assert expired["status"] == "ERROR"
    assert "'x'" in expired["error"]
    assert "2000-01-31" in expired["error"]
    assert check(report, "test_undated")["status"] == "ERROR"


CLOCK_CONFTEST = '''
import datetime

import pytest


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("pytest_drift.waivers.today", lambda: datetime.date(2030, 6, 1))
'''


def test_waivers_follow_a_patched_clock(stats_project) -> None:
    """The clock is ``pytest_drift.waivers.today``: a conftest that patches it decides what
    "today" is for every check (here 2030-06-01, so a waiver until 2030-05-31 has expired
    and one until 2030-06-01 holds through its last day)."""
    stats_project.makeconftest(CONFTEST + CLOCK_CONFTEST)
    stats_project.makepyfile(test_clock=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["x", "y"], threshold=0,
                           waive={{"x": "promo until 2030-05-31"}})
        def test_expired_yesterday():
            pass

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["x", "y"], threshold=0,
                           waive={{"x": "promo until 2030-06-01"}})
        def test_last_day():
            pass
    """)
    result, report = run_drift(stats_project)
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("errors")) == (1, 1), result.stdout.str()
    expired = check(report, "test_expired_yesterday")
    assert expired["status"] == "ERROR"
    assert "'x' (promo) expired on 2030-05-31" in expired["error"]
    last_day = check(report, "test_last_day")
    assert last_day["details"]["x"]["decided_by"] == "waiver"


def test_ini_waiver_keeps_a_reason_with_a_comma(stats_project) -> None:
    """One waiver per ini line, as the option's help says: a comma is part of the reason."""
    (stats_project.path / "pytest.ini").write_text(
        "[pytest]\ndrift_waive = x: new pricing, approved by finance until 2999-12-31\n")
    stats_project.makepyfile(test_waive=f"""
        import pytest

        @pytest.mark.drift({BASELINE!r}, {CANDIDATE!r}, features=["x", "y"], threshold=0)
        def test_waived():
            pass
    """)
    result, report = run_drift(stats_project)
    assert result.ret == pytest.ExitCode.OK, result.stderr.str()
    entry = check(report, "test_waived")
    assert entry["waived_features"] == {
        "x": "new pricing, approved by finance, until 2999-12-31"}
    assert entry["option_sources"]["waive"] == "ini"
