"""Waivers: a known drift of one feature, reported but not counted until a date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_UNTIL = re.compile(r"^(?P<reason>.*?)\s*\buntil\s+(?P<date>\d{4}-\d{2}-\d{2})\s*$",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Waiver:
    feature: str
    reason: str
    until: dt.date

    def expired(self, today: dt.date) -> bool:
        """A waiver holds through its last day."""
        return today > self.until


def parse_waiver(feature: str, text: str) -> Waiver:
    """``"reason until 2026-12-31"`` → :class:`Waiver`; raises ValueError otherwise.

    The date is required: a waiver without an end is a gate turned off for good.
    """
    match = _UNTIL.match(text)
    if match is None:
        raise ValueError(f"waiver of {feature!r} must read 'reason until YYYY-MM-DD', "
                         f"got {text!r}")
    try:
        until = dt.date.fromisoformat(match["date"])
    except ValueError:
        raise ValueError(f"waiver of {feature!r}: {match['date']!r} is not a date") from None
    reason = match["reason"].strip() or "no reason given"
    return Waiver(feature, reason, until)


def today() -> dt.date:
    """The date waivers are judged on (UTC, so every CI runner agrees)."""
    return dt.datetime.now(dt.timezone.utc).date()
