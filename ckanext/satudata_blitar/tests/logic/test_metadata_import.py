"""satudata_metadata_import through the Action API: round trips, who may import, and bad files refused whole."""
import io

import pytest
from openpyxl import load_workbook

import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar.files import safety, workbooks
from ckanext.satudata_blitar.metadata import metadata_xlsx
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import xlsx_samples

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

API = "/api/3/action/satudata_metadata_import"
# Fields the import never sets: CKAN keeps them itself (license_title is the licence's title in the language of the
# request that last saved the dataset: the import runs in Indonesian, the set-up in English).
MODIFIED = ("metadata_modified", "license_title")


@pytest.fixture
def dataset(organization):
    return satudata_factories.Dataset(name="jumlah-penduduk", owner_org=organization["id"],
                                      **xlsx_samples.FULL_METADATA)


def _export(app, dataset, token):
    """The dataset's metadata .xlsx as its page offers it (new datasets are private drafts: a token is needed)."""
    response = app.get(f"/dataset/{dataset['name']}/metadata.xlsx", headers={"Authorization": token})
    assert response.status_code == 200
    return response.get_data()


def _import(app, token, content, prefix="", filename="metadata.xlsx", **params):
    return app.post(prefix + API, headers={"Authorization": token},
                    data={**params, "upload": (io.BytesIO(content), filename)})


def _show(id_):
    return helpers.call_action("package_show", id=id_)


def _without(pkg, keys=MODIFIED):
    return {key: value for key, value in pkg.items() if key not in keys}


def _metadata(pkg):
    """The schema fields of a dataset, as package_show gives them (tags for tag_string, organization name)."""
    fields = {field["field_name"] for field in scheming_get_dataset_schema("dataset")["dataset_fields"]}
    values = {key: pkg.get(key) for key in fields - {"tag_string", "owner_org", "name"}}
    return {**values, "tags": sorted(tag["name"] for tag in pkg["tags"]), "organization": pkg["organization"]["name"]}


def _count_datasets():
    return helpers.call_action("package_search", q="*:*", include_private=True, include_drafts=True)["count"]


def test_export_then_import_round_trips_to_identical_metadata(app, sysadmin, dataset):
    before = _show(dataset["id"])
    assert all(before.get(key) not in (None, "", []) for key in xlsx_samples.FULL_METADATA)

    response = _import(app, sysadmin["token"], _export(app, dataset, sysadmin["token"]), id=dataset["name"])

    assert response.status_code == 200, response.json
    assert _without(_show(dataset["id"])) == _without(before)
    assert _without(response.json["result"]) == _without(before)


def test_import_updates_the_dataset_and_clears_emptied_fields(app, sysadmin, dataset):
    content = _export(app, dataset, sysadmin["token"])
    for label, value in [("Frekuensi Penerbitan", "Triwulanan"), ("Tahun Data Akhir", 2023), ("Tag", "penduduk"),
                         ("Konsep", None), ("Judul", "Penduduk Kota Blitar"), ("URL", None)]:
        content = xlsx_samples.set_value(content, label, value)

    response = _import(app, sysadmin["token"], content, id=dataset["id"])

    assert response.status_code == 200, response.json
    after = _show(dataset["id"])
    assert (after["frekuensi"], after["tahun_data_akhir"], after["title"]) == (
        "triwulanan", 2023, "Penduduk Kota Blitar")
    assert [tag["name"] for tag in after["tags"]] == ["penduduk"]
    assert "konsep" not in after
    # An empty URL keeps the dataset's URL.
    assert after["name"] == "jumlah-penduduk"


def test_rows_left_out_of_the_file_leave_their_fields_alone(app, sysadmin, dataset):
    before = _show(dataset["id"])
    content = xlsx_samples.edit(_export(app, dataset, sysadmin["token"]), lambda sheet: [
        sheet.delete_rows(row[0].row) for row in list(sheet.iter_rows(min_col=1, max_col=1))[::-1]
        if row[0].value not in ("Elemen Metadata", "Satuan")])
    content = xlsx_samples.set_value(content, "Satuan", "orang")

    response = _import(app, sysadmin["token"], content, id=dataset["id"])

    assert response.status_code == 200, response.json
    assert _without(_show(dataset["id"]), MODIFIED + ("satuan",)) == _without(before, MODIFIED + ("satuan",))
    assert _show(dataset["id"])["satuan"] == "orang"


def test_a_filled_template_creates_a_dataset_of_the_opd_with_the_same_metadata(app, sysadmin, dataset, organization):
    content = xlsx_samples.set_value(_export(app, dataset, sysadmin["token"]), "URL", None)
    content = xlsx_samples.set_value(content, "Judul", "Jumlah Penduduk 2020-2024")

    response = _import(app, sysadmin["token"], content, owner_org=organization["name"])

    assert response.status_code == 200, response.json
    created = _show(response.json["result"]["id"])
    assert created["name"] == "jumlah-penduduk-2020-2024"
    assert created["owner_org"] == organization["id"]
    assert {**_metadata(created), "title": dataset["title"]} == _metadata(_show(dataset["id"]))


def test_the_blank_template_filled_in_english_creates_a_dataset(app, organization):
    editor = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=organization["id"], username=editor["name"],
                        role="editor")
    content = metadata_xlsx.build_workbook(scheming_get_dataset_schema("dataset"), lang="en")
    filled = {"Title": "Angka Kematian Bayi", "Description": "AKB per 1.000 kelahiran hidup.",
              "Government affairs (topic)": "Health", "Definition": "Kematian bayi per 1.000 kelahiran hidup.",
              "Unit": "per 1.000", "First year of data": 2019, "Last year of data": "2024",
              "Release frequency": "Yearly", "Data collection method": "Survey", "Data source": "Dinas Kesehatan",
              "Data classification": "Open"}
    for label, value in filled.items():
        content = xlsx_samples.set_value(content, label, value)

    response = _import(app, editor["token"], content, owner_org=organization["id"])

    assert response.status_code == 200, response.json
    created = _show("angka-kematian-bayi")
    assert (created["urusan"], created["frekuensi"], created["cara_pengumpulan"], created["sifat_data"]) == (
        "kesehatan", "tahunan", "survei", "terbuka")
    assert (created["tahun_data_awal"], created["license_id"], created["data_prioritas"]) == (2019, "cc-by", "tidak")


def test_the_opd_in_the_file_must_be_the_one_chosen(app, sysadmin, dataset):
    other = factories.Organization(name="bappeda")
    content = xlsx_samples.set_value(_export(app, dataset, sysadmin["token"]), "URL", "dataset-baru")

    response = _import(app, sysadmin["token"], content, owner_org=other["id"])

    assert response.status_code == 409
    assert "dinas-kesehatan" in response.json["error"]["owner_org"][0]
    assert _count_datasets() == 1


@pytest.mark.parametrize("role, target, allowed", [
    ("editor", "update", True),
    ("editor", "create", True),
    ("member", "update", False),
    ("member", "create", False),
    (None, "update", False),
    (None, "create", False),
])
def test_who_may_import(app, sysadmin, dataset, organization, role, target, allowed):
    user = factories.UserWithToken()
    if role:
        helpers.call_action("organization_member_create", id=organization["id"], username=user["name"], role=role)
    content = xlsx_samples.set_value(_export(app, dataset, sysadmin["token"]), "Satuan", "orang")
    params = {"id": dataset["id"]} if target == "update" else {"owner_org": organization["id"]}
    if target == "create":
        content = xlsx_samples.set_value(content, "URL", "dataset-baru")

    response = _import(app, user["token"], content, **params)

    assert response.status_code == (200 if allowed else 403), response.json
    assert (_show(dataset["id"])["satuan"] == "orang") == (allowed and target == "update")
    assert _count_datasets() == (2 if allowed and target == "create" else 1)


def test_anonymous_users_may_not_import(app, sysadmin, dataset):
    content = _export(app, dataset, sysadmin["token"])

    response = app.post(API, data={"id": dataset["id"], "upload": (io.BytesIO(content), "m.xlsx")})

    assert response.status_code == 403


def _set(label, value):
    return lambda content: xlsx_samples.set_value(content, label, value)


# (what is wrong, how the exported file is spoiled, the field the 409 names)
BAD_FILES = [
    ("year not a number", _set("Tahun Data Awal", "dua ribu"), "tahun_data_awal"),
    ("year in the future", _set("Tahun Data Akhir", 2999), "tahun_data_akhir"),
    ("last year before first", _set("Tahun Data Akhir", 2010), "tahun_data_akhir"),
    ("unknown choice", _set("Frekuensi Penerbitan", "Sewindu"), "frekuensi"),
    ("bad e-mail", _set("Email Kontak", "bukan-email"), "kontak_email"),
    ("bad phone", _set("Telepon Kontak", "12"), "kontak_telepon"),
    ("bad date", _set("Tanggal Rilis", "31/02/2025"), "tanggal_rilis"),
    ("missing required field", _set("Definisi", None), "definisi"),
    ("missing required choice", _set("Sifat Data", None), "sifat_data"),
    ("unknown OPD", _set("OPD Produsen Data", "dinas-tidak-ada"), "owner_org"),
    ("formula", _set("Satuan", "=A1"), "satuan"),
    ("unknown label", lambda content: xlsx_samples.edit(content, lambda sheet: sheet.append(["Warna", "biru"])),
     "upload"),
    ("field given twice", lambda content: xlsx_samples.edit(content, lambda sheet: sheet.append(["Satuan", "x"])),
     "satuan"),
    ("extra sheet", lambda content: xlsx_samples.edit(content, lambda book: book.create_sheet("Data"),
                                                      workbook_level=True), "upload"),
    ("csv renamed .xlsx", lambda content: b"kecamatan,jumlah\nSukorejo,7\n", "upload"),
    ("random bytes", lambda content: bytes(range(256)) * 8, "upload"),
    ("empty file", lambda content: b"", "upload"),
    ("truncated workbook", lambda content: content[:-200], "upload"),
    ("zip bomb", xlsx_samples.zip_bomb, "upload"),
    ("xlsm content type", xlsx_samples.macro_enabled, "upload"),
    ("vba project", xlsx_samples.with_vba_project, "upload"),
    ("entity declaration", xlsx_samples.with_doctype, "upload"),
]


@pytest.mark.parametrize("case, spoil, field", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_refused_naming_the_field_and_leaves_the_dataset_unchanged(
        app, sysadmin, dataset, case, spoil, field):
    before = _show(dataset["id"])
    # A change beside the bad one, that would show if anything were saved.
    content = spoil(xlsx_samples.set_value(_export(app, dataset, sysadmin["token"]), "Ukuran", "persentase"))

    response = _import(app, sysadmin["token"], content, id=dataset["id"])

    assert response.status_code == 409, response.json
    error = response.json["error"]
    assert error["__type"] == "Validation Error"
    assert field in error, error
    assert _show(dataset["id"]) == before


@pytest.mark.parametrize("case, spoil, field", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_creates_no_dataset(app, sysadmin, dataset, organization, case, spoil, field):
    content = spoil(xlsx_samples.set_value(_export(app, dataset, sysadmin["token"]), "URL", "dataset-baru"))

    response = _import(app, sysadmin["token"], content, owner_org=organization["id"])

    assert response.status_code == 409, response.json
    assert field in response.json["error"]
    assert _count_datasets() == 1


@pytest.mark.parametrize("option, value, message", [
    ("max_upload_bytes", 1000, "The file is larger than"),
    ("max_uncompressed_bytes", 10_000, "once uncompressed"),
    ("max_compression_ratio", 2, "zip bomb"),
])
def test_the_limits_are_configurable(app, sysadmin, dataset, ckan_config, monkeypatch, option, value, message):
    monkeypatch.setitem(ckan_config, f"ckanext.satudata_blitar.metadata_xlsx.{option}", value)

    response = _import(app, sysadmin["token"], _export(app, dataset, sysadmin["token"]), prefix="/en",
                       id=dataset["id"])

    assert response.status_code == 409
    assert message in response.json["error"]["upload"][0]


def test_the_limits_default_to_the_declared_values():
    assert workbooks.upload_limits() == safety.Limits(
        max_bytes=5 * 1024 * 1024, max_uncompressed_bytes=50 * 1024 * 1024, max_compression_ratio=100)


@pytest.mark.parametrize("prefix, expected", [("", "tidak dikenal"), ("/en", "Unknown choice")])
def test_errors_speak_the_users_language(app, sysadmin, dataset, prefix, expected):
    content = xlsx_samples.set_value(_export(app, dataset, sysadmin["token"]), "Frekuensi Penerbitan", "Sewindu")

    response = _import(app, sysadmin["token"], content, prefix=prefix, id=dataset["id"])

    assert response.status_code == 409
    assert expected in response.json["error"]["frekuensi"][0]


def test_english_ui_gets_english_file_errors(app, sysadmin, dataset):
    content = xlsx_samples.edit(_export(app, dataset, sysadmin["token"]), lambda sheet: sheet.append(["Warna", "biru"]))

    response = _import(app, sysadmin["token"], content, prefix="/en", id=dataset["id"])

    row = load_workbook(io.BytesIO(content)).active.max_row
    assert response.json["error"]["upload"] == [f'Row {row}: unknown label "Warna"; use the labels of the template']


def test_an_upload_that_is_not_a_file_is_refused(app, sysadmin, dataset):
    response = app.post(API, headers={"Authorization": sysadmin["token"]},
                        json={"id": dataset["id"], "upload": "metadata.xlsx"})

    assert response.status_code == 409
    assert "upload" in response.json["error"]


def test_the_upload_is_required(app, sysadmin, dataset):
    response = app.post(API, headers={"Authorization": sysadmin["token"]}, json={"id": dataset["id"]})

    assert response.status_code == 409
    assert "upload" in response.json["error"]


def test_called_from_python_with_bytes(sysadmin, dataset):
    schema = scheming_get_dataset_schema("dataset")
    content = xlsx_samples.set_value(metadata_xlsx.build_workbook(schema, _show(dataset["id"])), "Satuan", "orang")

    result = helpers.call_action("satudata_metadata_import", {"user": sysadmin["name"]}, id=dataset["id"],
                                 upload=content)

    assert result["satuan"] == "orang"
    with pytest.raises(tk.ValidationError):
        helpers.call_action("satudata_metadata_import", {"user": sysadmin["name"]}, id=dataset["id"], upload=b"x")
