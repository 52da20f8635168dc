"""The upload check offers the OPD to store region names as the Kepmendagri list writes them: a button for whoever
may change the table (the Operator Data while the dataset is Draf or Perlu Perbaikan), a reload through the real
queue and worker, the official names in the DataStore table and the uploaded file unchanged."""
from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup

import ckan.lib.jobs as jobs
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests import table_samples as samples
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

pytestmark = pytest.mark.world(states=[transitions.TERBIT])

ROWS = [["Kecamatan", "Jumlah"], ["Kec. Sukorejo", 1], ["Kepanjen Kidul", 2], ["Sananwetan", 3]]


@pytest.fixture
def queue(with_test_worker):
    q = jobs.get_queue()
    q.empty()
    yield q
    q.empty()


def _run(queue):
    jobs.Worker().work(burst=True)


def _upload(app, world, dataset, data):
    response = app.post("/api/3/action/resource_create", headers=world.token("operator"),
                        data={"package_id": dataset["id"], "name": "Penduduk", "format": "XLSX",
                              "upload": (io.BytesIO(data), "penduduk.xlsx")})
    assert response.status_code == 200, response.body
    return response.json["result"]


def _button(page):
    return BeautifulSoup(page, "html.parser").select_one("form.satudata-official-names")


def _check(resource_id):
    return helpers.call_action("satudata_upload_check", id=resource_id)


def test_the_operator_stores_the_official_names_from_the_report(app, world, queue):
    dataset = helpers.call_action("package_create", context={"user": world.name("operator")},
                                  **world_module._body(world, "penduduk-nama-resmi"))
    data = samples.xlsx(ROWS)
    resource = _upload(app, world, dataset, data)
    _run(queue)
    assert {i["value"] for i in _check(resource["id"])["issues"] if i["code"] == "wilayah_name_unofficial"} == {
        "Kec. Sukorejo", "Kepanjen Kidul"}

    url = f"/dataset/{dataset['name']}/resource/{resource['id']}"
    operator = world_module.logged_in(app, world, "operator")
    page = operator.get(url).body
    form = _button(page)
    assert form is not None and "Kepanjenkidul" in page
    # the verifier sees the report, not the offer, and may not post it
    verifier = world_module.logged_in(app, world, "verifikator_opd")
    assert _button(verifier.get(url).body) is None
    refused = app.post("/api/3/action/satudata_official_names", json={"id": resource["id"]},
                       headers=world.token("verifikator_opd"), status=None)
    assert refused.status_code == 403

    posted = operator.post(form["action"], data={"_csrf_token": world_module.csrf_token(page)},
                           follow_redirects=False)
    assert posted.status_code == 302, posted.status_code
    _run(queue)

    check = _check(resource["id"])
    assert check["status"] == "ok", check["issues"]
    assert {i["value"]: i["params"]["official"] for i in check["issues"]
            if i["code"] == "wilayah_name_stored_official"} == {"Kec. Sukorejo": "Sukorejo",
                                                               "Kepanjen Kidul": "Kepanjenkidul"}
    records = helpers.call_action("datastore_search", resource_id=resource["id"], sort="_id")["records"]
    assert [(r["Kecamatan"], r["kode_wilayah"]) for r in records] == [
        ("Sukorejo", "35.72.02"), ("Kepanjenkidul", "35.72.01"), ("Sananwetan", "35.72.03")]
    assert _button(operator.get(url).body) is None
    # the uploaded file is kept as it was
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert app.get(shown["url"].replace("http://test.ckan.net", ""), headers=world.token("operator")).data == data


def test_a_published_table_is_not_changed_by_the_offer(app, world, queue):
    published = world.datasets[transitions.TERBIT]
    resource_id = published["resources"][0]["id"]
    for viewer in ("operator", "walidata", "anonymous"):
        response = app.post("/api/3/action/satudata_official_names", json={"id": resource_id},
                            headers=world.token(viewer), status=None)
        assert response.status_code == 403, (viewer, response.body)
    assert not queue.get_jobs()
