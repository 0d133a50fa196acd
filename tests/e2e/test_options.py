"""Options: marker keyword > --drift-<name> flag > drift_<name> ini key > default, and the
usage errors of bad values, each naming the option, the value and where it came from."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pytest_drift.options import OPTIONS, resolve_check
from tests.e2e.runner import CARS, STABLE, check, literal, run_drift

LOG = ("data/log/baseline.csv", "data/log/candidate.jsonl")
INI_FILES = {
    "pytest.ini": "[pytest]",
    "pyproject.toml": "[tool.pytest.ini_options]",
    "tox.ini": "[pytest]",
    "setup.cfg": "[tool:pytest]",
}
#: How each scenario sets the option: which layers hold the winning value and which hold a
#: losing one. Every layer below the winner holds a different value, so the winner shows.
SCENARIOS = {
    "marker": ("marker", "pytest.ini"),
    "command line": ("command line", "pytest.ini"),
    "ini pytest.ini": ("ini", "pytest.ini"),
    "ini pyproject.toml": ("ini", "pyproject.toml"),
    "ini tox.ini": ("ini", "tox.ini"),
    "ini setup.cfg": ("ini", "setup.cfg"),
    "default": ("default", "pytest.ini"),
}
LAYERS = ("marker", "command line", "ini")


def features_tested(entry: dict[str, Any]) -> list[str]:
    return list(entry["details"])


@dataclass(frozen=True)
class Case:
    option: str
    winner: Any
    loser: Any
    #: Reads the option's effect from a check entry of the report.
    effect: Callable[[dict[str, Any]], Any]
    expected: Any
    default: Any
    datasets: tuple[str, str] = STABLE


CASES = [
    Case("baseline", STABLE[0], "data/decoy/baseline.csv", lambda e: e["baseline"],
         STABLE[0], None),
    Case("candidate", STABLE[1], "data/decoy/candidate.csv", lambda e: e["candidate"],
         STABLE[1], None),
    Case("features", ("x", "colour"), ("y",), features_tested, ["x", "colour"],
         ["x", "y", "colour", "rooms"]),
    Case("categorical", ("rooms",), ("x",),
         lambda e: sorted(n for n, d in e["details"].items() if d["test"] == "chi2"),
         ["colour", "rooms"], ["colour"]),
    Case("exclude", ("x", "rooms"), ("y",), features_tested, ["y", "colour"],
         ["x", "y", "colour", "rooms"]),
    Case("alpha", 0.01, 0.2, lambda e: e["alpha"], 0.01, 0.05),
    # 0 is a value like any other: a resolver that tests truthiness would drop it.
    Case("threshold", 0, 45, lambda e: e["threshold"], 0.0, 20.0),
    Case("mode", "warn", "fail", lambda e: e["mode"], "warn", "fail"),
    Case("features_key", "inputs", "decoy", features_tested, ["from_inputs"], ["from_features"],
         datasets=LOG),
]


def flag_text(value: Any) -> str:
    return ",".join(value) if isinstance(value, tuple) else str(value)


def ini_line(name: str, value: Any, ini_file: str) -> str:
    key = f"drift_{name}"
    if ini_file == "pyproject.toml":
        literal = json.dumps(list(value) if isinstance(value, tuple) else value)
        return f"{key} = {literal}"
    # Lists of names are whitespace-separated in ini files, as pytest's "args" values are.
    return f"{key} = {' '.join(value) if isinstance(value, tuple) else value}"


def write_log_pair(project: pytest.Pytester, stable_pair: tuple[Any, Any]) -> None:
    """A CSV baseline and a JSON Lines API log whose inputs sit under three keys, each key
    holding a differently named column, so the report shows which key was read."""
    baseline, candidate = stable_pair
    folder = project.path / "data" / "log"
    folder.mkdir()
    columns = {f"from_{key}": baseline["x"] for key in ("features", "inputs", "decoy")}
    baseline.assign(**columns)[list(columns)].to_csv(folder / "baseline.csv", index=False)
    with (folder / "candidate.jsonl").open("w") as stream:
        for value in candidate["x"]:
            line = {key: {f"from_{key}": value} for key in ("features", "inputs", "decoy")}
            stream.write(json.dumps({"timestamp": "2026-01-01T00:00:00Z", **line}) + "\n")


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.option)
def test_precedence(project, stable_pair, case, scenario):
    source, ini_file = SCENARIOS[scenario]
    if case.option == "features_key":
        write_log_pair(project, stable_pair)
    winner_at = LAYERS.index(source) if source in LAYERS else len(LAYERS)
    values = {layer: case.winner if i == winner_at else case.loser
              for i, layer in enumerate(LAYERS) if i >= winner_at}

    marker = {"baseline": case.datasets[0], "candidate": case.datasets[1]}
    marker.pop(case.option, None)
    if "marker" in values:
        marker[case.option] = values["marker"]
    arguments = ", ".join(f"{key}={value!r}" for key, value in marker.items())
    project.makepyfile(test_option=f"""
        import pytest

        @pytest.mark.drift({arguments})
        def test_check():
            pass
    """)
    ini_lines = [ini_line(case.option, values["ini"], ini_file)] if "ini" in values else []
    (project.path / ini_file).write_text("\n".join([INI_FILES[ini_file], *ini_lines, ""]))
    args = [f"--drift-{case.option.replace('_', '-')}", flag_text(values["command line"])
            ] if "command line" in values else []

    result, report = run_drift(project, *args)
    entry = check(report, "test_check")
    assert entry["option_sources"][case.option] == source
    if source == "default" and case.default is None:
        # baseline and candidate have no default: the check cannot run.
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines([f"*a {case.option} dataset is required*"])
        assert entry["status"] == "ERROR"
        return
    result.assert_outcomes(passed=1)
    expected = case.default if source == "default" else case.expected
    assert case.effect(entry) == expected


def test_ini_lists_accept_commas(project):
    project.makeini("[pytest]\ndrift_features = x,colour\ndrift_exclude = colour, rooms\n")
    project.makepyfile(test_lists=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_check():
            pass
    """)
    result, report = run_drift(project, "--drift-categorical", "rooms,colour")
    result.assert_outcomes(passed=1)
    entry = check(report, "test_check")
    assert list(entry["details"]) == ["x"]


@pytest.mark.parametrize(("args", "ini", "message"), [
    (("--drift-alpha", "1.5"), None,
     "alpha='1.5' (from command line --drift-alpha): must be a number between 0 and 1*"),
    (("--drift-threshold", "-1"), None,
     "threshold='-1' (from command line --drift-threshold): must be a percentage between 0 "
     "and 100*"),
    (("--drift-mode", "loud"), None,
     "mode='loud' (from command line --drift-mode): must be one of fail, warn"),
    ((), ("pytest.ini", "[pytest]\ndrift_threshold = 150\n"),
     "threshold='150' (from ini key drift_threshold in */pytest.ini): must be a percentage "
     "between 0 and 100*"),
    ((), ("pyproject.toml", "[tool.pytest.ini_options]\ndrift_alpha = 0\n"),
     "alpha='0' (from ini key drift_alpha in */pyproject.toml): must be a number between 0 "
     "and 1*"),
    ((), ("pytest.ini", "[pytest]\ndrift_features_key = request..inputs\n"),
     "features_key='request..inputs' (from ini key drift_features_key in */pytest.ini): *"),
], ids=["flag alpha", "flag threshold", "flag mode", "ini threshold", "pyproject alpha",
        "ini features_key"])
def test_bad_session_value_is_a_usage_error(project, args, ini, message):
    if ini is not None:
        (project.path / ini[0]).write_text(ini[1])
    project.makepyfile(test_any=f"""
        import pytest

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_check():
            pass
    """)
    result, report = run_drift(project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: pytest-datadrift: {message}"])
    result.stdout.no_fnmatch_line("*collected*")
    assert report is None


MARKER_ERRORS = f"""
    import pytest

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, alpha=2)
    def test_bad_alpha():
        pass

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, treshold=10)
    def test_typo():
        pass

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, {CARS[1]!r})
    def test_three_datasets():
        pass

    @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
    def test_good():
        pass
"""


def test_bad_marker_errors_that_test_only(project):
    project.makepyfile(test_marker=MARKER_ERRORS)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, errors=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_bad_alpha*",
        "*alpha=2 (from marker keyword alpha on test_marker.py::test_bad_alpha): must be a "
        "number between 0 and 1*",
        "*ERROR at setup of test_typo*",
        "*treshold=10 (from marker on test_marker.py::test_typo): unknown option; known "
        "options are: baseline, candidate, *threshold*",
        "*ERROR at setup of test_three_datasets*",
        "*takes at most two positional arguments: baseline and candidate*",
    ])
    assert check(report, "test_good")["status"] == "NORMAL"


def test_bad_marker_is_in_the_report_as_an_error(project):
    """A check that could not start is a check that errored: the CI artifact must say so,
    or a red build comes with a report whose status is NORMAL."""
    project.makepyfile(test_marker=MARKER_ERRORS)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, errors=3)
    statuses = {c["nodeid"]: c["status"] for c in report["checks"]}
    assert statuses == {
        "test_marker.py::test_bad_alpha": "ERROR",
        "test_marker.py::test_typo": "ERROR",
        "test_marker.py::test_three_datasets": "ERROR",
        "test_marker.py::test_good": "NORMAL",
    }
    assert report["status"] == "ERROR"
    assert "treshold" in check(report, "test_typo")["error"]


@pytest.mark.parametrize(("marker", "args", "origin"), [
    ("features=['Miles_per_galon', 'Origin']", (),
     "features=['Miles_per_galon', 'Origin'] (from marker keyword features on "
     "test_names.py::test_cars)"),
    ("", ("--drift-features", "Cylinders,Orgin"),
     "features=['Cylinders', 'Orgin'] (from command line --drift-features)"),
], ids=["marker features", "flag features"])
def test_unknown_feature_lists_the_columns(project, marker, args, origin):
    project.makepyfile(test_names=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, {marker})
        def test_cars():
            pass

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r}, features=["x", "y"])
        def test_other_check_still_runs():
            pass
    """)
    result, report = run_drift(project, *args)
    result.assert_outcomes(passed=1, errors=1)
    columns = ("Miles_per_Gallon, Cylinders, Displacement, Horsepower, Weight_in_lbs, "
               "Acceleration, Origin")
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_cars*",
        f"*{literal(origin)}: unknown feature '*' (did you mean '*'?); the datasets (baseline"
        f" 'data/cars_model_years/baseline.csv' and candidate "
        f"'data/cars_model_years/candidate.csv') have columns: {columns}",
    ])
    entry = check(report, "test_cars")
    assert entry["status"] == "ERROR"
    assert columns in entry["error"]
    assert check(report, "test_other_check_still_runs")["status"] == "NORMAL"


def test_markers_lists_every_marker_keyword_with_its_default(pytester):
    """``pytest --markers`` shows the drift marker's every keyword with the default a check
    gets, as Python would write it, and then one sentence of what it does."""
    result = pytester.runpytest("--markers")
    assert result.ret == pytest.ExitCode.OK
    line = next(text for text in result.stdout.lines if text.startswith("@pytest.mark.drift("))
    signature, sentence = line.removeprefix("@pytest.mark.").split(": ", 1)
    arguments = ast.parse(f"def {signature}: pass").body[0].args
    assert [a.arg for a in arguments.args] == ["baseline", "candidate"]
    shown = {a.arg: ast.literal_eval(d) for a, d in zip(arguments.args, arguments.defaults,
                                                       strict=True)}
    shown.update({a.arg: ast.literal_eval(d) for a, d in zip(arguments.kwonlyargs,
                                                           arguments.kw_defaults, strict=True)})
    assert list(shown) == [o.name for o in OPTIONS if "marker" in o.where]
    defaults = resolve_check([])
    for name, value in shown.items():
        assert value == getattr(defaults, name), name
    assert "html" not in shown  # a session output, not a marker keyword
    assert re.fullmatch(r"test the candidate dataset against the baseline [^.:]+", sentence)


def written(value: Any) -> str:
    """A default as it is written on a command line or in an ini file."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Where the next flag or ini key of ``pytest --help`` starts.
NEXT_ENTRY = re.compile(r" --drift-| drift_\w+ \(\w+\):")


def test_help_states_each_default(pytester):
    """The help of each flag and ini key states the default the resolver applies."""
    result = pytester.runpytest("--help")
    assert result.ret == pytest.ExitCode.OK
    text = " ".join(result.stdout.str().split())
    checked = 0
    for option in OPTIONS:
        if option.default in (None, ()):
            continue
        statement = f"(default {written(option.default)})"
        places = [f"{option.flag}={option.metavar} ", f"{option.ini} ({option.ini_type}): "]
        for place in places:
            assert place in text, place
            help_text = NEXT_ENTRY.split(text.split(place, 1)[1], 1)[0]
            assert statement in help_text, (place, help_text)
            checked += 1
    assert checked >= 20
