"""A stand-in for ``datasketches`` whose "sketch" is known in advance, so that a test can
make a check undecided on purpose: it keeps one row of every ``block`` (sorted), standing
for the ``block`` rows around it. Real KLL sketches are random; this one is not."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest


class ThinnedSketch:
    """The interface the sketch profile uses: ``update(array)``, ``num_retained`` and
    iteration over ``(item, weight)`` pairs whose weights add up to the rows fed."""

    def __init__(self, block: int) -> None:
        self.block = block
        self.parts: list[np.ndarray[Any, Any]] = []

    def update(self, values: np.ndarray[Any, Any]) -> None:
        self.parts.append(np.asarray(values, dtype=np.float64))

    def _rows(self) -> np.ndarray[Any, Any]:
        return np.sort(np.concatenate(self.parts)) if self.parts else np.zeros(0)

    @property
    def num_retained(self) -> int:
        return -(-len(self._rows()) // self.block)

    def __iter__(self) -> Iterator[tuple[float, int]]:
        rows = self._rows()
        for start in range(0, len(rows), self.block):
            chunk = rows[start:start + self.block]
            yield float(chunk[len(chunk) // 2]), len(chunk)


def use_thinned_sketch(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Make the sketch profile use :class:`ThinnedSketch` (``k`` is ignored)."""
    import importlib

    # By its name in sys.modules: an earlier in-process pytester run may have left the
    # package's attribute pointing at a module it since dropped.
    sketch = importlib.import_module("pytest_drift.snapshots.sketch")
    module = SimpleNamespace(kll_doubles_sketch=lambda k: ThinnedSketch(block))
    monkeypatch.setattr(sketch, "datasketches", lambda options: module)
