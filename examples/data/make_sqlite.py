"""Build data/warehouse.db, the SQLite database read by conftest.py's loader hook.

The tables hold the Seattle weather data: ``weather_2012_13`` (the baseline CSV's rows) and
``weather_2014_15`` (the requests of the API log), as a warehouse would keep them. Run it
from anywhere; the output is the same every time:

    python examples/data/make_sqlite.py
"""

from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "seattle_weather_api_log"
COLUMNS = ("precipitation", "temp_max", "temp_min", "wind")


def main() -> None:
    """Write warehouse.db from the baseline CSV and the API log."""
    with open(SOURCE / "baseline.csv", newline="") as stream:
        baseline = [tuple(float(row[c]) for c in COLUMNS) for row in csv.DictReader(stream)]
    with open(SOURCE / "candidate.jsonl") as stream:
        candidate = [tuple(json.loads(line)["features"][c] for c in COLUMNS)
                     for line in stream if line.strip()]
    target = HERE / "warehouse.db"
    target.unlink(missing_ok=True)
    columns = ", ".join(f"{c} REAL" for c in COLUMNS)
    with closing(sqlite3.connect(target)) as connection, connection:
        for table, rows in (("weather_2012_13", baseline), ("weather_2014_15", candidate)):
            connection.execute(f"CREATE TABLE {table} ({columns})")
            connection.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", rows)
    print(f"wrote {target}: {len(baseline)} + {len(candidate)} rows")


if __name__ == "__main__":
    main()
