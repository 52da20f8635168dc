"""The table parser (table_parser.py and the modules it uses) and files/safety.py on small generated files: values, header detection, types, safety checks."""
from __future__ import annotations

import datetime

import pytest

from ckanext.satudata_blitar.files import safety
from ckanext.satudata_blitar.tables import cell_values, header_finding, table_parser
from ckanext.satudata_blitar.tests import table_samples as samples


@pytest.mark.parametrize("text, expected", [
    ("1234", 1234), ("1.234", 1234), ("1.234.567", 1234567), ("12.345,67", 12345.67), ("5,5", 5.5),
    ("5,5 %", 5.5), ("10 %", 10), ("-5", -5), ("-1.234,5", -1234.5), ("0", 0), ("0,75", 0.75),
    ("1,234.5", 1234.5), ("12.5", 12.5), ("3.14159", 3.14159),
    ("0812", None), ("007", None), ("+62 342 801234", None), ("12 345", None), ("abc", None), ("1.2.3", None),
    ("", None), ("2019-2020", None),
])
def test_indonesian_numbers(text, expected):
    assert cell_values.parse_number(text) == expected


@pytest.mark.parametrize("text, locale, expected", [("1.234", "en", 1.234), ("1,234", "en", 1234),
                                                    ("1,234", "id", 1.234), ("1.234", "id", 1234)])
def test_ambiguous_numbers_follow_the_column_locale(text, locale, expected):
    assert cell_values.parse_number(text, locale) == expected


@pytest.mark.parametrize("text, expected", [
    ("17 Agustus 2024", datetime.date(2024, 8, 17)), ("1 Jan 2023", datetime.date(2023, 1, 1)),
    ("5 Agt 2024", datetime.date(2024, 8, 5)), ("31 Desember 2024", datetime.date(2024, 12, 31)),
    ("17/08/2024", datetime.date(2024, 8, 17)), ("17-08-2024", datetime.date(2024, 8, 17)),
    ("2024-08-17", datetime.date(2024, 8, 17)), ("2024-08-17 10:30", datetime.datetime(2024, 8, 17, 10, 30)),
    ("31 Februari 2024", None), ("17 Agustusan 2024", None), ("Agustus 2024", None), ("2024", None),
])
def test_dates_as_excel_and_indonesian_text(text, expected):
    assert cell_values.parse_date(text) == expected


@pytest.mark.parametrize("value, kind", [
    (2024.0, cell_values.INT), (5.5, cell_values.NUM), ("-", cell_values.EMPTY), ("", cell_values.EMPTY),
    (None, cell_values.EMPTY), ("1.234", cell_values.INT), ("Sananwetan", cell_values.TEXT),
    ("=SUM(A1:A2)", cell_values.TEXT), ("+62 342 801234", cell_values.TEXT), ("@x", cell_values.TEXT),
    (datetime.date(2024, 8, 17), cell_values.DATE), (datetime.datetime(2024, 8, 17), cell_values.DATE),
    (datetime.datetime(2024, 8, 17, 9), cell_values.DATETIME), ("17 Agustus 2024", cell_values.DATE),
    (True, cell_values.TEXT),
])
def test_classify(value, kind):
    assert cell_values.classify(value)[0] == kind


def _parse(tmp_path, name, data, **limits):
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out.csv"
    result = table_parser.parse(str(path), name.rsplit(".", 1)[1], str(out), safety.Limits(**limits))
    return result, (out.read_text() if out.exists() else None)


@pytest.mark.parametrize("fmt", ["xlsx", "xlsx-no-dimension", "xls", "ods", "csv-utf8", "csv-bom-semicolon",
                                 "csv-cp1252"])
def test_messy_table_header_totals_and_footnotes(tmp_path, fmt):
    name, data = samples.messy(fmt)
    result, out = _parse(tmp_path, name, data)

    assert result.ok, result.issues
    assert result.header_row == 3
    assert [(c.id, c.pg_type) for c in result.columns] == samples.MESSY_COLUMNS
    assert result.rows == 3
    assert out.splitlines()[0].startswith("Sananwetan,35210,36004,2024,2024-08-17")
    assert {"title_rows", "total_rows", "footnotes"} <= {i.code for i in result.issues}


def test_data_starting_away_from_a1_keeps_its_letters_and_rows(tmp_path):
    rows = [[None] * 4, [None] * 4, [None, None, "kecamatan", "jumlah"], [None, None, "Sukorejo", "x"],
            [None, None, "Sananwetan", 5]] + [[None, None, "Sananwetan", i] for i in range(10)]
    result, _ = _parse(tmp_path, "geser.xlsx", samples.xlsx(rows))
    odd = [(i.row, i.column, i.value) for i in result.issues if i.code == "mixed_column"]
    assert odd == [(4, "D", "x")]
    assert [c.letter for c in result.columns] == ["C", "D"]


def test_column_number_row_and_duplicate_headers(tmp_path):
    rows = [["Kecamatan", "Jumlah", "Jumlah"], ["(1)", "(2)", "(3)"], ["Sukorejo", 1, 2]]
    result, out = _parse(tmp_path, "dup.xlsx", samples.xlsx(rows))
    assert [c.id for c in result.columns] == ["Kecamatan", "Jumlah", "Jumlah (2)"]
    assert {"column_numbers", "duplicate_header"} <= {i.code for i in result.issues}
    assert out == "Sukorejo,1,2\n"


def test_value_without_header_is_an_error(tmp_path):
    result, out = _parse(tmp_path, "tanpa.xlsx", samples.xlsx([["a", "b", None], [1, 2, 3], [4, 5, None]]))
    assert [(i.code, i.row, i.column) for i in result.issues if i.severity == "error"] == [
        ("value_without_header", 2, "C")]
    assert out is None


def test_no_header_at_all(tmp_path):
    result, _ = _parse(tmp_path, "angka.xlsx", samples.xlsx([[1, 2], [3, 4]]))
    assert [i.code for i in result.issues] == ["no_header"]


@pytest.mark.parametrize("header, stored", [("_id", "id"), ('Nama "Lengkap"', "Nama 'Lengkap'"),
                                            ("=SUM(A1)", "SUM(A1)"), ("Jumlah\npenduduk", "Jumlah penduduk"),
                                            ("x" * 80, "x" * 63)])
def test_headers_become_valid_datastore_field_ids(header, stored):
    assert header_finding.field_id(header) == stored


@pytest.mark.parametrize("value, exported", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("@SUM(1)", "'@SUM(1)"), ("+cmd|x", "'+cmd|x"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"), ("\tx", "'\tx"), ("-2+3", "'-2+3"), ("-2/3", "'-2/3"),
    ("+1-1", "'+1-1"),
    ("+62 342 801234", "+62 342 801234"), ("-5", "-5"), ("-1.234,5", "-1.234,5"), ("2019-2020", "2019-2020"),
    ("Sukorejo", "Sukorejo"), (5, 5),
])
def test_formula_like_cells_are_neutralised_for_export(value, exported):
    assert safety.neutralise(value) == exported


@pytest.mark.parametrize("name, data, code", [
    ("x.xlsx", b"", "empty"),
    ("x.xlsx", b"PK\x03\x04garbage", "damaged"),
    ("x.xlsx", b"%PDF-1.4 not a table", "not_a_spreadsheet"),
    ("x.xls", b"<html><table></table></html>", "html_as_table"),
    ("x.pdf", b"a,b\n1,2\n", "unsupported_format"),
    ("x.xlsx", b"a,b\n1,2\n", "wrong_extension"),
    ("x.csv", b"\x00\x01\x02binary", "binary"),
    ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "encrypted"),
    ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le")
     + "_VBA_PROJECT_CUR".encode("utf-16-le"), "macros"),
    ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "not_a_spreadsheet"),
])
def test_file_safety_refuses_before_parsing(tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(safety.UnsafeFile) as refused:
        safety.check(str(path), name.rsplit(".", 1)[1])
    assert refused.value.code == code


def _ole2_with_directory_at(sector: int, names: list[str]) -> bytes:
    """An OLE2 file of 512-byte sectors whose header puts its one directory sector (these entry names) at
    `sector`, with the FAT sector that ends its chain: the layout xlwt writes, the directory after the streams."""
    fat_sector = sector + 1
    header = bytearray(512)
    header[:8] = safety.OLE2_MAGIC
    header[0x1E:0x20] = (9).to_bytes(2, "little")                # 512-byte sectors
    header[0x2C:0x30] = (1).to_bytes(4, "little")                # one FAT sector
    header[0x30:0x34] = sector.to_bytes(4, "little")             # the first directory sector
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")       # no DIFAT sectors
    header[0x4C:0x200] = b"\xff" * (0x200 - 0x4C)
    header[0x4C + 4 * (sector // 128):0x50 + 4 * (sector // 128)] = fat_sector.to_bytes(4, "little")
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\0") for name in ["Root Entry", *names])
    fat = bytearray(b"\xff" * 512)
    fat[4 * (sector % 128):4 * (sector % 128) + 4] = (0xFFFFFFFE).to_bytes(4, "little")  # end of chain
    return bytes(header) + bytes(512 * sector) + directory.ljust(512, b"\0") + bytes(fat)


@pytest.mark.parametrize("names, code", [
    (["Workbook"], None), (["Book"], None), (["Workbook", "_VBA_PROJECT_CUR"], "macros"),
    (["WordDocument"], "not_a_spreadsheet"), (["EncryptedPackage"], "encrypted")])
def test_a_large_xls_is_judged_by_its_directory_past_the_first_4_mb(tmp_path, names, code):
    """A .xls of 65,000 rows is about 10 MB; xlwt (and others) write the directory after the streams."""
    path = tmp_path / "besar.xls"
    path.write_bytes(_ole2_with_directory_at(9_000, names))  # at 4.6 MB
    assert path.stat().st_size > 4 * 1024 * 1024
    if code is None:
        assert safety.check(str(path), "xls") == "xls"
    else:
        with pytest.raises(safety.UnsafeFile) as refused:
            safety.check(str(path), "xls")
        assert refused.value.code == code


def test_file_safety_limits_are_the_configured_ones(tmp_path):
    data = samples.xlsx([["a"], [1]])
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    assert safety.check(str(path), "xlsx") == "xlsx"
    with pytest.raises(safety.UnsafeFile) as refused:
        safety.check(str(path), "xlsx", safety.Limits(max_bytes=len(data) - 1))
    assert refused.value.code == "too_large"
    with pytest.raises(safety.UnsafeFile) as refused:
        safety.check(str(path), "xlsx", safety.Limits(max_uncompressed_bytes=100))
    assert refused.value.code == "zip_too_large"


@pytest.mark.parametrize("limits, rows, code", [
    ({"max_rows": 5}, [["a"]] + [[i] for i in range(6)], "too_many_rows"),
    ({"max_columns": 3}, [["a", "b", "c", "d"], [1, 2, 3, 4]], "too_many_columns"),
    ({"max_cell_chars": 10}, [["a"], ["x" * 11]], "cell_too_long"),
])
def test_row_column_and_cell_limits(tmp_path, limits, rows, code):
    result, out = _parse(tmp_path, "batas.xlsx", samples.xlsx(rows), **limits)
    assert [i.code for i in result.issues if i.severity == "error"][:1] == [code]
    assert out is None


def test_formula_without_saved_value_is_an_error_with_its_cell(tmp_path):
    rows = [["a", "b"], [1, "=A2*2"], [2, "=A3*2"]]
    result, _ = _parse(tmp_path, "rumus.xlsx", samples.xlsx(rows))
    assert [(i.code, i.row, i.column) for i in result.issues if i.severity == "error"] == [
        ("formula_without_value", 2, "B"), ("formula_without_value", 3, "B")]
    cached, out = _parse(tmp_path, "rumus2.xlsx", samples.with_cached_values(samples.xlsx(rows),
                                                                              {"B2": "2", "B3": "4"}))
    assert cached.ok and out == "1,2\n2,4\n"


def test_parser_child_is_bounded_in_memory():
    from ckanext.satudata_blitar.tables import parse_child
    import os
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as f:
        f.write(samples.xlsx([["a", "b"], [1, 2]]))
    try:
        result = parse_child.parse_in_child(f.name, "xlsx", None, safety.Limits(parser_memory_mb=20))
        assert result["issues"][0]["code"] == "parser_memory"
        result = parse_child.parse_in_child(f.name, "xlsx", None, safety.Limits())
        assert result["rows"] == 1 and not result["issues"]
    finally:
        os.remove(f.name)


def test_a_spreadsheet_error_is_loaded_empty_with_a_warning_on_its_cell(tmp_path):
    rows = [["a", "b"], [1, "#DIV/0!"], [2, 4], [3, "#N/A"]]
    result, out = _parse(tmp_path, "galat.xlsx", samples.xlsx(rows))
    assert result.ok and out == "1,\n2,4\n3,\n"
    assert [(i.severity, i.code, i.row, i.column, i.params) for i in result.issues if i.code == "error_value"] == [
        ("warning", "error_value", 2, "B", {"value": "#DIV/0!"}), ("warning", "error_value", 4, "B", {"value": "#N/A"})]


def test_vertically_merged_label_cells_are_filled_down(tmp_path):
    """A kecamatan merged over its kelurahan rows (and its row number likewise): every row gets it, as a reader
    of the sheet sees it; the merged title above the header is left alone."""
    rows = [["Jumlah Penduduk per Kelurahan"], [], ["No", "Kecamatan", "Kelurahan", "Jumlah"],
            [1, "Sukorejo", "Sukorejo", 5], [None, None, "Karangsari", 6], [None, None, "Tanggung", 9],
            [2, "Kepanjenkidul", "Bendo", 7], [None, None, "Kauman", 8]]
    data = samples.xlsx(rows, merges=["A1:D1", "A4:A6", "B4:B6", "A7:A8", "B7:B8"])
    result, out = _parse(tmp_path, "gabung.xlsx", data)
    assert result.ok
    assert out == ("1,Sukorejo,Sukorejo,5\n1,Sukorejo,Karangsari,6\n1,Sukorejo,Tanggung,9\n"
                   "2,Kepanjenkidul,Bendo,7\n2,Kepanjenkidul,Kauman,8\n")


@pytest.mark.parametrize("years", [[2019, 2020, 2021, 2022, 2023, 2024], ["2019", "2020", "2021", "2022", "2023",
                                                                           "2024"]])
def test_years_as_column_headers_are_a_header_row(tmp_path, years):
    rows = [["Kecamatan", "Kelurahan", *years], ["Sukorejo", "Sukorejo", 5, 6, 7, 8, 9, 10],
            ["Sukorejo", "Tanggung", 1, 2, 3, 4, 5, 6]]
    result, out = _parse(tmp_path, "tahun.xlsx", samples.xlsx(rows))
    assert result.ok, [i.code for i in result.issues]
    assert [c.id for c in result.columns] == ["Kecamatan", "Kelurahan", "2019", "2020", "2021", "2022", "2023",
                                             "2024"]
    assert out.splitlines()[0] == "Sukorejo,Sukorejo,5,6,7,8,9,10"


def test_a_data_row_with_years_is_not_taken_for_the_header(tmp_path):
    rows = [["Judul tabel"], [], ["Wilayah", "Tahun", "Jumlah"], ["Sukorejo", 2019, 2020], ["Tanggung", 2020, 2021]]
    result, out = _parse(tmp_path, "data-tahun.xlsx", samples.xlsx(rows))
    assert result.header_row == 3 and out == "Sukorejo,2019,2020\nTanggung,2020,2021\n"


def _counting_reads(monkeypatch) -> list[int]:
    """How many times the parser reads the sheet from its first row (header search, pass 1, pass 2)."""
    reads = [0]
    opened = table_parser.open_sheet

    def open_sheet(*args):
        sheet = opened(*args)
        rows = sheet.rows

        def counted():
            reads[0] += 1
            return rows()
        sheet.rows = counted
        return sheet
    monkeypatch.setattr(table_parser, "open_sheet", open_sheet)
    return reads


def _chunked_csv() -> tuple[bytes, list[tuple[int, str, str]]]:
    """20,000 rows, three chunks of pass 1: integers (one written "+7"), ISO dates and text; the third chunk has an
    Indonesian "1.234" and a "17/08/2024" that must be converted while the first chunk is written as read."""
    lines, expected = ["n,tanggal,nama"], []
    for i in range(20_000):
        n, day = (f"{i:,}".replace(",", "."), f"17/08/{2000 + i % 20}") if i == 17_000 else (
            "+7" if i == 5 else str(i), f"{2000 + i % 20}-08-17")
        lines.append(f"{n},{day},Kelurahan {i % 21}")
        expected.append((i, f"{2000 + i % 20}-08-17", f"Kelurahan {i % 21}"))
    expected[5] = (7, *expected[5][1:])
    return ("\n".join(lines) + "\n").encode(), expected


@pytest.mark.parametrize("kept_cells, reads", [(None, 2), (100, 3)])
def test_each_cell_is_read_once_up_to_the_kept_cells(tmp_path, monkeypatch, kept_cells, reads):
    """Pass 2 writes the values pass 1 read (the file is read once past the header search); a table over
    KEPT_CELLS is read again. The typed rows are the same either way, plain chunks written as read and the others
    converted."""
    from ckanext.satudata_blitar.tables import column_typing
    if kept_cells is not None:
        monkeypatch.setattr(column_typing, "KEPT_CELLS", kept_cells)
    counted = _counting_reads(monkeypatch)
    data, expected = _chunked_csv()
    result, out = _parse(tmp_path, "tabel.csv", data)
    assert result.ok and result.rows == 20_000
    assert [(c.id, c.pg_type) for c in result.columns] == [("n", "int4"), ("tanggal", "date"), ("nama", "text")]
    import csv
    assert [(int(n), day, name) for n, day, name in csv.reader(out.splitlines())] == expected
    assert counted[0] == reads


def test_formulas_and_error_cells_come_from_one_read_of_the_sheet_xml(tmp_path, monkeypatch):
    """An .xlsx's sheet XML is read once for both formulas without a saved value and error cells."""
    import sys
    import zipfile
    from ckanext.satudata_blitar.tables import xlsx_formulas
    opened = []
    real_open = zipfile.ZipFile.open

    def counting_open(self, name, *args, **kwargs):
        if sys._getframe(1).f_globals["__name__"] == xlsx_formulas.__name__:  # not the safety check's reads
            opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)
    monkeypatch.setattr(xlsx_formulas.zipfile.ZipFile, "open", counting_open)
    rows = [["a", "b"], [1, "#DIV/0!"], [2, "=A3*2"]]
    result, _ = _parse(tmp_path, "rumus.xlsx", samples.xlsx(rows))
    assert sorted((i.code, i.row) for i in result.issues if i.code in ("error_value", "formula_without_value")) == [
        ("error_value", 2), ("formula_without_value", 3)]
    assert [name for name in opened if name.startswith("xl/worksheets/")] == ["xl/worksheets/sheet1.xml"]
