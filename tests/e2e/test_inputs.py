"""Inputs in a pytest session (§7, §9): a dataset shared by several checks is read once (and a
changed file again), the ``pytest_drift_load`` hook, and directories and globs as sources.

Reads are counted by a conftest.py in the pytester project that wraps ``pyarrow.csv.read_csv``
(the CSV loader's only way to read rows) and writes what was read, file by file with the
columns asked for, to ``reads.json`` at the end of the session.
"""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path

import pytest

from tests.e2e.runner import CARS, STABLE, check, run_drift

READ_COUNTER = """
    import json

    import pyarrow
    import pyarrow.csv

    READS = []
    _PATHS = {}
    _REAL = {}


    def pytest_configure(config):
        _REAL["input_stream"] = pyarrow.input_stream
        _REAL["read_csv"] = pyarrow.csv.read_csv

        def input_stream(source, *args, **kwargs):
            stream = _REAL["input_stream"](source, *args, **kwargs)
            _PATHS[id(stream)] = str(source)
            return stream

        def read_csv(input_file, *args, **kwargs):
            convert = kwargs.get("convert_options")
            columns = list(convert.include_columns) if convert is not None else []
            path = _PATHS.get(id(input_file), str(input_file))
            READS.append([path, columns or None])
            return _REAL["read_csv"](input_file, *args, **kwargs)

        pyarrow.input_stream = input_stream
        pyarrow.csv.read_csv = read_csv


    def pytest_sessionfinish(session):
        (session.config.rootpath / "reads.json").write_text(json.dumps(READS))


    def pytest_unconfigure(config):
        # pytester runs in this process: leave pyarrow as it was.
        pyarrow.input_stream = _REAL.pop("input_stream")
        pyarrow.csv.read_csv = _REAL.pop("read_csv")
"""

CARS_COLUMNS = ["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower",
                "Weight_in_lbs", "Acceleration", "Origin"]


def reads(project: pytest.Pytester) -> dict[str, list[list[str] | None]]:
    """Per file (relative to the project), the columns of each read, in order."""
    by_file: dict[str, list[list[str] | None]] = {}
    root = project.path.resolve()
    for path, columns in json.loads((project.path / "reads.json").read_text()):
        name = Path(path).resolve().relative_to(root).as_posix()
        by_file.setdefault(name, []).append(columns)
    return by_file


# --- (a) a dataset shared by several checks is read once ------------------------------


def test_dataset_shared_by_three_checks_is_read_once(project):
    copy = project.path / "data" / "copy"
    copy.mkdir()
    (copy / "candidate.csv").write_bytes((project.path / CARS[1]).read_bytes())
    project.makeconftest(READ_COUNTER)
    project.makepyfile(test_shared=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, threshold=100)
        def test_marker_one(drift_report):
            assert drift_report.baseline_rows == 223

        @pytest.mark.drift(baseline={CARS[0]!r}, candidate={CARS[1]!r}, threshold=100)
        def test_marker_two(drift_report):
            assert drift_report.baseline_rows == 223

        def test_in_code(drift_check):
            report = drift_check({CARS[0]!r}, "data/copy/candidate.csv", threshold=100,
                                 name="in code")
            assert report.candidate_rows == 183
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=3)
    assert reads(project) == {
        CARS[0]: [CARS_COLUMNS],  # three checks, one read
        CARS[1]: [CARS_COLUMNS],  # two checks
        "data/copy/candidate.csv": [CARS_COLUMNS],  # same bytes, another file: its own read
    }
    entries = [check(report, name) for name in ("test_marker_one", "test_marker_two",
                                                 "in code")]
    first = entries[0]["details"]
    for entry in entries[1:]:
        assert entry["details"] == first
        assert entry["baseline_files"] == entries[0]["baseline_files"]


def test_later_checks_read_only_the_columns_not_read_yet(project):
    """Each check reads only what it tests; a column read once is never read again, and a
    later check that needs more reads only the columns it adds, not the whole file."""
    project.makeconftest(READ_COUNTER)
    project.makepyfile(test_subsets=f"""
        import pytest

        B, C = {CARS[0]!r}, {CARS[1]!r}

        @pytest.mark.drift(B, C, features=["Miles_per_Gallon", "Horsepower"], threshold=100)
        def test_1_two_features():
            pass

        @pytest.mark.drift(B, C, features=["Horsepower", "Weight_in_lbs"], threshold=100)
        def test_2_one_new_feature():
            pass

        @pytest.mark.drift(B, C, threshold=100)
        def test_3_every_feature(drift_report):
            assert drift_report.features_tested == 7

        @pytest.mark.drift(B, C, features=["Origin", "Horsepower"], threshold=100)
        def test_4_nothing_new():
            pass

        @pytest.mark.drift(B, C, exclude=["Origin"], threshold=100)
        def test_5_nothing_new():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=5)
    expected = [
        ["Miles_per_Gallon", "Horsepower"],
        ["Weight_in_lbs"],
        ["Cylinders", "Displacement", "Acceleration", "Origin"],
    ]
    assert reads(project) == {CARS[0]: expected, CARS[1]: expected}
    # The cached columns give the same results as a fresh read.
    every = check(report, "test_3_every_feature")["details"]
    for name in ("test_1_two_features", "test_2_one_new_feature", "test_4_nothing_new",
                 "test_5_nothing_new"):
        for feature, entry in check(report, name)["details"].items():
            assert entry == every[feature], (name, feature)


def test_fixture_after_the_checks_does_not_read_again(project):
    """The drift_baseline fixture asks for every column; when the checks before it have
    already read every column of the file, nothing is left to read."""
    project.makeconftest(READ_COUNTER)
    project.makepyfile(test_fixture_later=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, threshold=100)
        def test_check(drift_report):
            assert drift_report.features_tested == 7

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, threshold=100)
        def test_frames(drift_baseline, drift_candidate):
            assert drift_baseline.shape == (223, 7)
            assert drift_candidate.shape == (183, 7)
    """)
    result, _ = run_drift(project)
    result.assert_outcomes(passed=2)
    assert reads(project) == {CARS[0]: [CARS_COLUMNS], CARS[1]: [CARS_COLUMNS]}


def test_fixture_first_then_checks_read_once(project):
    project.makeconftest(READ_COUNTER)
    project.makepyfile(test_fixture_first=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, threshold=100)
        def test_frames(drift_baseline):
            assert drift_baseline.shape == (223, 7)

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, features=["Origin"], threshold=100)
        def test_check():
            pass
    """)
    result, _ = run_drift(project)
    result.assert_outcomes(passed=2)
    # The fixture reads every column of the baseline, by name (the marker's check of the
    # same test has read the candidate's tested columns); the second check reads nothing.
    assert reads(project) == {CARS[0]: [CARS_COLUMNS], CARS[1]: [CARS_COLUMNS]}


# --- (b) a changed file is read again -------------------------------------------------


def test_changed_file_is_read_again(project):
    work = project.path / "data" / "work"
    work.mkdir()
    (work / "candidate.csv").write_bytes((project.path / CARS[1]).read_bytes())
    project.makeconftest(READ_COUNTER)
    project.makepyfile(test_changes=f"""
        import os
        from pathlib import Path

        import pytest

        WORK = Path("data/work/candidate.csv")


        @pytest.fixture
        def shrunk():
            lines = WORK.read_bytes().splitlines(keepends=True)
            WORK.write_bytes(b"".join(lines[:101]))  # the header and 100 rows


        @pytest.fixture
        def same_size_later():
            # The same number of bytes, other values, and a later modification time.
            before = WORK.stat()
            WORK.write_bytes(WORK.read_bytes().replace(b"USA", b"ASU"))
            assert WORK.stat().st_size == before.st_size
            os.utime(WORK, ns=(before.st_atime_ns, before.st_mtime_ns + 10**10))


        CHECK = pytest.mark.drift({CARS[0]!r}, str(WORK), threshold=100)


        @CHECK
        def test_1_original(drift_report):
            assert drift_report.candidate_rows == 183


        @CHECK
        def test_2_unchanged(drift_report):
            assert drift_report.candidate_rows == 183


        @CHECK
        @pytest.mark.usefixtures("shrunk")
        def test_3_fewer_rows(drift_report):
            assert drift_report.candidate_rows == 100


        @CHECK
        @pytest.mark.usefixtures("same_size_later")
        def test_4_same_size_new_mtime(drift_report):
            assert drift_report.candidate_rows == 100
            origin = drift_report.details["Origin"]
            assert origin.candidate_n == 100 - {_missing_origin(project, 100)}
            assert origin.p_value < 1e-20  # no "USA" left in the candidate


        @CHECK
        def test_5_unchanged_again(drift_report):
            assert drift_report.candidate_rows == 100
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=5)
    assert reads(project) == {
        CARS[0]: [CARS_COLUMNS],
        "data/work/candidate.csv": [CARS_COLUMNS] * 3,  # original, shrunk, same size later
    }
    assert check(report, "test_4_same_size_new_mtime")["candidate_files"] == [
        str((work / "candidate.csv").resolve())]


def _missing_origin(project: pytest.Pytester, rows: int) -> int:
    lines = (project.path / CARS[1]).read_text().splitlines()[1: rows + 1]
    return sum(1 for line in lines if line.rsplit(",", 1)[1] == "")


# --- (c) the pytest_drift_load hook ---------------------------------------------------


MEMORY_LOADER = """
    import json
    from pathlib import Path

    import pandas as pd
    import pytest_drift

    HERE = Path(__file__).parent
    FRAMES = {
        "train": pd.read_csv(HERE / "data/stable/baseline.csv"),
        "prod": pd.read_csv(HERE / "data/stable/candidate.csv"),
    }
    RECEIVED = []


    def pytest_drift_load(source, columns, options):
        RECEIVED.append({
            "source": source if isinstance(source, str) else type(source).__name__,
            "columns": None if columns is None else list(columns),
            "options": {key: str(value) if isinstance(value, Path) else value
                        for key, value in options.items()},
        })
        if not (isinstance(source, str) and source.startswith("memory:")):
            return None
        name = source.removeprefix("memory:")
        if name == "broken":
            raise pytest_drift.DriftInputError(
                "memory:broken is offline; restart the feature store")
        if name == "wrong":
            return [1, 2, 3]
        frame = FRAMES[name]
        return frame if columns is None else frame[[c for c in columns if c in frame]]


    def pytest_sessionfinish(session):
        (session.config.rootpath / "received.json").write_text(json.dumps(RECEIVED))
"""


def received(project: pytest.Pytester) -> list[dict]:
    return json.loads((project.path / "received.json").read_text())


def test_loader_hook_serves_marker_checks_fixtures_and_drift_check(project):
    project.makeconftest(MEMORY_LOADER)
    project.makepyfile(test_memory=f"""
        import pytest

        @pytest.mark.drift("memory:train", "memory:prod")
        def test_memory(drift_report):
            assert drift_report.baseline == "memory:train"
            assert drift_report.candidate == "memory:prod"
            assert drift_report.baseline_files == ()
            assert list(drift_report.details) == ["x", "y", "colour", "rooms"]

        @pytest.mark.drift("memory:train", "memory:prod", features=["x", "colour"])
        def test_memory_features(drift_report):
            assert list(drift_report.details) == ["x", "colour"]

        @pytest.mark.drift("memory:train", "memory:prod")
        def test_memory_frames(drift_baseline, drift_candidate):
            assert list(drift_baseline.columns) == ["x", "y", "colour", "rooms"]
            assert len(drift_baseline) + len(drift_candidate) == 400

        @pytest.mark.drift({STABLE[0]!r}, {STABLE[1]!r})
        def test_files_fall_through(drift_report):
            assert drift_report.baseline_files != ()

        def test_in_code(drift_check):
            drift_check("memory:train", "memory:prod", name="in code", features=["y"])
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=5)
    # The same data through the hook and from the files: the same results.
    from_files = check(report, "test_files_fall_through")
    assert check(report, "test_memory")["details"] == from_files["details"]
    assert check(report, "test_memory")["status"] == "NORMAL"
    assert check(report, "in code")["details"]["y"] == from_files["details"]["y"]

    calls = received(project)
    rootdir = str(project.path)

    def origin(role, test):
        return f"marker keyword {role} on test_memory.py::{test}"

    def options(role, where):
        return {"role": role, "origin": where, "rootdir": rootdir,
                "features_key": "features", "format": None, "api_log": None,
                "remote_timeout": 60.0, "also_read": []}

    everything = ["x", "y", "colour", "rooms"]
    assert calls == [
        # Column names of a "memory:" source cannot be known before loading: all columns.
        {"source": "memory:train", "columns": None,
         "options": options("baseline", origin("baseline", "test_memory"))},
        {"source": "memory:prod", "columns": None,
         "options": options("candidate", origin("candidate", "test_memory"))},
        # With features, only those.
        {"source": "memory:train", "columns": ["x", "colour"],
         "options": options("baseline", origin("baseline", "test_memory_features"))},
        {"source": "memory:prod", "columns": ["x", "colour"],
         "options": options("candidate", origin("candidate", "test_memory_features"))},
        # The fixtures ask for everything, then the marker's check runs.
        {"source": "memory:train", "columns": None,
         "options": options("baseline", origin("baseline", "test_memory_frames"))},
        {"source": "memory:prod", "columns": None,
         "options": options("candidate", origin("candidate", "test_memory_frames"))},
        {"source": "memory:train", "columns": None,
         "options": options("baseline", origin("baseline", "test_memory_frames"))},
        {"source": "memory:prod", "columns": None,
         "options": options("candidate", origin("candidate", "test_memory_frames"))},
        # Files: the hook is asked first, with the columns read from the headers, and
        # returns None.
        {"source": STABLE[0], "columns": everything,
         "options": options("baseline", origin("baseline", "test_files_fall_through"))},
        {"source": STABLE[1], "columns": everything,
         "options": options("candidate", origin("candidate", "test_files_fall_through"))},
        {"source": "memory:train", "columns": ["y"],
         "options": options("baseline", "drift_check(baseline=...)")},
        {"source": "memory:prod", "columns": ["y"],
         "options": options("candidate", "drift_check(candidate=...)")},
    ]


def test_loader_hook_errors_error_that_check_only(project):
    project.makeconftest(MEMORY_LOADER)
    project.makepyfile(test_errors="""
        import pytest

        @pytest.mark.drift("memory:broken", "memory:prod")
        def test_broken():
            pass

        @pytest.mark.drift("memory:train", "memory:wrong")
        def test_wrong_type():
            pass

        @pytest.mark.drift("memory:train", "memory:prod")
        def test_fine():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_broken*",
        "drift check could not run: memory:broken is offline; restart the feature store",
        "*ERROR at setup of test_wrong_type*",
        "drift check could not run: candidate (from marker keyword candidate on "
        "test_errors.py::test_wrong_type): the pytest_drift_load hook returned list for "
        "'memory:wrong'; return a pandas.DataFrame, a pyarrow.Table or None.",
    ])
    # The hook's message alone: no traceback through the conftest or the plugin.
    errors = result.stdout.str().split("= ERRORS =")[1].split("short test summary")[0]
    assert "conftest.py" not in errors
    assert "Traceback" not in errors
    assert "pytest_drift/" not in errors

    broken = check(report, "test_broken")
    assert broken["status"] == "ERROR"
    assert broken["error"] == "memory:broken is offline; restart the feature store"
    assert (broken["baseline"], broken["candidate"]) == ("memory:broken", "memory:prod")
    wrong = check(report, "test_wrong_type")
    assert wrong["status"] == "ERROR"
    assert "pytest_drift_load hook returned list" in wrong["error"]
    assert check(report, "test_fine")["status"] == "NORMAL"
    assert report["status"] == "ERROR"


FIRST_LOADER = """
    import json

    import numpy as np
    import pandas as pd
    import pytest

    CALLS = []


    @pytest.hookimpl(tryfirst=True)
    def pytest_drift_load(source, columns, options):
        CALLS.append(["first", source])
        if source == "memory:prod":
            rng = np.random.default_rng(3)
            return pd.DataFrame({"x": rng.normal(100, 1, 250), "y": rng.uniform(0, 1, 250)})
        return None
"""

SECOND_LOADER = """
    import json

    import numpy as np
    import pandas as pd

    from first_loader import CALLS

    pytest_plugins = ["first_loader"]


    def pytest_drift_load(source, columns, options):
        CALLS.append(["conftest", source])
        rng = np.random.default_rng(4)
        return pd.DataFrame({"x": rng.normal(0, 1, 200), "y": rng.uniform(0, 1, 200)})


    def pytest_sessionfinish(session):
        (session.config.rootpath / "calls.json").write_text(json.dumps(CALLS))
"""


def test_first_result_wins_between_two_loaders(project):
    project.syspathinsert()
    project.makepyfile(first_loader=FIRST_LOADER)
    project.makeconftest(SECOND_LOADER)
    project.makepyfile(test_order="""
        import pytest

        @pytest.mark.drift("memory:train", "memory:prod", threshold=100)
        def test_order(drift_report):
            assert drift_report.baseline_rows == 200        # from the conftest
            assert drift_report.candidate_rows == 250   # from the tryfirst loader
            assert drift_report.details["x"].drift_detected
    """)
    result, _ = run_drift(project)
    result.assert_outcomes(passed=1)
    calls = json.loads((project.path / "calls.json").read_text())
    # The conftest's loader is not asked for the candidate once the first one answered.
    assert calls == [["first", "memory:train"], ["conftest", "memory:train"],
                     ["first", "memory:prod"]]


DIRECTORY_LOADER = """
    import json
    from pathlib import Path

    import numpy as np
    import pandas as pd

    def pytest_drift_load(source, columns, options):
        with (Path(options["rootdir"]) / "calls.jsonl").open("a") as calls:
            calls.write(json.dumps([{rows}, options["origin"].split(" on ")[-1]]) + "\\n")
        if source != "memory:data":
            return None
        rng = np.random.default_rng({rows})
        return pd.DataFrame({{"x": rng.normal(0, 1, {rows})}})
"""

ROWS_TEST = """
    import pytest

    @pytest.mark.drift("memory:data", "memory:data")
    def test_rows(drift_report):
        assert drift_report.baseline_rows == {rows}
"""


def run_two_conftests(project):
    """A loader in the root conftest.py (200 rows) and one in sub/conftest.py (150 rows),
    each with a test that expects its own conftest's data; returns the result, the rows
    each test got, and which conftest (by its rows) was asked for which test, in order."""
    (project.path / "top").mkdir()
    top, sub = project.path / "top", project.path / "top" / "sub"
    sub.mkdir()
    for folder, rows in ((top, 200), (sub, 150)):
        (folder / "__init__.py").write_text("")
        (folder / "conftest.py").write_text(textwrap.dedent(DIRECTORY_LOADER.format(rows=rows)))
        (folder / f"test_{folder.name}.py").write_text(textwrap.dedent(ROWS_TEST.format(
            rows=rows)))
    result, report = run_drift(project)
    samples = {entry["nodeid"]: entry["train_samples"] for entry in report["checks"]}
    calls = [json.loads(line) for line in
             (project.path / "calls.jsonl").read_text().splitlines()]
    return result, samples, calls


def test_closer_conftest_loader_wins(project):
    """Two conftest.py loaders for one source: for a test below both, the closer one
    (registered later) answers first and the other is not asked."""
    _, samples, calls = run_two_conftests(project)
    assert samples["top/sub/test_sub.py::test_rows"] == 150
    assert [rows for rows, test in calls if test.startswith("top/sub/")] == [150, 150]


def test_conftest_loader_does_not_answer_outside_its_directory(project):
    """A conftest.py hook is a local plugin for its directory (pytest's rule for conftest
    hooks, as for pytest_runtest_setup): sub/conftest.py's loader must not load the data of
    a test outside sub/."""
    result, samples, calls = run_two_conftests(project)
    assert samples == {"top/test_top.py::test_rows": 200,
                       "top/sub/test_sub.py::test_rows": 150}
    assert [rows for rows, test in calls if test == "top/test_top.py::test_rows"] == [200, 200]
    result.assert_outcomes(passed=2)


# --- (d) a directory and a glob as marker sources -------------------------------------


def test_directory_and_glob_sources_list_their_files(project):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(project.path / CARS[1],
                           convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    parts = project.path / "data" / "parts"
    parts.mkdir()
    bounds = [0, 40, 41, 120, table.num_rows]
    for index, (start, stop) in enumerate(itertools.pairwise(bounds)):
        pq.write_table(table.slice(start, stop - start), parts / f"part-{3 - index}.parquet")
    (parts / "_SUCCESS").write_bytes(b"")
    (parts / ".part-0.parquet.crc").write_bytes(b"crc")
    shards = project.path / "data" / "shards"
    shards.mkdir()
    lines = (project.path / CARS[1]).read_text().splitlines(keepends=True)
    for index, start in enumerate(range(1, len(lines), 50)):
        (shards / f"day-{index:02d}.csv").write_text(lines[0] + "".join(lines[start:start + 50]))
    (shards / "README.md").write_text("not data")

    project.makepyfile(test_layouts=f"""
        import pytest

        @pytest.mark.drift({CARS[0]!r}, "data/parts", threshold=100)
        def test_directory():
            pass

        @pytest.mark.drift({CARS[0]!r}, "data/shards/day-*.csv", threshold=100)
        def test_glob():
            pass

        @pytest.mark.drift({CARS[0]!r}, "data/parts/part-[12].parquet", threshold=100)
        def test_parquet_glob():
            pass

        @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r}, threshold=100)
        def test_csv():
            pass
    """)
    result, report = run_drift(project)
    result.assert_outcomes(passed=4)
    reference = check(report, "test_csv")

    def resolved(paths):
        return [str(p.resolve()) for p in paths]

    directory = check(report, "test_directory")
    assert directory["candidate"] == "data/parts"
    assert directory["candidate_files"] == resolved(
        parts / f"part-{i}.parquet" for i in range(4))
    glob = check(report, "test_glob")
    assert glob["candidate"] == "data/shards/day-*.csv"
    assert glob["candidate_files"] == resolved(sorted(shards.glob("day-*.csv")))
    assert len(glob["candidate_files"]) == 4
    for entry in (directory, glob):
        assert entry["baseline_files"] == resolved([project.path / CARS[0]])
        assert entry["production_samples"] == reference["production_samples"] == 183
        assert entry["drifted_features"] == reference["drifted_features"]
        for feature, want in reference["details"].items():
            got = entry["details"][feature]
            assert got["p_value"] == pytest.approx(want["p_value"], rel=1e-12, abs=1e-12)
            assert got["statistic"] == pytest.approx(want["statistic"], rel=1e-12, abs=1e-12)
    some = check(report, "test_parquet_glob")
    assert some["candidate_files"] == resolved(parts / f"part-{i}.parquet" for i in (1, 2))
    assert some["production_samples"] == 1 + 79


def test_format_flag_for_files_without_a_known_suffix(project):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(project.path / CARS[1],
                           convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    pq.write_table(table, project.path / "data" / "export.bin")
    (project.path / "data" / "train.data").write_bytes((project.path / CARS[0]).read_bytes())
    project.makepyfile(test_format="""
        import pytest

        @pytest.mark.drift("data/train.data", "data/export.bin", threshold=100)
        def test_flag(drift_report):
            assert drift_report.candidate_rows == 183
    """)
    result, report = run_drift(project, "--drift-format", "baseline=csv,candidate=parquet")
    result.assert_outcomes(passed=1)
    entry = check(report, "test_flag")
    assert entry["option_sources"]["format"] == "command line"
    assert entry["candidate_files"] == [str((project.path / "data" / "export.bin").resolve())]

    result, report = run_drift(project, "--drift-format", "xlsx")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*format='xlsx' (from command line --drift-format)*"])
