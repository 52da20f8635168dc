"""A dataset's data template: an .xlsx an OPD fills in and uploads as the dataset's table.

Pure functions over the scheming dataset schema and a dataset dict; no request, no model:

- sheet "Data": the tidy header the upload check reads best (table_parser.py, header_finding.py): the region
  (Kota/Kecamatan/Kelurahan from `level_penyajian`), Tahun, and one column per measure, named from `ukuran` and
  `satuan`, with the satuan and definisi in the header's cell comment. For a city- or district-level dataset with
  its years filled in, one row per region × year is written ready for the values.
- sheet "Petunjuk": how to fill it in, one rule per row (Indonesian: the OPDs' working language).
- the dataset's metadata sheet, written by metadata_xlsx.write_sheet().
- sheet "MS-Var": one row per column of the Data sheet, for the operator to describe each variable beside the data
  (the measure's pre-filled from the dataset's definisi, konsep, ukuran and satuan); the loader reads it into the
  table's Data Dictionary (datastore_copy.py).
"""
from __future__ import annotations

from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from ckanext.satudata_blitar.files import workbooks
from ckanext.satudata_blitar.metadata import metadata_xlsx, ms_var

DATA_SHEET = "Data"
GUIDE_SHEET = "Petunjuk"
YEAR_HEADER = "Tahun"
DEFAULT_MEASURE = "Nilai"
# The column of the region, by the dataset's level_penyajian.
REGION_HEADERS = {"kota": "Wilayah", "kecamatan": "Kecamatan", "kelurahan": "Kelurahan"}
REGION_DEFAULT = "Wilayah"
# Regions written into the template, by level (the 21 kelurahan are left for the OPD to write).
REGIONS = {
    "kota": ("Kota Blitar",),
    "kecamatan": ("Kepanjenkidul", "Sananwetan", "Sukorejo"),
}
MAX_PREFILLED_YEARS = 50
COMMENT_AUTHOR = "Satu Data Kota Blitar"


def region_header(pkg_dict: dict[str, Any]) -> str:
    return REGION_HEADERS.get(pkg_dict.get("level_penyajian") or "", REGION_DEFAULT)


def measure_header(pkg_dict: dict[str, Any]) -> str:
    """"Jumlah (jiwa)": the dataset's ukuran (else "Nilai") and its satuan."""
    measure = (pkg_dict.get("ukuran") or "").strip() or DEFAULT_MEASURE
    measure = measure[0].upper() + measure[1:]
    satuan = (pkg_dict.get("satuan") or "").strip()
    return f"{measure} ({satuan})" if satuan else measure


def _years(pkg_dict: dict[str, Any]) -> list[int]:
    try:
        first, last = int(pkg_dict["tahun_data_awal"]), int(pkg_dict["tahun_data_akhir"])
    except (KeyError, TypeError, ValueError):
        return []
    if first > last or last - first >= MAX_PREFILLED_YEARS:
        return []
    return list(range(first, last + 1))


def rules(pkg_dict: dict[str, Any]) -> list[str]:
    """How to fill the sheet in, one rule per row."""
    region = region_header(pkg_dict).lower()
    satuan = (pkg_dict.get("satuan") or "").strip()
    out = [
        f"Isi tabel pada sheet \"{DATA_SHEET}\". Jangan mengubah, menghapus atau memindahkan judul kolom di baris "
        "pertama.",
        f"Satu baris untuk satu {region} dan satu tahun: tiap kombinasi {region} × tahun ditulis sekali, di "
        "baris tersendiri.",
        "Tulis angka tanpa pemisah ribuan (12345 atau 12345,67) atau dengan format Indonesia: titik sebagai "
        "pemisah ribuan dan koma sebagai desimal (12.345,67). Jangan menulis satuan di dalam sel angka.",
        "Tulis \"-\" bila datanya tidak ada. Jangan menulis 0 untuk data yang tidak ada.",
        "Jangan menggabungkan sel (merge cells), baik di judul kolom maupun di isi tabel.",
        "Jangan menambahkan baris jumlah atau total; portal menjumlahkan sendiri.",
        "Jangan menambahkan judul, catatan atau sumber di atas atau di bawah tabel: keterangan itu ada di sheet "
        f"\"{metadata_xlsx.SHEET_TITLE['id']}\".",
        "Tahun ditulis sebagai angka empat digit, mis. 2024.",
        "Bila ada ukuran lain (mis. laki-laki dan perempuan), tambahkan satu kolom per ukuran di sebelah kanan, "
        "dengan satuan di judul kolom.",
        f"Jelaskan tiap kolom pada sheet \"{metadata_xlsx.MS_VAR_SHEET}\" (satu baris per kolom): definisi wajib "
        "diisi untuk setiap kolom, satuan untuk setiap kolom angka. Kolom \"Kolom\" harus sama dengan judul kolom "
        f"pada sheet \"{DATA_SHEET}\".",
        "Simpan berkas sebagai .xlsx (tanpa makro dan tanpa kata sandi) lalu unggah sebagai sumber data pada "
        "dataset ini.",
    ]
    if satuan:
        out.insert(3, f"Satuan kolom \"{measure_header(pkg_dict)}\": {satuan} (lihat juga komentar pada judul "
                      "kolom).")
    return out


def _write_data_sheet(sheet: Any, pkg_dict: dict[str, Any]) -> None:
    sheet.title = DATA_SHEET
    headers = [region_header(pkg_dict), YEAR_HEADER, measure_header(pkg_dict)]
    for column, header in enumerate(headers, start=1):
        workbooks.write_cell(sheet.cell(row=1, column=column), header).font = Font(bold=True)
    satuan = (pkg_dict.get("satuan") or "").strip()
    note = [f"Satuan: {satuan}" if satuan else "Satuan: -"]
    if pkg_dict.get("definisi"):
        note.append(f"Definisi: {pkg_dict['definisi']}")
    sheet.cell(row=1, column=3).comment = Comment("\n".join(note), COMMENT_AUTHOR, width=300, height=120)
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = max(16, len(headers[2]) + 4)

    row = 2
    for region in REGIONS.get(pkg_dict.get("level_penyajian") or "", ()):
        for year in _years(pkg_dict):
            workbooks.write_cell(sheet.cell(row=row, column=1), region)
            sheet.cell(row=row, column=2, value=year).number_format = "0"
            row += 1


def _write_guide_sheet(sheet: Any, pkg_dict: dict[str, Any]) -> None:
    sheet.title = GUIDE_SHEET
    sheet.cell(row=1, column=1, value="No").font = Font(bold=True)
    sheet.cell(row=1, column=2, value="Cara mengisi").font = Font(bold=True)
    sheet.column_dimensions["B"].width = 100
    for number, rule in enumerate(rules(pkg_dict), start=1):
        sheet.cell(row=number + 1, column=1, value=number)
        workbooks.write_cell(sheet.cell(row=number + 1, column=2), rule).alignment = workbooks.WRAP


def variables(pkg_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The Data sheet's columns as DataStore-like fields with the MS-Var the dataset already tells (the measure's
    definisi, konsep, ukuran and satuan; the year's unit), for the MS-Var sheet."""
    region, measure = region_header(pkg_dict), measure_header(pkg_dict)
    measure_info = {**ms_var.prefill(measure, None), "tipe_data": ""}
    for key in ("definisi", "konsep", "ukuran", "satuan"):
        if (pkg_dict.get(key) or "").strip():
            measure_info[key] = pkg_dict[key].strip()
    return [
        {"id": region, "info": {**ms_var.prefill(region, "text"), "tipe_data": "teks"}},
        {"id": YEAR_HEADER, "info": ms_var.prefill(YEAR_HEADER, "int4")},
        {"id": measure, "info": measure_info},
    ]


def build_workbook(schema: dict[str, Any], pkg_dict: dict[str, Any], lang: str = "id",
                   licenses: Sequence[tuple[str, str]] = ()) -> bytes:
    """The data template of `pkg_dict` (a package_show result) as .xlsx bytes; `lang` is the metadata sheet's."""
    workbook = Workbook()
    _write_data_sheet(workbook.active, pkg_dict)
    _write_guide_sheet(workbook.create_sheet(), pkg_dict)
    metadata_xlsx.write_sheet(workbook.create_sheet(), schema, pkg_dict, lang, licenses)
    metadata_xlsx.write_ms_var_sheet(workbook.create_sheet(), [{"id": "", "name": "", "fields": variables(pkg_dict)}],
                                     "id")
    workbook.properties.title = pkg_dict.get("title") or DATA_SHEET
    return workbooks.workbook_bytes(workbook)


def filename(pkg_dict: dict[str, Any]) -> str:
    return f"template-{pkg_dict['name']}.xlsx"
