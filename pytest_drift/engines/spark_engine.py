"""The ``spark`` engine: data that lives on a Spark cluster, reduced by Spark jobs.

A check's datasets become Spark DataFrames (a DataFrame given to the marker or the API, a
table named ``spark:db.table``, Parquet or Delta files; anything else is loaded as usual and
handed to Spark). Only small results come back to the driver, each bounded by the number of
buckets or of categories, never by the rows:

1. per dataset, one aggregate: rows, and per column non-null, NaN and ±inf counts;
2. per numeric feature, a bounded sample of the pooled values, which cuts the value range
   into buckets of similar size (and tells whether values repeat, so they are counted per
   value first);
3. the exact count of each side in each bucket, so the driver knows how many values lie
   below every bucket: the offsets of a prefix sum over buckets;
4. the rows moved so that each bucket lies in one partition (``repartitionById``, no
   window, no global sort), and each bucket reduced by numpy on its executor with its
   offsets (:mod:`pytest_drift.engines.spark_kernels`): its gaps are the global ECDF gaps,
   so the largest over the buckets is the KS statistic, found where scipy finds it;
5. the counts in the PSI bins, cut at the baseline's deciles that step 4 returned.

Categories, and a snapshot's counts per value, are counted by ``groupBy``
(:mod:`pytest_drift.engines.spark_counts`). The p-values come from the same scipy functions as
on the other engines, so the report is the same.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pytest_drift.engines import spark_buckets, spark_counts
from pytest_drift.engines.base import (
    InPlaceEngine,
    NumericSummary,
    empty_side,
    too_few,
)
from pytest_drift.engines.spark_buckets import BucketedReduction
from pytest_drift.engines.spark_read import PooledValues, SparkSide, read_source
from pytest_drift.engines.spark_session import (
    column,
    first_line,
    quiet,
    require_pyspark,
    spark_session,
)
from pytest_drift.errors import DriftInputError
from pytest_drift.sources import (
    is_spark_frame,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from pytest_drift.columns import CategoryCounts, KindInfo
    from pytest_drift.engines.steps import Bins
    from pytest_drift.loaders import LoadContext, LoadedData
    from pytest_drift.options import CheckOptions

#: A bucket holds about this many values (it is sorted in one executor's memory) ...
VALUES_PER_BUCKET = 2_000_000
#: Buckets are at least as many as the cores, while each holds this many values ...
MIN_VALUES_PER_TASK = 50_000
#: ... and a bucket's range is cut from a sample of at most this many pooled values.
SAMPLE_VALUES = 4_000
#: Up to this many values (both sides) a feature is reduced in one task, in one bucket.
ONE_TASK_VALUES = 200_000
#: Rows per Arrow batch handed to a bucket's reduction (Spark's default is 10,000): a
#: bucket is reduced whole, so fewer, larger batches only save copying.
ARROW_BATCH_ROWS = 1_000_000
#: Values are counted per value before they move when a sample has at most this share of
#: distinct values.
REPEATING_SHARE = 0.05


class SparkEngine(InPlaceEngine):
    """Both datasets as Spark DataFrames of one SparkSession."""

    name = "spark"

    def __init__(self, sources: Sequence[Any], origin: str = "engine") -> None:
        require_pyspark(origin)
        import importlib

        from pyspark import cloudpickle

        # The executors get the kernels' code itself: the cluster needs no pytest-datadrift.
        # (The module as sys.modules holds it, which a package attribute may not be.)
        kernels = importlib.import_module("pytest_drift.engines.spark_kernels")
        cloudpickle.register_pickle_by_value(kernels)  # type: ignore[no-untyped-call]
        with quiet():
            self.session = spark_session(sources)
        self.parallelism = max(1, int(self.session.sparkContext.defaultParallelism))
        self.sides: dict[str, SparkSide] = {}
        self._samples: dict[str, Any] = {}

    # -- opening -----------------------------------------------------------------------------

    def open(self, role: str, source: Any, context: LoadContext, columns: Sequence[str] | None,
             load: Callable[[], LoadedData]) -> SparkSide:
        """Read ``source`` as a DataFrame (only ``columns`` when given) and count it."""
        frame, description, files, schema, loaded = read_source(self.session, source, context, load)
        names = [str(name) for name in frame.columns]
        if columns is not None:
            wanted = set(columns)
            frame = frame.select(*[column(name) for name in names if name in wanted])
        kept = [str(name) for name in frame.columns]
        rows, present, nan, infinite = self._profile(frame, kept)
        if is_spark_frame(source):
            description = f"<pyspark.sql.DataFrame {rows}×{len(names)}>"
        side = SparkSide(frame, description, files, rows, names, present, nan, infinite,
                         schema, loaded)
        self.sides[role] = side
        return side

    def _profile(self, frame: Any, names: Sequence[str]) -> tuple[
            int, dict[str, int], dict[str, int], dict[str, int]]:
        """Rows, and per column its non-null values, NaN and ±inf: one aggregate."""
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        floating = {field.name for field in frame.schema.fields
                    if isinstance(field.dataType, (T.FloatType, T.DoubleType))}
        aggregates = [F.count(F.lit(1))]
        for index, name in enumerate(names):
            value = column(name)
            aggregates.append(F.count(value).alias(f"p{index}"))
            if name in floating:
                aggregates += [
                    F.sum(F.isnan(value).cast("long")).alias(f"n{index}"),
                    F.sum(F.abs(value).eqNullSafe(float("inf")).cast("long"))
                    .alias(f"i{index}")]
        found = self._collect(frame.agg(*aggregates))[0]
        present = {name: int(found[f"p{index}"]) for index, name in enumerate(names)}
        nan = {name: int(found[f"n{index}"] or 0) for index, name in enumerate(names)
               if name in floating}
        infinite = {name: int(found[f"i{index}"] or 0) for index, name in enumerate(names)
                    if name in floating}
        return int(found[0]), present, nan, infinite

    def close(self) -> None:
        """Nothing to release: the session stays for the next check."""

    @contextlib.contextmanager
    def _setting(self, key: str, value: str) -> Iterator[None]:
        """A session setting changed for one job, then put back."""
        before = self.session.conf.get(key, None)
        self.session.conf.set(key, value)
        try:
            yield
        finally:
            if before is None:
                self.session.conf.unset(key)
            else:
                self.session.conf.set(key, before)

    def _collect(self, frame: Any) -> list[Any]:
        """The rows of a small result (every result the engine fetches is one)."""
        return list(self._job(frame.collect))

    def _job(self, action: Callable[[], Any]) -> Any:
        """Run a Spark action; a failed job is an input error whose first line is Spark's
        own (the whole trace stays attached as the cause)."""
        with quiet():
            try:
                return action()
            except Exception as exc:  # py4j's and pyspark's error classes
                if type(exc).__module__.split(".")[0] not in ("py4j", "pyspark"):
                    raise
                raise DriftInputError(
                    f"the spark engine's job failed: {first_line(exc)}") from exc

    # -- the engine protocol -----------------------------------------------------------------

    def kinds(self, feature: str) -> tuple[KindInfo, KindInfo]:
        """As the memory engine infers them: from the loaded frame or the files' Arrow
        schema when there is one, else from the DataFrame's Spark types."""
        from pytest_drift.columns import arrow_kind, column_kind

        kinds = []
        for role in ("baseline", "candidate"):
            side = self.sides[role]
            if side.loaded is not None:
                kinds.append(column_kind(side.loaded, feature))
                continue
            empty = side.present[feature] == 0
            if side.arrow_schema is not None:
                kinds.append(arrow_kind(side.arrow_schema.field(feature).type, empty))
            else:
                kinds.append(spark_buckets.spark_kind(side.frame.schema[feature].dataType, empty))
        return kinds[0], kinds[1]

    def side_categories(self, role: str, feature: str) -> CategoryCounts:
        return spark_counts.categories(self.sides[role].frame, feature, self._collect)

    def value_counts(self, role: str, feature: str) -> tuple[pa.Array, pa.Array]:
        return spark_counts.value_counts(self.sides[role], feature, self._job)

    def grouped_counts(self, role: str, by: Sequence[str], feature: str | None) -> pa.Table:
        return spark_counts.grouped_counts(self.sides[role], by, feature, self._job)

    def summarize(self, feature: str, options: CheckOptions, charts: bool,
                  defer_costly: bool = False) -> NumericSummary | str:
        from pytest_drift.stats.effects import min_detectable_ks
        from pytest_drift.stats.ks import ks_test

        train, prod = self.sides["baseline"], self.sides["candidate"]
        counts = {}
        for role, side in (("baseline", train), ("candidate", prod)):
            nan, infinite = side.nan.get(feature, 0), side.infinite.get(feature, 0)
            counts[role] = (side.present[feature] - nan - infinite,
                            side.rows - side.present[feature] + nan, infinite)
        (n1, missing1, infinite1), (n2, missing2, infinite2) = counts.values()
        reason = (empty_side(n1, infinite1, n2, infinite2)
                  or too_few(n1, n2, options.min_samples))
        if reason:
            return reason
        pooled = PooledValues.of(self.sides, feature)
        reduced = self._reduce(pooled, n1, n2, charts)
        return NumericSummary(
            gap=reduced.gap, ks=ks_test(reduced.gap),
            baseline_missing=missing1, candidate_missing=missing2,
            baseline_infinite=infinite1, candidate_infinite=infinite2,
            baseline_mean=reduced.means[0], candidate_mean=reduced.means[1],
            wasserstein=reduced.wasserstein,
            bins=self._bins(pooled, reduced.edges),
            min_detectable_ks=min_detectable_ks(n1, n2, options.alpha),
            chart=(self._chart(pooled, reduced.grid, n1, n2, reduced.gap.location)
                   if charts else None),
        )

    # -- numeric reduction -------------------------------------------------------------------

    def _reduce(self, pooled: PooledValues, n1: int, n2: int, charts: bool) -> BucketedReduction:
        """Steps 2 to 4 of the module's description: buckets, their counts, their
        reduction; then the gap, Wasserstein, means and decile edges from the buckets'
        rows."""
        import numpy as np
        from pyspark.sql import functions as F

        from pytest_drift.engines.spark_kernels import (
            BUCKET_SCHEMA,
            BucketPlan,
            reduce_partition,
        )
        from pytest_drift.engines.steps import CHART_POINTS, quantile_ranks
        from pytest_drift.stats.effects import PSI_BINS

        below1: tuple[int, ...]
        below2: tuple[int, ...]
        if n1 + n2 <= ONE_TASK_VALUES:
            frame, buckets = pooled.rows.withColumn("bucket", F.lit(0)), 1
            below1, below2 = (0,), (0,)
        else:
            frame, bounds = self._bucketed(pooled, n1 + n2)
            buckets = len(bounds) + 1
            below1, below2 = self._offsets(frame, buckets, pooled.weighted)
        deciles = quantile_ranks(n1, np.arange(1, PSI_BINS) / PSI_BINS)
        grid_ranks = quantile_ranks(n1 + n2, np.linspace(0.0, 1.0, CHART_POINTS - 1))
        plan = BucketPlan(
            n1, n2, below1, below2,
            baseline_ranks=tuple(sorted({*deciles[0].tolist(), *deciles[1].tolist()})),
            pooled_ranks=(tuple(sorted({*grid_ranks[0].tolist(), *grid_ranks[1].tolist()}))
                          if charts else ()))
        frame = frame.withColumn("bucket", F.col("bucket").cast("int"))
        moved = (frame.coalesce(1) if buckets == 1
                 else frame.repartitionById(buckets, "bucket"))
        with quiet():
            reduced = moved.mapInArrow(functools.partial(reduce_partition, plan=plan),
                                       BUCKET_SCHEMA)
        with self._setting("spark.sql.execution.arrow.maxRecordsPerBatch",
                           str(ARROW_BATCH_ROWS)):
            rows = sorted(self._collect(reduced), key=lambda row: int(row["bucket"]))
        spark_buckets.check_counts(pooled.feature, rows, (below1, below2), (n1, n2))
        gap = spark_buckets.gap(rows, n1, n2, pooled.parse)
        means = (math.fsum(float(row["sum1"]) for row in rows) / n1,
                 math.fsum(float(row["sum2"]) for row in rows) / n2)
        edges = spark_buckets.edges(rows, "train", deciles)
        grid = None
        if charts:
            grid = np.unique(np.append(spark_buckets.edges(rows, "pooled", grid_ranks),
                                       float(gap.location)))
        return BucketedReduction(gap, spark_buckets.wasserstein(rows), means, edges, grid)

    def _bucketed(self, pooled: PooledValues, values: int) -> tuple[Any, list[float]]:
        """The pooled rows with the ``bucket`` they fall in (value ranges cut at a sample's
        quantiles), and the cuts."""
        import numpy as np

        buckets = max(min(self.parallelism, math.ceil(values / MIN_VALUES_PER_TASK)),
                      math.ceil(values / VALUES_PER_BUCKET))
        sample = np.sort(np.concatenate([self._sample(role, pooled.feature)
                                         for role in ("baseline", "candidate")]))
        if sample.size and np.unique(sample).size <= REPEATING_SHARE * sample.size:
            pooled.count_values()
        bounds: list[float] = []
        if sample.size and buckets > 1:
            cuts = sample[(np.arange(1, buckets) * sample.size) // buckets]
            bounds = np.unique(cuts[cuts > sample[0]]).tolist()
        return spark_buckets.bucketize(pooled.rows, bounds, "bucket"), bounds

    def _sample(self, role: str, feature: str) -> Any:
        """A sample of the side's finite values of ``feature``, as float64: one job per
        side draws at most ``2 * SAMPLE_VALUES`` rows of every numeric column, at the same
        rate on both sides (so the two pooled follow the pooled values)."""
        import numpy as np
        from pyspark.sql import types as T

        if role not in self._samples:
            side = self.sides[role]
            numeric = [field.name for field in side.frame.schema.fields
                       if isinstance(field.dataType, T.NumericType)]
            fraction = min(1.0, 2.0 * SAMPLE_VALUES / max(sum(self.rows), 1))
            drawn = side.frame.select(*[column(name) for name in numeric]).sample(
                False, fraction, seed=0).limit(2 * SAMPLE_VALUES)
            self._samples[role] = self._job(drawn.toArrow)
        values = self._samples[role].column(feature).to_numpy(zero_copy_only=False)
        floats = np.asarray(values, dtype=np.float64)  # NULL (None) becomes NaN
        return floats[np.isfinite(floats)]

    def _offsets(self, frame: Any, buckets: int, weighted: bool
                 ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """How many values of each side lie below each bucket (step 3)."""
        below = []
        for counts in self._counts_by(frame, "bucket", buckets, weighted):
            offsets = [0] * buckets
            for index in range(1, buckets):
                offsets[index] = offsets[index - 1] + counts[index - 1]
            below.append(tuple(offsets))
        return below[0], below[1]

    def _counts_by(self, frame: Any, key: str, size: int, weighted: bool
                   ) -> tuple[list[int], list[int]]:
        """Each side's count of values per value of ``key`` (0 to ``size - 1``)."""
        from pyspark.sql import functions as F

        if weighted:
            sides = [F.sum("c1").alias("c1"), F.sum("c2").alias("c2")]
        else:
            sides = [F.sum(F.col("t").cast("long")).alias("c1"),
                     F.sum((1 - F.col("t")).cast("long")).alias("c2")]
        counts = [[0] * size, [0] * size]
        for row in self._collect(frame.groupBy(key).agg(*sides)):
            counts[0][int(row[key])] = int(row["c1"])
            counts[1][int(row[key])] = int(row["c2"])
        return counts[0], counts[1]

    def _cell_counts(self, pooled: PooledValues, cuts: Sequence[float]
                     ) -> tuple[list[int], list[int]]:
        """Each side's count of values in the cells ``[cut[i-1], cut[i])`` (values as
        float64, the first cell open below, the last open above)."""
        return self._counts_by(spark_buckets.bucketize(pooled.rows, list(cuts), "cell"), "cell",
                               len(cuts) + 1, pooled.weighted)

    def _bins(self, pooled: PooledValues, edges: Any) -> Bins:
        """Counts in the bins at ``edges`` (a value on an edge goes up), as the memory
        engine cuts them (step 5)."""
        from pytest_drift.engines.steps import Bins

        train, prod = self._cell_counts(pooled, [float(edge) for edge in edges])
        return Bins(tuple(float(edge) for edge in edges), tuple(train), tuple(prod))

    def _chart(self, pooled: PooledValues, grid: Any, n1: int, n2: int, gap_at: Any
               ) -> dict[str, Any]:
        """Both ECDFs at the grid: values at or below each grid point are those below the
        next float up."""
        import numpy as np

        above = np.unique(np.nextafter(grid, np.inf))
        above = above[np.isfinite(above)]
        train, prod = self._cell_counts(pooled, above.tolist())
        heights = [(np.cumsum(side[:len(grid)]) / n).tolist()
                   for side, n in ((train, n1), (prod, n2))]
        return {"kind": "ecdf", "x": grid.tolist(), "train": heights[0],
                "prod": heights[1], "gap_at": float(gap_at)}
