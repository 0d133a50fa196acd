"""The bad segments of tests/bad_inputs.py: a segment column that is no column of a dataset,
and one of too many values (an id, a continuous number) refused above ``max_segments`` with
the count. :func:`segment_cases` is called by tests/bad_inputs.py once its ``Case`` exists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.bad_inputs import Built, Case


def _missing_column(d: Path) -> Built:
    from tests.bad_inputs import Built, csv_text, with_baseline, write

    baseline = with_baseline(d)
    write(d / "data" / "candidate.csv", csv_text())
    return Built(baseline, "data/candidate.csv", {"segment_by": ["region"]})


def _too_many_segments(d: Path) -> Built:
    from tests.bad_inputs import HEADER, Built, csv_text, rows, write

    header = (*HEADER, "request_id")
    body = [[*row, str(index)] for index, row in enumerate(rows(300))]
    write(d / "data" / "baseline.csv", csv_text(header, body[:150]))
    write(d / "data" / "candidate.csv", csv_text(header, body[150:]))
    return Built("data/baseline.csv", "data/candidate.csv", {"segment_by": ["request_id"]})


def segment_cases() -> tuple[Case, ...]:
    from tests.bad_inputs import Case

    return (
        Case(
            "segment-missing-column", "A segment column that is not in the data",
            _missing_column,
            ("segment_by=['region']", "'region' is no column of the baseline "
             "'data/baseline.csv'; its columns: size, colour, price"),
            r"its columns: size, colour, price",
            "Name a column both datasets have in `segment_by`.",
            named_by=("segment_by",)),
        Case(
            "segment-too-many", "A segment column of too many values",
            _too_many_segments,
            ("segment_by=['request_id']", "300 segments (baseline and candidate together), "
             "more than max_segments=100"),
            r"segment by columns of few values .*or raise max_segments",
            "Segment by a column of few values (country, device), not an id or a measurement; "
            "or raise `max_segments` when that many segments are meant.",
            named_by=("segment_by",)),
    )
