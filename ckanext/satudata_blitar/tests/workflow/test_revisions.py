"""Published datasets change through a pending revision: the public sees the last published version until the
revision passes both verifications and is published; then the new version replaces the old one in place."""
import io

import pytest
from werkzeug.datastructures import FileStorage

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import revisions
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module




def _api(app, world, actor, action, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers=world.token(actor), status=None)


def test_a_revision_goes_through_both_stages_and_then_replaces_the_live_version(app, world):
    live = world_module.dataset_in_state(world, transitions.TERBIT, name="penduduk-revisi-uji")
    old_resource = live["resources"][0]

    response = _api(app, world, "operator", "satudata_revision_create", id=live["id"])
    assert response.status_code == 200, response.body
    revision = response.json["result"]
    assert (revision["name"], revision["private"], revision["satudata_status"]) == (
        "penduduk-revisi-uji-revisi", True, transitions.DRAF)

    # The operator fixes the metadata and adds next year's file, on the revision.
    operator = {"user": world.name("operator")}
    helpers.call_action("package_patch", context=operator, id=revision["id"], satuan="orang",
                        tahun_data_akhir=2025)
    added = helpers.call_action("resource_create", context=operator, package_id=revision["id"], name="Data 2025",
                                format="CSV",
                                upload=FileStorage(io.BytesIO(b"kecamatan,jumlah\nSukorejo,9\n"), "2025.csv"))
    # The new file is not checked yet: the revision cannot be submitted until the worker has accepted it.
    refused = _api(app, world, "operator", "satudata_transition", id=revision["id"], transition="ajukan")
    assert refused.status_code == 409 and "Data 2025" in refused.json["error"]["id"][0]
    upload_check.save(added["id"], {"format": "csv", "rows": 1, "issues": []})  # as the worker records it

    # Meanwhile the public sees the published version, unchanged; the revision is not public.
    public = app.get("/api/3/action/package_show?id=penduduk-revisi-uji").json["result"]
    assert (public["satuan"], len(public["resources"])) == ("jiwa", 1)
    assert app.get(f"/dataset/{revision['name']}", status=None).status_code == 404

    for transition, actor in [("ajukan", "operator"), ("verifikasi_opd", "verifikator_opd"),
                              ("verifikasi_walidata", "verifikator_kominfotik")]:
        assert _api(app, world, actor, "satudata_transition", id=revision["id"],
                    transition=transition).status_code == 200
        assert app.get("/api/3/action/package_show?id=penduduk-revisi-uji").json["result"]["satuan"] == "jiwa"

    published = _api(app, world, "walidata", "satudata_transition", id=revision["id"], transition="terbitkan")
    assert published.status_code == 200, published.body

    public = app.get("/api/3/action/package_show?id=penduduk-revisi-uji").json["result"]
    assert (public["satuan"], public["tahun_data_akhir"], public["satudata_status"]) == ("orang", 2025, "terbit")
    assert [r["name"] for r in public["resources"]] == ["Data 2024", "Data 2025"]
    # The published file keeps its id (links and its DataStore table stay); the new one is downloadable.
    assert public["resources"][0]["id"] == old_resource["id"]
    download = app.get(public["resources"][1]["url"].replace("http://test.ckan.net", ""))
    assert b"Sukorejo,9" in download.data
    assert app.get(f"/api/3/action/package_show?id={revision['id']}", headers=world.token("walidata"),
                   status=None).json["result"]["state"] == "deleted"

    # The history shows both versions.
    history = helpers.call_action("satudata_workflow_history", id=live["id"])
    moves = [(e["package_id"] == live["id"], e["transition"]) for e in history]
    assert moves[-6:] == [(False, "buat"), (False, "ajukan"), (False, "verifikasi_opd"),
                          (False, "verifikasi_walidata"), (False, "terbitkan"), (True, "terbitkan_revisi")]
    assert moves[:5] == [(True, "buat"), (True, "ajukan"), (True, "verifikasi_opd"),
                         (True, "verifikasi_walidata"), (True, "terbitkan")]


@pytest.mark.parametrize("state", [transitions.DRAF, transitions.DIAJUKAN, transitions.DISETUJUI])
def test_only_published_datasets_are_revised(app, world, state):
    dataset = world_module.dataset_in_state(world, state, name=f"belum-terbit-{state}".replace("_", "-"))
    response = _api(app, world, "operator", "satudata_revision_create", id=dataset["id"])
    assert response.status_code == 403  # the auth function decides, so the dataset page offers no "Revise" either
    assert "Hanya dataset yang sudah terbit yang dapat direvisi" in response.json["error"]["message"]


def test_one_revision_at_a_time(app, world):
    live = world_module.dataset_in_state(world, transitions.TERBIT, name="satu-revisi")
    assert _api(app, world, "operator", "satudata_revision_create", id=live["id"]).status_code == 200
    second = _api(app, world, "operator", "satudata_revision_create", id=live["id"])
    assert second.status_code == 409
    assert "satu-revisi-revisi" in second.json["error"]["id"][0]


@pytest.mark.parametrize("actor", ["operator_other_opd", "verifikator_opd", "walidata", "anonymous"])
def test_only_the_opds_operator_revises(app, world, actor):
    live = world_module.dataset_in_state(world, transitions.TERBIT, name=f"revisi-oleh-{actor}".replace("_", "-"))
    assert _api(app, world, actor, "satudata_revision_create", id=live["id"]).status_code == 403


def test_the_operator_starts_a_revision_from_the_dataset_page(app, world):
    live = world_module.dataset_in_state(world, transitions.TERBIT, name="revisi-dari-halaman")
    browser = world_module.logged_in(app, world, "operator")
    page = browser.get("/dataset/revisi-dari-halaman").body
    assert "satudata-revise" in page

    response = browser.post("/dataset/revisi-dari-halaman/revisi", data={"_csrf_token": world_module.csrf_token(page)},
                            follow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dataset/edit/revisi-dari-halaman-revisi")
    assert helpers.call_action("package_show", id="revisi-dari-halaman-revisi")["satudata_status"] == transitions.DRAF
    assert "satudata-revise" not in app.get("/dataset/revisi-dari-halaman").body  # not for the public


@pytest.mark.parametrize("failing_step", ["package_update", "record_revision_published"])
def test_publishing_a_revision_commits_everything_or_nothing(app, world, monkeypatch, failing_step):
    """An injected failure midway (before the live dataset is patched, or after it): the state, the event, the live
    content and the revision copy are as before the attempt."""
    live = world_module.dataset_in_state(world, transitions.TERBIT, name=f"atomic-{failing_step}".replace("_", "-"))
    revision = _api(app, world, "operator", "satudata_revision_create", id=live["id"]).json["result"]
    helpers.call_action("package_patch", context={"user": world.name("operator")}, id=revision["id"],
                        satuan="orang")
    for transition, actor in [("ajukan", "operator"), ("verifikasi_opd", "verifikator_opd"),
                              ("verifikasi_walidata", "verifikator_kominfotik")]:
        helpers.call_action("satudata_transition", context={"user": world.name(actor)}, id=revision["id"],
                            transition=transition)

    def boom(*args, **kwargs):
        raise RuntimeError("injected failure")

    if failing_step == "package_update":
        original = revisions.tk.get_action

        def get_action(name):
            action = original(name)
            if name != "package_update":
                return action

            def half_then_fail(context, data_dict):
                action(context, data_dict)  # the live dataset is patched in the session...
                boom()  # ...and then the publication fails
            return half_then_fail
        monkeypatch.setattr(revisions.tk, "get_action", get_action)
    else:
        monkeypatch.setattr(transitions, "record_revision_published", boom)

    with pytest.raises(RuntimeError):
        helpers.call_action("satudata_transition", context={"user": world.name("walidata")}, id=revision["id"],
                            transition="terbitkan")
    monkeypatch.undo()

    shown = helpers.call_action("package_show", id=revision["id"])
    assert (shown["state"], shown["satudata_status"]) == ("active", transitions.DISETUJUI)
    public = app.get(f"/api/3/action/package_show?id={live['id']}").json["result"]
    assert (public["satuan"], public["satudata_status"]) == ("jiwa", transitions.TERBIT)
    assert revisions.revision_of(revision["id"]).applied_at is None
    history = [e["transition"] for e in helpers.call_action("satudata_workflow_history", id=live["id"])]
    assert "terbitkan_revisi" not in history and history.count("terbitkan") == 1
    # Nothing is stuck: the publication succeeds once the failure is gone.
    helpers.call_action("satudata_transition", context={"user": world.name("walidata")}, id=revision["id"],
                        transition="terbitkan")
    assert app.get(f"/api/3/action/package_show?id={live['id']}").json["result"]["satuan"] == "orang"
