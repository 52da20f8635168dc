"""The SOP walk-through on the web pages, each role in a logged-in browser session (cookies, CSRF tokens):
the operator fills the dataset form and uploads a file, the verifiers and the Walidata act from their
verification list, and the public sees the dataset only at the end."""
import io
import re

import pytest
from bs4 import BeautifulSoup

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA




def _press(browser, dataset_name, transition, note=None, confirm=True):
    """Press the button of `transition` on the dataset page (found by the form, whatever the UI language); on the
    page that asks before a publication or a withdrawal, press its button too (unless `confirm` is False)."""
    page = BeautifulSoup(browser.get(f"/dataset/{dataset_name}").body, "html.parser")
    form = next(f for f in page.select("form.satudata-transition")
                if f.select_one("input[name=transition]")["value"] == transition)
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    if note is not None:
        data["note"] = note
    response = browser.post(form["action"], data=data, follow_redirects=True)
    asked = BeautifulSoup(response.body, "html.parser").select_one("form.satudata-confirmed")
    if asked is None or not confirm:
        return response
    data = {field["name"]: field.get("value", "") for field in asked.select("input[name]")}
    data["note"] = asked.select_one("textarea[name=note]").get_text() if asked.select_one("textarea") else ""
    return browser.post(asked["action"], data=data, follow_redirects=True)


def _buttons(browser, dataset_name):
    page = BeautifulSoup(browser.get(f"/dataset/{dataset_name}").body, "html.parser")
    return [f.select_one("input[name=transition]")["value"] for f in page.select("form.satudata-transition")]


def test_sop_walk_through_on_the_web_pages(app, world):
    operator = world_module.logged_in(app, world, "operator")

    # SOP step 3: the operator fills the dataset form, then uploads the file.
    form_page = operator.get("/dataset/new")
    response = operator.post("/dataset/new", data={
        "_csrf_token": world_module.csrf_token(form_page.body), "name": "penduduk-web",
        "title": "Penduduk (web)",
        "notes": "Jumlah penduduk.", "owner_org": world.orgs["dinas-kesehatan"]["id"], "save": "continue",
        **{k: str(v) for k, v in REQUIRED_METADATA.items()}}, follow_redirects=False)
    assert response.status_code == 302, response.body
    resource_page = operator.get(response.headers["Location"])
    response = operator.post("/dataset/penduduk-web/resource/new", data={
        "_csrf_token": world_module.csrf_token(resource_page.body), "id": "", "name": "Data 2024", "format": "CSV",
        "save": "go-metadata",
        "upload": (io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "penduduk.csv")},
        content_type="multipart/form-data", follow_redirects=False)
    assert response.status_code == 302, response.body

    # Unpublished: the public does not see it; the operator sees its state and the submit button.
    assert app.get("/dataset/penduduk-web", status=None).status_code == 404
    assert _buttons(operator, "penduduk-web") == ["ajukan"]
    page = operator.get("/dataset/penduduk-web").body
    assert "satudata-status-draf" in page

    # Not checked yet (the worker has not read the file): the submission is refused with the reason.
    page = _press(operator, "penduduk-web", "ajukan")
    assert "satudata-status-draf" in page.body
    assert "belum diperiksa" in page.body
    satudata_factories.with_loaded_data({"id": "penduduk-web"})

    page = _press(operator, "penduduk-web", "ajukan")
    assert "satudata-status-diajukan" in page.body
    # Locked now: the operator has no button left and cannot edit.
    assert _buttons(operator, "penduduk-web") == []
    assert operator.get("/dataset/edit/penduduk-web").status_code == 403

    # SOP step 4: the OPD's verifier finds it in the verification list and returns it, with a reason.
    verifier = world_module.logged_in(app, world, "verifikator_opd")
    queue = BeautifulSoup(verifier.get("/verifikasi").body, "html.parser")
    waiting = [a.get_text(strip=True) for a in queue.select("table.satudata-queue tbody td:first-child > a")]
    assert "Penduduk (web)" in waiting
    # The header counts what waits, on every page.
    count = re.search(r'class="badge satudata-waiting-count"[^>]*>(\d+)<', verifier.get("/dashboard/datasets").body)
    assert count and int(count.group(1)) == len(waiting)
    page = _press(verifier, "penduduk-web", "kembalikan_opd", note="Satuan harus jiwa, bukan orang.")
    assert "satudata-status-perlu_perbaikan" in page.body

    # The operator sees the reason in the history, resubmits; the verifier verifies.
    assert "Satuan harus jiwa, bukan orang." in operator.get("/dataset/penduduk-web").body
    _press(operator, "penduduk-web", "ajukan")
    _press(verifier, "penduduk-web", "verifikasi_opd")

    # SOP step 5 and 6: the Kominfotik verifier verifies, the Walidata publishes.
    kominfotik = world_module.logged_in(app, world, "verifikator_kominfotik")
    assert "Penduduk (web)" in kominfotik.get("/verifikasi").body
    _press(kominfotik, "penduduk-web", "verifikasi_walidata")
    walidata = world_module.logged_in(app, world, "walidata")
    page = _press(walidata, "penduduk-web", "terbitkan")
    assert page.status_code == 200

    public = app.get("/dataset/penduduk-web")
    assert "Penduduk (web)" in public.body
    assert "satudata-workflow" not in public.body  # the history is for the people of the workflow
    timeline = BeautifulSoup(walidata.get("/dataset/penduduk-web").body, "html.parser")
    states = [next(c for c in li["class"] if c.startswith("satudata-status-"))[len("satudata-status-"):]
              for li in timeline.select(".satudata-timeline-item")]
    assert states == ["draf", "diajukan", "perlu_perbaikan", "diajukan", "terverifikasi_opd", "disetujui", "terbit"]


def test_a_verifier_of_another_opd_gets_no_button(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="bukan-urusanmu")
    other = world_module.logged_in(app, world, "verifikator_other_opd")
    assert other.get(f"/dataset/{dataset['name']}").status_code == 404
    response = other.post(f"/dataset/{dataset['name']}/transition", data={"transition": "verifikasi_opd"})
    # The form post without a CSRF token is refused before anything else; nothing changes either way.
    assert response.status_code in (302, 400, 403)
    assert transitions.current_state(dataset["id"]) == transitions.DIAJUKAN


@pytest.mark.parametrize("transition, start, words", [
    ("terbitkan", transitions.DISETUJUI, ["Setelah terbit, siapa pun dapat melihat dan mengunduh", 'berkas "Data 2024"']),
    ("tarik", transitions.TERBIT, ["Setelah ditarik, publik tidak lagi melihat", 'berkas "Data 2024"', "Perlu Perbaikan"]),
])
def test_publishing_and_withdrawing_ask_first_saying_what_becomes_public_or_hidden(app, world, transition, start,
                                                                                   words):
    dataset = world_module.dataset_in_state(world, start, name=f"konfirmasi-{transition}")
    walidata = world_module.logged_in(app, world, "walidata")
    note = "Angka belum final." if transition == "tarik" else None

    asked = _press(walidata, dataset["name"], transition, note=note, confirm=False)
    # Nothing changed yet: the page says what becomes public (or hidden) and asks.
    assert helpers.call_action("package_show", id=dataset["id"])["satudata_status"] == start
    soup = BeautifulSoup(asked.body, "html.parser")
    text = soup.select_one(".satudata-confirm").get_text(" ", strip=True)
    for word in words:
        assert word in text
    form = soup.select_one("form.satudata-confirmed")
    assert form.select_one("input[name=confirmed]")["value"] == "true"
    if note:
        assert form.select_one("textarea[name=note]").get_text() == note

    _press(walidata, dataset["name"], transition, note=note)
    expected = transitions.TERBIT if transition == "terbitkan" else transitions.PERLU_PERBAIKAN
    assert helpers.call_action("package_show", id=dataset["id"])["satudata_status"] == expected


def test_the_api_publishes_without_a_confirmation_page(app, world):
    """The question is the page's: the action itself is unchanged."""
    dataset = world_module.dataset_in_state(world, transitions.DISETUJUI, name="konfirmasi-api")
    helpers.call_action("satudata_transition", context={"user": world.name("walidata")}, id=dataset["id"],
                        transition="terbitkan")
    assert helpers.call_action("package_show", id=dataset["id"])["satudata_status"] == transitions.TERBIT


def test_a_verifier_decides_on_one_page_with_the_preview_the_upload_check_the_changes_and_the_metadata(app, world):
    """From the queue, one page: the buttons, each file's check and first rows, what changed since the last
    return, and the metadata. A return and a verification from it."""
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="satu-halaman", with_datastore=True)
    verifier = world_module.logged_in(app, world, "verifikator_opd")
    queue = BeautifulSoup(verifier.get("/verifikasi").body, "html.parser")
    assert queue.select_one("table.satudata-queue a[href='/verifikasi/satu-halaman']") is not None

    soup = BeautifulSoup(verifier.get("/verifikasi/satu-halaman").body, "html.parser")
    assert {f.select_one("input[name=transition]")["value"] for f in soup.select("form.satudata-transition")} == {
        "verifikasi_opd", "kembalikan_opd"}
    assert [th.get_text(strip=True) for th in soup.select(".satudata-preview thead th")] == ["kecamatan", "jumlah"]
    assert [td.get_text(strip=True) for td in soup.select(".satudata-preview tbody td")] == ["Sukorejo", "7"]
    assert soup.select_one(".satudata-data-file") is not None  # the upload check's line
    assert "Pengajuan pertama" in soup.get_text()
    assert soup.select_one(".satudata-metadata [data-field=satuan]") is not None

    response = verifier.post("/dataset/satu-halaman/transition", follow_redirects=True, data={
        "transition": "kembalikan_opd", "note": "Satuan harus jiwa.", "came_from": "/verifikasi",
        "_csrf_token": world_module.csrf_token(verifier.get("/verifikasi/satu-halaman").body)})
    assert response.request.path == "/verifikasi"
    operator = {"user": world.name("operator")}
    helpers.call_action("package_patch", context=operator, id=dataset["id"], satuan="orang per kecamatan")
    helpers.call_action("satudata_transition", context=operator, id=dataset["id"], transition="ajukan")

    soup = BeautifulSoup(verifier.get("/verifikasi/satu-halaman").body, "html.parser")
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in soup.select(".satudata-changes tbody tr")]
    assert rows == [["Satuan", "jiwa", "orang per kecamatan"]], rows
    assert "Satuan harus jiwa." in soup.get_text()
    page = _press(verifier, "satu-halaman", "verifikasi_opd")
    assert helpers.call_action("package_show", id=dataset["id"])["satudata_status"] == transitions.TERVERIFIKASI_OPD


def test_the_verification_page_is_for_the_people_of_the_workflow(app, world):
    dataset = world.datasets[transitions.DIAJUKAN]
    other = world_module.logged_in(app, world, "verifikator_other_opd")
    assert other.get(f"/verifikasi/{dataset['name']}", follow_redirects=False).status_code == 404
    assert app.get(f"/verifikasi/{dataset['name']}", status=None).status_code == 404
