"""The data rows under the header, in chunks column by column: blank rows, "Jumlah/Total" rows, "Sumber:" footnotes
and a "(1) (2) (3)" column-number row are left out (and noted in the report).

No CKAN import (table_parser.py).
"""
from __future__ import annotations

import functools
import itertools
import re
from typing import Any, Iterator, Optional

from ckanext.satudata_blitar.files.safety import N_, Limits
from ckanext.satudata_blitar.tables.cell_values import COLUMN_NUMBER, filled_cells
from ckanext.satudata_blitar.tables.parse_result import MAX_ISSUES_PER_KIND, Issue, Result, shown, stop
from ckanext.satudata_blitar.tables.sheet_reading import Sheet


TOTAL_ROW = re.compile(r"^\s*(jumlah|total|sub\s*total|grand\s*total)\b", re.IGNORECASE)
FOOTNOTE_ROW = re.compile(r"^\s*(sumber|source|keterangan|ket\.|catatan|note|notes)\s*:|^\s*\*", re.IGNORECASE)
FOOTER_START = re.compile(r"\s*(jumlah|total|sub\s*total|grand|sumber|source|keterangan|ket\.|catatan|note|\*)",
                          re.IGNORECASE)


def footer_kind(row: list[Any]) -> Optional[str]:
    first = next((v for v in row if v is not None and v != "" and not (type(v) is str and not v.strip())), None)
    if type(first) is not str:
        return None
    if TOTAL_ROW.match(first):
        return "total"
    if FOOTNOTE_ROW.match(first) and filled_cells(row) <= 2:
        return "footnote"
    return None


def data_chunks(sheet: Sheet, first_data: int, keep: list[int], result: Result, skipped: set[int],
                limits: Limits, size: int = 8192) -> Iterator[tuple[list[int], list[tuple[Any, ...]]]]:
    """The data rows in chunks: (1-based row numbers, the kept columns of those rows, column by column).

    Blank rows, total rows, footnotes and a column-number row under the header are left out (their 0-based
    indexes are added to `skipped`, and noted in the result the first time round)."""
    name = sheet.name
    need = max(keep) + 1
    totals: list[int] = []
    footnotes: list[int] = []
    first = True
    numbers: list[int] = []
    chunk: list[list[Any]] = []
    count = 0
    for index, row in enumerate(itertools.islice(sheet.rows(), first_data, None), start=first_data):
        if not any(row) and row.count("") + row.count(None) == len(row):  # any(): most rows, at C speed
            skipped.add(index)
            continue
        head = row[0]
        if head == "" or head is None or (type(head) is str and FOOTER_START.match(head)):
            footer = footer_kind(row)
            if footer:
                skipped.add(index)
                (totals if footer == "total" else footnotes).append(index + 1)
                continue
        if first:
            first = False
            if _numbers_the_columns(row, keep):
                skipped.add(index)
                result.issues.append(Issue("note", "column_numbers", N_(
                    "Row {row} numbers the columns ((1), (2), ...) and is left out."), {"row": index + 1},
                    sheet=name, row=index + 1))
                continue
        count += 1
        if count > limits.max_rows:
            stop(result, "too_many_rows", N_("The sheet has more than {limit} data rows. Split the table into "
                                             "smaller files."), limit=limits.max_rows)
        if len(row) < need:
            row = list(row) + [""] * (need - len(row))
        chunk.append(row)
        numbers.append(index + 1)
        if len(chunk) >= size:
            yield numbers, [col for position, col in enumerate(zip(*chunk)) if position in keep_set(keep)]
            chunk, numbers = [], []
    if chunk:
        yield numbers, [col for position, col in enumerate(zip(*chunk)) if position in keep_set(keep)]
    result.rows = count
    _note_left_out(result, name, totals, footnotes)


def _numbers_the_columns(row: list[Any], keep: list[int]) -> bool:
    """Whether the row under the header numbers the kept columns: (1), (2), (3) …"""
    ncols = len(keep)
    cells = [row[c] for c in keep if c < len(row) and row[c] not in (None, "")]
    found = [COLUMN_NUMBER.match(shown(v).strip()) for v in cells]
    return bool(len(found) == ncols > 1 and all(found) and [int(m.group(1)) for m in found] == list(
        range(int(found[0].group(1)), int(found[0].group(1)) + ncols)))


def _note_left_out(result: Result, name: Optional[str], totals: list[int], footnotes: list[int]) -> None:
    """Notes of the total rows and footnotes left out (1-based row numbers)."""
    if totals:
        result.issues.append(Issue("note", "total_rows", N_(
            "Total rows (\"Jumlah\", \"Total\") are left out: row {rows}. The portal computes totals itself."),
            {"rows": ", ".join(map(str, totals[:MAX_ISSUES_PER_KIND]))}, sheet=name, row=totals[0]))
    if footnotes:
        result.issues.append(Issue("note", "footnotes", N_(
            "Notes below the table (\"Sumber:\", \"Keterangan:\") are left out: row {rows}. Put the source in the "
            "dataset's metadata."), {"rows": ", ".join(map(str, footnotes[:MAX_ISSUES_PER_KIND]))},
            sheet=name, row=footnotes[0]))


@functools.lru_cache(maxsize=8)
def _keep_set(keep: tuple[int, ...]) -> frozenset[int]:
    return frozenset(keep)


def keep_set(keep: list[int]) -> frozenset[int]:
    return _keep_set(tuple(keep))
