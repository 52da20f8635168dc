"""The reference list of Kota Blitar's region codes and the forgiving reading of names and codes."""
from __future__ import annotations

import pytest

from ckanext.satudata_blitar.reference import wilayah as w


def test_the_list_is_kota_blitar_by_the_decree():
    regions = w.all_wilayah()
    assert [(r.kode, r.nama) for r in regions if r.tingkat == w.KOTA] == [("35.72", "Kota Blitar")]
    assert [r.nama for r in w.kecamatan_list()] == ["Kepanjenkidul", "Sukorejo", "Sananwetan"]
    kelurahan = [r for r in regions if r.tingkat == w.KELURAHAN]
    assert len(kelurahan) == 21
    assert all(r.kode.startswith(r.kecamatan + ".") for r in kelurahan)
    assert w.by_code("35.72.01.1003").nama == "Sentul"
    assert w.by_code("35.72.03.1007").nama == "Bendogerit"
    assert w.by_code("3572").kode_bps == "3572"
    assert "300.2.2-2138" in w.DATA_FILE.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize("written, tingkat, official, how", [
    ("Sukorejo", w.KECAMATAN, "Sukorejo", w.EXACT),
    ("Kec. Sukorejo", w.KECAMATAN, "Sukorejo", w.FORGIVING),
    ("Kecamatan Sukorejo", w.KECAMATAN, "Sukorejo", w.FORGIVING),
    ("KEC.SUKOREJO", w.KECAMATAN, "Sukorejo", w.FORGIVING),
    ("Kepanjen Kidul", w.KECAMATAN, "Kepanjenkidul", w.FORGIVING),
    ("kepanjen  kidul", None, "Kepanjenkidul", w.FORGIVING),
    ("Sananwetan ", w.KECAMATAN, "Sananwetan", w.FORGIVING),
    (" SANANWETAN", None, "Sananwetan", w.FORGIVING),
    ("Kel. Kepanjen Lor", w.KELURAHAN, "Kepanjenlor", w.FORGIVING),
    ("Kelurahan Sentul", w.KELURAHAN, "Sentul", w.FORGIVING),
    ("Desa/Kelurahan Tanjung Sari", w.KELURAHAN, "Tanjungsari", w.FORGIVING),
    ("Desa Karang Tengah", w.KELURAHAN, "Karangtengah", w.FORGIVING),
    ("Ploso Kerep", w.KELURAHAN, "Plosokerep", w.FORGIVING),
    ("Bendo Gerit", None, "Bendogerit", w.FORGIVING),
    ("Kota Blitar", w.KECAMATAN, "Kota Blitar", w.EXACT),
    ("KOTA BLITAR", w.KELURAHAN, "Kota Blitar", w.FORGIVING),
    ("Sukoreja", w.KECAMATAN, "Sukorejo", w.CLOSE),
    ("Karangsarii", w.KELURAHAN, "Karangsari", w.CLOSE),
])
def test_names_are_matched_forgivingly(written, tingkat, official, how):
    found = w.match_name(written, tingkat)
    assert found is not None
    assert (found.wilayah.nama, found.how) == (official, how)


@pytest.mark.parametrize("written, tingkat, code", [
    # a name that is both a kecamatan and a kelurahan is read as the column's level
    ("Sukorejo", w.KECAMATAN, "35.72.02"),
    ("Sukorejo", w.KELURAHAN, "35.72.02.1006"),
    ("Kepanjen Kidul", w.KELURAHAN, "35.72.01.1001"),
    ("Sananwetan", None, "35.72.03"),
    # "Blitar" is a kelurahan of Sukorejo, "Kota Blitar" the city
    ("Blitar", w.KELURAHAN, "35.72.02.1002"),
    ("Kota Blitar", w.KELURAHAN, "35.72"),
])
def test_the_columns_level_decides_between_namesakes(written, tingkat, code):
    assert w.match_name(written, tingkat).wilayah.kode == code


@pytest.mark.parametrize("written, tingkat", [
    ("Sentul", w.KECAMATAN),        # a kelurahan in a kecamatan column
    ("Garum", None),                # Kabupaten Blitar's kecamatan, not the city's
    ("Kec.", w.KECAMATAN),
    ("", None),
    (None, None),
    ("Jawa Timur", None),
])
def test_other_names_are_not_matched(written, tingkat):
    assert w.match_name(written, tingkat) is None


@pytest.mark.parametrize("code, kode", [
    ("35.72.01.1001", "35.72.01.1001"),
    (" 35.72.02 ", "35.72.02"),
    ("3572011001", "35.72.01.1001"),
    (3572031004, "35.72.03.1004"),
    ("357203", "35.72.03"),
    ("3572", "35.72"),       # BPS's (and Kemendagri's undotted) kota code
    (3572, "35.72"),
    ("35.72", "35.72"),
])
def test_codes_are_read_in_kemendagri_and_bps_forms(code, kode):
    assert w.by_code(code).kode == kode


@pytest.mark.parametrize("code", ["35.72.04", "3572010001", "35.71.01.1001", "3571", "12345", "Sukorejo", None])
def test_other_codes_are_not_kota_blitar(code):
    # 3572010001 is BPS's 10-digit form, which the reference does not carry (README.md)
    assert w.by_code(code) is None


@pytest.mark.parametrize("code, name, tingkat, agree", [
    ("35.72.01.1003", "Sentul", w.KELURAHAN, True),
    ("35.72.01.1001", "Sentul", w.KELURAHAN, False),          # Kepanjenkidul's code beside Sentul
    ("35.72.02", "Kepanjen Kidul", w.KECAMATAN, False),        # Sukorejo's code beside Kepanjenkidul
    ("35.72.01.1003", "Kepanjenkidul", w.KECAMATAN, True),     # a kelurahan code beside its kecamatan
    ("35.72.02.1002", "Kec. Sananwetan", w.KECAMATAN, False),  # Blitar (in Sukorejo) beside Sananwetan
    ("3572", "Sukorejo", w.KECAMATAN, True),                   # the kota's code beside one of its kecamatan
])
def test_a_code_contradicts_its_name_when_neither_contains_the_other(code, name, tingkat, agree):
    assert w.consistent(w.by_code(code), w.match_name(name, tingkat).wilayah) is agree
