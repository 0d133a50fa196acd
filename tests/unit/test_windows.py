"""Time windows: each window's verdict equals the check of that window's rows alone (the
oracle: ``compare`` on the rows pandas selects by time), the deciding window's details too,
the same report on DuckDB, window edges of fixed and calendar offsets, windows too small
skipped with the reason, the gate of the last or of any window, API logs by their
timestamp, and the input and usage errors of a bad time column or window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_drift import DriftInputError, DriftUsageError, compare
from pytest_drift.messages import failure_message
from pytest_drift.windows import parse_window, window_edges
from tests.engine_support import assert_same, entry


def log_pair(days: int = 5, per_day: int = 400, drift_from: str = "2026-11-03T12:00",
             seed: int = 6, tz: str | None = "UTC") -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    baseline = pd.DataFrame({"amount": rng.normal(20, 4, 3000).round(2),
                             "plan": rng.choice(["free", "pro"], 3000)})
    times = pd.date_range("2026-11-01", periods=days * per_day,
                          freq=pd.Timedelta(days=1) / per_day, tz=tz)
    candidate = pd.DataFrame({"timestamp": times,
                              "amount": rng.normal(20, 4, len(times)).round(2),
                              "plan": rng.choice(["free", "pro"], len(times))})
    candidate.loc[candidate["timestamp"] >= pd.Timestamp(drift_from, tz=tz), "amount"] += 2.0
    return baseline, candidate


def by_window(candidate: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    times = candidate["timestamp"]
    return candidate[(times >= pd.Timestamp(start)) & (times < pd.Timestamp(end))].drop(
        columns="timestamp")


def test_each_window_is_the_check_of_its_rows_alone() -> None:
    baseline, candidate = log_pair()
    report = compare(baseline, candidate, window="1d", workers=1)
    section = report.to_json()["windows"]
    assert [w["start"] for w in section["windows"]] == [
        f"2026-11-0{day}T00:00:00+00:00" for day in range(1, 6)]
    for window in section["windows"]:
        alone = compare(baseline, by_window(candidate, window["start"], window["end"]),
                        workers=1)
        assert window["rows"] == alone.candidate_rows
        assert window["status"] == alone.status
        assert window["drifted_features"] == alone.drifted_features
        assert window["drift_percentage"] == alone.drift_percentage
        assert window["false_alarm_probability"] == alone.false_alarm_probability
    assert section["first_drifted"] == 2  # the drift starts at noon on the 3rd
    assert section["deciding"] == 4
    last = section["windows"][-1]
    alone = compare(baseline, by_window(candidate, last["start"], last["end"]), workers=1)
    ours, theirs = entry(report, False), entry(alone, False)
    assert ours.pop("windows") == section
    theirs.pop("windows")
    ours.pop("candidate"), theirs.pop("candidate")
    assert_same(ours, theirs)


def test_the_any_gate_reports_the_first_window_that_failed() -> None:
    baseline, candidate = log_pair(drift_from="2026-11-02T00:00")
    candidate.loc[candidate["timestamp"] >= pd.Timestamp("2026-11-04", tz="UTC"),
                  "amount"] -= 2.0  # back to normal
    last = compare(baseline, candidate, window="1d", workers=1)
    assert last.status == "NORMAL"
    anyone = compare(baseline, candidate, window="1d", window_gate="any", workers=1)
    assert anyone.status == "DRIFT_DETECTED"
    section = anyone.to_json()["windows"]
    assert section["deciding"] == section["first_drifted"] == 1
    message = failure_message(anyone.to_json())
    assert "drift first crossed the threshold in the window 2026-11-02T00:00:00+00:00 to " \
        "2026-11-03T00:00:00+00:00 (50.0% of features: amount)" in message
    assert "any window fails the gate (window_gate='any')" in message


def test_a_window_with_too_few_rows_is_listed_as_skipped() -> None:
    baseline, candidate = log_pair(days=3)
    candidate = pd.concat([candidate, candidate.tail(5).assign(
        timestamp=pd.date_range("2026-11-04", periods=5, freq="h", tz="UTC"))],
        ignore_index=True)
    section = compare(baseline, candidate, window="1d", workers=1).to_json()["windows"]
    skipped = section["windows"][-1]
    assert skipped["status"] == "SKIPPED"
    assert skipped["skipped"] == "5 rows, fewer than min_samples=20"
    assert section["deciding"] == 2  # the last window tested
    assert section["windows_tested"] == 3


def test_the_scan_bound_is_the_sum_of_the_windows_false_alarm_chances() -> None:
    from scipy import stats

    baseline, candidate = log_pair()
    section = compare(baseline, candidate, window="1d", workers=1).to_json()["windows"]
    # Two features at alpha 0.05 and a 20% threshold: one drifted feature fails a gate.
    one_gate = float(stats.binom.sf(0, 2, 0.05))
    assert section["scan_false_alarm_bound"] == pytest.approx(5 * one_gate, rel=1e-12)


@pytest.mark.parametrize(("window", "first", "last", "edges"), [
    ("1d", "2026-11-01T05:00", "2026-11-03T00:00",
     ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]),
    ("6h", "2026-11-01T05:00", "2026-11-01T13:00",
     ["2026-11-01T00:00", "2026-11-01T06:00", "2026-11-01T12:00", "2026-11-01T18:00"]),
    ("MS", "2026-10-15", "2026-12-02", ["2026-10-01", "2026-11-01", "2026-12-01",
                                        "2027-01-01"]),
])
def test_window_edges(window: str, first: str, last: str, edges: list[str]) -> None:
    found = window_edges(pd.Timestamp(first), pd.Timestamp(last), window)
    assert list(found) == [pd.Timestamp(edge) for edge in edges]


def test_calendar_windows_on_duckdb_as_on_memory(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    baseline, candidate = log_pair(days=21, per_day=60, drift_from="2026-11-16")
    paths = write(tmp_path, baseline, candidate)
    agree(*paths, window="W")


def write(tmp_path: Path, baseline: pd.DataFrame, candidate: pd.DataFrame) -> tuple[str, str]:
    paths = (tmp_path / "baseline.parquet", tmp_path / "candidate.parquet")
    for frame, path in zip((baseline, candidate), paths, strict=True):
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return str(paths[0]), str(paths[1])


def agree(baseline: Any, candidate: Any, **options: Any) -> None:
    memory = compare(baseline, candidate, engine="memory", workers=1, **options)
    duckdb = compare(baseline, candidate, engine="duckdb", workers=1, **options)
    assert duckdb.engine == "duckdb"
    assert_same(entry(duckdb, False), entry(memory, False))


@pytest.mark.parametrize("window", ["1d", "8h"])
@pytest.mark.parametrize("tz", ["UTC", None])
def test_duckdb_gives_the_memory_engines_windows(tmp_path: Path, window: str,
                                                 tz: str | None) -> None:
    pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    baseline, candidate = log_pair(tz=tz)
    candidate.loc[::37, "amount"] = np.nan
    agree(*write(tmp_path, baseline, candidate), window=window)


def test_an_api_log_is_windowed_by_its_timestamp(tmp_path: Path) -> None:
    import json

    baseline, candidate = log_pair(days=3, per_day=100)
    log = tmp_path / "requests.jsonl"
    with log.open("w", encoding="utf-8") as out:
        for row in candidate.itertuples():
            out.write(json.dumps({"timestamp": row.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                  "features": {"amount": row.amount, "plan": row.plan},
                                  "prediction": 1}) + "\n")
    report = compare(baseline, str(log), window="1d", workers=1)
    assert [w["rows"] for w in report.to_json()["windows"]["windows"]] == [100, 100, 100]
    assert set(report.details) == {"amount", "plan"}  # the timestamp is no feature
    plain = compare(baseline, str(log), workers=1)
    assert set(plain.details) == {"amount", "plan"}
    pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    agree(baseline, str(log), window="1d")


# -- bad time columns and windows ---------------------------------------------------------


def test_a_missing_time_column_names_the_option() -> None:
    baseline, candidate = log_pair()
    with pytest.raises(DriftUsageError) as raised:
        compare(baseline, candidate.rename(columns={"timestamp": "ts"}), window="1d")
    message = str(raised.value)
    assert message.startswith("time_column='timestamp' (from default): window='1d' cuts")
    assert "its columns: ts, amount, plan" in message


def test_an_unparsable_time_names_the_row_and_the_value() -> None:
    baseline, candidate = log_pair()
    candidate["timestamp"] = candidate["timestamp"].astype(str)
    candidate.loc[7, "timestamp"] = "yesterday"
    with pytest.raises(DriftInputError, match=r"time_column='timestamp' \(from argument "
                       r"time_column\) in the candidate .*: row 8 holds 'yesterday', which is "
                       r"not an ISO 8601 time"):
        compare(baseline, candidate, window="1d", time_column="timestamp")


def test_times_out_of_order_are_refused() -> None:
    baseline, candidate = log_pair()
    candidate = candidate.iloc[[0, 2, 1, *range(3, len(candidate))]].reset_index(drop=True)
    with pytest.raises(DriftInputError, match=r"is not sorted: row 3 .* comes before row 2"):
        compare(baseline, candidate, window="1d")


def test_numbers_are_not_times() -> None:
    baseline, candidate = log_pair()
    candidate["timestamp"] = np.arange(len(candidate))
    with pytest.raises(DriftInputError, match="holds numbers"):
        compare(baseline, candidate, window="1d")


def test_a_time_zone_on_one_side_only_is_refused() -> None:
    baseline, candidate = log_pair(tz=None)
    baseline["timestamp"] = pd.date_range("2026-10-01", periods=len(baseline), freq="min",
                                          tz="UTC")
    with pytest.raises(DriftInputError, match="has a time zone in the baseline and none in "
                       "the candidate"):
        compare(baseline, candidate, window="1d")


def test_a_window_as_long_as_the_data_is_refused() -> None:
    baseline, candidate = log_pair(days=2)
    with pytest.raises(DriftUsageError, match=r"window='7d' \(from argument window\): the "
                       r"candidate's times span .* within one window: choose a shorter window"):
        compare(baseline, candidate, window="7d")


def test_a_window_that_is_no_offset_names_it() -> None:
    with pytest.raises(ValueError, match="is not a pandas offset"):
        parse_window("fortnightly")
    baseline, candidate = log_pair()
    with pytest.raises(DriftUsageError, match="window='fortnightly'"):
        compare(baseline, candidate, window="fortnightly")


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_windows_on_forked_workers_are_the_same(tmp_path: Path, engine: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_drift import window_pipeline

    monkeypatch.setattr(window_pipeline, "PARALLEL_MIN_VALUES", 0)  # fork for small data
    if engine == "duckdb":
        pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    paths = write(tmp_path, *log_pair())
    alone = compare(*paths, window="1d", workers=1, engine=engine)
    forked = compare(*paths, window="1d", workers=2, engine=engine)
    assert_same(entry(forked, False), entry(alone, False))


def test_duckdb_reads_the_times_in_row_order(tmp_path: Path) -> None:
    """DuckDB may return rows in any order for speed; the sortedness of the log is checked
    in its own order, across row groups."""
    pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    baseline, candidate = log_pair()
    paths = write(tmp_path, baseline, candidate)
    table = pq.read_table(paths[1])
    pq.write_table(table, paths[1], row_group_size=256)  # many groups, read in parallel
    assert compare(paths[0], paths[1], window="1d", engine="duckdb").windows is not None
    shuffled = table.take(pa.array([*range(1000, 2000), *range(1000)]))
    pq.write_table(shuffled, paths[1], row_group_size=256)
    with pytest.raises(DriftInputError, match="is not sorted: row 1001"):
        compare(paths[0], paths[1], window="1d", engine="duckdb")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 40 * 86_400), min_size=2, max_size=80, unique=True),
       st.sampled_from(["1d", "6h", "90min", "W", "MS"]))
def test_every_time_lands_in_the_window_that_holds_it(seconds: list[int], window: str
                                                     ) -> None:
    from pytest_drift.windows import plan_windows, window_codes

    times = pd.DatetimeIndex(sorted(pd.Timestamp("2026-10-29T07:30", tz="UTC")
                                    + pd.Timedelta(seconds=s) for s in seconds))
    if window_edges(times[0], times[-1], window).size < 3:
        return  # within one window: refused, as test_a_window_as_long_as_the_data shows
    plan = plan_windows(times, window, "argument window")
    codes = window_codes(times, plan.edges)
    for time, code in zip(times, codes, strict=True):
        assert plan.edges[code] <= time < plan.edges[code + 1]
    assert sum(plan.rows) == len(times)
    assert plan.edges[0] <= times[0]
    assert plan.edges[-1] > times[-1]


def test_a_windowed_check_cannot_save_a_snapshot(tmp_path: Path) -> None:
    baseline, candidate = log_pair()
    with pytest.raises(DriftUsageError, match=r"window='1d' \(from argument window\): a "
                       r"windowed check cannot save a snapshot: check the whole candidate"):
        compare(baseline, candidate, window="1d", save_baseline=tmp_path / "s.parquet")


def test_a_sketched_snapshot_baseline_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("datasketches", reason="the sketch extra is not installed")
    baseline, candidate = log_pair()
    saved = tmp_path / "sketch.parquet"
    compare(baseline, candidate.drop(columns="timestamp"), save_baseline=saved,
            snapshot_profile="sketch:64")
    with pytest.raises(DriftUsageError, match="is a sketched snapshot, whose bounds hold for "
                       r"one check of the whole candidate: use an exact snapshot"):
        compare(f"snapshot:{saved}", candidate, window="1d")


def test_windows_on_spark_are_refused(spark: Any) -> None:
    baseline, candidate = log_pair()
    with pytest.raises(DriftUsageError, match=r"engine='spark' \(from argument engine\): "
                       r"windows are cut on the memory and duckdb engines"):
        compare(baseline, candidate, window="1d", engine="spark")


def test_no_window_with_enough_rows_is_refused() -> None:
    baseline, candidate = log_pair(days=3, per_day=10)
    with pytest.raises(DriftUsageError, match=r"no window has min_samples=20 rows \(the "
                       r"most: 10\): choose a longer window"):
        compare(baseline, candidate, window="1d")


def test_a_row_without_a_time_is_refused() -> None:
    baseline, candidate = log_pair()
    candidate.loc[4, "timestamp"] = pd.NaT
    with pytest.raises(DriftInputError, match=r"1 rows have no time \(the first is row 5\); "
                       "every row needs one to be put in a window"):
        compare(baseline, candidate, window="1d")


def test_times_with_and_without_a_zone_are_refused() -> None:
    baseline, candidate = log_pair(tz=None)
    text = candidate["timestamp"].astype(str)
    text.iloc[3] = "2026-11-01T00:10:48+02:00"
    with pytest.raises(DriftInputError, match="mixes times with a time zone and times "
                       "without one"):
        compare(baseline, candidate.assign(timestamp=text), window="1d")


def test_times_of_several_offsets_are_one_zone() -> None:
    """A log across the end of summer time in Paris (+02:00, then +01:00 from 25 October):
    one zone, UTC, as the same times given as UTC timestamps."""
    baseline, candidate = log_pair()
    times = pd.date_range("2026-10-23", periods=len(candidate), freq="18min",
                          tz="Europe/Paris")
    text = pd.Series([time.isoformat() for time in times])
    assert {value[-6:] for value in text} == {"+02:00", "+01:00"}
    offsets = compare(baseline, candidate.assign(timestamp=text), window="1d", workers=1)
    utc = compare(baseline, candidate.assign(timestamp=times.tz_convert("UTC")), window="1d",
                  workers=1)
    assert offsets.to_json()["windows"] == utc.to_json()["windows"]
