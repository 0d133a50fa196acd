"""JUnit XML (``--junitxml``), as CI systems read it: a failed gate's explanation is the
failure's message and text; the report's data is not copied into ``<properties>``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from pytest_drift.messages import failure_message
from tests.e2e.runner import CARS, FOUR_CHECKS, run_drift

CHECKS = FOUR_CHECKS + f"""
    def test_segment(drift_check):
        drift_check({CARS[0]!r}, {CARS[1]!r}, name="segment", features=["Origin", "Cylinders"],
                    threshold=40)
"""


PREFIX = "pytest_drift.errors.DriftDetected: "


def assert_message(message: str, explanation: str) -> None:
    """The ``message`` attribute is the exception's explanation; pytest >= 9.2 keeps only the
    whole lines that fit in 500 characters and says the rest is in the element text."""
    full = PREFIX + explanation
    if message != full:
        kept, _, note = message.rpartition("\n")
        assert re.fullmatch(r"\[\+\d+ more lines?; full report in element text\]", note), message
        assert full.startswith(kept + "\n"), message


def cases(path: Any) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {case.get("name", ""): case for case in root.iter("testcase")}


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["no xdist", "-n2"])
def test_failed_gate_explains_itself_in_junit(project, xdist):
    project.makepyfile(test_junit=CHECKS)
    result, report = run_drift(project, "--junitxml=junit.xml", *xdist,
                               subprocess=bool(xdist))
    result.assert_outcomes(passed=2, failed=2, errors=1, warnings=1)
    entries = {entry["name"]: entry for entry in report["checks"]}
    junit = cases(project.path / "junit.xml")
    assert set(junit) == {"test_stable", "test_cars", "test_cars_warn", "test_missing_file",
                          "test_segment"}

    # the marker's gate: message and text are the explanation, without a traceback
    (failure,) = junit["test_cars"].findall("failure")
    message = failure.get("message", "")
    explanation = failure_message(entries["test_cars"])
    assert_message(message, explanation)
    assert message.startswith(f"{PREFIX}Data drift in 100.0% of features (threshold 20.0%): "
                              f"candidate {CARS[1]} vs baseline {CARS[0]}\n")
    assert "\n  Miles_per_Gallon: ks statistic=0.4343 p=2.72e-17 n=216/182, " \
           "mean 19.77 → 27.96\n" in message
    # the element text: the whole explanation and nothing else
    text = failure.text or ""
    assert text.strip() == explanation
    assert "  Origin: chi2 statistic=13.16 p=0.00139" in text
    for feature in entries["test_cars"]["drifted_features"]:
        assert f"\n  {feature}: " in text
    assert "\n7 of 7 features drifted (100.0% > threshold 20.0%) at alpha 0.05\n" in text
    assert "def test_cars" not in (failure.text or "")

    # drift_check's gate: the same explanation is its message
    (failure,) = junit["test_segment"].findall("failure")
    segment = entries["segment"]
    assert segment["status"] == "DRIFT_DETECTED"
    assert_message(failure.get("message", ""), failure_message(segment))
    assert failure.get("message", "").startswith(
        f"{PREFIX}Data drift in 100.0% of features (threshold 40.0%)")
    assert "\n  Origin: chi2 statistic=13.16 p=0.00139" in failure.get("message", "")
    # its text is pytest's traceback, whose "E" lines are the explanation
    text = failure.text or ""
    for line in failure_message(segment).splitlines():
        assert re.search(rf"^E +({re.escape(PREFIX)})?{re.escape(line.strip())}$", text,
                         re.MULTILINE), line
    assert "2 of 2 features drifted (100.0% > threshold 40.0%)" in text

    # a check that could not run errors its test; a passing or warn-mode gate is no failure
    (error,) = junit["test_missing_file"].findall("error")
    assert "drift check could not run: " in error.get("message", "")
    assert entries["test_missing_file"]["error"] in error.get("message", "")
    for name in ("test_stable", "test_cars_warn"):
        assert [child.tag for child in junit[name]
                if child.tag in ("failure", "error", "skipped")] == []

    # nothing of the report in <properties>: the session report is the artifact
    root = ET.parse(project.path / "junit.xml").getroot()
    assert list(root.iter("properties")) == []
    assert list(root.iter("property")) == []
