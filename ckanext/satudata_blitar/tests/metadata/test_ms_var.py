"""MS-Var: each column's statistical description in CKAN's Data Dictionary (the DataStore field `info`).

Through the real upload path (API, xloader queue in Redis, a worker run in the test, the DataStore), the Data
Dictionary form, datastore_info/datastore_create and the submission gate."""
from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup

import ckan.lib.jobs as jobs
import ckan.plugins.toolkit as tk
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.metadata import ms_var
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import table_samples as samples
from ckanext.satudata_blitar.workflow import transitions

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

# A value for every MS-Var key, as an operator writes them.
FILLED = {
    "nama_variabel": "Luas Wilayah",
    "alias": "Luas",
    "konsep": "Wilayah administrasi kecamatan.",
    "definisi": "Luas daratan kecamatan menurut Permendagri.",
    "referensi_pemilihan": "Kecamatan di Kota Blitar.",
    "referensi_waktu": "31 Desember tiap tahun.",
    "tipe_data": "desimal",
    "klasifikasi_isian": "Kode wilayah Kemendagri",
    "ukuran": "Luas",
    "satuan": "km²",
    "aturan_validasi": "Bilangan desimal lebih dari 0.",
    "kalimat_pertanyaan": "Berapa luas daratan kecamatan?",
    "akses_publik": "ya",
}
TABLE = [("Kecamatan", "Luas (km²)", "Penduduk", "Tahun"),
         ("Sukorejo", 9.93, 51200, 2024), ("Sananwetan", 12.15, 62100, 2024)]


@pytest.fixture
def dataset(organization):
    return satudata_factories.Dataset(name="luas-wilayah", owner_org=organization["id"])


@pytest.fixture
def queue():
    q = jobs.get_queue()
    q.empty()
    yield q
    q.empty()


def _load(app, token, dataset, queue, rows=TABLE):
    response = app.post("/api/3/action/resource_create", headers={"Authorization": token},
                        data={"package_id": dataset["id"], "name": "Luas 2024",
                              "upload": (io.BytesIO(samples.xlsx(rows)), "luas.xlsx")})
    assert response.status_code == 200, response.body
    resource = response.json["result"]
    jobs.Worker().work(burst=True)
    return resource


def _info(resource_id):
    fields = helpers.call_action("datastore_info", id=resource_id)["fields"]
    return {f["id"]: f.get("info") or {} for f in fields}


def _write(resource_id, infos, user=None):
    """datastore_create with the table's own fields and the given info per column id, as the Data Dictionary
    form sends it."""
    fields = helpers.call_action("datastore_info", id=resource_id)["fields"]
    user = user or helpers.call_action("get_site_user")["name"]
    return helpers.call_action("datastore_create", context={"user": user}, resource_id=resource_id, force=True,
                               fields=[{"id": f["id"], "type": f["type"], "info": infos.get(f["id"], {})}
                                       for f in fields])


# --- What the loader knows -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, name, unit", [
    ("Luas (km²)", "Luas", "km²"), ("Persentase [%]", "Persentase", "%"), ("Jumlah Penduduk", "Jumlah Penduduk", ""),
    ("Jenis Kelamin - Laki-laki (jiwa)", "Jenis Kelamin - Laki-laki", "jiwa"), ("(jiwa)", "(jiwa)", ""),
])
def test_the_unit_is_read_from_parentheses_at_the_end_of_a_header(header, name, unit):
    assert ms_var.split_unit(header) == (name, unit)


def test_the_loader_prefills_name_unit_and_type_of_every_column(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    info = _info(resource["id"])
    assert info["Luas (km²)"]["nama_variabel"] == "Luas"
    assert info["Luas (km²)"]["label"] == "Luas"
    assert info["Luas (km²)"]["satuan"] == "km²"
    assert info["Luas (km²)"]["tipe_data"] == "desimal"
    assert info["Penduduk"]["tipe_data"] == "bilangan_bulat"
    assert "satuan" not in info["Penduduk"]
    assert info["Kecamatan"]["tipe_data"] == "teks"
    assert info["Tahun"]["satuan"] == "tahun"
    assert {i["akses_publik"] for i in info.values()} == {"ya"}


def test_a_reload_of_the_same_table_keeps_its_dictionary(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    _write(resource["id"], {"Luas (km²)": FILLED, "Penduduk": {"definisi": "Penduduk akhir tahun.",
                                                                "satuan": "jiwa", "label": "Jumlah Penduduk"}})
    helpers.call_action("xloader_submit", resource_id=resource["id"], ignore_hash=True)
    jobs.Worker().work(burst=True)
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] == "ok"

    info = _info(resource["id"])
    assert {key: info["Luas (km²)"][key] for key in ms_var.KEYS} == FILLED
    assert info["Luas (km²)"]["label"] == "Luas Wilayah"
    assert info["Luas (km²)"]["notes"] == FILLED["definisi"]
    # label given without nama_variabel: the name follows it, and stays through the reload
    assert info["Penduduk"]["nama_variabel"] == info["Penduduk"]["label"] == "Jumlah Penduduk"
    assert info["Penduduk"]["definisi"] == "Penduduk akhir tahun."


# --- datastore_create / datastore_info -----------------------------------------------------------------------------

def test_every_key_round_trips_through_datastore_create_and_info(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    _write(resource["id"], {"Luas (km²)": FILLED})
    stored = _info(resource["id"])["Luas (km²)"]
    assert {key: stored[key] for key in ms_var.KEYS} == FILLED
    assert (stored["label"], stored["notes"]) == (FILLED["nama_variabel"], FILLED["definisi"])
    # datastore_search shows the same dictionary
    searched = helpers.call_action("datastore_search", resource_id=resource["id"], limit=0)["fields"]
    assert {key: next(f for f in searched if f["id"] == "Luas (km²)")["info"][key] for key in ms_var.KEYS} == FILLED


def test_a_key_not_given_keeps_its_value_and_label_notes_stay_in_step(app, sysadmin, dataset, queue,
                                                                      with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    _write(resource["id"], {"Luas (km²)": FILLED})
    # CKAN's own keys only (an API client that knows no MS-Var): the pairs follow, the rest stays
    _write(resource["id"], {"Luas (km²)": {"label": "Luas Daratan", "notes": "Definisi baru."}})
    stored = _info(resource["id"])["Luas (km²)"]
    assert (stored["nama_variabel"], stored["definisi"]) == ("Luas Daratan", "Definisi baru.")
    assert stored["satuan"] == "km²" and stored["kalimat_pertanyaan"] == FILLED["kalimat_pertanyaan"]
    # ours changed: CKAN's follow
    _write(resource["id"], {"Luas (km²)": {"nama_variabel": "Luas Total", "definisi": "Lagi."}})
    stored = _info(resource["id"])["Luas (km²)"]
    assert (stored["label"], stored["notes"]) == ("Luas Total", "Lagi.")
    # an empty value clears
    _write(resource["id"], {"Luas (km²)": {"alias": ""}})
    assert _info(resource["id"])["Luas (km²)"]["alias"] == ""


def test_a_table_without_ms_var_keeps_ckans_info_as_it_is(sysadmin, dataset):
    """Tables other tools write (CKAN's own DataStore API, no MS-Var key) keep CKAN's contract for `info`."""
    site_user = helpers.call_action("get_site_user")["name"]
    resource = helpers.call_action("resource_create", context={"user": site_user}, package_id=dataset["id"],
                                   name="API", url="https://data.example/api.csv")
    helpers.call_action("datastore_create", context={"user": site_user}, resource_id=resource["id"], force=True,
                        fields=[{"id": "a", "type": "text", "info": {"label": "A", "notes": "Catatan"}}])
    assert _info(resource["id"])["a"] == {"label": "A", "notes": "Catatan"}


@pytest.mark.parametrize("info, key", [
    ({"tipe_data": "angka"}, "tipe_data"), ({"akses_publik": "mungkin"}, "akses_publik"),
    ({"satuan": "x" * 201}, "satuan"), ({"definisi": "x" * 2001}, "definisi"), ({"konsep": ["a"]}, "konsep"),
])
def test_wrong_values_are_refused_with_the_element_named(app, sysadmin, dataset, queue, with_test_worker, info,
                                                         key):
    resource = _load(app, sysadmin["token"], dataset, queue)
    with pytest.raises(tk.ValidationError) as error:
        _write(resource["id"], {"Luas (km²)": info})
    assert ms_var.LABELS[key] in str(error.value.error_dict)


def test_choices_are_accepted_by_their_label_too(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    _write(resource["id"], {"Luas (km²)": {"tipe_data": "Decimal number", "akses_publik": False}})
    stored = _info(resource["id"])["Luas (km²)"]
    assert (stored["tipe_data"], stored["akses_publik"]) == ("desimal", "tidak")


# --- The Data Dictionary form and the resource page ------------------------------------------------------------------

def test_every_key_round_trips_through_the_data_dictionary_form(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    url = f"/dataset/{dataset['name']}/dictionary/{resource['id']}"
    headers = {"Authorization": sysadmin["token"]}
    page = BeautifulSoup(app.get(url, headers=headers).body, "html.parser")
    position = next(n for n, heading in enumerate(page.select(".accordion-header"), start=1)
                    if "Luas (km²)" in heading.text)
    # Indonesian labels and help, the loader's values filled in
    assert page.select_one(f"label[for=field-msvar-{position}-definisi]").text.split() == ["*", "Definisi"]
    assert page.select_one(f"[name=info__{position}__satuan]")["value"] == "km²"
    assert "Wajib diisi untuk kolom angka" in page.text
    form = {field["name"]: field.get("value", "") for field in page.select("form input[name]")}
    form.update({f"info__{position}__{key}": value for key, value in FILLED.items()})
    response = app.post(url, headers=headers, data=form, follow_redirects=False)
    assert response.status_code == 302, response.body
    stored = _info(resource["id"])["Luas (km²)"]
    assert {key: stored[key] for key in ms_var.KEYS} == FILLED
    assert stored["label"] == FILLED["nama_variabel"]
    # the other columns kept what the loader wrote
    assert _info(resource["id"])["Tahun"]["satuan"] == "tahun"


def test_the_resource_page_shows_the_dictionary_in_words(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    _write(resource["id"], {"Luas (km²)": FILLED})
    page = BeautifulSoup(app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}",
                                 headers={"Authorization": sysadmin["token"]}).body, "html.parser")
    dictionary = page.select_one(".satudata-ms-var")
    assert dictionary is not None
    text = " ".join(dictionary.text.split())
    assert "Bilangan desimal" in text and "Bilangan bulat" in text and "Teks" in text
    assert "numeric" not in text and "int4" not in text
    assert "Luas Wilayah" in text and "km²" in text and FILLED["definisi"] in text


def test_a_reader_without_rights_sees_no_ms_var_of_unpublished_data(app, sysadmin, dataset, queue,
                                                                    with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    _write(resource["id"], {"Luas (km²)": FILLED})
    stranger = ckan_factories.UserWithToken()
    for user in (None, stranger):
        headers = {"Authorization": user["token"]} if user else {}
        for action in ("datastore_info", "datastore_search"):
            key = "id" if action == "datastore_info" else "resource_id"
            response = app.post(f"/api/3/action/{action}", headers=headers, json={key: resource["id"]})
            assert response.status_code in (403, 404), (action, response.body)
            assert FILLED["definisi"] not in response.body
        page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}", headers=headers, status=None)
        assert page.status_code in (403, 404) and FILLED["definisi"] not in page.body


# --- Completeness before submission -------------------------------------------------------------------------------

def _submit(app, token, dataset_id):
    return app.post("/api/3/action/satudata_transition", headers={"Authorization": token},
                    json={"id": dataset_id, "transition": "ajukan"})


def _describe_links(app, user, dataset):
    page = BeautifulSoup(app.get(f"/dataset/{dataset['name']}", headers={"Authorization": user["token"]}).body,
                         "html.parser")
    return [a["href"] for a in page.select("#satudata-status-strip .satudata-describe-tables a")]


def test_submission_is_refused_with_the_list_of_what_is_missing(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    response = _submit(app, sysadmin["token"], dataset["id"])
    assert response.status_code == 409, response.body
    message = response.json["error"]["id"][0]
    for column in ("Luas", "Penduduk", "Tahun"):
        assert f"kolom “{column}”" in message
    assert "kolom “Kecamatan”" not in message  # the loader knows what a column of kecamatan names holds
    assert "“Penduduk”: definisi, satuan" in message
    assert "“Luas”: definisi;" in message or message.endswith("“Luas”: definisi")
    assert transitions.current_state(dataset["id"]) == transitions.DRAF
    # The dataset page says so above it and links the table's Data Dictionary, where the columns are described.
    assert _describe_links(app, sysadmin, dataset) == [f"/dataset/{dataset['name']}/dictionary/{resource['id']}"]

    _write(resource["id"], {column: {"definisi": f"Definisi {column}."}
                            for column in ("Kecamatan", "Luas (km²)", "Penduduk", "Tahun")})
    message = _submit(app, sysadmin["token"], dataset["id"]).json["error"]["id"][0]
    assert "“Penduduk”: satuan" in message and "kolom “Luas”" not in message
    # a count of people typed as a code needs no unit
    _write(resource["id"], {"Penduduk": {"tipe_data": "kode"}})
    assert _describe_links(app, sysadmin, dataset) == []
    assert _submit(app, sysadmin["token"], dataset["id"]).status_code == 200
    assert transitions.current_state(dataset["id"]) == transitions.DIAJUKAN


@pytest.mark.ckan_config("ckanext.satudata_blitar.completeness.enforce", "false")
def test_the_walidata_can_relax_the_rule_during_migration(app, sysadmin, organization, dataset, queue,
                                                           with_test_worker):
    _load(app, sysadmin["token"], dataset, queue)
    assert _submit(app, sysadmin["token"], dataset["id"]).status_code == 200
    # the verifier's queue still shows what is missing, per form
    verifier = ckan_factories.User()
    helpers.call_action("organization_member_create", id=organization["id"], username=verifier["name"],
                        role="verifikator")
    [item] = helpers.call_action("satudata_verification_queue", context={"user": verifier["name"]})
    [result] = [r for r in item["completeness"] if r["form"] == "ms_var"]
    assert not result["complete"] and any("“Penduduk”" in line for line in result["missing"])


def test_the_workflow_panel_shows_the_completeness_per_form(app, sysadmin, dataset, queue, with_test_worker):
    _load(app, sysadmin["token"], dataset, queue)
    page = BeautifulSoup(app.get(f"/dataset/{dataset['name']}", headers={"Authorization": sysadmin["token"]}).body,
                         "html.parser")
    item = page.select_one(".satudata-completeness [data-form=ms_var]")
    assert item is not None and "belum lengkap" in item.text and "Penduduk" in item.text


# --- The metadata file: sheet MS-Var ------------------------------------------------------------------------------

def _workbook(body):
    import openpyxl
    return openpyxl.load_workbook(io.BytesIO(body))


def _xlsx_bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(app, token, dataset, content):
    return app.post("/api/3/action/satudata_metadata_import", headers={"Authorization": token},
                    data={"id": dataset["id"], "upload": (io.BytesIO(content), "metadata.xlsx")})


def test_the_metadata_file_has_an_ms_var_row_per_column(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    _write(resource["id"], {"Luas (km²)": FILLED})
    book = _workbook(app.get(f"/dataset/{dataset['name']}/metadata.xlsx",
                             headers={"Authorization": sysadmin["token"]}).get_data())
    assert book.sheetnames == ["MS-Keg", "MS-Ind", "MS-Var"]
    rows = list(book["MS-Var"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Tabel", "ID Tabel", "Kolom", "Nama variabel")
    assert len(rows[0]) == 3 + len(ms_var.KEYS) and rows[0][6] == "Definisi" and rows[0][12] == "Satuan"
    # kode_wilayah: the region codes the upload check adds beside the kecamatan (tables/wilayah_columns.py)
    assert [row[2] for row in rows[1:]] == ["Kecamatan", "Luas (km²)", "Penduduk", "Tahun", "kode_wilayah"]
    luas = dict(zip(ms_var.KEYS, rows[2][3:]))
    assert rows[2][:2] == ("Luas 2024", resource["id"])
    assert luas["tipe_data"] == "Bilangan desimal" and luas["akses_publik"] == "Ya"
    assert {k: v for k, v in luas.items() if k not in ("tipe_data", "akses_publik")} == \
        {k: v for k, v in FILLED.items() if k not in ("tipe_data", "akses_publik")}


def test_every_key_round_trips_through_the_metadata_file(app, sysadmin, dataset, queue, with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    book = _workbook(app.get(f"/dataset/{dataset['name']}/metadata.xlsx",
                             headers={"Authorization": sysadmin["token"]}).get_data())
    sheet = book["MS-Var"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "Penduduk")
    values = {**FILLED, "tipe_data": "Bilangan bulat", "akses_publik": "Tidak", "satuan": "jiwa",
              "nama_variabel": "Jumlah Penduduk"}
    for cell, key in zip(row[3:], ms_var.KEYS):
        cell.value = values[key]
    response = _import(app, sysadmin["token"], dataset, _xlsx_bytes(book))
    assert response.status_code == 200, response.body
    stored = _info(resource["id"])["Penduduk"]
    assert {key: stored[key] for key in ms_var.KEYS} == {**values, "tipe_data": "bilangan_bulat",
                                                           "akses_publik": "tidak"}
    assert stored["label"] == "Jumlah Penduduk" and stored["notes"] == FILLED["definisi"]
    # the other columns are as they were
    assert _info(resource["id"])["Luas (km²)"]["satuan"] == "km²"


def test_wrong_ms_var_rows_are_reported_by_row_and_nothing_is_saved(app, sysadmin, dataset, queue,
                                                                     with_test_worker):
    resource = _load(app, sysadmin["token"], dataset, queue)
    book = _workbook(app.get(f"/dataset/{dataset['name']}/metadata.xlsx",
                             headers={"Authorization": sysadmin["token"]}).get_data())
    title = next(row for row in book["MS-Ind"].iter_rows(min_row=2) if row[0].value == "Judul")
    title[1].value = "Judul Baru"
    sheet = book["MS-Var"]
    sheet.append(["Luas 2024", resource["id"], "Tidak Ada", "x"])
    sheet["J3"] = "angka"  # tipe_data of the row of Luas (km²)
    response = _import(app, sysadmin["token"], dataset, _xlsx_bytes(book))
    assert response.status_code == 409
    errors = response.json["error"]["MS-Var"]
    assert any("baris 7" in e and "Tidak Ada" in e for e in errors), errors  # after 5 columns' rows
    assert any("baris 3" in e and "Tipe data" in e for e in errors), errors
    assert helpers.call_action("package_show", id=dataset["id"])["title"] != "Judul Baru"
    assert _info(resource["id"])["Luas (km²)"]["tipe_data"] == "desimal"


# --- The data template: sheet MS-Var filled beside the data ---------------------------------------------------------

def test_the_ms_var_sheet_of_the_data_template_goes_into_the_dictionary(app, sysadmin, dataset, queue,
                                                                        with_test_worker):
    book = _workbook(app.get(f"/dataset/{dataset['name']}/template.xlsx",
                             headers={"Authorization": sysadmin["token"]}).get_data())
    assert [cell.value for cell in book["Data"][1]] == ["Wilayah", "Tahun", "Nilai (jiwa)"]
    variables = {row[2].value: row for row in book["MS-Var"].iter_rows(min_row=2)}
    assert list(variables) == ["Wilayah", "Tahun", "Nilai (jiwa)"]
    measure = dict(zip(ms_var.KEYS, (cell.value for cell in variables["Nilai (jiwa)"][3:])))
    # the measure is described by the dataset's own metadata, the year by its unit
    assert (measure["nama_variabel"], measure["satuan"], measure["definisi"]) == (
        "Nilai", "jiwa", satudata_factories.REQUIRED_METADATA["definisi"])
    assert dict(zip(ms_var.KEYS, (c.value for c in variables["Tahun"][3:])))["satuan"] == "tahun"
    # the operator fills the data and the definitions left open, with a wrong type that is left out
    book["Data"].append(["Kota Blitar", 2024, 150000])
    definisi, tipe = 3 + ms_var.KEYS.index("definisi"), 3 + ms_var.KEYS.index("tipe_data")
    variables["Wilayah"][definisi].value = "Wilayah administrasi Kota Blitar."
    variables["Tahun"][definisi].value = "Tahun keadaan data."
    variables["Tahun"][tipe].value = "angka"
    variables["Nilai (jiwa)"][tipe].value = "Bilangan bulat"
    response = app.post("/api/3/action/resource_create", headers={"Authorization": sysadmin["token"]},
                        data={"package_id": dataset["id"], "name": "Data 2024",
                              "upload": (io.BytesIO(_xlsx_bytes(book)), "data.xlsx")})
    resource = response.json["result"]
    jobs.Worker().work(burst=True)
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] in ("ok", "warning")

    info = _info(resource["id"])
    assert info["Wilayah"]["definisi"] == info["Wilayah"]["notes"] == "Wilayah administrasi Kota Blitar."
    assert info["Tahun"]["tipe_data"] == "bilangan_bulat"  # detected; "angka" is no type
    assert (info["Nilai (jiwa)"]["nama_variabel"], info["Nilai (jiwa)"]["tipe_data"]) == ("Nilai",
                                                                                          "bilangan_bulat")
    assert _submit(app, sysadmin["token"], dataset["id"]).status_code == 200
