"""Time windows: the candidate cut into consecutive windows of a pandas offset (``"1d"``,
``"6h"``, ``"W"``) by its ``time_column``, each tested against the whole baseline. Here: the
times read and checked (parsable, present, sorted), the windows' edges and each row's window.
The check itself is :mod:`pytest_drift.window_pipeline`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from pytest_drift.errors import DriftInputError, DriftUsageError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

#: The key of a request's time in a JSON Lines API log: the default ``time_column``.
LOG_TIME_KEY = "timestamp"


def parse_window(raw: object) -> str:
    """A pandas offset alias (``1d``, ``6h``, ``15min``, ``W``, ``MS``), as given."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a pandas offset such as 1d, 6h, 15min or W")
    try:
        _offset(raw.strip())
    except ValueError:
        raise ValueError("is not a pandas offset; use one such as 1d, 6h, 15min or W"
                         ) from None
    return raw.strip()


def _offset(window: str) -> Any:
    """The pandas offset of an alias. Newer pandas deprecates lower-case aliases such as
    ``1d``; they still name the same offset, so the deprecation is not the user's concern."""
    import warnings

    from pandas.tseries.frequencies import to_offset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return to_offset(window)


def is_fixed(window: str) -> bool:
    """Whether the offset is a length of time (days, hours, minutes), not a calendar unit
    anchored somewhere (weeks on a weekday, months, years)."""
    from pandas.tseries.offsets import Day, Tick

    return isinstance(_offset(window), (Tick, Day))


def read_times(values: Any, column: str, where: str, origin: str, require_sorted: bool = True
               ) -> pd.DatetimeIndex:
    """A column of times as pandas timestamps: Arrow or pandas timestamps, or ISO 8601
    text. A missing time, text that is not a time, numbers, a mix of times with and without
    a time zone, and times out of order are input errors that name the option, the row and
    the value."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    named = f"time_column={column!r} (from {origin}) in the {where}"
    series = values.to_pandas() if isinstance(values, (pa.Array, pa.ChunkedArray)) else (
        pd.Series(values))
    missing = np.flatnonzero(series.isna().to_numpy())
    if missing.size:
        raise DriftInputError(f"{named}: {missing.size} rows have no time (the first is row "
                              f"{int(missing[0]) + 1}); every row needs one to be put in a "
                              "window")
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype):
        raise DriftInputError(f"{named} holds numbers ({series.iloc[0]!r}), not times: write "
                              "ISO 8601 times (2026-11-01T10:00:00Z) or a timestamp column")
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        text = series.astype(str)
        parsed = _parsed(text, named)
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if bad.size:
            raise DriftInputError(f"{named}: row {int(bad[0]) + 1} holds {text.iloc[bad[0]]!r}, "
                                  "which is not an ISO 8601 time (2026-11-01T10:00:00Z)")
        if parsed.dtype == object:  # some times with a zone, some without
            raise DriftInputError(f"{named} mixes times with a time zone and times without "
                                  f"one (row 1: {text.iloc[0]!r}); give every time a zone, "
                                  "or none")
        series = parsed
    times = cast("pd.DatetimeIndex", pd.DatetimeIndex(series))
    if not require_sorted:
        return times
    order = np.flatnonzero(np.diff(times.asi8) < 0)
    if order.size:
        row = int(order[0]) + 1
        raise DriftInputError(f"{named} is not sorted: row {row + 1} ({times[row]}) comes "
                              f"before row {row} ({times[row - 1]}); sort the log by time")
    return times


#: The end of an ISO 8601 time with a zone: ``Z`` or an offset such as ``+02:00``.
_ZONED = r"(?:Z|[+-]\d\d:?\d\d)$"


def _parsed(text: pd.Series, named: str) -> Any:
    """ISO 8601 text as times (unparsable ones NaT). Times of several offsets (a log across
    a change to summer time) are one zone, UTC; times with and without a zone are an
    input error."""
    import pandas as pd

    try:
        return pd.to_datetime(text, format="ISO8601", errors="coerce")
    except ValueError:  # offsets that differ, or some times without one
        zoned = text.str.contains(_ZONED, regex=True)
        if not zoned.all():
            plain = text[~zoned].iloc[0]
            raise DriftInputError(
                f"{named} mixes times with a time zone and times without one ({plain!r} "
                "has none); give every time a zone, or none") from None
        return pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)


@dataclass(frozen=True)
class WindowPlan:
    """The windows of a candidate: ``edges[i]`` to ``edges[i + 1]`` (start included), and
    the candidate's rows in each."""

    window: str
    edges: pd.DatetimeIndex
    rows: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    def bounds(self, index: int) -> tuple[str, str]:
        """The window's start and end, ISO 8601."""
        return self.edges[index].isoformat(), self.edges[index + 1].isoformat()


def window_edges(first: pd.Timestamp, last: pd.Timestamp, window: str) -> pd.DatetimeIndex:
    """Consecutive window edges from the window that holds ``first`` to the one after
    ``last``: fixed windows aligned on the epoch (a day starts at midnight), calendar ones
    (weeks, months) on their anchor."""
    import pandas as pd

    offset = _offset(window)
    start = first.floor(offset) if is_fixed(window) else offset.rollback(first.normalize())
    edges = [start]
    while edges[-1] <= last:
        edges.append(edges[-1] + offset)
    return cast("pd.DatetimeIndex", pd.DatetimeIndex(edges))


def window_codes(times: pd.DatetimeIndex, edges: pd.DatetimeIndex) -> npt.NDArray[np.int64]:
    """Each time's window: the last edge at or before it."""
    import numpy as np

    positions = np.searchsorted(edges.as_unit("ns").asi8, times.as_unit("ns").asi8,
                                side="right")
    return cast("npt.NDArray[np.int64]", positions.astype(np.int64) - 1)


def plan_windows(times: pd.DatetimeIndex, window: str, origin: str) -> WindowPlan:
    """The windows of these (sorted) times; fewer than two windows is a usage error: the
    window is as long as the data or longer."""
    import numpy as np

    edges = window_edges(times[0], times[-1], window)
    if len(edges) - 1 < 2:
        raise DriftUsageError(
            "window", window, origin,
            f"the candidate's times span {times[-1] - times[0]} ({times[0].isoformat()} to "
            f"{times[-1].isoformat()}), within one window: choose a shorter window, or "
            "check the whole candidate without one")
    counts = np.bincount(window_codes(times, edges), minlength=len(edges) - 1)
    return WindowPlan(window, edges, tuple(int(count) for count in counts))
