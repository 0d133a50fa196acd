"""The bad snapshots of tests/bad_inputs.py: a snapshot baseline that does not exist, is
truncated, was edited by hand, is not a snapshot, is of a newer format or no longer fits the
check. :func:`snapshot_cases` is called by tests/bad_inputs.py once its ``Case`` exists (so
neither module imports the other at load time).

Each builder saves a good snapshot of the well-formed baseline with
:func:`pytest_drift.compare`, then spoils it the way the case says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.bad_inputs import Built, Case

#: The snapshot as the cases name it, relative to the directory.
SNAPSHOT = "data/baseline.parquet"
RESTORE = re.escape(f"git checkout -- {SNAPSHOT}")


def _saved(d: Path, **options: Any) -> Path:
    """Write the well-formed baseline and candidate and save the baseline's snapshot."""
    from pytest_drift import compare
    from tests.bad_inputs import csv_text, with_baseline, write

    baseline = with_baseline(d)
    write(d / "data" / "candidate.csv", csv_text())
    compare(str(d / baseline), str(d / "data" / "candidate.csv"), report="",
            save_baseline=d / SNAPSHOT, **options)
    return d / SNAPSHOT


def _built(**options: Any) -> Built:
    from tests.bad_inputs import Built

    return Built(f"snapshot:{SNAPSHOT}", "data/candidate.csv", options)


def _rewritten(path: Path, edit_document: Callable[[dict[str, Any]], None] | None = None,
               edit_table: Callable[[Any], Any] | None = None) -> None:
    """Rewrite the snapshot with its metadata or values edited by hand (digests kept)."""
    import pyarrow.parquet as pq

    from pytest_drift.snapshots.format import METADATA_KEY

    table = pq.read_table(path)
    document = json.loads(table.schema.metadata[METADATA_KEY])
    if edit_document is not None:
        edit_document(document)
    if edit_table is not None:
        table = edit_table(table)
    pq.write_table(table.replace_schema_metadata({METADATA_KEY: json.dumps(document)}), path)


def _missing_snapshot(d: Path) -> Built:
    from tests.bad_inputs import Built

    _saved(d)
    return Built("snapshot:data/nope.parquet", "data/candidate.csv", {})


def _truncated_snapshot(d: Path) -> Built:
    path = _saved(d)
    path.write_bytes(path.read_bytes()[:-40])
    return _built()


def _edited_metadata(d: Path) -> Built:
    _rewritten(_saved(d), edit_document=lambda document: document.update(rows=7))
    return _built()


def _edited_values(d: Path) -> Built:
    import pyarrow as pa

    def shifted(table: Any) -> Any:
        values = [v + 1 for v in table.column("v0")[0].as_py()]
        return table.set_column(0, "v0", pa.array([values]))

    _rewritten(_saved(d), edit_table=shifted)
    return _built()


def _plain_parquet(d: Path) -> Built:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _saved(d)
    pq.write_table(pa.table({"size": [1, 2, 3]}), d / SNAPSHOT)
    return _built()


def _newer_format(d: Path) -> Built:
    _rewritten(_saved(d), edit_document=lambda document: document.update(format=99))
    return _built()


def _lacking_feature(d: Path) -> Built:
    _saved(d, exclude=["price"])
    return _built()


def _sketch_other_test(d: Path) -> Built:
    _saved(d, snapshot_profile="sketch")
    return _built(numeric_test="cvm")


def snapshot_cases() -> tuple[Case, ...]:
    """The bad snapshot cases, in the order of the documentation page."""
    from tests.bad_inputs import Case

    return (
        Case("snapshot-missing", "A snapshot that does not exist", _missing_snapshot,
             ("no snapshot 'snapshot:data/nope.parquet'", "data/nope.parquet does not exist",
              "Snapshots in data: baseline."),
             re.escape("pytest --drift-update-baseline"),
             "Fix the name (the message lists the snapshots that exist), or make the snapshot: "
             "`pytest --drift-update-baseline`, `compare(..., save_baseline=PATH)` or "
             "`datadrift --save-baseline PATH`.",
             named_by=("baseline",)),
        Case("snapshot-truncated", "A truncated snapshot", _truncated_snapshot,
             (f"snapshot {SNAPSHOT} cannot be read as Parquet", "it is truncated or damaged"),
             RESTORE,
             "Restore the file from version control, or make it again with "
             "`pytest --drift-update-baseline`.",
             named_by=()),
        Case("snapshot-edited-metadata", "A snapshot whose metadata was edited by hand",
             _edited_metadata,
             (f"snapshot {SNAPSHOT} does not match its own digest: it was edited or damaged",),
             RESTORE,
             "Restore the file from version control; change a snapshot only through an update "
             "(`pytest --drift-update-baseline`).",
             named_by=()),
        Case("snapshot-edited-values", "A snapshot whose values were edited by hand",
             _edited_values,
             (f"snapshot {SNAPSHOT} holds values of 'size' that do not match its digest",),
             RESTORE,
             "Restore the file from version control; change a snapshot only through an update "
             "(`pytest --drift-update-baseline`).",
             named_by=()),
        Case("snapshot-plain-parquet", "A Parquet file that is not a snapshot", _plain_parquet,
             (f"{SNAPSHOT} is a Parquet file but not a pytest-datadrift snapshot",),
             re.escape("Point snapshot: at a file made by pytest --drift-update-baseline"),
             "Name the data file as the baseline itself (without `snapshot:`), or point "
             "`snapshot:` at a file that an update made.",
             named_by=()),
        Case("snapshot-newer-format", "A snapshot of a newer format version", _newer_format,
             (f"snapshot {SNAPSHOT} has format version 99",
              "this version reads format 1 and older"),
             re.escape("pip install -U pytest-datadrift"),
             "Upgrade pytest-datadrift, or make the snapshot again with this version.",
             named_by=()),
        Case("snapshot-lacks-feature", "A snapshot that no longer fits the check",
             _lacking_feature,
             (f"snapshot {SNAPSHOT} (made with exclude=['price']) does not fit this check",
              "it has no feature 'price', which the candidate 'data/candidate.csv' has"),
             re.escape("approve it: pytest --drift-update-baseline -k <this test>"),
             "If the change is expected, approve it (`pytest --drift-update-baseline -k "
             "<test>`); else change the check back to the options the snapshot was made "
             "with.",
             named_by=()),
        Case("snapshot-sketch-other-test", "A sketched snapshot tested with another test",
             _sketch_other_test,
             (f"snapshot {SNAPSHOT} keeps", "as a KLL sketch, which bounds only the KS "
              "statistic, but this check tests it with cvm"),
             re.escape("Test it with ks, or save the snapshot exactly "
                       "(snapshot_profile='exact'"),
             "Test the feature with `ks` (the only test the sketch's bound holds for), or "
             "save the snapshot exactly: `snapshot_profile='exact'`, then "
             "`pytest --drift-update-baseline`.",
             named_by=()),
    )
