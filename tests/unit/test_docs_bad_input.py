"""docs/bad-input.md is what docs/bad_inputs.py writes now: the page never goes stale."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "bad_inputs.py"
PAGE = ROOT / "docs" / "bad-input.md"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_bad_inputs", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_page_is_what_the_script_writes(tmp_path: Path) -> None:
    written = tmp_path / "bad-input.md"
    assert load_script().main(["--output", str(written)]) == 0
    expected = written.read_text(encoding="utf-8")
    committed = PAGE.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(
        committed.splitlines(keepends=True), expected.splitlines(keepends=True),
        "docs/bad-input.md", "python docs/bad_inputs.py"))
    assert committed == expected, (
        f"docs/bad-input.md is out of date; run `python docs/bad_inputs.py`:\n{diff}")
