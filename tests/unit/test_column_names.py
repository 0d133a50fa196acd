"""Column labels through ``compare()``: a name given twice (a CSV header, pandas labels, an
int and a str label of one name) is an input error naming the column and the side, never
one of the copies tested; an integer label selects its column.

Every expected statistic is computed here by scipy on the same values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pytest_drift import compare
from pytest_drift.errors import DriftInputError
from tests.unit.stats_support import assert_matches_ks


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_duplicate_csv_header_names_column_and_role(tmp_path: Path, role: str) -> None:
    clean = write(tmp_path / "clean.csv",
                  "a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(40)))
    twins = write(tmp_path / "twins.csv",
                  "a,b,a\n" + "".join(f"{i},{i % 3},{100 + i}\n" for i in range(40)))
    sides = {"baseline": clean, "candidate": clean, role: twins}
    with pytest.raises(DriftInputError) as caught:
        compare(sides["baseline"], sides["candidate"])
    message = str(caught.value)
    assert "duplicate column names 'a'" in message
    assert message.startswith(f"{role} "), message
    assert "twins.csv" in message


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_duplicate_pandas_labels_name_column_and_role(role: str) -> None:
    rng = np.random.default_rng(5)
    clean = pd.DataFrame({"a": rng.normal(0, 1, 60), "b": rng.normal(0, 1, 60)})
    twins = pd.DataFrame(rng.normal(0, 1, (60, 3)), columns=["a", "b", "a"])
    sides = {"baseline": clean, "candidate": clean, role: twins}
    with pytest.raises(DriftInputError) as caught:
        compare(sides["baseline"], sides["candidate"])
    message = str(caught.value)
    assert "duplicate column names 'a'" in message
    assert message.startswith(f"{role} "), message


def test_integer_column_label_selects_that_column() -> None:
    rng = np.random.default_rng(6)
    train = pd.DataFrame({0: rng.normal(0, 1, 200), 1: rng.normal(0, 1, 200)})
    prod = pd.DataFrame({0: rng.normal(0.4, 1, 200), 1: rng.normal(0, 1, 200)})
    report = compare(train, prod, features=[0])
    assert list(report.details) == ["0"]
    assert_matches_ks(report.details["0"], train[0].to_numpy(), prod[0].to_numpy())


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_int_and_str_labels_of_one_name_are_duplicates(role: str) -> None:
    rng = np.random.default_rng(7)
    clean = pd.DataFrame({"1": rng.normal(0, 1, 60)})
    mixed = pd.DataFrame({1: rng.normal(0, 1, 60), "1": rng.normal(5, 1, 60)})
    sides = {"baseline": clean, "candidate": clean, role: mixed}
    with pytest.raises(DriftInputError) as caught:
        compare(sides["baseline"], sides["candidate"])
    message = str(caught.value)
    assert "duplicate column names '1'" in message
    assert message.startswith(f"{role} "), message
