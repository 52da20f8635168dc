"""The metadata .xlsx on the web: download, blank template, upload forms on the dataset and the OPD pages."""
import io

import pytest
from openpyxl import load_workbook

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.files import workbooks
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import xlsx_samples
from ckanext.satudata_blitar.tests import world as world_module

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def dataset(organization):
    return satudata_factories.Dataset(name="jumlah-penduduk", owner_org=organization["id"],
                                      **xlsx_samples.FULL_METADATA)


@pytest.fixture
def operator(organization):
    """An Operator Data of the OPD (CKAN editor): may create and edit its datasets."""
    user = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=organization["id"], username=user["name"], role="editor")
    return user


def _auth(user):
    return {"Authorization": user["token"]}


def _cells(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2, max_col=2)}


def _upload(content, filename="metadata.xlsx"):
    return {"upload": (io.BytesIO(content), filename)}


def test_metadata_download(app, sysadmin, dataset):
    response = app.get(f"/dataset/{dataset['name']}/metadata.xlsx", headers=_auth(sysadmin))

    assert response.status_code == 200
    assert response.mimetype == workbooks.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == "attachment; filename=metadata-jumlah-penduduk.xlsx"
    cells = _cells(response.get_data())
    assert cells["Judul"] == dataset["title"]
    assert cells["Frekuensi Penerbitan"] == "Tahunan"


def test_metadata_download_in_english(app, sysadmin, dataset):
    response = app.get(f"/dataset/{dataset['name']}/metadata.xlsx?lang=en", headers=_auth(sysadmin))

    assert _cells(response.get_data())["Release frequency"] == "Yearly"


@pytest.mark.parametrize("path", ["/dataset/jumlah-penduduk/metadata.xlsx", "/dataset/tidak-ada/metadata.xlsx"])
def test_metadata_download_of_a_dataset_one_cannot_see_is_not_found(app, dataset, path):
    # New datasets are private drafts: an anonymous visitor does not see this one.
    assert app.get(path).status_code == 404


def test_blank_template_download_for_anyone(app):
    response = app.get("/dataset/metadata-template.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=metadata-template.xlsx"
    cells = _cells(response.get_data())
    assert "Judul" in cells and "Frekuensi Penerbitan" in cells
    assert set(cells.values()) == {None}


def test_dataset_page_links_the_download_and_the_upload_form(app, operator, dataset):
    body = app.get(f"/dataset/{dataset['name']}", headers=_auth(operator)).body

    assert f'href="/dataset/{dataset["name"]}/metadata.xlsx"' in body
    assert f'href="/dataset/{dataset["name"]}/metadata/import"' in body


def test_upload_form_on_the_dataset(app, operator, dataset):
    response = app.get(f"/dataset/{dataset['name']}/metadata/import", headers=_auth(operator))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.body
    assert 'name="_csrf_token"' in response.body
    assert 'href="/dataset/metadata-template.xlsx"' in response.body


def test_upload_form_is_not_for_those_who_cannot_see_the_dataset(app, dataset):
    user = factories.UserWithToken()

    assert app.get(f"/dataset/{dataset['name']}/metadata/import", headers=_auth(user)).status_code == 404
    assert app.post(f"/dataset/{dataset['name']}/metadata/import", headers=_auth(user),
                    data=_upload(b"")).status_code == 404


def test_upload_from_a_logged_in_browser_needs_the_forms_csrf_token(app, operator, dataset):
    # CKAN checks CSRF tokens for cookie sessions (API-token requests carry no cookie to forge); an API-token request
    # to the same view before does not exempt the view for others (CKAN 2.12.0 did: adapters.py).
    url = f"/dataset/{dataset['name']}/metadata/import"
    assert app.post(url, headers=_auth(operator), data=_upload(b"")).status_code in (200, 400)
    browser = app.test_client()  # one client keeps the session cookie across requests
    page = browser.get("/user/login")  # the login form has its token too (CKAN 2.12 checks every form)
    browser.post("/user/login", data={"login": operator["name"], "password": "correct123",
                                      "_csrf_token": world_module.csrf_token(page.body)})
    token = browser.get(url).get_data(as_text=True).split('name="_csrf_token" value="')[1].split('"')[0]
    content = browser.get(f"/dataset/{dataset['name']}/metadata.xlsx").get_data()
    content = xlsx_samples.set_value(content, "Satuan", "orang")

    assert browser.post(url, data=_upload(content)).status_code == 400
    assert helpers.call_action("package_show", id=dataset["id"])["satuan"] == "jiwa"

    response = browser.post(url, data={**_upload(content), "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 302
    assert helpers.call_action("package_show", id=dataset["id"])["satuan"] == "orang"


def test_upload_updates_the_dataset_and_returns_to_its_page(app, operator, sysadmin, dataset):
    content = app.get(f"/dataset/{dataset['name']}/metadata.xlsx", headers=_auth(operator)).get_data()
    content = xlsx_samples.set_value(content, "Satuan", "orang")

    response = app.post(f"/dataset/{dataset['name']}/metadata/import", headers=_auth(operator),
                        data=_upload(content), follow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dataset/{dataset['name']}")
    assert helpers.call_action("package_show", id=dataset["id"])["satuan"] == "orang"


@pytest.mark.parametrize("spoil, prefix, shown", [
    (lambda content: xlsx_samples.set_value(content, "Frekuensi Penerbitan", "Sewindu"), "",
     "Frekuensi Penerbitan"),
    (lambda content: xlsx_samples.set_value(content, "Frekuensi Penerbitan", "Sewindu"), "/en",
     "Release frequency"),
    (lambda content: xlsx_samples.set_value(content, "Email Kontak", "bukan-email"), "", "Email Kontak"),
    (lambda content: xlsx_samples.set_value(content, "Definisi", None), "", "Definisi"),
    (lambda content: b"kecamatan,jumlah\n", "/en", "The file is not an .xlsx workbook"),
])
def test_a_refused_upload_shows_the_errors_by_field_and_saves_nothing(app, operator, dataset, spoil, prefix, shown):
    before = helpers.call_action("package_show", id=dataset["id"])
    content = app.get(f"/dataset/{dataset['name']}/metadata.xlsx", headers=_auth(operator)).get_data()
    content = spoil(xlsx_samples.set_value(content, "Satuan", "orang"))

    response = app.post(f"{prefix}/dataset/{dataset['name']}/metadata/import", headers=_auth(operator),
                        data=_upload(content))

    assert response.status_code == 200
    assert 'id="metadata-import-errors"' in response.body
    errors = response.body.split('id="metadata-import-errors"')[1].split("</div>")[0]
    assert shown in errors
    assert helpers.call_action("package_show", id=dataset["id"]) == before


def test_opd_page_offers_a_new_dataset_from_a_metadata_file_to_its_operators(app, operator, organization):
    link = f'href="/organization/{organization["name"]}/dataset-from-metadata"'

    assert link in app.get(f"/organization/{organization['name']}", headers=_auth(operator)).body
    assert link not in app.get(f"/organization/{organization['name']}").body


def test_new_dataset_form_is_only_for_those_who_may_create(app, operator, organization):
    url = f"/organization/{organization['name']}/dataset-from-metadata"

    assert app.get(url, headers=_auth(operator)).status_code == 200
    assert app.get(url, headers=_auth(factories.UserWithToken())).status_code == 403
    assert app.get("/organization/tidak-ada/dataset-from-metadata", headers=_auth(operator)).status_code == 404


def test_new_dataset_from_a_filled_template(app, operator, organization):
    content = app.get("/dataset/metadata-template.xlsx").get_data()
    for label, value in {"Judul": "Angka Kematian Bayi", "Deskripsi": "AKB.", "Urusan Pemerintahan": "Kesehatan",
                         "Definisi": "Kematian bayi per 1.000 kelahiran hidup.", "Satuan": "per 1.000",
                         "Tahun Data Awal": 2019, "Tahun Data Akhir": 2024, "Frekuensi Penerbitan": "Tahunan",
                         "Cara Pengumpulan Data": "Survei", "Sumber Data": "Dinas Kesehatan",
                         "Sifat Data": "Terbuka"}.items():
        content = xlsx_samples.set_value(content, label, value)

    response = app.post(f"/organization/{organization['name']}/dataset-from-metadata", headers=_auth(operator),
                        data=_upload(content), follow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dataset/angka-kematian-bayi")
    created = helpers.call_action("package_show", id="angka-kematian-bayi")
    assert (created["owner_org"], created["urusan"], created["cara_pengumpulan"]) == (
        organization["id"], "kesehatan", "survei")


def test_new_dataset_from_a_bad_file_shows_errors_and_creates_nothing(app, operator, organization):
    content = xlsx_samples.set_value(app.get("/dataset/metadata-template.xlsx").get_data(), "Judul", "Data")

    response = app.post(f"/organization/{organization['name']}/dataset-from-metadata", headers=_auth(operator),
                        data=_upload(content))

    assert response.status_code == 200
    errors = response.body.split('id="metadata-import-errors"')[1].split("</div>")[0]
    assert "Definisi" in errors and "Sifat Data" in errors
    assert helpers.call_action("package_search", include_private=True, include_drafts=True)["count"] == 0
