"""The three contenders of the benchmark, light to import (each imports its libraries when
called), so that a fresh process can time its own imports: see ``run.py`` and ``cold.py``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

CONTENDERS = ("floor", "loop", "compare")
#: One feature's result: (kind, statistic, p-value).
Outcome = tuple[str, float, float | None]


def run_floor(baseline: Path, candidate: Path, fmt: str) -> dict[str, Outcome]:
    """Read both files with pyarrow into numpy arrays, nothing else."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    arrays: list[Any] = []
    for path in (baseline, candidate):
        if fmt == "parquet":
            schema = pq.read_schema(path)
            text = [f.name for f in schema if pa.types.is_string(f.type)
                    or pa.types.is_large_string(f.type)]
            data = pq.read_table(path, read_dictionary=text)
        else:
            data = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                auto_dict_encode=True))
        for column in data.columns:
            if pa.types.is_dictionary(column.type):
                arrays.extend(chunk.indices.to_numpy() for chunk in column.chunks)
            else:
                arrays.append(column.to_numpy())
    return {"arrays": ("floor", float(len(arrays)), None)}


def run_loop(baseline: Path, candidate: Path, fmt: str) -> dict[str, Outcome]:
    """pandas reads both files; ks_2samp per numeric column, chi2_contingency per text one."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    train, prod = read(baseline), read(candidate)
    results: dict[str, Outcome] = {}
    for name in train.columns:
        left, right = train[name], prod[name]
        if pd.api.types.is_numeric_dtype(left.dtype):
            ks = stats.ks_2samp(left.dropna().to_numpy(), right.dropna().to_numpy())
            results[str(name)] = ("numeric", float(ks.statistic), float(ks.pvalue))
        else:
            left_counts, right_counts = left.value_counts(), right.value_counts()
            categories = sorted(set(left_counts.index) | set(right_counts.index))
            table = np.array([[int(left_counts.get(c, 0)) for c in categories],
                              [int(right_counts.get(c, 0)) for c in categories]])
            chi2 = stats.chi2_contingency(table)
            results[str(name)] = ("categorical", float(chi2.statistic), float(chi2.pvalue))
    return results


def run_compare(baseline: Path, candidate: Path, fmt: str, **options: Any
                ) -> dict[str, Outcome]:
    from pytest_drift import compare

    report = compare(str(baseline), str(candidate), min_samples=1, **options)
    if report.skipped_features:
        raise RuntimeError(f"compare skipped features: {report.skipped_features}")
    return {name: (result.kind, float(result.statistic),
                   None if result.p_value is None else float(result.p_value))
            for name, result in report.details.items()}


RUNNERS: dict[str, Callable[[Path, Path, str], dict[str, Outcome]]] = {
    "floor": run_floor, "loop": run_loop, "compare": run_compare,
}


def import_for(contender: str) -> None:
    """What the contender imports, loaded before its clock (and memory baseline) starts."""
    import numpy  # noqa: F401
    import pyarrow.csv
    import pyarrow.parquet  # noqa: F401

    if contender == "loop":
        import pandas  # noqa: F401
        import scipy.stats  # noqa: F401
    if contender == "compare":
        # compare() imports what it needs on first use; a tiny call pulls all of it in.
        import pandas as pd

        from pytest_drift import compare

        frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "b", "a"]})
        compare(frame, frame, min_samples=1)
