"""Metadata with every field filled, and ways to spoil a metadata .xlsx, for the tests of the metadata .xlsx."""
from __future__ import annotations

import io
import zipfile
from typing import Any, Callable

from openpyxl import load_workbook

# Every field of schemas/dataset.yaml except name and owner_org, with valid values that exercise the conversions:
# choices, years, dates, tags, a text beginning with "=", digits kept as text, line breaks.
FULL_METADATA: dict[str, Any] = {
    "title": "Jumlah Penduduk menurut Kecamatan",
    "notes": "Jumlah penduduk **akhir tahun** menurut kecamatan.\n\nSumber: Dispendukcapil.",
    "urusan": "administrasi-kependudukan",
    "tags": [{"name": "kependudukan"}, {"name": "penduduk"}],
    "license_id": "cc-by",
    "konsep": "Penduduk adalah semua orang yang berdomisili di wilayah Kota Blitar.",
    "definisi": "Banyaknya penduduk yang tercatat pada akhir tahun.",
    "satuan": "jiwa",
    "ukuran": "jumlah",
    "metode_perhitungan": "= penduduk laki-laki + penduduk perempuan",
    "interpretasi": "Makin besar nilainya, makin banyak penduduk.",
    "klasifikasi": "Menurut kecamatan dan jenis kelamin",
    "tahun_data_awal": 2020,
    "tahun_data_akhir": 2024,
    "frekuensi": "tahunan",
    "level_penyajian": "kecamatan",
    "jadwal_pemutakhiran": "2026-03-31",
    "cara_pengumpulan": "kompilasi-produk-administrasi",
    "sumber_data": "Dinas Kependudukan dan Pencatatan Sipil Kota Blitar",
    "sifat_data": "terbuka",
    "data_prioritas": "ya",
    "data_prioritas_tahun": 2024,
    "kode_referensi": "1.02.01",
    "ms_keg_id": "012345",
    "ms_ind_id": "IND-7",
    "kontak_nama": "Seksi Statistik Diskominfotik",
    "kontak_email": "statistik@blitarkota.go.id",
    "kontak_telepon": "(0342) 801234",
    "tanggal_rilis": "2025-02-01",
}


def set_value(content: bytes, label: str, value: Any) -> bytes:
    """The workbook with the value of the row labelled `label` replaced."""

    def change(sheet):
        for row in sheet.iter_rows(min_col=1, max_col=2):
            if row[0].value == label:
                row[1].value = value
                return
        raise AssertionError(f"no row {label!r}")

    return edit(content, change)


def edit(content: bytes, change: Callable[[Any], Any], workbook_level: bool = False) -> bytes:
    """The workbook after `change(sheet)` (or `change(workbook)`), saved again by openpyxl."""
    workbook = load_workbook(io.BytesIO(content))
    change(workbook if workbook_level else workbook.active)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(content: bytes, extra: dict[str, bytes] | None = None,
          replace: Callable[[str, bytes], bytes] = lambda name, data: data) -> bytes:
    """The workbook's zip rewritten: each part through `replace`, plus the `extra` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace(info.filename, source.read(info)))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def macro_enabled(content: bytes) -> bytes:
    """What Excel saves as .xlsm: the macro-enabled content type and a VBA project."""
    def replace(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
        return data
    return rezip(content, replace=replace)


def with_vba_project(content: bytes) -> bytes:
    return rezip(content, extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"macro" * 100})


def zip_bomb(content: bytes, megabytes: int = 20) -> bytes:
    """A part of zeros that compresses about a thousand times."""
    return rezip(content, extra={"xl/media/zeros.bin": bytes(megabytes * 1024 * 1024)})


def with_doctype(content: bytes) -> bytes:
    """An entity declaration in the sheet (the start of a billion laughs)."""
    def replace(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>' + data
        return data
    return rezip(content, replace=replace)
