"""Option precedence, parsing and validation: ``resolve_check`` / ``resolve_session``."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from pytest_drift import option_values, options
from pytest_drift.errors import DriftUsageError
from pytest_drift.loaders import paths
from pytest_drift.options import (
    OPTIONS,
    OPTIONS_BY_NAME,
    CheckOptions,
    Layer,
    SessionOptions,
    resolve_check,
    resolve_session,
)
from pytest_drift.stats import corrections

#: Options a check has (session outputs such as html are not among them).
CHECK_OPTIONS = [o for o in OPTIONS if not (o.session_scoped and "marker" not in o.where)]

INI = "/x/pytest.ini"


def marker(**values: object) -> Layer:
    return Layer("marker", values)


def cli(**values: object) -> Layer:
    return Layer("command line", values)


def ini(**values: object) -> Layer:
    return Layer("ini", values, location=INI)


# --- precedence ------------------------------------------------------------------------


def test_first_layer_wins_later_layers_fill_gaps_default_otherwise() -> None:
    options = resolve_check([
        marker(alpha=0.01, baseline="m.csv"),
        cli(alpha="0.02", threshold="30", baseline="c.csv"),
        ini(alpha="0.03", threshold="40", mode="warn", exclude="id, ts"),
    ])
    assert options.alpha == 0.01
    assert options.baseline == "m.csv"
    assert options.threshold == 30.0
    assert options.mode == "warn"
    assert options.exclude == ("id", "ts")
    assert options.candidate is None
    assert options.features is None
    assert options.features_key == "features"
    assert options.sources["alpha"] == "marker"
    assert options.sources["baseline"] == "marker"
    assert options.sources["threshold"] == "command line"
    assert options.sources["mode"] == "ini"
    assert options.sources["exclude"] == "ini"
    assert options.sources["candidate"] == "default"
    assert options.sources["features"] == "default"
    assert options.origins["threshold"] == "command line --drift-threshold"
    assert options.origins["mode"] == f"ini key drift_mode in {INI}"
    assert options.origins["alpha"] == "marker keyword alpha"


def test_defaults_when_no_layer_has_a_value() -> None:
    options = resolve_check([marker(), cli(), ini()])
    for option in CHECK_OPTIONS:
        assert options.sources[option.name] == "default", option.name
    assert options.alpha == 0.05
    assert options.threshold == 20.0
    assert options.mode == "fail"
    assert options.exclude == ()
    assert options.features is None
    assert options.categorical is None
    assert options.report is None  # a check writes no file of its own by default


def test_every_option_has_a_recorded_source() -> None:
    layers = [marker(alpha=0.2), cli(threshold=5), ini(mode="warn")]
    options = resolve_check(layers)
    assert set(options.sources) == {option.name for option in CHECK_OPTIONS}
    assert set(options.origins) == {option.name for option in CHECK_OPTIONS}
    assert options.sources == {
        **{option.name: "default" for option in CHECK_OPTIONS},
        "alpha": "marker", "threshold": "command line", "mode": "ini",
    }


@pytest.mark.parametrize("kind", ["marker", "argument", "drift_check", "command line", "ini"])
def test_each_layer_kind_is_recorded(kind: str) -> None:
    options = resolve_check([Layer(kind, {"alpha": "0.1"})])  # type: ignore[arg-type]
    assert options.alpha == 0.1
    assert options.sources["alpha"] == kind


def test_none_is_no_value() -> None:
    options = resolve_check([marker(alpha=None), cli(alpha="0.2")])
    assert options.alpha == 0.2
    assert options.sources["alpha"] == "command line"


def test_marker_beats_ini_for_numbers() -> None:
    options = resolve_check([marker(threshold=10), ini(threshold="30")])
    assert options.threshold == 10.0


def test_report_is_session_scoped() -> None:
    # flag and ini name the session report; they are not a check's own report file
    options = resolve_check([cli(report="cli.json"), ini(report="ini.json")])
    assert options.report is None
    assert options.sources["report"] == "default"
    options = resolve_check([marker(report="mine.json"), cli(report="cli.json")])
    assert options.report == "mine.json"
    assert options.sources["report"] == "marker"


def test_resolve_session_precedence() -> None:
    session = resolve_session([cli(report="cli.json"), ini(report="ini.json")])
    assert session.report == "cli.json"
    assert session.sources["report"] == "command line"
    session = resolve_session([cli(), ini(report="ini.json")])
    assert session.report == "ini.json"
    assert session.sources["report"] == "ini"
    session = resolve_session([cli(), ini()])
    assert session.report == "drift_report.json"
    assert session.sources["report"] == "default"


@pytest.mark.parametrize("empty", ["", "  "])
def test_empty_report_disables_it(empty: str) -> None:
    session = resolve_session([cli(report=empty), ini(report="ini.json")])
    assert session.report is None
    assert session.sources["report"] == "command line"


# --- the table is the one place of each default ------------------------------------


def test_the_module_has_the_same_check_options() -> None:
    assert list(options.CHECK_OPTIONS) == CHECK_OPTIONS


def test_check_and_session_options_have_a_field_per_option_of_the_table() -> None:
    extra = ["sources", "origins"]
    assert [f.name for f in fields(CheckOptions)] == [o.name for o in CHECK_OPTIONS] + extra
    assert [f.name for f in fields(SessionOptions)] == [
        o.name for o in OPTIONS if o.session_scoped] + extra


@pytest.mark.parametrize("option", OPTIONS, ids=lambda option: option.name)
def test_each_default_is_a_value_its_option_accepts(option: options.Option) -> None:
    for default in (option.default, option.check_default):
        if default is not None:
            parsed = option.parse(default)
            assert parsed == default
            assert type(parsed) is type(default)


def test_unset_options_get_the_tables_defaults() -> None:
    resolved = resolve_check([])
    for option in CHECK_OPTIONS:
        assert getattr(resolved, option.name) == option.check_value, option.name
    assert resolve_session([]).report == OPTIONS_BY_NAME["report"].default


@pytest.mark.parametrize("option", OPTIONS, ids=lambda option: option.name)
def test_help_states_the_default_from_the_value(option: options.Option) -> None:
    """The default in the help is written from the table's value, never by hand."""
    assert "default" not in option.help
    assert option.help_text.count("(default") <= 1


def test_corrections_are_listed_once() -> None:
    assert corrections.CORRECTIONS is option_values.CORRECTIONS
    for method in option_values.CORRECTIONS:
        assert resolve_check([marker(correction=method)]).correction == method
        assert len(corrections.adjust([0.01, 0.5], method)) == 2


def test_formats_are_listed_once() -> None:
    assert paths.FORMATS is option_values.FORMAT_NAMES
    assert set(paths.FORMAT_SUFFIXES.values()) == set(option_values.FORMAT_NAMES)
    for alias in ("arrow", "ipc", "ndjson", "pq"):  # a format named as its file suffix
        fmt = paths.FORMAT_SUFFIXES["." + alias]
        assert resolve_check([marker(format=alias)]).format == {"baseline": fmt,
                                                                "candidate": fmt}


# --- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("a", ("a",)),
        ("a,b", ("a", "b")),
        (" a , b ,c ", ("a", "b", "c")),
        ("a,,b,", ("a", "b")),
        ("a,b,a", ("a", "b")),
        (["a", "b"], ("a", "b")),
        (("x",), ("x",)),
        (["a,b"], ("a,b",)),  # list items are taken verbatim
    ],
)
@pytest.mark.parametrize("option", ["features", "categorical", "exclude"])
def test_names_are_parsed(option: str, raw: object, names: tuple[str, ...]) -> None:
    for layer in (Layer("command line", {option: raw}),
                  Layer("ini", {option: raw}, location=INI),
                  Layer("marker", {option: raw})):
        assert getattr(resolve_check([layer]), option) == names


@pytest.mark.parametrize(
    ("option", "raw", "value"),
    [
        ("alpha", "0.05", 0.05),
        ("alpha", " 0.01 ", 0.01),
        ("alpha", 0.1, 0.1),
        ("alpha", "1e-3", 0.001),
        ("threshold", "20", 20.0),
        ("threshold", "20%", 20.0),
        ("threshold", "12.5", 12.5),
        ("threshold", 0, 0.0),
        ("threshold", 100, 100.0),
        ("threshold", "0", 0.0),
        ("threshold", "100%", 100.0),
        ("mode", "warn", "warn"),
        ("mode", " WARN ", "warn"),
        ("mode", "Fail", "fail"),
        ("features_key", "request.inputs", "request.inputs"),
        ("features_key", "inputs", "inputs"),
    ],
)
def test_values_are_parsed(option: str, raw: object, value: object) -> None:
    for layer in (cli(**{option: raw}), ini(**{option: raw}), marker(**{option: raw})):
        got = getattr(resolve_check([layer]), option)
        assert got == value
        assert type(got) is type(value)


def test_path_like_sources_become_strings() -> None:
    options = resolve_check([marker(baseline=Path("data/train.csv"), candidate="p.csv")])
    assert options.baseline == str(Path("data/train.csv"))
    assert options.candidate == "p.csv"


def test_dataframe_sources_pass_through() -> None:
    frame = pd.DataFrame({"x": [1, 2]})
    options = resolve_check([Layer("argument", {"baseline": frame, "candidate": frame})])
    assert options.baseline is frame


# --- invalid values --------------------------------------------------------------------

INVALID = [
    ("alpha", 0),
    ("alpha", 1),
    ("alpha", -1),
    ("alpha", "abc"),
    ("alpha", float("nan")),
    ("alpha", "nan"),
    ("alpha", math.inf),
    ("alpha", True),
    ("alpha", "0"),
    ("alpha", "1"),
    ("alpha", [0.05]),
    ("threshold", -1),
    ("threshold", 101),
    ("threshold", "-1"),
    ("threshold", "101%"),
    ("threshold", "abc"),
    ("threshold", float("nan")),
    ("threshold", False),
    ("mode", "bogus"),
    ("mode", 1),
    ("features", 3),
    ("features", [1.5, None]),
    ("categorical", 3),
    ("exclude", {"a": 1}),
    ("features_key", "a..b"),
    ("features_key", ".a"),
    ("features_key", "a."),
    ("features_key", ""),
    ("baseline", 3),
    ("baseline", ""),
    ("candidate", ["a.csv"]),
]

LAYERS = [
    (Layer("command line", {}), "command line --drift-{dashed}"),
    (Layer("ini", {}, location=INI), "ini key drift_{name} in " + INI),
    (Layer("marker", {}), "marker keyword {name}"),
    (Layer("argument", {}), "argument {name}"),
    (Layer("drift_check", {}), "drift_check({name}=...)"),
]


@pytest.mark.parametrize(("option", "value"), INVALID, ids=[f"{o}={v!r}" for o, v in INVALID])
@pytest.mark.parametrize(("layer", "source"), LAYERS, ids=[layer.kind for layer, _ in LAYERS])
def test_invalid_values_name_option_value_and_source(
    option: str, value: object, layer: Layer, source: str
) -> None:
    layer = Layer(layer.kind, {option: value}, location=layer.location)
    expected_source = source.format(name=option, dashed=option.replace("_", "-"))
    with pytest.raises(DriftUsageError) as info:
        resolve_check([layer, ini(alpha="0.5", threshold="50", mode="warn")])
    message = str(info.value)
    assert option in message
    assert repr(value) in message
    assert expected_source in message
    assert info.value.option == option
    assert info.value.source == expected_source
    assert info.value.value is value or info.value.value == value
    assert isinstance(info.value, ValueError)  # usage errors are also ValueErrors


def test_flag_and_ini_sources_name_the_flag_and_ini_key() -> None:
    option = OPTIONS_BY_NAME["features_key"]
    assert option.flag == "--drift-features-key"
    assert option.ini == "drift_features_key"
    with pytest.raises(DriftUsageError, match=r"command line --drift-features-key"):
        resolve_check([cli(features_key="a..b")])
    with pytest.raises(DriftUsageError, match=r"ini key drift_features_key in /x/pytest\.ini"):
        resolve_check([ini(features_key="a..b")])


def test_ini_without_location() -> None:
    with pytest.raises(DriftUsageError) as info:
        resolve_check([Layer("ini", {"alpha": "2"})])
    assert info.value.source == "ini key drift_alpha"


def test_resolve_session_rejects_bad_report_value() -> None:
    with pytest.raises(DriftUsageError) as info:
        resolve_session([cli(report=3)])
    assert "report" in str(info.value)
    assert "command line --drift-report" in str(info.value)


@pytest.mark.parametrize("layer_factory", [marker, cli, ini])
def test_unknown_keywords_list_known_options(layer_factory: object) -> None:
    with pytest.raises(DriftUsageError) as info:
        resolve_check([layer_factory(alhpa=0.1)])  # type: ignore[operator]
    message = str(info.value)
    assert "alhpa" in message
    assert "unknown option" in message
    for known in ("alpha", "threshold", "features", "categorical", "exclude", "mode",
                  "baseline", "candidate"):
        assert known in message.split("unknown option", 1)[1], known


def test_unknown_keyword_in_a_later_layer_is_still_an_error() -> None:
    with pytest.raises(DriftUsageError, match="threshhold"):
        resolve_check([marker(alpha=0.1), ini(threshhold="20")])


def test_marker_only_option_is_unknown_on_the_command_line() -> None:
    assert resolve_check([marker(name="my check")]).name == "my check"
    with pytest.raises(DriftUsageError, match="unknown option"):
        resolve_check([cli(name="x")])
    with pytest.raises(DriftUsageError, match="unknown option"):
        resolve_check([ini(name="x")])
