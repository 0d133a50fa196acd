"""The report sinks of examples/sinks/ (``pytest_drift_report`` hook implementations), used as a
user would: copied into the project and enabled with ``-p sinks.<module>``."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.runner import CARS, FOUR_CHECKS, run_drift

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SLACK = ("-p", "sinks.slack_webhook")
PROMETHEUS = ("-p", "sinks.prometheus_textfile")

CHECKS = FOUR_CHECKS
NOT_NORMAL = {"test_cars", "test_cars_warn", "test_missing_file"}

# Counts the calls of the hook: which process made each, for which check.
COUNTER = """
    import json
    import os

    CALLS = {calls!r}

    def pytest_configure(config):
        if not hasattr(config, "workerinput"):
            with open(CALLS, "a") as stream:
                stream.write(json.dumps({{"controller": os.getpid()}}) + "\\n")

    def pytest_drift_report(check):
        with open(CALLS, "a") as stream:
            stream.write(json.dumps({{"pid": os.getpid(), "name": check["name"],
                                      "nodeid": check["nodeid"]}}) + "\\n")
"""


class Webhook(BaseHTTPRequestHandler):
    """Records each POST; ``/fail`` answers 500, ``/slow`` answers only when released."""

    server: WebhookServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/slow":
            self.server.release.wait(10)
            return
        self.server.received.append({
            "path": self.path,
            "content_type": self.headers.get("Content-Type"),
            "body": json.loads(body),
        })
        status = 500 if self.path == "/fail" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class WebhookServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Webhook)
        self.received: list[dict[str, Any]] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the slow path's client has given up: its broken pipe is expected


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookServer]:
    """A local webhook on 127.0.0.1, served by a thread for the duration of the test."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    server = WebhookServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def sinks(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """The project with ``sinks/`` copied from examples/, importable in-process and in
    subprocesses (which start in the project directory), and no sink configured."""
    shutil.copytree(EXAMPLES / "sinks", project.path / "sinks",
                    ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    project.syspathinsert()
    for name in ("DRIFT_SLACK_WEBHOOK_URL", "DRIFT_SLACK_TIMEOUT", "DRIFT_PROMETHEUS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return project


def closed_port() -> int:
    """A local port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- a tiny parser of Prometheus's text format ----------------------------------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')
UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def parse_labels(text: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = LABEL.match(text, position)
        assert match, f"bad label at {text[position:]!r}"
        assert match.group(1) not in labels, f"label {match.group(1)} twice in {text!r}"
        value = re.sub(r"\\.", lambda m: UNESCAPE[m.group(0)], match.group(2))
        labels[match.group(1)] = value
        position = match.end()
        if position < len(text):
            assert text[position] == ",", f"no comma after a label in {text!r}"
            position += 1
    return labels


def parse_metrics(text: str) -> dict[str, dict[str, Any]]:
    """Families by name: ``help``, ``type`` and ``samples`` (a list of (labels, value)).
    Checks what a scraper requires: HELP and TYPE before a family's samples, each family in
    one block, valid names, label syntax and values, no series twice."""
    assert text.endswith("\n")
    families: dict[str, dict[str, Any]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[len("# HELP "):].partition(" ")
            assert re.fullmatch(NAME, name), line
            assert name not in families, f"two HELP lines for {name}"
            families[name] = {"help": help_text, "type": None, "samples": []}
            current = name
        elif line.startswith("# TYPE "):
            name, _, kind = line[len("# TYPE "):].partition(" ")
            assert name == current, f"TYPE without its HELP: {line}"
            assert families[name]["type"] is None, f"two TYPE lines for {name}"
            assert kind in ("gauge", "counter", "histogram", "summary", "untyped"), line
            families[name]["type"] = kind
        else:
            match = re.fullmatch(rf"({NAME})(?:\{{(.*)\}})? (\S+)", line)
            assert match, f"not a sample line: {line!r}"
            name, labels, value = match.groups()
            assert name == current, f"{name} outside its family's block"
            assert families[name]["type"] is not None, f"{name} before its TYPE"
            parsed = parse_labels(labels or "")
            series = sorted(parsed.items())
            assert series not in [sorted(s.items()) for s, _ in families[name]["samples"]], \
                f"series twice: {line}"
            families[name]["samples"].append((parsed, float(value)))
    return families


def values(families: dict[str, dict[str, Any]], metric: str, **match: str
           ) -> list[tuple[dict[str, str], float]]:
    return [(labels, value) for labels, value in families[metric]["samples"]
            if all(labels.get(k) == v for k, v in match.items())]


def test_parser_reads_escaped_labels():
    families = parse_metrics(
        '# HELP m a \\\\ help\n# TYPE m gauge\nm{a="x\\"y\\\\z\\nw",b=""} 1e-05\nm 2\n')
    assert families["m"]["samples"] == [({"a": 'x"y\\z\nw', "b": ""}, 1e-05), ({}, 2.0)]
    with pytest.raises(AssertionError):
        parse_metrics('# HELP m h\n# TYPE m gauge\nm{a="x"y"} 1\n')
    with pytest.raises(AssertionError):
        parse_metrics("m 1\n")


def load_sink(name: str) -> Any:
    """A sink module of examples/sinks/, imported from its file (not as a plugin)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"sink_{name}", EXAMPLES / "sinks" /
                                                  f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic_check(features: int) -> dict[str, Any]:
    """A check entry with ``features`` drifted features, one of them a psi test (no p-value)."""
    details = {f"feature_{i:03d}_with_a_long_name": {
        "test": "ks", "statistic": 0.5, "p_value": 1e-9, "adjusted_p_value": 1e-7,
        "drift_detected": True} for i in range(features)}
    details["feature_000_with_a_long_name"] = {"test": "psi", "statistic": 0.31,
                                               "p_value": None, "psi": 0.31,
                                               "drift_detected": True}
    return {"name": "wide " * 50, "nodeid": "tests/test_x.py::test_wide",
            "status": "DRIFT_DETECTED", "mode": "fail", "drift_percentage": 100.0,
            "threshold": 20.0, "alpha": 0.05, "correction": "holm",
            "features_tested": features, "features_with_drift": features,
            "drifted_features": list(details), "details": details,
            "baseline": "b.csv", "candidate": "c.csv"}


def test_webhook_payload_stays_within_slack_limits():
    slack = load_sink("slack_webhook")
    body = slack.payload(synthetic_check(300))
    assert len(body["text"]) <= 3000
    assert len(body["blocks"][0]["text"]["text"]) <= 150
    for block in body["blocks"][1:3]:
        assert len(block["text"]["text"]) <= 3000
    features = body["blocks"][2]["text"]["text"].splitlines()
    assert features[1] == "• feature_000_with_a_long_name: psi statistic 0.31, psi=0.31"
    assert features[2] == "• feature_001_with_a_long_name: ks statistic 0.5, p=1e-09, " \
                          "adjusted 1e-07"
    assert features[-1] == "… (more in the report)"
    assert "holm correction" in body["blocks"][1]["text"]["text"]


def test_prometheus_render_skips_what_a_check_lacks():
    prometheus = load_sink("prometheus_textfile")
    error = {"name": "broken", "nodeid": "t.py::test_broken", "status": "ERROR",
             "error": "file not found", "details": {}, "drift_percentage": None,
             "threshold": 20.0}
    families = parse_metrics(prometheus.render([synthetic_check(3), error], now=1.5))
    p_values = {labels["feature"] for labels, _ in families["drift_feature_p_value"]["samples"]}
    assert p_values == {"feature_001_with_a_long_name", "feature_002_with_a_long_name"}
    assert len(families["drift_feature_statistic"]["samples"]) == 3  # psi has a statistic
    assert [labels["check"] for labels, _ in families["drift_check_percentage"]["samples"]] \
        == ["wide " * 50]
    assert values(families, "drift_check_status", check="broken", status="ERROR")[0][1] == 1.0
    assert families["drift_last_run_timestamp_seconds"]["samples"] == [({}, 1.5)]


# --- the webhook ------------------------------------------------------------------------


def test_webhook_posts_one_alert_per_check_that_is_not_normal(sinks, webhook, monkeypatch):
    monkeypatch.setenv("DRIFT_SLACK_WEBHOOK_URL", webhook.url + "/services/T0/B0/secret")
    sinks.makepyfile(test_checks=CHECKS)
    result, report = run_drift(sinks, *SLACK)
    result.assert_outcomes(passed=2, failed=1, errors=1, warnings=1)
    assert [r["path"] for r in webhook.received] == ["/services/T0/B0/secret"] * 3
    assert {r["content_type"] for r in webhook.received} == {"application/json; charset=utf-8"}
    bodies = {}
    for received in webhook.received:
        body = received["body"]
        assert set(body) == {"text", "blocks"}
        name = next(n for n in NOT_NORMAL if f"Data drift: {n} " in body["text"])
        bodies[name] = body
    assert set(bodies) == NOT_NORMAL  # one each; none for test_stable

    entries = {entry["name"]: entry for entry in report["checks"]}
    cars = bodies["test_cars"]
    assert cars["text"].startswith(":rotating_light: Data drift: test_cars DRIFT_DETECTED, "
                                   "drift 100.0% &gt; threshold 20.0% (7 of 7 features, "
                                   "alpha 0.05). Drifted: Miles_per_Gallon (p=2.72e-17), ")
    for feature in entries["test_cars"]["drifted_features"]:
        p_value = entries["test_cars"]["details"][feature]["p_value"]
        assert f"{feature} (p={p_value:.3g})" in cars["text"]
    assert "Origin (p=0.00139)" in cars["text"]
    assert [block["type"] for block in cars["blocks"]] == [
        "header", "section", "section", "context"]
    assert cars["blocks"][0]["text"] == {
        "type": "plain_text", "text": "Data drift: DRIFT_DETECTED in test_cars", "emoji": True}
    facts = cars["blocks"][1]["text"]
    assert facts["type"] == "mrkdwn"
    assert "*Test:* test_checks.py::test_cars" in facts["text"]
    # mrkdwn: <, > and & are escaped (Slack shows them as they were)
    assert "*Drift:* 100.0% &gt; threshold 20.0% (7 of 7 features, alpha 0.05)" in \
        facts["text"]
    features = cars["blocks"][2]["text"]["text"].splitlines()
    assert features[0] == "*Drifted features*"
    assert features[1] == "• Miles_per_Gallon: ks statistic 0.4343, p=2.72e-17"
    assert len(features) == 8
    assert cars["blocks"][3]["elements"][0]["text"] == (
        f"candidate {CARS[1]} vs baseline {CARS[0]}")

    assert "test_cars_warn DRIFT_DETECTED (warn mode), drift 100.0% &gt; threshold 20.0%" in \
        bodies["test_cars_warn"]["text"]
    error = bodies["test_missing_file"]
    assert error["text"].startswith(":warning: Data drift: test_missing_file ERROR: ")
    assert entries["test_missing_file"]["error"] in error["text"]
    assert [block["type"] for block in error["blocks"]] == ["header", "section", "context"]
    assert "pytest-datadrift slack sink" not in result.stderr.str() + result.stdout.str()


def test_webhook_text_is_escaped_for_slack(sinks, webhook, monkeypatch):
    """``&``, ``<`` and ``>`` are Slack's control characters; a name holding them stays text."""
    monkeypatch.setenv("DRIFT_SLACK_WEBHOOK_URL", webhook.url)
    sinks.makepyfile(test_names=f"""
        def test_named(drift_check):
            drift_check({CARS[0]!r}, {CARS[1]!r}, name="<!channel> cars & co",
                        features=["Miles_per_Gallon"])
    """)
    result, _ = run_drift(sinks, *SLACK)
    result.assert_outcomes(failed=1)
    (received,) = webhook.received
    text = received["body"]["text"]
    assert "Data drift: &lt;!channel&gt; cars &amp; co DRIFT_DETECTED" in text
    assert "<!channel>" not in json.dumps(received["body"]["blocks"][1:])
    # plain_text is not mrkdwn: the header shows the name as it is
    assert received["body"]["blocks"][0]["text"]["text"].endswith("<!channel> cars & co")


@pytest.mark.parametrize("failure", ["refused", "http 500", "timeout"])
def test_webhook_failure_does_not_fail_the_run(sinks, webhook, monkeypatch, failure):
    url = {"refused": f"http://127.0.0.1:{closed_port()}/hook/secret",
           "http 500": webhook.url + "/fail",
           "timeout": webhook.url + "/slow"}[failure]
    monkeypatch.setenv("DRIFT_SLACK_WEBHOOK_URL", url)
    monkeypatch.setenv("DRIFT_SLACK_TIMEOUT", "0.5")
    sinks.makepyfile(test_checks=CHECKS)
    # warnings are errors: the sink reports its failure without a warning
    result, report = run_drift(sinks, *SLACK, "-o", "filterwarnings=error")
    result.assert_outcomes(passed=2, failed=1, errors=1, warnings=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert len(report["checks"]) == 4
    result.stderr.no_fnmatch_line("*INTERNALERROR*")
    result.stderr.no_fnmatch_line("*Traceback*")
    lines = [line for line in result.stderr.lines if "pytest-datadrift slack sink" in line]
    assert len(lines) == 3, result.stderr.str()
    reason = {"refused": "*refused*", "http 500": "*500*", "timeout": "*timed out*"}[failure]
    for line, name in zip(lines, ["test_cars", "test_cars_warn", "test_missing_file"],
                          strict=True):
        assert line.startswith(f"pytest-datadrift slack sink: could not post the alert for "
                               f"{name} to http://127.0.0.1: ")
        assert not re.search(r"secret|/hook|/fail|/slow", line), "the URL's path is secret"
    result.stderr.fnmatch_lines([reason])


def test_webhook_does_nothing_without_its_url(sinks, webhook):
    sinks.makepyfile(test_checks=CHECKS)
    result, _ = run_drift(sinks, *SLACK)
    result.assert_outcomes(passed=2, failed=1, errors=1, warnings=1)
    assert webhook.received == []
    assert "slack sink" not in result.stderr.str() + result.stdout.str()


# --- the Prometheus file ------------------------------------------------------------------


def test_prometheus_file_has_a_gauge_per_feature_and_check(sinks, monkeypatch):
    metrics = sinks.path / "metrics" / "drift.prom"
    metrics.parent.mkdir()
    metrics.write_text("# a stale file from an earlier session\nstale_metric 1\n")
    monkeypatch.setenv("DRIFT_PROMETHEUS_FILE", "metrics/drift.prom")
    sinks.makepyfile(test_checks=CHECKS)
    result, report = run_drift(sinks, *PROMETHEUS)
    result.assert_outcomes(passed=2, failed=1, errors=1, warnings=1)
    text = metrics.read_text(encoding="utf-8")
    families = parse_metrics(text)
    assert "stale_metric" not in text  # rewritten whole, from this session's checks
    assert sorted(p.name for p in metrics.parent.iterdir()) == ["drift.prom"]  # no temp file
    assert oct(metrics.stat().st_mode & 0o777) == oct(0o644)
    assert {name: family["type"] for name, family in families.items()} == dict.fromkeys([
        "drift_feature_p_value", "drift_feature_statistic", "drift_check_percentage",
        "drift_check_threshold", "drift_check_status", "drift_last_run_timestamp_seconds",
    ], "gauge")
    assert all(family["help"] for family in families.values())

    for entry in report["checks"]:
        check = {"check": entry["name"], "nodeid": entry["nodeid"]}
        p_values = values(families, "drift_feature_p_value", **check)
        assert {labels["feature"]: value for labels, value in p_values} == {
            feature: detail["p_value"] for feature, detail in entry["details"].items()}
        assert len(p_values) == len(entry["details"])  # one per feature
        statistics = values(families, "drift_feature_statistic", **check)
        assert {(labels["feature"], labels["test"]): value for labels, value in statistics} == {
            (feature, detail["test"]): detail["statistic"]
            for feature, detail in entry["details"].items()}
        percentage = values(families, "drift_check_percentage", **check)
        if entry["status"] == "ERROR":
            assert percentage == []
        else:
            assert percentage == [(check, entry["drift_percentage"])]
        status = {labels["status"]: value
                  for labels, value in values(families, "drift_check_status", **check)}
        assert status == {s: float(s == entry["status"])
                          for s in ("NORMAL", "DRIFT_DETECTED", "ERROR")}
    assert len(values(families, "drift_feature_p_value", check="test_cars")) == 7
    assert values(families, "drift_feature_p_value", check="test_cars",
                  feature="Miles_per_Gallon")[0][1] == pytest.approx(2.717e-17, rel=1e-3)
    assert values(families, "drift_check_percentage", check="test_stable")[0][1] == 0.0
    assert values(families, "drift_check_percentage", check="test_cars")[0][1] == 100.0
    (timestamp,) = families["drift_last_run_timestamp_seconds"]["samples"]
    assert timestamp[0] == {}
    assert timestamp[1] > 1.7e9


def test_prometheus_labels_are_escaped(sinks, monkeypatch):
    monkeypatch.setenv("DRIFT_PROMETHEUS_FILE", str(sinks.path / "drift.prom"))
    sinks.makepyfile(test_names=r'''
        import numpy as np
        import pandas as pd

        def test_named(drift_check):
            rng = np.random.default_rng(3)
            columns = ['say "hi"', "back\\slash", "two\nlines"]
            baseline = pd.DataFrame({c: rng.normal(0, 1, 100) for c in columns})
            candidate = pd.DataFrame({c: rng.normal(0, 1, 100) for c in columns})
            drift_check(baseline, candidate, name='segment "a\\b"\nc', threshold=100)
    ''')
    result, _ = run_drift(sinks, *PROMETHEUS)
    result.assert_outcomes(passed=1)
    text = (sinks.path / "drift.prom").read_text(encoding="utf-8")
    assert 'check="segment \\"a\\\\b\\"\\nc"' in text
    families = parse_metrics(text)
    name = 'segment "a\\b"\nc'
    assert {labels["feature"] for labels, _ in
            values(families, "drift_feature_p_value", check=name)} == {
        'say "hi"', "back\\slash", "two\nlines"}
    assert len(values(families, "drift_check_percentage", check=name)) == 1


def test_prometheus_does_nothing_without_its_file(sinks):
    sinks.makepyfile(test_checks=CHECKS)
    result, _ = run_drift(sinks, *PROMETHEUS)
    result.assert_outcomes(passed=2, failed=1, errors=1, warnings=1)
    assert list(sinks.path.rglob("*.prom")) == []
    assert "prometheus sink" not in result.stderr.str()


# --- both sinks, with and without xdist -----------------------------------------------------


@pytest.mark.parametrize("xdist", [(), ("-n", "2")], ids=["no xdist", "-n2"])
def test_hook_runs_on_the_controller_once_per_check(sinks, webhook, monkeypatch, xdist):
    calls = sinks.path / "calls.jsonl"
    sinks.makeconftest(COUNTER.format(calls=str(calls)))
    monkeypatch.setenv("DRIFT_SLACK_WEBHOOK_URL", webhook.url)
    monkeypatch.setenv("DRIFT_PROMETHEUS_FILE", "drift.prom")
    sinks.makepyfile(test_checks=CHECKS, test_more=f"""
        import pytest

        @pytest.mark.parametrize("segment", ["a", "b"])
        def test_segment(drift_check, segment):
            drift_check({CARS[0]!r}, {CARS[1]!r}, name=f"segment={{segment}}",
                        features=["Acceleration"], threshold=100)
    """)
    result, report = run_drift(sinks, *SLACK, *PROMETHEUS, *xdist, subprocess=bool(xdist))
    result.assert_outcomes(passed=4, failed=1, errors=1, warnings=1)

    records = [json.loads(line) for line in calls.read_text().splitlines()]
    controllers = {r["controller"] for r in records if "controller" in r}
    assert len(controllers) == 1  # the one process that is not a worker
    if not xdist:
        assert controllers == {os.getpid()}
    hook_calls = [r for r in records if "controller" not in r]
    assert {r["pid"] for r in hook_calls} == controllers
    assert sorted((r["nodeid"], r["name"]) for r in hook_calls) == sorted(
        (entry["nodeid"], entry["name"]) for entry in report["checks"])
    assert len(hook_calls) == len(report["checks"]) == 6

    posted = sorted(r["body"]["text"].split()[3] for r in webhook.received)
    assert posted == sorted(NOT_NORMAL)
    families = parse_metrics((sinks.path / "drift.prom").read_text(encoding="utf-8"))
    assert {labels["check"] for labels, _ in families["drift_check_status"]["samples"]} == {
        entry["name"] for entry in report["checks"]}
    assert len(families["drift_check_status"]["samples"]) == 6 * 3
    assert values(families, "drift_feature_p_value", check="segment=b") == [
        ({"check": "segment=b", "nodeid": "test_more.py::test_segment[b]",
          "feature": "Acceleration"},
         report["checks"][[e["name"] for e in report["checks"]].index("segment=b")]
         ["details"]["Acceleration"]["p_value"])]
