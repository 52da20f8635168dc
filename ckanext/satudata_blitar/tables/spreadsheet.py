"""Read an OPD's table (.xlsx, .xls, .ods, .csv) into typed rows, with a report of what the operator should fix.

`parse(path, extension, out_csv, limits)`:
  1. file_safety.check() refuses hostile or mislabelled files before any parser sees them;
  2. the rows are read with python-calamine (.xlsx/.xls/.ods; formulas come as their saved values) or the csv
     module (UTF-8, UTF-8 with BOM or Windows-1252; comma, semicolon or tab);
  3. the header row is found past title rows (a two-row header under merged cells becomes "Upper - Lower"), and
     "Jumlah/Total" rows, "Sumber:" footnotes, blank rows and a "(1) (2) (3)" column-number row are left out;
  4. pass 1 reads every value of every column and infers its type from the whole column: integer, numeric
     (Indonesian "1.234", "12.345,67", "5,5 %" or English "1,234.5"), date (Excel dates, "17 Agustus 2024",
     "17/08/2024", "2024-08-17"), or text; "-" is empty;
  5. pass 2 writes a CSV in PostgreSQL's COPY format (NULL = unquoted empty) with the typed values.

Returns a `Result` (JSON-able) holding the columns, row count and `Issue`s: sheet, row, column, value, a plain
English msgid (marked N_) and its parameters, translated where the report is shown. Errors stop the load;
warnings and notes do not.

No CKAN import here: ingest.py runs `python -m ckanext.satudata_blitar.tables.spreadsheet` as a child process with
memory and time limits, so that a hostile file costs bounded memory and time and the worker stays small.
"""
from __future__ import annotations

import collections
import csv
import dataclasses
import datetime
import functools
import itertools
import json
import re
import sys
import zipfile
from typing import Any, Callable, Iterator, Optional

from ckanext.satudata_blitar.files import safety as file_safety
from ckanext.satudata_blitar.files.safety import N_, Limits, UnsafeFile

HEADER_SCAN_ROWS = 30
MAX_ISSUES_PER_KIND = 20
# A column is typed from all of its values; when at least this share is numbers (or dates), the rest are reported.
MOSTLY = 0.8
FIELD_ID_BYTES = 63
INT4 = 2 ** 31 - 1
MIDNIGHT = datetime.time()
INT8 = 2 ** 63 - 1

EMPTY_MARKERS = {"", "-", "--", "\u2013", "\u2014"}
TOTAL_ROW = re.compile(r"^\s*(jumlah|total|sub\s*total|grand\s*total)\b", re.IGNORECASE)
FOOTNOTE_ROW = re.compile(r"^\s*(sumber|source|keterangan|ket\.|catatan|note|notes)\s*:|^\s*\*", re.IGNORECASE)
FOOTER_START = re.compile(r"\s*(jumlah|total|sub\s*total|grand|sumber|source|keterangan|ket\.|catatan|note|\*)",
                          re.IGNORECASE)
COLUMN_NUMBER = re.compile(r"^\(?\s*(\d{1,3})\s*\)?$")

MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7, "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "october": 10, "november": 11,
    "nov": 11, "nopember": 11, "desember": 12, "des": 12, "dec": 12, "december": 12,
}
DATE_TEXT = re.compile(r"^(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{4})$")
DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")

# Numbers written as text. "id": Indonesian (1.234,5), "en": English (1,234.5); "1.234" and "1,234" are ambiguous
# and read the Indonesian way unless the column shows English numbers elsewhere.
NUM_PLAIN = re.compile(r"^[+-]?(0|[1-9]\d*)$")
NUM_ID_DECIMAL = re.compile(r"^[+-]?(0|[1-9]\d*),\d+$")
NUM_EN_DECIMAL = re.compile(r"^[+-]?(0|[1-9]\d*)\.\d+$")
NUM_ID_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
NUM_EN_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$")
PERCENT = re.compile(r"\s*%$")


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


def _shown(value: Any, limit: int = 80) -> str:
    text = value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else str(value)
    return text if len(text) <= limit else text[:limit] + "\u2026"


# --- Values -----------------------------------------------------------------------------------------------------

# Kinds of a single value, from pass 1.
EMPTY, INT, NUM, DATE, DATETIME, TEXT = range(6)


def _as_int(number: float) -> Optional[int]:
    return int(number) if number.is_integer() and abs(number) <= INT8 else None


def parse_number(text: str, locale: str = "id") -> Optional[float | int]:
    """A number written as text, or None. `locale` decides the ambiguous "1.234" / "1,234"."""
    s = PERCENT.sub("", text.replace("\u00a0", " ").strip())
    if not s or (s[0] == "0" and len(s) > 1 and s[1].isdigit()) or (s[:2] in ("-0", "+0") and len(s) > 2
                                                                        and s[2].isdigit()):
        return None  # identifiers with leading zeros (kode wilayah, NIP) stay text
    if NUM_PLAIN.match(s):
        return int(s)
    if NUM_ID_GROUPED.match(s) and (locale == "id" or "," in s or s.count(".") > 1):
        s = s.replace(".", "").replace(",", ".")
    elif NUM_EN_GROUPED.match(s) and (locale == "en" or "." in s or s.count(",") > 1):
        s = s.replace(",", "")
    elif NUM_ID_DECIMAL.match(s):
        s = s.replace(",", ".")
    elif not NUM_EN_DECIMAL.match(s):
        return None
    value = float(s)
    as_int = _as_int(value) if "." not in s else None
    return as_int if as_int is not None else value


def number_locale(text: str) -> Optional[str]:
    """"id" or "en" when the text can only be a number written one way, else None."""
    s = PERCENT.sub("", text.strip())
    if NUM_ID_DECIMAL.match(s) or (NUM_ID_GROUPED.match(s) and ("," in s or s.count(".") > 1)):
        return "id"
    if (NUM_EN_DECIMAL.match(s) and not NUM_ID_GROUPED.match(s)) or \
            (NUM_EN_GROUPED.match(s) and ("." in s or s.count(",") > 1)):
        return "en"
    return None


def parse_date(text: str) -> Optional[datetime.date | datetime.datetime]:
    """"17 Agustus 2024", "17 Agt 2024", "17/08/2024", "17-08-2024", "2024-08-17[ 10:30]" or None."""
    s = text.strip()
    try:
        m = DATE_TEXT.match(s)
        if m:
            month = MONTHS.get(m.group(2).lower())
            return datetime.date(int(m.group(3)), month, int(m.group(1))) if month else None
        m = DATE_DMY.match(s)
        if m:
            return datetime.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = DATE_ISO.match(s)
        if m:
            if m.group(4):
                return datetime.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                                         int(m.group(5)), int(m.group(6) or 0))
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


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
            self.samples[kind].append((row, _shown(value)))


def classify(value: Any) -> tuple[int, Any]:
    """The kind of one cell (EMPTY, INT, NUM, DATE, DATETIME, TEXT) and its value (the text for TEXT)."""
    t = type(value)
    if t is float:
        i = _as_int(value)
        return (INT, i) if i is not None else (NUM, value)
    if t is str:
        s = value.strip()
        if s in EMPTY_MARKERS:
            return EMPTY, None
        c = s[0]
        if c.isdigit() or c in "+-.":
            n = parse_number(s)
            if n is not None:
                return (INT, n) if type(n) is int else (NUM, n)
            if c.isdigit():
                d = parse_date(s)
                if d is not None:
                    return (DATETIME, d) if type(d) is datetime.datetime else (DATE, d)
        elif c.isalpha() and s[-1].isdigit():
            d = parse_date(s)
            if d is not None:
                return DATE, d
        return TEXT, value
    if t is int:
        return INT, value
    if t is datetime.datetime:
        return (DATE, value.date()) if value.time() == datetime.time() else (DATETIME, value)
    if t is datetime.date:
        return DATE, value
    if value is None:
        return EMPTY, None
    return TEXT, str(value)   # booleans, times, durations


# --- Reading rows ------------------------------------------------------------------------------------------------

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
    import python_calamine
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
        _stop(result, "encrypted", N_("The workbook is protected with a password. Remove the password in Excel "
                                      "and upload it again."))
    except Exception as e:  # calamine's errors: damaged zip, XML, BIFF records
        _stop(result, "damaged", N_("The file could not be read ({detail}). Save it again from Excel and upload "
                                    "it again."), detail=type(e).__name__)
    if chosen is None:
        _stop(result, "no_data", N_("The workbook has no sheet with data."))
    result.sheet = chosen.name
    rows_iter = chosen.iter_rows
    return Sheet(chosen.name, lambda: iter(rows_iter()), col_offset=chosen.start[1] if chosen.start else 0,
                 merged=list(chosen.merged_cell_ranges or []), width=chosen.width, height=chosen.height)


# The sheet of the data template where the operator describes the columns (metadata_xlsx.MS_VAR_SHEET): read as
# text for ingest.py, at most this many rows and columns.
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
    decoder = __import__("codecs").getincrementaldecoder(encoding)()
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


# --- Formulas without saved values (.xlsx) ----------------------------------------------------------------------

_FORMULA_NO_VALUE = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f\b(?:[^>]*/>|[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>')


def _matching_cells(path: str, sheet: Optional[str], marker: bytes, pattern: "re.Pattern[bytes]",
                    skip: Callable[[int], bool], limit: int) -> list["re.Match[bytes]"]:
    """The cells of `sheet` matching `pattern` (at most `limit`, rows for which `skip` is true left out), read from
    the sheet's XML a megabyte at a time, split at cell ends; blocks without `marker` are not searched."""
    found: list[re.Match[bytes]] = []
    with zipfile.ZipFile(path) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return found
        tail = b""
        with archive.open(part) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                data = tail + block
                cut = data.rfind(b"</c>")
                if cut < 0:
                    tail = data[-(1 << 16):]
                    continue
                chunk, tail = data[:cut + 4], data[cut + 4:]
                if marker not in chunk:
                    continue
                for m in pattern.finditer(chunk):
                    if skip(int(m.group(2))):
                        continue
                    found.append(m)
                    if len(found) >= limit:
                        return found
    return found


def formulas_without_values(path: str, sheet: Optional[str], skip: Callable[[int], bool] = lambda row: False,
                            limit: int = MAX_ISSUES_PER_KIND) -> list[tuple[str, int]]:
    """(column letter, row) of formula cells that Excel never calculated (files written by scripts), for `sheet`."""
    return [(m.group(1).decode(), int(m.group(2)))
            for m in _matching_cells(path, sheet, b"<f", _FORMULA_NO_VALUE, skip, limit)]


# A cell holding a spreadsheet error (#DIV/0!, #N/A, #REF! …): t="e", with or without its formula.
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*\bt="e"[^>]*>\s*(?:<f\b(?:[^>]*/>|[^>]*>[^<]*</f>))?\s*<v>([^<]*)</v>')


def error_cells(path: str, sheet: Optional[str], skip: Callable[[int], bool] = lambda row: False,
                limit: int = MAX_ISSUES_PER_KIND) -> list[tuple[str, int, str]]:
    """(column letter, row, error) of the cells of `sheet` holding a spreadsheet error: calamine reads them as
    empty, so the report says so."""
    return [(m.group(1).decode(), int(m.group(2)), m.group(3).decode("utf-8", "replace"))
            for m in _matching_cells(path, sheet, b't="e"', _ERROR_CELL, skip, limit)]


def _sheet_part(archive: zipfile.ZipFile, sheet: Optional[str]) -> Optional[str]:
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"',
                                                           rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(
        r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    import html
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', m.group(1)))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if html.unescape(attrs.get("name", "")) == sheet and rid in targets:
            target = targets[rid].lstrip("/")
            return target if target.startswith("xl/") else "xl/" + target
    return None


# --- Header -----------------------------------------------------------------------------------------------------

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
    return _shown(value, 10_000).strip()


def _filled(row: list[Any]) -> int:
    return sum(1 for v in row if v is not None and v != "" and not (type(v) is str and not v.strip()))


def find_header(head: list[list[Any]]) -> Optional[int]:
    """Index in `head` of the header row: past title rows, the first row that is mostly text and as wide as the
    table (at least half as many filled cells as the widest row), with data below it."""
    if not head:
        return None
    widest = max(_filled(row) for row in head)
    for index, row in enumerate(head):
        filled = _filled(row)
        if filled == 0 or filled < max(1, widest / 2) or (widest > 1 and filled < 2):
            continue
        texts = sum(1 for v in row if _is_header_text(v) and _year(v) is None) + _year_headers(row)
        if texts and texts >= filled / 2:
            return index
    return None


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


# --- Parsing ------------------------------------------------------------------------------------------------------

def _stop(result: Result, code: str, msgid: str, **params: Any) -> None:
    result.issues.append(Issue("error", code, msgid, params))
    raise Stop()


def parse(path: str, extension: str, out_csv: Optional[str], limits: Limits = Limits()) -> Result:
    """Check, read, type and (when `out_csv` is given and there is no error) write the table. See the module doc."""
    result = Result()
    try:
        try:
            result.format = file_safety.check(path, extension, limits)
        except UnsafeFile as e:
            result.issues.append(Issue("error", e.code, e.msgid, e.params))
            raise Stop()
        sheet = open_sheet(path, result.format, result)
        _parse_sheet(path, sheet, result, out_csv, limits)
    except Stop:
        pass
    return result


def _parse_sheet(path: str, sheet: Sheet, result: Result, out_csv: Optional[str], limits: Limits) -> None:
    name = sheet.name
    if sheet.width > limits.max_columns:
        _stop(result, "too_many_columns", N_("The sheet has {count} columns; at most {limit} are accepted. Remove "
                                             "the empty or extra columns."), count=sheet.width, limit=limits.max_columns)
    if sheet.height > limits.max_rows + HEADER_SCAN_ROWS:
        _stop(result, "too_many_rows", N_("The sheet has {count} rows; at most {limit} are accepted. Split the "
                                          "table into smaller files."), count=sheet.height, limit=limits.max_rows)
    rows = sheet.rows()
    head: list[list[Any]] = []
    for row in rows:
        if len(row) > limits.max_columns and _filled(row[limits.max_columns:]):
            _stop(result, "too_many_columns", N_("The sheet has {count} columns; at most {limit} are accepted. "
                                                 "Remove the empty or extra columns."),
                  count=len(row), limit=limits.max_columns)
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    index = find_header(head)
    if index is None:
        _stop(result, "no_header", N_("No header row was found. Put the column names in one row above the data, "
                                      "with a name for every column."))
    labels, header_rows = build_headers(head, index, sheet)
    result.header_row = index + 1
    if index:
        result.issues.append(Issue("note", "title_rows", N_("Rows 1 to {last} are read as the title and left out; "
                                                            "the header is row {header}."),
                                   {"last": index, "header": index + 1}, sheet=name, row=index + 1))
    columns, keep = _columns(labels, result, sheet, index + 1)
    first_data = index + header_rows  # 0-based index of the first row after the header
    sheet = forward_filled(sheet, first_data)
    _check_cells_in_unnamed_columns(head[first_data:], keep, labels, result, sheet, first_data)
    stats = [ColumnStats() for _ in columns]
    skipped = _scan(sheet, first_data, keep, columns, stats, result, limits)
    if result.format == "xlsx":
        for letter, row in formulas_without_values(path, name, skip=lambda r: r <= first_data or r - 1 in skipped):
            result.issues.append(Issue("error", "formula_without_value", N_(
                "The formula has no saved value (the file was not calculated and saved in Excel). Open the file "
                "in Excel, press Ctrl+Alt+F9, save it and upload it again."), {}, sheet=name, row=row,
                column=letter))
        for letter, row, error in error_cells(path, name, skip=lambda r: r <= first_data or r - 1 in skipped):
            result.issues.append(Issue("warning", "error_value", N_(
                "The cell holds the spreadsheet error {value}; it is loaded as empty. Correct the formula and "
                "upload the file again if the value is needed."), {"value": error}, sheet=name, row=row,
                column=letter))
    if not result.ok:
        raise Stop()
    if not result.rows:
        _stop(result, "no_rows", N_("The table has a header but no data rows below it."))
    _decide_types(columns, stats, result, name)
    result.stats["skipped_rows"] = len(skipped)
    if out_csv:
        _write(sheet, first_data, keep, columns, out_csv, limits)


def _columns(labels: list[str], result: Result, sheet: Sheet, header_row: int) -> tuple[list[Column], list[int]]:
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
                "quotes or a leading underscore)."), {"label": _shown(label), "name": fid}, sheet=sheet.name,
                row=header_row, column=letter))
        seen[fid.lower()] += 1
        if seen[fid.lower()] > 1:
            new = field_id(f"{fid[:55]} ({seen[fid.lower()]})")
            result.issues.append(Issue("warning", "duplicate_header", N_(
                "The header \"{label}\" appears more than once; this column is stored as \"{name}\". Give every "
                "column a different name."), {"label": _shown(label), "name": new}, sheet=sheet.name,
                row=header_row, column=letter))
            fid = new
        columns.append(Column(id=fid, label=label, letter=letter))
        keep.append(col)
    if not columns:
        _stop(result, "no_header", N_("No header row was found. Put the column names in one row above the data, "
                                      "with a name for every column."))
    result.columns = columns
    return columns, keep


def _check_cells_in_unnamed_columns(rows, keep, labels, result, sheet, first_data) -> None:
    named = set(keep)
    for offset, row in enumerate(rows):
        for col, value in enumerate(row):
            if col not in named and value not in (None, "") and not (type(value) is str and not value.strip()) \
                    and not _is_footer(row):
                result.issues.append(Issue("error", "value_without_header", N_(
                    "Column {column} has values but no header. Write the column's name in the header row "
                    "(row {header}) or delete the column."), {"column": column_letter(col + sheet.col_offset),
                                                              "header": first_data},
                    sheet=sheet.name, row=first_data + offset + 1, column=column_letter(col + sheet.col_offset),
                    value=_shown(value)))
                named.add(col)


def _is_footer(row: list[Any]) -> Optional[str]:
    first = next((v for v in row if v is not None and v != "" and not (type(v) is str and not v.strip())), None)
    if type(first) is not str:
        return None
    if TOTAL_ROW.match(first):
        return "total"
    if FOOTNOTE_ROW.match(first) and _filled(row) <= 2:
        return "footnote"
    return None


_INT_LINES = re.compile(r"(?:[+-]?(?:0|[1-9]\d*))?(?:\n(?:[+-]?(?:0|[1-9]\d*))?)*")
_EN_DECIMAL_LINES = re.compile(r"(?:[+-]?(?:0|[1-9]\d*)(?:\.\d+)?)?(?:\n(?:[+-]?(?:0|[1-9]\d*)(?:\.\d+)?)?)*")
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$", re.MULTILINE)
_ISO_DATE_LINES = re.compile(r"(?:\d{4}-\d{2}-\d{2})?(?:\n(?:\d{4}-\d{2}-\d{2})?)*")


def _scan_text_block(values: tuple[str, ...], numbers: list[int], st: ColumnStats, max_chars: int) -> bool:
    """Pass 1 for a chunk of a text file's column that is all plain integers, English decimals or ISO dates,
    checked by one regular expression over the whole chunk. False: classify the values one by one."""
    block = "\n".join(values)
    if "\n" in "".join(values) or max(map(len, values)) > max_chars:
        return False
    filled = [v for v in values if v]
    empty = len(values) - len(filled)
    if not filled:
        return False
    if _INT_LINES.fullmatch(block):
        if any(len(v) > 1 and v.lstrip("+-")[:1] == "0" for v in filled) or max(map(len, filled)) > 18:
            return False
        ints = list(map(int, filled))
        st.counts[INT] += len(ints)
        st.min_int, st.max_int = min(st.min_int, min(ints)), max(st.max_int, max(ints))
        kind = INT
    elif _EN_DECIMAL_LINES.fullmatch(block):
        ambiguous = len(_AMBIGUOUS.findall(block))
        english = sum(1 for v in filled if "." in v) - ambiguous
        if not english or any(len(v) > 1 and v.lstrip("+-")[:1] == "0" and v.lstrip("+-")[1:2] != "."
                              for v in filled):
            return False
        st.counts[NUM] += len(filled)
        st.locales["en"] += english
        kind = NUM
    elif _ISO_DATE_LINES.fullmatch(block):
        try:
            list(map(datetime.date.fromisoformat, filled))
        except ValueError:
            return False
        st.counts[DATE] += len(filled)
        kind = DATE
    else:
        return False
    st.counts[EMPTY] += empty
    samples = st.samples[kind]
    if len(samples) < MAX_ISSUES_PER_KIND:
        samples.extend(itertools.islice(((numbers[i], v) for i, v in enumerate(values) if v),
                                        MAX_ISSUES_PER_KIND - len(samples)))
    return True


def _data_chunks(sheet: Sheet, first_data: int, keep: list[int], result: Result, skipped: set[int],
                 limits: Limits, size: int = 8192) -> Iterator[tuple[list[int], list[tuple[Any, ...]]]]:
    """The data rows in chunks: (1-based row numbers, the kept columns of those rows, column by column).

    Blank rows, total rows, footnotes and a column-number row under the header are left out (their 0-based
    indexes are added to `skipped`, and noted in the result the first time round)."""
    name = sheet.name
    need = max(keep) + 1
    ncols = len(keep)
    totals: list[int] = []
    footnotes: list[int] = []
    first = True
    numbers: list[int] = []
    chunk: list[list[Any]] = []
    count = 0
    for index, row in enumerate(itertools.islice(sheet.rows(), first_data, None), start=first_data):
        empties = row.count("") + row.count(None)
        if empties == len(row):
            skipped.add(index)
            continue
        head = row[0]
        if head == "" or head is None or (type(head) is str and FOOTER_START.match(head)):
            footer = _is_footer(row)
            if footer:
                skipped.add(index)
                (totals if footer == "total" else footnotes).append(index + 1)
                continue
        if first:
            first = False
            cells = [row[c] for c in keep if c < len(row) and row[c] not in (None, "")]
            found = [COLUMN_NUMBER.match(_shown(v).strip()) for v in cells]
            if len(found) == ncols > 1 and all(found) and [int(m.group(1)) for m in found] == list(
                    range(int(found[0].group(1)), int(found[0].group(1)) + ncols)):
                skipped.add(index)
                result.issues.append(Issue("note", "column_numbers", N_(
                    "Row {row} numbers the columns ((1), (2), ...) and is left out."), {"row": index + 1},
                    sheet=name, row=index + 1))
                continue
        count += 1
        if count > limits.max_rows:
            _stop(result, "too_many_rows", N_("The sheet has more than {limit} data rows. Split the table into "
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


def _scan(sheet: Sheet, first_data: int, keep: list[int], columns: list[Column], stats: list[ColumnStats],
          result: Result, limits: Limits) -> set[int]:
    """Pass 1: classify every cell of every column; returns the 0-based indexes of the rows left out."""
    skipped: set[int] = set()
    for numbers, cols in _data_chunks(sheet, first_data, keep, result, skipped, limits):
        for column, st, values in zip(columns, stats, cols):
            _scan_values(values, numbers, column, st, result, sheet.name, limits.max_cell_chars)
            if sum(1 for i in result.issues if i.code == "cell_too_long") >= MAX_ISSUES_PER_KIND:
                raise Stop()
    return skipped


def _scan_values(values: tuple[Any, ...], numbers: list[int], column: Column, st: ColumnStats, result: Result,
                 sheet: Optional[str], max_chars: int) -> None:
    """Classify one column of one chunk; floats (most numbers of a workbook) in bulk, other values one by one."""
    types = set(map(type, values))
    counts = st.counts
    rest = range(len(values))
    if types == {str} and _scan_text_block(values, numbers, st, max_chars):
        return
    if float in types:
        floats = [v for v in values if type(v) is float]
        whole = sum(map(float.is_integer, floats))
        counts[INT] += whole
        counts[NUM] += len(floats) - whole
        ints = floats if whole == len(floats) else [v for v in floats if v.is_integer()]
        if ints:
            st.min_int = min(st.min_int, int(min(ints)))
            st.max_int = max(st.max_int, int(max(ints)))
        for kind in (INT, NUM):
            samples = st.samples[kind]
            if len(samples) < MAX_ISSUES_PER_KIND:
                want = MAX_ISSUES_PER_KIND - len(samples)
                samples.extend(itertools.islice(
                    ((numbers[i], _shown(v)) for i, v in enumerate(values)
                     if type(v) is float and v.is_integer() == (kind == INT)), want))
        rest = [i for i, v in enumerate(values) if type(v) is not float]
    if str in types:
        longest = max(len(v) for v in values if type(v) is str)
        if longest > max_chars:
            for i, v in enumerate(values):
                if type(v) is str and len(v) > max_chars:
                    result.issues.append(Issue("error", "cell_too_long", N_(
                        "The cell holds {length} characters; at most {limit} are accepted."),
                        {"length": len(v), "limit": max_chars}, sheet=sheet, row=numbers[i], column=column.letter,
                        value=_shown(v)))
            return
    for dtype in (datetime.date, datetime.datetime):
        if dtype in types and len(types) == 1:
            # a column of Excel dates: count them in bulk; a time of day makes it a timestamp column
            timed = 0 if dtype is datetime.date else sum(1 for v in values if v.time() != MIDNIGHT)
            counts[DATETIME] += timed
            counts[DATE] += len(values) - timed
            for kind in (DATE, DATETIME):
                if len(st.samples[kind]) < MAX_ISSUES_PER_KIND and counts[kind]:
                    st.samples[kind].extend(itertools.islice(
                        ((numbers[i], _shown(v)) for i, v in enumerate(values)
                         if (dtype is datetime.datetime and v.time() != MIDNIGHT) == (kind == DATETIME)),
                        MAX_ISSUES_PER_KIND - len(st.samples[kind])))
            return
    text_samples = st.samples[TEXT]
    for i in rest:
        value = values[i]
        if value == "" or value is None:
            counts[EMPTY] += 1
            continue
        if type(value) is str and value[0].isalpha() and not value[-1].isdigit():
            counts[TEXT] += 1
            if len(text_samples) < MAX_ISSUES_PER_KIND:
                text_samples.append((numbers[i], _shown(value)))
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
            st.samples[kind].append((numbers[i], _shown(value)))


def _decide_types(columns: list[Column], stats: list[ColumnStats], result: Result, sheet: Optional[str]) -> None:
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


def _write(sheet: Sheet, first_data: int, keep: list[int], columns: list[Column], out_csv: str,
           limits: Limits) -> None:
    """Pass 2: the typed values as CSV for COPY (NULL is the unquoted empty string), column by column."""
    converters = [_converter(column.type, column.locale) for column in columns]
    quiet = Result()
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        writerows = csv.writer(f, lineterminator="\n").writerows
        for _numbers, cols in _data_chunks(sheet, first_data, keep, quiet, set(), limits):
            writerows(zip(*[convert(values) for convert, values in zip(converters, cols)]))


def _empty(value: Any) -> bool:
    return value is None or (type(value) is str and value.strip() in EMPTY_MARKERS)


def _converter(kind: str, locale: str = "id") -> Callable[[tuple[Any, ...]], list[Any]]:
    """A function from one column's values (of one chunk) to the values written for COPY. Text that PostgreSQL
    reads as it is (plain integers, English decimals, ISO dates) is passed through."""
    if kind == "integer":
        def one(value: Any) -> Any:
            if type(value) is str and value.isdigit() and (value[0] != "0" or len(value) == 1):
                return value
            return None if _empty(value) else (int(value) if type(value) is not str else parse_number(value, locale))
        return lambda values: [int(v) if type(v) is float else one(v) for v in values]
    if kind == "numeric":
        def one(value: Any) -> Any:
            if type(value) is str and locale == "en" and NUM_EN_DECIMAL.match(value):
                return value
            if _empty(value):
                return None
            return parse_number(value, locale) if type(value) is str else value
        return lambda values: [v if type(v) is float else one(v) for v in values]
    if kind in ("date", "timestamp"):
        def one(value: Any) -> Any:
            if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
                return value
            if _empty(value):
                return None
            if type(value) is str:
                value = parse_date(value)
            return value.isoformat(sep=" ") if type(value) is datetime.datetime else value.isoformat()
        return lambda values: [one(v) for v in values]

    def text(value: Any) -> Any:
        if type(value) is float:
            whole = _as_int(value)
            return whole if whole is not None else repr(value)
        if value is None or (type(value) is str and value.strip() in EMPTY_MARKERS):
            return None
        if type(value) in (datetime.date, datetime.datetime):
            return value.isoformat()
        return value if type(value) is str else str(value)
    return lambda values: [v if type(v) is str and v and v[0] not in EMPTY_FIRST and v[-1] != " " else text(v)
                           for v in values]


EMPTY_FIRST = frozenset(m[0] for m in EMPTY_MARKERS if m) | {" "}


# --- Child process entry point ------------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    """`python -m ckanext.satudata_blitar.tables.spreadsheet PATH EXTENSION OUT_CSV LIMITS_JSON`: the Result as JSON."""
    path, extension, out_csv, limits_json = argv
    limits = Limits(**json.loads(limits_json))
    result = parse(path, extension, out_csv or None, limits)
    import resource
    result.stats["parser_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    json.dump(result.as_dict(), sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
