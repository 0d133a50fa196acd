"""Write the drift checks of a pytest session as Prometheus metrics, in the text format.

A pytest plugin implementing pytest-datadrift's ``pytest_drift_report`` hook, standard
library only. Enable it with ``-p sinks.prometheus_textfile`` or ``pytest_plugins =
["sinks.prometheus_textfile"]`` in your root ``conftest.py`` (see ``README.md`` here), and set
``DRIFT_PROMETHEUS_FILE`` to the file to write (relative paths are relative to pytest's
rootdir). Unset or empty: the sink does nothing.

Point node_exporter's textfile collector (``--collector.textfile.directory``) at the file's
folder and name the file ``*.prom``, or push it with ``curl --data-binary @file`` to a
Pushgateway. At the end of a session that ran at least one check, the whole file is
rewritten, atomically (a temporary file in the same folder, then a rename), from the checks of
that session; a session without checks leaves it as it was. Metrics::

    drift_feature_p_value{check,nodeid,feature}            p-value of the feature's test
    drift_feature_statistic{check,nodeid,feature,test}     the test's statistic
    drift_check_percentage{check,nodeid}                   drifted features, % of tested
    drift_check_threshold{check,nodeid}                    the gate's threshold, %
    drift_check_status{check,nodeid,status}                1 for the check's status, else 0
    drift_last_run_timestamp_seconds                       when this file was written

``check`` is the check's name and ``nodeid`` its pytest test; both are labels, so that two
checks with the same name in different test files stay two series. A feature whose test gives
no p-value (``psi``), or a check that could not run, has no sample for what it lacks.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

FILE_VARIABLE = "DRIFT_PROMETHEUS_FILE"
STATUSES = ("NORMAL", "DRIFT_DETECTED", "ERROR")
HELP = {
    "drift_feature_p_value": "p-value of the feature's drift test (before any correction).",
    "drift_feature_statistic": "Statistic of the feature's drift test (KS, chi-square, ...).",
    "drift_check_percentage": "Drifted features of the check, in percent of tested features.",
    "drift_check_threshold": "Drift percentage above which the check's gate fails.",
    "drift_check_status": "1 for the status of the check, 0 for the other statuses.",
    "drift_last_run_timestamp_seconds": "Unix time at which the drift checks were written.",
}

#: The checks reported in this session, by (node id, name); the last entry wins.
_checks: dict[tuple[str, str], Mapping[str, Any]] = {}


def escape_label(value: object) -> str:
    """A label value of the text format: backslash, double quote and newline escaped."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    """HELP text: backslash and newline escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def sample_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def sample(metric: str, labels: Sequence[tuple[str, object]], value: float) -> str:
    text = ",".join(f'{key}="{escape_label(label)}"' for key, label in labels)
    return f"{metric}{{{text}}} {sample_value(value)}" if text else \
        f"{metric} {sample_value(value)}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def render(checks: Sequence[Mapping[str, Any]], now: float | None = None) -> str:
    """The text-format exposition of ``checks`` (JSON entries of drift_report.json)."""
    samples: dict[str, list[str]] = {metric: [] for metric in HELP}
    for check in checks:
        base = [("check", check.get("name")), ("nodeid", check.get("nodeid") or "")]
        for feature, detail in (check.get("details") or {}).items():
            labels = [*base, ("feature", feature)]
            p_value = _number(detail.get("p_value"))
            if p_value is not None:
                samples["drift_feature_p_value"].append(
                    sample("drift_feature_p_value", labels, p_value))
            statistic = _number(detail.get("statistic"))
            if statistic is not None:
                samples["drift_feature_statistic"].append(sample(
                    "drift_feature_statistic", [*labels, ("test", detail.get("test", ""))],
                    statistic))
        for metric, key in (("drift_check_percentage", "drift_percentage"),
                            ("drift_check_threshold", "threshold")):
            value = _number(check.get(key))
            if value is not None:
                samples[metric].append(sample(metric, base, value))
        for status in STATUSES:
            samples["drift_check_status"].append(sample(
                "drift_check_status", [*base, ("status", status)],
                1.0 if check.get("status") == status else 0.0))
    samples["drift_last_run_timestamp_seconds"].append(
        sample("drift_last_run_timestamp_seconds", [], time.time() if now is None else now))
    lines = []
    for metric, help_text in HELP.items():
        lines += [f"# HELP {metric} {escape_help(help_text)}", f"# TYPE {metric} gauge",
                  *samples[metric]]
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it over ``path``:
    a scraper sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not *.prom, so that node_exporter never reads the temporary file.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; the exporter must read it
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pytest_drift_report(check: Mapping[str, Any]) -> None:
    """Keep each finished check (called on the controller only)."""
    _checks[(str(check.get("nodeid")), str(check.get("name")))] = check


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Rewrite the metrics file from this session's checks; never raise into pytest."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller receives the checks and writes the file
    checks = [_checks[key] for key in sorted(_checks)]
    _checks.clear()
    raw = os.environ.get(FILE_VARIABLE, "").strip()
    if not raw or not checks:
        return
    path = Path(os.path.expandvars(os.path.expanduser(raw)))
    if not path.is_absolute():
        path = session.config.rootpath / path
    try:
        write_atomically(path, render(checks))
    except OSError as exc:
        print(f"pytest-datadrift prometheus sink: could not write {path}: {exc}",
              file=sys.stderr, flush=True)
