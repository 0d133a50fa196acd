"""The HTML report: structure, order, escaping, no network, size, and the ECDF gap."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from pytest_drift import compare
from pytest_drift.engines.memory import CHART_POINTS, ecdf_chart
from pytest_drift.html import render_html
from pytest_drift.html_charts import bars_svg, ecdf_svg, nice_ticks
from pytest_drift.report import strict
from pytest_drift.wording import fmt_number, ordered_features
from tests.helpers import DATA

GENERATED = "2026-11-22T10:00:00+00:00"
VOID = {"meta", "br", "hr", "img", "input", "link", "circle", "line", "path", "rect"}


class Page(HTMLParser):
    """What the tests look at: checks, chart containers in order, SVGs per container, the
    tag nesting (every element closed in order) and every attribute value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.checks: list[dict[str, Any]] = []
        self.figure: dict[str, Any] | None = None
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.attributes.extend(values.items())
        if tag == "section":
            self.checks.append({"name": values.get("data-check"), "figures": [],
                                "rows": []})
        elif tag == "tr" and "data-feature" in values and self.checks:
            self.checks[-1]["rows"].append((values["data-feature"],
                                            values.get("class") == "drift"))
        elif tag == "figure":
            self.figure = {"feature": values.get("data-feature"), "kind": values.get(
                "data-kind"), "drifted": values.get("data-drifted") == "true", "svgs": 0,
                "gap_at": None}
            self.checks[-1]["figures"].append(self.figure)
        elif tag == "svg" and self.figure is not None:
            self.figure["svgs"] += 1
        elif tag == "g" and values.get("class") == "gap" and self.figure is not None:
            self.figure["gap_at"] = float(values["data-gap-at"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend((k, v or "") for k, v in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "figure":
            self.figure = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    assert page.problems == []
    assert page.stack == []
    return page


def dataset(name: str) -> tuple[str, str]:
    return str(DATA / name / "baseline.csv"), str(DATA / name / "candidate.csv")


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    """A failing check (cars: every feature drifted, a categorical among them) and a passing
    one (Seattle weather at threshold 50: two of four features drifted)."""
    cars = compare(*dataset("cars_model_years"), name="test_cars", charts=True)
    weather = compare(*dataset("seattle_weather_api_log"), name="test_weather", threshold=50,
                      charts=True)
    assert (cars.status, weather.status) == ("DRIFT_DETECTED", "NORMAL")
    return [strict(cars.to_json(charts=True)), strict(weather.to_json(charts=True))]


def test_every_feature_has_one_chart_drifted_first(entries):
    page = parse(render_html(entries, generated_at=GENERATED))
    assert [c["name"] for c in page.checks] == ["test_cars", "test_weather"]
    for entry, found in zip(entries, page.checks, strict=True):
        expected = [name for name, _ in ordered_features(entry)]
        assert [f["feature"] for f in found["figures"]] == expected
        assert [row[0] for row in found["rows"]] == expected
        drifted = [f["drifted"] for f in found["figures"]]
        assert drifted == sorted(drifted, reverse=True)  # drifted first
        assert drifted == [entry["details"][n]["drift_detected"] for n in expected]
        assert [row[1] for row in found["rows"]] == drifted  # drifted rows highlighted
        assert all(f["svgs"] == 1 for f in found["figures"])
        kinds = {f["feature"]: f["kind"] for f in found["figures"]}
        assert kinds == {n: entry["details"][n]["chart"]["kind"] for n in expected}
    weather = page.checks[1]["figures"]
    assert [f["feature"] for f in weather[:2]] == ["temp_max", "temp_min"]
    assert kinds_of(page) >= {"ecdf", "bars"}


def kinds_of(page: Page) -> set[str]:
    return {f["kind"] for check in page.checks for f in check["figures"]}


def test_verdict_threshold_and_options_are_shown(entries):
    text = " ".join(parse(render_html(entries, generated_at=GENERATED)).text)
    assert "drift 100.0% > threshold 20.0% (7 of 7 features, alpha 0.05) → DRIFT_DETECTED" \
        in text
    assert "drift 50.0% <= threshold 50.0% (2 of 4 features, alpha 0.05) → NORMAL" in text
    assert "mean 19.77 → 27.96" in text
    assert "correction" in text
    assert GENERATED in text


def test_ecdf_chart_marks_the_gap_point(entries):
    page = parse(render_html(entries, generated_at=GENERATED))
    for entry, found in zip(entries, page.checks, strict=True):
        for figure in found["figures"]:
            detail = entry["details"][figure["feature"]]
            if detail["test"] != "ks":
                continue
            chart = detail["chart"]
            assert figure["gap_at"] == chart["gap_at"] == detail["statistic_location"]
            at = chart["x"].index(chart["gap_at"])  # on the grid, exactly
            assert abs(chart["train"][at] - chart["prod"][at]) == pytest.approx(
                detail["ks_statistic"], abs=1e-12)
            assert len(chart["x"]) <= CHART_POINTS


def test_gap_is_drawn_between_the_two_heights():
    chart = {"kind": "ecdf", "x": [0.0, 1.0, 2.0, 3.0], "train": [0.25, 0.75, 1.0, 1.0],
             "prod": [0.0, 0.25, 0.5, 1.0], "gap_at": 1.0}
    svg = ecdf_svg("x", chart, 0.5)
    gap = re.search(r'<g class="gap" data-gap-at="1.0">(.*?)</g>', svg)
    assert gap is not None
    segment = re.findall(r'<line x1="([\d.]+)" x2="\1" y1="([\d.]+)" y2="([\d.]+)" '
                         r'stroke="#111827" stroke-width="2.5"', gap.group(1))
    assert len(segment) == 1
    _, top, bottom = (float(v) for v in segment[0])
    # y = TOP + (1 - share) * plot height, with TOP 26 and plot height 190.
    assert (top, bottom) == (pytest.approx(26 + 0.25 * 190, abs=0.05),
                             pytest.approx(26 + 0.75 * 190, abs=0.05))
    assert "D = 0.5" in gap.group(1)
    assert "largest gap D = 0.5 at 1" in svg


def test_ecdf_chart_keeps_the_gap_point_when_downsampling():
    rng = np.random.default_rng(3)
    train, prod = rng.normal(0, 1, 50_000), rng.normal(0.05, 1, 40_000)
    scipy_result = scipy.stats.ks_2samp(train, prod)
    statistic, location = scipy_result.statistic, scipy_result.statistic_location
    chart = ecdf_chart(train, prod, location)
    assert len(chart["x"]) <= CHART_POINTS
    at = chart["x"].index(location)
    assert abs(chart["train"][at] - chart["prod"][at]) == pytest.approx(statistic, abs=1e-12)
    svg = ecdf_svg("x", chart, statistic)
    assert f'data-gap-at="{float(location)!r}"' in svg
    assert f"D = {fmt_number(statistic, 3)}" in svg


NASTY = "<script>alert('x')</script>"


def nasty_entry() -> dict[str, Any]:
    baseline = pd.DataFrame({NASTY: np.arange(100.0), "c&<b>": ["a", "<i>"] * 50})
    candidate = pd.DataFrame({NASTY: np.arange(100.0) + 30, "c&<b>": ["<i>", "</svg>"] * 50})
    report = compare(baseline, candidate, name=f"test_{NASTY}", charts=True)
    entry = strict(report.to_json(charts=True))
    entry["nodeid"] = f"tests/test_x.py::test[{NASTY}]"
    entry["skipped_features"] = {"<img src=x onerror=alert(1)>": "<b>reason</b>"}
    entry["notes"] = ["<u>note</u>"]
    return entry


def test_names_and_values_are_escaped():
    text = render_html([nasty_entry()], title=f"report {NASTY}", generated_at=GENERATED)
    assert "<script" not in text.lower()
    for tag in ("<img", "<i>", "<u>", "<b>reason"):
        assert tag not in text
    assert "&lt;b&gt;reason&lt;/b&gt;" in text
    assert "</svg></svg>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    page = parse(text)
    assert [f["feature"] for f in page.checks[0]["figures"]] == [NASTY, "c&<b>"]
    assert all(f["svgs"] == 1 for f in page.checks[0]["figures"])
    assert page.checks[0]["name"] == f"test_{NASTY}"
    assert any(NASTY in chunk for chunk in page.text)


def test_no_network_references():
    entry = nasty_entry()
    entry["baseline"] = "https://example.com/train.csv"  # data, shown as text only
    text = render_html([entry], generated_at=GENERATED)
    page = parse(text)
    for name, value in page.attributes:
        if name in ("src", "href", "xlink:href", "action", "srcset", "poster"):
            assert not re.match(r"\s*([a-z]+:|//)", value, re.IGNORECASE), (name, value)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", text, re.IGNORECASE)
    for fetching in ("@import", "url(", "<script", "<link", "<iframe", "<img", "<object"):
        assert fetching not in text
    plain = render_html([strict(compare(*dataset("cars_model_years"), charts=True).to_json(
        charts=True))],
                        generated_at=GENERATED)
    assert re.search(r"https?://", plain) is None


def wide_entry(features: int, rows: int = 5_000) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    columns: dict[str, Any] = {}
    shifted: dict[str, Any] = {}
    for number in range(features):
        if number % 5 == 4:  # every fifth a categorical of 40 categories (30 are drawn)
            columns[f"cat_{number}"] = rng.integers(0, 40, rows).astype(str)
            shifted[f"cat_{number}"] = rng.integers(0, 42, rows).astype(str)
        else:
            columns[f"feature_{number}"] = rng.lognormal(3, 1, rows)
            shifted[f"feature_{number}"] = rng.lognormal(3 + 0.01 * number, 1, rows)
    report = compare(pd.DataFrame(columns), pd.DataFrame(shifted), name="test_wide",
                     charts=True)
    return strict(report.to_json(charts=True))


def test_fifty_features_stay_small():
    entry = wide_entry(50)
    text = render_html([entry], generated_at=GENERATED)
    size = len(text.encode("utf-8"))
    assert size < 1_500_000, f"{size} bytes for 50 features"
    page = parse(text)
    assert len(page.checks[0]["figures"]) == 50
    assert all(f["svgs"] == 1 for f in page.checks[0]["figures"])
    assert text.count("+12 more categories not shown") == 10  # 42 categories, 30 drawn


def test_error_check_and_missing_chart_data():
    error = {"name": "test_broken", "nodeid": "t.py::test_broken", "status": "ERROR",
             "error": "baseline data/none.csv: no such file", "details": {},
             "skipped_features": {}, "threshold": 20.0, "alpha": 0.05}
    entry = strict(compare(*dataset("seattle_weather_api_log")).to_json(charts=False))
    text = render_html([error, entry], generated_at=GENERATED)
    page = parse(text)
    assert "error: baseline data/none.csv: no such file" in " ".join(page.text)
    assert page.checks[0]["figures"] == []
    figures = page.checks[1]["figures"]
    assert [f["svgs"] for f in figures] == [0, 0, 0, 0]
    assert {f["kind"] for f in figures} == {"none"}
    assert text.count("No chart data for this feature.") == 4


def test_bars_chart_lists_categories_and_others():
    chart = {"kind": "bars", "categories": ["USA", "Japan", "<x>"], "train": [0.7, 0.1, 0.2],
             "prod": [0.5, 0.3, 0.2], "others": 4}
    svg = bars_svg("Origin", chart, "Japan")
    assert svg.count("<rect") == 2 * 3 + 2  # two bars per category, two legend swatches
    for shown in (">USA</text>", ">&lt;x&gt;</text>", 'class="b">Japan</text>',
                  "+4 more categories not shown", "70.0%", "30.0%"):
        assert shown in svg


@pytest.mark.parametrize(("low", "high"), [(0, 1), (3.2, 48.7), (-5, 5), (1613, 5140),
                                           (0, 0.7), (1e-7, 3e-7), (2e6, 9e7)])
def test_ticks_are_round_and_inside(low, high):
    ticks = nice_ticks(low, high)
    assert 2 <= len(ticks) <= 8
    assert all(low - 1e-12 <= t <= high + 1e-12 for t in ticks)
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])


def test_html_module_imports_only_the_standard_library():
    code = ("import sys, pytest_drift.html; "
            "print(','.join(m for m in ('pandas', 'scipy', 'pyarrow', 'rich', 'numpy') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
