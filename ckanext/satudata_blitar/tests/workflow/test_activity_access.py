"""The verifiers see what changed in the datasets they verify: CKAN shows activity data and "Changes" only to those
who may edit a dataset; the OPD's verifier and the Walidata's roles must see it too, nobody else more than before."""
import pytest
from bs4 import BeautifulSoup

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module


NEW_NOTES = "Deskripsi yang diperbaiki."


@pytest.fixture
def changed(world):
    """A submitted dataset whose description the operator changed while it was a draft."""
    dataset = helpers.call_action("package_show", id="diubah") if _exists("diubah") else None
    if not dataset:
        dataset = world_module.dataset_in_state(world, transitions.DRAF, name="diubah")
        helpers.call_action("package_patch", context={"user": world.name("operator")}, id=dataset["id"],
                            notes=NEW_NOTES)
        helpers.call_action("satudata_transition", context={"user": world.name("operator")}, id=dataset["id"],
                            transition="ajukan")
    activities = helpers.call_action("package_activity_list", context={"user": world.name("sysadmin")},
                                     id=dataset["id"])
    # Oldest first: the first change whose dataset has the new description is the operator's edit.
    sysadmin = {"user": world.name("sysadmin")}
    return next(a for a in reversed(activities) if a["activity_type"] == "changed package" and helpers.call_action(
        "activity_data_show", context=sysadmin, id=a["id"], object_type="package")["notes"] == NEW_NOTES)


def _exists(name):
    try:
        helpers.call_action("package_show", id=name)
        return True
    except Exception:
        return False


@pytest.mark.parametrize("viewer, status", [
    ("verifikator_opd", 200), ("verifikator_kominfotik", 200), ("walidata", 200), ("operator", 200),
    ("verifikator_other_opd", 403), ("operator_other_opd", 403), ("ckan_member", 403),
])
def test_changes_are_for_those_who_verify_or_edit(app, world, changed, viewer, status):
    response = app.get(f"/dataset/changes/{changed['id']}", headers=world.token(viewer), status=None)
    assert response.status_code == status
    if status == 200:
        assert NEW_NOTES in response.body


@pytest.mark.parametrize("viewer, allowed", [("verifikator_opd", True), ("verifikator_other_opd", False)])
def test_activity_data_through_the_api(app, world, changed, viewer, allowed):
    response = app.post("/api/3/action/activity_data_show", headers=world.token(viewer), status=None,
                        json={"id": changed["id"]})
    assert (response.status_code == 200) is allowed


def test_a_disabled_page_button_links_nowhere(app, world, changed, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.activity_list_limit", 2)
    page = app.get("/dataset/activity/diubah", headers=world.token("verifikator_opd")).body
    soup = BeautifulSoup(page, "html.parser")
    assert not [a for a in soup.select("a[href]") if a["href"].endswith("/None") or a["href"] == "None"]
    assert soup.select_one("#activity_page_buttons .disabled[aria-disabled=true]") is not None
