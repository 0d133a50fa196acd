"""Exceptions and warnings raised by pytest-datadrift.

``DriftError`` is the root of everything the library raises on purpose. A usage error means
an option has a bad value; an input error means a dataset could not be read or tested. A
failed gate is ``DriftDetected``, an ``AssertionError`` so that pytest reports it as a test
failure; warn mode emits ``DriftWarning`` instead.
"""

from __future__ import annotations


class DriftError(Exception):
    """Base class of the errors pytest-datadrift raises on purpose."""


class DriftUsageError(DriftError, ValueError):
    """An option has an invalid value.

    The message names the option, the value, where the value came from (marker, command
    line, ini file, argument) and what is allowed.
    """

    def __init__(self, option: str, value: object, source: str, allowed: str) -> None:
        self.option = option
        self.value = value
        self.source = source
        self.allowed = allowed
        super().__init__(f"{option}={_short(value)} (from {source}): {allowed}")


def _short(value: object) -> str:
    """A value as the user wrote it, or its type when it is a large object such as a frame."""
    if value is None or isinstance(value, (str, int, float, bool, list, tuple, dict)):
        text = repr(value)
        return text if len(text) <= 120 else text[:117] + "..."
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


class DriftInputError(DriftError):
    """A dataset could not be loaded or its columns could not be tested."""


class DriftTimeoutError(DriftInputError):
    """The server holding a dataset at a URL did not answer within ``remote_timeout``.

    Asking again in the same check would only wait as long again, so this error ends the
    check at the first request that timed out.
    """


class DriftDetected(AssertionError):
    """The drift gate failed: the share of drifted features is above the threshold.

    ``report`` holds the :class:`~pytest_drift.models.DriftReport` that failed.
    """

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class DriftWarning(UserWarning):
    """Emitted instead of failing when a check runs with ``mode="warn"``."""
