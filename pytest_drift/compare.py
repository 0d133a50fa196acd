"""The check itself: load → choose features → reduce → test → gate. No pytest here."""

from __future__ import annotations

import datetime
import difflib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift import waivers as waiver_clock
from pytest_drift.errors import DriftDetected, DriftError, DriftInputError, DriftUsageError
from pytest_drift.models import (
    DRIFT_DETECTED,
    ERROR,
    NORMAL,
    DriftReport,
    FeatureResult,
    Status,
)
from pytest_drift.options import CheckOptions, Layer, resolve_check
from pytest_drift.stats.registry import TestRegistry

if TYPE_CHECKING:
    from pytest_drift.loaders import LoadContext, LoadedData


def utc_now() -> str:
    return datetime.datetime.now(timezone.utc).isoformat(timespec="seconds")


def gate_status(features_tested: int, features_with_drift: int, threshold: float) -> Status:
    """NORMAL or DRIFT_DETECTED by ``drift_percentage > threshold``; ERROR if nothing ran."""
    if features_tested == 0:
        return ERROR
    # Compared without dividing: 7 of 25 is exactly 28%, not 28.000000000000004%.
    return DRIFT_DETECTED if features_with_drift * 100 > threshold * features_tested else NORMAL


def compare(baseline: Any, candidate: Any, *, charts: bool = False, **options: Any
            ) -> DriftReport:
    """Test every feature of ``candidate`` against ``baseline`` and return the verdict.

    Parameters
    ----------
    baseline, candidate
        A path (CSV, Parquet file or directory, JSON Lines), a ``pandas.DataFrame`` or a
        ``pyarrow.Table``.
    **options
        Any option of the option table: ``features``, ``categorical``, ``exclude``,
        ``alpha`` (0.05), ``threshold`` (20, percent), ``mode``, ``features_key``,
        ``report`` (also write this check's JSON entry to that path) and ``name``.
    charts
        Also compute the chart data of each feature, for
        :func:`pytest_drift.html.render_html` (``report.to_json(charts=True)``).

    Returns
    -------
    DriftReport
        Per-feature results and the gate's status; ``NORMAL`` when
        ``drift_percentage <= threshold``.

    Raises
    ------
    DriftUsageError
        An option has an invalid value (the message names it).
    DriftInputError
        A dataset could not be read or a column could not be tested.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"x": range(100)})
    >>> report = compare(train, train)
    >>> report.status, report.drift_percentage
    ('NORMAL', 0.0)
    """
    layer = Layer("argument", {"baseline": baseline, "candidate": candidate, **options})
    return run_check(resolve_check([layer]), charts=charts)


def assert_no_drift(baseline: Any, candidate: Any, **options: Any) -> DriftReport:
    """Like :func:`compare`, but raise :class:`DriftDetected` when the gate fails.

    In ``mode="warn"`` a failed gate emits :class:`DriftWarning` instead. A check that tested
    no feature raises :class:`DriftInputError`.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"x": range(100)})
    >>> assert_no_drift(train, train).status
    'NORMAL'
    """
    __tracebackhide__ = True
    report = compare(baseline, candidate, **options)
    enforce(report)
    return report


def enforce(report: DriftReport) -> None:
    """Raise or warn as the report's status and mode say."""
    __tracebackhide__ = True
    import warnings

    from pytest_drift.errors import DriftWarning
    from pytest_drift.messages import failure_message

    if report.status == ERROR:
        raise DriftInputError(report.error or f"check {report.name!r} tested no feature")
    if report.status == DRIFT_DETECTED:
        message = failure_message(report.to_json())
        if report.mode == "warn":
            warnings.warn(message, DriftWarning, stacklevel=3)
        else:
            raise DriftDetected(message, report)


#: ``loader(source, columns, context) -> LoadedData``: how a check reads its datasets.
Loader = Callable[[Any, "Sequence[str] | None", "LoadContext"], "LoadedData"]


def run_check(
    options: CheckOptions,
    *,
    base_dir: Path | None = None,
    name: str | None = None,
    nodeid: str | None = None,
    api_log: bool | None = None,
    loader: Loader | None = None,
    registry: TestRegistry | None = None,
    today: Callable[[], datetime.date] | None = None,
    progress: Callable[[int, int], None] | None = None,
    charts: bool = False,
) -> DriftReport:
    """Run one resolved check. Loading and usage errors propagate as :class:`DriftError`.

    ``registry`` holds the tests by name (the plugin adds hook-registered ones); ``today``
    is the clock waivers are judged by; ``progress(done, total)`` hears of each feature.
    ``loader(source, columns, context)`` reads a dataset (the plugin passes its
    ``pytest_drift_load`` hook, with a session cache); the default is the built-in loader.
    ``charts=True`` adds the chart data the HTML report draws (not computed otherwise).
    ``api_log=True`` requires a JSON Lines candidate to be an API request log (inputs under
    ``features_key``); the default detects it from the first record.
    """
    from pytest_drift.loaders import LoadContext, load, peek_columns

    started = time.perf_counter()
    timestamp = utc_now()
    load_data = loader or load
    contexts: dict[str, LoadContext] = {}
    for role in ("baseline", "candidate"):
        if getattr(options, role) is None:
            raise DriftUsageError(
                role, None, "no marker, argument, flag or ini key",
                f"a {role} dataset is required: give it to the marker (positionally or as "
                f"{role}=...), on the command line (--drift-{role}) or in ini (drift_{role})",
            )
        contexts[role] = LoadContext(
            role=role, origin=options.origins.get(role, "argument"), base_dir=base_dir,
            features_key=options.features_key,
            format=(options.format or {}).get(role),
            api_log=api_log if role == "candidate" else None,
        )
    peeked = {role: peek_columns(getattr(options, role), context)
              for role, context in contexts.items()}
    needed = _columns_to_read(options, peeked["baseline"], peeked["candidate"])
    sources = {role: getattr(options, role) for role in contexts}
    engine_name = choose_engine(options, sources, contexts, needed)
    engine, sides = _open_engine(engine_name, options, sources, contexts, needed, load_data)
    try:
        # Names are checked against every column of a dataset, not only the ones read.
        columns = {role: _checked_columns(role, peeked[role], side, options)
                   for role, side in sides.items()}
        tested, skipped = plan_features(options, columns["baseline"], columns["candidate"])

        from pytest_drift.evaluate import evaluate_features

        names = {role: side.description for role, side in sides.items()}
        results = evaluate_features(tested, engine, options, names,
                                    registry or TestRegistry(), charts=charts,
                                    progress=progress)
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()

    from pytest_drift.verdict import active_waivers, check_notes, decide, false_alarm

    waivers = active_waivers(options, (today or waiver_clock.today)())
    raw: list[FeatureResult] = []
    for feature, result in results.items():
        if isinstance(result, str):
            skipped[feature] = result
        else:
            raw.append(result)
    details = {result.name: result for result in decide(raw, options, waivers)}

    drifted = sum(result.drift_detected for result in details.values())
    status = gate_status(len(details), drifted, options.threshold)
    error = None
    if status == ERROR:
        reasons = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "no features selected"
        error = f"no feature could be tested ({reasons})"
    probability = false_alarm(list(details.values()), options)
    train, prod = sides["baseline"], sides["candidate"]
    notes = check_notes(probability, options, train.rows, prod.rows, len(details))
    report = DriftReport(
        name=name or options.name or "compare",
        nodeid=nodeid,
        timestamp=timestamp,
        baseline=train.description,
        candidate=prod.description,
        baseline_files=train.files,
        candidate_files=prod.files,
        train_samples=train.rows,
        production_samples=prod.rows,
        engine=engine_name,
        details=details,
        skipped_features=skipped,
        alpha=options.alpha,
        threshold=options.threshold,
        mode=options.mode,
        status=status,
        error=error,
        option_sources=dict(options.sources),
        duration_seconds=round(time.perf_counter() - started, 6),
        correction=options.correction,
        min_effect=options.min_effect,
        false_alarm_probability=probability,
        notes=tuple(notes),
    )
    if options.report:
        from pytest_drift.report import write_json

        write_json(_resolve_output(options.report, base_dir), report.to_json())
    return report


def _columns_to_read(options: CheckOptions, train: list[str] | None, prod: list[str] | None
                     ) -> list[str] | None:
    """The columns both sides must provide, when they can be known before loading."""
    if train is not None and prod is not None:
        return plan_features(options, train, prod)[0]
    if options.features is not None:
        return [f for f in options.features if f not in set(options.exclude)]
    return None


@dataclass(frozen=True)
class Side:
    """A dataset of the check as its engine opened it."""

    description: str
    files: tuple[str, ...]
    rows: int
    column_names: list[str]


def choose_engine(options: CheckOptions, sources: dict[str, Any],
                  contexts: dict[str, LoadContext], needed: Sequence[str] | None) -> str:
    """The engine a check runs on: the ``engine`` option, or for ``auto`` ``spark`` for
    Spark inputs, ``duckdb`` when the tested columns would not fit comfortably in memory
    and DuckDB is installed, else ``memory``."""
    if options.engine != "auto":
        return options.engine
    from pytest_drift.sources import is_spark_source

    if any(is_spark_source(source, contexts[role].base_dir) for role, source in sources.items()):
        return "spark"
    import importlib.util

    if importlib.util.find_spec("duckdb") is None:
        return "memory"
    from pytest_drift.loaders import open_with
    from pytest_drift.loaders.budget import SHARE_PER_SIDE, available_memory

    available = available_memory()
    if available is None:
        return "memory"
    for role, source in sources.items():
        if not isinstance(source, str):
            continue
        try:
            needed_bytes = open_with(source, contexts[role]).estimated_bytes(needed)
        except DriftInputError:
            return "memory"  # loading reports the problem
        if needed_bytes > available * SHARE_PER_SIDE:
            return "duckdb"
    return "memory"


def _open_engine(engine_name: str, options: CheckOptions, sources: dict[str, Any],
                 contexts: dict[str, LoadContext], needed: Sequence[str] | None,
                 load_data: Loader) -> tuple[Any, dict[str, Side]]:
    from pytest_drift.columns import column_names
    from pytest_drift.sources import only_spark_reads

    origin = options.origins.get("engine", "engine")
    if engine_name != "spark":
        for role, source in sources.items():
            refusal = only_spark_reads(source, contexts[role], engine_name)
            if refusal:
                raise DriftInputError(refusal)
    if engine_name == "memory":
        from pytest_drift.engines.in_memory import MemoryEngine, row_count

        data = {role: load_data(source, needed, contexts[role])
                for role, source in sources.items()}
        memory_sides = {role: Side(loaded.description, loaded.files, row_count(loaded.table),
                                   column_names(loaded.table)) for role, loaded in data.items()}
        return MemoryEngine(data["baseline"].table, data["candidate"].table), memory_sides
    engine: Any
    if engine_name == "duckdb":
        from pytest_drift.engines.duckdb_engine import DuckDBEngine, default_memory_limit

        engine = DuckDBEngine(options.duckdb_memory_limit or default_memory_limit(),
                              origin=origin)
    else:
        from pytest_drift.engines.spark_engine import SparkEngine

        engine = SparkEngine(list(sources.values()), origin=origin)
    sides = {}
    try:
        for role, source in sources.items():
            def load(source: Any = source, role: str = role) -> LoadedData:
                return load_data(source, needed, contexts[role])

            opened = engine.open(role, source, contexts[role], needed, load)
            sides[role] = Side(opened.description, opened.files, opened.rows,
                               list(opened.column_names))
    except BaseException:
        engine.close()
        raise
    return engine, sides


def _checked_columns(role: str, peeked: list[str] | None, side: Side,
                     options: CheckOptions) -> list[str]:
    """The dataset's column names (all of them when known before loading, else the loaded
    ones); duplicate names and an empty table are input errors."""
    from pytest_drift.columns import duplicated

    where = (f"{role} {side.description!r} (from {options.origins.get(role, role)})"
             f"{_files_text(side.files)}")
    names = peeked if peeked is not None else side.column_names
    twins = duplicated(names) or duplicated(side.column_names)
    if twins:
        raise DriftInputError(
            f"{where} has duplicate column names {', '.join(map(repr, twins))}: a column must "
            "be named once. Rename the copies."
        )
    if side.rows == 0:
        raise DriftInputError(
            f"{where} has no data rows: the job that wrote it produced a header only, or "
            "nothing."
        )
    return names


def _describe(source: Any) -> str:
    """A source as the report names it before loading: the path, or the object's type."""
    if source is None or isinstance(source, str):
        return str(source)
    return f"<{type(source).__module__.split('.')[0]}.{type(source).__name__}>"


def error_report(
    options: CheckOptions, error: DriftError, *, name: str, nodeid: str | None = None
) -> DriftReport:
    """The report of a check that could not run: status ERROR with the error's message."""
    return DriftReport(
        name=name, nodeid=nodeid, timestamp=utc_now(),
        baseline=_describe(options.baseline), candidate=_describe(options.candidate),
        status=ERROR, alpha=options.alpha, threshold=options.threshold, mode=options.mode,
        option_sources=dict(options.sources), error=str(error),
    )


def _resolve_output(raw: str, base_dir: Path | None) -> Path:
    from pytest_drift.loaders import resolve_path

    return resolve_path(raw, base_dir)


def _files_text(files: Sequence[str]) -> str:
    if not files:
        return ""
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return f" ({shown})"


def _unknown_names(option: str, names: Sequence[str], columns: Sequence[str],
                   origin: str, datasets: str) -> None:
    unknown = [n for n in names if n not in columns]
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, columns, n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise DriftUsageError(
        option, list(names), origin,
        f"unknown feature {', '.join(hints)}; the datasets{datasets} have columns: "
        f"{', '.join(columns)}",
    )


def plan_features(
    options: CheckOptions, train_columns: Sequence[str], prod_columns: Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    """Choose the features to test and list the ones skipped before loading, with reasons.

    A name that is no column of either dataset is a usage error that names both datasets.
    """
    datasets = " ({})".format(" and ".join(
        f"{role} {_describe(getattr(options, role))!r}" for role in ("baseline", "candidate")))
    everywhere = list(dict.fromkeys([*train_columns, *prod_columns]))
    for option in ("features", "categorical", "exclude", "tests", "waive"):
        names = list(getattr(options, option) or ())
        # Session-wide categorical/exclude lists (flag, ini) may name columns that only some
        # checks' datasets have; a check's own list must name real columns.
        session_wide = options.sources.get(option) in ("command line", "ini")
        if names and (option == "features" or not session_wide):
            _unknown_names(option, names, everywhere, options.origins.get(option, option),
                           datasets)
    wanted = list(options.features) if options.features is not None else everywhere
    excluded = set(options.exclude)
    tested: list[str] = []
    skipped: dict[str, str] = {}
    for feature in wanted:
        if feature in excluded:
            continue
        if feature not in train_columns:
            skipped[feature] = "missing from baseline"
        elif feature not in prod_columns:
            skipped[feature] = "missing from candidate"
        else:
            tested.append(feature)
    return tested, skipped
