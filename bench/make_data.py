"""Write the benchmark's 200,000 x 10 workbook and CSV (run by bench/ingest.py; can be run alone).

Columns mix the types an OPD table has: text, integer, Indonesian-formatted numbers, decimals, dates, years.
The .xlsx is written by openpyxl in write-only mode, which leaves out the <dimension> tag (like many generated
files); a second copy gets the tag patched in, so both stock xloader paths can be measured. The legacy .xls (by
xlwt) holds at most 65,536 rows per sheet and both loaders read one sheet only: it has the first XLS_MAX_ROWS rows.
"""
from __future__ import annotations

import csv
import datetime
import random
import re
import sys
import zipfile
from pathlib import Path

import openpyxl

HEADER = ["kecamatan", "kelurahan", "tahun", "jumlah_penduduk", "laki_laki", "perempuan",
          "luas_km2", "kepadatan", "tanggal_update", "keterangan"]
KECAMATAN = ["Sananwetan", "Sukorejo", "Kepanjenkidul"]
# A .xls sheet has 65,536 rows; ours reads the first sheet with data and stock xloader one sheet, so the .xls case
# is measured at 65,000 rows (under the limit, the header included) whatever --rows says.
XLS_MAX_ROWS = 65_000


def rows(n: int, seed: int = 7):
    rnd = random.Random(seed)
    start = datetime.date(2020, 1, 1)
    for i in range(n):
        laki = rnd.randint(100, 9000)
        perempuan = rnd.randint(100, 9000)
        luas = round(rnd.uniform(0.5, 12.0), 2)
        yield [KECAMATAN[i % 3], f"Kelurahan {i % 21 + 1}", 2015 + i % 10, laki + perempuan, laki, perempuan,
               luas, round((laki + perempuan) / luas, 3), start + datetime.timedelta(days=i % 1500),
               f"catatan baris {i}"]


def write_xlsx(path: Path, n: int) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(HEADER)
    for row in rows(n):
        ws.append(row)
    wb.save(path)


def add_dimension(src: Path, dst: Path, n: int) -> None:
    """Copy src with a <dimension ref="A1:J{n+1}"/> tag in the sheet, as Excel itself writes it."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"(<worksheet[^>]*>)", rb'\1<dimension ref="A1:J%d"/>' % (n + 1), data, count=1)
            zout.writestr(item, data)


def write_xls(path: Path, n: int) -> None:
    """The same rows as a legacy .xls (BIFF8, by xlwt): numbers as numbers, dates as dates (DD/MM/YYYY)."""
    import xlwt  # the bench extra (setup.cfg); only the .xls case needs it
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Data")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for col, name in enumerate(HEADER):
        sheet.write(0, col, name)
    for r, row in enumerate(rows(n), start=1):
        for col, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(r, col, value, date_style)
            else:
                sheet.write(r, col, value)
    book.save(str(path))


def write_csv(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for row in rows(n):
            w.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])


def make(directory: Path, n: int, kinds: tuple[str, ...] = ("xlsx_nodim", "xlsx_dim", "xls", "csv")
         ) -> dict[str, Path]:
    """The files of these kinds (each written once, kept for later runs), by kind."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"xlsx_nodim": directory / f"bench_{n}_nodim.xlsx", "xlsx_dim": directory / f"bench_{n}_dim.xlsx",
             "xls": directory / f"bench_{min(n, XLS_MAX_ROWS)}.xls", "csv": directory / f"bench_{n}.csv"}
    writers = {"xlsx_nodim": lambda path: write_xlsx(path, n),
               "xls": lambda path: write_xls(path, min(n, XLS_MAX_ROWS)),
               "xlsx_dim": lambda path: add_dimension(paths["xlsx_nodim"], path, n),
               "csv": lambda path: write_csv(path, n)}
    if "xlsx_dim" in kinds and not paths["xlsx_nodim"].exists():
        write_xlsx(paths["xlsx_nodim"], n)
    for kind in kinds:
        if not paths[kind].exists():
            writers[kind](paths[kind])
    return {kind: paths[kind] for kind in kinds}


if __name__ == "__main__":
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    print(make(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/satudata-bench"), n))
