"""What reading a table gives back: the columns, the row count and the issues the operator should fix (JSON-able).

An `Issue` holds sheet, row, column, value, a plain English msgid (marked N_) and its parameters, translated where
the report is shown. Errors stop the load; warnings and notes do not. No CKAN import (table_parser.py).
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Optional


MAX_ISSUES_PER_KIND = 20


@dataclasses.dataclass
class Issue:
    severity: str            # "error" stops the load; "warning" and "note" do not
    code: str
    msgid: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    sheet: Optional[str] = None
    row: Optional[int] = None
    column: Optional[str] = None
    value: Optional[str] = None


@dataclasses.dataclass
class Column:
    id: str                  # the DataStore field id
    label: str               # the header as written
    letter: str              # the spreadsheet column (A, B, ...)
    type: str = "text"       # integer | numeric | date | timestamp | text
    pg_type: str = "text"    # int4 | int8 | numeric | date | timestamp | text
    locale: str = "id"       # how "1.234" is read in this column: "id" (1234) or "en" (1.234)


@dataclasses.dataclass
class Result:
    format: str = ""
    sheet: Optional[str] = None
    header_row: Optional[int] = None
    columns: list[Column] = dataclasses.field(default_factory=list)
    rows: int = 0
    issues: list[Issue] = dataclasses.field(default_factory=list)
    stats: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(issue.severity == "error" for issue in self.issues)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Stop(Exception):
    """Parsing stops at the first error that makes the rest meaningless (it is already in the issues)."""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def shown(value: Any, limit: int = 80) -> str:
    text = value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else str(value)
    return text if len(text) <= limit else text[:limit] + "\u2026"


def stop(result: Result, code: str, msgid: str, **params: Any) -> None:
    result.issues.append(Issue("error", code, msgid, params))
    raise Stop()
