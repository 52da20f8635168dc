"""Pass 2: the typed values written as CSV in PostgreSQL's COPY format (NULL is the unquoted empty string).

No CKAN import (table_parser.py).
"""
from __future__ import annotations

import csv
import datetime
from typing import Any, Callable, Iterator, Optional

from ckanext.satudata_blitar.files.safety import Limits
from ckanext.satudata_blitar.tables.cell_values import (DATE, EMPTY_FIRST, EMPTY_MARKERS, INT, NUM, NUM_EN_DECIMAL,
                                                        as_int, is_empty, parse_date, parse_number)
from ckanext.satudata_blitar.tables.column_typing import Scanned
from ckanext.satudata_blitar.tables.data_rows import data_chunks
from ckanext.satudata_blitar.tables.parse_result import Column, Result
from ckanext.satudata_blitar.tables.sheet_reading import Sheet


def write_typed_csv(sheet: Sheet, first_data: int, keep: list[int], columns: list[Column], out_csv: str,
                    limits: Limits, scanned: Optional[Scanned] = None) -> None:
    """Pass 2: the typed values as CSV for COPY (NULL is the unquoted empty string), column by column. With
    pass 1's `scanned`: the values it kept (else the file is read again), and a chunk of a column that pass 1 found
    to be plain integers, English decimals or ISO dates of the column's type is written as read."""
    converters = [_converter(column.type, column.locale) for column in columns]
    as_read = [_AS_READ.get((column.type, column.locale), _AS_READ.get((column.type, None))) for column in columns]
    clean = scanned.clean if scanned else []
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        writerows = csv.writer(f, lineterminator="\n").writerows
        for number, cols in enumerate(_chunks(sheet, first_data, keep, limits, scanned)):
            kinds = clean[number] if number < len(clean) else [None] * len(cols)
            writerows(zip(*[_written(values) if kind is not None and kind == plain else convert(values)
                            for convert, plain, kind, values in zip(converters, as_read, kinds, cols)]))


# The kind of chunk pass 1 checked (column_typing._scan_text_block) that a column of this (type, locale) writes as
# read: PostgreSQL reads each value as the converter would have written it.
_AS_READ = {("integer", None): INT, ("numeric", "en"): NUM, ("date", None): DATE, ("timestamp", None): DATE}


def _written(values: tuple[str, ...]) -> list[Optional[str]]:
    return [v or None for v in values]


def _chunks(sheet: Sheet, first_data: int, keep: list[int], limits: Limits,
            scanned: Optional[Scanned]) -> Iterator[list[tuple[Any, ...]]]:
    """The kept columns of each chunk: as pass 1 kept them, or read again."""
    if scanned is not None and scanned.chunks is not None:
        yield from scanned.chunks
        return
    for _numbers, cols in data_chunks(sheet, first_data, keep, Result(), set(), limits):
        yield cols


def _converter(kind: str, locale: str = "id") -> Callable[[tuple[Any, ...]], list[Any]]:
    """A function from one column's values (of one chunk) to the values written for COPY. Text that PostgreSQL
    reads as it is (plain integers, English decimals, ISO dates) is passed through."""
    if kind == "integer":
        def one(value: Any) -> Any:
            if type(value) is str and value.isdigit() and (value[0] != "0" or len(value) == 1):
                return value
            return None if is_empty(value) else (int(value) if type(value) is not str else parse_number(value, locale))
        return lambda values: [int(v) if type(v) is float else one(v) for v in values]
    if kind == "numeric":
        def one(value: Any) -> Any:
            if type(value) is str and locale == "en" and NUM_EN_DECIMAL.match(value):
                return value
            if is_empty(value):
                return None
            return parse_number(value, locale) if type(value) is str else value
        return lambda values: [v if type(v) is float else one(v) for v in values]
    if kind in ("date", "timestamp"):
        def one(value: Any) -> Any:
            if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
                return value
            if is_empty(value):
                return None
            if type(value) is str:
                value = parse_date(value)
            return value.isoformat(sep=" ") if type(value) is datetime.datetime else value.isoformat()
        return lambda values: [one(v) for v in values]

    def text(value: Any) -> Any:
        if type(value) is float:
            whole = as_int(value)
            return whole if whole is not None else repr(value)
        if value is None or (type(value) is str and value.strip() in EMPTY_MARKERS):
            return None
        if type(value) in (datetime.date, datetime.datetime):
            return value.isoformat()
        return value if type(value) is str else str(value)
    return lambda values: [v if type(v) is str and v and v[0] not in EMPTY_FIRST and v[-1] != " " else text(v)
                           for v in values]
