"""The SVG charts of the HTML report: an overlaid ECDF per numeric feature (with the KS gap
marked) and grouped category shares per categorical one, drawn from the ``chart`` data the
engine put in a feature's entry, and a windowed check's drift percentage over time. Only the
standard library is imported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any, TypeGuard

from pytest_drift.wording import fmt_number

BASELINE_COLOUR = "#2563eb"
CANDIDATE_COLOUR = "#ea580c"
GAP_COLOUR = "#111827"

# ECDF chart geometry (SVG user units).
WIDTH, HEIGHT = 440, 250
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 26, 34
# Category bars: label column, one row per category with a bar per side.
LABEL_WIDTH, ROW_HEIGHT, BAR_HEIGHT, LABEL_CHARS = 140, 26, 10, 21


def _finite(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def _c(value: float) -> str:
    """An SVG coordinate: one decimal is a tenth of a pixel, plenty, and keeps files small."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round values (1, 2 or 5 times a power of ten) within ``[low, high]``."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value = first + len(ticks) * step
    return ticks


def tick_label(value: float) -> str:
    """``0``, ``2.5``, ``1500``, ``1.2e+06``: short labels for axis ticks."""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.2g}"
    return f"{value:.6g}"


def _legend(y: float) -> str:
    """Baseline and candidate swatches, top right."""
    x = WIDTH - RIGHT - 170
    return (
        f"<rect x=\"{x}\" y=\"{_c(y - 8)}\" width=\"14\" height=\"4\" "
        f"fill=\"{BASELINE_COLOUR}\"/><text x=\"{x + 18}\" y=\"{_c(y)}\">baseline</text>"
        f"<rect x=\"{x + 82}\" y=\"{_c(y - 8)}\" width=\"14\" height=\"4\" "
        f"fill=\"{CANDIDATE_COLOUR}\"/><text x=\"{x + 100}\" y=\"{_c(y)}\">candidate</text>"
    )


def ecdf_svg(feature: str, chart: Mapping[str, Any], statistic: Any = None) -> str:
    """Both ECDFs as step lines on one axis, the maximum gap marked and labelled with D.

    ``chart`` is the engine's ``{"kind": "ecdf", "x", "train", "prod", "gap_at"}``: both
    ECDFs on one grid that holds the gap's location exactly.
    """
    points = [(float(x), float(a), float(b)) for x, a, b in
              zip(chart.get("x") or [], chart.get("train") or [], chart.get("prod") or [],
                  strict=False)
              if _finite(x) and _finite(a) and _finite(b)]
    if not points:
        return ""
    xs = [p[0] for p in points]
    low, high = xs[0], xs[-1]
    if high <= low:  # one value on both sides: give the step some room
        pad = abs(low) * 0.05 or 0.5
        low, high = low - pad, high + pad
    span = high - low
    low, high = low - span * 0.03, high + span * 0.03
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(value: float) -> float:
        return LEFT + (value - low) / (high - low) * plot_w

    def py(share: float) -> float:
        return TOP + (1.0 - share) * plot_h

    def step_path(column: int) -> str:
        path = [f"M{_c(LEFT)},{_c(py(0.0))}H{_c(px(points[0][0]))}"]
        previous = 0.0
        for point in points:
            x, height = px(point[0]), point[column]
            path.append(f"H{_c(x)}")
            if height != previous:
                path.append(f"V{_c(py(height))}")
                previous = height
        path.append(f"H{_c(LEFT + plot_w)}")
        return "".join(path)

    gap_at = chart.get("gap_at")
    gap = None
    if _finite(gap_at):
        # The grid holds gap_at exactly; the nearest point guards against a rounded copy.
        gap = min(points, key=lambda p: abs(p[0] - gap_at))
    d_value = statistic if _finite(statistic) else (abs(gap[1] - gap[2]) if gap else None)
    label = f"ECDF of {feature}: baseline and candidate"
    if gap is not None:
        label += f"; largest gap D = {fmt_number(d_value)} at {fmt_number(gap[0])}"
    parts = [
        f"<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{escape(label)}\">"
        f"<title>{escape(label)}</title>",
    ]
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        tick_y = _c(py(share))
        parts.append(f"<line class=\"grid\" x1=\"{LEFT}\" x2=\"{_c(LEFT + plot_w)}\" "
                     f"y1=\"{tick_y}\" y2=\"{tick_y}\"/><text x=\"{LEFT - 6}\" y=\"{tick_y}\" "
                     f"text-anchor=\"end\" dy=\"4\">{tick_label(share)}</text>")
    axis_y = _c(py(0.0))
    parts.append(f"<line class=\"axis\" x1=\"{LEFT}\" x2=\"{_c(LEFT + plot_w)}\" "
                 f"y1=\"{axis_y}\" y2=\"{axis_y}\"/><line class=\"axis\" x1=\"{LEFT}\" "
                 f"x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{axis_y}\"/>")
    for tick in nice_ticks(xs[0], xs[-1]) if xs[-1] > xs[0] else [xs[0]]:
        tick_x = _c(px(tick))
        parts.append(f"<line class=\"axis\" x1=\"{tick_x}\" x2=\"{tick_x}\" y1=\"{axis_y}\" "
                     f"y2=\"{_c(py(0.0) + 4)}\"/><text x=\"{tick_x}\" y=\"{_c(py(0.0) + 16)}\" "
                     f"text-anchor=\"middle\">{tick_label(tick)}</text>")
    parts.append(f"<text x=\"{_c(LEFT + plot_w / 2)}\" y=\"{HEIGHT - 3}\" "
                 f"text-anchor=\"middle\">{escape(_shorten(feature, 60))}</text>")
    parts.append(_legend(14))
    for column, colour in ((1, BASELINE_COLOUR), (2, CANDIDATE_COLOUR)):
        parts.append(f"<path class=\"{'baseline' if column == 1 else 'candidate'}\" "
                     f"d=\"{step_path(column)}\" fill=\"none\" stroke=\"{colour}\" "
                     "stroke-width=\"1.8\"/>")
    if gap is not None:
        x = px(gap[0])
        top, bottom = sorted((py(gap[1]), py(gap[2])))
        right_side = x < LEFT + plot_w * 0.7
        parts.append(
            f"<g class=\"gap\" data-gap-at=\"{gap[0]!r}\">"
            f"<line x1=\"{_c(x)}\" x2=\"{_c(x)}\" y1=\"{TOP}\" y2=\"{axis_y}\" "
            f"stroke=\"{GAP_COLOUR}\" stroke-width=\"1\" stroke-dasharray=\"3 3\" "
            "opacity=\".45\"/>"
            f"<line x1=\"{_c(x)}\" x2=\"{_c(x)}\" y1=\"{_c(top)}\" y2=\"{_c(bottom)}\" "
            f"stroke=\"{GAP_COLOUR}\" stroke-width=\"2.5\"/>"
            f"<circle cx=\"{_c(x)}\" cy=\"{_c(top)}\" r=\"2.5\" fill=\"{GAP_COLOUR}\"/>"
            f"<circle cx=\"{_c(x)}\" cy=\"{_c(bottom)}\" r=\"2.5\" fill=\"{GAP_COLOUR}\"/>"
            f"<text x=\"{_c(x + (6 if right_side else -6))}\" y=\"{_c((top + bottom) / 2)}\" "
            f"dy=\"4\" text-anchor=\"{'start' if right_side else 'end'}\" "
            f"class=\"b\">D = {escape(fmt_number(d_value, 3))}</text></g>")
    parts.append("</svg>")
    return "".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bars_svg(feature: str, chart: Mapping[str, Any], highlight: str | None = None) -> str:
    """Grouped horizontal bars: per category the baseline's and the candidate's share.

    ``chart`` is the engine's ``{"kind": "bars", "categories", "train", "prod", "others"}``;
    ``highlight`` (the category whose share moved most) is drawn in bold.
    """
    rows = [(str(c), float(a), float(b)) for c, a, b in
            zip(chart.get("categories") or [], chart.get("train") or [],
                chart.get("prod") or [], strict=False) if _finite(a) and _finite(b)]
    if not rows:
        return ""
    others = int(chart.get("others") or 0)
    top = 28
    bottom = 30 + (16 if others else 0)
    height = top + ROW_HEIGHT * len(rows) + bottom
    plot_w = WIDTH - LABEL_WIDTH - RIGHT - 40  # room for the share after the longer bar
    largest = max(max(a, b) for _, a, b in rows) or 1.0
    ticks = nice_ticks(0.0, largest, 4)
    scale_max = max(largest, ticks[-1])

    def px(share: float) -> float:
        return LABEL_WIDTH + share / scale_max * plot_w

    label = (f"Category shares of {feature}: baseline and candidate, {len(rows)} categories"
             + (f" ({others} more not shown)" if others else ""))
    parts = [
        f"<svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{escape(label)}\">"
        f"<title>{escape(label)}</title>",
        _legend(14),
    ]
    axis_y = top + ROW_HEIGHT * len(rows)
    for tick in ticks:
        tick_x = _c(px(tick))
        parts.append(f"<line class=\"grid\" x1=\"{tick_x}\" x2=\"{tick_x}\" y1=\"{top}\" "
                     f"y2=\"{axis_y}\"/><text x=\"{tick_x}\" y=\"{axis_y + 14}\" "
                     f"text-anchor=\"middle\">{tick * 100:.3g}%</text>")
    parts.append(f"<line class=\"axis\" x1=\"{LABEL_WIDTH}\" x2=\"{LABEL_WIDTH}\" "
                 f"y1=\"{top}\" y2=\"{axis_y}\"/>")
    for number, (category, train, prod) in enumerate(rows):
        y = top + number * ROW_HEIGHT + 3
        bold = " class=\"b\"" if category == highlight else ""
        parts.append(
            f"<g class=\"category\"><title>{escape(category)}: baseline {train:.1%}, "
            f"candidate {prod:.1%}</title>"
            f"<text x=\"{LABEL_WIDTH - 6}\" y=\"{y + BAR_HEIGHT}\" dy=\"4\" "
            f"text-anchor=\"end\"{bold}>{escape(_shorten(category, LABEL_CHARS))}</text>")
        for offset, share, colour in ((0, train, BASELINE_COLOUR),
                                      (BAR_HEIGHT, prod, CANDIDATE_COLOUR)):
            width = max(px(share) - LABEL_WIDTH, 0.0)
            parts.append(
                f"<rect x=\"{LABEL_WIDTH}\" y=\"{y + offset}\" width=\"{_c(width)}\" "
                f"height=\"{BAR_HEIGHT - 1}\" fill=\"{colour}\"/>"
                f"<text x=\"{_c(LABEL_WIDTH + width + 4)}\" y=\"{y + offset + BAR_HEIGHT - 1}\" "
                f"class=\"s\">{share:.1%}</text>")
        parts.append("</g>")
    if others:
        parts.append(f"<text x=\"{LABEL_WIDTH}\" y=\"{height - 6}\">+{others} more "
                     f"categor{'y' if others == 1 else 'ies'} not shown</text>")
    parts.append("</svg>")
    return "".join(parts)


def windows_svg(section: Mapping[str, Any], threshold: Any) -> str:
    """The drift percentage of each window over time, the threshold dashed across it; a
    drifted window red, a skipped one hollow, the first that crossed the threshold named.

    ``section`` is a windowed check's ``windows`` entry (:mod:`pytest_drift.window_pipeline`).
    """
    windows = list(section.get("windows") or [])
    if not windows:
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(windows)
    first = section.get("first_drifted")

    def y(percent: float) -> float:
        return TOP + plot_h * (1 - percent / 100)

    label = (f"Drift percentage per window of {section.get('window')}: {len(windows)} windows "
             f"from {windows[0]['start']}")
    parts = [f"<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" "
             f"aria-label=\"{escape(label)}\"><title>{escape(label)}</title>"]
    for tick in (0, 25, 50, 75, 100):
        parts.append(f"<line class=\"grid\" x1=\"{LEFT}\" x2=\"{WIDTH - RIGHT}\" "
                     f"y1=\"{_c(y(tick))}\" y2=\"{_c(y(tick))}\"/><text x=\"{LEFT - 6}\" "
                     f"y=\"{_c(y(tick) + 4)}\" text-anchor=\"end\">{tick}%</text>")
    for index, window in enumerate(windows):
        x = LEFT + index * step + step * 0.1
        percent = window.get("drift_percentage")
        tip = (f"{window['start']}: {window['rows']} rows, "
               + (f"skipped ({window['skipped']})" if window.get("skipped")
                  else f"{float(percent):.1f}% drifted, {window['status']}"))
        if window.get("skipped") or not _finite(percent):
            parts.append(f"<rect class=\"skipped\" x=\"{_c(x)}\" y=\"{_c(y(100))}\" "
                         f"width=\"{_c(step * 0.8)}\" height=\"{_c(plot_h)}\" fill=\"none\" "
                         f"stroke=\"#9ca3af\" stroke-dasharray=\"2 2\"><title>{escape(tip)}"
                         "</title></rect>")
            continue
        colour = "#b91c1c" if window.get("drifted_features") and window.get(
            "status") != "NORMAL" else BASELINE_COLOUR
        parts.append(f"<rect x=\"{_c(x)}\" y=\"{_c(y(float(percent)))}\" "
                     f"width=\"{_c(step * 0.8)}\" height=\"{_c(plot_h * float(percent) / 100)}\" "
                     f"fill=\"{colour}\"><title>{escape(tip)}</title></rect>")
    if _finite(threshold):
        parts.append(f"<line class=\"threshold\" x1=\"{LEFT}\" x2=\"{WIDTH - RIGHT}\" "
                     f"y1=\"{_c(y(float(threshold)))}\" y2=\"{_c(y(float(threshold)))}\" "
                     f"stroke=\"{GAP_COLOUR}\" stroke-dasharray=\"5 3\"/>"
                     f"<text x=\"{WIDTH - RIGHT}\" y=\"{_c(y(float(threshold)) - 4)}\" "
                     f"text-anchor=\"end\">threshold {float(threshold):g}%</text>")
    axis_y = TOP + plot_h
    marks = {0: windows[0]["start"], len(windows) - 1: windows[-1]["start"]}
    if first is not None:
        marks[int(first)] = f"first drift {windows[int(first)]['start']}"
    last = len(windows) - 1
    for index, text in sorted(marks.items()):
        anchor = "start" if index == 0 else "end" if index == last else "middle"
        below = 12 if index == first and index not in (0, last) else 0  # clear of the ends
        parts.append(f"<text x=\"{_c(LEFT + (index + 0.5) * step)}\" "
                     f"y=\"{axis_y + 14 + below}\" text-anchor=\"{anchor}\" class=\"s\">"
                     f"{escape(str(text)[:30])}</text>")
    parts.append("</svg>")
    return "".join(parts)
