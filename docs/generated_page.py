"""The command line shared by the scripts that generate docs pages: write the page, or with
``--check`` exit 1 (and show the diff) when the committed page is out of date."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def page_main(build_page: Callable[[], str], default: Path, description: str,
              argv: Sequence[str] | None = None) -> int:
    """Write ``build_page()`` to ``--output`` (default ``default``), or ``--check`` it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--output", type=Path, default=default, help="page to write")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the page is out of date")
    args = parser.parse_args(argv)
    page = build_page()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current == page:
            return 0
        sys.stdout.writelines(difflib.unified_diff(
            current.splitlines(keepends=True), page.splitlines(keepends=True),
            str(args.output), "generated"))
        return 1
    args.output.write_text(page, encoding="utf-8")
    return 0
