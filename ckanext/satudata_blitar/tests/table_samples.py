"""Small tables as the OPDs send them (messy and hostile), generated in the tests: bytes plus a file name."""
from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl

DATA = Path(__file__).parent / "data"


def xlsx(rows, merges=(), title="Data", write_only=False, formulas_as_text=False) -> bytes:
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet(title) if write_only else book.active
    if not write_only:
        sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    if formulas_as_text:  # text that starts with "=", as a cell formatted as Text in Excel holds it
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """openpyxl writes formulas without a saved value; put one in (as Excel does) for the given cells."""
    return rewrite(data, "xl/worksheets/sheet1.xml", lambda xml: _cache(xml, values))


def _cache(xml: bytes, values: dict[str, str]) -> bytes:
    import re
    for ref, value in values.items():
        xml = re.sub(rb'(<c r="%s"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?' % ref.encode(),
                     lambda m: m.group(1) + b"<v>" + value.encode() + b"</v>", xml)
    return xml


def rewrite(data: bytes, part: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item.filename, change(content) if item.filename == part else content)
    return out.getvalue()


def add_part(data: bytes, name: str, content: bytes, compress=zipfile.ZIP_DEFLATED) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        dst.writestr(zipfile.ZipInfo(name), content, compress_type=compress)
    return out.getvalue()


def csv_bytes(text: str, encoding="utf-8") -> bytes:
    return text.encode(encoding)


def ods(rows) -> bytes:
    """A minimal OpenDocument spreadsheet: strings, floats and dates."""
    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        if isinstance(value, datetime.date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                    f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
        from xml.sax.saxutils import escape
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'
    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Data">'
               f"{body}</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- The messy table, in every format ----------------------------------------------------------------------------

TITLE = "Jumlah Penduduk Menurut Kecamatan, Kota Blitar 2024"
MESSY_ROWS = [
    [TITLE, None, None, None, None],
    [None, None, None, None, None],
    ["Kecamatan", "Jenis Kelamin", None, "Tahun", "Tanggal Pendataan"],
    [None, "Laki-laki", "Perempuan", None, None],
    ["Sananwetan", 35210, "36.004", 2024, datetime.date(2024, 8, 17)],
    ["Sukorejo", 30876, "31.552", 2024, datetime.date(2024, 8, 18)],
    ["Kepanjenkidul", 23990, "-", 2024, "19 Agustus 2024"],
    ["Jumlah", 90076, 67556, None, None],
    [None, None, None, None, None],
    ["Sumber: Dispendukcapil Kota Blitar", None, None, None, None],
]
MESSY_MERGES = ("A1:E1", "B3:C3")
MESSY_COLUMNS = [("Kecamatan", "text"), ("Jenis Kelamin - Laki-laki", "int4"),
                 ("Jenis Kelamin - Perempuan", "int4"), ("Tahun", "int4"), ("Tanggal Pendataan", "date")]
MESSY_RECORDS = [
    {"Kecamatan": "Sananwetan", "Jenis Kelamin - Laki-laki": 35210, "Jenis Kelamin - Perempuan": 36004,
     "Tahun": 2024, "Tanggal Pendataan": "2024-08-17"},
    {"Kecamatan": "Sukorejo", "Jenis Kelamin - Laki-laki": 30876, "Jenis Kelamin - Perempuan": 31552,
     "Tahun": 2024, "Tanggal Pendataan": "2024-08-18"},
    {"Kecamatan": "Kepanjenkidul", "Jenis Kelamin - Laki-laki": 23990, "Jenis Kelamin - Perempuan": None,
     "Tahun": 2024, "Tanggal Pendataan": "2024-08-19"},
]


# What the DataStore gets: the uploaded columns plus `kode_wilayah`, the Kepmendagri code of each row's kecamatan
# (tables/wilayah_columns.py adds it to a table with region names and no codes).
MESSY_LOADED_COLUMNS = MESSY_COLUMNS + [("kode_wilayah", "text")]
MESSY_LOADED_RECORDS = [dict(record, kode_wilayah=code)
                        for record, code in zip(MESSY_RECORDS, ["35.72.03", "35.72.02", "35.72.01"])]


def _csv_text(delimiter: str) -> str:
    lines = [TITLE, "",
             delimiter.join(["Kecamatan", "Jenis Kelamin - Laki-laki", "Jenis Kelamin - Perempuan", "Tahun",
                             "Tanggal Pendataan"])]
    for name, men, women, year, date in [("Sananwetan", "35.210", "36.004", "2024", "17/08/2024"),
                                          ("Sukorejo", "30.876", "31.552", "2024", "18 Agustus 2024"),
                                          ("Kepanjenkidul", "23.990", "-", "2024", "19 Agustus 2024")]:
        lines.append(delimiter.join([name, men, women, year, date]))
    lines += [delimiter.join(["Jumlah", "90.076", "67.556", "", ""]), "Sumber: Dispendukcapil Kota Blitar"]
    return "\r\n".join(lines) + "\r\n"


def messy(fmt: str) -> tuple[str, bytes]:
    if fmt == "xlsx":
        return "penduduk.xlsx", xlsx(MESSY_ROWS, MESSY_MERGES)
    if fmt == "xlsx-no-dimension":
        return "penduduk.xlsx", xlsx([r for r in MESSY_ROWS], write_only=True)
    if fmt == "xls":
        return "penduduk.xls", (DATA / "penduduk.xls").read_bytes()
    if fmt == "ods":
        return "penduduk.ods", ods(MESSY_ROWS)
    if fmt == "csv-utf8":
        return "penduduk.csv", csv_bytes(_csv_text(","))
    if fmt == "csv-bom-semicolon":
        return "penduduk.csv", b"\xef\xbb\xbf" + csv_bytes(_csv_text(";"))
    if fmt == "csv-cp1252":
        return "penduduk.csv", csv_bytes(_csv_text(";").replace("Sukorejo", "Sukorejo \u2013 Kota"), "cp1252")
    raise ValueError(fmt)
