"""Chi-square: categorical features via ``compare()`` must equal ``scipy.stats.chi2_contingency``
(defaults) on the 2×K table of counts over the union of categories; integer categories
(pandas Categorical, Parquet and Arrow dictionaries) and Arrow dictionaries of strings in
pandas are categories too.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_drift import compare
from pytest_drift.stats.chi2 import chi2_test

TOL = 1e-12


def oracle(train: Sequence[Hashable | None], prod: Sequence[Hashable | None],
           label: type = str) -> dict[str, object]:
    """scipy on the 2×K table over the sorted union of the categories seen on either side."""
    left = Counter(label(v) for v in train if v is not None)
    right = Counter(label(v) for v in prod if v is not None)
    categories = sorted(set(left) | set(right))
    table = np.array([[left[c] for c in categories], [right[c] for c in categories]])
    result = stats.chi2_contingency(table)
    n_left, n_right = sum(left.values()), sum(right.values())
    changes = {c: abs(right[c] / n_right - left[c] / n_left) for c in categories}
    return {
        "statistic": float(result.statistic),
        "p_value": float(result.pvalue),
        "dof": int(result.dof),
        "n": (n_left, n_right),
        "shares": {c: (left[c] / n_left, right[c] / n_right) for c in categories},
        "largest_change": max(changes.values()),
    }


def check_feature(report: object, name: str, expected: dict[str, object],
                  missing: tuple[int, int] = (0, 0)) -> None:
    result = report.details[name]  # type: ignore[attr-defined]
    assert result.test == "chi2"
    assert result.kind == "categorical"
    assert math.isclose(result.statistic, expected["statistic"], rel_tol=TOL, abs_tol=TOL)
    assert math.isclose(result.p_value, expected["p_value"], rel_tol=TOL, abs_tol=TOL)
    assert math.isclose(result.p_value, expected["p_value"], rel_tol=1e-9, abs_tol=1e-300)
    assert result.dof == expected["dof"]
    assert result.drift_detected == (expected["p_value"] < 0.05)
    assert (result.baseline_n, result.candidate_n) == expected["n"]
    assert (result.baseline_missing, result.candidate_missing) == missing
    # top_category: the category whose share changed most (any of them on a tie).
    top = result.top_category
    assert top is not None
    shares = expected["shares"]
    assert top.category in shares
    assert (top.baseline_share, top.candidate_share) == pytest.approx(shares[top.category],
                                                                       abs=1e-15)
    assert abs(top.candidate_share - top.baseline_share) == pytest.approx(
        expected["largest_change"], abs=1e-15)


pools = st.lists(
    st.text(alphabet="abcxyzABC_- 0é", min_size=1, max_size=4), min_size=1, max_size=6,
    unique=True,
)


@st.composite
def two_sides(draw: st.DrawFn, with_missing: bool = False
              ) -> tuple[list[str | None], list[str | None]]:
    """Two samples of at least 20 categories each; each side may use only part of the pool."""
    pool = draw(pools)
    left_pool = draw(st.lists(st.sampled_from(pool), min_size=1, unique=True))
    right_pool = draw(st.lists(st.sampled_from(pool), min_size=1, unique=True))
    item_left: st.SearchStrategy[str | None] = st.sampled_from(left_pool)
    item_right: st.SearchStrategy[str | None] = st.sampled_from(right_pool)
    if with_missing:
        item_left = item_left | st.none()
        item_right = item_right | st.none()
    left = draw(st.lists(item_left, min_size=20, max_size=150).filter(
        lambda v: sum(x is not None for x in v) >= 20))
    right = draw(st.lists(item_right, min_size=20, max_size=150).filter(
        lambda v: sum(x is not None for x in v) >= 20))
    return left, right


@settings(max_examples=120, deadline=None)
@given(two_sides())
@example((["a"] * 20, ["a"] * 25))  # one shared category: dof 0, p 1
@example((["a"] * 10 + ["b"] * 10, ["a"] * 20 + ["c"] * 5))  # b gone, c new
@example((["a"] * 20, ["b"] * 20))  # nothing shared
def test_strings_match_chi2_contingency(samples: tuple[list[str], list[str]]) -> None:
    train, prod = samples
    report = compare(pd.DataFrame({"c": train}), pd.DataFrame({"c": prod}))
    check_feature(report, "c", oracle(train, prod))


@settings(max_examples=60, deadline=None)
@given(two_sides(with_missing=True))
def test_strings_with_missing_values(samples: tuple[list[str | None], list[str | None]]
                                     ) -> None:
    train, prod = samples
    report = compare(pd.DataFrame({"c": pd.Series(train, dtype=object)}),
                     pd.DataFrame({"c": pd.Series(prod, dtype=object)}))
    missing = (train.count(None), prod.count(None))
    check_feature(report, "c", oracle(train, prod), missing)


@pytest.mark.parametrize("n", [20, 57])
def test_single_shared_category_has_no_degrees_of_freedom(n: int) -> None:
    report = compare(pd.DataFrame({"c": ["only"] * 30}), pd.DataFrame({"c": ["only"] * n}))
    result = report.details["c"]
    assert result.dof == 0
    assert result.p_value == 1.0
    assert result.statistic == 0.0
    assert result.drift_detected is False
    check_feature(report, "c", oracle(["only"] * 30, ["only"] * n))


def test_unseen_categories_are_columns_of_the_table() -> None:
    train = ["a"] * 40 + ["b"] * 30
    prod = ["a"] * 35 + ["c"] * 25 + ["d"] * 3
    report = compare(pd.DataFrame({"c": train}), pd.DataFrame({"c": prod}))
    expected = oracle(train, prod)
    assert expected["dof"] == 3  # a, b, c, d
    check_feature(report, "c", expected)
    result = report.details["c"]
    # b (gone from the candidate) moved most: 30/70 -> 0
    assert result.top_category.category == "b"
    assert result.top_category.candidate_share == 0.0


def test_top_category_is_largest_absolute_share_change() -> None:
    # shares: a .5 → .2 (-.3), b .3 → .35 (+.05), c .2 → .45 (+.25)
    train = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    prod = ["a"] * 40 + ["b"] * 70 + ["c"] * 90
    top = compare(pd.DataFrame({"c": train}), pd.DataFrame({"c": prod})).details["c"].top_category
    assert top.category == "a"
    assert top.baseline_share == pytest.approx(0.5)
    assert top.candidate_share == pytest.approx(0.2)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.booleans(), min_size=20, max_size=150),
    st.lists(st.booleans(), min_size=20, max_size=150),
    st.integers(0, 5),
)
@example([True] * 20, [True] * 30, 0)
@example([True] * 20, [False] * 30, 0)
def test_bool_columns_are_categorical(train: list[bool], prod: list[bool], n_missing: int
                                      ) -> None:
    left: list[bool | None] = [*train, *([None] * n_missing)]
    report = compare(pd.DataFrame({"flag": left}), pd.DataFrame({"flag": prod}))
    check_feature(report, "flag", oracle(left, prod), (n_missing, 0))
    assert report.details["flag"].top_category.category in ("True", "False")


@settings(max_examples=100, deadline=None)
@given(two_sides(), st.booleans())
def test_pandas_category_dtype(samples: tuple[list[str], list[str]], ordered: bool) -> None:
    train, prod = samples
    # Both sides declare the union of the observed categories (as after pd.concat), in
    # reverse order: the declared order must not matter.
    declared = sorted(set(train) | set(prod), reverse=True)
    dtype = pd.CategoricalDtype(declared, ordered=ordered)
    report = compare(pd.DataFrame({"c": pd.Series(train, dtype=dtype)}),
                     pd.DataFrame({"c": pd.Series(prod, dtype=dtype)}))
    check_feature(report, "c", oracle(train, prod))


def test_declared_but_unobserved_categories_are_not_tested() -> None:
    """A category of the dtype that neither side holds (a filtered frame keeps its dtype) is
    no column of the contingency table: the table is over the categories *seen*."""
    dtype = pd.CategoricalDtype(["a", "b", "c"])
    train = ["a", "b"] * 15
    prod = ["a", "a", "b"] * 10
    report = compare(pd.DataFrame({"c": pd.Series(train, dtype=dtype)}),
                     pd.DataFrame({"c": pd.Series(prod, dtype=dtype)}))
    check_feature(report, "c", oracle(train, prod))


def test_filtered_category_frame() -> None:
    full = pd.DataFrame({"c": pd.Categorical(["x"] * 30 + ["y"] * 30 + ["z"] * 30)})
    train = full[full["c"] != "z"]
    prod = full[full["c"] != "z"].iloc[10:]
    report = compare(train, prod)
    check_feature(report, "c", oracle(list(train["c"]), list(prod["c"])))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-3, 12), min_size=20, max_size=150),
    st.lists(st.integers(-3, 12), min_size=20, max_size=150),
)
@example([1] * 20, [1] * 20)
@example([4] * 20 + [10] * 5, [4] * 20 + [10] * 20)
def test_categorical_override_on_integer_column(train: list[int], prod: list[int]) -> None:
    left, right = pd.DataFrame({"k": train}), pd.DataFrame({"k": prod})
    report = compare(left, right, categorical=["k"])
    check_feature(report, "k", oracle(train, prod))
    # without the override the same column is numeric and goes to KS
    assert compare(left, right).details["k"].test == "ks"


def test_chi2_test_uses_counts_not_proportions() -> None:
    train, prod = [40, 30, 30], [20, 50, 30]
    result = chi2_test(train, prod)
    expected = stats.chi2_contingency(np.array([train, prod]))
    assert result.statistic == pytest.approx(float(expected.statistic), rel=TOL)
    assert result.p_value == pytest.approx(float(expected.pvalue), rel=TOL)
    assert result.dof == expected.dof == 2
    # doubling every count changes the test (it is on counts, not shares)
    doubled = chi2_test([2 * c for c in train], [2 * c for c in prod])
    assert doubled.statistic == pytest.approx(2 * result.statistic, rel=1e-9)


# -- integer categories and Arrow dictionaries ------------------------------------------------


def chi2_oracle(left: pd.Series, right: pd.Series) -> Any:
    counts = pd.concat([left.value_counts(), right.value_counts()], axis=1).fillna(0)
    return stats.chi2_contingency(counts.T.to_numpy())


def assert_matches_chi2(result: Any, oracle: Any) -> None:
    assert result.test == "chi2"
    assert math.isclose(result.statistic, float(oracle.statistic), rel_tol=TOL, abs_tol=TOL)
    assert math.isclose(result.p_value, float(oracle.pvalue), rel_tol=TOL, abs_tol=TOL)
    assert result.dof == oracle.dof


def integer_categories() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(10)
    left = rng.choice([1, 2, 3, 4], 400, p=[0.4, 0.3, 0.2, 0.1])
    right = rng.choice([1, 2, 3, 4, 5], 300, p=[0.25, 0.25, 0.25, 0.15, 0.1])
    return left, right


@pytest.mark.parametrize("container", ["pandas Categorical", "parquet", "pyarrow dictionary"])
def test_categorical_integers_use_chi2(tmp_path: Path, container: str) -> None:
    left, right = integer_categories()
    frames = [pd.DataFrame({"grade": pd.Categorical(v)}) for v in (left, right)]
    sides: list[Any] = frames
    if container == "parquet":  # pandas writes the categories as a dictionary<int64> column
        sides = []
        for role, frame in zip(("baseline", "candidate"), frames, strict=True):
            frame.to_parquet(tmp_path / f"{role}.parquet")
            sides.append(str(tmp_path / f"{role}.parquet"))
    elif container == "pyarrow dictionary":
        sides = [pa.table({"grade": pa.array(v).dictionary_encode()}) for v in (left, right)]
        assert pa.types.is_dictionary(sides[0].schema.field("grade").type)
    report = compare(*sides)
    assert report.skipped_features == {}
    assert_matches_chi2(report.details["grade"], chi2_oracle(pd.Series(left),
                                                             pd.Series(right)))


def test_arrow_dictionary_of_strings_in_pandas_is_categorical() -> None:
    rng = np.random.default_rng(11)
    dtype = pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))
    left = rng.choice(["a", "b", "c"], 200, p=[0.5, 0.3, 0.2])
    right = rng.choice(["a", "b", "c", "d"], 150, p=[0.3, 0.3, 0.3, 0.1])
    frames = [pd.DataFrame({"s": pd.Series(pa.array(v).dictionary_encode(), dtype=dtype)})
              for v in (left, right)]
    assert frames[0]["s"].dtype == dtype
    report = compare(*frames)
    assert "s" not in report.skipped_features
    assert_matches_chi2(report.details["s"], chi2_oracle(pd.Series(left), pd.Series(right)))
