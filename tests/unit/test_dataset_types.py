"""What ``compare()`` takes as a dataset: a DataFrame subclass is a DataFrame; an object that
is no dataset (a dict, an int, a long list) is a short usage error naming the side and the
types a dataset may be.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pytest_drift import compare
from pytest_drift.errors import DriftUsageError
from tests.unit.stats_support import assert_matches_ks


class MyFrame(pd.DataFrame):
    pass


def test_dataframe_subclass_is_accepted() -> None:
    rng = np.random.default_rng(13)
    train = MyFrame({"x": rng.normal(0, 1, 120)})
    prod = MyFrame({"x": rng.normal(0.5, 1, 120)})
    report = compare(train, prod)
    assert_matches_ks(report.details["x"], train["x"].to_numpy(), prod["x"].to_numpy())


@pytest.mark.parametrize("role", ["baseline", "candidate"])
@pytest.mark.parametrize("thing", [{"x": [1, 2, 3]}, 42, list(range(10_000))],
                         ids=["dict", "int", "long list"])
def test_non_frame_is_a_short_usage_error(role: str, thing: object) -> None:
    frame = pd.DataFrame({"x": np.arange(50.0)})
    sides = {"baseline": frame, "candidate": frame, role: thing}
    with pytest.raises(DriftUsageError) as caught:
        compare(sides["baseline"], sides["candidate"])
    assert caught.value.option == role
    message = str(caught.value)
    assert message.startswith(f"{role}="), message
    assert "pandas.DataFrame" in message
    assert len(message) < 400, message
