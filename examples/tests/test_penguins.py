"""``pytestmark`` on a class: every test of the class gets the class's ``drift`` marker.

A marker on a method is merged over it, keyword by keyword (the closest marker wins), so the
class names the datasets once and each test says what it checks.
"""

from __future__ import annotations

import pytest

from pytest_drift import DriftReport


class TestPenguinIslands:
    """Palmer penguins of Biscoe island (baseline) against Dream and Torgersen (candidate)."""

    pytestmark = pytest.mark.drift(
        "data/penguins_islands/baseline.csv", "data/penguins_islands/candidate.csv"
    )

    @pytest.mark.drift(features=["sex"])
    def test_sex_ratio_is_the_same_on_every_island(self) -> None:
        """Only ``sex`` is tested: the islands hold different species, but as many females."""

    @pytest.mark.drift(threshold=100)
    def test_islands_differ_in_species_and_size(self, drift_report: DriftReport) -> None:
        """A characterization test: ``threshold=100`` never fails the gate, the body pins
        down which features differ, so a new difference, or a vanished one, fails it."""
        assert drift_report.drifted_features == [
            "species", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g",
        ]
        assert drift_report.details["sex"].p_value > 0.05
