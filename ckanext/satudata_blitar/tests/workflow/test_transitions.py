"""The two-stage verification workflow through the Action API: the role × state × transition matrix, the rules
around it (locks, reasons, conflicts, publication) and the SOP walk-through."""
import datetime
import threading

import pytest

import ckan.model as model
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import transitions, working_days
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests.indonesian_text import english_formats

ACTORS = ["operator", "operator_other_opd", "verifikator_opd", "verifikator_other_opd", "ckan_admin",
          "verifikator_kominfotik", "walidata", "sysadmin"]
# Who may make each transition (transitions.TRANSITIONS says it in roles; here it is said again in people, so that a
# wrong table fails the test). Sysadmins may make any.
MAY = {
    "ajukan": {"operator"},
    "verifikasi_opd": {"verifikator_opd"},
    "kembalikan_opd": {"verifikator_opd"},
    "verifikasi_walidata": {"verifikator_kominfotik", "walidata"},
    "kembalikan_walidata": {"verifikator_kominfotik", "walidata"},
    "terbitkan": {"walidata"},
    "tarik": {"walidata"},
}
FROM = {
    "ajukan": {transitions.DRAF, transitions.PERLU_PERBAIKAN},
    "verifikasi_opd": {transitions.DIAJUKAN},
    "kembalikan_opd": {transitions.DIAJUKAN},
    "verifikasi_walidata": {transitions.TERVERIFIKASI_OPD},
    "kembalikan_walidata": {transitions.TERVERIFIKASI_OPD},
    "terbitkan": {transitions.DISETUJUI},
    "tarik": {transitions.TERBIT},
}




def _transition(app, world, actor, dataset_id, transition, note="Mohon diperbaiki: satuan belum sesuai."):
    return app.post("/api/3/action/satudata_transition", headers=world.token(actor), status=None,
                    json={"id": dataset_id, "transition": transition, "note": note})


def _state(dataset_id):
    return helpers.call_action("package_show", id=dataset_id)["satudata_status"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("state", list(world_module.PATHS))
def test_role_state_transition_matrix(app, world, state, actor, request):
    """Every transition from every state by every role: done exactly when the table allows it; otherwise a 403
    (wrong role) or a 409 (wrong state) and nothing changes."""
    dataset = world_module.dataset_in_state(world, state, name=f"m-{state}-{actor}".replace("_", "-"))
    wrong = {}
    for transition in transitions.TRANSITIONS:
        allowed_role = actor in MAY[transition] or actor == "sysadmin"
        allowed_state = state in FROM[transition]
        response = _transition(app, world, actor, dataset["id"], transition)
        if allowed_role and allowed_state:
            ok = response.status_code == 200 and _state(dataset["id"]) == transitions.TRANSITIONS[transition].to_state
            # Put a fresh dataset in place for the remaining transitions.
            dataset = world_module.dataset_in_state(world, state, name=f"m-{state}-{actor}-{transition}".replace(
                "_", "-"))
        else:
            expected_status = 403 if not allowed_role else 409
            ok = response.status_code == expected_status and _state(dataset["id"]) == state
        if not ok:
            wrong[transition] = response.status_code
    assert wrong == {}


def test_the_table_and_the_test_agree():
    assert {name: set(t.from_states) for name, t in transitions.TRANSITIONS.items()} == FROM


@pytest.mark.parametrize("transition, state", [
    ("kembalikan_opd", transitions.DIAJUKAN), ("kembalikan_walidata", transitions.TERVERIFIKASI_OPD),
    ("tarik", transitions.TERBIT)])
@pytest.mark.parametrize("note", ["", "   "])
def test_returning_or_withdrawing_needs_a_reason(app, world, transition, state, note):
    actor = "walidata" if transition != "kembalikan_opd" else "verifikator_opd"
    dataset = world_module.dataset_in_state(world, state, name=f"r-{transition}-{len(note)}".replace("_", "-"))

    response = _transition(app, world, actor, dataset["id"], transition, note=note)

    assert response.status_code == 409
    assert "note" in response.json["error"]
    assert _state(dataset["id"]) == state


def test_an_unknown_transition_is_a_clear_error(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="unknown-transition")
    response = _transition(app, world, "operator", dataset["id"], "setujui-saja")
    assert response.status_code == 409
    assert "transition" in response.json["error"]


def test_the_history_records_who_in_which_role_when_from_to_and_the_note(app, world):
    dataset = world_module.dataset_in_state(world, transitions.PERLU_PERBAIKAN, name="history")
    history = app.get(f"/api/3/action/satudata_workflow_history?id={dataset['id']}",
                      headers=world.token("operator")).json["result"]

    assert [(e["transition"], e["from_state"], e["to_state"], e["actor_name"], e["actor_role"]) for e in history] == [
        ("buat", None, "draf", "operator", "operator"),
        ("ajukan", "draf", "diajukan", "operator", "operator"),
        ("kembalikan_opd", "diajukan", "perlu_perbaikan", "verifikator-opd", "verifikator_opd"),
    ]
    assert history[2]["note"] == "Catatan uji"
    times = [datetime.datetime.fromisoformat(e["created_at"]) for e in history]
    assert times == sorted(times)


def test_sysadmin_transitions_are_recorded_as_theirs(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="sysadmin-acts")
    assert _transition(app, world, "sysadmin", dataset["id"], "verifikasi_opd").status_code == 200
    last = helpers.call_action("satudata_workflow_history", id=dataset["id"])[-1]
    assert (last["actor_name"], last["actor_role"]) == ("sysadmin", "sysadmin")


@pytest.mark.parametrize("state", [transitions.DIAJUKAN, transitions.TERVERIFIKASI_OPD, transitions.DISETUJUI,
                                   transitions.TERBIT])
def test_content_is_locked_for_the_operator_outside_draft_and_revision(app, world, state):
    dataset = world_module.dataset_in_state(world, state, name=f"locked-{state}".replace("_", "-"))
    headers = world.token("operator")

    patch = app.post("/api/3/action/package_patch", json={"id": dataset["id"], "satuan": "orang"},
                     headers=headers, status=None)
    resource = app.post("/api/3/action/resource_create", headers=headers, status=None,
                        json={"package_id": dataset["id"], "name": "Lain", "url": "http://data.example/x.csv"})
    delete = app.post("/api/3/action/package_delete", json={"id": dataset["id"]}, headers=headers, status=None)

    assert (patch.status_code, resource.status_code, delete.status_code) == (403, 403, 403)
    assert helpers.call_action("package_show", id=dataset["id"])["satuan"] == REQUIRED_METADATA["satuan"]


@pytest.mark.parametrize("state", [transitions.DRAF, transitions.PERLU_PERBAIKAN])
def test_the_operator_edits_in_draft_and_revision(app, world, state):
    dataset = world_module.dataset_in_state(world, state, name=f"editable-{state}".replace("_", "-"))
    response = app.post("/api/3/action/package_patch", json={"id": dataset["id"], "satuan": "orang"},
                        headers=world.token("operator"), status=None)
    assert response.status_code == 200, response.body
    assert helpers.call_action("package_show", id=dataset["id"])["satuan"] == "orang"


@pytest.mark.parametrize("actor", ["operator", "sysadmin"])
def test_editing_never_publishes_nor_changes_the_workflow(app, world, actor):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name=f"sneaky-{actor}")
    response = app.post("/api/3/action/package_patch", headers=world.token(actor), status=None,
                        json={"id": dataset["id"], "private": False, "satudata_status": "terbit"})

    assert response.status_code == 200
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert (shown["private"], shown["satudata_status"]) == (True, transitions.DRAF)


def test_creating_a_public_dataset_is_impossible(app, world):
    body = {"name": "langsung-publik", "title": "Langsung Publik", "notes": "x", "private": False,
            "owner_org": world.orgs["dinas-kesehatan"]["id"], **REQUIRED_METADATA}
    response = app.post("/api/3/action/package_create", json=body, headers=world.token("operator"))
    assert response.json["result"]["private"] is True
    assert response.json["result"]["satudata_status"] == transitions.DRAF


@pytest.mark.parametrize("action", ["bulk_update_public", "bulk_update_private"])
def test_the_bulk_visibility_buttons_are_refused_even_for_sysadmins(app, world, action):
    draft = world_module.dataset_in_state(world, transitions.DRAF, name=f"bulk-draft-{action}".replace("_", "-"))
    published = world_module.dataset_in_state(world, transitions.TERBIT, name=f"bulk-pub-{action}".replace("_", "-"))
    response = app.post(f"/api/3/action/{action}", headers=world.token("sysadmin"), status=None,
                        json={"datasets": [draft["id"], published["id"]],
                              "org_id": world.orgs["dinas-kesehatan"]["id"]})
    assert response.status_code == 409
    assert helpers.call_action("package_show", id=draft["id"])["private"] is True
    assert helpers.call_action("package_show", id=published["id"])["private"] is False


@pytest.mark.parametrize("actor", ["operator", "verifikator_opd", "verifikator_other_opd", "ckan_admin"])
def test_only_an_opd_operator_creates_datasets(app, world, actor):
    body = {"name": f"baru-{actor}".replace("_", "-"), "title": "Baru", "notes": "x",
            "owner_org": world.orgs["dinas-kesehatan"]["id"], **REQUIRED_METADATA}
    response = app.post("/api/3/action/package_create", json=body, headers=world.token(actor), status=None)
    assert response.status_code == (200 if actor == "operator" else 403)


def test_only_terbuka_data_is_published(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="rahasia")
    helpers.call_action("package_patch", context={"user": world.name("operator")}, id=dataset["id"],
                        sifat_data="terbatas")
    for transition, actor in world_module.PATHS[transitions.DISETUJUI]:
        assert _transition(app, world, actor, dataset["id"], transition).status_code == 200

    response = _transition(app, world, "walidata", dataset["id"], "terbitkan")

    assert response.status_code == 409
    assert "sifat_data" in response.json["error"]
    assert helpers.call_action("package_show", id=dataset["id"])["private"] is True


def test_withdrawing_hides_the_dataset_and_returns_it_to_the_operator(app, world):
    dataset = world_module.dataset_in_state(world, transitions.TERBIT, name="ditarik")
    assert app.get("/dataset/ditarik", status=None).status_code == 200

    assert _transition(app, world, "walidata", dataset["id"], "tarik", note="Data keliru").status_code == 200

    assert app.get("/dataset/ditarik", status=None).status_code == 404
    assert _state(dataset["id"]) == transitions.PERLU_PERBAIKAN
    assert app.post("/api/3/action/package_patch", json={"id": dataset["id"], "satuan": "orang"},
                    headers=world.token("operator")).status_code == 200


def test_two_verifiers_at_the_same_moment_make_exactly_one_transition(app, world):
    dataset = world_module.dataset_in_state(world, transitions.TERVERIFIKASI_OPD, name="race")
    results = []
    barrier = threading.Barrier(2)

    def act(actor, transition):
        with app.flask_app.app_context():
            barrier.wait()
            results.append(_transition(app, world, actor, dataset["id"], transition).status_code)
            model.Session.remove()

    threads = [threading.Thread(target=act, args=("walidata", "verifikasi_walidata")),
               threading.Thread(target=act, args=("verifikator_kominfotik", "kembalikan_walidata"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [200, 409]
    moves = [e for e in helpers.call_action("satudata_workflow_history", id=dataset["id"])
             if e["from_state"] == transitions.TERVERIFIKASI_OPD]
    assert len(moves) == 1
    assert _state(dataset["id"]) == moves[0]["to_state"]


def test_the_sop_walk_through_with_all_four_roles(app, world, mail_server):
    """SOP steps 3–6: upload, verification by the OPD, verification by the Walidata, publication."""
    body = {"name": "penduduk-menurut-kecamatan", "title": "Penduduk menurut Kecamatan", "notes": "x",
            "owner_org": world.orgs["dinas-kesehatan"]["id"], **REQUIRED_METADATA}
    dataset = app.post("/api/3/action/package_create", json=body, headers=world.token("operator")).json["result"]
    assert app.get("/dataset/penduduk-menurut-kecamatan", status=None).status_code == 404
    satudata_factories.with_loaded_data(dataset)

    steps = [("operator", "ajukan", transitions.DIAJUKAN, ["verifikator_opd"]),
             ("verifikator_opd", "kembalikan_opd", transitions.PERLU_PERBAIKAN, ["operator"]),
             ("operator", "ajukan", transitions.DIAJUKAN, ["verifikator_opd"]),
             ("verifikator_opd", "verifikasi_opd", transitions.TERVERIFIKASI_OPD,
              ["verifikator_kominfotik", "walidata"]),
             ("verifikator_kominfotik", "verifikasi_walidata", transitions.DISETUJUI, ["walidata"]),
             ("walidata", "terbitkan", transitions.TERBIT, ["operator"])]
    for actor, transition, state, notified in steps:
        mail_server.clear_smtp_messages()
        response = _transition(app, world, actor, dataset["id"], transition)
        assert response.status_code == 200, (transition, response.body)
        assert _state(dataset["id"]) == state
        recipients = sorted(to for _, _, to_addrs, _ in mail_server.get_smtp_messages()
                            for to in ([to_addrs] if isinstance(to_addrs, str) else to_addrs))
        assert recipients == sorted(world.users[name]["email"] for name in notified), transition

    public = app.get("/dataset/penduduk-menurut-kecamatan")
    assert "Penduduk menurut Kecamatan" in public.body
    history = helpers.call_action("satudata_workflow_history", id=dataset["id"])
    assert [e["to_state"] for e in history] == ["draf", "diajukan", "perlu_perbaikan", "diajukan",
                                                 "terverifikasi_opd", "disetujui", "terbit"]


def test_the_mail_is_in_the_portals_language_with_its_date_format(app, world, mail_server, ckan_config, monkeypatch):
    """The verifier works in the English pages; the operator's mail is still Indonesian, dated as the pages are."""
    import email
    import re

    monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Asia/Jakarta")
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="surat-bahasa")
    mail_server.clear_smtp_messages()
    response = app.post("/en/api/3/action/satudata_transition", headers=world.token("verifikator_opd"),
                        json={"id": dataset["id"], "transition": "kembalikan_opd", "note": "Satuan belum sesuai."})
    assert response.status_code == 200, response.body
    (_, _, _, raw), = mail_server.get_smtp_messages()
    message = email.message_from_string(raw)
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject.endswith(": Perlu Perbaikan"), subject
    assert "Oleh: verifikator-opd" in body or "Verifikator OPD" in body, body
    months = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
    assert re.search(rf"\b\d{{1,2}} (?:{months}) \d{{4}}, \d{{2}}\.\d{{2}} WIB\b", body), body
    assert not english_formats(body), body
    assert "/en/" not in body


def test_every_state_and_movement_has_words_in_both_languages():
    """A new state or transition cannot be missing from the pages, the reports and their files."""
    from ckanext.satudata_blitar.language import translated

    movements = {t.movement for t in transitions.TRANSITIONS.values()}
    assert movements == set(transitions.MOVEMENT_LABELS)
    states = {t.to_state for t in transitions.TRANSITIONS.values()} | {transitions.DRAF}
    assert states == set(transitions.STATE_LABELS)
    for msgid in [*transitions.MOVEMENT_LABELS.values(), *transitions.STATE_LABELS.values()]:
        assert translated(msgid, "id") != msgid, f"no Indonesian for {msgid!r}"


def test_two_stages_two_people_in_each_submission(app, world):
    """Whoever verified a submission at the OPD stage (here a sysadmin, who may make any transition) cannot verify
    or return it at the Walidata stage; a new submission starts afresh."""
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="two-people")
    assert _transition(app, world, "sysadmin", dataset["id"], "verifikasi_opd").status_code == 200
    for transition in ("verifikasi_walidata", "kembalikan_walidata"):
        refused = _transition(app, world, "sysadmin", dataset["id"], transition)
        assert refused.status_code == 403, transition
    assert helpers.call_action("package_show", id=dataset["id"])["satudata_status"] == transitions.TERVERIFIKASI_OPD
    # Someone else returns it; resubmitted, the OPD verifier verifies, and the sysadmin may now verify stage 2.
    assert _transition(app, world, "walidata", dataset["id"], "kembalikan_walidata").status_code == 200
    assert _transition(app, world, "operator", dataset["id"], "ajukan").status_code == 200
    assert _transition(app, world, "verifikator_opd", dataset["id"], "verifikasi_opd").status_code == 200
    assert _transition(app, world, "sysadmin", dataset["id"], "verifikasi_walidata").status_code == 200


# --- What a page costs does not grow with the work waiting (issue 15) ---------------------------------------------

def _statements(browser, path: str, text: str = "") -> int:
    """How many SQL statements the site database runs for one page (those holding `text`, if given)."""
    with world_module.sql_statements() as statements:
        assert browser.get(path).status_code == 200
    return sum(text in statement for statement in statements)


def test_the_walidatas_pages_cost_the_same_however_many_datasets_wait(app, world):
    """The header's queue count and the roles behind every label and button are read once per request: three more
    datasets waiting for the Walidata add no SQL statement to her pages."""
    walidata = world_module.logged_in(app, world, "walidata")
    pages = ["/", "/dataset/", "/dashboard/datasets", "/verifikasi"]
    before = {path: _statements(walidata, path) for path in pages}
    for n in range(3):
        world_module.dataset_in_state(world, transitions.DISETUJUI, name=f"menunggu-walidata-{n}")
    after = {path: _statements(walidata, path) for path in pages}
    # /dataset/ shows the new datasets (one CKAN query each for their organisations is stock behaviour); the others
    # must not grow at all.
    assert {p: after[p] for p in pages if p != "/dataset/"} == {p: before[p] for p in pages if p != "/dataset/"}


def test_the_operators_pages_cost_the_same_however_many_datasets_wait_for_them(app, world):
    """Drafts and returned datasets wait for their Operator Data: lists show each with its state and a submit button
    (the auth function behind it per dataset), the header the queue's count. Three more of them add no SQL
    statement to the operator's pages."""
    operator = world_module.logged_in(app, world, "operator")
    pages = ["/", "/dataset/", "/dashboard/datasets", "/verifikasi", "/organization/dinas-kesehatan"]
    # The OPD page's fulfilment reads the working-day calendar: the database's first reader fills its table (a
    # one-time cost, not a cost per dataset), so it is filled before the pages are measured.
    working_days.ensure()
    before = {path: _statements(operator, path) for path in pages}
    for n in range(3):
        world_module.dataset_in_state(world, transitions.DRAF if n % 2 else transitions.PERLU_PERBAIKAN,
                                      name=f"menunggu-operator-{n}")
    after = {path: _statements(operator, path) for path in pages}
    assert after == before


@pytest.mark.parametrize("viewer, path, table", [
    ("walidata", "/dashboard/datasets", "satudata_dataset_status"),  # the header's and the dashboard's count
    # the OPD's daftar elemen data: its fulfilment query (an EXISTS on the list comes first)
    ("anonymous", "/organization/dinas-kesehatan", "FROM satudata_data_element JOIN"),
])
def test_a_figure_a_page_shows_twice_is_computed_once(app, world, viewer, path, table):
    browser = world_module.logged_in(app, world, viewer) if viewer != "anonymous" else app.test_client()
    if "satudata_data_element" in table:
        helpers.call_action("satudata_data_element_create", context={"user": world.name("walidata")},
                            tahun=datetime.date.today().year, owner_org=world.orgs["dinas-kesehatan"]["id"],
                            nama="Jumlah Puskesmas")
    assert _statements(browser, path, table) == 1


def test_a_resource_page_reads_its_files_check_once(app, world):
    """resource_show's auth asks whether the file's check accepted it for the page, each view, the download link and
    the DataStore calls: one query per page (tables/upload_check.accepted remembers it for the request)."""
    dataset = world.datasets["terbit"]
    path = f"/dataset/{dataset['name']}/resource/{dataset['resources'][0]['id']}"
    check_states = "task_status.entity_id AS task_status_entity_id, task_status.state AS task_status_state"
    assert _statements(app.test_client(), path, check_states) == 1
