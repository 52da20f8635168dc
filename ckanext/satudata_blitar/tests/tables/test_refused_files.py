"""Every uploaded file is checked, whatever format it is declared as (issue 11, defect 3); a file the check has not
accepted is served to nobody outside its OPD's people of the workflow, even once published; and a dataset goes on
in the workflow only with every data file accepted, which the verifiers see where they decide (defect 4).

Real uploads (API and web form), the real Redis queue and a worker run in the test, the real DataStore."""
from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup

import ckan.lib.jobs as jobs
import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import table_samples as samples
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

INSIDERS = {"operator", "verifikator_opd", "verifikator_kominfotik", "walidata", "sysadmin"}
LOAD_JOB = "ckanext.satudata_blitar.tables.load_job.load_job"


@pytest.fixture
def queue(with_test_worker):
    q = jobs.get_queue()
    q.empty()  # the world's own uploads were queued while it was built
    yield q
    q.empty()


def run_jobs(queue):
    names = [job.func_name for job in queue.get_jobs()]
    jobs.Worker().work(burst=True)
    return names


def xlsm() -> bytes:
    """A macro-enabled workbook as Excel saves it: the macro content type and a VBA project."""
    data = samples.rewrite(samples.xlsx([["kecamatan", "jumlah"], ["Sukorejo", 7]]), "[Content_Types].xml",
                           lambda xml: xml.replace(
                               b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                               b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    return samples.add_part(data, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1macro")


def program() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"


def _api(app, world, viewer, action, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers=world.token(viewer), status=None)


def _upload(app, world, dataset, filename, data, fmt, viewer="operator", resource_id=None):
    action = "resource_update" if resource_id else "resource_create"
    ids = {"id": resource_id} if resource_id else {"package_id": dataset["id"]}
    response = app.post(f"/api/3/action/{action}", headers=world.token(viewer),
                        data={**ids, "name": filename, "format": fmt, "upload": (io.BytesIO(data), filename)})
    assert response.status_code == 200, response.body
    return response.json["result"]


def _draft(world, name):
    return helpers.call_action("package_create", context={"user": world.name("operator")},
                               **world_module._body(world, name))


# --- Defect 3: every upload is checked --------------------------------------------------------------------------

REFUSED = [
    ("xlsm declared XLSM", "makro.xlsm", xlsm, "XLSM", "macros"),
    ("xlsm renamed .xlsx", "makro.xlsx", xlsm, "XLSX", "macros"),
    ("program declared CSV", "data.exe", program, "CSV", "binary"),
    ("program declared EXE", "setup.exe", program, "EXE", "binary"),
    ("program named .csv", "data.csv", program, "CSV", "binary"),
]


@pytest.mark.parametrize("case, filename, make, fmt, code", REFUSED, ids=[case[0] for case in REFUSED])
def test_every_upload_is_checked_whatever_its_declared_format(app, world, queue, case, filename, make, fmt, code):
    dataset = _draft(world, "tolak-" + case.lower().replace(" ", "-").replace(".", ""))
    resource = _upload(app, world, dataset, filename, make(), fmt)

    assert run_jobs(queue) == [LOAD_JOB]
    report = helpers.call_action("satudata_upload_check", id=resource["id"])
    assert report["status"] == "error"
    assert report["issues"][0]["code"] == code
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("datastore_info", id=resource["id"])
    assert helpers.call_action("resource_show", id=resource["id"])["format"] == fmt  # not normalised: refused
    # Defect 4: a refused data file stops the submission, naming the file.
    refused = _api(app, world, "operator", "satudata_transition", id=dataset["id"], transition="ajukan")
    assert refused.status_code == 409
    assert filename in refused.json["error"]["id"][0]


def test_a_macro_workbook_uploaded_on_the_web_form_is_refused_with_a_translated_message(app, world, queue):
    dataset = _draft(world, "makro-web")
    operator = world_module.logged_in(app, world, "operator")
    form = operator.get(f"/dataset/{dataset['name']}/resource/new")
    response = operator.post(f"/dataset/{dataset['name']}/resource/new", data={
        "_csrf_token": world_module.csrf_token(form.body), "id": "", "name": "Data 2024", "format": "XLSM",
        "save": "go-metadata", "upload": (io.BytesIO(xlsm()), "penduduk.xlsm")},
        content_type="multipart/form-data", follow_redirects=False)
    assert response.status_code == 302, response.body
    resource = helpers.call_action("package_show", id=dataset["id"])["resources"][0]

    assert run_jobs(queue) == [LOAD_JOB]
    page = operator.get(f"/dataset/{dataset['name']}/resource/{resource['id']}").body
    assert 'data-status="error"' in page
    assert "Buku kerja berisi makro" in page  # Indonesian first
    english = operator.get(f"/en/dataset/{dataset['name']}/resource/{resource['id']}").body
    assert "The workbook contains macros" in english


def test_a_table_declared_in_a_format_xloader_does_not_list_is_loaded_and_its_format_corrected(app, world, queue):
    dataset = _draft(world, "format-tabel")
    resource = _upload(app, world, dataset, "penduduk.csv", b"kecamatan,jumlah\nSukorejo,7\nSananwetan,9\n",
                       "Tabel")

    assert run_jobs(queue) == [LOAD_JOB]
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] == "ok"
    assert helpers.call_action("datastore_search", resource_id=resource["id"])["total"] == 2
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert (shown["format"], shown["datastore_active"]) == ("CSV", True)
    satudata_factories.describe_columns(resource["id"], world.name("operator"))
    assert _api(app, world, "operator", "satudata_transition", id=dataset["id"],
                transition="ajukan").status_code == 200


# --- Defect 3: a refused file is served to nobody outside the OPD ---------------------------------------------------

def _reachable(app, world, viewer, dataset, resource, data):
    """What the viewer gets of the resource: its file, its page, its API record."""
    download = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download/makro.xlsm",
                       headers=world.token(viewer), status=None)
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}", headers=world.token(viewer),
                   status=None)
    api = _api(app, world, viewer, "resource_show", id=resource["id"])
    return {"download": download.status_code == 200 and download.data == data,
            "page": page.status_code == 200, "api": api.status_code == 200}


def test_a_refused_file_in_a_published_dataset_is_served_only_to_the_opds_people(app, world, queue):
    published = world_module.dataset_in_state(world, transitions.TERBIT, name="terbit-lalu-makro")
    resource = published["resources"][0]
    everyone = {"download": True, "page": True, "api": True}
    assert _reachable(app, world, "anonymous", published, resource, b"kecamatan,jumlah\nSukorejo,7\n") == everyone

    # A sysadmin replaces the published file (nobody else may): until it is checked, the public gets no file.
    data = xlsm()
    _upload(app, world, published, "makro.xlsm", data, "XLSM", viewer="sysadmin", resource_id=resource["id"])
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["state"] == "pending"
    assert _reachable(app, world, "anonymous", published, resource, data) == {
        "download": False, "page": False, "api": False}

    run_jobs(queue)
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] == "error"
    found = {viewer: _reachable(app, world, viewer, published, resource, data) for viewer in world_module.VIEWERS}
    nothing = {"download": False, "page": False, "api": False}
    assert found == {viewer: everyone if viewer in INSIDERS else nothing for viewer in world_module.VIEWERS}
    # The dataset itself stays published; the refusal is said, not a server error.
    assert app.get(f"/dataset/{published['name']}").status_code == 200
    page = app.get(f"/dataset/{published['name']}/resource/{resource['id']}", status=None)
    assert page.status_code == 403 and "belum lolos pemeriksaan unggahan" in page.body
    # The DataStore table of the earlier file is out of reach too (its resource is).
    assert _api(app, world, "anonymous", "datastore_search", resource_id=resource["id"]).status_code in (403, 404)


# --- Defect 4: accepted data to go on; the verifiers see each file's check -----------------------------------------

@pytest.mark.parametrize("state, transition, actor", [
    (transitions.DIAJUKAN, "verifikasi_opd", "verifikator_opd"),
    (transitions.TERVERIFIKASI_OPD, "verifikasi_walidata", "verifikator_kominfotik"),
    (transitions.DISETUJUI, "terbitkan", "walidata"),
])
def test_a_file_replaced_after_submission_stops_approval_until_accepted(app, world, queue, state, transition, actor):
    dataset = world_module.dataset_in_state(world, state, name=f"ganti-{state}".replace("_", "-"))
    resource = dataset["resources"][0]
    _upload(app, world, dataset, "makro.xlsm", xlsm(), "XLSM", viewer="sysadmin", resource_id=resource["id"])

    pending = _api(app, world, actor, "satudata_transition", id=dataset["id"], transition=transition)
    assert pending.status_code == 409
    assert "belum diperiksa" in pending.json["error"]["id"][0]

    run_jobs(queue)
    refused = _api(app, world, actor, "satudata_transition", id=dataset["id"], transition=transition)
    assert refused.status_code == 409
    assert "menolak berkas" in refused.json["error"]["id"][0] and "makro.xlsm" in refused.json["error"]["id"][0]
    if transition != "terbitkan":  # a verifier can still return it to the operator (Disetujui has no return)
        back = transition.replace("verifikasi", "kembalikan")
        assert _api(app, world, actor, "satudata_transition", id=dataset["id"], transition=back,
                    note="Berkas ditolak pemeriksaan").status_code == 200


@pytest.mark.parametrize("state, verifier", [
    (transitions.DIAJUKAN, "verifikator_opd"),
    (transitions.TERVERIFIKASI_OPD, "verifikator_kominfotik"),
    (transitions.TERVERIFIKASI_OPD, "walidata"),
    (transitions.DISETUJUI, "walidata"),
])
def test_the_verifiers_see_each_files_check_where_they_decide(app, world, queue, state, verifier):
    dataset = world_module.dataset_in_state(world, state, name=f"lihat-{state}-{verifier}".replace("_", "-"))
    good = dataset["resources"][0]
    bad = _upload(app, world, dataset, "makro.xlsm", xlsm(), "XLSM", viewer="sysadmin")
    run_jobs(queue)

    browser = world_module.logged_in(app, world, verifier)
    for path in ("/verifikasi", f"/dataset/{dataset['name']}"):
        html = BeautifulSoup(browser.get(path).body, "html.parser")
        lines = {li.a.get_text(strip=True): " ".join(li.get_text(" ", strip=True).split())
                 for li in html.select(".satudata-data-files li")
                 if dataset["name"] in li.a["href"]}
        assert set(lines) == {good["name"], "makro.xlsm"}, (path, lines)
        assert "dimuat, 1 baris" in lines[good["name"]], lines
        assert "ditolak" in lines["makro.xlsm"] and "makro" in lines["makro.xlsm"].lower(), lines
        link = html.select_one(f'.satudata-data-files a[href*="{bad["id"]}"]')["href"]
        assert link.endswith(f"/resource/{bad['id']}#satudata-upload-report")
    queued = {item["id"]: item for item in _api(app, world, verifier, "satudata_verification_queue").json["result"]}
    assert [(f["name"], f["check"]) for f in queued[dataset["id"]]["files"]] == [
        (good["name"], "ok"), ("makro.xlsm", "error")]
    assert upload_check.accepted(good["id"]) and not upload_check.accepted(bad["id"])


def test_the_good_file_uploaded_again_after_a_refused_one_is_accepted_again(app, world, queue):
    dataset = _draft(world, "baik-lagi")
    good = b"kecamatan,jumlah\nSukorejo,7\n"
    resource = _upload(app, world, dataset, "penduduk.csv", good, "CSV")
    run_jobs(queue)
    _upload(app, world, dataset, "makro.xlsm", xlsm(), "XLSM", resource_id=resource["id"])
    run_jobs(queue)
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] == "error"

    # Same bytes as the loaded file: the load may be skipped, but the refused file's report must not stand.
    _upload(app, world, dataset, "penduduk.csv", good, "CSV", resource_id=resource["id"])
    run_jobs(queue)
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] == "ok"
    satudata_factories.describe_columns(resource["id"], world.name("operator"))
    assert _api(app, world, "operator", "satudata_transition", id=dataset["id"],
                transition="ajukan").status_code == 200
