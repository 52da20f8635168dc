"""The core actions we chain (docs/security.md). No role exceeds the SOP: every core action an organisation's admin,
editor or member (or anyone else) can call, checked role × action; CKAN's `admin` and `member` capacities grant
nothing. Nothing unpublished leaks through stock CKAN reads: task statuses (upload checks), tags, memberships and
Solr's error messages, each as the anonymous visitor and as a non-member, against a draft and a published dataset."""
import pytest

import ckan.logic as logic
import ckan.model as model
import ckan.tests.factories as factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module

VIEWERS = list(world_module.VIEWERS)
NOBODY = {"sysadmin"}
GROUP = "topik-kesehatan"  # made by _extend
OPERATOR = {"operator", "sysadmin"}
WALIDATA = {"walidata", "sysadmin"}


def _draft(world):
    return world.datasets[transitions.DRAF]


def _published(world):
    return world.datasets[transitions.TERBIT]


# action -> (data for a dataset in a state, who may): every other viewer is refused.
def _matrix(world):
    draft, published = _draft(world), _published(world)
    org = world.orgs["dinas-kesehatan"]["id"]
    rows = []
    for state, dataset, editors in (("draf", draft, OPERATOR), ("terbit", published, NOBODY)):
        resource = dataset["resources"][0]["id"]
        rows += [
            (f"package_update/{state}", "package_update", {"id": dataset["id"]}, editors),
            (f"package_patch/{state}", "package_patch", {"id": dataset["id"]}, editors),
            (f"package_delete/{state}", "package_delete", {"id": dataset["id"]}, editors),
            (f"bulk_update_delete/{state}", "bulk_update_delete", {"org_id": org, "datasets": [dataset["id"]]},
             NOBODY),  # CKAN's own rule: the organisation's admins only; ours: operators only → sysadmins
            (f"bulk_update_public/{state}", "bulk_update_public", {"org_id": org, "datasets": [dataset["id"]]},
             NOBODY),
            (f"bulk_update_private/{state}", "bulk_update_private", {"org_id": org, "datasets": [dataset["id"]]},
             NOBODY),
            (f"dataset_purge/{state}", "dataset_purge", {"id": dataset["id"]}, NOBODY),
            (f"package_owner_org_update/{state}", "package_owner_org_update",
             {"id": dataset["id"], "organization_id": world.orgs["bappeda"]["id"]}, NOBODY),
            (f"resource_create/{state}", "resource_create", {"package_id": dataset["id"]}, editors),
            (f"resource_update/{state}", "resource_update", {"id": resource}, editors),
            (f"resource_patch/{state}", "resource_patch", {"id": resource}, editors),
            (f"resource_delete/{state}", "resource_delete", {"id": resource}, editors),
            (f"resource_view_create/{state}", "resource_view_create", {"resource_id": resource}, editors),
            (f"datastore_create/{state}", "datastore_create", {"resource_id": resource}, editors),
            (f"datastore_upsert/{state}", "datastore_upsert", {"resource_id": resource}, editors),
            (f"datastore_delete/{state}", "datastore_delete", {"resource_id": resource}, editors),
            (f"package_collaborator_create/{state}", "package_collaborator_create",
             {"id": dataset["id"], "user_id": world.users["ckan_member"]["id"], "capacity": "editor"}, WALIDATA),
            (f"member_create_package/{state}", "member_create",
             {"id": org, "object": dataset["id"], "object_type": "package", "capacity": "public"}, NOBODY),
            # Groups are the Walidata's; a published dataset's groups change through a revision (or a sysadmin).
            (f"member_create_group_package/{state}", "member_create",
             {"id": GROUP, "object": dataset["id"], "object_type": "package", "capacity": "public"},
             WALIDATA if state == "draf" else NOBODY),
            (f"member_delete_group_package/{state}", "member_delete",
             {"id": GROUP, "object": dataset["id"], "object_type": "package"},
             WALIDATA if state == "draf" else NOBODY),
            (f"package_update_groups/{state}", "package_update",
             {"id": dataset["id"], "groups": [{"name": GROUP}]}, NOBODY),
            (f"package_patch_groups/{state}", "package_patch", {"id": dataset["id"], "groups": [{"name": GROUP}]},
             NOBODY),
            (f"package_update_same_groups/{state}", "package_update", {"id": dataset["id"], "groups": []}, editors),
        ]
    rows += [
        ("organization_update", "organization_update", {"id": org}, WALIDATA),
        ("organization_patch", "organization_patch", {"id": org}, WALIDATA),
        ("organization_delete", "organization_delete", {"id": org}, WALIDATA),
        ("organization_member_create", "organization_member_create",
         {"id": org, "username": "someone-else", "role": "editor"}, WALIDATA),
        ("member_create_user", "member_create",
         {"id": org, "object": "someone-else", "object_type": "user", "capacity": "editor"}, WALIDATA),
        ("member_delete_user", "member_delete", {"id": org, "object": "someone-else", "object_type": "user"},
         WALIDATA),
        ("organization_create", "organization_create", {"name": "opd-baru"}, WALIDATA),
        ("user_invite", "user_invite", {"group_id": org, "email": "a@example.com", "role": "editor"}, WALIDATA),
        ("task_status_update", "task_status_update", {}, NOBODY),
        ("group_create", "group_create", {"name": "grup-baru", "title": "Dinas Kesehatan (Resmi)"}, WALIDATA),
        ("group_update", "group_update", {"id": GROUP}, WALIDATA),
        ("group_patch", "group_patch", {"id": GROUP}, WALIDATA),
        ("group_delete", "group_delete", {"id": GROUP}, WALIDATA),
        ("group_member_create", "group_member_create", {"id": GROUP, "username": "someone-else", "role": "member"},
         WALIDATA),
        ("group_member_delete", "group_member_delete", {"id": GROUP, "username": "someone-else"}, WALIDATA),
        ("member_create_group_user", "member_create",
         {"id": GROUP, "object": "someone-else", "object_type": "user", "capacity": "member"}, WALIDATA),
        ("package_create_in_a_group", "package_create",
         {"owner_org": org, "groups": [{"name": GROUP}]}, NOBODY),
    ]
    return rows


def _allowed(world, viewer, action, data):
    context = {"user": world.name(viewer) if viewer != "anonymous" else "", "model": model}
    try:
        return helpers.call_auth(action, context, **data)
    except logic.NotAuthorized:
        return False


def test_no_role_exceeds_the_sop_on_core_actions(world):
    factories.User(name="someone-else")
    wrong = []
    for name, action, data, who in _matrix(world):
        for viewer in VIEWERS:
            if _allowed(world, viewer, action, data) != (viewer in who):
                wrong.append((name, viewer, "allowed" if viewer not in who else "refused"))
    assert wrong == []


def test_an_opd_admin_cannot_bulk_delete_a_published_dataset(app, world):
    published = world_module.dataset_in_state(world, transitions.TERBIT, name="bulk-delete-target")
    response = app.post("/api/3/action/bulk_update_delete", headers=world.token("ckan_admin"), status=None,
                        json={"org_id": world.orgs["dinas-kesehatan"]["id"], "datasets": [published["id"]]})
    assert response.status_code == 403
    shown = app.get(f"/api/3/action/package_show?id={published['id']}").json["result"]
    assert (shown["state"], shown["satudata_status"]) == ("active", transitions.TERBIT)


def test_an_opd_admin_cannot_change_memberships_through_organization_update(app, world):
    response = app.post("/api/3/action/organization_patch", headers=world.token("ckan_admin"), status=None,
                        json={"id": "dinas-kesehatan", "users": [{"name": world.name("ckan_admin"),
                                                                 "capacity": "admin"},
                                                                {"name": world.name("ckan_member"),
                                                                 "capacity": "editor"}]})
    assert response.status_code == 403
    members = {user_id: capacity for user_id, _, capacity in
               helpers.call_action("member_list", id="dinas-kesehatan", object_type="user")}
    assert members[world.users["ckan_member"]["id"]].lower() == "member"


@pytest.mark.parametrize("action, data", [
    ("organization_member_create", {"id": "dinas-kesehatan", "username": "walidata", "role": "verifikator"}),
    ("member_create", {"id": "dinas-kesehatan", "object": "walidata", "object_type": "user",
                       "capacity": "verifikator"}),
])
def test_nobody_grants_a_role_to_themselves(app, world, action, data):
    response = app.post(f"/api/3/action/{action}", headers=world.token("walidata"), json=data, status=None)
    assert response.status_code == 403
    members = {user_id for user_id, _, _ in helpers.call_action("member_list", id="dinas-kesehatan",
                                                                 object_type="user")}
    assert world.users["walidata"]["id"] not in members


# --- stock CKAN reads ---------------------------------------------------------------------------------------

def _api(app, world, viewer, action, **params):
    return app.post(f"/api/3/action/{action}", json=params, headers=world.token(viewer), status=None)


OUTSIDERS = ["anonymous", "ckan_member", "operator_other_opd"]


def _tagged(world, state, tag):
    dataset = world_module.dataset_in_state(world, state, name=f"tagged-{tag}")
    helpers.call_action("package_patch", context={"user": world.name("sysadmin")}, id=dataset["id"],
                        tags=[{"name": tag}])
    return helpers.call_action("package_show", id=dataset["id"])


def _extend(world):
    world.draft_tagged = _tagged(world, transitions.DRAF, "rahasia-draf")
    world.public_tagged = _tagged(world, transitions.TERBIT, "terbuka-umum")
    for dataset in (world.draft_tagged, world.public_tagged):
        helpers.call_action("task_status_update", entity_id=dataset["resources"][0]["id"], entity_type="resource",
                            task_type="satudata_upload", key="report", value='{"columns": ["rahasia"]}',
                            state="ok", last_updated="2026-01-01T00:00:00")
    group = factories.Group(name="topik-kesehatan")
    for dataset in (world.draft_tagged, world.public_tagged):
        helpers.call_action("member_create", id=group["id"], object=dataset["id"], object_type="package",
                            capacity="public")


pytestmark = pytest.mark.world(extend=_extend)


@pytest.mark.parametrize("viewer", OUTSIDERS + ["operator"])
def test_task_status_of_a_resource_only_for_who_sees_it(app, world, viewer):
    seen = {}
    for name, dataset in (("draft", world.draft_tagged), ("published", world.public_tagged)):
        by_key = _api(app, world, viewer, "task_status_show", entity_id=dataset["resources"][0]["id"],
                      task_type="satudata_upload", key="report")
        task_id = helpers.call_action("task_status_show", entity_id=dataset["resources"][0]["id"],
                                      task_type="satudata_upload", key="report")["id"]
        by_id = _api(app, world, viewer, "task_status_show", id=task_id)
        seen[name] = (by_key.status_code, by_id.status_code)
    draft = (200, 200) if viewer == "operator" else (403, 403)
    assert seen == {"draft": draft, "published": (200, 200)}


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_tags_of_unpublished_datasets_are_not_listed(app, world, viewer):
    listed = _api(app, world, viewer, "tag_list").json["result"]
    searched = [t["name"] for t in _api(app, world, viewer, "tag_search", query="r").json["result"]["results"]]
    completed = _api(app, world, viewer, "tag_autocomplete", q="r").json["result"]
    assert "terbuka-umum" in listed and "terbuka-umum" in searched and "terbuka-umum" in completed
    assert "rahasia-draf" not in listed + searched + completed
    assert _api(app, world, viewer, "tag_show", id="rahasia-draf").status_code == 404
    assert _api(app, world, viewer, "tag_show", id="terbuka-umum").status_code == 200


def test_a_vocabulary_s_tags_are_listed_as_in_ckan(app, world):
    vocabulary = factories.Vocabulary(name="satuan-baku", tags=[{"name": "jiwa"}, {"name": "persen"}])
    listed = _api(app, world, "anonymous", "tag_list", vocabulary_id=vocabulary["id"]).json["result"]
    searched = _api(app, world, "anonymous", "tag_search", vocabulary_id=vocabulary["id"], query="e").json["result"]
    completed = _api(app, world, "anonymous", "tag_autocomplete", vocabulary_id=vocabulary["id"], q="ji").json["result"]
    assert sorted(listed) == ["jiwa", "persen"]
    assert [tag["name"] for tag in searched["results"]] == ["persen"] and completed == ["jiwa"]
    assert _api(app, world, "anonymous", "tag_show", id="jiwa", vocabulary_id=vocabulary["id"]).status_code == 200
    assert "jiwa" not in _api(app, world, "anonymous", "tag_list").json["result"]


@pytest.mark.parametrize("viewer", OUTSIDERS)
@pytest.mark.parametrize("container", ["dinas-kesehatan", "topik-kesehatan"])
def test_member_lists_show_only_visible_datasets(app, world, viewer, container):
    members = {member[0] for member in
               _api(app, world, viewer, "member_list", id=container, object_type="package").json["result"]}
    assert world.public_tagged["id"] in members
    assert world.draft_tagged["id"] not in members
    insider = {member[0] for member in
               _api(app, world, "operator", "member_list", id=container, object_type="package").json["result"]}
    assert world.draft_tagged["id"] in insider


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_a_malformed_filter_does_not_echo_the_permission_filter(app, world, viewer):
    response = _api(app, world, viewer, "package_search", fq="title:(", include_private=True)
    assert response.status_code == 409
    message = str(response.json["error"])
    assert "permission_labels" not in message and "satudata-opd" not in message and "capacity" not in message


# --- groups: the Walidata's, and a published dataset's only through a revision --------------------------------

def test_an_account_without_a_role_cannot_make_or_fill_a_group(app, world):
    stranger = factories.UserWithToken()
    created = app.post("/api/3/action/group_create", headers={"Authorization": stranger["token"]}, status=None,
                       json={"name": "dinas-kesehatan-resmi", "title": "Dinas Kesehatan (Resmi)"})
    assert created.status_code == 403
    assert _api(app, world, "anonymous", "group_show", id="dinas-kesehatan-resmi").status_code == 404
    published = world.datasets[transitions.TERBIT]
    for viewer in ("operator", "ckan_admin", "verifikator_kominfotik"):
        added = _api(app, world, viewer, "member_create", id=GROUP, object=published["id"], object_type="package",
                     capacity="public")
        assert added.status_code == 403, viewer
    patched = _api(app, world, "operator", "package_patch", id=world.datasets[transitions.DRAF]["id"],
                   groups=[{"name": GROUP}])
    assert patched.status_code == 403
    assert _api(app, world, "anonymous", "package_show", id=published["id"]).json["result"]["groups"] == []
    assert helpers.call_action("package_show", id=world.datasets[transitions.DRAF]["id"])["groups"] == []


def test_an_operators_edit_keeps_the_groups_the_walidata_chose(app, world):
    draft = world_module.dataset_in_state(world, transitions.DRAF, name="draf-bergrup")
    assert _api(app, world, "walidata", "member_create", id=GROUP, object=draft["id"], object_type="package",
                capacity="public").status_code == 200
    shown = helpers.call_action("package_show", id=draft["id"])
    body = {key: value for key, value in shown.items() if key != "groups"}
    assert _api(app, world, "operator", "package_update", **{**body, "notes": "Diubah."}).status_code == 200
    assert [g["name"] for g in helpers.call_action("package_show", id=draft["id"])["groups"]] == [GROUP]
    removed = _api(app, world, "operator", "member_delete", id=GROUP, object=draft["id"], object_type="package")
    assert removed.status_code == 403


def test_a_published_datasets_groups_change_only_through_a_revision(app, world):
    live = world_module.dataset_in_state(world, transitions.TERBIT, name="terbit-bergrup")
    helpers.call_action("group_create", context={"user": world.name("sysadmin")}, name="topik-revisi")
    direct = _api(app, world, "walidata", "member_create", id="topik-revisi", object=live["id"],
                  object_type="package", capacity="public")
    assert direct.status_code == 403
    revision = _api(app, world, "operator", "satudata_revision_create", id=live["id"]).json["result"]
    assert _api(app, world, "walidata", "member_create", id="topik-revisi", object=revision["id"],
                object_type="package", capacity="public").status_code == 200
    assert helpers.call_action("package_show", id=live["id"])["groups"] == []  # the public sees no change yet
    for transition, actor in world_module.PATHS[transitions.TERBIT]:
        response = _api(app, world, actor, "satudata_transition", id=revision["id"], transition=transition,
                        note="Revisi grup")
        assert response.status_code == 200, response.json
    shown = _api(app, world, "anonymous", "package_show", id=live["id"]).json["result"]
    assert [g["name"] for g in shown["groups"]] == ["topik-revisi"]
