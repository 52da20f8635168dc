"""The Blitar dataset, OPD and resource schemas through the Action API: every field's validation, the round trip,
and nothing saved when anything is wrong."""
import datetime

import pytest

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA, Dataset, published

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

THIS_YEAR = datetime.date.today().year

OPTIONAL_METADATA = {
    "konsep": "Penduduk adalah semua orang yang berdomisili di wilayah Kota Blitar.",
    "ukuran": "jumlah",
    "metode_perhitungan": "Jumlah penduduk = jumlah laki-laki + jumlah perempuan",
    "interpretasi": "Semakin besar nilainya, semakin banyak penduduk.",
    "klasifikasi": "Menurut kecamatan dan jenis kelamin",
    "level_penyajian": "kecamatan",
    "jadwal_pemutakhiran": "2026-03-31",
    "data_prioritas": "ya",
    "data_prioritas_tahun": 2025,
    "kode_referensi": "3572",
    "ms_keg_id": "MS-KEG-2024-0001",
    "ms_ind_id": "MS-IND-2024-0042",
    "kontak_nama": "Seksi Statistik Diskominfotik",
    "kontak_email": "statistik@blitarkota.go.id",
    "kontak_telepon": "(0342) 801234",
    "tanggal_rilis": "2025-02-14",
}


def _post(app, action, token, data, locale=""):
    return app.post(f"{locale}/api/3/action/{action}", json=data, headers={"Authorization": token},
                    status=None)


@pytest.fixture
def dataset_body(organization):
    return {"name": "jumlah-penduduk", "title": "Jumlah Penduduk", "notes": "Jumlah penduduk Kota Blitar.",
            "owner_org": organization["id"], **REQUIRED_METADATA}


def _nothing_saved():
    assert helpers.call_action("package_search", include_private=True)["count"] == 0
    assert helpers.call_action("package_list") == []


def test_every_field_round_trips_through_the_api(app, sysadmin, dataset_body):
    body = {**dataset_body, **OPTIONAL_METADATA, "tag_string": "penduduk,kependudukan"}
    created = _post(app, "package_create", sysadmin["token"], body)
    assert created.status_code == 200, created.body

    shown = helpers.call_action("package_show", id="jumlah-penduduk")
    for field, value in {**REQUIRED_METADATA, **OPTIONAL_METADATA}.items():
        assert shown[field] == value, field
    assert isinstance(shown["tahun_data_awal"], int)
    assert shown["license_id"] == "cc-by"  # the default license
    assert sorted(t["name"] for t in shown["tags"]) == ["kependudukan", "penduduk"]

    # What package_show returns goes back in unchanged.
    updated = _post(app, "package_update", sysadmin["token"], shown)
    assert updated.status_code == 200, updated.body
    again = helpers.call_action("package_show", id="jumlah-penduduk")
    assert {f: again[f] for f in OPTIONAL_METADATA} == {f: shown[f] for f in OPTIONAL_METADATA}


REQUIRED_FIELDS = ["title", "notes", "owner_org", "urusan", "tahun_data_awal", "tahun_data_akhir", "frekuensi",
                   "satuan", "definisi", "sumber_data", "cara_pengumpulan", "sifat_data"]


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_a_missing_required_field_is_refused(app, sysadmin, dataset_body, field):
    body = {k: v for k, v in dataset_body.items() if k != field}
    response = _post(app, "package_create", sysadmin["token"], body)

    assert response.status_code == 409
    assert field in response.json["error"]
    _nothing_saved()


BAD_VALUES = [
    ("tahun_data_awal", "dua ribu", "whole number"),
    ("tahun_data_awal", "2020.5", "whole number"),
    ("tahun_data_awal", 1850, "before 1900"),
    ("tahun_data_awal", THIS_YEAR + 1, "future"),
    ("tahun_data_akhir", THIS_YEAR + 1, "future"),
    ("tahun_data_akhir", 2019, "before the first year"),
    ("urusan", "astrologi", "choose one of"),
    ("frekuensi", "sewindu", "choose one of"),
    ("level_penyajian", "provinsi", "choose one of"),
    ("cara_pengumpulan", "menebak", "choose one of"),
    ("sifat_data", "rahasia", "choose one of"),
    ("data_prioritas", "mungkin", "choose one of"),
    ("data_prioritas_tahun", 1800, "before 1900"),
    ("kontak_email", "bukan-email", "email"),
    ("kontak_email", "a@b@c.id", "email"),
    ("kontak_telepon", "12ab34", "phone"),
    ("kontak_telepon", "123", "phone"),
    ("kontak_telepon", "9342801234", "phone"),
    ("jadwal_pemutakhiran", "besok", "date"),
    ("tanggal_rilis", "2024-13-45", "date"),
    ("satuan", "x" * 501, "at most 500"),
    ("definisi", "x" * 10001, "at most 10000"),
]


@pytest.mark.parametrize("field, value, message", BAD_VALUES)
def test_a_bad_value_is_refused_with_a_message_on_that_field(app, sysadmin, dataset_body, field, value, message):
    response = _post(app, "package_create", sysadmin["token"], {**dataset_body, field: value}, locale="/en")

    assert response.status_code == 409, response.body
    errors = response.json["error"]
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    _nothing_saved()


def test_priority_data_needs_its_year(app, sysadmin, dataset_body):
    response = _post(app, "package_create", sysadmin["token"], {**dataset_body, "data_prioritas": "ya"})
    assert response.status_code == 409
    assert list(response.json["error"]) == ["data_prioritas_tahun", "__type"] or \
        "data_prioritas_tahun" in response.json["error"]
    _nothing_saved()


@pytest.mark.parametrize("sifat", ["terbatas", "tertutup"])
def test_terbatas_and_tertutup_data_stay_private(app, sysadmin, dataset_body, sifat):
    created = _post(app, "package_create", sysadmin["token"], {**dataset_body, "sifat_data": sifat, "private": False})
    assert created.status_code == 200, created.body
    assert created.json["result"]["private"] is True


@pytest.mark.parametrize("sifat", ["terbatas", "tertutup"])
def test_a_public_dataset_cannot_become_terbatas_or_tertutup(app, sysadmin, dataset_body, sifat):
    dataset = published(helpers.call_action("package_create", context={"user": sysadmin["name"]}, **dataset_body))
    response = _post(app, "package_patch", sysadmin["token"], {"id": dataset["id"], "sifat_data": sifat},
                     locale="/en")
    assert response.status_code == 409
    assert "Only Terbuka" in response.json["error"]["sifat_data"][0]
    assert helpers.call_action("package_show", id=dataset["id"])["sifat_data"] == "terbuka"


GOOD_VALUES = [
    ("kontak_telepon", "+62 342 801234"),
    ("kontak_telepon", "0812-3456-7890"),
    ("kontak_telepon", "62342801234"),
    ("tahun_data_awal", 1900),
    ("tahun_data_akhir", THIS_YEAR),
    ("tahun_data_akhir", "2024"),
    ("kontak_email", "Kepala.Seksi@blitarkota.go.id"),
]


@pytest.mark.parametrize("field, value", GOOD_VALUES)
def test_good_values_are_accepted(app, sysadmin, dataset_body, field, value):
    response = _post(app, "package_create", sysadmin["token"], {**dataset_body, field: value})
    assert response.status_code == 200, response.body


def test_errors_speak_indonesian_by_default_and_english_on_request(app, sysadmin, dataset_body):
    body = {**dataset_body, "tahun_data_awal": THIS_YEAR + 1, "satuan": ""}

    indonesian = _post(app, "package_create", sysadmin["token"], body).json["error"]
    english = _post(app, "package_create", sysadmin["token"], body, locale="/en").json["error"]

    assert indonesian["satuan"] == ["Wajib diisi"]
    assert english["satuan"] == ["Missing value"]
    assert "future" in english["tahun_data_awal"][0]
    assert "masa depan" in indonesian["tahun_data_awal"][0]


OPD_BAD_VALUES = [
    ("jenis", "kementerian", "choose one of"),
    ("email", "dinkes-at-blitarkota", "email"),
    ("telepon", "telepon kantor", "phone"),
    ("website", "javascript:alert(1)", "url"),
]


def test_opd_fields_round_trip(app, sysadmin):
    body = {"name": "dinas-sosial", "title": "Dinas Sosial", "kode_opd": "1.06.01", "singkatan": "Dinsos",
            "jenis": "dinas", "nama_kepala": "Drs. Contoh", "alamat": "Jl. Merdeka 1, Kota Blitar",
            "telepon": "(0342) 801234", "email": "dinsos@blitarkota.go.id", "website": "https://dinsos.blitarkota.go.id"}
    response = _post(app, "organization_create", sysadmin["token"], body)
    assert response.status_code == 200, response.body

    shown = helpers.call_action("organization_show", id="dinas-sosial")
    assert {k: shown[k] for k in body} == body


@pytest.mark.parametrize("field, value, message", OPD_BAD_VALUES)
def test_opd_bad_values_are_refused(app, sysadmin, field, value, message):
    body = {"name": "dinas-sosial", "title": "Dinas Sosial", field: value}
    response = _post(app, "organization_create", sysadmin["token"], body, locale="/en")

    assert response.status_code == 409, response.body
    assert field in response.json["error"]
    assert message in " ".join(response.json["error"][field]).lower()
    assert helpers.call_action("organization_list") == []


@pytest.mark.parametrize("periode, ok", [
    ("2024", True), ("2020-2024", True), ("2024-T3", True), ("2024-S2", True), ("2024-03", True),
    ("2024-2020", False), ("2024-T5", False), ("2024-13", False), ("tahun lalu", False), ("24", False),
])
def test_resource_period(app, sysadmin, periode, ok):
    dataset = Dataset()
    response = _post(app, "resource_create", sysadmin["token"], {
        "package_id": dataset["id"], "name": "Data", "url": "http://data.example/x.csv", "periode": periode})

    assert (response.status_code == 200) is ok, response.body
    resources = helpers.call_action("package_show", id=dataset["id"])["resources"]
    assert [r.get("periode") for r in resources] == ([periode] if ok else [])
