"""The engines' side of time windows: the candidate's times (one column), and each window as
an engine of its own against the whole baseline. The memory engine splits its rows by each
row's window (one sort for all windows); DuckDB computes each row's window in SQL from the
windows' edges and counts every window's values with one ``GROUP BY`` per feature, and the
windows are rebuilt as columns from those counts, as a snapshot is read."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from pytest_drift.engines.duckdb_engine import DuckDBEngine
    from pytest_drift.engines.in_memory import MemoryEngine
    from pytest_drift.windows import WindowPlan


def memory_times(engine: MemoryEngine, column: str, role: str = "candidate") -> Any:
    """A side's time column, as loaded."""
    from pytest_drift.columns import is_pandas, pandas_column

    frame = engine.prod if role == "candidate" else engine.train
    return pandas_column(frame, column) if is_pandas(frame) else frame.column(column)


def memory_windows(engine: MemoryEngine, plan: WindowPlan, codes: npt.NDArray[np.int64],
                   indices: list[int]) -> Iterator[tuple[int, MemoryEngine]]:
    """The windows ``indices`` of the candidate (``codes``: each row's window), each with
    the whole baseline."""
    from pytest_drift.engines.in_memory import MemoryEngine, take_rows
    from pytest_drift.segments import RowSegments

    rows = RowSegments([(str(index),) for index in range(plan.count)], codes).indices()
    for index in indices:
        yield index, MemoryEngine(engine.train, take_rows(engine.prod, rows[(str(index),)]))


def duckdb_times(engine: DuckDBEngine, column: str, role: str = "candidate") -> pa.Array:
    """A side's time column, in row order."""
    from pytest_drift.engines import duckdb_sql as sql

    side = engine.sides[role]
    # In row order (the engine otherwise lets DuckDB return rows in any order): whether
    # the log is sorted by time is part of checking it.
    engine.con.execute("SET preserve_insertion_order = true")
    try:
        table = engine.con.sql(f"SELECT {sql.quoted(column)} FROM {side.view}"
                               ).to_arrow_table()
    finally:
        engine.con.execute("SET preserve_insertion_order = false")
    return table.column(0).combine_chunks()


def window_index_sql(engine: DuckDBEngine, column: str, plan: WindowPlan) -> str:
    """Each row's window as SQL: arithmetic on the epoch when the windows are of one length,
    else the edges compared in turn (calendar windows: few)."""
    from pytest_drift.engines import duckdb_sql as sql

    duck_type = engine.sides["candidate"].types[column]
    zoned = plan.edges.tz is not None
    time = sql.quoted(column)
    if duck_type not in ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE"):
        time = f"CAST({time} AS {'TIMESTAMPTZ' if zoned else 'TIMESTAMP'})"
    micros = f"epoch_us({time})"
    edges = [int(edge) // 1000 for edge in plan.edges.as_unit("ns").asi8]
    widths = {later - earlier for earlier, later in itertools.pairwise(edges)}
    if len(widths) == 1:  # windows of one length (not days across a DST change, months)
        return f"CAST(floor(({micros} - {edges[0]}) / {widths.pop()}) AS BIGINT)"
    cases = " ".join(f"WHEN {micros} < {edge} THEN {index}"
                     for index, edge in enumerate(edges[1:-1]))
    return f"(CASE {cases} ELSE {plan.count - 1} END)"


def duckdb_windows(engine: DuckDBEngine, column: str, plan: WindowPlan, indices: list[int],
                   as_categories: Mapping[str, bool]) -> Iterator[tuple[int, MemoryEngine]]:
    """The windows ``indices``: the baseline's counts per value once, the candidate's per
    window and value in one ``GROUP BY`` per feature, both rebuilt as columns."""
    import pyarrow as pa

    from pytest_drift.engines.base import rebuilt_column
    from pytest_drift.engines.in_memory import MemoryEngine
    from pytest_drift.segments import split_grouped

    index_sql = window_index_sql(engine, column, plan)
    wanted = {(str(index),) for index in indices}
    baseline: dict[str, pa.Array] = {}
    candidate: dict[tuple[str, ...], dict[str, pa.Array]] = {key: {} for key in wanted}
    for feature, as_category in as_categories.items():
        whole = split_grouped(engine.grouped_counts("baseline", [], feature), [])
        baseline[feature] = rebuilt_column(feature, *whole[()], as_category)
        grouped = engine.grouped_sql("candidate", [index_sql], feature)
        for key, (values, counts) in split_grouped(grouped, ["window"]).items():
            if key in wanted:
                candidate[key][feature] = rebuilt_column(feature, values, counts, as_category)
    train = pa.table(baseline)
    for index in indices:
        yield index, MemoryEngine(train, pa.table(candidate[(str(index),)]))
