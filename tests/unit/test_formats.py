"""Every input form of §7 gives the same report as the CSV it was written from.

Each of the three real datasets in tests/data is read once with pyarrow from its CSV files;
that table is then written as every supported form (CSV/TSV, compressed, Parquet file,
directory of parts, hive partitions, globs, Feather, Arrow IPC, JSON, JSON Lines, API logs)
or passed as a DataFrame or Arrow table, and the report of each form must equal the report of
the original CSV pair: statistics and p-values to 1e-12, verdicts, counts and status. The
report names the resolved files it read, sorted.

Also: the ``format`` option (one for both sides, per side, as a flag/ini string, invalid
values), ``~`` and ``${ENV}`` in paths, column projection, and integers on one side with
floats on the other.
"""

from __future__ import annotations

import bz2
import gzip
import itertools
import json
import lzma
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from scipy import stats

from pytest_drift import DriftInputError, DriftReport, DriftUsageError, compare
from pytest_drift.loaders import LoadContext, load
from pytest_drift.loaders.cache import DatasetCache
from pytest_drift.loaders.parquet import ParquetDataset
from pytest_drift.options import Layer, resolve_check
from pytest_drift.pipeline import run_check
from tests.helpers import DATA, DATASETS

SIDES = ("baseline", "candidate")
TOLERANCE = {"rel_tol": 1e-12, "abs_tol": 1e-12}


# --- writing one table in every form ---------------------------------------------------


@dataclass
class Written:
    """One side of a dataset in some form: what to pass, the files the report must list
    (resolved, sorted) and options the form needs."""

    source: Any
    files: list[Path]
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def resolved(self) -> list[str]:
        return [str(p.resolve()) for p in self.files]


def csv_bytes(table: pa.Table, delimiter: str = ",") -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(delimiter=delimiter))
    return bytes(sink.getvalue())


def records(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def chunks(table: pa.Table, parts: int) -> list[pa.Table]:
    """``table`` cut into ``parts`` consecutive slices of uneven length."""
    bounds = [table.num_rows * i * i // (parts * parts) for i in range(parts + 1)]
    return [table.slice(start, stop - start) for start, stop in itertools.pairwise(bounds)]


def write_csv(table: pa.Table, folder: Path, side: str) -> Written:
    # The original file, byte for byte.
    path = folder / f"{side}.csv"
    shutil.copyfile(DATA / folder.name / f"{side}.csv", path)
    return Written(str(path), [path])


def write_csv_bom_crlf(table: pa.Table, folder: Path, side: str) -> Written:
    """As Excel on Windows saves it: a UTF-8 byte order mark and CRLF line ends."""
    path = folder / f"{side}.csv"
    data = (DATA / folder.name / f"{side}.csv").read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    return Written(str(path), [path])


def write_tsv(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.tsv"
    path.write_bytes(csv_bytes(table, "\t"))
    return Written(str(path), [path])


def compressed(suffix: str, compress: Callable[[bytes], bytes], delimiter: str = ","
               ) -> Callable[[pa.Table, Path, str], Written]:
    def write(table: pa.Table, folder: Path, side: str) -> Written:
        kind = "tsv" if delimiter == "\t" else "csv"
        path = folder / f"{side}.{kind}{suffix}"
        path.write_bytes(compress(csv_bytes(table, delimiter)))
        return Written(str(path), [path])

    return write


def write_csv_zst(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.csv.zst"
    with pa.output_stream(str(path), compression="zstd") as stream:
        stream.write(csv_bytes(table))
    return Written(str(path), [path])


def write_parquet(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.parquet"
    pq.write_table(table, path)
    return Written(str(path), [path])


def write_parquet_directory(table: pa.Table, folder: Path, side: str) -> Written:
    """Spark-style output: parts, a ``_SUCCESS`` marker and hidden checksum files."""
    directory = folder / f"{side}_parts"
    directory.mkdir()
    files = []
    # Written out of order: the report must still list them sorted.
    for index, chunk in reversed(list(enumerate(chunks(table, 3)))):
        path = directory / f"part-{index:05d}.snappy.parquet"
        pq.write_table(chunk, path)
        (directory / f".part-{index:05d}.snappy.parquet.crc").write_bytes(b"crc")
        files.append(path)
    (directory / "_SUCCESS").write_bytes(b"")
    return Written(str(directory), sorted(files))


def write_parquet_glob(table: pa.Table, folder: Path, side: str) -> Written:
    directory = folder / f"{side}_glob"
    directory.mkdir()
    files = []
    for index, chunk in enumerate(chunks(table, 3)):
        path = directory / f"part-{index}.parquet"
        pq.write_table(chunk, path)
        files.append(path)
    # Not matched by the pattern.
    pq.write_table(table.slice(0, 5), directory / "other.parquet")
    (directory / "_SUCCESS").write_bytes(b"")
    return Written(str(directory / "part-*.parquet"), files)


def write_csv_glob(table: pa.Table, folder: Path, side: str) -> Written:
    directory = folder / f"{side}_csv_glob"
    directory.mkdir()
    files = []
    for index, chunk in enumerate(chunks(table, 3)):
        path = directory / f"{side}-{index:02d}.csv"
        path.write_bytes(csv_bytes(chunk))
        files.append(path)
    (directory / "notes.txt").write_text("not data")
    return Written(str(directory / f"{side}-*.csv"), files)


def write_csv_directory(table: pa.Table, folder: Path, side: str) -> Written:
    directory = folder / f"{side}_csv_parts"
    directory.mkdir()
    files = []
    for index, chunk in enumerate(chunks(table, 3)):
        path = directory / f"part-{index:05d}.csv"
        path.write_bytes(csv_bytes(chunk))
        files.append(path)
    (directory / "_SUCCESS").write_bytes(b"")
    return Written(str(directory), files)


def write_feather(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.feather"
    feather.write_feather(table, path)
    return Written(str(path), [path])


def write_arrow(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.arrow"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=64)
    return Written(str(path), [path])


def write_json(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.json"
    path.write_text(json.dumps(records(table), indent=1))
    return Written(str(path), [path])


def write_jsonl(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in records(table)))
    return Written(str(path), [path])


def write_api_log(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}_log.jsonl"
    path.write_text("".join(
        json.dumps({"timestamp": f"2024-01-01T00:00:{i % 60:02d}Z", "request_id": i,
                    "features": row, "prediction": "sun" if i % 3 else "rain"}) + "\n"
        for i, row in enumerate(records(table))))
    return Written(str(path), [path])


def write_nested_api_log(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}_log.ndjson"
    path.write_text("".join(
        json.dumps({"ts": i, "request": {"id": f"r{i}", "inputs": row},
                    "response": {"label": i % 2}}) + "\n"
        for i, row in enumerate(records(table))))
    return Written(str(path), [path], {"features_key": "request.inputs"})


def write_jsonl_gz(table: pa.Table, folder: Path, side: str) -> Written:
    path = folder / f"{side}.ndjson.gz"
    path.write_bytes(gzip.compress(
        "".join(json.dumps(row) + "\n" for row in records(table)).encode()))
    return Written(str(path), [path])


def as_dataframe(table: pa.Table, folder: Path, side: str) -> Written:
    return Written(table.to_pandas(), [])


def as_arrow_table(table: pa.Table, folder: Path, side: str) -> Written:
    return Written(table, [])


FORMS: dict[str, Callable[[pa.Table, Path, str], Written]] = {
    "csv": write_csv,
    "csv-bom-crlf": write_csv_bom_crlf,
    "tsv": write_tsv,
    "csv.gz": compressed(".gz", gzip.compress),
    "csv.bz2": compressed(".bz2", bz2.compress),
    "csv.xz": compressed(".xz", lzma.compress),
    "csv.zst": write_csv_zst,
    "tsv.gz": compressed(".gz", gzip.compress, "\t"),
    "parquet": write_parquet,
    "parquet-directory": write_parquet_directory,
    "parquet-glob": write_parquet_glob,
    "csv-glob": write_csv_glob,
    "csv-directory": write_csv_directory,
    "feather": write_feather,
    "arrow": write_arrow,
    "json": write_json,
    "jsonl": write_jsonl,
    "jsonl.gz": write_jsonl_gz,
    "api-log": write_api_log,
    "api-log-dotted-key": write_nested_api_log,
    "pandas": as_dataframe,
    "pyarrow": as_arrow_table,
}


def source_table(dataset: str, side: str) -> pa.Table:
    """The CSV as a table; an empty cell is a missing value, also in a text column."""
    return pacsv.read_csv(DATA / dataset / f"{side}.csv",
                          convert_options=pacsv.ConvertOptions(strings_can_be_null=True))


def write_form(form: str, dataset: str, root: Path) -> dict[str, Written]:
    folder = root / form / dataset
    folder.mkdir(parents=True)
    return {side: FORMS[form](source_table(dataset, side), folder, side) for side in SIDES}


# --- comparing reports -----------------------------------------------------------------


def close(ours: Any, theirs: Any) -> bool:
    if ours is None or theirs is None:
        return ours is theirs
    return math.isclose(float(ours), float(theirs), **TOLERANCE)


def assert_same_report(got: DriftReport, want: DriftReport, label: str) -> None:
    """Same features, verdicts, counts and status; numbers to 1e-12."""
    g, w = got.to_json(), want.to_json()
    for key in ("features_tested", "features_with_drift", "drifted_features", "status",
                "train_samples", "production_samples", "skipped_features", "threshold",
                "alpha"):
        assert g[key] == w[key], f"{label}: {key} {g[key]!r} != {w[key]!r}"
    assert close(g["drift_percentage"], w["drift_percentage"]), label
    assert list(g["details"]) == list(w["details"]), label
    for name, theirs in w["details"].items():
        ours = g["details"][name]
        where = f"{label}: feature {name!r}"
        for key in ("test", "kind", "drift_detected", "train_n", "prod_n", "train_missing",
                    "prod_missing", "train_infinite", "prod_infinite", "dof",
                    "top_category"):
            if key == "top_category" and key in theirs:
                assert ours[key]["category"] == theirs[key]["category"], where
                assert close(ours[key]["train_share"], theirs[key]["train_share"]), where
                assert close(ours[key]["prod_share"], theirs[key]["prod_share"]), where
                continue
            assert ours.get(key) == theirs.get(key), \
                f"{where}: {key} {ours.get(key)!r} != {theirs.get(key)!r}"
        for key in ("statistic", "p_value", "train_mean", "prod_mean", "statistic_location"):
            assert close(ours.get(key), theirs.get(key)), \
                f"{where}: {key} {ours.get(key)!r} != {theirs.get(key)!r}"


@pytest.fixture(scope="module")
def csv_reports() -> dict[str, DriftReport]:
    return {dataset: compare(DATA / dataset / "baseline.csv", DATA / dataset / "candidate.csv")
            for dataset in DATASETS}


@pytest.fixture(scope="module")
def forms_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("forms")


# --- every form ------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("form", list(FORMS))
def test_every_form_gives_the_csv_report(form: str, dataset: str, forms_root: Path,
                                         csv_reports: dict[str, DriftReport]) -> None:
    written = write_form(form, dataset, forms_root)
    options = written["candidate"].options
    report = compare(written["baseline"].source, written["candidate"].source, **options)
    assert_same_report(report, csv_reports[dataset], f"{form}/{dataset}")
    assert list(report.baseline_files) == written["baseline"].resolved
    assert list(report.candidate_files) == written["candidate"].resolved
    assert report.to_json()["candidate_files"] == written["candidate"].resolved


@pytest.mark.parametrize("form", [f for f in FORMS if f not in ("pandas", "pyarrow")])
def test_each_form_against_the_original_csv(form: str, forms_root: Path,
                                            csv_reports: dict[str, DriftReport]) -> None:
    """Mixed forms: the original baseline CSV against the candidate in another form."""
    dataset = "seattle_weather_api_log"
    written = write_form(form, dataset, forms_root / "mixed")
    report = compare(DATA / dataset / "baseline.csv", written["candidate"].source,
                     **written["candidate"].options)
    assert_same_report(report, csv_reports[dataset], f"csv vs {form}")
    assert list(report.candidate_files) == written["candidate"].resolved
    assert list(report.baseline_files) == [str((DATA / dataset / "baseline.csv").resolve())]


# --- hive partitions -------------------------------------------------------------------


def write_hive(table: pa.Table, directory: Path) -> tuple[list[Path], dict[str, int]]:
    """Rows alternately in ``split=a/`` and ``split=b/`` (two parts in ``a``)."""
    index = np.arange(table.num_rows)
    halves = {"a": table.filter(pa.array(index % 2 == 0)),
              "b": table.filter(pa.array(index % 2 == 1))}
    files = []
    for key, half in halves.items():
        partition = directory / f"split={key}"
        partition.mkdir(parents=True)
        parts = [half] if key == "b" else [half.slice(0, 10), half.slice(10)]
        for number, part in enumerate(parts):
            path = partition / f"part-{number}.parquet"
            pq.write_table(part, path)
            files.append(path)
    (directory / "_SUCCESS").write_bytes(b"")
    return sorted(files), {key: half.num_rows for key, half in halves.items()}


@pytest.mark.parametrize("dataset", DATASETS)
def test_hive_partitioned_parquet(dataset: str, tmp_path: Path,
                                  csv_reports: dict[str, DriftReport]) -> None:
    """The partition key is a column like any other (as Spark, pandas and pyarrow read it):
    a categorical feature ``split``, tested with chi-square on the partitions' row counts,
    listed after the file columns; excluded, the report is the CSV's."""
    written = {}
    sizes = {}
    for side in SIDES:
        written[side], sizes[side] = write_hive(source_table(dataset, side), tmp_path / side)
    baseline, candidate = str(tmp_path / "baseline"), str(tmp_path / "candidate")

    without = compare(baseline, candidate, exclude=["split"])
    assert_same_report(without, csv_reports[dataset], f"hive/{dataset}")
    assert list(without.candidate_files) == [str(p.resolve()) for p in written["candidate"]]
    assert list(without.baseline_files) == [str(p.resolve()) for p in written["baseline"]]

    report = compare(baseline, candidate)
    assert list(report.details) == [*csv_reports[dataset].details, "split"]
    split = report.details["split"]
    assert (split.test, split.kind) == ("chi2", "categorical")
    assert (split.baseline_n, split.candidate_n) == (report.baseline_rows, report.candidate_rows)
    assert (split.baseline_missing, split.candidate_missing) == (0, 0)
    oracle = stats.chi2_contingency(np.array(
        [[sizes["baseline"]["a"], sizes["baseline"]["b"]],
         [sizes["candidate"]["a"], sizes["candidate"]["b"]]]))
    assert math.isclose(split.statistic, float(oracle.statistic), **TOLERANCE)
    assert math.isclose(split.p_value, float(oracle.pvalue), **TOLERANCE)
    assert split.dof == 1
    assert not split.drift_detected  # every other row: the shares are the same
    for name, want in csv_reports[dataset].details.items():
        assert math.isclose(report.details[name].p_value, want.p_value, **TOLERANCE)


def test_hive_partition_key_is_a_column_to_exclude_or_name(tmp_path: Path) -> None:
    table = source_table("penguins_islands", "baseline")
    write_hive(table, tmp_path / "b")
    write_hive(source_table("penguins_islands", "candidate"), tmp_path / "c")
    loaded = load(str(tmp_path / "b"), None, LoadContext())
    assert loaded.table.column_names == [*table.column_names, "split"]
    assert sorted(loaded.table.column("split").to_pylist()) == sorted(
        "ab"[i % 2] for i in range(table.num_rows))
    only = compare(str(tmp_path / "b"), str(tmp_path / "c"), features=["split"])
    assert list(only.details) == ["split"]


# --- the format option -----------------------------------------------------------------


def copy_pair(dataset: str, folder: Path, names: tuple[str, str]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for side, name in zip(SIDES, names, strict=True):
        path = folder / name
        shutil.copyfile(DATA / dataset / f"{side}.csv", path)
        paths.append(path)
    return paths[0], paths[1]


def test_format_csv_reads_an_unknown_extension(tmp_path: Path,
                                               csv_reports: dict[str, DriftReport]) -> None:
    baseline, candidate = copy_pair("cars_model_years", tmp_path, ("data.txt", "prod.dat"))
    with pytest.raises(DriftInputError, match=r"unknown format of 'data\.txt'.*format="):
        compare(baseline, candidate)
    report = compare(baseline, candidate, format="csv")
    assert_same_report(report, csv_reports["cars_model_years"], "format=csv")
    assert list(report.baseline_files) == [str(baseline.resolve())]
    assert report.option_sources["format"] == "argument"


def test_format_csv_for_compressed_unknown_extension(tmp_path: Path,
                                                     csv_reports: dict[str, DriftReport]
                                                     ) -> None:
    dataset = "penguins_islands"
    for side in SIDES:
        data = (DATA / dataset / f"{side}.csv").read_bytes()
        (tmp_path / f"{side}.txt.gz").write_bytes(gzip.compress(data))
    report = compare(tmp_path / "baseline.txt.gz", tmp_path / "candidate.txt.gz", format="csv")
    assert_same_report(report, csv_reports[dataset], "format=csv .txt.gz")


def parquet_and_jsonl(dataset: str, folder: Path) -> tuple[Path, Path]:
    """The baseline as Parquet and the candidate as JSON Lines, behind names that say
    neither."""
    folder.mkdir(parents=True, exist_ok=True)
    baseline, candidate = folder / "train.bin", folder / "prod.log"
    pq.write_table(source_table(dataset, "baseline"), baseline)
    candidate.write_text("".join(json.dumps(row) + "\n"
                                 for row in records(source_table(dataset, "candidate"))))
    return baseline, candidate


@pytest.mark.parametrize("value", [
    {"baseline": "parquet", "candidate": "jsonl"},
    {"baseline": "pq", "candidate": "ndjson"},
    "baseline=parquet,candidate=jsonl",
    "candidate=JSONL,baseline=Parquet",
])
def test_format_per_side(value: Any, tmp_path: Path,
                         csv_reports: dict[str, DriftReport]) -> None:
    dataset = "cars_model_years"
    baseline, candidate = parquet_and_jsonl(dataset, tmp_path)
    report = compare(baseline, candidate, format=value)
    assert_same_report(report, csv_reports[dataset], f"format={value!r}")
    assert list(report.candidate_files) == [str(candidate.resolve())]


@pytest.mark.parametrize("kind", ["command line", "ini"])
def test_format_flag_and_ini_string(kind: str, tmp_path: Path,
                                    csv_reports: dict[str, DriftReport]) -> None:
    """``--drift-format baseline=parquet,candidate=jsonl`` and the ini key drift_format,
    resolved as the plugin resolves them."""
    dataset = "seattle_weather_api_log"
    baseline, candidate = parquet_and_jsonl(dataset, tmp_path)
    options = resolve_check([
        Layer("marker", {"baseline": str(baseline), "candidate": str(candidate)}, "t.py::t"),
        Layer(kind, {"format": "baseline=parquet,candidate=jsonl"}),
    ])
    assert options.format == {"baseline": "parquet", "candidate": "jsonl"}
    assert options.sources["format"] == kind
    report = run_check(options, base_dir=tmp_path)
    assert_same_report(report, csv_reports[dataset], f"{kind} format")


@pytest.mark.parametrize("value", ["baseline=parquet, candidate=jsonl",
                                   "baseline = parquet , candidate = jsonl"])
def test_format_string_tolerates_spaces(value: str) -> None:
    """An ini line is written as people write lists, with spaces after commas (as the
    names of ``features`` may be); a value is stripped, a key must be too."""
    options = resolve_check([Layer("ini", {"format": value})])
    assert options.format == {"baseline": "parquet", "candidate": "jsonl"}


def test_format_for_one_side_leaves_the_other_detected(
        tmp_path: Path, csv_reports: dict[str, DriftReport]) -> None:
    dataset = "cars_model_years"
    baseline = tmp_path / "baseline.csv"
    shutil.copyfile(DATA / dataset / "baseline.csv", baseline)
    candidate = tmp_path / "candidate.export"
    pq.write_table(source_table(dataset, "candidate"), candidate)
    report = compare(baseline, candidate, format={"candidate": "parquet"})
    assert_same_report(report, csv_reports[dataset], "format for the candidate only")


@pytest.mark.parametrize("value", [
    "xlsx", "pickle", "", {"baseline": "xlsx"}, {"train": "csv"},
    "baseline=parquet,prod=jsonl", 3, ["csv"],
])
def test_invalid_format_is_a_usage_error_naming_format(value: Any, tmp_path: Path) -> None:
    baseline, candidate = copy_pair("cars_model_years", tmp_path, ("b.csv", "c.csv"))
    with pytest.raises(DriftUsageError) as info:
        compare(baseline, candidate, format=value)
    assert info.value.option == "format"
    assert str(info.value).startswith("format=")
    assert "argument format" in str(info.value)


def test_invalid_format_from_the_command_line_names_the_flag() -> None:
    with pytest.raises(DriftUsageError) as info:
        resolve_check([Layer("command line", {"format": "excel"})])
    assert info.value.option == "format"
    assert "--drift-format" in str(info.value)
    assert "csv, tsv, parquet, feather, json, jsonl" in str(info.value)


# --- ~ and ${ENV} ----------------------------------------------------------------------


def test_home_and_environment_variables_expand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               csv_reports: dict[str, DriftReport]) -> None:
    dataset = "penguins_islands"
    home = tmp_path / "home"
    data = tmp_path / "elsewhere" / "data"
    baseline, _ = copy_pair(dataset, home / "datasets", ("baseline.csv", "unused.csv"))
    _, candidate = copy_pair(dataset, data, ("unused.csv", "candidate.csv"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DRIFT_DATA", str(data))
    report = compare("~/datasets/baseline.csv", "${DRIFT_DATA}/candidate.csv")
    assert_same_report(report, csv_reports[dataset], "~ and ${ENV}")
    assert report.baseline == "~/datasets/baseline.csv"  # as written
    assert list(report.baseline_files) == [str(baseline.resolve())]
    assert list(report.candidate_files) == [str(candidate.resolve())]
    # Also relative to a base directory (the rootdir), and in globs.
    options = resolve_check([Layer("ini", {"baseline": "$DRIFT_DATA/../../home/datasets/b*.csv",
                                           "candidate": "~/../elsewhere/data/candidate.csv"})])
    report = run_check(options, base_dir=tmp_path / "somewhere")
    assert_same_report(report, csv_reports[dataset], "ini ~ and $ENV")
    assert list(report.baseline_files) == [str(baseline.resolve())]


# --- column projection -----------------------------------------------------------------


@pytest.fixture
def wide_parquet(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    table = pa.table({f"c{i}": rng.normal(i, 1, 300) for i in range(8)}
                     | {"label": rng.choice(["x", "y"], 300)})
    path = tmp_path / "wide.parquet"
    pq.write_table(table, path)
    return path


def test_load_reads_only_the_requested_columns(wide_parquet: Path) -> None:
    loaded = load(str(wide_parquet), ["c3", "label"], LoadContext())
    assert loaded.table.column_names == ["c3", "label"]
    assert loaded.files == (str(wide_parquet.resolve()),)
    assert load(str(wide_parquet), None, LoadContext()).table.num_columns == 9
    # A requested column the file does not have is left out, not an error of the loader.
    assert load(str(wide_parquet), ["c1", "nope"], LoadContext()).table.column_names == ["c1"]


def test_a_check_reads_only_its_features(wide_parquet: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str] | None] = []
    real_read = ParquetDataset.read

    def read(self: ParquetDataset, columns: Any) -> Any:
        calls.append(None if columns is None else list(columns))
        table = real_read(self, columns)
        calls.append(list(table.column_names))
        return table

    monkeypatch.setattr(ParquetDataset, "read", read)
    report = compare(str(wide_parquet), str(wide_parquet), features=["c2", "c5", "label"],
                     exclude=["c5"])
    assert list(report.details) == ["c2", "label"]
    # Baseline then candidate: asked for the two tested columns, got exactly those.
    assert calls == [["c2", "label"], ["c2", "label"]] * 2

    calls.clear()
    compare(str(wide_parquet), str(wide_parquet), exclude=["label", "c0"])
    assert calls == [[f"c{i}" for i in range(1, 8)]] * 4


def test_csv_and_feather_read_only_the_needed_columns(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    table = source_table("cars_model_years", "baseline")
    csv_path = tmp_path / "cars.csv"
    csv_path.write_bytes(csv_bytes(table))
    feather_path = tmp_path / "cars.feather"
    feather.write_feather(table, feather_path)
    included: list[list[str]] = []
    real_read_csv = pacsv.read_csv

    def read_csv(*args: Any, **kwargs: Any) -> Any:
        included.append(list(kwargs["convert_options"].include_columns))
        return real_read_csv(*args, **kwargs)

    monkeypatch.setattr(pacsv, "read_csv", read_csv)
    report = compare(str(csv_path), str(feather_path), features=["Horsepower", "Origin"])
    assert included == [["Horsepower", "Origin"]]
    assert list(report.details) == ["Horsepower", "Origin"]
    assert report.status == "NORMAL"  # the same data on both sides
    loaded = load(str(feather_path), ["Origin"], LoadContext())
    assert loaded.table.column_names == ["Origin"]


def test_cache_reads_a_column_once(wide_parquet: Path) -> None:
    cache = DatasetCache()
    context = LoadContext()
    load(str(wide_parquet), ["c1", "c2"], context, cache=cache)
    load(str(wide_parquet), ["c2"], context, cache=cache)
    assert cache.reads == 1
    assert load(str(wide_parquet), ["c2", "c3"], context, cache=cache).table.column_names == [
        "c2", "c3"]
    assert cache.reads == 2


# --- integers on one side, floats on the other -----------------------------------------


def test_int_and_float_sides_are_numeric_and_match_scipy() -> None:
    rng = np.random.default_rng(11)
    ints = rng.integers(-50, 50, 400)
    # Integral floats tie with the integers across the sides; halves fall between them.
    floats = np.concatenate([rng.integers(-50, 50, 150).astype(float),
                             rng.integers(-50, 50, 150) + 0.5, rng.normal(3, 20, 100)])
    oracle = stats.ks_2samp(ints.astype(float), floats)
    for baseline, candidate, expected in (
        (pa.table({"v": ints}), pa.table({"v": floats}), oracle),
        (pa.table({"v": floats}), pa.table({"v": ints}),
         stats.ks_2samp(floats, ints.astype(float))),
    ):
        result = compare(baseline, candidate).details["v"]
        assert (result.test, result.kind) == ("ks", "numeric")
        assert math.isclose(result.statistic, float(expected.statistic), **TOLERANCE)
        assert math.isclose(result.p_value, float(expected.pvalue), **TOLERANCE)
        assert math.isclose(float(result.statistic_location),
                            float(expected.statistic_location), **TOLERANCE)


def test_int_csv_against_float_jsonl(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    ints = rng.integers(0, 30, 200)
    floats = rng.integers(0, 30, 180) + rng.choice([0.0, 0.25], 180)
    (tmp_path / "b.csv").write_text("v,k\n" + "".join(f"{v},{v % 3}\n" for v in ints))
    (tmp_path / "c.jsonl").write_text("".join(
        json.dumps({"v": float(v), "k": int(v) % 3}) + "\n" for v in floats))
    report = compare(tmp_path / "b.csv", tmp_path / "c.jsonl")
    oracle = stats.ks_2samp(ints.astype(float), floats)
    assert report.details["v"].test == "ks"
    assert math.isclose(report.details["v"].statistic, float(oracle.statistic), **TOLERANCE)
    assert math.isclose(report.details["v"].p_value, float(oracle.pvalue), **TOLERANCE)
    assert report.details["k"].test == "ks"
