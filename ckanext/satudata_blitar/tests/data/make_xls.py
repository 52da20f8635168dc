"""Writes the legacy .xls fixtures beside this file (run by hand: needs xlwt 1.3.0, which the suite does not).

    .venv/bin/pip install xlwt==1.3.0 && .venv/bin/python ckanext/satudata_blitar/tests/data/make_xls.py
"""
import datetime
from pathlib import Path

import xlwt

HERE = Path(__file__).parent


def penduduk() -> None:
    """Title row, a two-row header under a merged cell, Indonesian numbers as text, dates, a total and a source."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Penduduk")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    sheet.write_merge(0, 0, 0, 4, "Jumlah Penduduk Menurut Kecamatan, Kota Blitar 2024")
    sheet.write(2, 0, "Kecamatan")
    sheet.write_merge(2, 2, 1, 2, "Jenis Kelamin")
    sheet.write(2, 3, "Tahun")
    sheet.write(2, 4, "Tanggal Pendataan")
    sheet.write(3, 1, "Laki-laki")
    sheet.write(3, 2, "Perempuan")
    rows = [("Sananwetan", 35210, "36.004", 2024, datetime.date(2024, 8, 17)),
            ("Sukorejo", 30876, "31.552", 2024, datetime.date(2024, 8, 18)),
            ("Kepanjenkidul", 23990, "-", 2024, "19 Agustus 2024")]
    for offset, row in enumerate(rows):
        for col, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(4 + offset, col, value, date_style)
            else:
                sheet.write(4 + offset, col, value)
    sheet.write(7, 0, "Jumlah")
    sheet.write(7, 1, xlwt.Formula("SUM(B5:B7)"))
    sheet.write(9, 0, "Sumber: Dispendukcapil Kota Blitar")
    book.save(str(HERE / "penduduk.xls"))


if __name__ == "__main__":
    penduduk()
