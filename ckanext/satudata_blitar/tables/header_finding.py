"""The header row of a table, found past title rows (a two-row header under merged cells becomes "Upper - Lower"),
and the DataStore column each header names.

No CKAN import (table_parser.py).
"""
from __future__ import annotations

import collections
from typing import Any, Optional

from ckanext.satudata_blitar.files.safety import N_
from ckanext.satudata_blitar.tables.cell_values import (COLUMN_NUMBER, DATE, DATETIME, EMPTY_MARKERS, INT, NUM, TEXT,
                                                        classify, filled_cells)
from ckanext.satudata_blitar.tables.data_rows import footer_kind
from ckanext.satudata_blitar.tables.parse_result import Column, Issue, Result, column_letter, shown, stop
from ckanext.satudata_blitar.tables.sheet_reading import Sheet


HEADER_SCAN_ROWS = 30
FIELD_ID_BYTES = 63


def _is_header_text(value: Any) -> bool:
    if type(value) is str:
        s = value.strip()
        return bool(s) and s not in EMPTY_MARKERS
    return False


def _year(value: Any) -> Optional[int]:
    """A year written as a number or as digits (a header cell such as 2019), else None."""
    if type(value) is float and value.is_integer():
        value = int(value)
    elif type(value) is str and value.strip().isdigit():
        value = int(value.strip())
    return value if type(value) is int and 1900 <= value <= 2100 else None


def _year_headers(row: list[Any]) -> int:
    """How many cells of the row are years as column headers (Kecamatan, Kelurahan, 2019, …, 2024): two or more
    different years, increasing, beside at least one text label. A data row's numbers are not."""
    years = [year for year in map(_year, row) if year is not None]
    if len(years) < 2 or years != sorted(set(years)) or not any(_is_header_text(v) and _year(v) is None
                                                                for v in row):
        return 0
    return len(years)


def _header_label(value: Any) -> str:
    if value in (None, ""):
        return ""
    if type(value) is float and value.is_integer():
        value = int(value)
    return shown(value, 10_000).strip()


def find_header(head: list[list[Any]]) -> Optional[int]:
    """Index in `head` of the header row: past title rows, the first row that is mostly text and as wide as the
    table (at least half as many filled cells as the widest row), with data below it."""
    if not head:
        return None
    widest = max(filled_cells(row) for row in head)
    for index, row in enumerate(head):
        filled = filled_cells(row)
        if filled == 0 or filled < max(1, widest / 2) or (widest > 1 and filled < 2):
            continue
        texts = sum(1 for v in row if _is_header_text(v) and _year(v) is None) + _year_headers(row)
        if texts and texts >= filled / 2:
            return index
    return None


def _merged_value(merged, row: int, col: int) -> Optional[tuple[int, int]]:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return r0, c0
    return None


def build_headers(head: list[list[Any]], index: int, sheet: Sheet) -> tuple[list[str], int]:
    """The header labels and how many rows they take (1, or 2 under merged cells: "Jenis Kelamin - Laki-laki")."""
    upper = [_header_label(v) for v in head[index]]
    lower_row = head[index + 1] if index + 1 < len(head) else []
    lower = [_header_label(v) for v in lower_row]
    width = max(len(upper), len(lower))
    upper += [""] * (width - len(upper))
    lower += [""] * (width - len(lower))
    absolute = index  # rows in `head` are the file's rows from its first
    spans_upper = any(r0 == absolute and c1 > c0 for (r0, c0), (r1, c1) in sheet.merged)
    lower_is_header = (any(lower) and all(
        not v or (type(raw) is str and classify(raw)[0] in (TEXT, INT) and not COLUMN_NUMBER.match(v))
        for v, raw in zip(lower, lower_row + [""] * width))
        and (spans_upper or any(lo and not up for up, lo in zip(upper, lower)))
        and sum(1 for v in lower_row if type(v) is str and v.strip()) >= 1
        and not _looks_like_data(lower_row))
    if not lower_is_header:
        return upper, 1
    filled_upper = list(upper)
    for col in range(width):
        origin = _merged_value(sheet.merged, absolute, col + sheet.col_offset)
        if origin and origin[1] - sheet.col_offset < width:
            filled_upper[col] = upper[origin[1] - sheet.col_offset]
        elif not upper[col] and lower[col] and not sheet.merged:
            # no merge information (CSV, .xls without it): a blank above a sub-header belongs to the left
            left = col - 1
            while left >= 0 and not upper[left]:
                left -= 1
            filled_upper[col] = upper[left] if left >= 0 and lower[left] else ""
    labels = []
    for up, lo in zip(filled_upper, lower):
        labels.append(f"{up} - {lo}" if up and lo and up != lo else (up or lo))
    return labels, 2


def _looks_like_data(row: list[Any]) -> bool:
    kinds = [classify(v)[0] for v in row]
    return sum(1 for k in kinds if k in (INT, NUM, DATE, DATETIME)) > sum(1 for k in kinds if k == TEXT)


def field_id(label: str) -> str:
    """A DataStore field id from a header: one line, no quotes, no leading "_" (the DataStore's own columns) or
    formula character (= + - @, so that no download starts a formula in its header row), at most 63 bytes."""
    s = " ".join(label.replace('"', "'").split()).lstrip("_=+-@ ").strip()
    encoded = s.encode("utf-8")[:FIELD_ID_BYTES]
    return encoded.decode("utf-8", "ignore").strip()


def name_columns(labels: list[str], result: Result, sheet: Sheet, header_row: int) -> tuple[list[Column], list[int]]:
    columns: list[Column] = []
    keep: list[int] = []
    seen: collections.Counter = collections.Counter()
    for col, label in enumerate(labels):
        if not label:
            continue
        letter = column_letter(col + sheet.col_offset)
        fid = field_id(label)
        if not fid:
            fid = f"kolom {letter}"
        if fid != " ".join(label.split()):
            result.issues.append(Issue("note", "header_renamed", N_(
                "The header \"{label}\" is stored as \"{name}\" (names are one line, at most 63 bytes, without "
                "quotes or a leading underscore)."), {"label": shown(label), "name": fid}, sheet=sheet.name,
                row=header_row, column=letter))
        seen[fid.lower()] += 1
        if seen[fid.lower()] > 1:
            new = field_id(f"{fid[:55]} ({seen[fid.lower()]})")
            result.issues.append(Issue("warning", "duplicate_header", N_(
                "The header \"{label}\" appears more than once; this column is stored as \"{name}\". Give every "
                "column a different name."), {"label": shown(label), "name": new}, sheet=sheet.name,
                row=header_row, column=letter))
            fid = new
        columns.append(Column(id=fid, label=label, letter=letter))
        keep.append(col)
    if not columns:
        stop(result, "no_header", N_("No header row was found. Put the column names in one row above the data, "
                                     "with a name for every column."))
    result.columns = columns
    return columns, keep


def check_cells_in_unnamed_columns(rows, keep, labels, result, sheet, first_data) -> None:
    named = set(keep)
    for offset, row in enumerate(rows):
        for col, value in enumerate(row):
            if col not in named and value not in (None, "") and not (type(value) is str and not value.strip()) \
                    and not footer_kind(row):
                result.issues.append(Issue("error", "value_without_header", N_(
                    "Column {column} has values but no header. Write the column's name in the header row "
                    "(row {header}) or delete the column."), {"column": column_letter(col + sheet.col_offset),
                                                              "header": first_data},
                    sheet=sheet.name, row=first_data + offset + 1, column=column_letter(col + sheet.col_offset),
                    value=shown(value)))
                named.add(col)
