"""Declarative checks: the ``[[tool.pytest_drift.checks]]`` tables of ``pyproject.toml``.

Each check is a test item with the node id ``pyproject.toml::drift[<name>]``, so a repository
gates on drift with plain ``pytest`` and no Python::

    [[tool.pytest_drift.checks]]
    name = "cars"
    baseline = "data/cars/baseline.csv"
    candidate = "data/cars/candidate.csv"
    threshold = 30
    exclude = ["Origin"]

Which runs collect them: only the rootdir's ``pyproject.toml`` holds checks, and pytest
collects it like any other file, that is when it collects the rootdir (plain ``pytest``
without ``testpaths``, ``pytest .``) or the file itself (``pytest pyproject.toml``, or
``"pyproject.toml"`` listed in ``testpaths``). When ``testpaths`` leaves it out, a plain
``pytest`` warns that the checks are not collected.

A check's keys are the options a ``drift`` marker takes; its table is a marker-like layer, so
command-line and ini values fill in what it leaves out. The check runs through the marker's
code (:func:`pytest_drift.checks.marker_check`): at setup, with the same messages, the same
report entry and the same failure without a traceback. pytest does not validate
``[tool.pytest_drift]``; this module does, and a mistake in it is a collection error that
names the key and the file.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pytest_drift.options import OPTIONS, Layer, Option

PYPROJECT = "pyproject.toml"
TABLE = "[tool.pytest_drift]"
#: The keys of ``[tool.pytest_drift]`` itself; defaults for every check are ini keys.
TABLE_KEYS = ("checks",)
#: The keys of one check: the options a ``drift`` marker takes (``name`` is required).
CHECK_KEYS = ("name", *(o.name for o in OPTIONS if "marker" in o.where and o.name != "name"))

_TABLE_HEADER = re.compile(r"""^\s*\[\s*tool\s*\.\s*["']?pytest_drift["']?\s*\]""")
_CHECK_HEADER = re.compile(
    r"""^\s*\[\[\s*tool\s*\.\s*["']?pytest_drift["']?\s*\.\s*["']?checks["']?\s*\]\]""")


class DeclarationError(Exception):
    """``[tool.pytest_drift]`` cannot be read or holds a mistake; the message says where."""


@dataclass(frozen=True)
class DeclaredCheck:
    """One ``[[tool.pytest_drift.checks]]`` table."""

    name: str
    values: Mapping[str, object]
    #: Where the check is declared, e.g. ``pyproject.toml [tool.pytest_drift] check 'cars'``.
    location: str
    #: 0-based line of its table in the file (pytest's convention for locations), if found.
    line: int | None


class CheckTableLayer(Layer):
    """A check's table: a marker-like layer (reported as ``marker`` in option sources)
    whose values are described as keys of the file."""

    def describe(self, option: Option) -> str:
        return f"key {option.name} in {self.location}"


def _toml() -> Any:
    """``tomllib``, or before Python 3.11 ``tomli``, which pytest itself requires there."""
    name = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    try:
        return importlib.import_module(name)
    except ImportError:
        raise DeclarationError(
            f"reading {TABLE} on Python {sys.version_info.major}.{sys.version_info.minor} "
            "needs the tomli package: pip install tomli"
        ) from None


def read_declaration(path: Path, shown: str) -> tuple[str, dict[str, Any] | None]:
    """The text of ``path`` and its ``[tool.pytest_drift]`` table (None when it has none).

    Raises :class:`DeclarationError` when the file cannot be read or is not valid TOML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarationError(f"{shown}: cannot be read: {exc}") from None
    if "pytest_drift" not in text:  # most pyproject.toml files: no need to parse them
        return text, None
    toml = _toml()
    try:
        document = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise DeclarationError(f"{shown}: not valid TOML: {exc}") from None
    tool = document.get("tool")
    table = tool.get("pytest_drift") if isinstance(tool, dict) else None
    if table is None:
        return text, None
    if not isinstance(table, dict):
        raise DeclarationError(
            f"{shown}: tool.pytest_drift must be a table, not {type(table).__name__}: write "
            f"the checks as [[tool.pytest_drift.checks]] tables")
    return text, table


def declared_checks(table: Mapping[str, Any], text: str, shown: str) -> list[DeclaredCheck]:
    """Validate ``[tool.pytest_drift]`` and return its checks in file order.

    Every mistake is collected (unknown keys, a check without a name, two checks with one
    name) and raised together as one :class:`DeclarationError`, each naming the file and,
    where it can, the line. Option values are checked when the check runs, as a marker's are.
    """
    lines = text.splitlines()
    table_line = _first_line(lines, _TABLE_HEADER)
    problems: list[str] = []
    for key in table:
        if key not in TABLE_KEYS:
            problems.append(f"{_at(shown, table_line)}: unknown key {key!r} in {TABLE}"
                            f"{_table_key_hint(key)}; it takes: {', '.join(TABLE_KEYS)}")
    checks = table.get("checks", [])
    if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
        problems.append(f"{_at(shown, table_line)}: checks in {TABLE} must be an array of "
                        "tables: write each check as a [[tool.pytest_drift.checks]] table")
        raise DeclarationError("\n".join(problems))
    check_lines = _check_lines(lines, checks, table_line)
    declared: list[DeclaredCheck] = []
    positions: dict[str, int] = {}
    unknown_keys = False
    for position, (check, line) in enumerate(zip(checks, check_lines, strict=True), start=1):
        where = _at(shown, line)
        name = check.get("name")
        label = f"check #{position}"
        if name is None:
            problems.append(f"{where}: {label} in {TABLE} has no name: add name = \"...\" "
                            "(the test id becomes drift[<name>])")
        elif not _valid_name(name):
            problems.append(f"{where}: {label} in {TABLE} has name = {name!r}: a name is a "
                            "non-empty string without '::', line breaks or surrounding spaces")
        elif name in positions:
            problems.append(f"{where}: duplicate check name {name!r} in {TABLE} (checks "
                            f"#{positions[name]} and #{position}): give each check its own name")
        else:
            positions[name] = position
            label = f"check {name!r}"
        for key in check:
            if key not in CHECK_KEYS:
                unknown_keys = True
                problems.append(f"{where}: unknown key {key!r} in {TABLE} {label}"
                                f"{_check_key_hint(key)}")
        if isinstance(name, str) and positions.get(name) == position:
            declared.append(DeclaredCheck(
                name=name, values=check, location=f"{shown} {TABLE} check {name!r}", line=line))
    if unknown_keys:
        problems.append(f"a check takes the keys: {', '.join(CHECK_KEYS)}")
    if problems:
        raise DeclarationError("\n".join(problems))
    return declared


def _valid_name(name: object) -> bool:
    return (isinstance(name, str) and bool(name) and name == name.strip() and "::" not in name
            and name.isprintable())


def _at(shown: str, line: int | None) -> str:
    return f"{shown}:{line + 1}" if line is not None else shown


def _table_key_hint(key: str) -> str:
    if key in CHECK_KEYS:
        return (f" ({key} is an option of a check: set it in each [[tool.pytest_drift.checks]]"
                f" table, or for every check with the ini key drift_{key})")
    return _did_you_mean(key, TABLE_KEYS)


def _check_key_hint(key: str) -> str:
    session_only = {o.name: o for o in OPTIONS if "marker" not in o.where}
    if key in session_only:
        option = session_only[key]
        return (f" ({key} is set for the whole session: {option.flag} or the ini key "
                f"{option.ini})")
    return _did_you_mean(key, CHECK_KEYS)


def _did_you_mean(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _first_line(lines: Sequence[str], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if pattern.match(line)), None)


def _check_lines(lines: Sequence[str], checks: Sequence[Mapping[str, Any]],
                 table_line: int | None) -> list[int | None]:
    """The 0-based line of each check's table: its ``[[tool.pytest_drift.checks]]`` header,
    else (checks written inline) the line that gives its name, else the table's line."""
    headers = [i for i, line in enumerate(lines) if _CHECK_HEADER.match(line)]
    if len(headers) == len(checks):
        return list(headers)
    found: list[int | None] = []
    for check in checks:
        name = check.get("name")
        line = None
        if isinstance(name, str):
            pattern = re.compile(r"""\bname\s*=\s*["']""" + re.escape(name) + r"""["']""")
            line = next((i for i, text in enumerate(lines) if pattern.search(text)), None)
        found.append(line if line is not None else table_line)
    return found


def _same_file(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.samefile(b)
    except OSError:
        return False


def _shown(path: Path, rootpath: Path) -> str:
    """``path`` as node ids show it: relative to the rootdir when below it."""
    try:
        return path.relative_to(rootpath).as_posix()
    except ValueError:
        return str(path)


class DriftFile(pytest.File):
    """The rootdir's ``pyproject.toml``; its children are the declared checks."""

    def collect(self) -> Iterator[DriftItem]:
        rootpath = self.config.rootpath
        shown = _shown(self.path, rootpath)
        if not _same_file(self.path, rootpath / PYPROJECT):
            raise self.CollectError(
                f"{shown}: pytest-datadrift reads {TABLE} checks from the rootdir's "
                f"{PYPROJECT} only ({rootpath / PYPROJECT}); run pytest in that project's "
                "directory, or with --rootdir pointing at it")
        try:
            text, table = read_declaration(self.path, shown)
            if table is None:
                raise DeclarationError(
                    f"{shown}: has no {TABLE} table; declare each drift check as a "
                    "[[tool.pytest_drift.checks]] table with a name, a baseline and a candidate")
            checks = declared_checks(table, text, shown)
        except DeclarationError as exc:
            raise self.CollectError(str(exc)) from None
        from pytest_drift.checks import segment_labels_at_collection

        for check in checks:
            layer = CheckTableLayer("marker", check.values, check.location)
            labels = segment_labels_at_collection(self, layer) if check.values.get(
                "segment_by") else None
            if not labels:
                yield DriftItem.from_parent(self, name=f"drift[{check.name}]", check=check)
            for label in labels or ():
                yield DriftItem.from_parent(self, name=f"drift[{check.name}][{label}]",
                                            check=check, segment=label)


class DriftItem(pytest.Item):
    """One declared check; it runs at setup through the ``drift`` marker's code."""

    def __init__(self, *, check: DeclaredCheck, segment: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        #: The segment of a segmented check (``segment_by``) this item checks.
        self.segment = segment
        # A bare marker so that -m drift / -m "not drift" select every gate, marked tests
        # and declared checks alike; its values come from the check, not from the marker.
        self.add_marker("drift")

    def setup(self) -> None:
        from pytest_drift.checks import marker_check

        layer = CheckTableLayer("marker", self.check.values, self.check.location)
        marker_check(self, layer, name=self.check.name)

    def runtest(self) -> None:
        """Nothing more to do: the plugin's ``pytest_runtest_call`` wrapper fails (or warns
        about) a failed gate, for this item as for a marked test."""

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.check.line, f"drift check {self.check.name!r}"


def collect_pyproject(file_path: Path, parent: pytest.Collector) -> DriftFile | None:
    """``pytest_collect_file`` for a file named ``pyproject.toml``: the rootdir's one when it
    declares ``[tool.pytest_drift]`` or is named on the command line (or in ``testpaths``)."""
    config = parent.config
    is_root = _same_file(file_path, config.rootpath / PYPROJECT)
    explicit = parent.session.isinitpath(file_path)
    if not is_root and not explicit:
        return None  # another project's file, e.g. in a subdirectory
    if is_root and explicit:
        return DriftFile.from_parent(parent, path=file_path)  # it says when it has no checks
    try:
        _, table = read_declaration(file_path, _shown(file_path, config.rootpath))
    except DeclarationError:
        table = {}  # declared but broken: collecting the file reports it
    if table is None:
        return None
    # The rootdir's declaration, or another file's that is named explicitly and gets an
    # error saying that only the rootdir's counts.
    return DriftFile.from_parent(parent, path=file_path)


def warn_if_not_collected(config: pytest.Config) -> None:
    """Warn when plain ``pytest`` runs ``testpaths`` that leave out the rootdir's
    ``pyproject.toml`` while it declares checks: the gate would silently not run."""
    if hasattr(config, "workerinput") or config.args_source != pytest.Config.ArgsSource.TESTPATHS:
        return
    root = config.rootpath
    path = root / PYPROJECT
    for arg in config.args:
        # testpaths apply only when pytest runs in the rootdir, so they are relative to it.
        target = Path(os.path.abspath(root / arg.split("::")[0]))
        if target == path or target in path.parents:
            return
    try:
        _, table = read_declaration(path, PYPROJECT)
    except DeclarationError:
        return  # nothing to count; collecting the file would report the mistake
    checks = table.get("checks") if table is not None else None
    if not checks or not isinstance(checks, list):
        return
    count = f"{len(checks)} drift check{'s' if len(checks) != 1 else ''}"
    message = (
        f"{count} in {TABLE} of {path} will not run: pytest collects only testpaths = "
        f"{config.getini('testpaths')!r} when run without arguments. Add \"pyproject.toml\" "
        "to testpaths to gate on them in every run, or run pytest pyproject.toml."
    )
    try:
        config.issue_config_time_warning(pytest.PytestConfigWarning(message), stacklevel=2)
    except pytest.PytestConfigWarning as exc:  # filterwarnings = error
        raise pytest.UsageError(str(exc)) from None
