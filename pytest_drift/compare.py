"""The Python API: :func:`compare`, :func:`compare_segments` and :func:`assert_no_drift`
(the check itself is :func:`pytest_drift.pipeline.run_check`, a segmented one
:func:`pytest_drift.segment_pipeline.run_segments`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_drift.errors import DriftDetected, DriftInputError
from pytest_drift.models import ERROR, DriftReport
from pytest_drift.options import Layer, resolve_check
from pytest_drift.pipeline import run_check

if TYPE_CHECKING:
    from pytest_drift.segment_pipeline import SegmentFamily


def compare(baseline: Any, candidate: Any, *, charts: bool = False,
            save_baseline: str | Path | None = None, **options: Any) -> DriftReport:
    """Test every feature of ``candidate`` against ``baseline`` and return the verdict.

    Parameters
    ----------
    baseline, candidate
        A path (CSV, Parquet file or directory, JSON Lines), a ``pandas.DataFrame`` or a
        ``pyarrow.Table``.
    **options
        Any keyword of the ``drift`` marker (``pytest --markers`` lists them with their
        defaults), e.g. ``features``, ``exclude``, ``alpha``, ``threshold`` (percent),
        ``correction``, ``engine``, ``report`` (also write this check's JSON entry to that
        path) and ``name``.
    charts
        Also compute the chart data of each feature, for
        :func:`pytest_drift.html.render_html` (``report.to_json(charts=True)``).
    save_baseline
        Also save the baseline as a snapshot at this path (ending in ``.parquet``), which
        a later check reads with ``baseline="snapshot:PATH"``; the report's ``snapshot``
        says whether it was created, updated or unchanged.

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
    resolved = resolve_check([layer])
    save = None
    if save_baseline is not None:
        from pytest_drift.snapshots.update import save_target

        save = save_target(save_baseline, check=resolved.name or "compare", base_dir=None)
    return run_check(resolved, charts=charts, save=save)


def compare_segments(baseline: Any, candidate: Any, *, segment_by: str | list[str],
                     charts: bool = False, **options: Any) -> SegmentFamily:
    """Run the check once per segment of the ``segment_by`` columns: one report per value
    (or combination of values) seen on either side, named ``NAME[country=FR]``.

    A segment on one side only, or with fewer than ``min_samples`` rows on a side, has a
    report of status ``SKIPPED`` that says why (a one-sided segment is ``DRIFT_DETECTED``
    under ``schema="fail"``). More than ``max_segments`` segments (default 100) is a
    usage error. ``options`` are :func:`compare`'s.

    Examples
    --------
    >>> import pandas as pd
    >>> train = pd.DataFrame({"country": ["FR", "DE"] * 50, "x": range(100)})
    >>> family = compare_segments(train, train, segment_by="country")
    >>> [(report.name, report.status) for report in family]
    [('compare[country=DE]', 'NORMAL'), ('compare[country=FR]', 'NORMAL')]
    """
    from pytest_drift.segment_pipeline import run_segments

    layer = Layer("argument", {"baseline": baseline, "candidate": candidate,
                               "segment_by": segment_by, **options})
    return run_segments(resolve_check([layer]), charts=charts)


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
    """Raise or warn as the report's status and mode say; schema changes that do not fail
    the gate (``schema='warn'``) are a :class:`DriftWarning`."""
    __tracebackhide__ = True
    import warnings

    from pytest_drift.errors import DriftWarning
    from pytest_drift.messages import failure_message, schema_warning_of

    if report.status == ERROR:
        raise DriftInputError(report.error or f"check {report.name!r} tested no feature")
    schema_warning = schema_warning_of(report)
    if schema_warning is not None:
        warnings.warn(schema_warning, DriftWarning, stacklevel=3)
    if report.gate_failed:
        message = failure_message(report.to_json())
        if report.mode == "warn":
            warnings.warn(message, DriftWarning, stacklevel=3)
        else:
            raise DriftDetected(message, report)
