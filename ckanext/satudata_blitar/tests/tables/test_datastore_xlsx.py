"""A DataStore table as .xlsx (/dataset/<id>/resource/<rid>/data.xlsx): typed cells, formula-like text kept as
text (never a formula cell), paging, and the workflow's visibility rules."""
from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tables import datastore_xlsx
from ckanext.satudata_blitar.tests import factories as satudata_factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FIELDS = [{"id": "Kecamatan", "type": "text"}, {"id": "Tahun", "type": "int"},
          {"id": "Jumlah", "type": "numeric"}, {"id": "Tanggal", "type": "date"},
          {"id": "Catatan", "type": "text"}]
RECORDS = [
    {"Kecamatan": "Sukorejo", "Tahun": 2023, "Jumlah": 12345.5, "Tanggal": "2023-12-31",
     "Catatan": "=HYPERLINK(\"http://x\",\"klik\")"},
    {"Kecamatan": "Sananwetan", "Tahun": 2024, "Jumlah": 7, "Tanggal": None, "Catatan": "+62 342 801234"},
    {"Kecamatan": "@SUM(A1)", "Tahun": 2024, "Jumlah": -5, "Tanggal": "2024-08-17", "Catatan": "-5"},
    {"Kecamatan": "Kepanjenkidul", "Tahun": None, "Jumlah": None, "Tanggal": None, "Catatan": "-cmd|' /C calc'!A0"},
    {"Kecamatan": "Sukorejo", "Tahun": 2025, "Jumlah": 1, "Tanggal": None, "Catatan": "-2+3"},
]


@pytest.fixture
def table(organization):
    dataset = satudata_factories.Dataset(name="penduduk-kecamatan", owner_org=organization["id"])
    resource = factories.Resource(package_id=dataset["id"], name="penduduk.csv", url="http://example.com/x.csv")
    # As the site user, as loads write tables (CKAN 2.12's datastore_create records an activity: it needs a user).
    helpers.call_action("datastore_create", context={"user": helpers.call_action("get_site_user")["name"]},
                        resource_id=resource["id"], fields=FIELDS, records=RECORDS, force=True)
    return dataset, resource


def url(dataset, resource):
    return f"/dataset/{dataset['name']}/resource/{resource['id']}/data.xlsx"


def rows_of(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Data"]
    cells = [cell for row in workbook["Data"].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula cell"
    return [tuple(cell.value for cell in row) for row in workbook["Data"].iter_rows()]


def test_xlsx_download_typed_and_formulas_kept_as_text(app, sysadmin, table):
    dataset, resource = table
    response = app.get(url(dataset, resource), headers={"Authorization": sysadmin["token"]})

    assert response.headers["Content-Disposition"].endswith("penduduk-csv.xlsx")
    rows = rows_of(response)
    assert rows[0] == ("Kecamatan", "Tahun", "Jumlah", "Tanggal", "Catatan")
    assert rows[1] == ("Sukorejo", 2023, 12345.5, datetime.datetime(2023, 12, 31), "=HYPERLINK(\"http://x\",\"klik\")")
    assert rows[2] == ("Sananwetan", 2024, 7, None, "+62 342 801234")
    assert rows[3] == ("@SUM(A1)", 2024, -5, datetime.datetime(2024, 8, 17), "-5")
    assert rows[4] == ("Kepanjenkidul", None, None, None, "-cmd|' /C calc'!A0")
    assert rows[5] == ("Sukorejo", 2025, 1, None, "-2+3")
    assert len(rows) == 6
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert workbook.active["D2"].number_format == "[$-421]d mmmm yyyy"  # 31 Desember 2023, still a date


def test_xlsx_download_pages_through_the_table(sysadmin, table):
    _dataset, resource = table
    calls = []

    def search(data_dict):
        calls.append(data_dict["offset"])
        return helpers.call_action("datastore_search", **data_dict)

    workbook = openpyxl.load_workbook(datastore_xlsx.write(search, resource["id"], page_size=3))
    assert calls == [0, 3]
    assert [row[0].value for row in workbook["Data"].iter_rows(min_row=2)] == [
        "Sukorejo", "Sananwetan", "@SUM(A1)", "Kepanjenkidul", "Sukorejo"]


def test_xlsx_download_follows_dataset_visibility(app, table):
    dataset, resource = table
    assert app.get(url(dataset, resource)).status_code in (403, 404)
    satudata_factories.published(dataset)
    assert len(rows_of(app.get(url(dataset, resource), status=200))) == 1 + len(RECORDS)


def test_xlsx_download_of_a_resource_without_table_or_of_another_dataset(app, sysadmin, table):
    dataset, resource = table
    headers = {"Authorization": sysadmin["token"]}
    other = satudata_factories.Dataset(owner_org=dataset["owner_org"])
    app.get(url(other, resource), headers=headers, status=404)
    plain = factories.Resource(package_id=dataset["id"], url="http://example.com/y.pdf")
    app.get(url(dataset, plain), headers=headers, status=404)


def test_resource_page_links_xlsx_csv_json(app, sysadmin, table):
    dataset, resource = table
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}",
                   headers={"Authorization": sysadmin["token"]}).body
    assert url(dataset, resource) in page
    assert f"/datastore/dump/{resource['id']}?format=csv&amp;bom=True" in page
    assert f"/datastore/dump/{resource['id']}?format=json" in page
