"""Segmented checks: one report per segment seen on either side, each equal to the check of
that segment's rows alone (the oracle: ``compare`` on the rows pandas selects), on the memory,
DuckDB and Spark engines; segments under ``min_samples`` or on one side only are SKIPPED with
the reason (failing under ``schema='fail'``); labels of several columns, of missing values and
of integral floats; and the usage errors of ``max_segments``, a missing segment column and a
snapshot baseline."""

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

from pytest_drift import DriftUsageError, compare, compare_segments
from pytest_drift.segments import MISSING_LABEL, row_segments
from tests.engine_support import assert_same, entry


def segmented_pair(rows: int = 2000, seed: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Countries FR, DE, IT on both sides, LU too rare in the baseline, PT in the candidate
    only; ``amount`` moves in DE only."""
    rng = np.random.default_rng(seed)

    def side(countries: list[str], shares: list[float]) -> pd.DataFrame:
        return pd.DataFrame({
            "country": rng.choice(countries, rows, p=shares),
            "device": rng.choice(["ios", "android"], rows),
            "amount": rng.normal(20, 5, rows).round(2),
            "visits": rng.poisson(3, rows),
            "plan": rng.choice(["free", "pro", "team"], rows),
        })

    baseline = side(["FR", "DE", "IT", "LU"], [0.5, 0.3, 0.195, 0.005])
    candidate = side(["FR", "DE", "IT", "PT"], [0.5, 0.3, 0.18, 0.02])
    candidate.loc[candidate["country"] == "DE", "amount"] += 3.0
    return baseline, candidate


def test_each_segment_is_the_check_of_its_rows_alone() -> None:
    baseline, candidate = segmented_pair()
    family = compare_segments(baseline, candidate, segment_by="country", workers=1)
    assert list(family.reports) == ["country=DE", "country=FR", "country=IT", "country=LU",
                                    "country=PT"]
    for country in ("DE", "FR", "IT"):
        report = family.reports[f"country={country}"]
        alone = compare(baseline[baseline["country"] == country].drop(columns="country"),
                        candidate[candidate["country"] == country].drop(columns="country"),
                        workers=1, name=f"compare[country={country}]")
        ours, theirs = entry(report, False), entry(alone, False)
        segment = ours.pop("segment")
        assert segment.pop("segments_tested") == 3
        segment.pop("family_false_alarm_probability")
        assert segment == {"family": "compare", "by": ["country"],
                           "key": {"country": country}, "label": f"country={country}",
                           "only_in": None, "skipped": None}
        theirs.pop("segment")
        family_note = ours["notes"].pop()
        assert family_note.startswith("some segment's gate fails on stable data ")
        for key in ("baseline", "candidate"):
            ours.pop(key), theirs.pop(key)
        assert_same(ours, theirs)
    assert family.reports["country=DE"].drifted_features == ["amount"]
    assert family.status == "DRIFT_DETECTED"


def test_rare_and_one_sided_segments_are_skipped_with_the_reason() -> None:
    baseline, candidate = segmented_pair()
    family = compare_segments(baseline, candidate, segment_by="country", workers=1)
    rare, new = family.reports["country=LU"], family.reports["country=PT"]
    lu_rows = int((baseline["country"] == "LU").sum())
    pt_rows = int((candidate["country"] == "PT").sum())
    assert rare.status == "SKIPPED"
    assert rare.segment is not None
    assert rare.segment["skipped"] == (
        f"only in the baseline ({lu_rows} rows): nothing to compare it with")
    assert new.status == "SKIPPED"
    assert new.segment is not None
    assert new.segment["only_in"] == "candidate"
    assert new.candidate_rows == pt_rows
    assert new.baseline_rows == 0
    strict = compare_segments(baseline, candidate, segment_by="country", workers=1,
                              schema="fail")
    assert strict.reports["country=PT"].status == "DRIFT_DETECTED"
    assert strict.reports["country=PT"].gate_failed


def test_a_segment_under_min_samples_is_skipped() -> None:
    baseline = pd.DataFrame({"g": ["a"] * 100 + ["b"] * 10, "x": np.arange(110.0)})
    family = compare_segments(baseline, baseline.copy(), segment_by="g", min_samples=20)
    assert family.reports["g=a"].status == "NORMAL"
    assert family.reports["g=b"].status == "SKIPPED"
    assert family.reports["g=b"].segment["skipped"] == (  # type: ignore[index]
        "10 rows in the baseline, fewer than min_samples=20")


def test_segments_of_two_columns_and_their_labels() -> None:
    baseline, candidate = segmented_pair()
    family = compare_segments(baseline, candidate, segment_by=["country", "device"],
                              workers=1)
    assert "country=DE,device=ios" in family.reports
    report = family.reports["country=DE,device=android"]
    assert report.name == "compare[country=DE,device=android]"
    rows = int(((baseline["country"] == "DE") & (baseline["device"] == "android")).sum())
    assert report.baseline_rows == rows
    assert "device" not in report.details
    assert "country" not in report.details


def test_labels_name_missing_values_and_integral_floats_as_categories() -> None:
    table = pa.table({"g": pa.array([1.0, 2.0, None, float("nan"), 1.0, 2.5]),
                      "h": pa.array(["x", "y", "x", "x", None, "x"])})
    segments = row_segments(table, ["g", "h"])
    labels = [segments.keys[code] for code in segments.codes]
    assert labels == [("1", "x"), ("2", "y"), (MISSING_LABEL, "x"), (MISSING_LABEL, "x"),
                      ("1", MISSING_LABEL), ("2.5", "x")]
    assert segments.rows()[(MISSING_LABEL, "x")] == 2


def test_more_segments_than_max_segments_is_a_usage_error_with_the_count() -> None:
    frame = pd.DataFrame({"id": np.arange(500), "x": np.arange(500.0)})
    with pytest.raises(DriftUsageError) as raised:
        compare_segments(frame, frame, segment_by="id")
    message = str(raised.value)
    assert "segment_by=['id']" in message
    assert "500 segments (baseline and candidate together), more than max_segments=100" in (
        message)
    assert len(compare_segments(frame, frame, segment_by="id", max_segments=500).reports) == 500


def test_a_segment_column_that_is_not_there_names_the_option() -> None:
    baseline, candidate = segmented_pair()
    with pytest.raises(DriftUsageError) as raised:
        compare_segments(baseline, candidate.drop(columns="device"), segment_by="device")
    assert "segment_by=['device']" in str(raised.value)
    assert "'device' is no column of the candidate" in str(raised.value)


def test_a_snapshot_baseline_cannot_be_segmented(tmp_path: Path) -> None:
    baseline, candidate = segmented_pair()
    saved = tmp_path / "base.parquet"
    compare(baseline, candidate, save_baseline=str(saved))
    with pytest.raises(DriftUsageError, match="is a snapshot, which keeps each feature's "
                       "values but not the rows"):
        compare_segments(f"snapshot:{saved}", candidate, segment_by="country")


def test_compare_refuses_segment_by() -> None:
    baseline, candidate = segmented_pair()
    with pytest.raises(DriftUsageError, match="compare_segments"):
        compare(baseline, candidate, segment_by="country")


def parquet_pair(tmp_path: Path) -> tuple[str, str]:
    baseline, candidate = segmented_pair(rows=1500, seed=9)
    baseline.loc[::50, "country"] = None  # a missing segment value
    candidate.loc[::70, "amount"] = np.nan
    paths = (tmp_path / "baseline.parquet", tmp_path / "candidate.parquet")
    for frame, path in zip((baseline, candidate), paths, strict=True):
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return str(paths[0]), str(paths[1])


def families_agree(engine: str, baseline: str, candidate: str, **options: Any) -> None:
    memory = compare_segments(baseline, candidate, engine="memory", workers=1, **options)
    other = compare_segments(baseline, candidate, engine=engine, workers=1, **options)
    assert list(other.reports) == list(memory.reports)
    for label, report in other.reports.items():
        assert report.engine == engine
        assert_same(entry(report, False), entry(memory.reports[label], False))


@pytest.mark.parametrize("by", ["country", "country,device"])
def test_duckdb_gives_the_memory_engines_segments(tmp_path: Path, by: str) -> None:
    pytest.importorskip("duckdb", reason="the duckdb extra is not installed")
    families_agree("duckdb", *parquet_pair(tmp_path), segment_by=by.split(","))


def test_spark_gives_the_memory_engines_segments(tmp_path: Path, spark: Any) -> None:
    families_agree("spark", *parquet_pair(tmp_path), segment_by=["country", "device"])


def test_the_chance_that_some_segment_fails_on_stable_data() -> None:
    """Segments hold disjoint rows, so their gates fail independently on stable data: the
    family fails with 1 - prod(1 - p), each p the binomial chance that a segment's gate
    fails (scipy's binom as the oracle)."""
    from scipy import stats

    baseline, candidate = segmented_pair()
    family = compare_segments(baseline, candidate, segment_by="country", workers=1)
    # 4 features at alpha 0.05 and a 20% threshold: one drifted feature fails a gate.
    one_gate = float(stats.binom.sf(0, 4, 0.05))
    expected = 1 - (1 - one_gate) ** 3
    for report in family:
        assert report.segment is not None
        assert report.segment["family_false_alarm_probability"] == pytest.approx(
            expected, rel=1e-12)
    assert "(3 segments tested): lower alpha (e.g. 0.05/3)" in " ".join(
        family.reports["country=FR"].notes)


def test_segments_and_windows_in_one_check_are_refused() -> None:
    baseline, candidate = segmented_pair()
    with pytest.raises(DriftUsageError, match="segments or into time windows, not both"):
        compare_segments(baseline, candidate, segment_by="country", window="1d")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, 1.0, 2.0, 2.5, float("nan")]),
                          st.sampled_from([None, "a", "b"])), min_size=1, max_size=60))
def test_row_segments_count_the_rows_pandas_groups(rows: list[tuple[Any, Any]]) -> None:
    """Every row lands in the segment of its values' labels: pandas' groupby (NaN and None
    one missing group, 2.0 named 2) counts the same rows per segment."""
    from pytest_drift.columns import category_label

    table = pa.table({"g": pa.array([g for g, _ in rows], pa.float64()),
                      "h": pa.array([h for _, h in rows], pa.string())})
    segments = row_segments(table, ["g", "h"])

    def label(value: Any) -> str:
        return MISSING_LABEL if value is None or value != value else category_label(value)

    expected = pd.Series([(label(g), label(h)) for g, h in rows]).value_counts().to_dict()
    assert segments.rows() == expected
    for key, indices in segments.indices().items():
        assert all((label(rows[i][0]), label(rows[i][1])) == key for i in indices)


def test_max_segments_must_be_a_whole_number() -> None:
    baseline, candidate = segmented_pair()
    with pytest.raises(DriftUsageError, match=r"max_segments=0 .*must be a whole number of "
                       r"segments, at least 1"):
        compare_segments(baseline, candidate, segment_by="country", max_segments=0)
