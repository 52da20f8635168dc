"""A DataStore table with years as column headers (Kecamatan, Kelurahan, 2019, …, 2024), unpivoted to long form:
the label columns, then `tahun` and `nilai`, one row per label row and year — what statistics tools and charts read.

Rows are read page by page through `datastore_search` (its auth and the workflow's visibility apply, as for
data.xlsx) and written through files/workbooks.py, the portal's one safe writer (formula-like text stays text).
"""
from __future__ import annotations

import tempfile
from typing import IO, Any, Iterator

from openpyxl import Workbook
from openpyxl.styles import Font

from ckanext.satudata_blitar.files import workbooks
from ckanext.satudata_blitar.tables import datastore_xlsx

YEAR, VALUE = "tahun", "nilai"


def _year(field_id: str) -> int | None:
    return int(field_id) if field_id.isdigit() and len(field_id) == 4 and 1900 <= int(field_id) <= 2100 else None


def year_columns(fields: list[dict[str, Any]]) -> list[str]:
    """The columns named by a year, when there are two or more of them (the upload check names them so)."""
    years = [f["id"] for f in fields if _year(f["id"]) is not None]
    return years if len(years) >= 2 else []


def rows(search: datastore_xlsx.Search, resource_id: str) -> Iterator[list[Any]]:
    """The header, then one row per label row and year column (empty values are kept: a missing figure is data)."""
    columns = None
    for page in datastore_xlsx.pages(search, resource_id):
        if columns is None:
            fields = page["fields"]
            years = set(year_columns(fields))
            labels = [(i, f["id"]) for i, f in enumerate(fields) if f["id"] != "_id" and f["id"] not in years]
            columns = [(i, int(f["id"])) for i, f in enumerate(fields) if f["id"] in years]
            yield [name for _i, name in labels] + [YEAR, VALUE]
        for record in page["records"]:
            label_values = [record[i] for i, _name in labels]
            for i, year in columns:
                yield label_values + [year, record[i]]


def csv(search: datastore_xlsx.Search, resource_id: str) -> bytes:
    return workbooks.csv_bytes(rows(search, resource_id))


def xlsx(search: datastore_xlsx.Search, resource_id: str) -> IO[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(datastore_xlsx.SHEET_TITLE)
    for n, row in enumerate(rows(search, resource_id)):
        cells = [workbooks.write_only_cell(sheet, value) for value in row]
        if n == 0:
            for cell in cells:
                cell.font = Font(bold=True)
        sheet.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=datastore_xlsx.SPOOL_BYTES)
    workbook.save(out)
    out.seek(0)
    return out


def filename(resource: dict[str, Any], extension: str) -> str:
    return datastore_xlsx.filename(resource)[:-len(".xlsx")] + f"-long.{extension}"
