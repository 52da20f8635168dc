"""What the page-speed work remembers is remembered for one request only (request_cache.py): after a withdrawal the
public pages a visitor opens no longer show the dataset, in the same process that served them before (a cache
kept across requests would show it still). And the role dashboard's queue, asked without the files and the
completeness it does not show, lists the same datasets."""
from __future__ import annotations

import pytest

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests import factories as satudata_factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

FIELDS = [{"id": "Kecamatan", "type": "text"}, {"id": "Tahun", "type": "int"}, {"id": "Jumlah", "type": "numeric"}]
RECORDS = [{"Kecamatan": "Sukorejo", "Tahun": 2023, "Jumlah": 110}, {"Kecamatan": "Sukorejo", "Tahun": 2024,
                                                                      "Jumlah": 120}]


@pytest.fixture
def published_table(organization, sysadmin):
    """A published dataset with a DataStore table and its chart view, as a load leaves one."""
    dataset = satudata_factories.Dataset(name="penduduk-ditarik", title="Penduduk Ditarik",
                                         owner_org=organization["id"])
    resource = factories.Resource(package_id=dataset["id"], name="penduduk", url="http://example.com/x.csv")
    helpers.call_action("datastore_create", context={"user": helpers.call_action("get_site_user")["name"]},
                        resource_id=resource["id"], fields=FIELDS, records=RECORDS, force=True)
    view = helpers.call_action("resource_view_create", context={"user": sysadmin["name"]},
                               resource_id=resource["id"], view_type="satudata_chart", title="Grafik")
    satudata_factories.published(dataset)
    return dataset, resource, view


def public_pages(dataset, resource, view, organization):
    """The pages a visitor reaches the dataset by, each with what shows the dataset on it."""
    resource_page = f"/dataset/{dataset['name']}/resource/{resource['id']}"
    return {
        "dataset page": (f"/dataset/{dataset['name']}", "Penduduk Ditarik"),
        "resource page": (resource_page, "satudata-table-downloads"),
        "chart view": (f"{resource_page}?view_id={view['id']}", 'class="satudata-chart"'),
        "search": ("/dataset/", "penduduk-ditarik"),
        "topic page": ("/topik/kesehatan", "penduduk-ditarik"),
        "OPD page": (f"/organization/{organization['name']}", "penduduk-ditarik"),
        "home": ("/", "penduduk-ditarik"),
    }


def shown(app, pages):
    """The pages that show the dataset to a visitor (a refused or missing page shows nothing)."""
    found = set()
    for name, (path, mark) in pages.items():
        response = app.get(path, status=None)
        if response.status_code == 200 and mark in response.body:
            found.add(name)
    return found


def test_a_withdrawn_dataset_leaves_every_public_page_at_once(app, organization, sysadmin, published_table):
    dataset, resource, view = published_table
    pages = public_pages(dataset, resource, view, organization)
    assert shown(app, pages) == set(pages)  # each page asked once: whatever a page remembers is now remembered
    assert shown(app, pages) == set(pages)

    walidata = factories.Sysadmin()
    helpers.call_action("satudata_transition", context={"user": walidata["name"]}, id=dataset["id"],
                        transition="tarik", note="Ditarik untuk diperbaiki")

    assert shown(app, pages) == set()


def test_the_dashboards_queue_lists_the_same_datasets_without_their_checks(app, organization, sysadmin):
    dataset = satudata_factories.with_loaded_data(satudata_factories.Dataset(owner_org=organization["id"]))
    helpers.call_action("satudata_transition", context={"user": sysadmin["name"]}, id=dataset["id"],
                        transition="ajukan")
    full = helpers.call_action("satudata_verification_queue", context={"user": sysadmin["name"]})
    light = helpers.call_action("satudata_verification_queue", context={"user": sysadmin["name"]}, checks=False)
    assert [item["id"] for item in full] == [dataset["id"]]
    assert full[0]["files"] and full[0]["completeness"]
    assert [{**item, "files": [], "completeness": []} for item in full] == light

    body = app.get("/dasbor", headers={"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}).body
    assert dataset["title"] in body
