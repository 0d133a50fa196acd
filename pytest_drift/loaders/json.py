"""JSON files holding a list of records: ``[{"a": 1, "b": "x"}, ...]``."""

from __future__ import annotations

import json
from typing import Any

from pytest_drift.errors import DriftInputError
from pytest_drift.loaders import streams
from pytest_drift.loaders.paths import EMPTY_ADVICE, DataFile
from pytest_drift.loaders.records import ParsedWholeFile, records_to_table


class JsonFile(ParsedWholeFile):
    def __init__(self, file: DataFile, where: str) -> None:
        self.file = file
        self.where = where
        self._table: Any = None

    def _load(self) -> Any:
        if self._table is None:
            path = self.file.path
            try:
                with streams.text(self.file) as text:
                    document = json.load(text)
            except RecursionError:
                raise DriftInputError(
                    f"{self.where}: {path} nests objects or lists too deeply to be records of "
                    "features."
                ) from None
            except UnicodeError:
                raise DriftInputError(
                    f"{self.where}: {path} is not UTF-8 text"
                    f"{streams.first_non_utf8_line(self.file)}. Re-encode it as UTF-8."
                ) from None
            except json.JSONDecodeError as exc:
                if not exc.doc.strip():
                    raise DriftInputError(f"{self.where}: {path} is empty.{EMPTY_ADVICE}"
                                          ) from None
                raise DriftInputError(
                    f"{self.where}: {path} is not valid JSON at line {exc.lineno}, column "
                    f"{exc.colno}: {exc.msg}."
                ) from None
            except (OSError, EOFError) as exc:
                raise DriftInputError(f"{self.where}: {path} cannot be read: {exc}") from None
            if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
                raise DriftInputError(
                    f"{self.where}: {path} must hold a JSON list of records "
                    '([{"feature": value, ...}, ...]); for one object per line use .jsonl.'
                )
            self._table = records_to_table(document)
        return self._table


