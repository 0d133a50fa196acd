"""What to say about a check's schema changes (its entry's ``schema`` section), in the words
every output shares: the failure message, the terminal, the GitHub summary, the HTML report
and the ``DriftWarning`` of ``schema='warn'``. Only the standard library is imported."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Schema = Mapping[str, Any]
#: Categories named per feature and direction in a line; the rest are counted.
NAMED_CATEGORIES = 3


def schema_of(entry: Mapping[str, Any]) -> Schema:
    """The entry's schema section, empty for a check that could not run."""
    return entry.get("schema") or {}


def has_changes(entry: Mapping[str, Any]) -> bool:
    return bool(schema_of(entry).get("changes"))


def schema_failed(entry: Mapping[str, Any]) -> bool:
    return bool(schema_of(entry).get("failed"))


def _plural(number: int, word: str, words: str | None = None) -> str:
    return f"{number} {word if number == 1 else words or word + 's'}"


def _share(share: Any) -> str:
    return f"{float(share):.1%}"


def _named(changes: Sequence[Mapping[str, Any]], count: int) -> str:
    shown = ", ".join(f"{change['category']!r} {_share(change['share'])}"
                      for change in changes[:NAMED_CATEGORIES])
    more = count - min(len(changes), NAMED_CATEGORIES)
    return shown + (f" and {more} more" if more else "")


def schema_lines(entry: Mapping[str, Any]) -> list[str]:
    """One line per change: ``column 'plan' removed from the candidate``, ``column 'age'
    retyped: int64 in the baseline, double in the candidate``, ``'country': 2 categories
    new in the candidate, 3.1% of its values ('XX' 2.0%, 'YY' 1.1%)``."""
    schema = schema_of(entry)
    lines = [f"column {name!r} removed from the candidate"
             for name in schema.get("columns_removed") or []]
    lines += [f"column {name!r} added in the candidate"
              for name in schema.get("columns_added") or []]
    lines += [f"column {retyped['name']!r} retyped: {retyped['baseline_type']} in the "
              f"baseline, {retyped['candidate_type']} in the candidate"
              for retyped in schema.get("columns_retyped") or []]
    for feature in schema.get("categories") or []:
        name = feature["feature"]
        for direction, where in (("new", "new in the candidate, {} of its values"),
                                 ("gone", "gone from the candidate, {} of the baseline's "
                                          "values")):
            count = feature[f"{direction}_count"]
            if count:
                lines.append(f"{name!r}: {_plural(count, 'category', 'categories')} "
                             f"{where.format(_share(feature[f'{direction}_share']))} "
                             f"({_named(feature[direction], count)})")
    return lines


def schema_headline(entry: Mapping[str, Any]) -> str:
    """``schema changed (3 changes; schema='warn': reported, not gated)``."""
    schema = schema_of(entry)
    effect = ("schema='fail': the gate fails" if schema.get("failed")
              else "schema='warn': reported, not gated; schema='fail' gates on it")
    return f"schema changed ({_plural(int(schema.get('changes') or 0), 'change')}; {effect})"


def schema_warning(entry: Mapping[str, Any]) -> str:
    """The ``DriftWarning`` of a check whose schema changed under ``schema='warn'``."""
    where = entry.get("nodeid") or entry.get("name")
    return "\n".join([f"{where}: {schema_headline(entry)}: candidate {entry.get('candidate')}"
                      f" vs baseline {entry.get('baseline')}",
                      *(f"  {line}" for line in schema_lines(entry))])


def schema_suffix(entry: Mapping[str, Any]) -> str:
    """``, schema changed`` for a check's one-line summary; nothing when it did not."""
    if not has_changes(entry):
        return ""
    return ", schema changed (schema='fail')" if schema_failed(entry) else (
        f", {_plural(int(schema_of(entry)['changes']), 'schema change')}")


def schema_advice() -> str:
    """The last line of a gate that schema changes failed: how to accept them."""
    return ("If the new shape is expected, refresh the baseline (or approve the snapshot), or "
            "set schema='warn' to report schema changes without gating on them.")
