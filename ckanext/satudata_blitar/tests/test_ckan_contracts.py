"""CKAN's contracts our plugins keep (findings of `make test-ckan`, docs/development.md), and the CKAN settings
they refuse at startup instead of ignoring."""
import pytest

import ckan.model as model
import ckan.plugins as plugins
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers
from ckan.exceptions import CkanConfigurationException

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.metadata import search
from ckanext.satudata_blitar.tests.factories import Dataset, published

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def call(action, **data):
    """The action as a sysadmin (activities need a user)."""
    return helpers.call_action(action, context={"user": ckan_factories.Sysadmin()["name"]}, **data)

SCHEMING_DATASET = "ckanext.scheming:ckan_dataset.yaml"
OURS = "ckanext.satudata_blitar:metadata/schemas/dataset.yaml"
OTHER_STATISTICS = "ckanext.satudata_blitar.tests:data/other_statistics_schema.yaml"


@pytest.mark.ckan_config("scheming.dataset_schemas", SCHEMING_DATASET)
def test_search_and_organization_show_work_when_the_dataset_schema_is_not_ours():
    org = ckan_factories.Organization()
    call("package_create", name="camels", title="Camels", owner_org=org["id"],
                        notes="Two humps.")

    result = helpers.call_action("package_search", q="*:*", include_private=True,
                                 **{"facet.field": ["frekuensi", "urusan", "organization"]})
    shown = call("organization_show", id=org["id"], include_datasets=True)

    assert [d["name"] for d in result["results"]] == ["camels"]
    assert result["search_facets"]["frekuensi"]["items"] == []
    assert shown["package_count"] == 1


@pytest.mark.ckan_config("scheming.dataset_schemas", f"{OURS} {OTHER_STATISTICS}")
def test_choice_labels_come_from_the_schema_of_the_searched_type():
    org = ckan_factories.Organization()
    Dataset(name="ours", owner_org=org["id"], frekuensi="tahunan")
    call("package_create", type="statistik-lain", name="other", title="Other", owner_org=org["id"],
                        frekuensi="tahunan")

    def label(fq):
        result = helpers.call_action("package_search", fq=fq, include_private=True, **{"facet.field": ["frekuensi"]})
        return {i["name"]: i["display_name"] for i in result["search_facets"]["frekuensi"]["items"]}

    assert label("+dataset_type:statistik-lain") == {"tahunan": "Per tahun"}
    assert label("+dataset_type:dataset") == {"tahunan": "Tahunan"}
    assert search.searched_types({"fq": '+dataset_type:"statistik-lain" +tags:x'}) == ["statistik-lain"]


@pytest.fixture
def dataset():
    return Dataset()


def test_datastore_create_makes_a_resource_without_a_name(dataset):
    result = call("datastore_create", resource={"package_id": dataset["id"]},
                                 fields=[{"id": "tahun", "type": "int"}], records=[{"tahun": 2024}])

    resource = helpers.call_action("resource_show", id=result["resource_id"])
    assert resource["name"] == "Data"
    assert helpers.call_action("datastore_search", resource_id=resource["id"])["records"][0]["tahun"] == 2024


def test_datastore_search_takes_a_list_of_sort_columns(dataset):
    """The DataStore takes `sort` as text or a list of text (found by make test-ckan: a list was refused as 'Must be
    a single text value'); package_search's stays one text."""
    result = call("datastore_create", resource={"package_id": dataset["id"]},
                  fields=[{"id": "tahun", "type": "int"}], records=[{"tahun": 2024}, {"tahun": None}])

    records = helpers.call_action("datastore_search", resource_id=result["resource_id"],
                                  sort=["tahun nulls first"])["records"]

    assert [record["tahun"] for record in records] == [None, 2024]
    with pytest.raises(plugins.toolkit.ValidationError):
        helpers.call_action("datastore_search", resource_id=result["resource_id"], sort=["tahun", {"x": 1}])
    with pytest.raises(plugins.toolkit.ValidationError):
        helpers.call_action("package_search", sort=["name asc"])


@pytest.mark.parametrize("url, name", [
    ("http://data.example/files/penduduk%202024.csv", "penduduk 2024.csv"),
    ("http://data.example/api/table/", "table"),
    ("http://data.example", "data.example"),
])
def test_a_resource_without_a_name_is_named_after_its_url(dataset, url, name):
    resource = call("resource_create", package_id=dataset["id"], url=url)

    assert resource["name"] == name


def test_a_resource_updated_without_a_name_keeps_its_own(dataset):
    """resource_update replaces the resource; CKAN keeps a name the update does not send (found by make test-ckan:
    the resource was renamed after its URL, and its metadata_modified changed with the same values)."""
    resource = call("resource_create", package_id=dataset["id"], url="http://x/a.csv", name="Penduduk 2024",
                    description="Test")

    updated = call("resource_update", id=resource["id"], url="http://x/a.csv", description="Test")

    assert updated["name"] == "Penduduk 2024"
    assert updated["metadata_modified"] == resource["metadata_modified"]
    assert call("resource_update", id=resource["id"], url="http://x/b.csv")["name"] == "Penduduk 2024"
    assert call("resource_update", id=resource["id"], url="http://x/b.csv", name="Baru")["name"] == "Baru"


def test_an_uploaded_resource_without_a_name_is_named_after_its_file(dataset, create_with_upload):
    resource = create_with_upload("tahun,jumlah\n2024,1\n", "penduduk.csv", package_id=dataset["id"],
                                  context={"user": ckan_factories.Sysadmin()["name"]})

    assert resource["url_type"] == "upload"
    assert resource["name"] == "penduduk.csv"


def test_a_name_given_is_kept_and_no_url_no_name_is_still_an_error(dataset):
    resource = call("resource_create", package_id=dataset["id"], url="http://x/a.csv", name="Data 2024")
    assert resource["name"] == "Data 2024"

    with pytest.raises(plugins.toolkit.ValidationError):
        call("resource_create", package_id=dataset["id"], url="")


def test_package_show_returns_the_description_of_a_resource_without_one(dataset):
    call("resource_create", package_id=dataset["id"], url="http://x/a.csv", name="A")
    # Saving the dataset again stores the description as NULL (CKAN's remove_if_not_provided columns).
    call("package_patch", id=dataset["id"], title="Saved again")

    resource = helpers.call_action("package_show", id=dataset["id"])["resources"][0]
    assert "description" in resource


@pytest.mark.parametrize("setting", ["ckan.auth.allow_dataset_collaborators", "ckan.auth.create_unowned_dataset"])
def test_settings_that_cannot_work_are_refused_at_startup(setting):
    plugin = plugins.get_plugin("satudata_blitar")

    with pytest.raises(CkanConfigurationException, match=f"{setting} = true cannot work with Satu Data"):
        plugin.configure({**plugins.toolkit.config, setting: True})
    config.refuse_unsupported_core_settings({**plugins.toolkit.config, setting: False})


@pytest.mark.usefixtures("clean_queues")
def test_xloader_submit_works_while_our_typed_load_is_queued(dataset, create_with_upload, ckan_config, monkeypatch):
    """xloader_submit reads the resource id of every queued job whose text has `xloader_to_datastore`; ours has
    to give it in xloader's form, or stock xloader's submit fails with AttributeError (found by make test-ckan).
    Our chained xloader_submit never calls stock xloader's (links are refused, uploads are ours): another plugin or
    code that calls it directly still reads our queued jobs."""
    from ckanext.xloader import action as xloader_action
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", ckan_factories.SysadminWithToken()["token"])
    user = {"user": ckan_factories.Sysadmin()["name"]}
    create_with_upload("tahun,jumlah\n2024,1\n", "ours.csv", package_id=dataset["id"], context=dict(user))
    second = create_with_upload("tahun,jumlah\n2024,2\n", "kedua.csv", package_id=dataset["id"], context=dict(user))

    # already queued by resource_create: found among the queued jobs, ours included
    assert xloader_action.xloader_submit({**user, "model": model}, {"resource_id": second["id"]}) is False


# satudata_blitar's templates, without satudata_interop (its "Gunakan data ini" panel and schema.org block): the
# dataset and resource pages still render (CKAN's own page tests ran with this plugin list).
WITHOUT_INTEROP = ("satudata_blitar activity scheming_datasets scheming_organizations datastore xloader "
                   "datatables_view satudata_chart")


@pytest.mark.ckan_config("ckan.plugins", WITHOUT_INTEROP)
@pytest.mark.usefixtures("with_plugins")
def test_dataset_and_resource_pages_render_without_the_interop_plugin(app):
    dataset = published(Dataset(owner_org=ckan_factories.Organization()["id"]))
    resource = dataset["resources"][0]

    for url in (f"/dataset/{dataset['name']}", f"/dataset/{dataset['name']}/resource/{resource['id']}"):
        response = app.get(url)
        assert response.status_code == 200, url
        assert "Gunakan data ini" not in response.body and "Use this data" not in response.body


def test_datastore_search_of_the_public_table_metadata(app):
    """The DataStore lets anyone search its public tables (`ckan.datastore.public_table_search`, `_table_metadata`)
    without an auth check; our chained datastore_search keeps the DataStore's exemption from CKAN's auth audit."""
    user = ckan_factories.UserWithToken()
    response = app.post("/api/action/datastore_search", json={"resource_id": "_table_metadata", "limit": 1},
                        headers={"Authorization": user["token"]})

    assert response.status_code == 200, response.body
    assert response.json["success"] is True
