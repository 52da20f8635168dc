"""Roles: assigned by the Walidata through CKAN's own member API and pages, recorded, and per OPD."""
import pytest

import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module




def _assign(app, world, actor, org, username, role):
    return app.post("/api/3/action/organization_member_create", headers=world.token(actor), status=None,
                    json={"id": org, "username": username, "role": role})


@pytest.mark.parametrize("actor, allowed", [
    ("walidata", True), ("sysadmin", True), ("ckan_admin", False), ("verifikator_opd", False),
    ("operator", False), ("verifikator_kominfotik", False), ("anonymous", False)])
def test_only_the_walidata_assigns_roles(app, world, actor, allowed):
    newcomer = factories.User()
    response = _assign(app, world, actor, "dinas-kesehatan", newcomer["name"], "verifikator")
    assert response.status_code == (200 if allowed else 403)
    members = {user_id for user_id, _, _ in helpers.call_action("member_list", id="dinas-kesehatan",
                                                                 object_type="user")}
    assert (newcomer["id"] in members) is allowed


def test_every_role_change_is_recorded(app, world):
    person = factories.User()
    assert _assign(app, world, "walidata", "bappeda", person["name"], "editor").status_code == 200
    assert _assign(app, world, "walidata", "bappeda", person["name"], "verifikator").status_code == 200
    removed = app.post("/api/3/action/organization_member_delete", headers=world.token("walidata"),
                       json={"id": "bappeda", "username": person["name"]})
    assert removed.status_code == 200

    history = app.get("/api/3/action/satudata_role_history?id=bappeda", headers=world.token("walidata")).json
    changes = [(e["old_role"], e["new_role"], e["actor_id"]) for e in history["result"] if e["user_id"] == person["id"]]
    walidata_id = world.users["walidata"]["id"]
    assert changes == [(None, "editor", walidata_id), ("editor", "verifikator", walidata_id),
                       ("verifikator", None, walidata_id)]
    assert app.get("/api/3/action/satudata_role_history?id=bappeda", headers=world.token("operator"),
                   status=None).status_code == 403


def test_roles_are_offered_and_shown_on_the_opd_member_pages(app, world):
    form = app.get("/organization/member_new/dinas-kesehatan", headers=world.token("walidata")).body
    for label in ("Operator Data", "Verifikator OPD", "Verifikator Kominfotik", "Walidata"):
        assert label in form
    members = app.get("/organization/members/dinas-kesehatan", headers=world.token("walidata")).body
    assert "Verifikator OPD" in members and "Operator Data" in members


def test_a_user_holds_different_roles_in_different_opds(app, world):
    person = factories.UserWithToken()
    _assign(app, world, "walidata", "dinas-kesehatan", person["name"], "editor")
    _assign(app, world, "walidata", "bappeda", person["name"], "verifikator")
    in_bappeda = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="bappeda-data")
    helpers.call_action("package_patch", context={"user": world.name("sysadmin")}, id=in_bappeda["id"],
                        owner_org=world.orgs["bappeda"]["id"])
    in_dinkes = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="dinkes-data")
    headers = {"Authorization": person["token"]}

    verify = [app.post("/api/3/action/satudata_transition", headers=headers, status=None,
                       json={"id": dataset["id"], "transition": "verifikasi_opd"}).status_code
              for dataset in (in_bappeda, in_dinkes)]

    assert verify == [200, 403]
