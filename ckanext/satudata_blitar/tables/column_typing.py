"""Pass 1: every value of every column read, and each column's type inferred from the whole column (integer,
numeric, date, timestamp or text); the values that do not fit a mostly numeric or date column are reported.

No CKAN import (table_parser.py).
"""
from __future__ import annotations

import collections
import dataclasses
import datetime
import itertools
import re
from typing import Any, Optional

from ckanext.satudata_blitar.files.safety import N_, Limits
from ckanext.satudata_blitar.tables.cell_values import (DATE, DATETIME, EMPTY, INT, INT4, MIDNIGHT, NUM, TEXT, classify,
                                                        number_locale)
from ckanext.satudata_blitar.tables.data_rows import data_chunks
from ckanext.satudata_blitar.tables.parse_result import MAX_ISSUES_PER_KIND, Column, Issue, Result, Stop, shown
from ckanext.satudata_blitar.tables.sheet_reading import Sheet


# A column is typed from all of its values; when at least this share is numbers (or dates), the rest are reported.
MOSTLY = 0.8
# Pass 1 keeps the values it read for pass 2 up to this many cells (about 150 MB for 2,000,000 cells of a
# 200,000 x 10 table); a larger table is read a second time by pass 2.
KEPT_CELLS = 3_000_000


@dataclasses.dataclass
class ColumnStats:
    counts: list[int] = dataclasses.field(default_factory=lambda: [0] * 6)
    locales: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    min_int: int = 0
    max_int: int = 0
    # (row, value, kind) of the first values of each kind, to report the odd ones out
    samples: dict[int, list[tuple[int, str]]] = dataclasses.field(
        default_factory=lambda: collections.defaultdict(list))

    def add(self, kind: int, row: int, value: Any) -> None:
        self.counts[kind] += 1
        if kind != EMPTY and len(self.samples[kind]) < MAX_ISSUES_PER_KIND:
            self.samples[kind].append((row, shown(value)))


_INT_LINES = re.compile(r"(?:[+-]?(?:0|[1-9]\d*))?(?:\n(?:[+-]?(?:0|[1-9]\d*))?)*")
_EN_DECIMAL_LINES = re.compile(r"(?:[+-]?(?:0|[1-9]\d*)(?:\.\d+)?)?(?:\n(?:[+-]?(?:0|[1-9]\d*)(?:\.\d+)?)?)*")
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$", re.MULTILINE)
_ISO_DATE_LINES = re.compile(r"(?:\d{4}-\d{2}-\d{2})?(?:\n(?:\d{4}-\d{2}-\d{2})?)*")
# "+0" or "-0" alone on a line: the only signed zero the integer and decimal patterns above let through
_SIGNED_ZERO = re.compile(r"^[+-]0$", re.MULTILINE)


@dataclasses.dataclass
class Scanned:
    """What pass 1 hands to pass 2 (typed_csv.py)."""
    skipped: set[int]  # 0-based indexes of the rows left out
    # per chunk, per column: the kind (INT, NUM, DATE) every value of that chunk was checked to be as plain text
    # PostgreSQL reads as written (one regular expression over the chunk), else None
    clean: list[list[Optional[int]]]
    # the kept columns of every chunk, when the table has at most KEPT_CELLS cells (each cell read once); None:
    # pass 2 reads the file again
    chunks: Optional[list[list[tuple[Any, ...]]]]


def _scan_text_block(values: tuple[str, ...], numbers: list[int], st: ColumnStats, max_chars: int) -> Optional[int]:
    """Pass 1 for a chunk of a text file's column that is all plain integers, English decimals or ISO dates,
    checked by one regular expression over the whole chunk: the kind found, or None (classify the values one by
    one)."""
    block = "\n".join(values)
    if "\n" in "".join(values) or max(map(len, values)) > max_chars:
        return None
    filled = [v for v in values if v]
    empty = len(values) - len(filled)
    if not filled:
        return None
    if _INT_LINES.fullmatch(block):
        if _SIGNED_ZERO.search(block) or max(map(len, filled)) > 18:
            return None
        ints = list(map(int, filled))
        st.counts[INT] += len(ints)
        st.min_int, st.max_int = min(st.min_int, min(ints)), max(st.max_int, max(ints))
        kind = INT
    elif _EN_DECIMAL_LINES.fullmatch(block):
        ambiguous = len(_AMBIGUOUS.findall(block))
        english = sum(1 for v in filled if "." in v) - ambiguous
        if not english or _SIGNED_ZERO.search(block):
            return None
        st.counts[NUM] += len(filled)
        st.locales["en"] += english
        kind = NUM
    elif _ISO_DATE_LINES.fullmatch(block):
        try:
            list(map(datetime.date.fromisoformat, filled))
        except ValueError:
            return None
        st.counts[DATE] += len(filled)
        kind = DATE
    else:
        return None
    st.counts[EMPTY] += empty
    samples = st.samples[kind]
    if len(samples) < MAX_ISSUES_PER_KIND:
        samples.extend(itertools.islice(((numbers[i], v) for i, v in enumerate(values) if v),
                                        MAX_ISSUES_PER_KIND - len(samples)))
    return kind


def scan(sheet: Sheet, first_data: int, keep: list[int], columns: list[Column], stats: list[ColumnStats],
         result: Result, limits: Limits) -> Scanned:
    """Pass 1: classify every cell of every column; the rows left out, which chunks are plain text PostgreSQL
    reads as written, and (for a table of at most KEPT_CELLS cells) the values read, for pass 2."""
    scanned = Scanned(set(), [], [])
    cells = 0
    for numbers, cols in data_chunks(sheet, first_data, keep, result, scanned.skipped, limits):
        clean = []
        for column, st, values in zip(columns, stats, cols):
            clean.append(_scan_values(values, numbers, column, st, result, sheet.name, limits.max_cell_chars))
            if sum(1 for i in result.issues if i.code == "cell_too_long") >= MAX_ISSUES_PER_KIND:
                raise Stop()
        scanned.clean.append(clean)
        if scanned.chunks is not None:
            cells += len(numbers) * len(cols)
            scanned.chunks.append(cols)
            if cells > KEPT_CELLS:
                scanned.chunks = None
    return scanned


def _scan_values(values: tuple[Any, ...], numbers: list[int], column: Column, st: ColumnStats, result: Result,
                 sheet: Optional[str], max_chars: int) -> Optional[int]:
    """Classify one column of one chunk; floats (most numbers of a workbook) in bulk, other values one by one.
    Returns the kind when the chunk is plain text of one kind PostgreSQL reads as written (else None)."""
    types = set(map(type, values))
    rest: Any = range(len(values))
    if types == {str}:
        kind = _scan_text_block(values, numbers, st, max_chars)
        if kind is not None:
            return kind
    if float in types:
        rest = _scan_floats(values, numbers, st)
    if str in types and _report_long_cells(values, numbers, column, result, sheet, max_chars, types == {str}):
        return None
    if _scan_dates(values, numbers, st, types):
        return None
    _scan_one_by_one(values, rest, numbers, st)
    return None


def _scan_floats(values: tuple[Any, ...], numbers: list[int], st: ColumnStats) -> list[int]:
    """The floats of a chunk counted in bulk as integers or numbers; returns the indexes of the other values."""
    counts = st.counts
    floats = [v for v in values if type(v) is float]
    whole = sum(map(float.is_integer, floats))
    counts[INT] += whole
    counts[NUM] += len(floats) - whole
    ints = floats if whole == len(floats) else [v for v in floats if v.is_integer()]
    if ints:
        st.min_int = min(st.min_int, int(min(ints)))
        st.max_int = max(st.max_int, int(max(ints)))
    for kind, found in ((INT, whole), (NUM, len(floats) - whole)):
        samples = st.samples[kind]
        if found and len(samples) < MAX_ISSUES_PER_KIND:  # a chunk without the kind is not read again
            want = MAX_ISSUES_PER_KIND - len(samples)
            samples.extend(itertools.islice(
                ((numbers[i], shown(v)) for i, v in enumerate(values)
                 if type(v) is float and v.is_integer() == (kind == INT)), want))
    if len(floats) == len(values):
        return []
    return [i for i, v in enumerate(values) if type(v) is not float]


def _report_long_cells(values: tuple[Any, ...], numbers: list[int], column: Column, result: Result,
                       sheet: Optional[str], max_chars: int, only_text: bool = False) -> bool:
    """An error for each text longer than `max_chars`; True when there was one (the chunk is not classified)."""
    longest = max(map(len, values)) if only_text else max(len(v) for v in values if type(v) is str)
    if longest <= max_chars:
        return False
    for i, v in enumerate(values):
        if type(v) is str and len(v) > max_chars:
            result.issues.append(Issue("error", "cell_too_long", N_(
                "The cell holds {length} characters; at most {limit} are accepted."),
                {"length": len(v), "limit": max_chars}, sheet=sheet, row=numbers[i], column=column.letter,
                value=shown(v)))
    return True


def _scan_dates(values: tuple[Any, ...], numbers: list[int], st: ColumnStats, types: set[type]) -> bool:
    """A chunk of Excel dates only, counted in bulk (a time of day makes it a timestamp column); False otherwise."""
    counts = st.counts
    for dtype in (datetime.date, datetime.datetime):
        if dtype in types and len(types) == 1:
            timed = 0 if dtype is datetime.date else sum(1 for v in values if v.time() != MIDNIGHT)
            counts[DATETIME] += timed
            counts[DATE] += len(values) - timed
            for kind in (DATE, DATETIME):
                if len(st.samples[kind]) < MAX_ISSUES_PER_KIND and counts[kind]:
                    st.samples[kind].extend(itertools.islice(
                        ((numbers[i], shown(v)) for i, v in enumerate(values)
                         if (dtype is datetime.datetime and v.time() != MIDNIGHT) == (kind == DATETIME)),
                        MAX_ISSUES_PER_KIND - len(st.samples[kind])))
            return True
    return False


def _scan_one_by_one(values: tuple[Any, ...], rest: Any, numbers: list[int], st: ColumnStats) -> None:
    """The values at the indexes `rest` classified one by one."""
    counts = st.counts
    text_samples = st.samples[TEXT]
    for i in rest:
        value = values[i]
        if value == "" or value is None:
            counts[EMPTY] += 1
            continue
        # text that begins with a letter is text (classify() reads no number or date from it)
        if type(value) is str and value[0].isalpha():
            counts[TEXT] += 1
            if len(text_samples) < MAX_ISSUES_PER_KIND:
                text_samples.append((numbers[i], shown(value)))
            continue
        kind, parsed = classify(value)
        counts[kind] += 1
        if kind == INT:
            if parsed > st.max_int:
                st.max_int = parsed
            elif parsed < st.min_int:
                st.min_int = parsed
        if type(value) is str and kind in (INT, NUM):
            loc = number_locale(value)
            if loc:
                st.locales[loc] += 1
        if kind != EMPTY and len(st.samples[kind]) < MAX_ISSUES_PER_KIND:
            st.samples[kind].append((numbers[i], shown(value)))


def decide_types(columns: list[Column], stats: list[ColumnStats], result: Result, sheet: Optional[str]) -> None:
    for column, st in zip(columns, stats):
        c = st.counts
        filled = sum(c) - c[EMPTY]
        numbers, dates = c[INT] + c[NUM], c[DATE] + c[DATETIME]
        if filled == 0:
            column.type, column.pg_type = "text", "text"
        elif c[INT] == filled:
            column.type = "integer"
            column.pg_type = "int4" if -INT4 <= st.min_int and st.max_int <= INT4 else "int8"
        elif numbers == filled:
            column.type, column.pg_type = "numeric", "numeric"
        elif dates == filled:
            column.type, column.pg_type = ("date", "date") if not c[DATETIME] else ("timestamp", "timestamp")
        else:
            column.type, column.pg_type = "text", "text"
            if numbers >= MOSTLY * filled:
                _odd_ones_out(column, st, (TEXT, DATE, DATETIME), result, sheet, N_(
                    "The column is mostly numbers, but this value is not a number, so the whole column is stored "
                    "as text. Correct the value, or leave the cell empty (or \"-\") when there is no data."))
            elif dates >= MOSTLY * filled:
                _odd_ones_out(column, st, (TEXT, INT, NUM), result, sheet, N_(
                    "The column is mostly dates, but this value is not a date, so the whole column is stored as "
                    "text. Write it as a date (for example 17 Agustus 2024 or 17/08/2024)."))
        column.locale = "en" if st.locales["en"] > st.locales["id"] else "id"
        if column.type in ("integer", "numeric") and st.locales["id"] and st.locales["en"]:
            result.issues.append(Issue("warning", "mixed_number_format", N_(
                "The column mixes Indonesian (1.234,5) and English (1,234.5) number formats; they were read the "
                "Indonesian way. Use one format in the whole column."), {}, sheet=sheet, column=column.letter))
            result.stats.setdefault("mixed_locale_columns", []).append(column.id)


def _odd_ones_out(column: Column, st: ColumnStats, kinds: tuple[int, ...], result: Result,
                  sheet: Optional[str], msgid: str) -> None:
    for kind in kinds:
        for row, value in st.samples.get(kind, []):
            result.issues.append(Issue("warning", "mixed_column", msgid, {"label": column.label}, sheet=sheet,
                                       row=row, column=column.letter, value=value))
