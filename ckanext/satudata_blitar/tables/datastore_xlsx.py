"""A DataStore table as .xlsx: rows read page by page through `datastore_search` (so its auth and the workflow's
visibility rules apply) into an openpyxl write-only workbook, which keeps memory flat whatever the table's size.

Cells are typed from the DataStore's field types (numbers, dates, timestamps); text stays text even when Excel
would take it for a formula (workbooks.write_only_cell). Dates show as 17 Agustus 2024 in the file's language; numbers
keep the General format (the OPD's own decimals; the reader's region gives the separators).
"""
from __future__ import annotations

import datetime
import decimal
import tempfile
from typing import IO, Any, Callable, Iterator, Optional

from openpyxl import Workbook
from openpyxl.styles import Font

from ckanext.satudata_blitar.language import formats
from ckanext.satudata_blitar.files import workbooks

PAGE_SIZE = 10000
SHEET_TITLE = "Data"
# Files larger than this are spooled to disk while being written.
SPOOL_BYTES = 8 * 1024 * 1024

Search = Callable[[dict[str, Any]], dict[str, Any]]


def _typed(value: Any, field_type: str) -> Any:
    if value is None:
        return None
    if field_type in ("date", "timestamp") and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.date() if field_type == "date" else moment
    if isinstance(value, (bool, int, float, decimal.Decimal)):
        return value
    return str(value)


def pages(search: Search, resource_id: str, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """datastore_search results in `_id` order, page by page, until a short page."""
    offset = 0
    while True:
        result = search({"resource_id": resource_id, "limit": page_size, "offset": offset, "sort": "_id",
                         "records_format": "lists", "include_total": False})
        yield result
        if len(result["records"]) < page_size:
            return
        offset += page_size


def _cell(sheet: Any, value: Any, date_formats: dict[type, str]) -> Any:
    cell = workbooks.write_only_cell(sheet, value)
    if type(value) in date_formats:
        cell.number_format = date_formats[type(value)]
    return cell


def write(search: Search, resource_id: str, out: Optional[IO[bytes]] = None, page_size: int = PAGE_SIZE,
          lang: str = "id") -> IO[bytes]:
    """The table as .xlsx written to `out` (a spooled temporary file when None), rewound to its start."""
    lang = workbooks.language(lang)
    # A timestamp column has no time zone: the time is shown as written, without one.
    date_formats = {datetime.date: formats.xlsx_number_format("date", lang),
                    datetime.datetime: formats.xlsx_number_format("timestamp", lang)}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    columns: Optional[list[tuple[int, str]]] = None
    for page in pages(search, resource_id, page_size):
        if columns is None:
            fields = page["fields"]
            columns = [(i, f["type"]) for i, f in enumerate(fields) if f["id"] != "_id"]
            header = []
            for i, _type in columns:
                cell = workbooks.write_only_cell(sheet, fields[i]["id"])
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
        for record in page["records"]:
            sheet.append([_cell(sheet, _typed(record[i], field_type), date_formats) for i, field_type in columns])
    out = out or tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    workbook.save(out)
    out.seek(0)
    return out


def filename(resource: dict[str, Any]) -> str:
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in (resource.get("name") or resource["id"]))
    name = name.strip("-")[:80] or resource["id"]
    return name[:-5] + ".xlsx" if name.lower().endswith("-xlsx") else name + ".xlsx"
