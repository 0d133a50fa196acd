"""The session report: strict JSON, atomic writes, worst-status roll-up, and its JSON Schema."""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pytest_drift.report as report_module
from pytest_drift import compare
from pytest_drift.models import STATUS_ORDER
from pytest_drift.report import load_schema, session_report, strict, worst_status, write_json
from tests.helpers import validate_report

TIMESTAMP = "2026-11-22T10:00:00+00:00"
RANK = {"ERROR": 2, "DRIFT_DETECTED": 1, "NORMAL": 0}


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def parse_strict(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity."""
    return json.loads(text, parse_constant=_reject_constant)


# --- strict() --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [math.nan, math.inf, -math.inf, np.float64("nan"), np.float64("inf"),
     np.float32("-inf"), np.float16("nan")],
    ids=repr,
)
def test_non_finite_numbers_become_none(value: Any) -> None:
    assert strict(value) is None
    assert strict({"x": value}) == {"x": None}
    assert strict([1.0, value]) == [1.0, None]


@pytest.mark.parametrize(
    ("value", "expected", "kind"),
    [
        (np.float64(1.5), 1.5, float),
        (np.float32(0.25), 0.25, float),
        (np.int64(3), 3, int),
        (np.int32(-7), -7, int),
        (np.uint8(255), 255, int),
        (np.bool_(True), True, bool),
        (np.bool_(False), False, bool),
        (1.5, 1.5, float),
        (7, 7, int),
        (True, True, bool),
        ("NaN", "NaN", str),
        (None, None, type(None)),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, type) else v.__name__,
)
def test_numpy_scalars_become_python(value: Any, expected: Any, kind: type) -> None:
    result = strict(value)
    assert result == expected
    assert type(result) is kind


def test_containers_are_converted_recursively() -> None:
    document = {
        "a": (np.int64(1), np.float64("nan"), [np.float32(2.0), {"b": np.bool_(False)}]),
        1: "key becomes a string",
    }
    result = strict(document)
    assert result == {"a": [1, None, [2.0, {"b": False}]], "1": "key becomes a string"}
    assert type(result["a"]) is list
    assert type(result["a"][0]) is int
    assert type(result["a"][2][0]) is float
    assert type(result["a"][2][1]["b"]) is bool
    # the result is plain JSON
    assert parse_strict(json.dumps(result, allow_nan=False)) == result


nested_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text()
    | st.floats().map(np.float64) | st.integers(-(2**31), 2**31 - 1).map(np.int64),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(nested_values)
def test_strict_output_always_dumps_as_strict_json(value: Any) -> None:
    text = json.dumps(strict(value), allow_nan=False)
    parse_strict(text)


# --- write_json ------------------------------------------------------------------------


def test_write_json_writes_strict_json(tmp_path: Path) -> None:
    target = tmp_path / "out" / "drift_report.json"
    document = {"a": math.nan, "b": [math.inf, -math.inf, np.float64(0.5)], "c": np.int64(2)}
    assert write_json(target, document) == target
    text = target.read_text(encoding="utf-8")
    assert "NaN" not in text
    assert "Infinity" not in text
    assert parse_strict(text) == {"a": None, "b": [None, None, 0.5], "c": 2}
    assert json.loads(text) == {"a": None, "b": [None, None, 0.5], "c": 2}


def test_write_json_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "drift_report.json"
    write_json(target, {"x": 1})
    write_json(target, {"x": 2})
    assert sorted(os.listdir(tmp_path)) == ["drift_report.json"]


def test_write_json_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "drift_report.json"
    target.write_text("old content that is longer than the new one " * 100)
    write_json(target, {"x": 1})
    assert parse_strict(target.read_text()) == {"x": 1}
    assert sorted(os.listdir(tmp_path)) == ["drift_report.json"]


def test_write_json_is_atomic_when_the_rename_fails(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "drift_report.json"
    write_json(target, {"version": "old"})

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(report_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        write_json(target, {"version": "new"})
    monkeypatch.undo()
    # the old report is intact and no temporary file is left behind
    assert parse_strict(target.read_text()) == {"version": "old"}
    assert sorted(os.listdir(tmp_path)) == ["drift_report.json"]


def test_write_json_uses_a_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        calls.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(report_module.os, "replace", spy)
    target = tmp_path / "r.json"
    write_json(target, {"x": 1})
    assert len(calls) == 1
    source, destination = calls[0]
    assert destination == str(target)
    assert Path(source).parent == tmp_path  # same directory: the rename is atomic
    assert source != destination


# --- session_report --------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["NORMAL", "DRIFT_DETECTED", "ERROR"]), min_size=1,
                max_size=8))
def test_session_status_is_the_worst_check(statuses: list[str]) -> None:
    entries = [{"name": f"c{i}", "status": s} for i, s in enumerate(statuses)]
    document = session_report(entries, TIMESTAMP)
    assert document["status"] == max(statuses, key=RANK.__getitem__)
    assert worst_status(entries) == document["status"]
    assert document["checks"] == entries
    assert document["schema_version"] == 3
    assert document["tool"] == "pytest-datadrift"
    assert document["timestamp"] == TIMESTAMP
    assert isinstance(document["version"], str)


def test_status_order_is_worst_first() -> None:
    assert STATUS_ORDER == ("ERROR", "DRIFT_DETECTED", "UNDECIDED", "NORMAL", "SKIPPED")


@pytest.mark.parametrize(
    ("statuses", "worst"),
    [
        (["NORMAL"], "NORMAL"),
        (["NORMAL", "DRIFT_DETECTED"], "DRIFT_DETECTED"),
        (["DRIFT_DETECTED", "ERROR", "NORMAL"], "ERROR"),
        (["ERROR", "NORMAL"], "ERROR"),
        (["NORMAL", "UNDECIDED"], "UNDECIDED"),
        (["UNDECIDED", "DRIFT_DETECTED"], "DRIFT_DETECTED"),
        (["SKIPPED", "NORMAL"], "NORMAL"),
        (["SKIPPED"], "SKIPPED"),
    ],
)
def test_session_status_examples(statuses: list[str], worst: str) -> None:
    entries = [{"status": s} for s in statuses]
    assert session_report(entries, TIMESTAMP)["status"] == worst


# --- the JSON Schema -------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.fixture(scope="module")
def valid_document() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(size=100), "c": ["a", "b"] * 50,
                          "y": [math.nan] * 100})
    prod = pd.DataFrame({"x": rng.normal(1, 1, 80), "c": ["a", "b", "b", "c"] * 20,
                         "y": [1.0] * 80})
    entry = compare(train, prod).to_json()
    document = strict(session_report([entry], TIMESTAMP))
    assert isinstance(document, dict)
    return document


def test_a_real_report_is_valid(valid_document: dict[str, Any]) -> None:
    validate_report(valid_document)  # the control for the rejections below
    assert valid_document["checks"][0]["skipped_features"] == {"y": "entirely missing in baseline"}


@pytest.mark.parametrize("field", ["schema_version", "tool", "version", "timestamp", "status",
                                   "checks"])
def test_schema_rejects_missing_top_level_field(valid_document: dict[str, Any], field: str
                                                ) -> None:
    document = copy.deepcopy(valid_document)
    del document[field]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(document)


@pytest.mark.parametrize("field", ["status", "drift_percentage", "details", "train_samples",
                                   "drifted_features", "skipped_features", "alpha"])
def test_schema_rejects_missing_check_field(valid_document: dict[str, Any], field: str) -> None:
    document = copy.deepcopy(valid_document)
    del document["checks"][0][field]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(document)


@pytest.mark.parametrize("field", ["p_value", "statistic", "drift_detected", "test"])
def test_schema_rejects_missing_feature_field(valid_document: dict[str, Any], field: str
                                              ) -> None:
    document = copy.deepcopy(valid_document)
    del document["checks"][0]["details"]["x"][field]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(document)


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-Infinity", "inf"])
@pytest.mark.parametrize(
    "path",
    [
        ("details", "x", "p_value"),
        ("details", "x", "statistic"),
        ("details", "x", "train_mean"),
        ("details", "c", "chi2_statistic"),
        ("drift_percentage",),
        ("threshold",),
    ],
)
def test_schema_rejects_nan_like_strings(valid_document: dict[str, Any], path: tuple[str, ...],
                                         text: str) -> None:
    document = copy.deepcopy(valid_document)
    target = document["checks"][0]
    for key in path[:-1]:
        target = target[key]
    assert path[-1] in target
    target[path[-1]] = text
    with pytest.raises(jsonschema.ValidationError):
        validate_report(document)


def test_schema_rejects_unknown_status(valid_document: dict[str, Any]) -> None:
    document = copy.deepcopy(valid_document)
    document["status"] = "OK"
    with pytest.raises(jsonschema.ValidationError):
        validate_report(document)
