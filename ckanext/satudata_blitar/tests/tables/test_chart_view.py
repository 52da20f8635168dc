"""The satudata_chart resource view: settings and defaults, the server-side SVG, and who sees it."""
from __future__ import annotations

import re

import pytest

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar import plugins
from ckanext.satudata_blitar.tables import chart_view
from ckanext.satudata_blitar.tests import factories as satudata_factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FIELDS = [{"id": "Kecamatan", "type": "text"}, {"id": "Tahun", "type": "int"}, {"id": "Jumlah", "type": "numeric"}]
RECORDS = [
    {"Kecamatan": "Sukorejo", "Tahun": 2022, "Jumlah": 100},
    {"Kecamatan": "Sukorejo", "Tahun": 2023, "Jumlah": 110},
    {"Kecamatan": "Sukorejo", "Tahun": 2024, "Jumlah": 120},
    {"Kecamatan": "Sananwetan", "Tahun": 2023, "Jumlah": 90},
    {"Kecamatan": "Sananwetan", "Tahun": 2024, "Jumlah": None},
    {"Kecamatan": "<Kepanjenkidul>", "Tahun": 2024, "Jumlah": 75.5},
]


@pytest.fixture
def table(organization):
    dataset = satudata_factories.Dataset(name="penduduk-kecamatan", owner_org=organization["id"])
    resource = factories.Resource(package_id=dataset["id"], name="penduduk", url="http://example.com/x.csv")
    # As the site user, as loads write tables (CKAN 2.12's datastore_create records an activity: it needs a user).
    helpers.call_action("datastore_create", context={"user": helpers.call_action("get_site_user")["name"]},
                        resource_id=resource["id"], fields=FIELDS, records=RECORDS, force=True)
    return dataset, resource


def create_view(user, resource, **settings):
    return helpers.call_action("resource_view_create", context={"user": user["name"]}, resource_id=resource["id"],
                               view_type="satudata_chart", title="Grafik", **settings)


def series_of(body):
    """{series name: (point count, number of <rect>, whether it has a <path>)} from the page's SVG."""
    out = {}
    for name, count, inner in re.findall(
            r'<g class="series" data-series="([^"]*)" data-points="(\d+)"[^>]*>(.*?)</g>', body, re.S):
        out[name] = (int(count), inner.count("<rect"), inner.count("<path"))
    return out


def view_url(dataset, resource, view):
    return f"/dataset/{dataset['name']}/resource/{resource['id']}/view/{view['id']}"


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_chart_has_one_group_per_split_value_visible_once_published(app, sysadmin, table, kind):
    dataset, resource = table
    view = create_view(sysadmin, resource, x="Tahun", y="Jumlah", split="Kecamatan", kind=kind)
    assert view["kind"] == kind

    assert app.get(view_url(dataset, resource, view)).status_code in (403, 404)
    satudata_factories.published(dataset)
    body = app.get(view_url(dataset, resource, view), status=200).body

    assert "<svg" in body
    groups = series_of(body)
    if kind == "line":
        assert groups == {"Sukorejo": (3, 0, 1), "Sananwetan": (1, 0, 1), "&lt;Kepanjenkidul&gt;": (1, 0, 1)}
    else:
        assert groups == {"Sukorejo": (3, 3, 0), "Sananwetan": (1, 1, 0), "&lt;Kepanjenkidul&gt;": (1, 1, 0)}
    assert "<Kepanjenkidul>" not in body


def test_chart_defaults_to_tahun_and_first_numeric_column(app, sysadmin, table):
    dataset, resource = table
    view = create_view(sysadmin, resource)
    body = app.get(view_url(dataset, resource, view), headers={"Authorization": sysadmin["token"]}).body
    assert series_of(body) == {"Jumlah": (3, 0, 1)}


def test_defaults_and_series():
    fields = [{"id": "wilayah", "type": "text"}, {"id": "tahun", "type": "int"}, {"id": "nilai", "type": "numeric"}]
    assert chart_view.defaults({}, fields) == {"x": "tahun", "y": "nilai", "split": "", "kind": "line"}
    assert chart_view.defaults({"x": "wilayah", "split": "wilayah", "kind": "pie"}, fields) == {
        "x": "wilayah", "y": "tahun", "split": "", "kind": "line"}
    categories, data = chart_view.series(
        [{"tahun": 2024, "nilai": "1.5"}, {"tahun": 2023, "nilai": 2}, {"tahun": 2022, "nilai": None}],
        "tahun", "nilai", "")
    assert categories == [2023, 2024]
    assert data == {"nilai": {2024: 1.5, 2023: 2.0}}


def test_chart_view_offered_for_datastore_resources_only(table):
    _dataset, resource = table
    plugin = plugins.SatudataChartView()
    assert plugin.can_view({"resource": {**resource, "datastore_active": True}})
    assert not plugin.can_view({"resource": {"id": "x", "datastore_active": False}})


def test_the_y_axis_is_labelled_at_round_values(app, sysadmin, table):
    dataset, resource = table
    view = create_view(sysadmin, resource, x="Tahun", y="Jumlah", kind="bar")
    body = app.get(view_url(dataset, resource, view), headers={"Authorization": sysadmin["token"]}).body
    assert re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', body) == ["0", "20", "40", "60", "80", "100"]
    assert chart_view.ticks(0, 58774) == [0, 20000, 40000, 60000]
    assert chart_view.ticks(-3.2, 17.5) == [-5, 0, 5, 10, 15, 20]


def test_the_chart_form_has_real_selects(app, sysadmin, table):
    dataset, resource = table
    body = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}/new_view?view_type=satudata_chart",
                   headers={"Authorization": sysadmin["token"]}).body
    for name in ("x", "y", "split", "kind"):
        assert re.search(rf'<select[^>]*id="field-{name}"[^>]*class="[^"]*form-select', body) or re.search(
            rf'<select[^>]*class="[^"]*form-select[^"]*"[^>]*id="field-{name}"', body), name


@pytest.mark.parametrize("fields, expected", [
    ([{"id": "Kecamatan", "type": "text"}, {"id": "Jumlah", "type": "int"}],
     {"x": "Kecamatan", "y": "Jumlah", "split": "", "kind": "bar"}),
    (FIELDS, {"x": "Tahun", "y": "Jumlah", "split": "Kecamatan", "kind": "line"}),
    ([{"id": "tahun", "type": "int"}, {"id": "nilai", "type": "numeric"}],
     {"x": "tahun", "y": "nilai", "split": "", "kind": "line"}),
    ([{"id": "Kecamatan", "type": "text"}, {"id": "Keterangan", "type": "text"}], None),
    ([{"id": "Jumlah", "type": "int"}], None),
])
def test_default_settings_need_a_category_and_a_number(fields, expected):
    assert chart_view.default_settings(fields) == expected
