import datetime

import pytest

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar import demo
from ckanext.satudata_blitar.metadata import completeness
from ckanext.satudata_blitar.cli import satudata

# The demo's example tables are loaded by the real load job, run in this process (with_test_worker) on an empty queue.
pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")


def test_satudata_group_has_help(cli):
    result = cli.invoke(satudata, ["--help"])
    assert result.exit_code == 0, result.output
    assert "demo" in result.output


def test_demo_seeds_every_opd_and_role_and_is_idempotent(cli):
    first = cli.invoke(satudata, ["demo"])
    assert first.exit_code == 0, first.output
    second = cli.invoke(satudata, ["demo"])
    assert second.exit_code == 0, second.output

    orgs = helpers.call_action("organization_list")
    assert sorted(orgs) == sorted(opd.name for opd in demo.OPDS)
    users = {u["name"] for u in helpers.call_action("user_list")}
    assert {u.name for u in demo.DEMO_USERS} <= users
    # The second run created nothing and still printed every login.
    assert "created" not in second.output
    for user in demo.DEMO_USERS:
        assert user.name in second.output

    members = helpers.call_action("member_list", id="dinas-kesehatan", object_type="user")
    names = {helpers.call_action("user_show", id=uid)["name"]: role for uid, _type, role in members}
    demo_roles = {name: role for name, role in names.items() if name in {u.name for u in demo.DEMO_USERS}}
    assert demo_roles == {"operator-dinkes": "Operator Data", "verifikator-dinkes": "Verifikator OPD"}
    assert helpers.call_action("user_show", id="admin")["sysadmin"] is True
    elements = helpers.call_action("satudata_data_element_list", tahun=datetime.date.today().year)
    assert sorted((e["opd_name"], e["nama"]) for e in elements) == sorted(
        (opd, nama) for opd, nama, *_rest in demo.DEMO_ELEMENTS)


def _public_examples():
    """The example datasets as an anonymous visitor finds them."""
    return helpers.call_action("package_search", context={"user": "", "ignore_auth": False},
                               fq=f"tags:{demo.DEMO_TAG}", rows=100)


# As on a new portal: MS-Keg required (test.ini relaxes it), MS-Var always.
@pytest.mark.ckan_config("ckanext.satudata_blitar.ms_keg.required", True)
def test_demo_publishes_example_datasets_through_the_workflow_once(cli):
    first = cli.invoke(satudata, ["demo", "--quiet"])
    assert first.exit_code == 0, first.output
    found = _public_examples()
    assert sorted(d["name"] for d in found["results"]) == sorted(d.name for d in demo.DEMO_DATASETS)
    for dataset in found["results"]:
        assert dataset["satudata_status"] == "terbit"
        assert dataset["title"].startswith("Contoh: ")
        assert "contoh" in dataset["notes"].lower()
        assert dataset["organization"]["name"] == demo.DEMO_OPD
        [resource] = dataset["resources"]
        # The uploaded table was loaded and checked by the load job, and has a chart.
        assert resource["datastore_active"]
        rows = helpers.call_action("datastore_search", resource_id=resource["id"])["records"]
        assert {r[demo.KECAMATAN_HEADER] for r in rows} == set(demo.KECAMATAN)
        # Its columns read as words where the table view and the Data Dictionary show them, not as field names.
        labels = [(f.get("info") or {}).get("label") or f["id"] for f in
                  helpers.call_action("datastore_info", id=resource["id"])["fields"] if not f["id"].startswith("_")]
        assert all(label[0].isupper() and "_" not in label for label in labels), labels
        views = helpers.call_action("resource_view_list", id=resource["id"])
        assert "satudata_chart" in {v["view_type"] for v in views}
        # Its statistical metadata is complete: the activity behind it and a definition of every column.
        assert dataset["ms_keg_id"] == helpers.call_action("package_show", id=demo.DEMO_ACTIVITY["name"])["id"]
        assert [report["missing"] for report in completeness.report_of(dataset["id"])] == [[], []]
        # Each step of the workflow was made by the demo user of its role.
        history = helpers.call_action("satudata_workflow_history", id=dataset["id"])
        assert [(e["transition"], e["actor_name"]) for e in history if e["transition"] != "buat"] == [
            ("ajukan", demo.DEMO_OPERATOR), ("verifikasi_opd", demo.DEMO_VERIFIKATOR),
            ("verifikasi_walidata", demo.DEMO_WALIDATA), ("terbitkan", demo.DEMO_WALIDATA)]

    second = cli.invoke(satudata, ["demo", "--quiet"])
    assert second.exit_code == 0, second.output
    assert "published" not in second.output
    assert _public_examples()["count"] == len(demo.DEMO_DATASETS)
    assert sorted(helpers.call_action("package_list")) == sorted(
        [d.name for d in demo.DEMO_DATASETS] + [demo.DEMO_ACTIVITY["name"]])
    for name in (d.name for d in demo.DEMO_DATASETS):
        shown = helpers.call_action("package_show", id=name)
        assert len(shown["resources"]) == 1
        assert len([v for v in helpers.call_action("resource_view_list", id=shown["resources"][0]["id"])
                    if v["view_type"] == "satudata_chart"]) == 1
