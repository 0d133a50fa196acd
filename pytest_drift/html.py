"""The self-contained HTML report: per check the verdict and the features table, per feature
an overlaid ECDF (numeric) or grouped category shares (categorical), drawn as inline SVG.

Everything here reads the JSON entries of checks and the ``chart`` data the engine put in
them; nothing is recomputed and nothing is fetched, so the file opens offline as a CI
artifact. Only the standard library is imported at module level (the plugin loads in every
pytest run); the text helpers of ``messages`` and ``terminal`` are imported where used.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any, TypeGuard

DEFAULT_TITLE = "pytest-datadrift report"
BASELINE_COLOUR = "#2563eb"
CANDIDATE_COLOUR = "#ea580c"
GAP_COLOUR = "#111827"
STATUS_CLASS = {"NORMAL": "ok", "DRIFT_DETECTED": "drift", "ERROR": "error"}
STATUS_ORDER = ("ERROR", "DRIFT_DETECTED", "NORMAL")

# ECDF chart geometry (SVG user units).
WIDTH, HEIGHT = 440, 250
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 26, 34
# Category bars: label column, one row per category with a bar per side.
LABEL_WIDTH, ROW_HEIGHT, BAR_HEIGHT, LABEL_CHARS = 140, 26, 10, 21

CSS = """
:root{color-scheme:light;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--drift:#b91c1c;
--drift-bg:#fef2f2;--ok:#15803d;--ok-bg:#f0fdf4;--err:#7e22ce;--err-bg:#faf5ff;
--warn:#a16207;--warn-bg:#fefce8}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif;color:var(--ink);background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0;word-break:break-word}
h3{font-size:14px;margin:18px 0 8px;color:var(--muted);text-transform:uppercase;
letter-spacing:.04em}
code{font:12.5px ui-monospace,"DejaVu Sans Mono",monospace;word-break:break-all}
.meta{color:var(--muted);margin:0 0 16px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:700;
font-size:12px;letter-spacing:.03em;vertical-align:middle;white-space:nowrap}
.badge.drift{background:var(--drift);color:#fff}.badge.ok{background:var(--ok);color:#fff}
.badge.error{background:var(--err);color:#fff}
.badge.warn{background:var(--warn-bg);color:var(--warn);border:1px solid var(--warn)}
table{border-collapse:collapse;margin:4px 0 8px}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;
vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;white-space:nowrap}
td.feature{max-width:36ch;overflow-wrap:anywhere}td.change{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.drift td{background:var(--drift-bg);color:var(--drift);font-weight:600}
tr.drift td a{color:var(--drift)}
a{color:inherit}
.check{border:1px solid var(--line);border-left:6px solid var(--ok);border-radius:8px;
padding:16px 20px;margin:20px 0}
.check.drift{border-left-color:var(--drift)}.check.error{border-left-color:var(--err)}
.check header{display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.verdict{font-size:16px;margin:10px 0 4px}
.verdict.drift{color:var(--drift)}.verdict.ok{color:var(--ok)}.verdict.error{color:var(--err)}
dl.options{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.options dt{color:var(--muted)}dl.options dd{margin:0;word-break:break-word}
ul.notes{margin:6px 0;padding-left:20px}ul.notes li{margin:2px 0}
li.warning{color:var(--warn)}li.error{color:var(--err);font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:14px;
align-items:start}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
figure.chart.drift{border-color:#fca5a5;background:#fffafa}
figcaption{font-weight:600;margin-bottom:4px;word-break:break-word}
figcaption .stat{font-weight:400;color:var(--muted)}
figure.chart svg{display:block;width:100%;height:auto;max-width:560px}
.nochart{color:var(--muted)}
footer{color:var(--muted);margin-top:24px;font-size:12px}
svg text{font-family:system-ui,"DejaVu Sans",sans-serif;font-size:11px;fill:#374151}
svg text.b{font-weight:700;fill:#111827;paint-order:stroke;stroke:#fff;stroke-width:3px;
stroke-linejoin:round}svg text.s{font-size:10px}
svg .axis{stroke:#9ca3af;stroke-width:1}svg .grid{stroke:#f1f5f9;stroke-width:1}
@media print{.check{break-inside:avoid-page}figure.chart{break-inside:avoid}}
"""


def render_html(entries: Sequence[Mapping[str, Any]], *, title: str = DEFAULT_TITLE,
                generated_at: str | None = None) -> str:
    """The HTML report of a list of check entries, as one self-contained document.

    Parameters
    ----------
    entries
        JSON check entries (``DriftReport.to_json(charts=True)``); a feature without
        ``chart`` data gets a placeholder instead of a chart.
    title
        The page title and heading.
    generated_at
        An ISO timestamp for the header; the current UTC time when ``None``.

    Examples
    --------
    >>> from pytest_drift import compare
    >>> report = compare("train.csv", "prod.csv", charts=True)  # doctest: +SKIP
    >>> text = render_html([report.to_json(charts=True)])  # doctest: +SKIP
    """
    if generated_at is None:
        generated_at = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds")
    statuses = [str(entry.get("status")) for entry in entries]
    overall = next((s for s in STATUS_ORDER if s in statuses), "NORMAL")
    counts = ", ".join(f"{statuses.count(s)} {_status_word(s)}" for s in reversed(STATUS_ORDER)
                       if s in statuses)
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        f"<h1>{escape(title)} {_badge(overall)}</h1>\n",
        f"<p class=\"meta\">{len(entries)} check{'s' if len(entries) != 1 else ''}"
        f"{': ' + counts if counts else ''} · generated "
        f"<time datetime=\"{escape(generated_at)}\">{escape(generated_at)}</time></p>\n",
    ]
    if len(entries) > 1:
        parts.append(_contents(entries))
    for index, entry in enumerate(entries, start=1):
        parts.append(_check_section(index, entry))
    parts.append("<footer>Baseline: the data the model was trained on; candidate: the data "
                 "it sees now. Written by pytest-datadrift; this file needs no network."
                 "</footer>\n</body>\n</html>\n")
    return "".join(parts)


def _status_word(status: str) -> str:
    return {"NORMAL": "passed", "DRIFT_DETECTED": "drifted", "ERROR": "errored"}.get(
        status, status.lower())


def _badge(status: str, *, warn: bool = False) -> str:
    css = STATUS_CLASS.get(status, "error")
    text = f"<span class=\"badge {css}\">{escape(status)}</span>"
    if warn:
        text += " <span class=\"badge warn\">mode=warn</span>"
    return text


def _is_warn(entry: Mapping[str, Any]) -> bool:
    return entry.get("mode") == "warn" and entry.get("status") == "DRIFT_DETECTED"


def _contents(entries: Sequence[Mapping[str, Any]]) -> str:
    """A table of the checks, linking to each section."""
    from pytest_drift.messages import against_threshold

    rows = []
    for index, entry in enumerate(entries, start=1):
        status = str(entry.get("status"))
        drifted = ", ".join(entry.get("drifted_features") or [])
        result = (escape(str(entry.get("error"))) if status == "ERROR"
                  else escape(against_threshold(entry)))
        rows.append(
            f"<tr><td>{_badge(status, warn=_is_warn(entry))}</td>"
            f"<td><a href=\"#check-{index}\">{escape(str(entry.get('name')))}</a></td>"
            f"<td>{result}</td><td>{escape(drifted)}</td></tr>\n")
    return ("<table class=\"contents\"><thead><tr><th>status</th><th>check</th>"
            "<th>drift vs threshold</th><th>drifted features</th></tr></thead><tbody>\n"
            + "".join(rows) + "</tbody></table>\n")


def _check_section(index: int, entry: Mapping[str, Any]) -> str:
    from pytest_drift.terminal import ordered_features, summary_line

    status = str(entry.get("status"))
    css = STATUS_CLASS.get(status, "error")
    name = str(entry.get("name"))
    parts = [
        f"<section class=\"check {css}\" id=\"check-{index}\" data-check=\"{escape(name)}\" "
        f"data-status=\"{escape(status)}\">\n",
        f"<header><h2>{escape(name)}</h2>{_badge(status, warn=_is_warn(entry))}</header>\n",
    ]
    if entry.get("nodeid"):
        parts.append(f"<p class=\"meta\">test <code>{escape(str(entry['nodeid']))}</code>"
                     "</p>\n")
    parts.append(f"<p class=\"verdict {css}\">{escape(summary_line(entry))}</p>\n")
    parts.append(_options(entry))
    parts.append(_notes(entry))
    features = ordered_features(entry)
    if features:
        parts.append("<h3>Features</h3>\n")
        parts.append(_features_table(index, entry, features))
        parts.append("<h3>Baseline vs candidate</h3>\n<div class=\"charts\">\n")
        for number, (feature, detail) in enumerate(features, start=1):
            parts.append(_figure(f"check-{index}-f{number}", feature, detail))
        parts.append("</div>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _options(entry: Mapping[str, Any]) -> str:
    """The datasets and settings of a check, as a definition list."""
    from pytest_drift.messages import fmt_number

    rows: list[tuple[str, str]] = [
        ("baseline", f"<code>{escape(str(entry.get('baseline')))}</code>"
                     + _rows_text(entry.get("train_samples"))),
        ("candidate", f"<code>{escape(str(entry.get('candidate')))}</code>"
                      + _rows_text(entry.get("production_samples"))),
        ("alpha", escape(str(entry.get("alpha")))),
        ("threshold", escape(f"{fmt_number(entry.get('threshold'))}%")),
        ("correction", escape(str(entry.get("correction") or "none"))),
    ]
    if entry.get("min_effect") is not None:
        rows.append(("min_effect", escape(str(entry["min_effect"]))))
    if entry.get("mode") and entry.get("mode") != "fail":
        rows.append(("mode", escape(str(entry["mode"]))))
    if entry.get("engine"):
        rows.append(("engine", escape(str(entry["engine"]))))
    probability = entry.get("false_alarm_probability")
    if probability is not None:
        chance = "under 0.1%" if 0 < probability < 0.001 else f"{probability:.1%}"
        rows.append(("false alarm", f"{chance} chance this gate fails on stable data"))
    if entry.get("timestamp"):
        stamp = escape(str(entry["timestamp"]))
        rows.append(("ran at", f"<time datetime=\"{stamp}\">{stamp}</time>"))
    return ("<dl class=\"options\">"
            + "".join(f"<dt>{key}</dt><dd>{value}</dd>" for key, value in rows)
            + "</dl>\n")


def _rows_text(count: Any) -> str:
    return f" ({escape(str(count))} rows)" if count is not None else ""


def _notes(entry: Mapping[str, Any]) -> str:
    """Errors, warnings, skipped and waived features: nothing is left out silently."""
    items: list[str] = []
    if entry.get("status") == "ERROR" and entry.get("error"):
        items.append(f"<li class=\"error\">error: {escape(str(entry['error']))}</li>")
    for feature, reason in (entry.get("skipped_features") or {}).items():
        items.append(f"<li class=\"warning\">skipped <b>{escape(str(feature))}</b>: "
                     f"{escape(str(reason))}</li>")
    for feature, waiver in (entry.get("waived_features") or {}).items():
        items.append(f"<li class=\"warning\">waived <b>{escape(str(feature))}</b>: "
                     f"{escape(str(waiver))}</li>")
    for note in entry.get("notes") or []:
        items.append(f"<li class=\"warning\">warning: {escape(str(note))}</li>")
    for feature, detail in (entry.get("details") or {}).items():
        for note in detail.get("notes") or []:
            items.append(f"<li class=\"warning\">note ({escape(str(feature))}): "
                         f"{escape(str(note))}</li>")
    return f"<ul class=\"notes\">{''.join(items)}</ul>\n" if items else ""


def _verdict(detail: Mapping[str, Any]) -> str:
    """The same words as the terminal table."""
    if detail.get("drift_detected"):
        return "DRIFT"
    return {"waiver": "waived", "min_effect": "small"}.get(str(detail.get("decided_by")), "ok")


def _features_table(index: int, entry: Mapping[str, Any],
                    features: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """One row per feature, drifted rows first and highlighted, as in the terminal."""
    from pytest_drift.messages import change_text, fmt_number

    adjusted = bool(entry.get("correction"))
    missing = any(d.get("train_missing") or d.get("prod_missing") or d.get("train_infinite")
                  or d.get("prod_infinite") for _, d in features)
    head = ["", "feature", "test", "statistic", "p-value"]
    if adjusted:
        head.append("adjusted p")
    head += ["change", "n baseline / candidate"]
    if missing:
        head.append("missing")
    rows = []
    for number, (feature, detail) in enumerate(features, start=1):
        drifted = bool(detail.get("drift_detected"))
        cells = [
            f"<td>{_verdict(detail)}</td>",
            f"<td class=\"feature\"><a href=\"#check-{index}-f{number}\">{escape(feature)}</a>"
            "</td>",
            f"<td>{escape(str(detail.get('test')))}</td>",
            f"<td class=\"num\">{escape(fmt_number(detail.get('statistic')))}</td>",
            f"<td class=\"num\">{escape(fmt_number(detail.get('p_value'), 3))}</td>",
        ]
        if adjusted:
            cells.append(
                f"<td class=\"num\">{escape(fmt_number(detail.get('adjusted_p_value'), 3))}</td>")
        cells += [
            f"<td class=\"change\">{escape(change_text(detail))}</td>",
            f"<td class=\"num\">{escape(str(detail.get('train_n')))} / "
            f"{escape(str(detail.get('prod_n')))}</td>",
        ]
        if missing:
            text = f"{detail.get('train_missing', 0)} / {detail.get('prod_missing', 0)}"
            if detail.get("train_infinite") or detail.get("prod_infinite"):
                text += (f" (±inf {detail.get('train_infinite', 0)} / "
                         f"{detail.get('prod_infinite', 0)})")
            cells.append(f"<td class=\"num\">{escape(text)}</td>")
        css = " class=\"drift\"" if drifted else ""
        rows.append(f"<tr{css} data-feature=\"{escape(feature)}\">{''.join(cells)}</tr>\n")
    return ("<table class=\"features\"><thead><tr>"
            + "".join(f"<th>{escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>\n" + "".join(rows) + "</tbody></table>\n")


def _figure(anchor: str, feature: str, detail: Mapping[str, Any]) -> str:
    """A chart container for one feature (``data-feature`` names it for tests and tools)."""
    from pytest_drift.messages import fmt_number

    drifted = bool(detail.get("drift_detected"))
    chart = detail.get("chart")
    kind = str(chart.get("kind")) if isinstance(chart, Mapping) else "none"
    svg = None
    if isinstance(chart, Mapping) and kind == "ecdf":
        svg = ecdf_svg(feature, chart, detail.get("ks_statistic"))
    elif isinstance(chart, Mapping) and kind == "bars":
        svg = bars_svg(feature, chart, _top_category(detail))
    stat = (f"{detail.get('test')} {fmt_number(detail.get('statistic'))}, "
            f"p={fmt_number(detail.get('p_value'), 3)} · {_verdict(detail)}")
    body = svg or "<p class=\"nochart\">No chart data for this feature.</p>"
    return (
        f"<figure class=\"chart{' drift' if drifted else ''}\" id=\"{anchor}\" "
        f"data-feature=\"{escape(feature)}\" data-kind=\"{escape(kind)}\" "
        f"data-drifted=\"{'true' if drifted else 'false'}\">"
        f"<figcaption>{escape(feature)} <span class=\"stat\">{escape(stat)}</span>"
        f"</figcaption>\n{body}</figure>\n"
    )


def _top_category(detail: Mapping[str, Any]) -> str | None:
    top = detail.get("top_category")
    return str(top.get("category")) if isinstance(top, Mapping) else None


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
    from pytest_drift.messages import fmt_number

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
