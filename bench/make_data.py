"""Write the benchmark's 200,000 x 10 workbook and CSV (run by bench/ingest.py; can be run alone).

Columns mix the types an OPD table has: text, integer, Indonesian-formatted numbers, decimals, dates, years.
The .xlsx is written by openpyxl in write-only mode, which leaves out the <dimension> tag (like many generated
files); a second copy gets the tag patched in, so both stock xloader paths can be measured.
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


def write_csv(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for row in rows(n):
            w.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in row])


def make(directory: Path, n: int) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"xlsx_nodim": directory / f"bench_{n}_nodim.xlsx", "xlsx_dim": directory / f"bench_{n}_dim.xlsx",
             "csv": directory / f"bench_{n}.csv"}
    if not paths["xlsx_nodim"].exists():
        write_xlsx(paths["xlsx_nodim"], n)
    if not paths["xlsx_dim"].exists():
        add_dimension(paths["xlsx_nodim"], paths["xlsx_dim"], n)
    if not paths["csv"].exists():
        write_csv(paths["csv"], n)
    return paths


if __name__ == "__main__":
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    print(make(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/satudata-bench"), n))
