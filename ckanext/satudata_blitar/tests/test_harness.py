"""The test harness is real: PostgreSQL, Solr, Redis and the DataStore answer, and the plugin's pages render."""
import io

import pytest

import ckan.lib.jobs as jobs
import ckan.lib.search as search
import ckan.plugins.toolkit as tk
import ckan.tests.factories as factories

from ckanext.satudata_blitar.tests import factories as satudata_factories
import ckan.tests.helpers as helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _api(app, action, token, **data):
    response = app.post(f"/api/3/action/{action}", json=data, headers={"Authorization": token})
    assert response.status_code == 200, response.body
    return response.json["result"]


def test_solr_is_the_real_server_with_ckans_schema():
    assert search.check_solr_schema_version() is True
    assert "ckan" in tk.config["solr_url"]


def test_dataset_created_through_the_api_is_found_with_facet_counts(app, sysadmin, organization):
    other = factories.Organization(name="bappeda")
    for name, org in [("angka-kematian-bayi", organization), ("imunisasi-dasar", organization),
                      ("rencana-pembangunan", other)]:
        _api(app, "package_create", sysadmin["token"], name=name, title=name.replace("-", " ").title(),
             notes="Data sektoral.", owner_org=org["id"], **satudata_factories.REQUIRED_METADATA,
             tags=[{"name": "kesehatan"}] if org is organization else [])

    # New datasets are private drafts until published (the verification workflow): include_private.
    result = _api(app, "package_search", sysadmin["token"], q="imunisasi", include_private=True,
                  **{"facet.field": ["organization", "tags"]})
    assert [d["name"] for d in result["results"]] == ["imunisasi-dasar"]

    everything = _api(app, "package_search", sysadmin["token"], q="*:*", include_private=True,
                      **{"facet.field": ["organization", "tags"]})
    assert everything["count"] == 3
    assert everything["facets"]["organization"] == {"dinas-kesehatan": 2, "bappeda": 1}
    assert everything["facets"]["tags"] == {"kesehatan": 2}


@pytest.mark.parametrize("path", [
    "/",
    "/dataset/",
    "/dataset/angka-kematian-bayi",
    "/organization/dinas-kesehatan",
])
def test_pages_render_with_the_plugin_loaded(app, sysadmin, organization, path):
    satudata_factories.Dataset(name="angka-kematian-bayi", title="Angka Kematian Bayi", owner_org=organization["id"])
    assert tk.h.plugin_loaded("satudata_blitar")

    # The dataset is an unpublished draft: a sysadmin sees it.
    response = app.get(path, headers={"Authorization": sysadmin["token"]})

    assert response.status_code == 200
    # The footer comes from this plugin's templates.
    assert "Satu Data Kota Blitar" in response.body
    if path != "/":
        assert "Angka Kematian Bayi" in response.body


def test_datastore_create_and_search(organization):
    resource = factories.Resource(package_id=satudata_factories.Dataset(owner_org=organization["id"])["id"])
    helpers.call_action("datastore_create", context={"user": helpers.call_action("get_site_user")["name"]},
                        resource_id=resource["id"], force=True,
                        fields=[{"id": "kecamatan", "type": "text"}, {"id": "jumlah", "type": "int"}],
                        records=[{"kecamatan": "Sananwetan", "jumlah": 12},
                                 {"kecamatan": "Sukorejo", "jumlah": 7},
                                 {"kecamatan": "Kepanjenkidul", "jumlah": 9}])

    found = helpers.call_action("datastore_search", resource_id=resource["id"], q="Sukorejo")
    assert [r["jumlah"] for r in found["records"]] == [7]

    # datastore_search_sql runs as the read-only DataStore user: set-permissions was applied for real.
    total = helpers.call_action("datastore_search_sql", sql=f'SELECT SUM(jumlah) AS s FROM "{resource["id"]}"')
    assert total["records"] == [{"s": 28}]


def test_resource_upload_enqueues_an_xloader_job_in_redis(app, sysadmin, organization, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", sysadmin["token"])
    queue = jobs.get_queue()
    queue.empty()
    dataset = satudata_factories.Dataset(name="jumlah-puskesmas", owner_org=organization["id"])

    response = app.post("/api/3/action/resource_create", headers={"Authorization": sysadmin["token"]},
                        data={"package_id": dataset["id"], "name": "Puskesmas 2024",
                              "upload": (io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "puskesmas.csv")})
    assert response.status_code == 200, response.body
    resource = response.json["result"]

    queued = [job for job in queue.get_jobs() if job.func_name == "ckanext.satudata_blitar.tables.load_job.load_job"]
    assert [job.args[0]["metadata"]["resource_id"] for job in queued] == [resource["id"]]
    # The job lives in the real Redis, not in memory.
    assert queue.connection.exists(f"rq:job:{queued[0].id}")
