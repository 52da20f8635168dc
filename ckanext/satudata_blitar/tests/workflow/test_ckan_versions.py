"""What CKAN 2.12 changed and the workflow holds against, on both supported versions (2.12 and 2.11): a published
dataset leaves public view only by the Walidata's withdrawal (2.12's "Unpublish" sets `state=draft`), a transition
that leaves the dataset itself unchanged is still saved (2.12's package_update returns early then), the OPD page
keeps its "metadata file" button (2.12 no longer renders `page_primary_action` there) and our buttons are visible
(2.12 dropped `.btn-default`)."""
import itertools
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module

_numbers = itertools.count()
UNPUBLISH = "go-metadata-unpublish"  # CKAN 2.12's button on the dataset edit form (ckan/views/dataset.py)


def _shown(dataset_id):
    return helpers.call_action("package_show", context={"ignore_auth": True}, id=dataset_id)


def _publicly_found(dataset_name):
    return [d["name"] for d in helpers.call_action("package_search", context={"ignore_auth": False},
                                                   q=f"name:{dataset_name}")["results"]]


@pytest.fixture
def published(world):
    """A published dataset of its own for each test (some tests change it)."""
    return world_module.dataset_in_state(world, transitions.TERBIT, name=f"terbit-{next(_numbers)}")


@pytest.mark.parametrize("viewer", ["operator", "verifikator_opd", "ckan_admin", "verifikator_kominfotik",
                                    "walidata"])
def test_nobody_but_a_sysadmin_sets_a_published_dataset_to_draft_through_the_api(app, world, published, viewer):
    response = app.post("/api/3/action/package_patch", json={"id": published["id"], "state": "draft"},
                        headers=world.token(viewer), status=None)
    assert response.status_code in (403, 409), response.body
    shown = _shown(published["id"])
    assert (shown["state"], shown["private"], shown["satudata_status"]) == ("active", False, transitions.TERBIT)


@pytest.mark.parametrize("state", ["draft", "pending"])
def test_code_acting_for_a_user_without_auth_checks_cannot_unpublish_either(world, published, state):
    # e.g. the transition's own patch runs with ignore_auth as the acting Walidata
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", context={"user": world.name("walidata"), "ignore_auth": True},
                            id=published["id"], state=state)
    assert "state" in error.value.error_dict
    assert _shown(published["id"])["state"] == "active"
    assert _publicly_found(published["name"]) == [published["name"]]


def test_a_sysadmin_may_set_a_published_dataset_to_draft(world, published):
    helpers.call_action("package_patch", context={"user": world.name("sysadmin")}, id=published["id"],
                        state="draft")
    assert _shown(published["id"])["state"] == "draft"


def test_an_unchanged_published_dataset_saved_again_keeps_its_state(world, published):
    helpers.call_action("package_patch", context={"user": world.name("sysadmin")}, id=published["id"])
    shown = _shown(published["id"])
    assert (shown["state"], shown["private"], shown["satudata_status"]) == ("active", False, transitions.TERBIT)


@pytest.mark.parametrize("viewer, state", [("operator", transitions.DRAF), ("operator", transitions.PERLU_PERBAIKAN),
                                           ("sysadmin", transitions.TERBIT)])
def test_the_edit_form_has_no_unpublish_button(app, world, viewer, state):
    browser = world_module.logged_in(app, world, viewer)
    page = browser.get(f"/dataset/edit/{world.datasets[state]['name']}")
    assert page.status_code == 200
    form = BeautifulSoup(page.body, "html.parser").select_one("form#dataset-edit")
    assert form is not None
    assert form.select(f"button[value={UNPUBLISH}]") == []
    assert form.select("button[name=save]"), "the form keeps its save button"


def test_the_unpublish_request_is_refused_for_the_operator_of_a_published_dataset(app, world, published):
    """CKAN 2.12's form request itself, sent by hand: refused (the form again, with the reason), nothing saved."""
    browser = world_module.logged_in(app, world, "operator")
    form_page = browser.get(f"/dataset/edit/{world.datasets[transitions.DRAF]['name']}")
    response = browser.post(f"/dataset/edit/{published['name']}", data={
        "_csrf_token": world_module.csrf_token(form_page.body), "save": UNPUBLISH}, follow_redirects=False)
    assert response.status_code in (200, 403) and "Location" not in response.headers
    assert _shown(published["id"])["state"] == "active"


@pytest.mark.parametrize("transition, actor, before, after", [
    ("ajukan", "operator", transitions.DRAF, transitions.DIAJUKAN),
    ("kembalikan_opd", "verifikator_opd", transitions.DIAJUKAN, transitions.PERLU_PERBAIKAN),
    ("verifikasi_opd", "verifikator_opd", transitions.DIAJUKAN, transitions.TERVERIFIKASI_OPD),
])
def test_a_transition_that_leaves_the_dataset_unchanged_is_saved_and_indexed(world, transition, actor, before,
                                                                              after):
    """These transitions keep the dataset private: CKAN 2.12's package_update finds nothing changed and commits
    nothing; the transition's state, event and index still are."""
    dataset = world_module.dataset_in_state(world, before, name=f"{transition.replace('_', '-')}-{next(_numbers)}")
    world.datasets[dataset["name"]] = dataset
    helpers.call_action("satudata_transition", context={"user": world.name(actor)}, id=dataset["id"],
                        transition=transition, note="Catatan uji")
    model.Session.remove()  # what a new request sees: only what was committed
    assert transitions.current_state(dataset["id"]) == after
    history = helpers.call_action("satudata_workflow_history", context={"user": world.name("walidata")},
                                  id=dataset["id"])
    assert history[-1]["transition"] == transition
    found = helpers.call_action("package_search", context={"user": world.name("walidata")},
                                q=f"name:{dataset['name']}", include_private=True)["results"]
    assert [d["satudata_status"] for d in found] == [after]


@pytest.mark.parametrize("viewer", ["operator", "walidata"])
def test_the_opd_page_shows_the_metadata_file_button_once(app, world, viewer):
    browser = world_module.logged_in(app, world, viewer)
    page = BeautifulSoup(browser.get("/organization/dinas-kesehatan").body, "html.parser")
    links = [a for a in page.select("a[href]")
             if a["href"].endswith("/organization/dinas-kesehatan/dataset-from-metadata")]
    if viewer == "operator":
        assert len(links) == 1
        assert "btn-secondary" in links[0]["class"]
    else:  # only an Operator Data adds datasets
        assert links == []


def test_no_template_of_ours_uses_bootstrap_3_button_classes():
    templates = Path(__file__).resolve().parents[2] / "templates"
    assert [str(p) for p in templates.rglob("*.html") if "btn-default" in p.read_text()] == []
