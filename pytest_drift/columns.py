"""Read one column of a loaded dataset as the values a test needs.

A dataset arrives as a ``pyarrow.Table`` (from files) or a ``pandas.DataFrame`` (from the
user). Both are read through :func:`column_kind`, :func:`numeric_column` and
:func:`category_counts`, so the rest of the core never branches on the container.

Numbers keep an exactly ordered type: integers stay integers (a float64 cast would merge
values above 2**53), decimals stay ``decimal.Decimal``; only floats are floats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy.typing as npt

ColumnKind = Literal["numeric", "categorical", "empty", "unsupported"]


@dataclass(frozen=True)
class KindInfo:
    kind: ColumnKind
    #: The column's type as the user would name it, e.g. ``int64`` or ``string``.
    type_name: str


@dataclass(frozen=True)
class NumericColumn:
    """The finite values of a numeric column, and how many were missing or ±inf.

    ``values`` is float64, int64, uint64, or an object array of ``Decimal``.
    """

    values: npt.NDArray[Any]
    missing: int
    infinite: int

    @property
    def mean(self) -> float:
        import numpy as np

        if self.values.dtype == object:
            return float(sum(self.values) / len(self.values))
        return float(np.mean(self.values))


@dataclass(frozen=True)
class CategoryCounts:
    counts: dict[str, int]
    missing: int


def is_pandas(frame: Any) -> bool:
    return any(cls.__module__.startswith("pandas") for cls in type(frame).__mro__)


def column_names(frame: Any) -> list[str]:
    """Column names of a ``pyarrow.Table`` or ``pandas.DataFrame``, as strings."""
    if is_pandas(frame):
        return [str(c) for c in frame.columns]
    return list(frame.column_names)


def duplicated(names: list[str]) -> list[str]:
    """Names that occur more than once (a column cannot be told apart from its twin)."""
    return [name for name, count in Counter(names).items() if count > 1]


def pandas_column(frame: Any, name: str) -> Any:
    """The column of a pandas frame whose name, as a string, is ``name``."""
    for position, column in enumerate(frame.columns):
        if str(column) == name:
            return frame.iloc[:, position]
    raise KeyError(name)


def arrow_kind(dtype: Any, all_null: bool) -> KindInfo:
    """How a column of this Arrow type is tested (``all_null``: it holds no value)."""
    import pyarrow as pa

    if pa.types.is_null(dtype) or all_null:
        return KindInfo("empty", str(dtype))
    if pa.types.is_dictionary(dtype):  # a categorical, whatever its value type
        return KindInfo("categorical", str(dtype))
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return KindInfo("numeric", str(dtype))
    if pa.types.is_boolean(dtype) or pa.types.is_string(dtype) or pa.types.is_large_string(
            dtype):
        return KindInfo("categorical", str(dtype))
    return KindInfo("unsupported", str(dtype))


def column_kind(frame: Any, name: str) -> KindInfo:
    """Infer how a column is tested: numbers are numeric; strings, categories (dictionary
    types) and booleans are categorical; a column with no value at all is empty; anything
    else (dates, nested values, complex numbers) is unsupported."""
    if is_pandas(frame):
        return _pandas_kind(pandas_column(frame, name))
    column = frame.column(name)
    return arrow_kind(column.type, column.null_count == len(column))


def is_float(frame: Any, name: str) -> bool:
    """Whether the column holds floating-point numbers."""
    if is_pandas(frame):
        return str(pandas_column(frame, name).dtype).lower().startswith(("float", "double"))
    import pyarrow as pa

    return bool(pa.types.is_floating(frame.column(name).type))


def _pandas_kind(series: Any) -> KindInfo:
    import pandas as pd

    dtype = series.dtype
    name = str(dtype)
    if series.isna().all():
        return KindInfo("empty", name)
    if isinstance(dtype, pd.ArrowDtype):
        return arrow_kind(dtype.pyarrow_dtype, False)
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return KindInfo("categorical", name)
    if pd.api.types.is_complex_dtype(dtype):
        return KindInfo("unsupported", name)
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


def _split_floats(values: npt.NDArray[Any], missing: int) -> NumericColumn:
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    nan = np.isnan(values)
    inf = np.isinf(values)
    if nan.any() or inf.any():
        return NumericColumn(values[~(nan | inf)], missing + int(nan.sum()), int(inf.sum()))
    return NumericColumn(values, missing, 0)


def _exact(values: list[Any]) -> npt.NDArray[Any]:
    """Python ints or Decimals as an array that orders them exactly."""
    import numpy as np

    if all(isinstance(v, int) for v in values):
        try:
            return np.asarray(values, dtype=np.int64)
        except OverflowError:
            pass
    return np.asarray(values, dtype=object)


def numeric_column(frame: Any, name: str) -> NumericColumn:
    """The column's finite values: nulls and NaN counted as missing, ±inf counted apart."""
    if is_pandas(frame):
        return _pandas_numeric(pandas_column(frame, name))
    import pyarrow as pa

    column = frame.column(name)
    missing = column.null_count
    present = column.drop_null()
    dtype = column.type
    if pa.types.is_integer(dtype):
        return NumericColumn(present.to_numpy(), missing, 0)
    if pa.types.is_decimal(dtype):
        return NumericColumn(_exact(present.to_pylist()), missing, 0)
    return _split_floats(present.to_numpy(), missing)


def _pandas_numeric(series: Any) -> NumericColumn:
    import numpy as np
    import pandas as pd

    missing = int(series.isna().sum())
    present = series.dropna()
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return numeric_column(pa.table({"v": pa.array(series)}), "v")
    if pd.api.types.is_integer_dtype(dtype):
        target = np.uint64 if pd.api.types.is_unsigned_integer_dtype(dtype) else np.int64
        return NumericColumn(present.to_numpy(dtype=target), missing, 0)
    if pd.api.types.is_float_dtype(dtype):
        return _split_floats(present.to_numpy(dtype=np.float64, na_value=np.nan), missing)
    # An object column of Python numbers.
    if pd.api.types.infer_dtype(present, skipna=False) in ("integer", "decimal"):
        return NumericColumn(_exact(present.tolist()), missing, 0)
    return _split_floats(pd.to_numeric(present).to_numpy(dtype=np.float64), missing)


def category_label(value: Any) -> str:
    """A category's name: integral floats print as integers, so 4 and 4.0 are one category."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def counts_of_values(rows: Iterable[tuple[Any, Any]]) -> CategoryCounts:
    """Counts per category label from ``(value, count)`` pairs, as a database's
    ``GROUP BY`` returns them; the ``None`` value counts as missing."""
    counts: dict[str, int] = {}
    missing = 0
    for value, count in rows:
        if value is None:
            missing += int(count)
        else:
            label = category_label(value)
            counts[label] = counts.get(label, 0) + int(count)
    return CategoryCounts(counts, missing)


def category_counts(frame: Any, name: str) -> CategoryCounts:
    """Count each category of the column by its string label; nulls and NaN are missing."""
    counts: dict[str, int] = {}
    if is_pandas(frame):
        series = pandas_column(frame, name)
        missing = int(series.isna().sum())
        for value, count in series.dropna().value_counts(sort=False).items():
            if count == 0:  # a declared but unused category of a pandas categorical
                continue
            label = category_label(value.item() if hasattr(value, "item") else value)
            counts[label] = counts.get(label, 0) + int(count)
        return CategoryCounts(counts, missing)

    import pyarrow as pa
    import pyarrow.compute as pc

    column = frame.column(name)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_floating(column.type):  # NaN is missing, not a category
        column = pc.if_else(pc.is_nan(column), None, column)
    missing = int(column.null_count)
    for item in pc.value_counts(column.drop_null()).to_pylist():
        label = category_label(item["values"])
        counts[label] = counts.get(label, 0) + int(item["counts"])
    return CategoryCounts(counts, missing)
