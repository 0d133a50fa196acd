"""The self-contained HTML report: per check the verdict and the features table, per feature
an overlaid ECDF (numeric) or grouped category shares (categorical), drawn as inline SVG.

Everything here formats the JSON entries of checks, with the words of
:mod:`pytest_drift.wording`, and the ``chart`` data the engine put in them (drawn by
:mod:`pytest_drift.html_charts`); nothing is recomputed and nothing is fetched, so the file
opens offline as a CI artifact. Only the standard library is imported (the plugin loads in
every pytest run).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from pytest_drift import trend_wording
from pytest_drift.html_charts import bars_svg, ecdf_svg, windows_svg
from pytest_drift.models import STATUS_ORDER
from pytest_drift.wording import (
    APPROXIMATE_MARK,
    DRIFT_WORD,
    UNDECIDED_WORD,
    against_threshold,
    change_text,
    counts_text,
    false_alarm_text,
    fmt_number,
    has_missing,
    is_warn,
    missing_text,
    notice_text,
    notices,
    ordered_features,
    p_value_cell,
    statistic_text,
    statistic_value,
    status_word,
    summary_line,
    verdict_word,
)

DEFAULT_TITLE = "pytest-datadrift report"
STATUS_CLASS = {"NORMAL": "ok", "DRIFT_DETECTED": "drift", "UNDECIDED": "undecided",
                "ERROR": "error", "SKIPPED": "skipped"}

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
.badge.undecided{background:var(--warn);color:#fff}
tr.undecided td{background:var(--warn-bg);color:var(--warn);font-weight:600}
.check.undecided{border-left-color:var(--warn)}.badge.skipped{background:var(--muted);color:#fff}
.check.skipped{border-left-color:var(--muted)}.verdict.undecided{color:var(--warn)}
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
section.trend{border:1px solid var(--line);border-radius:8px;padding:12px 20px;margin:20px 0}
@media print{.check{break-inside:avoid-page}figure.chart{break-inside:avoid}}
"""


def render_html(entries: Sequence[Mapping[str, Any]], *, title: str = DEFAULT_TITLE,
                generated_at: str | None = None,
                trend: Mapping[str, Any] | None = None) -> str:
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
    trend
        The trend against an earlier run (:func:`pytest_drift.trend.compute_trend`), shown
        after the contents when given.

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
    counts = ", ".join(f"{statuses.count(s)} {status_word(s)}" for s in reversed(STATUS_ORDER)
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
    if trend is not None:
        parts.append(_trend_section(trend))
    for index, entry in enumerate(entries, start=1):
        parts.append(_check_section(index, entry))
    parts.append("<footer>Baseline: the data the model was trained on; candidate: the data "
                 "it sees now. Written by pytest-datadrift; this file needs no network."
                 "</footer>\n</body>\n</html>\n")
    return "".join(parts)


def _badge(status: str, *, warn: bool = False, approximate: bool = False) -> str:
    css = STATUS_CLASS.get(status, "error")
    text = f"<span class=\"badge {css}\">{escape(status)}</span>"
    if warn:
        text += " <span class=\"badge warn\">mode=warn</span>"
    if approximate:
        text += f" <span class=\"badge warn\">{escape(APPROXIMATE_MARK.strip('[]'))}</span>"
    return text


def _contents(entries: Sequence[Mapping[str, Any]]) -> str:
    """A table of the checks, linking to each section."""
    rows = []
    for index, entry in enumerate(entries, start=1):
        status = str(entry.get("status"))
        drifted = ", ".join(entry.get("drifted_features") or [])
        result = (escape(str(entry.get("error"))) if status == "ERROR"
                  else escape(against_threshold(entry)))
        badge = _badge(status, warn=is_warn(entry), approximate=bool(entry.get("approximate")))
        rows.append(
            f"<tr><td>{badge}</td>"
            f"<td><a href=\"#check-{index}\">{escape(str(entry.get('name')))}</a></td>"
            f"<td>{result}</td><td>{escape(drifted)}</td></tr>\n")
    return ("<table class=\"contents\"><thead><tr><th>status</th><th>check</th>"
            "<th>drift vs threshold</th><th>drifted features</th></tr></thead><tbody>\n"
            + "".join(rows) + "</tbody></table>\n")


def _check_section(index: int, entry: Mapping[str, Any]) -> str:
    status = str(entry.get("status"))
    css = STATUS_CLASS.get(status, "error")
    name = str(entry.get("name"))
    parts = [
        f"<section class=\"check {css}\" id=\"check-{index}\" data-check=\"{escape(name)}\" "
        f"data-status=\"{escape(status)}\">\n",
        f"<header><h2>{escape(name)}</h2>"
        f"{_badge(status, warn=is_warn(entry), approximate=bool(entry.get('approximate')))}"
        "</header>\n",
    ]
    if entry.get("nodeid"):
        parts.append(f"<p class=\"meta\">test <code>{escape(str(entry['nodeid']))}</code>"
                     "</p>\n")
    parts.append(f"<p class=\"verdict {css}\">{escape(summary_line(entry))}</p>\n")
    parts.append(_options(entry))
    parts.append(_notes(entry))
    if entry.get("windows"):
        parts.append("<h3>Drift over time</h3>\n<figure class=\"windows\">"
                     f"{windows_svg(entry['windows'], entry.get('threshold'))}</figure>\n")
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
        rows.append(("false alarm", f"{false_alarm_text(probability)} chance this gate fails "
                                    "on stable data"))
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
    for notice in notices(entry):
        if notice.kind in ("skipped", "waived"):  # the feature's name in bold
            items.append(f"<li class=\"warning\">{notice.kind} <b>"
                         f"{escape(str(notice.subject))}</b>: {escape(notice.text)}</li>")
        else:
            items.append(f"<li class=\"warning\">{escape(notice_text(notice))}</li>")
    return f"<ul class=\"notes\">{''.join(items)}</ul>\n" if items else ""


def _features_table(index: int, entry: Mapping[str, Any],
                    features: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """One row per feature, drifted rows first and highlighted, as in the terminal."""
    adjusted = bool(entry.get("correction"))
    missing = any(has_missing(d) for _, d in features)
    head = ["", "feature", "test", "statistic", "p-value"]
    if adjusted:
        head.append("adjusted p")
    head += ["change", "n baseline / candidate"]
    if missing:
        head.append("missing")
    rows = []
    for number, (feature, detail) in enumerate(features, start=1):
        verdict = verdict_word(detail)
        cells = [
            f"<td>{verdict}</td>",
            f"<td class=\"feature\"><a href=\"#check-{index}-f{number}\">{escape(feature)}</a>"
            "</td>",
            f"<td>{escape(str(detail.get('test')))}</td>",
            f"<td class=\"num\">{escape(statistic_value(detail))}</td>",
            f"<td class=\"num\">{escape(p_value_cell(detail))}</td>",
        ]
        if adjusted:
            cells.append(
                f"<td class=\"num\">{escape(fmt_number(detail.get('adjusted_p_value'), 3))}</td>")
        cells += [
            f"<td class=\"change\">{escape(change_text(detail))}</td>",
            f"<td class=\"num\">{escape(counts_text(detail, ' / '))}</td>",
        ]
        if missing:
            cells.append(f"<td class=\"num\">{escape(missing_text(detail, ' / '))}</td>")
        css = (" class=\"drift\"" if verdict == DRIFT_WORD else
               " class=\"undecided\"" if verdict == UNDECIDED_WORD else "")
        rows.append(f"<tr{css} data-feature=\"{escape(feature)}\">{''.join(cells)}</tr>\n")
    return ("<table class=\"features\"><thead><tr>"
            + "".join(f"<th>{escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>\n" + "".join(rows) + "</tbody></table>\n")


def _figure(anchor: str, feature: str, detail: Mapping[str, Any]) -> str:
    """A chart container for one feature (``data-feature`` names it for tests and tools)."""
    drifted = bool(detail.get("drift_detected"))
    chart = detail.get("chart")
    kind = str(chart.get("kind")) if isinstance(chart, Mapping) else "none"
    svg = None
    if isinstance(chart, Mapping) and kind == "ecdf":
        svg = ecdf_svg(feature, chart, detail.get("ks_statistic"))
    elif isinstance(chart, Mapping) and kind == "bars":
        svg = bars_svg(feature, chart, _top_category(detail))
    stat = f"{statistic_text(detail)} · {verdict_word(detail)}"
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


def _trend_section(trend: Mapping[str, Any]) -> str:
    """The trend: its headline, new and gone checks, then per matched check with news what
    changed and its largest moves of the statistic."""
    from pytest_drift.trend import has_news

    parts = [f"<section class=\"trend\" id=\"trend\">\n<h2>{escape(trend_wording.TREND_HEADING)}"
             f"</h2>\n<p class=\"meta\">{escape(trend_wording.trend_headline(trend))}</p>\n"]
    lines = trend_wording.trend_check_lines(trend)
    if lines:
        parts.append("<ul class=\"notes\">" + "".join(
            f"<li class=\"warning\">{escape(line)}</li>" for line in lines) + "</ul>\n")
    for check in trend.get("checks") or []:
        if not has_news(check):
            continue
        parts.append(f"<div class=\"trend-check\" data-check=\"{escape(str(check.get('name')))}\">"
                     f"<h3>{escape(str(check.get('name')))} · "
                     f"{escape(trend_wording.trend_status_text(check))}</h3>\n")
        notes = trend_wording.trend_notes(check)
        if notes:
            parts.append("<ul class=\"notes\">" + "".join(
                f"<li class=\"warning\">{escape(note)}</li>" for note in notes) + "</ul>\n")
        if check.get("moves"):
            parts.append(_moves_table(check, int(trend.get("top") or 0)))
        parts.append("</div>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _moves_table(check: Mapping[str, Any], top: int) -> str:
    head = ["", "feature", "test", "statistic", "change", "p-value"]
    rows = []
    for move in check.get("moves") or []:
        cells = [trend_wording.move_verdict_text(move), str(move.get("feature")),
                 str(move.get("test")), trend_wording.move_statistic_text(move),
                 trend_wording.move_change_text(move), trend_wording.move_p_value_text(move)]
        css = " class=\"drift\"" if move.get("drift") else ""
        rows.append(f"<tr{css} data-feature=\"{escape(str(move.get('feature')))}\">"
                    + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>\n")
    return (f"<table class=\"moves\"><caption>{escape(trend_wording.moves_caption(top))}</caption>"
            "<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>\n" + "".join(rows) + "</tbody></table>\n")
