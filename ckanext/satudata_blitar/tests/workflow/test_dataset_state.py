"""A dataset's state where people meet it: submission only with loaded data and out of CKAN's draft, the reason of
a return on the page, the edit form and the lists, the state and who acts next in package_search results, a state
facet for the people of the workflow, readable badges, and the upload field on the resource form."""
import io
import re

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import FileStorage

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import world as world_module

REASON = "Satuan harus jiwa, bukan orang."


def _new(world, name, **extra):
    return helpers.call_action("package_create", context={"user": world.name("operator")},
                               **world_module._body(world, name), **extra)


def _submit(app, world, dataset_id, actor="operator"):
    return app.post("/api/3/action/satudata_transition", headers=world.token(actor), status=None,
                    json={"id": dataset_id, "transition": "ajukan"})


def _upload(world, dataset_id):
    return helpers.call_action(
        "resource_create", context={"user": world.name("operator")}, package_id=dataset_id, name="Data",
        upload=FileStorage(io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "data.csv", content_type="text/csv"))


# --- submission -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("actor", ["operator", "sysadmin"])
def test_a_dataset_without_data_cannot_be_submitted(app, world, actor):
    dataset = _new(world, f"tanpa-data-{actor}")
    response = _submit(app, world, dataset["id"], actor)
    assert response.status_code == 409
    assert "dapat diajukan hanya bila" in response.json["error"]["id"][0]
    assert transitions.current_state(dataset["id"]) == transitions.DRAF


@pytest.mark.parametrize("report_status, expected", [("pending", 409), ("error", 409), ("ok", 200), ("warning", 200)])
def test_only_an_accepted_upload_report_counts_as_loaded(app, world, report_status, expected):
    dataset = _new(world, f"laporan-{report_status}")
    resource = _upload(world, dataset["id"])
    issues = {"error": [{"severity": "error", "message": "x"}],
              "warning": [{"severity": "warning", "message": "x"}]}.get(report_status, [])
    if report_status == "pending":
        upload_check.mark_pending(resource["id"])
    else:
        upload_check.save(resource["id"], {"rows": 1, "issues": issues})
    assert _submit(app, world, dataset["id"]).status_code == expected


def test_data_in_the_datastore_counts_as_loaded(app, world):
    dataset = _new(world, "di-datastore")
    sysadmin = {"user": world.name("sysadmin")}
    resource = helpers.call_action("resource_create", context=sysadmin, package_id=dataset["id"], name="Tabel",
                                   url="https://data.example/tabel.csv", format="CSV")
    helpers.call_action("datastore_create", context=sysadmin, resource_id=resource["id"], force=True,
                        **satudata_factories.table())
    assert _submit(app, world, dataset["id"]).status_code == 200
    assert transitions.current_state(dataset["id"]) == transitions.DIAJUKAN


def test_a_ckan_draft_cannot_be_submitted_even_with_data(app, world):
    """The two-stage form leaves a dataset in CKAN's `draft` state until its first resource is finished; such a
    dataset appears in no verifier's list, so it must not be submitted."""
    dataset = _new(world, "masih-draft", state="draft")
    satudata_factories.with_loaded_data(dataset)
    helpers.call_action("package_patch", context={"user": world.name("sysadmin")}, id=dataset["id"], state="draft")
    response = _submit(app, world, dataset["id"])
    assert response.status_code == 409
    assert "masih draf" in response.json["error"]["id"][0]
    assert transitions.current_state(dataset["id"]) == transitions.DRAF


def test_the_dataset_page_says_why_it_cannot_be_submitted(app, world):
    _new(world, "belum-ada-data")
    operator = world_module.logged_in(app, world, "operator")
    page = BeautifulSoup(operator.get("/dataset/belum-ada-data").body, "html.parser")
    assert "dapat diajukan hanya bila" in page.select_one("#satudata-status-strip .satudata-submit-refusal").text


# --- the reason of a return -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def returned(world):
    unload = world_module.loaded_plugins()
    try:
        dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="dikembalikan")
        helpers.call_action("satudata_transition", context={"user": world.name("verifikator_opd")},
                            id=dataset["id"], transition="kembalikan_opd", note=REASON)
    finally:
        unload()
    return dataset


@pytest.mark.parametrize("path", ["/dataset/dikembalikan", "/dataset/edit/dikembalikan"])
def test_the_reason_of_a_return_heads_the_dataset_page_and_the_edit_form(app, world, returned, path):
    operator = world_module.logged_in(app, world, "operator")
    page = BeautifulSoup(operator.get(path).body, "html.parser")
    note = page.select_one("#satudata-status-strip .satudata-return-note")
    assert note and REASON in note.text
    # Above the form or the dataset, not in the sidebar.
    assert note.find_parent(attrs={"role": "main"})


@pytest.mark.parametrize("path", ["/dataset/?q=name:dikembalikan", "/dashboard/datasets",
                                  "/organization/dinas-kesehatan?q=name:dikembalikan"])
def test_the_lists_show_the_state_who_acts_next_and_the_reason(app, world, returned, path):
    operator = world_module.logged_in(app, world, "operator")
    page = BeautifulSoup(operator.get(path).body, "html.parser")
    item = next(li for li in page.select("li.dataset-item") if li.select_one("a[href$='/dataset/dikembalikan']"))
    assert item.select_one(".satudata-status.satudata-status-perlu_perbaikan").get_text(strip=True) == \
        "Perlu Perbaikan"
    assert "Operator Data" in item.select_one(".satudata-waiting-for").text
    assert REASON in item.select_one(".satudata-return-note").text


def test_the_operator_submits_from_the_list_and_stays_on_it(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="ajukan-dari-daftar")
    operator = world_module.logged_in(app, world, "operator")
    page = BeautifulSoup(operator.get("/dataset/?q=name:ajukan-dari-daftar").body, "html.parser")
    form = page.select_one("form.satudata-list-submit")
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    response = operator.post(form["action"], data=data, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dataset/?q=name:ajukan-dari-daftar") or \
        "/dataset/?q=name" in response.headers["Location"]
    assert transitions.current_state(dataset["id"]) == transitions.DIAJUKAN


def test_the_list_never_sends_the_browser_to_another_site(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="ajukan-keluar")
    operator = world_module.logged_in(app, world, "operator")
    page = operator.get("/dataset/ajukan-keluar").body
    response = operator.post(f"/dataset/{dataset['name']}/transition", follow_redirects=False, data={
        "_csrf_token": world_module.csrf_token(page), "transition": "ajukan", "came_from": "//evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


# --- package_search ------------------------------------------------------------------------------------------

def _search(app, world, viewer, **params):
    response = app.post("/api/3/action/package_search", headers=world.token(viewer),
                        json={"include_private": True, "rows": 100, **params})
    return {r["name"]: r for r in response.json["result"]["results"]}


def test_search_results_carry_the_state_and_who_acts_next(app, world, returned):
    results = _search(app, world, "operator", q="organization:dinas-kesehatan")
    assert results["dikembalikan"]["satudata_status"] == transitions.PERLU_PERBAIKAN
    assert results["dikembalikan"]["satudata_waiting_for"] == ["operator"]
    assert results["dikembalikan"]["satudata_return_note"] == REASON
    assert results["data-diajukan"]["satudata_status"] == transitions.DIAJUKAN
    assert results["data-diajukan"]["satudata_waiting_for"] == ["verifikator_opd"]
    assert results["data-terverifikasi_opd"]["satudata_waiting_for"] == ["verifikator_kominfotik", "walidata"]
    assert results["data-terbit"]["satudata_waiting_for"] == []


def test_search_results_come_from_the_index_without_a_query_per_result(app, world, returned, monkeypatch):
    from ckanext.satudata_blitar.workflow import dataset_state
    calls = []
    monkeypatch.setattr(dataset_state, "fields", lambda *args: calls.append(args) or {})
    results = _search(app, world, "walidata")
    assert results["dikembalikan"]["satudata_status"] == transitions.PERLU_PERBAIKAN
    assert calls == []


def test_the_indexed_state_follows_every_transition(world):
    """The Solr field `satudata_status` (filters, the state facet) says the state the database says, for every
    dataset of the world, each moved there through several transitions (issue 15: it stayed at `diajukan`)."""
    for state, dataset in world.datasets.items():
        found = helpers.call_action("package_search", context={"ignore_auth": True}, include_private=True,
                                    fq=f"+id:{dataset['id']} +satudata_status:{state}")["results"]
        assert [r["name"] for r in found] == [dataset["name"]], (state, transitions.current_state(dataset["id"]))


def test_the_indexed_state_survives_a_load_that_ends_after_the_verifications(world, with_test_worker):
    """xloader marks a loaded resource `datastore_active` by reindexing the dataset dict Solr stored (CKAN 2.11),
    not package_show: a load queued at upload that ends after the verifications keeps the state of now."""
    from ckan.lib import jobs
    queue = jobs.get_queue()
    queue.empty()
    dataset = world_module.dataset_in_state(world, transitions.DISETUJUI, name="dimuat-belakangan")
    assert queue.count == 1  # the upload's load, still waiting
    jobs.Worker().work(burst=True)
    found = helpers.call_action("package_search", context={"ignore_auth": True}, include_private=True,
                                fq=f"+id:{dataset['id']} +satudata_status:{transitions.DISETUJUI}")["results"]
    assert [(r["name"], r["satudata_status"]) for r in found] == [(dataset["name"], transitions.DISETUJUI)]
    assert found[0]["resources"][0]["datastore_active"] is True


def test_visitors_see_only_published_states(app, world):
    response = app.post("/api/3/action/package_search", json={"include_private": True, "rows": 100,
                                                               "facet.field": ["satudata_status"]})
    result = response.json["result"]
    assert {r["satudata_status"] for r in result["results"]} == {transitions.TERBIT}
    assert set(result["facets"]["satudata_status"]) == {transitions.TERBIT}


def _facet_titles(html):
    return [h.get_text(" ", strip=True) for h in BeautifulSoup(html, "html.parser").select(".module-heading")]


def test_the_state_facet_is_for_the_people_of_the_workflow(app, world, returned):
    assert not any("Status" in title for title in _facet_titles(app.get("/dataset/").body))
    operator = world_module.logged_in(app, world, "operator")
    page = BeautifulSoup(operator.get("/dataset/").body, "html.parser")
    links = {a.get_text(" ", strip=True) for a in page.select("a[href*='satudata_status=']")}
    assert any(text.startswith("Perlu Perbaikan") for text in links), links
    filtered = operator.get("/dataset/?satudata_status=perlu_perbaikan").body
    names = {a["href"].rsplit("/", 1)[-1] for a in
             BeautifulSoup(filtered, "html.parser").select("li.dataset-item .dataset-heading a")}
    assert "dikembalikan" in names and "data-diajukan" not in names


# --- badges ----------------------------------------------------------------------------------------------------

def _luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("state", list(transitions.STATE_LABELS))
def test_each_state_has_its_own_readable_badge(state):
    from pathlib import Path
    css = (Path(transitions.__file__).parents[1] / "assets" / "css" / "workflow.css").read_text()
    rule = re.search(r"\.satudata-status-%s\s*\{([^}]*)\}" % state, css)
    assert rule, state
    colour = re.search(r"(?<!-)color:\s*(#[0-9a-f]{6})", rule.group(1)).group(1)
    background = re.search(r"background:\s*(#[0-9a-f]{6})", rule.group(1)).group(1)
    assert _contrast(colour, background) >= 4.5
    others = re.findall(r"\.satudata-status-(?!%s\b)\w+\s*\{[^}]*background:\s*(#[0-9a-f]{6})" % state, css)
    assert background not in others


# --- uploads on the resource form --------------------------------------------------------------------------------

def test_the_resource_form_offers_an_upload(app, world):
    _new(world, "unggah-form")
    operator = world_module.logged_in(app, world, "operator")
    page = BeautifulSoup(operator.get("/dataset/unggah-form/resource/new").body, "html.parser")
    upload = page.select_one("input[type=file][name=upload]")
    assert upload is not None


# --- the dataset form -------------------------------------------------------------------------------------------

def test_the_dataset_form_is_in_the_five_bps_sections_with_help(app, world):
    operator = world_module.logged_in(app, world, "operator")
    page = BeautifulSoup(operator.get("/dataset/new").body, "html.parser")
    sections = page.select("form#dataset-edit fieldset.satudata-form-section")
    assert [s.select_one("legend").get_text(strip=True) for s in sections] == [
        "Informasi Umum", "Konsep dan Definisi", "Cakupan dan Periode", "Sumber dan Pengumpulan Data",
        "Kontak dan Rilis"]
    fields = {s["id"]: {f["name"] for f in s.select("[name]")} for s in sections}
    assert {"title", "owner_org", "urusan"} <= fields["bagian-umum"]
    assert {"definisi", "satuan"} <= fields["bagian-konsep"]
    assert {"tahun_data_awal", "frekuensi"} <= fields["bagian-periode"]
    assert {"sumber_data", "cara_pengumpulan"} <= fields["bagian-sumber"]
    assert {"kontak_email", "tanggal_rilis"} <= fields["bagian-kontak"]
    definisi = page.select_one("#field-definisi").find_parent(class_="form-group")
    assert "Definisi operasional" in definisi.get_text(" ")


def test_the_state_is_read_once_per_request_and_afresh_after_a_transition(app, world):
    """A dataset page asks for the state a dozen times (auth checks, package_show): one query per request. A
    transition in the same request forgets it, so what follows sees the new state; the next request reads again."""
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="dibaca-sekali")
    with world_module.sql_statements() as statements:
        def state_reads() -> int:
            return sum("satudata_dataset_status" in statement for statement in statements)

        with app.flask_app.test_request_context():
            assert [transitions.current_state(dataset["id"]) for _ in range(5)] == [transitions.DIAJUKAN] * 5
            assert state_reads() == 1
            helpers.call_action("satudata_transition", context={"user": world.name("verifikator_opd")},
                                id=dataset["id"], transition="verifikasi_opd")
            assert transitions.current_state(dataset["id"]) == transitions.TERVERIFIKASI_OPD
        with app.flask_app.test_request_context():
            before = state_reads()
            assert transitions.current_state(dataset["id"]) == transitions.TERVERIFIKASI_OPD
            assert state_reads() == before + 1  # a new request reads it again


def test_a_rebuild_reads_the_state_once_per_dataset_and_indexes_the_state_of_now(world):
    """`ckan search-index rebuild` runs outside a web request (nothing remembered): package_show reads the state and
    the index takes it from there, one query per dataset, not two; after a transition the document says
    the new state and who acts next, in the Solr field and in the stored dict package_search returns."""
    import flask
    from ckan.lib import search

    assert not flask.has_request_context()
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="diindeks-sekali")
    helpers.call_action("satudata_transition", context={"user": world.name("verifikator_opd")},
                        id=dataset["id"], transition="verifikasi_opd")
    with world_module.sql_statements() as statements:
        search.rebuild(package_ids=[dataset["id"]])
    # CKAN 2.12 keeps the shown dict for the index; on 2.11 the index takes the state package_show handed to it
    # (it reads it itself only for a dict it was not handed: xloader's reindex of the dict Solr stored).
    assert sum("FROM satudata_dataset_status" in s for s in statements) == 1
    found = helpers.call_action("package_search", context={"ignore_auth": True}, include_private=True,
                                fq=f"+id:{dataset['id']} +satudata_status:{transitions.TERVERIFIKASI_OPD}")["results"]
    assert [(r["name"], r["satudata_status"], r["satudata_waiting_for"]) for r in found] == [
        (dataset["name"], transitions.TERVERIFIKASI_OPD, ["verifikator_kominfotik", "walidata"])]
