"""The check's pipeline: each stage runs once, engines come from the registry, and the
registry knows exactly the engines the ``engine`` option offers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pytest_drift import compare, planning
from pytest_drift.engines import registry
from pytest_drift.errors import DriftInputError
from pytest_drift.loaders import LoadContext
from pytest_drift.options import ENGINE_CHOICES, Layer, resolve_check
from tests.helpers import DATA

CARS = DATA / "cars_model_years"


def counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    """Record each call of ``module.name`` (and still make it)."""
    calls: list[Any] = []
    original: Callable[..., Any] = getattr(module, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return calls


@pytest.mark.parametrize("features", [None, ["Miles_per_Gallon", "Origin"]])
def test_features_are_planned_once(monkeypatch: pytest.MonkeyPatch,
                                   features: list[str] | None) -> None:
    from pytest_drift import pipeline

    calls = counting(monkeypatch, pipeline, "plan_features")
    report = compare(str(CARS / "baseline.csv"), str(CARS / "candidate.csv"),
                     features=features)
    assert len(calls) == 1
    assert report.features_tested == (len(features) if features else 7)


def test_frames_are_planned_once_after_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames' columns are known only once loaded: the plan is made then, and only then."""
    from pytest_drift import pipeline

    calls = counting(monkeypatch, pipeline, "plan_features")
    train = pd.DataFrame({"x": range(50), "only_here": range(50)})
    report = compare(train, train.drop(columns="only_here"))
    assert len(calls) == 1
    assert report.skipped_features == {"only_here": "missing from candidate"}


def test_the_registry_has_every_engine_the_option_offers() -> None:
    assert sorted(registry.ENGINES) == sorted(set(ENGINE_CHOICES) - {"auto"})


def test_auto_asks_spark_first_and_falls_back_to_memory() -> None:
    assert next(iter(registry.ENGINES)) == "spark"
    assert list(registry.ENGINES)[-1] == "memory"
    options = resolve_check([Layer("argument", {"baseline": "a.csv", "candidate": "b.csv"})])
    contexts = {role: LoadContext(role=role) for role in ("baseline", "candidate")}
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    request = registry.OpenRequest(options, {"baseline": frame, "candidate": frame}, contexts,
                                   None, lambda source, columns, context: None)  # type: ignore[arg-type,return-value]
    assert registry.choose_engine(request) == "memory"


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_an_engine_refuses_what_only_spark_reads(tmp_path: Path, engine: str) -> None:
    delta = tmp_path / "events"
    (delta / "_delta_log").mkdir(parents=True)
    with pytest.raises(DriftInputError, match=rf"only the spark engine reads, not the {engine}"):
        compare(str(delta), str(CARS / "candidate.csv"), engine=engine)


def test_an_engine_that_fails_to_open_a_dataset_is_closed(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    closed: list[bool] = []

    class Failing:
        def open(self, *args: Any) -> Any:
            raise DriftInputError("cannot open")

        def close(self) -> None:
            closed.append(True)

    options = resolve_check([Layer("argument", {"baseline": "a.csv", "candidate": "b.csv"})])
    contexts = {role: LoadContext(role=role) for role in ("baseline", "candidate")}
    request = registry.OpenRequest(options, {"baseline": "a.csv", "candidate": "b.csv"},
                                   contexts, None, lambda source, columns, context: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(DriftInputError, match="cannot open"):
        registry._open_in_place(Failing(), request)
    assert closed == [True]


def test_plan_keeps_column_order_and_reasons() -> None:
    options = resolve_check([Layer("argument", {"baseline": "a", "candidate": "b",
                                                "exclude": ["id"]})])
    plan = planning.plan_features(options, ["id", "b", "a", "only_train"], ["a", "b", "id"])
    assert plan.tested == ["b", "a"]
    assert plan.skipped == {"only_train": "missing from candidate"}
