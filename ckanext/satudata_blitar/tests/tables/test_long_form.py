"""A table with years as column headers in long form (/dataset/<id>/resource/<rid>/data-long.csv|.xlsx): the label
columns, `tahun`, `nilai`; written by the safe writer; offered only for such tables; as private as the resource."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests import factories as satudata_factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

# As the upload check loads "Kecamatan, Kelurahan, 2019, 2020, 2021" (issue 11, defect 5): a column per year.
FIELDS = [{"id": "Kecamatan", "type": "text"}, {"id": "Kelurahan", "type": "text"},
          {"id": "2019", "type": "int"}, {"id": "2020", "type": "int"}, {"id": "2021", "type": "int"}]
RECORDS = [{"Kecamatan": "Sukorejo", "Kelurahan": "Sukorejo", "2019": 5, "2020": 6, "2021": 7},
           {"Kecamatan": "Sukorejo", "Kelurahan": "=1+2", "2019": 8, "2020": None, "2021": 10}]


def _table(organization, fields, records, name="penduduk-tahun"):
    dataset = satudata_factories.Dataset(name=name, owner_org=organization["id"])
    resource = factories.Resource(package_id=dataset["id"], name="penduduk.xlsx", url="http://example.com/x.xlsx")
    # As the site user, as loads write tables (CKAN 2.12's datastore_create records an activity: it needs a user).
    helpers.call_action("datastore_create", context={"user": helpers.call_action("get_site_user")["name"]},
                        resource_id=resource["id"], fields=fields, records=records, force=True)
    return dataset, resource


EXPECTED = [["Kecamatan", "Kelurahan", "tahun", "nilai"],
            ["Sukorejo", "Sukorejo", 2019, 5], ["Sukorejo", "Sukorejo", 2020, 6], ["Sukorejo", "Sukorejo", 2021, 7],
            ["Sukorejo", "=1+2", 2019, 8], ["Sukorejo", "=1+2", 2020, None], ["Sukorejo", "=1+2", 2021, 10]]


def test_years_as_columns_download_in_long_form(app, sysadmin, organization):
    dataset, resource = _table(organization, FIELDS, RECORDS)
    auth = {"Authorization": sysadmin["token"]}
    base = f"/dataset/{dataset['name']}/resource/{resource['id']}"

    page = app.get(base, headers=auth).body
    assert f"{base}/data-long.csv" in page and f"{base}/data-long.xlsx" in page

    response = app.get(f"{base}/data-long.csv", headers=auth)
    assert response.headers["Content-Disposition"].endswith("penduduk-long.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    # CSV: text; the formula-like label gets the safe writer's leading apostrophe.
    assert rows == [[str(v) if v is not None else "" for v in row] for row in EXPECTED[:4]] + [
        ["Sukorejo", "'=1+2", "2019", "8"], ["Sukorejo", "'=1+2", "2020", ""], ["Sukorejo", "'=1+2", "2021", "10"]]

    workbook = openpyxl.load_workbook(io.BytesIO(app.get(f"{base}/data-long.xlsx", headers=auth).get_data()))
    sheet = workbook["Data"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == EXPECTED
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"], "a formula cell"


def test_long_form_only_for_tables_with_year_columns_and_only_for_who_sees_them(app, sysadmin, organization):
    dataset, resource = _table(organization, [{"id": "Kecamatan", "type": "text"}, {"id": "Jumlah", "type": "int"}],
                               [{"Kecamatan": "Sukorejo", "Jumlah": 5}], name="tanpa-tahun")
    base = f"/dataset/{dataset['name']}/resource/{resource['id']}"
    auth = {"Authorization": sysadmin["token"]}
    assert "data-long" not in app.get(base, headers=auth).body
    assert app.get(f"{base}/data-long.csv", headers=auth, status=None).status_code == 404

    private, private_resource = _table(organization, FIELDS, RECORDS)  # unpublished: private to the OPD
    assert app.get(f"/dataset/{private['name']}/resource/{private_resource['id']}/data-long.csv",
                   status=None).status_code == 404
