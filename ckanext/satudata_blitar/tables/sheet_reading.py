"""Reading a table's rows: the first sheet with data of a workbook (.xlsx/.xls/.ods, with python-calamine: formulas
come as their saved values) or a CSV file (UTF-8, UTF-8 with BOM or Windows-1252; comma, semicolon or tab); the
operator's MS-Var sheet read beside the data; vertically merged cells filled down.

No CKAN import (table_parser.py).
"""
from __future__ import annotations

import codecs
import collections
import csv
import dataclasses
from typing import Any, Callable, Iterator, Optional

import python_calamine

from ckanext.satudata_blitar.files.safety import N_
from ckanext.satudata_blitar.tables.parse_result import Issue, Result, stop


@dataclasses.dataclass
class Sheet:
    name: Optional[str]
    rows: Callable[[], Iterator[list[Any]]]    # a fresh iterator over all rows, from the file's first row
    col_offset: int = 0
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = dataclasses.field(default_factory=list)
    width: int = 0
    height: int = 0


def open_sheet(path: str, fmt: str, result: Result) -> Sheet:
    if fmt == "csv":
        return _csv_sheet(path, result)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        sheets = [meta.name for meta in workbook.sheets_metadata
                  if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith("Visible")]
        chosen = None
        for name in sheets:
            sheet = workbook.get_sheet_by_name(name)
            if name == MS_VAR_SHEET:
                # the MS-Var the operator filled in beside the data (data_template.py): read, not loaded
                result.stats["ms_var_rows"] = _ms_var_rows(sheet)
                continue
            if sheet.height and sheet.width:
                if chosen is None:
                    chosen = sheet
                else:
                    result.issues.append(Issue("warning", "other_sheets", N_(
                        "Only the first sheet with data, \"{sheet}\", is loaded; sheet \"{other}\" is left out. "
                        "Put each table in a file of its own."), {"sheet": chosen.name, "other": name},
                        sheet=name))
    except python_calamine.PasswordError:
        stop(result, "encrypted", N_("The workbook is protected with a password. Remove the password in Excel "
                                     "and upload it again."))
    except Exception as e:  # calamine's errors: damaged zip, XML, BIFF records
        stop(result, "damaged", N_("The file could not be read ({detail}). Save it again from Excel and upload "
                                   "it again."), detail=type(e).__name__)
    if chosen is None:
        stop(result, "no_data", N_("The workbook has no sheet with data."))
    result.sheet = chosen.name
    rows_iter = chosen.iter_rows
    return Sheet(chosen.name, lambda: iter(rows_iter()), col_offset=chosen.start[1] if chosen.start else 0,
                 merged=list(chosen.merged_cell_ranges or []), width=chosen.width, height=chosen.height)


# The sheet of the data template where the operator describes the columns (metadata_xlsx.MS_VAR_SHEET): read as
# text for the loader (load_job.py), at most this many rows and columns.
MS_VAR_SHEET = "MS-Var"
MS_VAR_MAX_ROWS, MS_VAR_MAX_COLUMNS, MS_VAR_MAX_CHARS = 500, 20, 2000


def _ms_var_rows(sheet: Any) -> list[list[str]]:
    rows = []
    for row in sheet.iter_rows():
        if len(rows) >= MS_VAR_MAX_ROWS:
            break
        rows.append(["" if value is None else str(value)[:MS_VAR_MAX_CHARS] for value in row[:MS_VAR_MAX_COLUMNS]])
    return rows


def _csv_sheet(path: str, result: Result) -> Sheet:
    with open(path, "rb") as f:
        raw = f.read(256 * 1024)
    encoding = "utf-8-sig"
    try:
        _decode_all(path, encoding)
    except UnicodeDecodeError:
        encoding = "cp1252"
        try:
            _decode_all(path, encoding)
        except UnicodeDecodeError:
            encoding = "latin-1"
        result.issues.append(Issue("note", "encoding", N_(
            "The file is not UTF-8; it was read as Windows-1252 (Excel's \"CSV\" on Windows)."), {}))
    sample = raw.decode(encoding, errors="replace")
    delimiter = _delimiter(sample)
    result.stats.update(encoding=encoding.replace("-sig", ""), delimiter=delimiter)
    csv.field_size_limit(1 << 30)

    def rows() -> Iterator[list[Any]]:
        with open(path, newline="", encoding=encoding) as f:
            yield from csv.reader(f, delimiter=delimiter)

    return Sheet(None, rows)


def _decode_all(path: str, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            decoder.decode(block)
        decoder.decode(b"", final=True)


def _delimiter(sample: str) -> str:
    """The delimiter that splits most of the first lines into the same number (above one) of fields."""
    lines = sample.splitlines()[:50]
    if len(sample) == 256 * 1024 and len(lines) > 1:
        lines = lines[:-1]
    best, best_score = ",", -1
    for candidate in (",", ";", "\t", "|"):
        counts = collections.Counter(len(row) for row in csv.reader(lines, delimiter=candidate))
        widths = [(n, width) for width, n in counts.items() if width > 1]
        score = max(widths)[0] * 1000 + max(widths)[1] if widths else 0
        if score > best_score:
            best, best_score = candidate, score
    return best


def forward_filled(sheet: Sheet, first_data: int) -> Sheet:
    """The sheet with vertically merged cells of the data rows filled down (a kecamatan merged over its five rows:
    each row gets its name, as the person reading the sheet sees it). Only empty cells of a merge are filled."""
    off = sheet.col_offset
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for (r0, c0), (r1, c1) in sheet.merged:
        if r1 > r0 and r0 >= first_data:
            starts.setdefault(r0, []).append((c0 - off, c1 - off, r1))
    if not starts:
        return sheet
    read = sheet.rows

    def rows() -> Iterator[list[Any]]:
        carry: dict[int, tuple[int, Any]] = {}  # column -> (last row of the merge, value)
        for index, row in enumerate(read()):
            for c0, c1, r1 in starts.get(index, ()):
                value = row[c0] if 0 <= c0 < len(row) else ""
                for col in range(max(c0, 0), c1 + 1):
                    carry[col] = (r1, value)
            if carry:
                row = list(row)
                for col, (r1, value) in list(carry.items()):
                    if index > r1:
                        del carry[col]
                        continue
                    if col >= len(row):
                        row += [""] * (col + 1 - len(row))
                    if row[col] in ("", None):
                        row[col] = value
            yield row

    return dataclasses.replace(sheet, rows=rows)
