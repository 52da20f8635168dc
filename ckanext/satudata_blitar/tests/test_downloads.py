"""Nothing a user downloads is dangerous: a title, an OPD's name, a data element's name or a table cell that begins
like a formula ("=…", or arithmetic such as "-2+3") is text in every spreadsheet and CSV the portal produces: never
a formula cell in an .xlsx, always with a leading ' in a CSV/TSV. One test per download (files/workbooks.py writes
them all)."""
import csv
import datetime
import io

import openpyxl
import pytest

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.files import safety
from ckanext.satudata_blitar.tests import world as world_module

YEAR = datetime.date.today().year
OPD_TITLE = '=HYPERLINK("http://evil.example/","Dinas")'
TITLE = "-2+3 Penduduk"
ELEMENT = "=1+1 Jumlah sekolah"
CELL = "=cmd|' /C calc'!A0"
ARITHMETIC = "-2+3"


def _extend(world):
    sysadmin = {"user": world.name("sysadmin")}
    opd = helpers.call_action("organization_create", context=sysadmin, name="opd-rumus", title=OPD_TITLE)
    world.orgs["opd-rumus"] = opd
    dataset = helpers.call_action("package_create", context=sysadmin,
                                  **{**world_module._body(world, "data-rumus"), "owner_org": opd["id"],
                                     "title": TITLE, "ukuran": "=1+1", "satuan": ARITHMETIC})
    resource = helpers.call_action("resource_create", context=sysadmin, package_id=dataset["id"], name="Data",
                                   url="http://example.com/data.csv", format="CSV")
    helpers.call_action("datastore_create", context=sysadmin, resource_id=resource["id"], force=True,
                        fields=[{"id": "wilayah", "type": "text"}, {"id": "catatan", "type": "text"},
                                {"id": "jumlah", "type": "int"}],
                        records=[{"wilayah": CELL, "catatan": ARITHMETIC, "jumlah": -5}])
    helpers.call_action("satudata_data_element_create", context=sysadmin, tahun=YEAR, owner_org=opd["id"],
                        nama=ELEMENT, definisi=ARITHMETIC, package_id=dataset["id"])
    world.formula_dataset, world.formula_resource = dataset, resource


pytestmark = pytest.mark.world(extend=_extend)


def _get(app, world, url):
    response = app.get(url, headers=world.token("sysadmin"), status=None)
    assert response.status_code == 200, (url, response.status_code)
    return response.data


def _xlsx_cells(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def _assert_safe_xlsx(data, *expected):
    cells = _xlsx_cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == [], "a formula cell"
    texts = " | ".join(str(c.value) for c in cells)
    for text in expected:  # the dangerous text is there, as text (so the test can fail)
        assert text in texts, text


def _assert_safe_csv(data, delimiter, *expected):
    text = data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    assert [c for c in cells if safety.is_formula_like(c)] == []
    for value in expected:
        assert "'" + value in cells or any(c.startswith("'" + value) for c in cells), value


@pytest.mark.parametrize("kind, expected", [("monitoring", [OPD_TITLE]), ("evaluation", [OPD_TITLE, TITLE])])
def test_report_xlsx(app, world, kind, expected):
    _assert_safe_xlsx(_get(app, world, f"/laporan/{kind}.xlsx?period={YEAR}"), *expected)


@pytest.mark.parametrize("kind, expected", [("monitoring", [OPD_TITLE]), ("evaluation", [OPD_TITLE, TITLE])])
def test_report_csv(app, world, kind, expected):
    _assert_safe_csv(_get(app, world, f"/laporan/{kind}.csv?period={YEAR}"), ";", *expected)  # Indonesian: `;`


def test_data_elements_of_a_year_xlsx(app, world):
    _assert_safe_xlsx(_get(app, world, f"/elemen-data/{YEAR}.xlsx"), ELEMENT, OPD_TITLE, ARITHMETIC)


def test_data_elements_template_xlsx(app, world):
    _assert_safe_xlsx(_get(app, world, "/elemen-data/template.xlsx"), OPD_TITLE)


def test_metadata_xlsx(app, world):
    _assert_safe_xlsx(_get(app, world, f"/dataset/{world.formula_dataset['id']}/metadata.xlsx"), TITLE, ARITHMETIC)


def test_data_template_xlsx(app, world):
    _assert_safe_xlsx(_get(app, world, f"/dataset/{world.formula_dataset['id']}/template.xlsx"), "=1+1")


def test_datastore_data_xlsx(app, world):
    url = f"/dataset/{world.formula_dataset['id']}/resource/{world.formula_resource['id']}/data.xlsx"
    _assert_safe_xlsx(_get(app, world, url), CELL, ARITHMETIC)


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_datastore_dumps(app, world, fmt, delimiter):
    data = _get(app, world, f"/datastore/dump/{world.formula_resource['id']}?format={fmt}")
    _assert_safe_csv(data, delimiter, CELL, ARITHMETIC)
    assert "-5" in data.decode("utf-8-sig")  # a negative number stays a number


def test_datastore_search_records_format_csv(app, world):
    result = app.post("/api/3/action/datastore_search", headers=world.token("sysadmin"),
                      json={"resource_id": world.formula_resource["id"], "records_format": "csv"}).json["result"]
    _assert_safe_csv(result["records"].encode(), ",", CELL, ARITHMETIC)
