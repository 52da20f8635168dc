"""files/workbooks.py, the one layer every workbook and CSV the portal writes goes through: formula-like text stays
text."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from openpyxl import Workbook

from ckanext.satudata_blitar.files import workbooks

FORMULA_LIKE = ["=HYPERLINK(\"http://x\",\"klik\")", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "=1+1"]


def _saved(workbook: Workbook) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(workbooks.workbook_bytes(workbook)))


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_a_written_cell_is_text_never_a_formula(value):
    workbook = Workbook()
    workbooks.write_cell(workbook.active["A1"], value)
    workbooks.append_row(workbook.active, [value, 5])
    sheet = _saved(workbook).active
    assert [(cell.value, cell.data_type) for cell in (sheet["A1"], sheet["A2"])] == [(value, "s"), (value, "s")]
    assert (sheet["B2"].value, sheet["B2"].data_type) == (5, "n")


def test_write_only_cells_are_text_too():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append([workbooks.write_only_cell(sheet, value) for value in FORMULA_LIKE])
    cells = list(_saved(workbook)["Data"].iter_rows())[0]
    assert [(cell.value, cell.data_type) for cell in cells] == [(value, "s") for value in FORMULA_LIKE]


def test_control_characters_are_dropped_not_refused():
    workbook = Workbook()
    workbooks.write_cell(workbook.active["A1"], "Sukorejo\x07")
    assert _saved(workbook).active["A1"].value == "Sukorejo"


def test_csv_cells_get_a_leading_apostrophe_and_numbers_stay():
    content = workbooks.csv_bytes([["Nama", "Nilai"], *[[value, -5] for value in FORMULA_LIKE], ["-1.234,5", None]])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1:] == [["'" + value, "-5"] for value in FORMULA_LIKE] + [["-1.234,5", ""]]
