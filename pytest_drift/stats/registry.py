"""The statistical tests a feature can be given, by name.

Built in: ``ks`` and ``cvm`` and ``anderson`` for numbers, ``chi2`` for categories, ``psi``
for either (a distance with a threshold, not a p-value). A ``conftest.py`` adds its own
through the ``pytest_drift_register_tests`` hook.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pytest_drift.stats.ks import KsGap

if TYPE_CHECKING:
    import numpy.typing as npt

Kind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class NumericData:
    """A numeric feature's finite values on each side (exactly ordered) and its KS gap.

    This and :class:`CategoricalData` are what a registered test receives: their field
    names (``train``/``prod``) are the hook's public API and stay as they are.
    """

    train: npt.NDArray[Any]
    prod: npt.NDArray[Any]
    gap: KsGap


@dataclass(frozen=True)
class CategoricalData:
    """A categorical feature's 2×K table over the sorted union of categories."""

    categories: tuple[str, ...]
    train_counts: tuple[int, ...]
    prod_counts: tuple[int, ...]


@dataclass(frozen=True)
class TestOutcome:
    """What a test found. ``p_value`` None makes the statistic a distance: the feature
    drifts when it reaches the check's ``psi_threshold``."""

    statistic: float
    p_value: float | None
    notes: tuple[str, ...] = ()
    dof: int | None = None


class StatTest(Protocol):
    """A two-sample test. ``kinds`` says which features it applies to: ``run`` gets a
    :class:`NumericData` or a :class:`CategoricalData`."""

    @property
    def name(self) -> str: ...

    @property
    def kinds(self) -> frozenset[Kind]: ...

    def run(self, data: Any) -> TestOutcome: ...


def _quietly(function: Callable[[], Any]) -> tuple[Any, tuple[str, ...]]:
    """Call ``function``, keeping scipy's warnings as notes instead of letting them out."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function()
    return result, tuple(str(w.message) for w in caught)


@dataclass(frozen=True)
class KsTest:
    name: str = "ks"
    kinds: frozenset[Kind] = frozenset({"numeric"})

    def run(self, data: NumericData) -> TestOutcome:
        from pytest_drift.stats.ks import ks_test

        result = ks_test(data.gap)
        return TestOutcome(result.statistic, result.p_value, result.notes)


@dataclass(frozen=True)
class Chi2Test:
    name: str = "chi2"
    kinds: frozenset[Kind] = frozenset({"categorical"})

    def run(self, data: CategoricalData) -> TestOutcome:
        from pytest_drift.stats.chi2 import chi2_test

        result = chi2_test(data.train_counts, data.prod_counts)
        return TestOutcome(result.statistic, result.p_value, dof=result.dof)


def _floats(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    import numpy as np

    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class CvmTest:
    """Cramér-von Mises (``scipy.stats.cramervonmises_2samp``): weighs the whole ECDF,
    more sensitive than KS to shifts spread over the range."""

    name: str = "cvm"
    kinds: frozenset[Kind] = frozenset({"numeric"})

    def run(self, data: NumericData) -> TestOutcome:
        from scipy import stats

        result, notes = _quietly(lambda: stats.cramervonmises_2samp(_floats(data.train),
                                                                     _floats(data.prod)))
        return TestOutcome(float(result.statistic), float(result.pvalue), notes)


@dataclass(frozen=True)
class AndersonTest:
    """Anderson-Darling k-sample (``scipy.stats.anderson_ksamp``): sensitive in the tails.
    scipy caps its p-value to [0.001, 0.25]; the cap is noted when it applies."""

    name: str = "anderson"
    kinds: frozenset[Kind] = frozenset({"numeric"})

    def run(self, data: NumericData) -> TestOutcome:
        from scipy import stats

        samples = [_floats(data.train), _floats(data.prod)]
        # scipy >= 1.17 asks for `variant` (midrank is the default it replaces).
        takes_variant = "variant" in inspect.signature(stats.anderson_ksamp).parameters
        result, notes = _quietly(lambda: stats.anderson_ksamp(
            samples, **({"variant": "midrank"} if takes_variant else {})))
        return TestOutcome(float(result.statistic), float(result.pvalue), notes)


@dataclass(frozen=True)
class PsiTest:
    """Population stability index as the verdict: drift when PSI >= ``psi_threshold``
    (0.2 by convention). A distance, so no p-value and no correction."""

    name: str = "psi"
    kinds: frozenset[Kind] = frozenset({"numeric", "categorical"})

    def run(self, data: Any) -> TestOutcome:
        from pytest_drift.engines.memory import numeric_bins
        from pytest_drift.stats.effects import psi

        if isinstance(data, CategoricalData):
            return TestOutcome(psi(data.train_counts, data.prod_counts), None)
        bins = numeric_bins(data.train, data.prod)
        return TestOutcome(psi(bins.baseline_counts, bins.candidate_counts), None)


BUILT_IN: tuple[StatTest, ...] = (KsTest(), Chi2Test(), CvmTest(), AndersonTest(), PsiTest())


class TestRegistry:
    """Tests by name: the built-in ones and any a hook registered."""

    def __init__(self, tests: Iterable[StatTest] = BUILT_IN) -> None:
        self._tests: dict[str, StatTest] = {}
        for test in tests:
            self.register(test)

    def register(self, test: StatTest) -> None:
        """Add a test (a later one replaces a test of the same name)."""
        complete = getattr(test, "name", None) and getattr(test, "kinds", None)
        if not complete or not callable(getattr(test, "run", None)):
            raise TypeError(f"{test!r} is not a test: it needs name, kinds and run(data)")
        self._tests[test.name] = test

    def names(self) -> list[str]:
        return sorted(self._tests)

    def get(self, name: str) -> StatTest | None:
        return self._tests.get(name)
