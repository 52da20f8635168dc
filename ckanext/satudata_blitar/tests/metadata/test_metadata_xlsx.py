"""The metadata workbook itself: layout, values, reading back, and the checks that run before openpyxl parses."""
import datetime
import io
import zipfile

import pytest
from openpyxl import load_workbook

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar.files import safety, workbooks
from ckanext.satudata_blitar.metadata import metadata_groups, metadata_xlsx
from ckanext.satudata_blitar.tests import xlsx_samples

LICENSES = [("cc-by", "Creative Commons Attribution"), ("odc-odbl", "Open Data Commons Open Database License")]


@pytest.fixture
def schema():
    return scheming_get_dataset_schema("dataset")


@pytest.fixture
def pkg():
    """A package_show result with every field filled."""
    return {**xlsx_samples.FULL_METADATA, "name": "jumlah-penduduk", "owner_org": "0d5e7e1c-org-id",
            "organization": {"name": "dinas-kesehatan", "title": "Dinas Kesehatan"}}


def _sheet(content):
    return load_workbook(io.BytesIO(content)).active


def _rows(sheet):
    """(label, value) of the rows of columns A and B."""
    return [(row[0].value, row[1].value) for row in sheet.iter_rows(min_row=2, max_col=2)]


def _expected_values(pkg):
    """What reading the export of `pkg` gives: values as the dataset schema takes them."""
    values = {key: value for key, value in pkg.items() if key not in ("tags", "organization")}
    values.update(
        tag_string="kependudukan, penduduk", owner_org="dinas-kesehatan",
        **{year: str(pkg[year]) for year in ("tahun_data_awal", "tahun_data_akhir", "data_prioritas_tahun")})
    return values


def test_layout_follows_the_schema_sections_and_labels(schema):
    sheet = _sheet(metadata_xlsx.build_workbook(schema))

    assert sheet.parent.sheetnames == ["Metadata", "MS-Var"]
    assert [cell.value for cell in sheet[1][:3]] == ["Elemen Metadata", "Isian", "Keterangan"]
    assert all(cell.font.bold for cell in sheet[1][:3])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 30 and sheet.column_dimensions["B"].width >= 50

    expected = []
    for group, fields in metadata_groups.grouped_fields(schema["dataset_fields"]):
        expected.append((metadata_groups.group_title(group)["id"], None))
        expected.extend((field["label"]["id"], None) for field in fields)
    assert _rows(sheet) == expected
    # Section rows and required fields are bold; the sections are in the order of the BPS form.
    sections = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1) if row[0].fill == metadata_xlsx.SECTION_FILL]
    assert [cell.value for cell in sections] == [
        "Informasi Umum", "Konsep dan Definisi", "Cakupan dan Periode", "Sumber dan Pengumpulan Data",
        "Kontak dan Rilis"]
    assert all(cell.font.bold for cell in sections)
    labels = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2, max_col=1)}
    assert labels["Definisi"].font.bold and not labels["Konsep"].font.bold


def test_export_shows_choice_labels_and_typed_cells(schema, pkg):
    sheet = _sheet(metadata_xlsx.build_workbook(schema, pkg, licenses=LICENSES))
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2, max_col=2)}

    assert cells["Urusan Pemerintahan"].value == "Administrasi Kependudukan dan Pencatatan Sipil"
    assert cells["Frekuensi Penerbitan"].value == "Tahunan"
    assert cells["Level Penyajian"].value == "Kecamatan"
    assert cells["Data Prioritas"].value == "Ya"
    assert cells["OPD Produsen Data"].value == "dinas-kesehatan"
    assert cells["Tag"].value == "kependudukan, penduduk"
    assert cells["Lisensi"].value == "cc-by"
    assert cells["Tahun Data Awal"].value == 2020
    assert cells["Tanggal Rilis"].value == datetime.datetime(2025, 2, 1)
    assert cells["Tanggal Rilis"].number_format == "[$-421]d mmmm yyyy"  # shows 1 Februari 2025
    # Digits stay text, and a text beginning with "=" is text, never a formula.
    assert cells["Kegiatan Statistik (MS-Keg)"].value == "012345"
    assert cells["Metode Perhitungan / Rumus"].value == "= penduduk laki-laki + penduduk perempuan"
    assert cells["Metode Perhitungan / Rumus"].data_type == "s"


def test_template_is_empty_with_a_drop_down_and_a_hint_per_choice_field(schema):
    sheet = _sheet(metadata_xlsx.build_workbook(schema, licenses=LICENSES))
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2, max_col=3)}

    assert all(value is None for _label, value in _rows(sheet))
    validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    choice_fields = [field for field in schema["dataset_fields"] if field.get("choices")]
    assert choice_fields
    for field in choice_fields:
        label_cell, value_cell, hint_cell = rows[field["label"]["id"]]
        labels = [choice["label"]["id"] for choice in field["choices"]]
        validation = validations[value_cell.coordinate]
        assert validation.type == "list"
        column, first, last = validation.formula1.replace("$", " ").split()[0], 2, len(labels) + 1
        assert [sheet[f"{column}{row}"].value for row in range(first, last + 1)] == labels
        assert sheet.column_dimensions[column].hidden
        assert all(label in hint_cell.value for label in labels)
    licence = rows["Lisensi"][1]
    assert validations[licence.coordinate].type == "list"
    assert "Wajib diisi" in rows["Judul"][2].value


def test_export_reads_back_to_the_same_values(schema, pkg):
    content = metadata_xlsx.build_workbook(schema, pkg, licenses=LICENSES)

    values = metadata_xlsx.read_workbook(content, schema, licenses=LICENSES)

    assert values == _expected_values(pkg)
    assert {field["field_name"] for field in schema["dataset_fields"]} == set(values)


def test_english_workbook_reads_back_to_the_same_values(schema, pkg):
    content = metadata_xlsx.build_workbook(schema, pkg, lang="en", licenses=LICENSES)
    cells = dict(_rows(_sheet(content)))
    assert cells["Release frequency"] == "Yearly"
    assert "General information" in cells

    assert metadata_xlsx.read_workbook(content, schema, licenses=LICENSES) == _expected_values(pkg)


@pytest.mark.parametrize("label, value, field, expected", [
    ("Release frequency", "Quarterly", "frekuensi", "triwulanan"),
    ("frekuensi", "semesteran", "frekuensi", "semesteran"),
    ("  frekuensi penerbitan : ", "  tahunan ", "frekuensi", "tahunan"),
    ("Data classification", "Restricted", "sifat_data", "terbatas"),
    ("Lisensi", "Open Data Commons Open Database License", "license_id", "odc-odbl"),
    ("kontak_email", "a@b.id", "kontak_email", "a@b.id"),
    ("Tahun Data Awal", 2021.0, "tahun_data_awal", "2021"),
    ("Tahun Data Awal", "2021", "tahun_data_awal", "2021"),
    ("Jadwal Pemutakhiran Berikutnya", "2026-01-01", "jadwal_pemutakhiran", "2026-01-01"),
    ("Telepon Kontak", 81234567890, "kontak_telepon", "81234567890"),
    # What the file cannot map passes unchanged: the dataset schema's validators judge it.
    ("Frekuensi Penerbitan", "Sewindu", "frekuensi", "Sewindu"),
    ("Tahun Data Awal", "dua ribu", "tahun_data_awal", "dua ribu"),
])
def test_labels_and_choices_are_read_in_either_language_or_as_field_names(schema, label, value, field, expected):
    template_label = next(f["label"]["id"] for f in schema["dataset_fields"] if f["field_name"] == field)

    def relabel(sheet):
        row = next(row for row in sheet.iter_rows(min_col=1, max_col=2) if row[0].value == template_label)
        row[0].value, row[1].value = label, value

    content = xlsx_samples.edit(metadata_xlsx.build_workbook(schema, licenses=LICENSES), relabel)

    values = metadata_xlsx.read_workbook(content, schema, licenses=LICENSES)

    assert values[field] == expected


def test_empty_cells_read_as_none_and_absent_rows_are_left_out(schema):
    content = xlsx_samples.edit(metadata_xlsx.build_workbook(schema), lambda sheet: sheet.delete_rows(3))

    values = metadata_xlsx.read_workbook(content, schema)

    assert "title" not in values
    assert values["notes"] is None


def test_package_dict_replaces_tags():
    assert metadata_xlsx.package_dict({"tag_string": "a, b", "title": "T"}) == {
        "tag_string": "a, b", "tags": [], "title": "T"}
    assert metadata_xlsx.package_dict({"title": "T"}) == {"title": "T"}


def _workbook(schema):
    return metadata_xlsx.build_workbook(schema, {**xlsx_samples.FULL_METADATA, "name": "x"})


def _zip(parts):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


class OpenpyxlWasGivenTheFile(BaseException):
    """Not an Exception, so that nothing on the way catches it."""


SMALL = safety.Limits(max_bytes=100_000, max_uncompressed_bytes=500_000, max_compression_ratio=100)
# The declared defaults of the metadata upload (config_declaration.yaml).
DECLARED = safety.Limits(max_bytes=5 * 1024 * 1024, max_uncompressed_bytes=50 * 1024 * 1024,
                              max_compression_ratio=100)


UNSAFE_FILES = [
    (lambda content: b"", SMALL, "empty"),
    (lambda content: b"kecamatan,jumlah\nSukorejo,7\n", SMALL, "not an .xlsx"),
    (lambda content: bytes(range(256)) * 20, SMALL, "not an .xlsx"),
    (lambda content: b"PK\x03\x04" + bytes(500), SMALL, "not an .xlsx"),
    (lambda content: content[: len(content) // 2], SMALL, "not an .xlsx"),
    (lambda content: _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}), SMALL,
     "not an .xlsx"),
    (lambda content: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x00"}), SMALL, ".xlsb"),
    (lambda content: content + bytes(200_000), SMALL, "larger than 0,1 MB"),  # the number in the portal's language
    (lambda content: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>",
                           "xl/media/noise.bin": bytes(range(256)) * 3000}), SMALL, "once uncompressed"),
    (xlsx_samples.zip_bomb, DECLARED, "zip bomb"),
    (lambda content: xlsx_samples.zip_bomb(content, megabytes=60), DECLARED, "once uncompressed"),
    (xlsx_samples.with_vba_project, SMALL, "macros"),
    (xlsx_samples.macro_enabled, SMALL, "macros"),
    (xlsx_samples.with_doctype, SMALL, "not an .xlsx"),
]
UNSAFE_IDS = ["empty", "csv", "random bytes", "zip signature only", "truncated zip", "docx-like zip", "xlsb",
              "too many bytes", "too large uncompressed", "compression ratio", "zip bomb too large", "vba project",
              "xlsm content type", "doctype"]


@pytest.mark.parametrize("spoil, limits, message", UNSAFE_FILES, ids=UNSAFE_IDS)
def test_unsafe_or_foreign_files_are_refused_before_parsing(schema, monkeypatch, spoil, limits, message):
    def no_parsing(*args, **kwargs):
        raise OpenpyxlWasGivenTheFile()

    content = spoil(_workbook(schema))
    monkeypatch.setattr(workbooks, "load_workbook", no_parsing)

    with pytest.raises(tk.ValidationError) as error:
        metadata_xlsx.read_workbook(content, schema, limits)

    assert list(error.value.error_dict) == ["upload"]
    assert message in error.value.error_dict["upload"][0]


def test_small_highly_compressed_parts_are_not_taken_for_a_zip_bomb(schema):
    # Excel saves a few KB of zeros as printer settings: compressed hundreds of times, harmless.
    content = xlsx_samples.rezip(_workbook(schema), extra={"xl/printerSettings/printerSettings1.bin": bytes(8192)})

    assert metadata_xlsx.read_workbook(content, schema)["title"] == xlsx_samples.FULL_METADATA["title"]


@pytest.mark.parametrize("spoil, key, message", [
    (lambda content: xlsx_samples.edit(content, lambda workbook: workbook.create_sheet("Sheet2"),
                                       workbook_level=True), "upload", '"Sheet2"'),
    (lambda content: xlsx_samples.edit(content, lambda sheet: sheet.append(["Warna Favorit", "biru"])),
     "upload", '"Warna Favorit"'),
    (lambda content: xlsx_samples.edit(content, lambda sheet: sheet.append(["Judul", "Judul lain"])),
     "title", "already been given"),
    (lambda content: xlsx_samples.set_value(content, "Tahun Data Awal", "=2019+1"), "tahun_data_awal",
     "formulas"),
    (lambda content: xlsx_samples.edit(content, lambda sheet: sheet.append(["Informasi Umum", "isi"])),
     "upload", '"Informasi Umum"'),
], ids=["extra sheet", "unknown label", "field twice", "formula", "section row with a value"])
def test_sheet_problems_name_the_row_or_field(schema, spoil, key, message):
    with pytest.raises(tk.ValidationError) as error:
        metadata_xlsx.read_workbook(spoil(_workbook(schema)), schema)

    assert list(error.value.error_dict) == [key]
    assert message in error.value.error_dict[key][0]


def test_a_sheet_with_too_many_rows_is_refused(schema):
    content = xlsx_samples.edit(_workbook(schema), lambda sheet: [
        sheet.append([f"Baris {number}", "x"]) for number in range(metadata_xlsx.MAX_ROWS)])

    with pytest.raises(tk.ValidationError) as error:
        metadata_xlsx.read_workbook(content, schema)

    assert "more than" in error.value.error_dict["upload"][0]


def test_error_labels_and_messages_for_the_form(schema):
    assert metadata_xlsx.field_label(schema, "frekuensi", "id") == "Frekuensi Penerbitan"
    assert metadata_xlsx.field_label(schema, "frekuensi", "en") == "Release frequency"
    assert metadata_xlsx.field_label(schema, "tags", "id") == "Tag"
    assert metadata_xlsx.error_messages({"tags": [{}, {"name": ["too long"]}], "title": ["Missing value"]}) == {
        "tags": ["too long"], "title": ["Missing value"]}
