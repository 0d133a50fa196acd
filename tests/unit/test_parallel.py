"""Per-feature work on forked worker processes: the ``Workers`` pool, results identical to the
single-process run (proven to have used the pool), progress, and the ``workers`` option."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pytest_drift.evaluate as evaluate
import pytest_drift.parallel as parallel
from pytest_drift import compare
from pytest_drift.engines.in_memory import MemoryEngine
from pytest_drift.errors import DriftError, DriftUsageError
from pytest_drift.models import DriftReport
from pytest_drift.options import Layer, resolve_check
from pytest_drift.stats import registry
from tests.helpers import DATA, DATASETS
from tests.unit.stats_support import cached_min_detectable_ks

forking = pytest.mark.skipif(not parallel.can_fork(),
                             reason="workers are forked processes, on Linux only")

#: Fields of a report that differ between any two runs.
TIMING = ("timestamp", "duration_seconds")


@pytest.fixture(autouse=True, scope="module")
def _fast_checks() -> Iterator[None]:
    with cached_min_detectable_ks():
        yield


# -- the Workers pool -------------------------------------------------------------------------

def run_indexed(count: int, job: Callable[[int], Any], workers: int
                ) -> Iterator[tuple[int, Any]]:
    """``job(0) … job(count - 1)`` on up to ``workers`` forked processes, the way
    ``evaluate_features`` runs a check's features."""
    with parallel.Workers(min(workers, count), job) as pool:
        yield from pool.indexed(count)


def square_and_pid(index: int) -> tuple[int, int]:
    return index * index, os.getpid()


@pytest.mark.parametrize("workers", [1, 2, 3, 16])
@pytest.mark.parametrize("count", [0, 1, 2, 7])
def test_every_index_once_with_its_result(count: int, workers: int) -> None:
    if workers > 1 and count > 1 and not parallel.can_fork():
        pytest.skip("workers are forked processes, on Linux only")
    found = list(run_indexed(count, square_and_pid, workers))
    assert sorted(index for index, _ in found) == list(range(count))
    assert all(result == index * index for index, (result, _) in found)
    pids = {pid for _, (_, pid) in found}
    if workers > 1 and count > 1:
        assert os.getpid() not in pids  # all ran on workers
        assert len(pids) <= min(workers, count)
    else:
        assert pids <= {os.getpid()}
    assert parallel._JOB is None


def test_one_worker_runs_in_order_in_this_process() -> None:
    found = list(run_indexed(5, square_and_pid, 1))
    assert found == [(i, (i * i, os.getpid())) for i in range(5)]


def fail_at_three(index: int) -> int:
    if index == 3:
        raise ValueError(f"feature {index} cannot be reduced")
    return index


@pytest.mark.parametrize("workers", [1, pytest.param(2, marks=forking)])
def test_an_exception_in_a_job_is_raised_with_its_message(workers: int) -> None:
    with pytest.raises(ValueError, match="feature 3 cannot be reduced"):
        list(run_indexed(6, fail_at_three, workers))
    assert parallel._JOB is None
    assert sorted(run_indexed(3, lambda i: i, workers)) == [(0, 0), (1, 1), (2, 2)]


@forking
def test_a_dead_worker_is_a_drift_error() -> None:
    def die_at_one(index: int) -> int:
        if index == 1:
            os._exit(3)
        return index

    with pytest.raises(DriftError, match=r"workers=1") as raised:
        list(run_indexed(4, die_at_one, 2))
    assert "died" in str(raised.value)
    assert raised.value.__cause__ is None  # not the executor's own traceback
    assert parallel._JOB is None
    # The next pool starts afresh.
    assert sorted(run_indexed(4, lambda i: -i, 2)) == [(i, -i) for i in range(4)]


@forking
def test_stopping_early_shuts_the_pool_down() -> None:
    results = run_indexed(6, square_and_pid, 2)
    assert isinstance(results, Generator)
    index, (value, _) = next(results)
    assert value == index * index
    results.close()
    assert parallel._JOB is None


#: In a fresh interpreter: whether scipy.stats is loaded before the pool, then in each job.
FRESH_POOL = """
import sys
from pytest_drift import parallel

def scipy_loaded(index):
    return "scipy.stats" in sys.modules

print("scipy.stats" in sys.modules)
with parallel.Workers(2, scipy_loaded) as pool:
    print(sorted(loaded for _, loaded in pool.indexed(4)))
"""


@forking
def test_workers_inherit_scipy_stats_instead_of_each_importing_it() -> None:
    """The jobs need scipy.stats (the KS p-value); imported after the fork, each worker of a
    fresh process would spend most of a second of CPU on its own copy."""
    result = subprocess.run([sys.executable, "-c", FRESH_POOL], capture_output=True,
                            text=True, check=True, cwd=Path(parallel.__file__).parents[1])
    assert result.stdout.split("\n")[:2] == ["False", "[True, True, True, True]"]


# -- the parallel path gives the single-process results ---------------------------------------

class PoolSpy:
    """Records each pool of workers a check opens (its jobs and workers), each process pool
    started (its size), and the process ids that ran jobs (written to a file by the
    workers)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        self.calls: list[tuple[int, int]] = []
        self.pools: list[int | None] = []
        self.pid_file = tmp_path / "pids"
        spy = self

        class Workers(parallel.Workers):
            def __init__(self, workers: int, job: Callable[[int], Any]) -> None:
                def logged(index: int) -> Any:
                    with spy.pid_file.open("a") as log:
                        log.write(f"{os.getpid()}\n")
                    return job(index)

                super().__init__(workers, logged)

            def indexed(self, count: int) -> Iterator[tuple[int, Any]]:
                spy.calls.append((count, self.workers))
                return super().indexed(count)

        class Pool(concurrent.futures.ProcessPoolExecutor):
            def __init__(self, max_workers: int | None = None, *args: Any, **kwargs: Any
                         ) -> None:
                spy.pools.append(max_workers)
                super().__init__(max_workers, *args, **kwargs)

        monkeypatch.setattr(parallel, "Workers", Workers)
        monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)

    def pids(self) -> set[int]:
        if not self.pid_file.exists():
            return set()
        return {int(line) for line in self.pid_file.read_text().split()}

    def reset(self) -> None:
        self.calls.clear()
        self.pools.clear()
        self.pid_file.unlink(missing_ok=True)

    def assert_pool_used(self, workers: int) -> None:
        counts = [count for count, _ in self.calls]
        assert [w for _, w in self.calls] == [min(workers, counts[0])]
        assert self.pools == [min(workers, counts[0])]
        pids = self.pids()
        assert pids, "no job ran"
        assert os.getpid() not in pids  # every feature was reduced on a worker

    def assert_in_process(self) -> None:
        assert [w for _, w in self.calls] == [1]
        assert self.pools == []
        assert self.pids() <= {os.getpid()}


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> PoolSpy:
    """Workers for any number of values."""
    monkeypatch.setattr(evaluate, "PARALLEL_MIN_VALUES", 0)
    return PoolSpy(monkeypatch, tmp_path)


def with_gaps(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Floats with some NaN, +inf and -inf at random rows."""
    values = values.astype(np.float64)
    rows = rng.permutation(values.size)
    values[rows[:30]] = np.nan
    values[rows[30:35]] = np.inf
    values[rows[35:38]] = -np.inf
    return values


def frame(n: int, shift: float, seed: int) -> pd.DataFrame:
    """Every kind of column; ``shift`` moves some of them."""
    rng = np.random.default_rng(seed)
    nullable = pd.array(rng.integers(0, 40, n), dtype="Int64")
    nullable[rng.choice(n, 25, replace=False)] = pd.NA
    colours = ["red", "green", "blue", "white"]
    columns: pd.DataFrame = pd.DataFrame({
        "score": with_gaps(rng.normal(shift, 1, n), rng),           # float, NaN, ±inf
        "stable": with_gaps(rng.normal(0, 1, n), rng),              # float, not shifted
        "visits": rng.poisson(3 + 2 * shift, n),                    # int64, counted
        "account": rng.integers(-10**12, 10**12, n),                # int64, sorted
        "price": np.round(rng.gamma(2, 10 + 5 * shift, n), 2),      # 2 decimals
        "fee": np.round(rng.uniform(0, 3, n), 2),                   # 2 decimals, stable
        "age": nullable,                                            # nullable Int64
        "ratio": rng.uniform(0, 1, n) ** (1 + shift),               # float, shifted
        "colour": pd.Categorical(rng.choice(colours, n, p=[0.4 - 0.2 * shift, 0.3, 0.2,
                                                           0.1 + 0.2 * shift])),
        "plan": rng.choice(["free", "pro"], n),                     # strings
        "infinite": np.full(n, np.inf),                             # skipped: all ±inf
    })
    return columns


def stripped(report: DriftReport) -> str:
    """The report's JSON entry (with chart data) but its timing, as JSON text: every field,
    in order, NaN included."""
    entry = report.to_json(charts=True)
    for key in TIMING:
        entry.pop(key)
    return json.dumps(entry, default=str)


@forking
@pytest.mark.parametrize("seed", [1, 2])
def test_compare_on_workers_equals_one_process(spy: PoolSpy, seed: int) -> None:
    train, prod = frame(3000, 0.0, seed), frame(2500, 0.5, seed + 100)
    options: dict[str, Any] = {"charts": True, "exclude": ["plan"] if seed == 2 else []}
    single = compare(train, prod, workers=1, **options)
    spy.assert_in_process()
    spy.reset()
    forked = compare(train, prod, workers=2, **options)
    spy.assert_pool_used(2)

    assert stripped(forked) == stripped(single)
    assert list(forked.details) == list(single.details)
    assert forked.details == single.details
    assert forked.skipped_features == single.skipped_features
    assert "infinite" in forked.skipped_features
    assert forked.status == single.status == "DRIFT_DETECTED"
    assert {"score", "price", "colour", "visits", "ratio"} <= set(forked.drifted_features)


@forking
@pytest.mark.parametrize("name", DATASETS)
def test_shared_datasets_on_workers_equal_one_process(spy: PoolSpy, name: str) -> None:
    paths = str(DATA / name / "baseline.csv"), str(DATA / name / "candidate.csv")
    single = compare(*paths, workers=1, charts=True)
    spy.assert_in_process()
    spy.reset()
    forked = compare(*paths, workers=2, charts=True)
    assert spy.calls
    assert spy.calls[0][0] >= 2  # at least two features reduced on the workers
    spy.assert_pool_used(2)
    assert stripped(forked) == stripped(single)


@forking
def test_more_workers_than_features(spy: PoolSpy) -> None:
    train, prod = frame(500, 0.0, 7), frame(400, 0.3, 8)
    single = compare(train, prod, workers=1)
    spy.reset()
    forked = compare(train, prod, workers=64)
    ks_features = spy.calls[0][0]
    spy.assert_pool_used(64)
    assert spy.pools == [ks_features]
    assert stripped(forked) == stripped(single)


def test_few_values_stay_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Under ``PARALLEL_MIN_VALUES`` values the pool is not worth starting."""
    spy = PoolSpy(monkeypatch, tmp_path)
    train, prod = frame(300, 0.0, 3), frame(300, 0.0, 4)
    assert evaluate.PARALLEL_MIN_VALUES > 11 * 600
    compare(train, prod, workers=2)
    spy.assert_in_process()


# -- evaluate_features: progress, skipped features, other tests --------------------------------

def evaluated(train: pd.DataFrame, prod: pd.DataFrame, workers: int,
              progress: Callable[[int, int], None] | None = None, **extra: Any
              ) -> dict[str, Any]:
    options = resolve_check([Layer("argument", {"baseline": train, "candidate": prod,
                                                "workers": workers, **extra})])
    features = list(train.columns)
    results = evaluate.evaluate_features(
        features, MemoryEngine(train, prod), options, {"baseline": "train", "candidate": "prod"},
        registry.TestRegistry(), charts=True, progress=progress, parallel_min_values=0)
    return {name: result if isinstance(result, str) else result.to_json(charts=True)
            for name, result in results.items()}


@forking
def test_progress_counts_every_feature_in_order(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    spy = PoolSpy(monkeypatch, tmp_path)
    train, prod = frame(2000, 0.0, 11), frame(1500, 0.4, 12)
    train["few"] = [1.0] * 5 + [np.nan] * (len(train) - 5)  # skipped on a worker: min_samples
    prod["few"] = np.arange(len(prod), dtype=np.float64)
    seen: list[tuple[int, int]] = []
    forked = evaluated(train, prod, 2, lambda done, total: seen.append((done, total)),
                       tests={"stable": "cvm", "fee": "anderson"})
    spy.assert_pool_used(2)
    n = len(train.columns)
    assert seen == [(done, n) for done in range(1, n + 1)]

    spy.reset()
    single = evaluated(train, prod, 1, tests={"stable": "cvm", "fee": "anderson"})
    spy.assert_in_process()
    assert list(forked) == list(single) == list(train.columns)  # in the features' order
    assert json.dumps(forked, default=str) == json.dumps(single, default=str)
    assert isinstance(forked["few"], str)
    assert "min_samples" in forked["few"]
    assert isinstance(forked["infinite"], str)
    assert forked["stable"]["test"] == "cvm"
    assert forked["fee"]["test"] == "anderson"


# -- the workers option -----------------------------------------------------------------------

SMALL = pd.DataFrame({"x": range(60), "y": [0.5, 1.25] * 30})


@pytest.mark.parametrize(("raw", "parsed"), [
    ("auto", None), (" Auto ", None), (3, 3), (1, 1), ("2", 2), (2.0, 2),
])
def test_workers_accepted(raw: object, parsed: int | None) -> None:
    for kind in ("argument", "marker", "command line", "ini"):
        options = resolve_check([Layer(kind, {"workers": raw})])
        assert options.workers == parsed
    assert compare(SMALL, SMALL, workers=raw).status == "NORMAL"


@pytest.mark.parametrize("raw", [
    0, -1, 1.5, "0", "1.5", "inf",
    "many", "", True,
])
def test_workers_rejected(raw: object) -> None:
    with pytest.raises(DriftUsageError, match=r"auto or a whole number") as raised:
        compare(SMALL, SMALL, workers=raw)
    assert raised.value.option == "workers"
    assert str(raised.value).startswith(f"workers={raw!r}")


@pytest.mark.parametrize(("kind", "source"), [
    ("command line", "--drift-workers"), ("ini", "drift_workers"), ("marker", "workers"),
])
def test_workers_rejected_names_its_source(kind: str, source: str) -> None:
    with pytest.raises(DriftUsageError, match=r"auto or a whole number") as raised:
        resolve_check([Layer(kind, {"workers": "0"})])  # type: ignore[arg-type]
    assert raised.value.option == "workers"
    assert source in str(raised.value)


def test_default_workers_is_one_inside_xdist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert parallel.default_workers() == 1


def test_default_workers_is_every_usable_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert parallel.default_workers() == parallel.usable_cpus()
    expected = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                else os.cpu_count() or 1)
    assert parallel.usable_cpus() == expected >= 1


@forking
def test_auto_workers_use_the_default(spy: PoolSpy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "default_workers", lambda: 3)
    train, prod = frame(400, 0.0, 21), frame(400, 0.2, 22)
    compare(train, prod, workers="auto")
    spy.assert_pool_used(3)


def test_auto_workers_inside_xdist_stay_in_process(spy: PoolSpy,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    train, prod = frame(400, 0.0, 23), frame(400, 0.2, 24)
    compare(train, prod, workers="auto")
    spy.assert_in_process()


def test_p_value_cost_marks_scipys_slow_branch() -> None:
    from pytest_drift.stats.ks import KsGap, p_value_cost

    n = 40_000  # effective size 20 000
    assert p_value_cost(KsGap(500, 500, 250, 200, 0.0)) == 1.0  # exact path
    assert p_value_cost(KsGap(n, n, 20_000, 20_000, 0.0)) == 1.0  # no gap: closed form
    assert p_value_cost(KsGap(n, n, 20_400, 20_000, 0.0)) == 1.0  # n d² = 2
    assert p_value_cost(KsGap(n, n, 20_500, 20_000, 0.0)) == 20_000  # n d² = 3.1
    assert p_value_cost(KsGap(n, n, 24_000, 20_000, 0.0)) == 20_000  # n d² = 200
    assert p_value_cost(KsGap(n, n, 26_000, 20_000, 0.0)) == 1.0  # n d² = 450


@forking
def test_slow_p_values_scheduled_after_the_reductions_equal_scipy(spy: PoolSpy) -> None:
    """Samples above scipy's exact limit whose gap lands in the slow asymptotic branch: the
    workers leave those p-values out, and they are computed in a second round."""
    rng = np.random.default_rng(21)
    train = pd.DataFrame({f"x{i}": rng.normal(0, 1, 30_000) for i in range(4)})
    prod = pd.DataFrame({f"x{i}": rng.normal(0.02 * i, 1, 25_000) for i in range(4)})
    forked = compare(train, prod, workers=2)
    spy.assert_pool_used(2)
    single = compare(train, prod, workers=1)
    assert stripped(forked) == stripped(single)
    slow = 0
    for name, detail in forked.details.items():
        expected = stats.ks_2samp(train[name], prod[name])
        assert detail.statistic == expected.statistic
        assert detail.p_value == expected.pvalue
        n1, n2 = detail.baseline_n, detail.candidate_n
        effective = n1 * n2 / (n1 + n2)
        slow += 2.2 <= effective * detail.ks_statistic ** 2 < 370
    assert slow >= 1, "no feature took the slow branch: the test proves nothing"
