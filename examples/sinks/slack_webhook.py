"""Post an alert to a Slack-compatible incoming webhook for each check that is not NORMAL.

A pytest plugin implementing pytest-datadrift's ``pytest_drift_report`` hook, standard
library only. Enable it with ``-p sinks.slack_webhook`` or ``pytest_plugins =
["sinks.slack_webhook"]`` in your root ``conftest.py`` (see ``README.md`` here), and set:

- ``DRIFT_SLACK_WEBHOOK_URL``: the webhook URL (http or https). Unset or empty: the sink
  does nothing. Keep it in a CI secret; it is never printed.
- ``DRIFT_SLACK_TIMEOUT``: seconds to wait for the webhook (default 5).

One POST per check with status ``DRIFT_DETECTED`` (warn mode included) or ``ERROR``, sent as
the check finishes, from the pytest process that runs the session (the xdist controller,
never a worker). The JSON body is ``{"text": ..., "blocks": [...]}``: ``text`` is the whole
alert in one line (what notifications and clients without blocks show), ``blocks`` lays it
out with Slack's Block Kit. Mattermost, Rocket.Chat and most chat webhooks accept it.

An alert that cannot be sent (no network, timeout, HTTP error) prints one line on stderr and
the session carries on: a chat outage never fails a test run.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

URL_VARIABLE = "DRIFT_SLACK_WEBHOOK_URL"
TIMEOUT_VARIABLE = "DRIFT_SLACK_TIMEOUT"
DEFAULT_TIMEOUT = 5.0
#: Slack's limits: 150 characters in a header, 3000 in a section's text; the one-line text
#: is kept short enough for a notification.
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
TEXT_LIMIT = 3000
ICONS = {"DRIFT_DETECTED": ":rotating_light:", "ERROR": ":warning:"}


def escape(text: object) -> str:
    """Text safe in Slack ``mrkdwn``: ``&``, ``<`` and ``>`` are its control characters."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def number(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}g}"


def percent(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def drift_against_threshold(check: Mapping[str, Any]) -> str:
    """``100.0% > threshold 20.0%``."""
    relation = ">" if check.get("status") == "DRIFT_DETECTED" else "<="
    return (f"{percent(check.get('drift_percentage'))} {relation} threshold "
            f"{percent(check.get('threshold'))}")


def evidence(detail: Mapping[str, Any], corrected: bool) -> str:
    """``p=2.72e-17`` (with the adjusted p-value when a correction ran), or ``psi=0.31``
    for a test without a p-value."""
    if detail.get("p_value") is None:
        return f"psi={number(detail.get('psi'))}"
    text = f"p={number(detail.get('p_value'))}"
    if corrected and detail.get("adjusted_p_value") is not None:
        text += f", adjusted {number(detail['adjusted_p_value'])}"
    return text


def drifted(check: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    details: Mapping[str, Mapping[str, Any]] = check.get("details") or {}
    names: Sequence[str] = check.get("drifted_features") or []
    return [(name, details.get(name, {})) for name in names]


def status_text(check: Mapping[str, Any]) -> str:
    status = str(check.get("status"))
    if status == "DRIFT_DETECTED" and check.get("mode") == "warn":
        return f"{status} (warn mode)"
    return status


def summary(check: Mapping[str, Any]) -> str:
    """The whole alert in one line: check, status, drift % against the threshold, and each
    drifted feature with its p-value."""
    head = f"Data drift: {check.get('name')} {status_text(check)}"
    if check.get("status") == "ERROR":
        return f"{head}: {check.get('error')}"
    corrected = bool(check.get("correction"))
    features = ", ".join(f"{name} ({evidence(detail, corrected)})"
                         for name, detail in drifted(check))
    return (f"{head}, drift {drift_against_threshold(check)} "
            f"({check.get('features_with_drift')} of {check.get('features_tested')} features, "
            f"alpha {check.get('alpha')}). Drifted: {features or 'none'}")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def payload(check: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of the alert for one check."""
    status = str(check.get("status"))
    header = f"Data drift: {status_text(check)} in {check.get('name')}"
    facts = [f"*Check:* {escape(check.get('name'))}",
             f"*Test:* {escape(check.get('nodeid') or 'n/a')}",
             f"*Status:* {escape(status_text(check))}"]
    blocks: list[dict[str, Any]] = [
        {"type": "header",
         "text": {"type": "plain_text", "text": clip(header, HEADER_LIMIT), "emoji": True}},
    ]
    if status == "ERROR":
        facts.append(f"*Error:* {escape(check.get('error'))}")
        blocks.append(_section("\n".join(facts)))
    else:
        facts.append(f"*Drift:* {escape(drift_against_threshold(check))} "
                     f"({check.get('features_with_drift')} of {check.get('features_tested')} "
                     f"features, alpha {check.get('alpha')}"
                     + (f", {check['correction']} correction" if check.get("correction")
                        else "") + ")")
        blocks.append(_section("\n".join(facts)))
        corrected = bool(check.get("correction"))
        lines = [f"• {escape(name)}: {escape(detail.get('test', '?'))} statistic "
                 f"{number(detail.get('statistic'), 4)}, {evidence(detail, corrected)}"
                 for name, detail in drifted(check)]
        if lines:
            blocks.append(_section("*Drifted features*\n" + "\n".join(lines)))
    blocks.append({"type": "context", "elements": [{
        "type": "mrkdwn",
        "text": clip(f"candidate {escape(check.get('candidate'))} vs baseline "
                     f"{escape(check.get('baseline'))}", SECTION_LIMIT),
    }]})
    icon = ICONS.get(status, "")
    text = clip(f"{icon} {escape(summary(check))}".strip(), TEXT_LIMIT)
    return {"text": text, "blocks": blocks}


def _section(text: str) -> dict[str, Any]:
    if len(text) > SECTION_LIMIT:
        cut = text.rfind("\n", 0, SECTION_LIMIT - 20)
        text = text[: cut if cut > 0 else SECTION_LIMIT - 20] + "\n… (more in the report)"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def timeout() -> float:
    raw = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def post(url: str, body: Mapping[str, Any], seconds: float) -> None:
    """POST ``body`` as JSON; raise on a network error or an HTTP status >= 400."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{URL_VARIABLE} must be an http(s) URL, not {scheme or 'no'} scheme")
    request = urllib.request.Request(
        url, data=json.dumps(body).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": "pytest-datadrift-slack-sink"},
    )
    try:
        with urllib.request.urlopen(request, timeout=seconds) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the response's socket
        raise


def where(url: str) -> str:
    """The webhook's host, for messages: the URL's path is its secret."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "the webhook"
    return f"{parts.scheme}://{parts.hostname}" if parts.hostname else "the webhook"


def pytest_drift_report(check: Mapping[str, Any]) -> None:
    """Send the alert of a check that is not NORMAL; never raise into pytest."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if not url or check.get("status") == "NORMAL":
        return
    try:
        post(url, payload(check), timeout())
    except Exception as exc:  # a sink must not stop the session
        reason = exc.reason if isinstance(exc, urllib.error.URLError) and \
            not isinstance(exc, urllib.error.HTTPError) else exc
        print(f"pytest-datadrift slack sink: could not post the alert for "
              f"{check.get('name')} to {where(url)}: {reason}", file=sys.stderr, flush=True)
