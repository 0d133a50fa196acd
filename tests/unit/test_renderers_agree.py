"""Every renderer says the same about a feature: the terminal table, the GitHub step summary,
the HTML report and the failure message take their words from one place."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pytest_drift import compare
from pytest_drift.github import step_summary
from pytest_drift.html import render_html
from pytest_drift.messages import failure_message
from pytest_drift.terminal import render
from pytest_drift.wording import verdict_word
from tests.helpers import DATA

CARS = DATA / "cars_model_years"
PENGUINS = DATA / "penguins_islands"


def entry_of(baseline: Any, candidate: Any, **options: Any) -> dict[str, Any]:
    return compare(str(baseline), str(candidate), charts=True, **options).to_json(charts=True)


def terminal_words(entry: dict[str, Any]) -> dict[str, str]:
    text = render([entry], markup=False, width=160)
    words = {}
    for feature in entry["details"]:
        row = next(line for line in text.splitlines() if re.search(rf"\s{feature}\s", line))
        words[feature] = row.split()[0]
    return words


def github_words(entry: dict[str, Any]) -> dict[str, str]:
    rows = [line.split(" | ") for line in step_summary([entry], None).splitlines()
            if line.startswith("| ") and not line.startswith("| |")]
    return {cells[1]: cells[0].lstrip("| ").strip("*") for cells in rows}


def html_words(entry: dict[str, Any]) -> dict[str, str]:
    page = render_html([entry], generated_at="now")
    return dict(re.findall(r'<tr[^>]*data-feature="([^"]+)"><td>([^<]+)</td>', page))


@pytest.fixture(scope="module")
def min_effect_entry() -> dict[str, Any]:
    """Cars with a min_effect that keeps several significant features out of the count."""
    return entry_of(CARS / "baseline.csv", CARS / "candidate.csv", min_effect=0.3)


def test_min_effect_features_are_small_everywhere(min_effect_entry: dict[str, Any]) -> None:
    expected = {name: verdict_word(d) for name, d in min_effect_entry["details"].items()}
    assert "small" in expected.values()
    assert "DRIFT" in expected.values()
    assert terminal_words(min_effect_entry) == expected
    assert github_words(min_effect_entry) == expected
    assert html_words(min_effect_entry) == expected


def test_waived_features_are_waived_everywhere() -> None:
    entry = entry_of(CARS / "baseline.csv", CARS / "candidate.csv",
                     waive={"Origin": "new supplier until 2099-01-01"})
    expected = {name: verdict_word(d) for name, d in entry["details"].items()}
    assert expected["Origin"] == "waived"
    assert terminal_words(entry) == github_words(entry) == html_words(entry) == expected
    assert "- waived `Origin`: new supplier, until 2099-01-01" in step_summary([entry], None)


@pytest.fixture(scope="module")
def categorical_psi_entry() -> dict[str, Any]:
    """Penguins with psi for the categories and a threshold that makes species drift."""
    return entry_of(PENGUINS / "baseline.csv", PENGUINS / "candidate.csv",
                    categorical_test="psi", threshold=0)


def test_a_categorical_psi_feature_shows_its_category_not_a_mean(
        categorical_psi_entry: dict[str, Any]) -> None:
    species = categorical_psi_entry["details"]["species"]
    assert (species["kind"], species["test"], species["drift_detected"]) == (
        "categorical", "psi", True)
    top = species["top_category"]
    compact = f"{top['category']} {top['train_share']:.0%}→{top['prod_share']:.0%}"
    full = f"{top['category']!r} {top['train_share']:.1%} → {top['prod_share']:.1%}"
    terminal = render([categorical_psi_entry], markup=False, width=160)
    summary = step_summary([categorical_psi_entry], None)
    page = render_html([categorical_psi_entry], generated_at="now")
    message = failure_message(categorical_psi_entry)
    for text in (terminal, summary, page, message):
        assert "mean n/a" not in text
        assert "n/a → n/a" not in text
    assert compact in terminal
    assert compact in summary
    assert full.replace("'", "&#x27;") in page
    assert "species: psi statistic=" in message
    assert full in message


def test_the_trend_says_the_same_everywhere() -> None:
    """The moves of the trend: the same features, in the same order, with the same verdict
    change and the same statistics in the terminal, the step summary and the HTML report."""
    from pytest_drift.github import trend_summary
    from pytest_drift.terminal import render_trend
    from pytest_drift.trend import compute_trend
    from pytest_drift.trend_wording import move_statistic_text, move_verdict_text

    before = entry_of(CARS / "baseline.csv", CARS / "baseline.csv")
    now = entry_of(CARS / "baseline.csv", CARS / "candidate.csv", tests={"Weight_in_lbs": "cvm"})
    trend = compute_trend({"checks": [before]}, [now], source="previous.json")
    moves = trend["checks"][0]["moves"]
    assert len(moves) == 5
    expected = [(m["feature"], move_verdict_text(m), move_statistic_text(m)) for m in moves]

    terminal = render_trend(trend, markup=False, width=160)
    rows = [line.split("  ") for line in terminal.splitlines()
            if any(f" {m['feature']} " in line for m in moves)]
    shown = [[cell.strip() for cell in row if cell.strip()] for row in rows]
    assert [(r[1], r[0], r[3]) for r in shown] == expected

    markdown = [line.split(" | ") for line in trend_summary(trend)
                if line.startswith("| ") and not line.startswith("| |")]
    assert [(r[1], r[0].lstrip("| ").strip("*"), r[3]) for r in markdown] == expected

    page = render_html([now], generated_at="now", trend=trend)
    section = page.split('<section class="trend"', 1)[1]
    cells = re.findall(r'<tr[^>]*data-feature="([^"]+)"><td>([^<]+)</td><td>[^<]+</td>'
                       r'<td>[^<]+</td><td>([^<]+)</td>', section)
    assert cells == expected
    for text in (terminal, "\n".join(trend_summary(trend)), section):
        assert "not comparable Weight_in_lbs: test ks → cvm" in text
