"""The bad time windows of tests/bad_inputs.py: a ``time_column`` that is missing, holds
something that is not a time, has a time zone where the baseline's has none, or is out of
order, and a ``window`` as long as the data. :func:`window_cases` is called by
tests/bad_inputs.py once its ``Case`` exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.bad_inputs import Built, Case

#: Hours of the well-formed log: 40 rows over two days (20 a day).
HOURS = [f"2026-11-0{1 + i // 20}T{i % 20:02d}:00:00" for i in range(40)]


def _log(times: list[str], baseline_times: list[str] | None = None,
         window: str = "1d") -> Callable[[Path], Built]:
    def build(d: Path) -> Built:
        from tests.bad_inputs import HEADER, Built, csv_text, rows, write

        body = rows()
        if baseline_times is None:
            write(d / "data" / "baseline.csv", csv_text())
        else:
            write(d / "data" / "baseline.csv", csv_text(
                (*HEADER, "timestamp"), [[*row, t] for row, t in zip(body, baseline_times,
                                                                      strict=True)]))
        write(d / "data" / "candidate.csv", csv_text(
            (*HEADER, "timestamp"), [[*row, t] for row, t in zip(body, times, strict=True)]))
        return Built("data/baseline.csv", "data/candidate.csv",
                     {"window": window, "time_column": "timestamp"})
    return build


def _no_time_column(d: Path) -> Built:
    from tests.bad_inputs import Built, csv_text, with_baseline, write

    baseline = with_baseline(d)
    write(d / "data" / "candidate.csv", csv_text())
    return Built(baseline, "data/candidate.csv", {"window": "1d", "time_column": "timestamp"})


def window_cases() -> tuple[Case, ...]:
    from tests.bad_inputs import Case

    unparsable = [*HOURS[:5], "last tuesday", *HOURS[6:]]
    unsorted = [HOURS[1], HOURS[0], *HOURS[2:]]
    zoned = [f"{time}Z" for time in HOURS]
    return (
        Case("window-no-time-column", "A time_column the candidate does not have",
             _no_time_column,
             ("window='1d' cuts the candidate by time, but 'timestamp' is no column of the "
              "candidate 'data/candidate.csv'; its columns: size, colour, price",),
             r"Name its column of times with time_column",
             "Give `time_column` the name of the candidate's column of times.",
             named_by=("time_column",)),
        Case("window-unparsable-time", "A time that is not a time",
             _log(unparsable),
             ("time_column='timestamp'", "row 6 holds 'last tuesday', which is not an ISO "
              "8601 time"),
             r"ISO 8601 time \(2026-11-01T10:00:00Z\)",
             "Write every time in ISO 8601 (`2026-11-01T10:00:00Z`).",
             named_by=("time_column",)),
        Case("window-unsorted-times", "Times out of order", _log(unsorted),
             ("time_column='timestamp'", "is not sorted: row 2 (2026-11-01 00:00:00) comes "
              "before row 1 (2026-11-01 01:00:00)"),
             r"sort the log by time", "Sort the candidate by its time column.",
             named_by=("time_column",)),
        Case("window-time-zone-one-side", "Times with a zone on one side only",
             _log(zoned, baseline_times=HOURS),
             ("time_column='timestamp'", "has a time zone in the candidate and none in the "
              "baseline"),
             r"give both sides' times a zone \(or neither\)",
             "Write both sides' times with a zone (`...Z`) or both without.",
             named_by=("time_column",)),
        Case("window-longer-than-data", "A window as long as the data",
             _log(HOURS, window="7d"),
             ("window='7d'", "within one window: choose a shorter window"),
             r"choose a shorter window",
             "Choose a window shorter than the time the candidate spans.",
             named_by=("window",)),
    )
