"""The one place that reads and writes spreadsheets and CSV files for people.

Every file the portal produces (reports, the daftar elemen data, metadata, data templates, DataStore downloads)
and every small workbook people upload (metadata, daftar elemen data) goes through here:

- **limits** (`upload_limits`) and the **zip check** before openpyxl sees an upload (`check_workbook`, built on
  safety.py's checks), and one reading skeleton (`read_first_sheet`);
- **safe cells**, one rule for every file: text that a spreadsheet program would run as a formula
  (`safety.is_formula_like`) stays text: in .xlsx a string cell, never a formula cell (`write_cell`,
  `append_row`, `write_only_cell`); in CSV the text with a leading apostrophe (`csv_value`, `csv_bytes`);
- one **header style** and the workbook's bytes.

Messages are English msgids, translated in the user's language through toolkit._.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, TypeVar

import ckan.plugins.toolkit as tk
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.language import LANGUAGES, formats
from ckanext.satudata_blitar.files import safety

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
JSON_MIMETYPE = "application/json"
# The key of errors about an uploaded file as a whole (the actions' parameter).
FILE_KEY = "upload"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
WRAP = Alignment(wrap_text=True, vertical="top")

T = TypeVar("T")


def language(lang: Any) -> str:
    """A file's language: `lang` when we write files in it, else Indonesian."""
    return lang if lang in LANGUAGES else "id"


# --- uploads ---------------------------------------------------------------------------------------------------

def upload_limits() -> safety.Limits:
    """What an uploaded metadata or daftar elemen data workbook may weigh (config_declaration.yaml)."""
    return safety.Limits(
        max_bytes=config.metadata_xlsx_max_upload_bytes(),
        max_uncompressed_bytes=config.metadata_xlsx_max_uncompressed_bytes(),
        max_compression_ratio=config.metadata_xlsx_max_compression_ratio(),
    )


def read_upload(upload: Any, max_bytes: int, what: str) -> bytes:
    """The bytes of an upload (werkzeug FileStorage, cgi.FieldStorage or bytes), at most one byte more than allowed
    (check_workbook refuses that one). `what` tells the user what to upload when it is not a file."""
    if isinstance(upload, bytes):
        return upload[:max_bytes + 1]
    stream = getattr(upload, "stream", None) or getattr(upload, "file", None)
    if stream is None or isinstance(upload, str):
        raise tk.ValidationError({FILE_KEY: [what]})
    return stream.read(max_bytes + 1)


def _megabytes(size: int) -> str:
    """A size in MB as the user's language writes it: 0,1 (not 0.1)."""
    return formats.satudata_number(size / 1024 / 1024)


def _refused(message: str) -> tk.ValidationError:
    return tk.ValidationError({FILE_KEY: [message]})


def _not_xlsx() -> str:
    return tk._("The file is not an .xlsx workbook; download the template and fill it in")


def check_workbook(data: bytes, limits: safety.Limits) -> None:
    """Refuses, from the zip directory alone, anything openpyxl should not be given: not an .xlsx, too large,
    too large once uncompressed, compressed suspiciously well (zip bombs), macros, XML with a DOCTYPE.
    Raises ValidationError under `upload`."""
    if not data:
        raise _refused(tk._("The file is empty"))
    if len(data) > limits.max_bytes:
        raise _refused(tk._("The file is larger than {size} MB").format(size=_megabytes(limits.max_bytes)))
    if not data.startswith(safety.ZIP_MAGIC):
        raise _refused(_not_xlsx())
    try:
        actual = safety.check_zip(io.BytesIO(data), limits)
    except safety.UnsafeFile as problem:
        messages = {
            "xlsb": lambda: tk._("Binary workbooks (.xlsb) are not accepted; save the file as .xlsx"),
            "zip_too_large": lambda: tk._("The workbook is larger than {size} MB once uncompressed").format(
                size=_megabytes(limits.max_uncompressed_bytes)),
            "zip_bomb": lambda: tk._("The workbook is compressed more than {ratio} times; it is refused as a "
                                     "possible zip bomb").format(
                                         ratio=formats.satudata_number(limits.max_compression_ratio)),
            "macros": lambda: tk._("Workbooks with macros are not accepted; save the file as .xlsx without macros"),
        }
        raise _refused(messages.get(problem.code, _not_xlsx)())
    if actual != "xlsx":
        raise _refused(_not_xlsx())


def read_first_sheet(data: bytes, limits: safety.Limits, read: Callable[[Any, Any], T],
                     data_only: bool = True) -> T:
    """`read(workbook, sheet)` of an uploaded workbook's first sheet, after check_workbook. A damaged file, or a
    parser error inside `read`, is refused as "not an .xlsx"; `read` raises ValidationError for what it finds."""
    check_workbook(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception:  # openpyxl raises whatever its parsers raise on a damaged file
        raise _refused(_not_xlsx())
    try:
        sheet = workbook[workbook.sheetnames[0]]
        if not hasattr(sheet, "iter_rows"):  # a chart sheet
            raise _refused(tk._("The workbook's sheet holds no cells"))
        return read(workbook, sheet)
    except tk.ValidationError:
        raise
    except Exception:
        raise _refused(_not_xlsx())
    finally:
        workbook.close()


# --- safe cells ------------------------------------------------------------------------------------------------

def clean(value: Any) -> Any:
    """Text without the control characters the .xlsx format cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def write_cell(cell: Any, value: Any) -> Any:
    """Puts a value in a cell as data: text stays text, even when it begins with `=`."""
    cell.value = clean(value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """sheet.append, with every value written as by write_cell."""
    sheet.append([clean(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def write_only_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    """A cell for a write-only workbook, written as by write_cell."""
    return write_cell(WriteOnlyCell(sheet), value)


def style_header(cells: Iterable[Any]) -> None:
    for cell in cells:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_value(value: Any) -> Any:
    """A value for a CSV cell that Excel or LibreOffice will open: formula-like text gets a leading '."""
    return safety.neutralise(value)


# A CSV file's field separator by its language: what a spreadsheet opens without asking where the computer's region
# writes numbers that way. In Indonesia (decimal comma) Excel's list separator is `;`; English regions use `,`.
CSV_DELIMITERS = {"id": ";", "en": ","}


def csv_delimiter(lang: Any) -> str:
    return CSV_DELIMITERS[language(lang)]


def csv_bytes(rows: Iterable[Iterable[Any]], delimiter: str = ",") -> bytes:
    """Rows as CSV, UTF-8 with a BOM (so that Excel reads Indonesian text right), every cell through csv_value."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else csv_value(value) for value in row])
    return out.getvalue().encode("utf-8-sig")
