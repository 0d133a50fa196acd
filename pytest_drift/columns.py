"""Read one column of a loaded dataset as the values a test needs.

A dataset arrives as a ``pyarrow.Table`` (from files) or a ``pandas.DataFrame`` (from the
user). Both are read through :func:`column_kind`, :func:`numeric_column` and
:func:`category_counts`, so the rest of the core never branches on the container.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

ColumnKind = Literal["numeric", "categorical", "empty", "unsupported"]


@dataclass(frozen=True)
class KindInfo:
    kind: ColumnKind
    #: The column's type as the user would name it, e.g. ``int64`` or ``string``.
    type_name: str


@dataclass(frozen=True)
class NumericColumn:
    """The finite values of a numeric column, and how many were missing or ±inf."""

    values: npt.NDArray[np.float64]
    missing: int
    infinite: int


@dataclass(frozen=True)
class CategoryCounts:
    counts: dict[str, int]
    missing: int


def is_pandas(frame: Any) -> bool:
    return type(frame).__module__.startswith("pandas")


def column_names(frame: Any) -> list[str]:
    """Column names of a ``pyarrow.Table`` or ``pandas.DataFrame``, as strings."""
    if is_pandas(frame):
        return [str(c) for c in frame.columns]
    return list(frame.column_names)


def _pandas_column(frame: Any, name: str) -> Any:
    for column in frame.columns:
        if str(column) == name:
            return frame[column]
    raise KeyError(name)


def column_kind(frame: Any, name: str) -> KindInfo:
    """Infer how a column is tested: numbers are numeric; strings, categories and booleans
    are categorical; a column with no value at all is empty; anything else is unsupported."""
    if is_pandas(frame):
        return _pandas_kind(_pandas_column(frame, name))
    import pyarrow as pa

    dtype = frame.schema.field(name).type
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if pa.types.is_null(dtype) or frame.column(name).null_count == frame.num_rows:
        return KindInfo("empty", str(dtype))
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return KindInfo("numeric", str(dtype))
    if (pa.types.is_boolean(dtype) or pa.types.is_string(dtype)
            or pa.types.is_large_string(dtype)):
        return KindInfo("categorical", str(dtype))
    return KindInfo("unsupported", str(dtype))


def _pandas_kind(series: Any) -> KindInfo:
    import pandas as pd

    dtype = series.dtype
    name = str(dtype)
    if series.isna().all():
        return KindInfo("empty", name)
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return KindInfo("categorical", name)
    if pd.api.types.is_numeric_dtype(dtype):
        return KindInfo("numeric", name)
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
            return KindInfo("numeric", name)
        if inferred in ("string", "boolean", "mixed", "mixed-integer", "categorical"):
            return KindInfo("categorical", name)
        return KindInfo("unsupported", f"{name} ({inferred})")
    return KindInfo("unsupported", name)


def numeric_column(frame: Any, name: str) -> NumericColumn:
    """The column as float64: NaN and nulls counted as missing, ±inf counted apart."""
    import numpy as np

    if is_pandas(frame):
        import pandas as pd

        raw = pd.to_numeric(_pandas_column(frame, name), errors="raise")
        values = np.asarray(raw.astype("float64").to_numpy(na_value=np.nan), dtype=np.float64)
    else:
        import pyarrow as pa
        import pyarrow.compute as pc

        column = frame.column(name)
        if not pa.types.is_floating(column.type):
            column = pc.cast(column, pa.float64())
        values = np.asarray(column.to_numpy(), dtype=np.float64)
    missing = int(np.isnan(values).sum())
    infinite = int(np.isinf(values).sum())
    finite = values[np.isfinite(values)] if missing or infinite else values
    return NumericColumn(finite, missing, infinite)


def _label(value: Any) -> str:
    """A category's name: integral floats print as integers, so 4 and 4.0 are one category."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def category_counts(frame: Any, name: str) -> CategoryCounts:
    """Count each category of the column by its string label; nulls and NaN are missing."""
    counts: dict[str, int] = {}
    if is_pandas(frame):
        series = _pandas_column(frame, name)
        missing = int(series.isna().sum())
        for value, count in series.dropna().value_counts(sort=False).items():
            if count == 0:  # a declared but unused category of a pandas categorical
                continue
            label = _label(value.item() if hasattr(value, "item") else value)
            counts[label] = counts.get(label, 0) + int(count)
        return CategoryCounts(counts, missing)

    import pyarrow as pa
    import pyarrow.compute as pc

    column = frame.column(name)
    if pa.types.is_floating(column.type):  # NaN is missing, not a category
        column = pc.if_else(pc.is_nan(column), None, column)
    missing = int(column.null_count)
    for item in pc.value_counts(column.drop_null()).to_pylist():
        label = _label(item["values"])
        counts[label] = counts.get(label, 0) + int(item["counts"])
    return CategoryCounts(counts, missing)
