"""The visibility invariant, exhaustively: a dataset that is not Terbit is seen only by its own OPD's operators and
verifier, the Kominfotik verifiers, the Walidata and sysadmins, through every path. Table: state × viewer × path."""
import pytest

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module

SEES_UNPUBLISHED = {"operator", "verifikator_opd", "verifikator_kominfotik", "walidata", "sysadmin"}
STATES = list(world_module.PATHS)
VIEWERS = list(world_module.VIEWERS)


pytestmark = pytest.mark.world(with_datastore=True)


def _expected(state, viewer, path):
    if path in PUBLIC_ONLY:  # CKAN lists only public datasets there, to everyone
        return state == transitions.TERBIT
    if path is current_package_list_with_resources:  # CKAN adds private datasets for sysadmins only
        return state == transitions.TERBIT or viewer == "sysadmin"
    return state == transitions.TERBIT or viewer in SEES_UNPUBLISHED


def _api(app, world, viewer, action, **params):
    response = app.post(f"/api/3/action/{action}", json=params, headers=world.token(viewer), status=None)
    return response


# Each path answers: can this viewer see this dataset? (dataset dict, resource dict) -> bool
def dataset_page(app, world, viewer, dataset, resource):
    return app.get(f"/dataset/{dataset['name']}", headers=world.token(viewer), status=None).status_code == 200


def resource_page(app, world, viewer, dataset, resource):
    url = f"/dataset/{dataset['name']}/resource/{resource['id']}"
    return app.get(url, headers=world.token(viewer), status=None).status_code == 200


def resource_download(app, world, viewer, dataset, resource):
    url = f"/dataset/{dataset['id']}/resource/{resource['id']}/download/data.csv"
    response = app.get(url, headers=world.token(viewer), status=None)
    return response.status_code == 200 and b"Sukorejo" in response.data


def resource_view(app, world, viewer, dataset, resource):
    views = _api(app, world, "sysadmin", "resource_view_list", id=resource["id"]).json["result"]
    assert views, "the datatables view exists"
    url = f"/dataset/{dataset['name']}/resource/{resource['id']}/view/{views[0]['id']}"
    return app.get(url, headers=world.token(viewer), status=None).status_code == 200


def search_page(app, world, viewer, dataset, resource):
    html = app.get("/dataset/?q=name:" + dataset["name"], headers=world.token(viewer)).body
    return f'href="/dataset/{dataset["name"]}"' in html


def search_page_facet_count(app, world, viewer, dataset, resource):
    html = app.get(f"/dataset/?q=name:{dataset['name']}", headers=world.token(viewer)).body
    return 'href="/dataset/?q=name%3A' + dataset["name"] + '&amp;organization=dinas-kesehatan"' in html


def organization_page(app, world, viewer, dataset, resource):
    html = app.get("/organization/dinas-kesehatan?q=name:" + dataset["name"], headers=world.token(viewer)).body
    return f'href="/dataset/{dataset["name"]}"' in html


def package_show(app, world, viewer, dataset, resource):
    return _api(app, world, viewer, "package_show", id=dataset["id"]).status_code == 200


def package_search(app, world, viewer, dataset, resource):
    result = _api(app, world, viewer, "package_search", q=f"name:{dataset['name']}", include_private=True,
                  **{"facet.field": ["organization"]}).json["result"]
    assert (result["count"] == 1) == bool(result["facets"].get("organization"))
    return result["count"] == 1


def resource_show(app, world, viewer, dataset, resource):
    return _api(app, world, viewer, "resource_show", id=resource["id"]).status_code == 200


def current_package_list_with_resources(app, world, viewer, dataset, resource):
    result = _api(app, world, viewer, "current_package_list_with_resources", limit=1000).json["result"]
    return dataset["id"] in {d["id"] for d in result}


def datastore_search(app, world, viewer, dataset, resource):
    return _api(app, world, viewer, "datastore_search", resource_id=resource["id"]).status_code == 200


def datastore_search_sql(app, world, viewer, dataset, resource):
    sql = f'SELECT * FROM "{resource["id"]}"'
    return _api(app, world, viewer, "datastore_search_sql", sql=sql).status_code == 200


def activity_api(app, world, viewer, dataset, resource):
    response = _api(app, world, viewer, "package_activity_list", id=dataset["id"])
    return response.status_code == 200 and len(response.json["result"]) > 0


def activity_page(app, world, viewer, dataset, resource):
    return app.get(f"/dataset/activity/{dataset['name']}", headers=world.token(viewer),
                   status=None).status_code == 200


def site_feed(app, world, viewer, dataset, resource):
    return dataset["title"] in app.get("/feeds/dataset.atom", headers=world.token(viewer)).body


def organization_feed(app, world, viewer, dataset, resource):
    return dataset["title"] in app.get("/feeds/organization/dinas-kesehatan.atom", headers=world.token(viewer)).body


PUBLIC_ONLY = {site_feed, organization_feed}
PATHS = [dataset_page, resource_page, resource_download, resource_view, search_page, search_page_facet_count,
         organization_page, package_show, package_search, resource_show, current_package_list_with_resources,
         datastore_search, datastore_search_sql, activity_api, activity_page, site_feed, organization_feed]


# One test per state × viewer walks every path (one test per cell of all three would spend most of its time
# loading plugins); a failure names each path that disagrees.
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("state", STATES)
def test_visibility(app, world, state, viewer):
    dataset = world.datasets[state]
    resource = dataset["resources"][0]
    wrong = {path.__name__: {"sees": sees, "expected": _expected(state, viewer, path)}
             for path in PATHS
             for sees in [path(app, world, viewer, dataset, resource)]
             if sees is not _expected(state, viewer, path)}
    assert wrong == {}
