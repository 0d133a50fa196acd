"""Generate the benchmark datasets: deterministic, one baseline and one candidate per size.

Every column is drawn from ``numpy.random.default_rng([SEED, column, side])``, so a column's
values depend only on the seed, its index, the side and the row count, never on the order in
which columns or sizes are generated. Column kinds cycle through :data:`KINDS`; the columns
of every third block of six are shifted in the candidate (:func:`is_shifted`).

Each size is written to ``benchmarks/data/<size>/`` as ``baseline.csv``, ``candidate.csv``,
``baseline.parquet`` and ``candidate.parquet``, with a ``manifest.json`` of the parameters.
A size whose manifest and files already match is skipped.

    python benchmarks/generate.py --sizes small,mid
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

#: Bump when the generated data changes for the same parameters (the manifest records it).
GENERATOR_VERSION = 1
SEED = 20_240_607
DATA_DIR = Path(__file__).resolve().parent / "data"
SIDES = ("baseline", "candidate")
FORMATS = ("parquet", "csv")

#: The kinds of column, in the order they cycle through the columns:
#: ``float`` continuous normal (full precision); ``int_ties`` Poisson(20) integers (about 40
#: distinct values, heavy ties); ``flag`` 0/1 integers; ``float_nan`` log-normal with 5%
#: missing (null in Parquet, an empty cell in CSV, NaN in pandas); ``category`` 12 string
#: labels with skewed shares; ``float_2dp`` gamma-distributed prices rounded to 2 decimals.
KINDS = ("float", "int_ties", "flag", "float_nan", "category", "float_2dp")
CATEGORIES = tuple(f"cat_{i:02d}" for i in range(12))


@dataclass(frozen=True)
class Size:
    baseline_rows: int
    candidate_rows: int
    columns: int


SIZES: dict[str, Size] = {
    "small": Size(5_000, 5_000, 12),
    "mid": Size(150_000, 400_000, 12),
    "large": Size(1_000_000, 1_000_000, 50),
    "wide": Size(356_000, 356_000, 100),
}


def kind_of(column: int) -> str:
    return KINDS[column % len(KINDS)]


def is_shifted(column: int) -> bool:
    """Columns of blocks 0, 3, 6, ... (six columns a block) are shifted in the candidate:
    6 of 12 columns, 18 of 50, 36 of 100."""
    return (column // len(KINDS)) % 3 == 0


def column_name(column: int) -> str:
    return f"c{column:03d}_{kind_of(column)}"


def _category_shares(shifted: bool) -> npt.NDArray[np.float64]:
    weights = 1.0 / np.arange(1, len(CATEGORIES) + 1, dtype=np.float64) ** 1.1
    shares: npt.NDArray[np.float64] = weights / weights.sum()
    if shifted:  # 4 points of share move from the top category to the 3rd and the last
        shares = shares.copy()
        shares[0] -= 0.04
        shares[2] += 0.02
        shares[-1] += 0.02
    return shares


def column_values(column: int, side: int, rows: int) -> Any:
    """The values of one column on one side (0 baseline, 1 candidate), as a pyarrow array."""
    import pyarrow as pa

    rng = np.random.default_rng([SEED, column, side])
    shift = side == 1 and is_shifted(column)
    kind = kind_of(column)
    if kind == "float":
        return pa.array(rng.normal(10.0 + column + (0.1 if shift else 0.0), 1.0, rows))
    if kind == "int_ties":
        return pa.array(rng.poisson(21.0 if shift else 20.0, rows).astype(np.int64))
    if kind == "flag":
        return pa.array((rng.random(rows) < (0.33 if shift else 0.30)).astype(np.int64))
    if kind == "float_nan":
        values = rng.lognormal(0.05 if shift else 0.0, 1.0, rows)
        missing = rng.random(rows) < 0.05
        return pa.array(values, mask=missing)
    if kind == "category":
        codes = rng.choice(len(CATEGORIES), size=rows, p=_category_shares(shift))
        return pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32)), pa.array(CATEGORIES)).cast(pa.string())
    if kind == "float_2dp":
        return pa.array(np.round(rng.gamma(2.0, 50.0, rows) + (2.0 if shift else 0.0), 2))
    raise ValueError(kind)


def table(size: Size, side: int) -> Any:
    import pyarrow as pa

    rows = size.baseline_rows if side == 0 else size.candidate_rows
    return pa.table({column_name(c): column_values(c, side, rows)
                     for c in range(size.columns)})


def path_of(size_name: str, side: str, fmt: str) -> Path:
    return DATA_DIR / size_name / f"{side}.{fmt}"


def manifest_path(size_name: str) -> Path:
    return DATA_DIR / size_name / "manifest.json"


def parameters(size_name: str) -> dict[str, Any]:
    """What the data of a size is made from: equal parameters mean equal files."""
    size = SIZES[size_name]
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "size": size_name,
        **asdict(size),
        "numpy": np.__version__,  # default_rng streams are stable, but record it anyway
        "columns_detail": [
            {"name": column_name(c), "kind": kind_of(c), "shifted": is_shifted(c)}
            for c in range(size.columns)
        ],
    }


def read_manifest(size_name: str) -> dict[str, Any] | None:
    try:
        loaded: dict[str, Any] = json.loads(manifest_path(size_name).read_text())
    except (OSError, ValueError):
        return None
    return loaded


def is_current(size_name: str) -> bool:
    """The manifest has the same parameters and every file exists with its recorded size."""
    manifest = read_manifest(size_name)
    if manifest is None or manifest.get("parameters") != parameters(size_name):
        return False
    files: dict[str, int] = manifest.get("files", {})
    for side in SIDES:
        for fmt in FORMATS:
            path = path_of(size_name, side, fmt)
            if not path.exists() or files.get(path.name) != path.stat().st_size:
                return False
    return True


def _write(data: Any, path: Path, fmt: str) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    partial = path.with_name(path.name + ".partial")
    if fmt == "parquet":
        pq.write_table(data, partial)
    else:
        pacsv.write_csv(data, partial)
    os.replace(partial, path)


def generate(size_name: str, *, force: bool = False) -> float | None:
    """Write one size's files; the seconds it took, or None when they were current."""
    if not force and is_current(size_name):
        return None
    started = time.perf_counter()
    directory = DATA_DIR / size_name
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path(size_name).unlink(missing_ok=True)
    files: dict[str, int] = {}
    for index, side in enumerate(SIDES):
        data = table(SIZES[size_name], index)
        for fmt in FORMATS:
            path = path_of(size_name, side, fmt)
            _write(data, path, fmt)
            files[path.name] = path.stat().st_size
        del data
    manifest = {"parameters": parameters(size_name), "files": files,
                "seconds": round(time.perf_counter() - started, 3)}
    manifest_path(size_name).write_text(json.dumps(manifest, indent=2) + "\n")
    return time.perf_counter() - started


def parse_sizes(raw: str) -> list[str]:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if names == ["all"]:
        return list(SIZES)
    unknown = [name for name in names if name not in SIZES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown size {', '.join(unknown)}; known: {', '.join(SIZES)} (or all)")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=["small", "mid"],
                        help=f"comma-separated, of {', '.join(SIZES)}, or all "
                             "(default: small,mid)")
    parser.add_argument("--force", action="store_true",
                        help="rewrite the files even when the manifest matches")
    args = parser.parse_args(argv)
    for size_name in args.sizes:
        size = SIZES[size_name]
        shape = (f"{size.baseline_rows:,} x {size.candidate_rows:,} rows x "
                 f"{size.columns} columns")
        seconds = generate(size_name, force=args.force)
        if seconds is None:
            print(f"{size_name}: {shape}: up to date, skipped", file=sys.stderr)
        else:
            print(f"{size_name}: {shape}: written in {seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
