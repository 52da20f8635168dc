"""MS-Keg: statistical activities (dataset type kegiatan-statistik) shared by their datasets, linked through
`ms_keg_id`: the round trip through the API and the form, the link (and older free-text values), the submission
gate with the list of what is missing, and what a reader without rights sees of an unpublished activity."""
import io

import pytest
from openpyxl import load_workbook

import ckan.model as model
import ckan.tests.helpers as helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_blitar.metadata import ms_keg
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests import xlsx_samples

pytestmark = pytest.mark.world(states=[])

KEGIATAN = ms_keg.KEGIATAN_TYPE
ACTIVITY_FIELDS = satudata_factories.ACTIVITY_FIELDS


def _activity(world, name, opd="dinas-kesehatan", operator="operator", **fields):
    body = {"type": KEGIATAN, "name": name, "title": name.replace("-", " ").title(),
            "owner_org": world.orgs[opd]["id"], **ACTIVITY_FIELDS, **fields}
    return helpers.call_action("package_create", context={"user": world.name(operator)}, **body)


def _dataset(world, name, ms_keg_id=None, opd="dinas-kesehatan", operator="operator"):
    """A dataset with accepted data, ready to be submitted."""
    context = {"user": world.name(operator)}
    body = world_module._body(world, name, opd)
    if ms_keg_id is not None:
        body["ms_keg_id"] = ms_keg_id
    dataset = helpers.call_action("package_create", context=context, **body)
    resource = helpers.call_action(
        "resource_create", context=context, package_id=dataset["id"], name="Data 2024", format="CSV",
        upload=FileStorage(io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "data.csv", content_type="text/csv"))
    upload_check.save(resource["id"], {"format": "csv", "rows": 1, "issues": []})
    return helpers.call_action("package_show", id=dataset["id"])


def _move(world, dataset, *steps):
    for transition, actor in steps:
        helpers.call_action("satudata_transition", context={"user": world.name(actor)}, id=dataset["id"],
                            transition=transition, note="Catatan uji")


TO_TERBIT = (("ajukan", "operator"), ("verifikasi_opd", "verifikator_opd"),
             ("verifikasi_walidata", "verifikator_kominfotik"), ("terbitkan", "walidata"))


def _api(app, world, viewer, action, **params):
    headers = world.token(viewer) if viewer != "anonymous" else {}
    return app.get(f"/api/3/action/{action}", query_string=params, headers=headers, status=None)


def test_an_activity_round_trips_through_the_api(app, world):
    body = {"type": KEGIATAN, "name": "survei-kepuasan", "title": "Survei Kepuasan Masyarakat",
            "owner_org": world.orgs["dinas-kesehatan"]["id"], **ACTIVITY_FIELDS}
    created = app.post("/api/3/action/package_create", json=body, headers=world.token("operator"), status=None)
    assert created.status_code == 200, created.body
    shown = _api(app, world, "operator", "package_show", id="survei-kepuasan").json["result"]
    assert shown["type"] == KEGIATAN
    for field, value in ACTIVITY_FIELDS.items():
        assert shown[field] == value, field
    assert shown["private"] is True
    # Another OPD's Operator Data adds no activity to this OPD.
    other = app.post("/api/3/action/package_create", json={**body, "name": "survei-lain"},
                     headers=world.token("operator_other_opd"), status=None)
    assert other.status_code == 403


def test_a_dataset_links_an_activity_of_its_opd_and_keeps_an_older_value_unlinked(app, world):
    activity = _activity(world, "sensus-puskesmas")
    other_opd = _activity(world, "survei-bappeda", opd="bappeda", operator="operator_other_opd")
    by_name = _dataset(world, "data-link-name", "sensus-puskesmas")
    assert by_name["ms_keg_id"] == activity["id"]  # stored as the activity's id: a rename keeps the link
    older = _dataset(world, "data-link-older", "MS-KEG-2024-0001")
    assert older["ms_keg_id"] == "MS-KEG-2024-0001"
    foreign = _dataset(world, "data-link-foreign", other_opd["name"])
    assert foreign["ms_keg_id"] == other_opd["name"]  # another OPD's activity is not linked

    page = app.get("/dataset/data-link-name", headers=world.token("operator")).body
    assert "/kegiatan-statistik/sensus-puskesmas" in page
    older_page = app.get("/dataset/data-link-older", headers=world.token("operator")).body
    assert "MS-KEG-2024-0001" in older_page and "/kegiatan-statistik/" not in older_page.split("ms_keg_id")[-1][:400]
    assert "MS-KEG-2024-0001" in ms_keg.missing(model.Package.get(older["id"]))[0]
    assert ms_keg.missing(model.Package.get(by_name["id"])) == []


@pytest.mark.ckan_config("ckanext.satudata_blitar.ms_keg.required", "true")
def test_submission_is_refused_with_the_list_of_what_is_missing(app, world):
    unlinked = _dataset(world, "data-gate-unlinked")
    refused = app.post("/api/3/action/satudata_transition", json={"id": unlinked["id"], "transition": "ajukan"},
                       headers=world.token("operator"), status=None)
    assert refused.status_code == 409
    assert "MS-Keg" in str(refused.json["error"])

    incomplete = _activity(world, "survei-belum-lengkap", tujuan="", produk_tersedia="")
    dataset = _dataset(world, "data-gate-incomplete", "survei-belum-lengkap")
    refused = app.post("/api/3/action/satudata_transition", json={"id": dataset["id"], "transition": "ajukan"},
                       headers=world.token("operator"), status=None)
    assert refused.status_code == 409
    message = str(refused.json["error"])
    assert "Tujuan Kegiatan" in message and "Produk Kegiatan yang Tersedia untuk Umum" in message
    assert "Latar Belakang" not in message  # only what is missing

    # The panel of the dataset page says the same to the operator.
    page = app.get("/dataset/data-gate-incomplete", headers=world.token("operator")).body
    assert "Tujuan Kegiatan" in page

    helpers.call_action("package_patch", context={"user": world.name("operator")}, id=incomplete["id"],
                        tujuan="Mengukur.", produk_tersedia="Tabel")
    accepted = app.post("/api/3/action/satudata_transition", json={"id": dataset["id"], "transition": "ajukan"},
                        headers=world.token("operator"), status=None)
    assert accepted.status_code == 200, accepted.body


def test_without_the_requirement_a_dataset_without_activity_is_submitted_and_the_verifier_sees_the_gap(app, world):
    dataset = _dataset(world, "data-gate-relaxed")
    _move(world, dataset, ("ajukan", "operator"))
    assert helpers.call_action("package_show", id=dataset["id"])["satudata_status"] == "diajukan"
    queue = _api(app, world, "verifikator_opd", "satudata_verification_queue").json["result"]
    item = next(item for item in queue if item["id"] == dataset["id"])
    [ms_keg_result] = [result for result in item["completeness"] if result["form"] == "ms_keg"]
    assert not ms_keg_result["complete"] and "kegiatan statistik" in ms_keg_result["missing"][0]
    page = app.get("/verifikasi", headers=world.token("verifikator_opd")).body
    assert "belum ada kegiatan statistik" in page


def test_an_activity_is_seen_by_nobody_outside_until_a_linked_dataset_is_published(app, world):
    activity = _activity(world, "survei-rahasia")
    dataset = _dataset(world, "data-rahasia", "survei-rahasia")
    outsiders = ("anonymous", "operator_other_opd", "verifikator_other_opd", "ckan_member", "ckan_admin")
    insiders = ("operator", "verifikator_opd", "verifikator_kominfotik", "walidata", "sysadmin")

    def seen_by(viewer):
        shown = _api(app, world, viewer, "package_show", id=activity["id"]).status_code == 200
        found = _api(app, world, viewer, "package_search", q="name:survei-rahasia", fq=f"dataset_type:{KEGIATAN}",
                     include_private="true").json["result"]["count"] == 1
        headers = world.token(viewer) if viewer != "anonymous" else {}
        page = app.get("/kegiatan-statistik/survei-rahasia", headers=headers, status=None)
        assert shown == found == (page.status_code == 200), (viewer, shown, found, page.status_code)
        return shown

    for state_steps in ((), TO_TERBIT[:1], TO_TERBIT[1:3]):  # Draf, Diajukan, Disetujui
        _move(world, dataset, *state_steps)
        assert not any(seen_by(viewer) for viewer in outsiders)
        assert all(seen_by(viewer) for viewer in insiders)
    _move(world, dataset, TO_TERBIT[3])
    assert all(seen_by(viewer) for viewer in outsiders + insiders)
    page = app.get("/dataset/data-rahasia").body
    assert "/kegiatan-statistik/survei-rahasia" in page
    public = app.get("/kegiatan-statistik/survei-rahasia").body
    assert "data-rahasia" in public

    _move(world, dataset, ("tarik", "walidata"))
    assert not any(seen_by(viewer) for viewer in outsiders)


def test_an_activity_is_locked_while_a_dataset_of_it_is_in_verification(app, world):
    activity = _activity(world, "survei-terkunci")
    dataset = _dataset(world, "data-terkunci", "survei-terkunci")
    patch = {"id": activity["id"], "tujuan": "Berubah"}
    assert app.post("/api/3/action/package_patch", json=patch, headers=world.token("operator"),
                    status=None).status_code == 200
    _move(world, dataset, ("ajukan", "operator"))
    locked = app.post("/api/3/action/package_patch", json=patch, headers=world.token("operator"), status=None)
    assert locked.status_code == 403
    _move(world, dataset, ("kembalikan_opd", "verifikator_opd"))
    assert app.post("/api/3/action/package_patch", json=patch, headers=world.token("operator"),
                    status=None).status_code == 200


def test_an_activity_is_not_submitted_on_its_own(app, world):
    activity = _activity(world, "survei-sendiri")
    refused = app.post("/api/3/action/satudata_transition", json={"id": activity["id"], "transition": "ajukan"},
                       headers=world.token("operator"), status=None)
    assert refused.status_code == 409
    assert "Kegiatan statistik tidak diajukan sendiri" in str(refused.json["error"])
    page = app.get("/kegiatan-statistik/survei-sendiri", headers=world.token("operator")).body
    assert 'name="transition"' not in page


def test_an_activity_round_trips_through_the_form(app, world):
    activity = _activity(world, "survei-formulir")
    browser = world_module.logged_in(app, world, "operator")
    form = browser.get("/kegiatan-statistik/edit/survei-formulir")
    assert form.status_code == 200
    assert "II. Penanggung Jawab" in form.body or "Penanggung Jawab" in form.body
    data = {"_csrf_token": world_module.csrf_token(form.body), "title": "Survei Formulir Baru",
            "name": "survei-formulir", "owner_org": activity["owner_org"], "save": "",
            **{key: str(value) for key, value in ACTIVITY_FIELDS.items()}, "tujuan": "Tujuan dari formulir"}
    saved = browser.post("/kegiatan-statistik/edit/survei-formulir", data=data, follow_redirects=False)
    assert saved.status_code == 302, saved.body
    shown = helpers.call_action("package_show", id=activity["id"])
    assert shown["title"] == "Survei Formulir Baru" and shown["tujuan"] == "Tujuan dari formulir"
    assert shown["pj_nama"] == ACTIVITY_FIELDS["pj_nama"] and shown["jadwal_mulai"] == ACTIVITY_FIELDS["jadwal_mulai"]


# --- the metadata file: sheets MS-Keg and MS-Ind ----------------------------------------------------------------

def _export(app, world, name, viewer="operator"):
    response = app.get(f"/dataset/{name}/metadata.xlsx", headers=world.token(viewer))
    assert response.status_code == 200
    return response.get_data()


def _import(app, world, content, viewer="operator", **params):
    return app.post("/api/3/action/satudata_metadata_import", headers=world.token(viewer),
                    data={**params, "upload": (io.BytesIO(content), "metadata.xlsx")}, status=None)


def _rows(sheet):
    return {row[0].value: row[1] for row in sheet.iter_rows(min_col=1, max_col=2) if row[0].value}


def _set(sheet_title, label, value):
    def change(workbook):
        _rows(workbook[sheet_title])[label].value = value
    return change


def test_an_activity_round_trips_through_its_metadata_file(app, world):
    activity = _activity(world, "survei-berkas")
    content = _export(app, world, "survei-berkas")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["MS-Keg"]
    rows = _rows(workbook["MS-Keg"])
    assert rows["Tujuan Kegiatan"].value == ACTIVITY_FIELDS["tujuan"]
    assert rows["Kegiatan Ini Dilakukan"].value == "Berulang"  # a choice by its label

    changed = xlsx_samples.edit(content, _set("MS-Keg", "Tujuan Kegiatan", "Tujuan dari berkas"), workbook_level=True)
    imported = _import(app, world, changed, id=activity["id"])
    assert imported.status_code == 200, imported.body
    shown = helpers.call_action("package_show", id=activity["id"])
    assert shown["tujuan"] == "Tujuan dari berkas"
    assert {key: shown[key] for key in ACTIVITY_FIELDS if key != "tujuan"} == {
        key: value for key, value in ACTIVITY_FIELDS.items() if key != "tujuan"}


def test_a_datasets_file_has_its_activity_and_its_own_form(app, world):
    activity = _activity(world, "survei-dua-lembar")
    dataset = _dataset(world, "data-dua-lembar", "survei-dua-lembar")
    content = _export(app, world, "data-dua-lembar")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["MS-Keg", "MS-Ind", "MS-Var"] and workbook.active.title == "MS-Ind"
    assert _rows(workbook["MS-Keg"])["Judul Kegiatan"].value == activity["title"]
    assert _rows(workbook["MS-Ind"])["Kegiatan Statistik (MS-Keg)"].value == "survei-dua-lembar"  # readable

    # The activity's sheet changes the activity; the dataset keeps its link.
    changed = xlsx_samples.edit(content, _set("MS-Keg", "Produk Kegiatan yang Tersedia untuk Umum", "Publikasi"),
                                workbook_level=True)
    assert _import(app, world, changed, id=dataset["id"]).status_code == 200
    assert helpers.call_action("package_show", id=activity["id"])["produk_tersedia"] == "Publikasi"
    assert helpers.call_action("package_show", id=dataset["id"])["ms_keg_id"] == activity["id"]

    # Errors name the sheet and the row; nothing is saved.
    wrong = xlsx_samples.edit(content, lambda workbook: workbook["MS-Keg"].append(["Baris asing", "x"]),
                              workbook_level=True)
    refused = _import(app, world, wrong, id=dataset["id"])
    assert refused.status_code == 409
    assert any(key.startswith("MS-Keg/") for key in refused.json["error"]), refused.json
    assert "Baris asing" in str(refused.json["error"])
    bad_email = xlsx_samples.edit(content, _set("MS-Keg", "Email Penanggung Jawab", "bukan-email"),
                                  workbook_level=True)
    refused = _import(app, world, bad_email, id=dataset["id"])
    assert refused.status_code == 409 and "MS-Keg/pj_email" in refused.json["error"], refused.json


def test_an_unchanged_activity_sheet_passes_while_the_activity_is_locked(app, world):
    _activity(world, "survei-terkunci-berkas")
    published = _dataset(world, "data-terbit-berkas", "survei-terkunci-berkas")
    _move(world, published, *TO_TERBIT)
    draft = _dataset(world, "data-draf-berkas", "survei-terkunci-berkas")
    content = _export(app, world, "data-draf-berkas")
    changed = xlsx_samples.edit(content, _set("MS-Ind", "Satuan", "orang"), workbook_level=True)
    assert _import(app, world, changed, id=draft["id"]).status_code == 200
    assert helpers.call_action("package_show", id=draft["id"])["satuan"] == "orang"
    locked = xlsx_samples.edit(content, _set("MS-Keg", "Tujuan Kegiatan", "Diubah"), workbook_level=True)
    refused = _import(app, world, locked, id=draft["id"])
    assert refused.status_code == 409 and "MS-Keg" in refused.json["error"]


def test_a_filled_activity_sheet_without_a_link_creates_the_activity(app, world):
    dataset = _dataset(world, "data-tanpa-kegiatan")
    template = app.get("/dataset/metadata-template.xlsx").get_data()
    assert load_workbook(io.BytesIO(template)).sheetnames == ["MS-Keg", "MS-Ind", "MS-Var"]
    filled = xlsx_samples.edit(_export(app, world, "data-tanpa-kegiatan"),
                               lambda workbook: [_set("MS-Keg", label, value)(workbook) for label, value in (
                                   ("Judul Kegiatan", "Survei Dari Berkas"), ("Tahun Kegiatan", 2025),
                                   ("Tujuan Kegiatan", "Tujuan"))], workbook_level=True)
    assert _import(app, world, filled, id=dataset["id"]).status_code == 200
    activity = ms_keg.kegiatan("survei-dari-berkas")
    assert activity is not None and activity.owner_org == dataset["owner_org"]
    assert helpers.call_action("package_show", id=dataset["id"])["ms_keg_id"] == activity.id


# --- search ------------------------------------------------------------------------------------------------------

def test_the_search_facet_names_the_activity_and_shows_only_what_the_reader_may_see(app, world):
    activity = _activity(world, "survei-facet", title="Survei Facet Kesehatan")
    published = _dataset(world, "data-facet-terbit", "survei-facet")
    _dataset(world, "data-facet-draf", "survei-facet")
    _move(world, published, *TO_TERBIT)
    facet = {"facet.field": '["kegiatan_statistik"]', "fq": f"kegiatan_statistik:{activity['id']}"}

    def counted(viewer):
        result = _api(app, world, viewer, "package_search", include_private="true", **facet).json["result"]
        items = result["search_facets"]["kegiatan_statistik"]["items"]
        return result["count"], {item["display_name"] for item in items}

    assert counted("operator") == (2, {"Survei Facet Kesehatan"})
    assert counted("anonymous") == (1, {"Survei Facet Kesehatan"})
    page = app.get(f"/dataset/?kegiatan_statistik={activity['id']}").body
    assert "data-facet-terbit" in page and "data-facet-draf" not in page and "Survei Facet Kesehatan" in page
    # The activity is public now, but the home page's figures and lists count datasets only.
    assert _api(app, world, "anonymous", "package_search", q="name:survei-facet").json["result"]["count"] == 1
    from ckanext.satudata_blitar.helpers import portal as helpers_portal
    with app.flask_app.test_request_context():
        assert helpers_portal.satudata_public_search(q="name:survei-facet")["count"] == 0


def test_the_new_form_saves_an_activity_at_once_and_the_dataset_form_offers_it(app, world):
    browser = world_module.logged_in(app, world, "operator")
    form = browser.get("/kegiatan-statistik/new")
    assert form.status_code == 200 and "I. Penyelenggara" in form.body
    data = {"_csrf_token": world_module.csrf_token(form.body), "_ckan_phase": "dataset_new_1", "pkg_name": "",
            "title": "Survei Dari Formulir", "name": "survei-dari-formulir", "save": "go-metadata",
            "owner_org": world.orgs["dinas-kesehatan"]["id"],
            **{key: str(value) for key, value in ACTIVITY_FIELDS.items()}}
    saved = browser.post("/kegiatan-statistik/new", data=data, follow_redirects=True)
    assert saved.status_code == 200 and "Survei Dari Formulir" in saved.body
    activity = ms_keg.kegiatan("survei-dari-formulir")  # active at once: it holds no data
    assert activity is not None
    dataset_form = browser.get("/dataset/new").body
    assert f'value="{activity.id}"' in dataset_form and "Survei Dari Formulir" in dataset_form
