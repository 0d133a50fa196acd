"""The pytest-datadrift demo: ``make demo`` from the repository root runs this file.

Steps, each checked (the demo fails loudly when something behaves otherwise):

1. ``python -m pytest`` in ``examples/``: tests with drift gates (markers, fixtures and a
   declarative check in ``pyproject.toml``). Exactly one of them,
   ``tests/test_gates.py::test_cars_gate_fails_on_model_year_drift``, fails on purpose, so
   pytest must exit with 1 and that test (and only it) must have failed on its drift gate.
2. An excerpt of the session report ``examples/reports/drift_report.json``: the session
   status and each check's status and drift percentage.
3. The command line, once per mode of ``analyze_drift.py``: batch on the cars data (drift,
   exit 1) and online on the Seattle weather API log with ``--drift-threshold 60`` (exit 0).

Every run starts by deleting the files it writes under ``examples/reports/``, so a re-run
overwrites them and never reads a stale one. Exit status: 0 when everything behaved as
expected, 1 otherwise (with an explanation on stderr).

Usage, from anywhere::

    python examples/run_demo.py
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent
REPORTS = EXAMPLES / "reports"
SESSION_REPORT = REPORTS / "drift_report.json"
JUNIT_XML = REPORTS / "junit.xml"

#: The one test that must fail: (module path, test name), and its pytest node id.
EXPECTED_FAILURE_FILE = "tests/test_gates.py"
EXPECTED_FAILURE_TEST = "test_cars_gate_fails_on_model_year_drift"
EXPECTED_FAILURE = f"{EXPECTED_FAILURE_FILE}::{EXPECTED_FAILURE_TEST}"

PYTEST_EXIT_TESTS_FAILED = 1
PYTEST_EXIT = {0: "all tests passed", 1: "tests failed", 2: "interrupted (e.g. a collection "
               "error)", 3: "internal error", 4: "usage error", 5: "no tests collected"}
CLI_EXIT = {0: "NORMAL", 1: "DRIFT_DETECTED", 2: "usage or input error"}


@dataclass(frozen=True)
class CliRun:
    """One run of the command line and what it must do."""

    title: str
    args: tuple[str, ...]
    expected_exit: int

    @property
    def output(self) -> str:
        """The report the run writes (the value of ``--output``)."""
        return self.args[self.args.index("--output") + 1]


CLI_RUNS: tuple[CliRun, ...] = (
    CliRun(
        title="batch mode: cars of 1970-76 vs 1977-82 (drift expected, exit 1)",
        args=("--mode", "batch",
              "--train_data", "data/cars_model_years/baseline.csv",
              "--prod_data", "data/cars_model_years/candidate.csv",
              "--output", "reports/cli_batch.json"),
        expected_exit=1,
    ),
    CliRun(
        title="online mode: Seattle weather API log, threshold 60% (no alarm, exit 0)",
        args=("--mode", "online",
              "--train_data", "data/seattle_weather_api_log/baseline.csv",
              "--api_logs", "data/seattle_weather_api_log/candidate.jsonl",
              "--output", "reports/cli_online.json",
              "--drift-threshold", "60"),
        expected_exit=0,
    ),
)


class DemoFailed(Exception):
    """Something did not behave as the demo expects; the message says what and why."""


def use_color() -> bool:
    """Color only on a terminal, and never when ``NO_COLOR`` is set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def style(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if use_color() else text


def banner(text: str, code: str = "1") -> None:
    line = "=" * 78
    print(f"\n{style(line, code)}\n{style(text, code)}\n{style(line, code)}", flush=True)


def shown(path: Path) -> str:
    """A path relative to the current directory when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def run(command: Sequence[str]) -> int:
    """Run ``command`` in ``examples/`` with its output streamed; return its exit status."""
    print(style("$ " + " ".join(["python", *command[1:]]), "2"), flush=True)
    return subprocess.run(list(command), cwd=EXAMPLES, check=False).returncode


def clean_outputs() -> None:
    """Delete the files this demo writes, so that every check reads fresh ones."""
    outputs = [SESSION_REPORT, JUNIT_XML, *(EXAMPLES / r.output for r in CLI_RUNS)]
    for path in outputs:
        path.unlink(missing_ok=True)


def load_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DemoFailed(f"{shown(path)} was not written")
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DemoFailed(f"{shown(path)} is not valid JSON: {exc}") from None
    return document


def junit_nodeid(classname: str, name: str) -> str:
    """The node id of a JUnit test case: ``tests.test_x.TestY`` -> ``tests/test_x.py::TestY``."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        if (EXAMPLES / Path(*parts[:end])).with_suffix(".py").is_file():
            return "::".join(["/".join(parts[:end]) + ".py", *parts[end:], name])
    return f"{classname}::{name}"


def junit_results() -> tuple[int, list[str]]:
    """The number of tests and the tests that failed or errored (node id and outcome)."""
    if not JUNIT_XML.is_file():
        raise DemoFailed(f"pytest wrote no {shown(JUNIT_XML)}")
    total, bad = 0, []
    for case in ET.parse(JUNIT_XML).getroot().iter("testcase"):
        total += 1
        outcome = next((c.tag for c in case if c.tag in ("failure", "error")), None)
        if outcome is not None:
            nodeid = junit_nodeid(case.get("classname", ""), case.get("name", ""))
            bad.append(f"{nodeid} ({outcome})")
    return total, bad


def step_pytest() -> None:
    """Run the example suite and check that exactly the expected gate failed."""
    banner("1/3  pytest in examples/: drift gates as tests")
    command = [sys.executable, "-m", "pytest", f"--junitxml={JUNIT_XML.relative_to(EXAMPLES)}"]
    if use_color():
        command.append("--color=yes")
    status = run(command)
    if status not in (0, PYTEST_EXIT_TESTS_FAILED):
        raise DemoFailed(
            f"pytest exited with {status} ({PYTEST_EXIT.get(status, 'unknown')}); the demo "
            f"expects 1 with exactly one failed test, {EXPECTED_FAILURE}. See the output above."
        )
    total, bad = junit_results()
    expected = f"{EXPECTED_FAILURE} (failure)"
    if status != PYTEST_EXIT_TESTS_FAILED or bad != [expected]:
        listed = "\n  ".join(bad) or "(none)"
        raise DemoFailed(
            f"the demo expects exactly one failed test, {EXPECTED_FAILURE}, and pytest exit "
            f"status 1. pytest exited with {status} ({PYTEST_EXIT[status]}); failed or "
            f"errored tests:\n  {listed}\n"
            "A failure of any other gate means the data in examples/data/ or the plugin's "
            "statistics changed; read the pytest output above."
        )
    report = load_json(SESSION_REPORT)
    failed_gates = [c.get("nodeid") for c in report.get("checks", [])
                    if c.get("status") not in ("NORMAL", "SKIPPED") and c.get("mode") != "warn"]
    if failed_gates != [EXPECTED_FAILURE]:
        raise DemoFailed(
            f"{EXPECTED_FAILURE} failed, but the session report's failed gates are "
            f"{failed_gates}; the demo expects that test's drift gate, and it alone, to fail"
        )
    banner(
        "the failing gate above is expected:\n"
        f"  {EXPECTED_FAILURE}\n"
        "  compares the cars of 1970-76 with those of 1977-82, a real drift.\n"
        f"  {total - 1} of {total} tests passed and 1 gate failed, as intended.",
        "1;33",
    )


def check_label(check: Mapping[str, Any]) -> str:
    """The test's node id, plus the check's name when ``drift_check`` gave it one."""
    nodeid, name = str(check.get("nodeid") or ""), str(check.get("name") or "")
    if not nodeid:
        return name
    # A declarative check's node id is pyproject.toml::drift[<name>].
    return nodeid if nodeid.endswith((name, f"[{name}]")) else f"{nodeid}  name={name}"


def percent(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def step_report() -> None:
    """Show where the session report is and a few of its fields."""
    banner("2/3  the session report")
    report = load_json(SESSION_REPORT)
    checks: list[dict[str, Any]] = report.get("checks", [])
    print(f"report: {shown(SESSION_REPORT)}  (schema_version {report.get('schema_version')}, "
          f"{report.get('tool')} {report.get('version')})")
    print(f"session status: {report.get('status')}  (the worst of {len(checks)} checks)\n")
    print(f"  {'status':<15}{'drift':>7}  {'threshold':<11}check")
    for check in checks:
        check_status = str(check.get("status"))
        relation = ">" if check_status == "DRIFT_DETECTED" else "<="
        print(f"  {check_status:<15}{percent(check.get('drift_percentage')):>7}  "
              f"{relation + ' ' + percent(check.get('threshold')):<11}{check_label(check)}"
              + ("  (mode=warn)" if check.get("mode") == "warn" else ""))
    failing = next(c for c in checks if c.get("nodeid") == EXPECTED_FAILURE)
    print(f"\n  {EXPECTED_FAILURE_TEST} drifted features: "
          f"{', '.join(failing.get('drifted_features', []))}")
    print("  (a warn-mode check keeps its DRIFT_DETECTED status but does not fail its test)")
    show_snapshot(checks)


#: The check that reads a committed snapshot, and the one that tests the same feature on the
#: raw file it was made from: their statistics must be equal.
SNAPSHOT_CHECK = "tests/test_snapshot.py::test_sex_ratio_against_the_snapshot"
RAW_CHECK = ("tests/test_penguins.py::TestPenguinIslands::"
             "test_sex_ratio_is_the_same_on_every_island")


def show_snapshot(checks: Sequence[Mapping[str, Any]]) -> None:
    """The check that read a snapshot: where the snapshot came from, and that it gives the
    raw file's statistic and p-value."""
    by_id = {c.get("nodeid"): c for c in checks}
    from_snapshot, raw = by_id.get(SNAPSHOT_CHECK), by_id.get(RAW_CHECK)
    if from_snapshot is None or raw is None or not from_snapshot.get("snapshot"):
        raise DemoFailed(f"the session report lacks {SNAPSHOT_CHECK} or {RAW_CHECK}, or the "
                         "first read no snapshot")
    snapshot = from_snapshot["snapshot"]
    source = snapshot.get("source") or {}
    files = source.get("files") or [{}]
    print(f"\n  {SNAPSHOT_CHECK.split('::')[-1]} read snapshot:{snapshot.get('name')} "
          f"({snapshot.get('path')}, {snapshot.get('rows')} rows), saved from "
          f"{source.get('dataset')} (sha256 {str(files[0].get('sha256'))[:12]}…)")
    ours, theirs = from_snapshot["details"]["sex"], raw["details"]["sex"]
    same = all(ours[key] == theirs[key] for key in ("statistic", "p_value"))
    print(f"  sex from the snapshot: statistic {ours['statistic']:.6g}, p-value "
          f"{ours['p_value']:.6g}; from the raw file: {theirs['statistic']:.6g}, "
          f"{theirs['p_value']:.6g} ({'equal' if same else 'DIFFERENT'})")
    if not same:
        raise DemoFailed("the check from the snapshot differs from the one on the raw file")


def step_cli() -> None:
    """Run the command line in each mode and check its exit status and output file."""
    banner("3/3  the command line (analyze_drift.py compatible): python -m pytest_drift")
    if importlib.util.find_spec("pytest_drift.__main__") is None:
        raise DemoFailed(
            "python -m pytest_drift is not available in this environment "
            "(pytest_drift/__main__.py is missing); install pytest-datadrift >= the version "
            "with the command line"
        )
    for cli in CLI_RUNS:
        print(f"\n--- {cli.title}", flush=True)
        status = run([sys.executable, "-m", "pytest_drift", *cli.args])
        meaning = CLI_EXIT.get(status, "unexpected")
        if status != cli.expected_exit:
            raise DemoFailed(
                f"python -m pytest_drift {' '.join(cli.args)}\nexited with {status} ({meaning}); "
                f"expected {cli.expected_exit} ({CLI_EXIT[cli.expected_exit]})"
            )
        entry = load_json(EXAMPLES / cli.output)
        if entry.get("status") != CLI_EXIT[cli.expected_exit]:
            raise DemoFailed(f"{cli.output} has status {entry.get('status')!r}, expected "
                             f"{CLI_EXIT[cli.expected_exit]!r} to match exit {status}")
        print(style(f"exit {status} ({meaning}) as expected; "
                    f"drift {percent(entry.get('drift_percentage'))}; "
                    f"report: {shown(EXAMPLES / cli.output)}", "32"), flush=True)


def main() -> int:
    REPORTS.mkdir(exist_ok=True)
    clean_outputs()
    try:
        step_pytest()
        step_report()
        step_cli()
    except DemoFailed as exc:
        banner("demo FAILED", "1;31")
        print(str(exc), file=sys.stderr, flush=True)
        return 1
    banner("demo finished: every result was the expected one (1 failed gate in pytest, "
           "CLI exit 1 then 0)", "1;32")
    print(f"reports: {shown(REPORTS)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
