"""How the ``duckdb`` engine reduces a numeric feature to a :class:`steps.Reduction`.

Each numeric feature becomes a step table inside DuckDB (counts per distinct value, running
sums in value order); only a handful of numbers per feature come back: the extreme gaps and
their location, the Wasserstein sum, the baseline's order statistics at the decile ranks
and the counts below the bin edges. The arithmetic is the same IEEE double arithmetic as
the ``memory`` engine's (:mod:`pytest_drift.engines.steps`), so both give the same report.

Many floats are mostly not sorted at all (:mod:`pytest_drift.engines.cells`, as in the
``memory`` engine): their finite values stream out of DuckDB in batches, and numpy counts
each side in narrow cells of the value range (the range from a sample of a few vectors of
rows); a second pass keeps only the values of the cells that can hold an extreme gap, a
change of its sign or an order statistic, and sorts them. Memory stays bounded by the
batches and the kept values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_drift.engines import duckdb_sql as sql
from pytest_drift.engines import steps
from pytest_drift.errors import DriftInputError

if TYPE_CHECKING:
    from pytest_drift.engines.duckdb_engine import DuckDBEngine
    from pytest_drift.engines.steps import Bins, Reduction

#: From this many finite values (both sides) on, float features are counted in cells and
#: only some cells sorted.
CELLED_MIN_VALUES = 1_000_000
#: About this many values per cell, and from MIN_CELLS to MAX_CELLS cells.
VALUES_PER_CELL = 64
MIN_CELLS = 1 << 10
MAX_CELLS = 1 << 20
#: The cells cover the sample's values from this quantile to its complement; values beyond
#: fall in the first and last cell.
CELL_RANGE_QUANTILE = 1e-3
#: Sort every value instead when the cells to sort hold more than this share of them, or
#: more than a value per this many bytes of the memory limit.
MAX_SORTED_SHARE = 0.25
BYTES_PER_SORTED_VALUE = 64
#: About this many values of each side are sampled (to see whether values repeat, and to
#: cut the cells).
SAMPLE_VALUES = 50_000
#: Values repeat a lot (counting them per value pays) when a sample holds at most this
#: share of distinct values.
REPEATING_SHARE = 0.05


def changed() -> DriftInputError:
    return DriftInputError("the duckdb engine read different values in two scans of the same "
                           "data: the data changed while the check ran")


def reduce(engine: DuckDBEngine, feature: str, pooled: str, n1: int, n2: int, charts: bool
           ) -> Reduction:
    """The KS gap and its location with scipy's rules, the Wasserstein sum, the baseline's
    decile edges (and the chart's grid): from cells when the values are many floats that
    rarely repeat, else from one sort of all of them."""
    import numpy as np

    floats = all(side.types[feature] in sql.FLOATS for side in engine.sides.values())
    if floats and n1 + n2 >= CELLED_MIN_VALUES:
        sample = _float_sample(engine, feature)
        if sample.size:
            distinct = int(np.count_nonzero(sample[1:] != sample[:-1])) + 1
            if distinct <= REPEATING_SHARE * sample.size:
                return _sorted(engine, pooled, n1, n2, charts, grouped=True)
            reduced = _celled(engine, feature, sample, n1, n2, charts)
            if reduced is not None:
                return reduced
    return _sorted(engine, pooled, n1, n2, charts, _few_values(engine, feature))


def _sampled(engine: DuckDBEngine, feature: str, method: str = "system") -> str:
    """The pooled finite values of about ``SAMPLE_VALUES`` rows of each side (all of a
    small side), as a SELECT of ``v`` and ``t``. ``system`` samples whole vectors of rows,
    which scans skip: it costs next to nothing, but may miss a small table."""
    finite = []
    for role in ("baseline", "candidate"):
        share = 100.0 * SAMPLE_VALUES / max(engine.sides[role].rows, 1)
        sample = f"TABLESAMPLE {share:.9f}% ({method}, 7)" if share < 50 else ""
        finite.append(engine.finite(role, feature, sample))
    return sql.pooled(finite[0], finite[1])


def _few_values(engine: DuckDBEngine, feature: str) -> bool:
    """Whether the values repeat a lot (counting them first pays), from a sample."""
    for method in ("system", "bernoulli"):
        sampled_values = _sampled(engine, feature, method)
        distinct, sampled = engine.one(
            f"SELECT approx_count_distinct(v), count(*) FROM ({sampled_values})")
        if int(sampled) >= SAMPLE_VALUES // 10:
            break
    return bool(sampled) and int(distinct) <= REPEATING_SHARE * int(sampled)


def _float_sample(engine: DuckDBEngine, feature: str) -> Any:
    """A sample of the pooled finite values (float64), sorted; empty when the sides hold no
    finite value."""
    import numpy as np

    sample = np.empty(0)
    for method in ("system", "bernoulli"):
        batches = list(engine.batches(f"SELECT v FROM ({_sampled(engine, feature, method)})"))
        sample = np.concatenate(batches) if batches else np.empty(0)
        if sample.size >= SAMPLE_VALUES // 10:
            break
    return np.sort(sample)


def _sorted(engine: DuckDBEngine, pooled: str, n1: int, n2: int, charts: bool,
            grouped: bool) -> Reduction:
    """:func:`reduce` by one sort of the pooled values (counted per value first when
    ``grouped``)."""
    from pytest_drift.engines.steps import Reduction, plain_number
    from pytest_drift.stats.ks import KsGap

    gap = f"(CAST(b1 AS DOUBLE) / {float(n1)!r} - CAST(b2 AS DOUBLE) / {float(n2)!r})"
    row = "{'v': v, 'b1': b1, 'b2': b2}"
    deciles = steps.decile_ranks(n1)
    decile_ranks = [*deciles[0].tolist(), *deciles[1].tolist()]
    wanted = sql.at_ranks(grouped, "b1", decile_ranks, baseline=True)
    grid_ranks = steps.grid_ranks(n1 + n2)
    pooled_ranks = [*grid_ranks[0].tolist(), *grid_ranks[1].tolist()]
    if charts:
        wanted += sql.at_ranks(grouped, "(b1 + b2)", pooled_ranks, baseline=False)
    # steps.negative_wins and steps._first as keys: of the values attaining the extreme,
    # the smallest the baseline has (t = 1), else the smallest. The gap is only defined
    # (not NULL) on rows that end a value; aggregates skip the others.
    found = engine.one(f"""
        WITH steps AS ({sql.running_counts(pooled, grouped)}),
        gaps AS (SELECT *, CASE WHEN last THEN {gap} END AS g FROM steps)
        SELECT max(g), min(g),
               sum(abs(g) * (CAST(nv AS DOUBLE) - CAST(v AS DOUBLE))),
               arg_min({row}, CASE WHEN last THEN {{'a': -g, 'b': -t, 'c': v}} END),
               arg_min({row}, CASE WHEN last THEN {{'a': g, 'b': -t, 'c': v}} END),
               {", ".join(wanted)}
        FROM gaps""")
    largest, smallest, area, at_largest, at_smallest = found[:5]
    at = at_smallest if steps.negative_wins(largest, smallest) else at_largest
    ks_gap = KsGap(n1, n2, int(at["b1"]), int(at["b2"]), plain_number(at["v"]))
    values, used = sql.values_at(grouped, found[5:], decile_ranks)
    count = len(deciles[0])
    edges = steps.edges_at(values[:count], values[count:], deciles)
    grid = None
    if charts:
        values, _ = sql.values_at(grouped, found[5 + used:], pooled_ranks)
        half = len(grid_ranks[0])
        grid = steps.chart_grid(steps.edges_at(values[:half], values[half:], grid_ranks),
                                ks_gap.location)
    return Reduction(ks_gap, float(area or 0.0), edges, grid)


def _celled(engine: DuckDBEngine, feature: str, sample: Any, n1: int, n2: int,
            charts: bool) -> Reduction | None:
    """:func:`reduce` from cells (the module's description), bins included; None when the
    cells do not spread the values enough to pay."""
    import numpy as np

    from pytest_drift.engines.cells import CellCounts, Cells, exact_in_int64

    if not exact_in_int64(n1, n2):
        return None
    low, high = (float(x) for x in np.quantile(
        sample, [CELL_RANGE_QUANTILE, 1.0 - CELL_RANGE_QUANTILE]))
    cells = Cells.cut(low, high, n1 + n2, VALUES_PER_CELL, MIN_CELLS, MAX_CELLS)
    if cells is None:
        return None
    finite = [engine.finite(role, feature) for role in ("baseline", "candidate")]
    counts = CellCounts(cells, *(cells.tally(engine.batches(query)) for query in finite))
    if (counts.n1, counts.n2) != (n1, n2):
        raise changed()
    to_sort = counts.to_sort(charts)
    most = min(MAX_SORTED_SHARE * (n1 + n2), engine.memory_limit / BYTES_PER_SORTED_VALUE)
    expected = counts.sorted_values(to_sort)
    if sum(expected) > most:
        return None
    train, prod = (cells.select(engine.batches(query), to_sort) for query in finite)
    if (train.size, prod.size) != expected:
        raise changed()
    return counts.reduce(train, prod, to_sort, charts)


def bins(engine: DuckDBEngine, pooled: str, edges: Any) -> Bins:
    """Counts of both sides in the bins at ``edges`` (a value on an edge goes up)."""
    from pytest_drift.engines.steps import Bins

    index = " + ".join(f"CAST(CAST(v AS DOUBLE) >= {float(edge)!r} AS INTEGER)"
                       for edge in edges) or "0"
    rows = engine.con.execute(f"SELECT {index} AS bin, t, count(*) FROM ({pooled}) "
                              "GROUP BY ALL").fetchall()
    counts = {(int(b), int(t)): int(n) for b, t, n in rows}
    size = len(edges) + 1
    return Bins(tuple(float(e) for e in edges),
                tuple(counts.get((b, 1), 0) for b in range(size)),
                tuple(counts.get((b, 0), 0) for b in range(size)))


def chart(engine: DuckDBEngine, pooled: str, grid: Any, n1: int, n2: int, gap_at: Any
          ) -> dict[str, Any]:
    """Both ECDFs at the grid: each value counted at the first grid point at or above it
    (an ASOF join), then summed along the grid."""
    import numpy as np

    rows = engine.con.execute(
        f"""WITH grid AS (SELECT unnest(?::DOUBLE[]) AS x),
                pooled AS (SELECT CAST(v AS DOUBLE) AS v, t FROM ({pooled}))
            SELECT grid.x, pooled.t, count(*) FROM pooled ASOF JOIN grid
            ON pooled.v <= grid.x GROUP BY ALL""", [grid.tolist()]).fetchall()
    at = {float(x): index for index, x in enumerate(grid.tolist())}
    counts = np.zeros((2, len(grid)), dtype=np.int64)
    for x, t, count in rows:
        counts[0 if int(t) == 1 else 1, at[float(x)]] += int(count)
    below = np.cumsum(counts, axis=1)
    return steps.ecdf(grid, (below[0] / n1).tolist(), (below[1] / n2).tolist(), gap_at)
