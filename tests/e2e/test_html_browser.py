"""The HTML report in a real browser: headless Chromium renders the page a pytest session
wrote, offline, and the test reads back the screenshot's pixels and the parsed DOM.

Chromium is not a Python dependency: ``.ci/run`` installs Debian's package when it can;
without it this module skips, saying so in the summary (``-rs``).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.runner import CARS, WEATHER, run_drift

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed, so the HTML report is not checked in a browser "
           "(apt-get install chromium; .ci/run does this)",
)
WIDTH, HEIGHT = 1280, 2000
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
    # Any network request would fail: the page must not need one.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
BASELINE_BLUE, CANDIDATE_ORANGE, DRIFT_RED = (0x25, 0x63, 0xEB), (0xEA, 0x58, 0x0C), \
    (0xB9, 0x1C, 0x1C)
PROJECT = f"""
    import pytest

    @pytest.mark.drift({CARS[0]!r}, {CARS[1]!r})
    def test_cars_are_stable():
        pass

    @pytest.mark.drift({WEATHER[0]!r}, {WEATHER[1]!r}, threshold=50)
    def test_weather_is_stable():
        pass
"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180, check=False, cwd=tmp_path)
    assert result.returncode == 0, f"chromium failed ({result.returncode}):\n{result.stderr}"
    return result


def read_png(path: Path) -> tuple[int, int, list[bytes], int]:
    """Width, height, rows of pixels and bytes per pixel of an 8-bit RGB(A) PNG, decoded
    with the standard library (the five scanline filters of the PNG specification)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert (depth, interlace) == (8, 0), header
    assert colour in (2, 6), f"colour type {colour}"
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:  # Up
            line = bytearray((a + b) & 255 for a, b in zip(line, previous, strict=True))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = previous[i], (previous[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) \
                    & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows, bpp


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 24) -> bool:
    return all(abs(p - c) <= tolerance for p, c in zip(pixel, colour, strict=False))


class Dom(HTMLParser):
    """Check sections, chart containers and the SVGs inside each, from the dumped DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.checks: list[str] = []
        self.figures: list[dict[str, Any]] = []
        self.inside: dict[str, Any] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("data-check"):
            self.checks.append(str(values["data-check"]))
        elif tag == "figure" and values.get("data-feature") is not None:
            self.inside = {"feature": values["data-feature"], "kind": values.get("data-kind"),
                           "svgs": 0, "paths": 0, "rects": 0}
            self.figures.append(self.inside)
        elif self.inside is not None and tag in ("svg", "path", "rect"):
            self.inside[f"{tag}s"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self.inside = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def html_report(project: pytest.Pytester) -> tuple[Path, dict[str, Any]]:
    """The HTML report of a real session: a failing check (cars) and a passing one
    (Seattle weather, two of four features drifted under a 50% threshold)."""
    project.makepyfile(test_gates=PROJECT)
    result, report = run_drift(project, "--drift-html", "reports/drift.html")
    result.assert_outcomes(passed=1, failed=1)
    assert report is not None
    assert [c["status"] for c in report["checks"]] == ["DRIFT_DETECTED", "NORMAL"]
    return project.path / "reports" / "drift.html", report


def test_screenshot_shows_the_charts(html_report, tmp_path):
    page, _ = html_report
    png = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}",
             page.as_uri())
    width, height, rows, bpp = read_png(png)
    assert (width, height) == (WIDTH, HEIGHT)
    colours: set[bytes] = set()
    counts = {"background": 0, "blue": 0, "orange": 0, "red": 0}
    for row in rows[::2]:
        for x in range(0, width * bpp, bpp * 2):
            pixel = row[x:x + 3]
            colours.add(pixel)
            if pixel == b"\xff\xff\xff":
                counts["background"] += 1
            counts["blue"] += near(tuple(pixel), BASELINE_BLUE)
            counts["orange"] += near(tuple(pixel), CANDIDATE_ORANGE)
            counts["red"] += near(tuple(pixel), DRIFT_RED)
    sampled = len(rows[::2]) * len(range(0, width * bpp, bpp * 2))
    assert len(colours) > 50, f"only {len(colours)} colours: is the page blank?"
    assert counts["background"] < 0.97 * sampled, counts
    # Baseline and candidate lines of the ECDFs, and the red verdict, are drawn.
    assert counts["blue"] > 200, counts
    assert counts["orange"] > 200, counts
    assert counts["red"] > 50, counts


def test_dom_has_every_check_feature_and_chart(html_report, tmp_path):
    page, report = html_report
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    dom = Dom()
    dom.feed(result.stdout)
    assert dom.checks == ["test_cars_are_stable", "test_weather_is_stable"]
    expected = [feature for entry in report["checks"] for feature in
                sorted(entry["details"], key=lambda f: not entry["details"][f]["drift_detected"])]
    assert [f["feature"] for f in dom.figures] == expected
    assert all(f["svgs"] == 1 for f in dom.figures)
    for figure in dom.figures:
        if figure["kind"] == "ecdf":
            assert figure["paths"] == 2, figure  # baseline and candidate step lines
        else:
            assert figure["kind"] == "bars", figure
            assert figure["rects"] >= 2 * 3, figure  # Origin: USA, Japan, Europe
    text = " ".join(dom.text)
    assert "drift 100.0% > threshold 20.0%" in text
    assert "drift 50.0% <= threshold 50.0%" in text
    assert "D = 0.434" in text  # the largest gap of Miles_per_Gallon, labelled
