"""The ``datadrift`` command line, compatible with ``analyze_drift.py``.

::

    datadrift --mode batch  --train_data train.csv --prod_data prod.csv   --output report.json
    datadrift --mode online --train_data train.csv --api_logs logs.jsonl  --output report.json

Every check option of the option table is a ``--drift-<name>`` flag (``--alpha``,
``--threshold`` and the other names work too). ``--previous-report PATH`` prints the trend
against an earlier run's report (a ``drift_report.json`` or an earlier ``--output``).
Exit status: 0 NORMAL, 1 DRIFT_DETECTED or UNDECIDED, 2 on a usage or input error (message on
stderr, no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_drift.errors import DriftError, DriftUsageError
from pytest_drift.models import FAILING
from pytest_drift.options import (
    OPTIONS,
    OPTIONS_BY_NAME,
    CheckOptions,
    Layer,
    resolve_check,
    resolve_session,
)

EXIT_NORMAL, EXIT_DRIFT, EXIT_USAGE = 0, 1, 2
#: Options the command line names in its own way (analyze_drift.py's flags).
OWN_FLAGS = {"baseline", "candidate", "report"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datadrift",
        description="Test a candidate dataset against a baseline for data drift "
                    "(KS for numbers, chi-square for categories).",
        epilog="Exit status: 0 no drift (NORMAL), 1 drift detected, 2 usage or input error.",
    )
    parser.add_argument("--mode", choices=("batch", "online"), default="batch",
                        help="batch: compare --prod_data; online: compare the requests of "
                             "--api_logs (JSON Lines, inputs under --features-key)")
    parser.add_argument("--train_data", "--train-data", "--baseline", dest="baseline",
                        required=True, metavar="PATH", help="baseline dataset")
    parser.add_argument("--prod_data", "--prod-data", "--candidate", dest="candidate",
                        metavar="PATH", help="candidate dataset (batch mode)")
    parser.add_argument("--api_logs", "--api-logs", dest="api_logs", metavar="PATH",
                        help="JSON Lines API request log (online mode)")
    report = OPTIONS_BY_NAME["report"]
    parser.add_argument("--output", default=report.default, metavar=report.metavar,
                        help=f"where to write the JSON report (default {report.default}; "
                             "empty: do not write)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print one line only")
    parser.add_argument("--name", help="the check's name in the report (default: the mode)")
    parser.add_argument("--save-baseline", dest="save_baseline", metavar="PATH",
                        help="also save the baseline as a snapshot (a .parquet file) that a "
                             "later run reads with --baseline snapshot:PATH")
    for option in OPTIONS:
        if option.name in OWN_FLAGS or "flag" not in option.where:
            continue
        names = [option.flag, "--" + option.name.replace("_", "-")]
        if "_" in option.name:
            names.append("--" + option.name)
        if option.name == "mode":  # --mode is analyze_drift.py's batch/online
            names = [option.flag]
        parser.add_argument(*names, dest=option.dest, metavar=option.metavar,
                            help=option.help_text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one check from the command line and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.mode == "batch" and not args.candidate:
        parser.error("--mode batch needs --prod_data")
    if args.mode == "online" and not args.api_logs:
        parser.error("--mode online needs --api_logs")
    if args.candidate and args.api_logs:
        parser.error("give either --prod_data or --api_logs, not both")
    try:
        return _run(args)
    except DriftError as exc:
        print(f"datadrift: error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"datadrift: error: {exc}", file=sys.stderr)
    except Exception:  # a bug: show where it happened; exit 1 keeps meaning "drift"
        import traceback

        traceback.print_exc()
        print("datadrift: internal error (the traceback above shows where)", file=sys.stderr)
    return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from pytest_drift.messages import failure_message
    from pytest_drift.pipeline import error_report, run_check
    from pytest_drift.report import write_json
    from pytest_drift.terminal import render

    values = {o.name: getattr(args, o.dest, None) for o in OPTIONS
              if o.name not in OWN_FLAGS and "flag" in o.where}
    values["baseline"] = args.baseline
    values["candidate"] = args.api_logs or args.candidate
    flags = {"baseline": "--train_data",
             "candidate": "--api_logs" if args.api_logs else "--prod_data"}
    layer = Layer("command line", values, flags=flags)
    options = resolve_check([layer])
    previous = _previous_report(layer)
    output = Path(args.output) if args.output else None
    if output is not None and output.is_dir():
        raise DriftError(f"--output {args.output!r} is a directory; give a file path")
    name = args.name or args.mode
    save = None
    if args.save_baseline:
        from pytest_drift.snapshots.update import save_target

        save = save_target(args.save_baseline, check=name, base_dir=Path.cwd(),
                           given_as="--save-baseline")
    if options.segment_by:
        return _run_segments(options, name, output, args, save is not None, previous)
    try:
        report = run_check(options, base_dir=Path.cwd(), name=name,
                           api_log=args.mode == "online", save=save)
    except DriftError as exc:
        if output is not None:  # consumers of --output see the ERROR, not a stale file
            write_json(output, error_report(options, exc, name=name).to_json())
        raise
    entry = report.to_json()
    if output is not None:
        path = write_json(output, entry)
    markup = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = 100 if not sys.stdout.isatty() else os.get_terminal_size().columns
    verbosity = -1 if args.quiet else 0
    sys.stdout.write(render([entry], markup=markup, width=width, verbosity=verbosity))
    if previous is not None:
        from pytest_drift.terminal import render_trend
        from pytest_drift.trend import compute_trend

        document, source = previous
        trend = compute_trend(document, [entry], source=source)
        sys.stdout.write(render_trend(trend, markup=markup, width=width, verbosity=verbosity))
    if output is not None:
        print(f"drift report: {path}")
    if save is not None:
        from pytest_drift.snapshots.wording import saved_line

        print(saved_line(entry))
    if report.status == "ERROR":
        print(f"datadrift: error: {report.error}", file=sys.stderr)
        return EXIT_USAGE
    if report.status in FAILING:
        if not args.quiet:
            print(failure_message(entry), file=sys.stderr)
        return EXIT_NORMAL if report.mode == "warn" else EXIT_DRIFT
    return EXIT_NORMAL


def _run_segments(options: CheckOptions, name: str, output: Path | None,
                  args: argparse.Namespace, saving: bool,
                  previous: tuple[dict[str, Any], str] | None) -> int:
    """A segmented check (``--segment-by``): every segment's table, ``--output`` as a
    session report of one entry per segment (an ERROR entry when the check cannot run),
    exit 1 when any segment's gate fails."""
    from pytest_drift.messages import failure_message
    from pytest_drift.pipeline import error_report, utc_now
    from pytest_drift.report import session_report, write_json
    from pytest_drift.segment_pipeline import run_segments
    from pytest_drift.terminal import render

    if saving:
        raise DriftUsageError("segment_by", list(options.segment_by or ()), "--segment-by",
                              "a segmented check cannot save a snapshot (--save-baseline): "
                              "a snapshot keeps no rows to cut into segments")
    try:
        family = run_segments(options, base_dir=Path.cwd(), name=name,
                              api_log=args.mode == "online")
    except DriftError as exc:
        if output is not None:  # the ERROR entry, as for a check that is not segmented
            write_json(output, error_report(options, exc, name=name).to_json())
        raise
    entries = [report.to_json() for report in family]
    markup = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = 100 if not sys.stdout.isatty() else os.get_terminal_size().columns
    verbosity = -1 if args.quiet else 0
    sys.stdout.write(render(entries, markup=markup, width=width, verbosity=verbosity))
    trend = None
    if previous is not None:
        from pytest_drift.terminal import render_trend
        from pytest_drift.trend import compute_trend

        trend = compute_trend(previous[0], entries, source=previous[1])
        sys.stdout.write(render_trend(trend, markup=markup, width=width, verbosity=verbosity))
    if output is not None:
        document = session_report(entries, utc_now(), trend)
        print(f"drift report: {write_json(output, document)}")
    failed = [entry for report, entry in zip(family, entries, strict=True)
              if report.gate_failed]
    if not args.quiet:
        for entry in failed:
            print(failure_message(entry), file=sys.stderr)
    return EXIT_DRIFT if failed and options.mode != "warn" else EXIT_NORMAL


def _previous_report(layer: Layer) -> tuple[dict[str, Any], str] | None:
    """The report given to ``--previous-report`` and its path as given, read before the
    check runs so that a file that cannot be compared with stops the command at once."""
    from pytest_drift.loaders import resolve_path
    from pytest_drift.previous_report import read_previous

    session = resolve_session([layer])
    raw = session.previous_report
    if raw is None:
        return None
    path = resolve_path(raw, Path.cwd())
    return read_previous(raw, path, session.origins["previous_report"]), raw


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
