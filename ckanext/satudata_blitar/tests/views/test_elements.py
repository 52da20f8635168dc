"""The daftar elemen data pages (SOP step 1): who sees which list, the Walidata's forms (add, edit, delete, import),
the Operator Data's link form, the .xlsx downloads and the header link. Real pages, real actions.

Pages whose English text is checked are asked for under /en/ (the portal's default language is Indonesian)."""
from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests import world as world_module

YEAR = datetime.date.today().year
PAST = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
FUTURE = datetime.date(YEAR + 1, 12, 31).isoformat()
FUTURE_SHOWN = f"31 December {YEAR + 1}"  # the date as the English page writes it (language/formats.py)
TEMPLATE_HEADER = ["OPD", "Nama Elemen Data", "Definisi", "Satuan", "Frekuensi", "Data Prioritas", "Tanggal Target",
                   "Dataset"]


def _create(world, **data):
    return helpers.call_action("satudata_data_element_create", context={"user": world.name("walidata")},
                               **{"tahun": YEAR, "owner_org": "dinas-kesehatan", **data})


def _with_this_years_lists(world):
    """A dataset of Bappeda and this year's lists: Dinas Kesehatan's three elements (one published, one not yet,
    one without a dataset and late) and Bappeda's one."""
    world.datasets["data-bappeda"] = world_module.bappeda_draft(world)
    world.elements = {
        "puskesmas": _create(world, nama="Jumlah Puskesmas", satuan="unit", frekuensi="tahunan",
                             data_prioritas=True, tanggal_target=FUTURE, package_id=world.datasets["terbit"]["name"]),
        "imunisasi": _create(world, nama="Cakupan Imunisasi", package_id=world.datasets["draf"]["name"]),
        "kematian": _create(world, nama="Angka Kematian Bayi", definisi="Kematian bayi per 1000 kelahiran",
                            tanggal_target=PAST),
        "pdrb": _create(world, owner_org="bappeda", nama="PDRB", frekuensi="triwulanan"),
    }


pytestmark = pytest.mark.world(extend=_with_this_years_lists)


def _list(world, year, **data):
    return helpers.call_action("satudata_data_element_list", context={"user": world.name("walidata")},
                               tahun=year, **data)


def _soup(response):
    return BeautifulSoup(response.body, "html.parser")


def _rows(soup):
    """The element table as {name: row} (row: its cells' text, the status classes and whether it has a form)."""
    rows = {}
    for tr in soup.select("tr.satudata-element-row"):
        name = tr.select_one(".satudata-element-name").get_text(strip=True)
        rows[name] = {
            "statuses": [span["class"][-1].removeprefix("satudata-element-status-")
                         for span in tr.select(".satudata-element-status")],
            "late": bool(tr.select(".satudata-element-late")),
            "priority": bool(tr.select(".satudata-element-priority")),
            "dataset": (tr.select_one("a.satudata-element-dataset") or {}).get("href"),
            "link_form": bool(tr.select("form.satudata-link-form")),
            "edit": bool(tr.select("a.satudata-element-edit")),
            "missing": "table-warning" in tr["class"],
            "cells": [td.get_text(" ", strip=True) for td in tr.select("td")],
        }
    return rows


def _summary(soup):
    """The summary table as {opd name: [elements, terbit, belum_terbit, belum_ada_dataset, late]}."""
    keys = ["elements", "terbit", "belum_terbit", "belum_ada_dataset", "late"]
    return {tr["data-opd"]: [int(tr.select_one(f".satudata-count-{key}").get_text()) for key in keys]
            for tr in soup.select("table.satudata-elements-summary tbody tr")}


def _flashes(soup):
    return [div.get_text(" ", strip=True) for div in soup.select(".flash-messages .alert")]


def _post(browser, url, form_url, data, **kwargs):
    """POSTs `data` with the CSRF token of the page at `form_url`, following the redirect."""
    token = world_module.csrf_token(browser.get(form_url).body)
    return browser.post(url, data={"_csrf_token": token, **data}, follow_redirects=True, **kwargs)


# --- who sees the list -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewer, status, names", [
    ("anonymous", 302, None),
    ("ckan_member", 403, None),
    ("ckan_admin", 403, None),
    ("operator", 200, {"Jumlah Puskesmas", "Cakupan Imunisasi", "Angka Kematian Bayi"}),
    ("verifikator_opd", 200, {"Jumlah Puskesmas", "Cakupan Imunisasi", "Angka Kematian Bayi"}),
    ("operator_other_opd", 200, {"PDRB"}),
    ("verifikator_other_opd", 200, {"PDRB"}),
    ("verifikator_kominfotik", 200, {"Jumlah Puskesmas", "Cakupan Imunisasi", "Angka Kematian Bayi", "PDRB"}),
    ("walidata", 200, {"Jumlah Puskesmas", "Cakupan Imunisasi", "Angka Kematian Bayi", "PDRB"}),
    ("sysadmin", 200, {"Jumlah Puskesmas", "Cakupan Imunisasi", "Angka Kematian Bayi", "PDRB"}),
])
def test_who_sees_which_list(app, world, viewer, status, names):
    response = app.get("/en/elemen-data", headers=world.token(viewer), status=None, follow_redirects=False)
    assert response.status_code == status
    if status == 302:
        assert "/user/login" in response.headers["Location"]
    elif status == 403:
        assert "may see its daftar elemen data" in response.body  # the auth function's message
    else:
        # The module's other tests add elements of their own; the fixture's are these.
        assert set(_rows(_soup(response))) & {"Jumlah Puskesmas", "Cakupan Imunisasi", "Angka Kematian Bayi",
                                              "PDRB"} == names


def test_the_operator_sees_the_opds_list_and_what_is_missing(app, world):
    headers = world.token("operator")
    soup = _soup(app.get("/en/elemen-data", headers=headers))
    assert [option["value"] for option in soup.select("#field-opd option")] == ["", "dinas-kesehatan"]
    assert _summary(soup) == {"dinas-kesehatan": [3, 1, 1, 1, 1]}
    rows = _rows(soup)
    assert rows["Jumlah Puskesmas"]["statuses"] == ["terbit"]
    assert rows["Jumlah Puskesmas"]["priority"] and not rows["Jumlah Puskesmas"]["late"]
    assert rows["Jumlah Puskesmas"]["dataset"] == f"/en/dataset/{world.datasets['terbit']['name']}"
    assert rows["Jumlah Puskesmas"]["cells"][3:6] == ["unit", "Yearly", FUTURE_SHOWN]
    assert rows["Cakupan Imunisasi"]["statuses"] == ["belum_terbit"]
    assert rows["Angka Kematian Bayi"]["statuses"] == ["belum_ada_dataset"]
    assert rows["Angka Kematian Bayi"]["late"] and rows["Angka Kematian Bayi"]["missing"]
    assert "Late" in soup.select_one('tr[data-element="%s"] .satudata-element-late' % world.elements["kematian"]["id"]
                                     ).get_text()
    assert not rows["Jumlah Puskesmas"]["missing"]
    # The Operator Data links datasets but does not edit the list.
    assert all(row["link_form"] and not row["edit"] for row in rows.values())
    assert not soup.select(".satudata-element-tools")

    missing_link = soup.select_one("a.satudata-missing-link")
    assert missing_link["href"] == f"/en/elemen-data?tahun={YEAR}&status=belum_ada_dataset"
    missing = _rows(_soup(app.get(missing_link["href"], headers=headers)))
    assert "Angka Kematian Bayi" in missing
    assert {name for name, row in missing.items() if row["statuses"] != ["belum_ada_dataset"]} == set()
    assert "Jumlah Puskesmas" not in missing


def test_an_opd_list_the_user_may_not_read_is_refused(app, world):
    response = app.get("/en/elemen-data", params={"opd": "bappeda"}, headers=world.token("operator"), status=403)
    assert "may see its daftar elemen data" in response.body
    assert app.get("/en/elemen-data", params={"opd": "bappeda"}, headers=world.token("walidata")).status_code == 200


def test_a_bad_year_is_explained(app, world):
    soup = _soup(app.get("/en/elemen-data", params={"tahun": "dua ribu"}, headers=world.token("walidata")))
    assert "Year must be a whole number" in soup.select_one(".satudata-element-errors").get_text()
    assert not soup.select("tr.satudata-element-row")


def test_the_walidata_sees_every_opd_and_the_tools(app, world):
    soup = _soup(app.get("/en/elemen-data", headers=world.token("walidata")))
    assert _summary(soup) == {"dinas-kesehatan": [3, 1, 1, 1, 1], "bappeda": [1, 0, 0, 1, 0]}
    rows = _rows(soup)
    assert rows["PDRB"]["cells"][4] == "Quarterly"
    assert rows["PDRB"]["edit"] and rows["PDRB"]["link_form"]
    assert soup.select_one("form.satudata-element-import")["action"] == "/en/elemen-data/impor"
    assert soup.select_one("a.satudata-element-add")


@pytest.mark.parametrize("viewer", ["verifikator_opd", "verifikator_kominfotik"])
def test_verifiers_only_read(app, world, viewer):
    soup = _soup(app.get("/en/elemen-data", headers=world.token(viewer)))
    rows = _rows(soup)
    assert rows and not any(row["link_form"] or row["edit"] for row in rows.values())
    assert not soup.select(".satudata-element-tools")


def test_the_page_speaks_indonesian_by_default(app, world):
    rows = _rows(_soup(app.get("/elemen-data", headers=world.token("walidata"))))
    assert rows["PDRB"]["cells"][4] == "Triwulanan"
    assert rows["Jumlah Puskesmas"]["cells"][3:5] == ["unit", "Tahunan"]


# --- the Walidata's forms ----------------------------------------------------------------------------------------

def test_the_walidata_adds_edits_and_deletes_an_element(app, world):
    browser = world_module.logged_in(app, world, "walidata")
    form_url = f"/en/elemen-data/baru?tahun={YEAR}&opd=bappeda"
    form = _soup(browser.get(form_url))
    assert form.select_one("#field-owner_org option[selected]")["value"] == "bappeda"
    assert form.select_one("#field-tahun")["value"] == str(YEAR)

    added = _post(browser, "/en/elemen-data/baru", form_url, {
        "tahun": str(YEAR), "owner_org": "bappeda", "nama": "Indeks Pembangunan Manusia", "definisi": "IPM",
        "satuan": "indeks", "frekuensi": "tahunan", "data_prioritas": "true", "tanggal_target": FUTURE,
        "package_id": "data-bappeda"})
    assert added.request.path == "/en/elemen-data"
    soup = _soup(added)
    assert 'Data element "Indeks Pembangunan Manusia" added' in _flashes(soup)[0]
    row = _rows(soup)["Indeks Pembangunan Manusia"]
    assert row["cells"][2:6] == ["IPM", "indeks", "Yearly", FUTURE_SHOWN]
    assert row["priority"] and row["dataset"] == "/en/dataset/data-bappeda"
    assert soup.select_one("#field-opd option[selected]")["value"] == "bappeda"  # back to the OPD's list
    element = next(e for e in _list(world, YEAR, owner_org="bappeda") if e["nama"] == "Indeks Pembangunan Manusia")
    assert (element["satuan"], element["data_prioritas"], element["package_name"]) == ("indeks", True,
                                                                                      "data-bappeda")

    edit_url = f"/en/elemen-data/{element['id']}/ubah"
    form = _soup(browser.get(edit_url))
    assert {field: form.select_one(f"#field-{field}")["value"]
            for field in ("tahun", "nama", "satuan", "tanggal_target", "package_id")} == {
        "tahun": str(YEAR), "nama": "Indeks Pembangunan Manusia", "satuan": "indeks", "tanggal_target": FUTURE,
        "package_id": "data-bappeda"}
    assert form.select_one("#field-definisi").get_text() == "IPM"
    assert form.select_one("#field-frekuensi option[selected]")["value"] == "tahunan"
    assert form.select_one("#field-data_prioritas").has_attr("checked")

    edited = _post(browser, edit_url, edit_url, {
        "tahun": str(YEAR), "owner_org": "bappeda", "nama": "IPM Kota Blitar", "definisi": "",
        "satuan": "indeks", "frekuensi": "semesteran", "tanggal_target": "", "package_id": ""})
    assert 'Data element "IPM Kota Blitar" saved' in _flashes(_soup(edited))[0]
    shown = helpers.call_action("satudata_data_element_show", context={"user": world.name("walidata")},
                                id=element["id"])
    assert [shown[key] for key in ("nama", "definisi", "frekuensi", "data_prioritas", "tanggal_target",
                                   "package_id", "status")] == [
        "IPM Kota Blitar", None, "semesteran", False, None, None, "belum_ada_dataset"]

    deleted = _post(browser, f"/en/elemen-data/{element['id']}/hapus", edit_url,
                    {"tahun": str(YEAR), "opd": "bappeda"})
    assert "The data element was deleted" in _flashes(_soup(deleted))[0]
    assert "IPM Kota Blitar" not in _rows(_soup(deleted))
    assert [e["nama"] for e in _list(world, YEAR, owner_org="bappeda") if e["id"] == element["id"]] == []
    assert browser.get(edit_url, status=None).status_code == 404


def test_a_refused_form_shows_the_errors_and_keeps_the_input(app, world):
    browser = world_module.logged_in(app, world, "walidata")
    before = len(_list(world, YEAR))
    response = _post(browser, "/en/elemen-data/baru", "/en/elemen-data/baru", {
        "tahun": str(YEAR), "owner_org": "dinas-kesehatan", "nama": "jumlah puskesmas", "definisi": "Dobel",
        "satuan": "unit", "frekuensi": "", "tanggal_target": "", "package_id": "data-bappeda"})
    assert response.status_code == 200 and response.request.path == "/en/elemen-data/baru"
    soup = _soup(response)
    errors = {div["data-field"]: div.get_text(strip=True) for div in soup.select(".satudata-field-error")}
    assert errors == {"package_id": 'The dataset "data-bappeda" belongs to another OPD'}
    assert "Dataset:" in soup.select_one(".satudata-element-errors").get_text()
    assert soup.select_one("#field-nama")["value"] == "jumlah puskesmas"
    assert soup.select_one("#field-definisi").get_text() == "Dobel"
    assert soup.select_one("#field-owner_org option[selected]")["value"] == "dinas-kesehatan"

    response = _post(browser, "/en/elemen-data/baru", "/en/elemen-data/baru", {
        "tahun": str(YEAR), "owner_org": "dinas-kesehatan", "nama": "jumlah puskesmas", "package_id": ""})
    errors = {div["data-field"]: div.get_text(strip=True) for div in _soup(response).select(".satudata-field-error")}
    assert errors == {"nama": f'The OPD already has a data element "jumlah puskesmas" in its list for {YEAR}'}
    assert len(_list(world, YEAR)) == before


@pytest.mark.parametrize("viewer", ["operator", "verifikator_kominfotik", "ckan_admin"])
def test_only_the_walidata_changes_the_list(app, world, viewer):
    element = world.elements["pdrb"]
    for url in ("/en/elemen-data/baru", f"/en/elemen-data/{element['id']}/ubah"):
        assert app.get(url, headers=world.token(viewer), status=None).status_code == 403
    browser = world_module.logged_in(app, world, viewer)
    token = world_module.csrf_token(browser.get("/en/dataset/").body)
    refused = [
        browser.post("/en/elemen-data/baru", data={"_csrf_token": token, "tahun": str(YEAR), "owner_org": "bappeda",
                                                   "nama": "Tidak Boleh"}),
        browser.post(f"/en/elemen-data/{element['id']}/ubah", data={"_csrf_token": token, "tahun": str(YEAR),
                                                                    "owner_org": "bappeda", "nama": "Diubah"}),
        browser.post(f"/en/elemen-data/{element['id']}/hapus", data={"_csrf_token": token}),
        browser.post("/en/elemen-data/impor", data={"_csrf_token": token, "tahun": str(YEAR),
                                                    "upload": (io.BytesIO(_workbook([["Bappeda", "X"]])), "x.xlsx")}),
    ]
    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    names = {e["nama"] for e in _list(world, YEAR, owner_org="bappeda")}
    assert "PDRB" in names and not names & {"Tidak Boleh", "Diubah", "X"}


def test_anonymous_visitors_are_sent_to_log_in(app, world):
    element = world.elements["pdrb"]
    for url in ("/elemen-data/baru", f"/elemen-data/{element['id']}/ubah", "/elemen-data/template.xlsx",
                f"/elemen-data/{YEAR}.xlsx"):
        response = app.get(url, status=None, follow_redirects=False)
        assert (response.status_code, "/user/login" in response.headers.get("Location", "")) == (302, True), url


# --- import ------------------------------------------------------------------------------------------------------

def _workbook(rows):
    workbook = openpyxl.Workbook()
    workbook.active.append(TEMPLATE_HEADER)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(browser, content, **data):
    return _post(browser, "/en/elemen-data/impor", "/en/elemen-data",
                 {"upload": (io.BytesIO(content), "elemen-data.xlsx"), **data},
                 content_type="multipart/form-data")


def test_the_walidata_imports_a_list(app, world):
    year = YEAR - 1
    browser = world_module.logged_in(app, world, "walidata")
    content = _workbook([
        ["Dinas Kesehatan", "Jumlah Rumah Sakit", "RS umum", "unit", "Tahunan", "Ya", None, None],
        ["Bappeda", "Indeks Gini", None, "indeks", "Tahunan", "Tidak", None, "data-bappeda"],
    ])
    response = _upload(browser, content, tahun=str(year), opd="")
    soup = _soup(response)
    assert response.request.path == "/en/elemen-data"
    assert _flashes(soup) == ["2 created, 0 updated, 0 unchanged"]
    assert soup.select_one("#field-tahun option[selected]")["value"] == str(year)
    assert _rows(soup)["Indeks Gini"]["statuses"] == ["belum_terbit"]
    assert sorted(e["nama"] for e in _list(world, year)) == ["Indeks Gini", "Jumlah Rumah Sakit"]

    again = _soup(_upload(browser, content, tahun=str(year), opd=""))
    assert _flashes(again) == ["0 created, 0 updated, 2 unchanged"]

    # One OPD chosen: rows without an OPD are that OPD's.
    one_opd = _soup(_upload(browser, _workbook([[None, "Jumlah Dokter", None, "orang", None, None, None, None]]),
                            tahun=str(year), opd="dinas-kesehatan"))
    assert _flashes(one_opd) == ["1 created, 0 updated, 0 unchanged"]
    assert one_opd.select_one("#field-opd option[selected]")["value"] == "dinas-kesehatan"
    assert [e["opd_name"] for e in _list(world, year) if e["nama"] == "Jumlah Dokter"] == ["dinas-kesehatan"]


def test_a_bad_file_shows_every_row_error_and_saves_nothing(app, world):
    year = YEAR - 2
    browser = world_module.logged_in(app, world, "walidata")
    response = _upload(browser, _workbook([
        ["Dinas Kesehatan", "Baik", None, None, None, None, None, None],
        ["Dinas Rahasia", "OPD tak dikenal", None, None, None, None, None, None],
        ["Dinas Kesehatan", "Tanggal salah", None, None, None, None, "kemarin", None],
    ]), tahun=str(year), opd="")
    assert response.status_code == 200
    soup = _soup(response)
    assert [li.get_text(strip=True) for li in soup.select(".satudata-import-errors li")] == [
        'Row 3, OPD: There is no OPD "Dinas Rahasia"', "Row 4, Target date: Date must look like 2026-06-30"]
    assert _flashes(soup) == []
    assert _list(world, year) == []

    not_a_workbook = _soup(_upload(browser, b"kecamatan,jumlah\n", tahun=str(year), opd=""))
    assert "not an .xlsx workbook" in not_a_workbook.select_one(".satudata-import-errors").get_text()
    assert _list(world, year) == []


# --- the Operator Data links datasets ----------------------------------------------------------------------------

def test_the_operator_links_a_dataset(app, world):
    year = YEAR - 3  # a list of its own
    element = _create(world, nama="Jumlah Bidan", tahun=year)
    revision = helpers.call_action("satudata_revision_create", context={"user": world.name("operator")},
                                   id=world.datasets["terbit"]["id"])
    browser = world_module.logged_in(app, world, "operator")
    list_url = f"/en/elemen-data?tahun={year}&status=belum_ada_dataset"
    form = _soup(browser.get(list_url)).select_one(f'tr[data-element="{element["id"]}"] form.satudata-link-form')
    options = [option["value"] for option in form.select("select[name=package_id] option")]
    assert "" in options and world.datasets["terbit"]["name"] in options and world.datasets["draf"]["name"] in options
    assert "data-bappeda" not in options  # only the OPD's datasets
    assert revision["name"] not in options  # a pending revision is no dataset of its own
    hidden = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert (hidden["tahun"], hidden["opd"], hidden["status"]) == (str(year), "", "belum_ada_dataset")

    linked = _post(browser, form["action"], list_url, {**hidden, "package_id": world.datasets["terbit"]["name"]})
    assert linked.request.path == "/en/elemen-data"
    assert dict(linked.request.args) == {"tahun": str(year), "status": "belum_ada_dataset"}  # the same filters
    assert '"Jumlah Bidan" is now provided by the dataset' in _flashes(_soup(linked))[0]
    assert "Jumlah Bidan" not in _rows(_soup(linked))  # no longer missing
    row = _rows(_soup(browser.get(f"/en/elemen-data?tahun={year}")))["Jumlah Bidan"]
    assert (row["statuses"], row["dataset"]) == (["terbit"], f"/en/dataset/{world.datasets['terbit']['name']}")

    refused = _post(browser, form["action"], list_url, {**hidden, "package_id": "data-bappeda"})
    # Bappeda's draft is unknown to Dinas Kesehatan's operator: the same answer as for a dataset that is not there.
    assert 'There is no dataset "data-bappeda"' in " ".join(_flashes(_soup(refused)))
    unlinked = _post(browser, form["action"], list_url, {**hidden, "package_id": ""})
    assert '"Jumlah Bidan" has no dataset now' in _flashes(_soup(unlinked))[0]
    assert "Jumlah Bidan" in _rows(_soup(unlinked))


@pytest.mark.parametrize("viewer", ["operator_other_opd", "verifikator_opd"])
def test_others_may_not_link(app, world, viewer):
    element = world.elements["kematian"]
    browser = world_module.logged_in(app, world, viewer)
    token = world_module.csrf_token(browser.get("/en/dataset/").body)
    response = browser.post(f"/en/elemen-data/{element['id']}/tautkan",
                            data={"_csrf_token": token, "package_id": world.datasets["terbit"]["name"]})
    assert response.status_code == 403
    shown = helpers.call_action("satudata_data_element_show", context={"user": world.name("walidata")},
                                id=element["id"])
    assert shown["package_id"] is None


# --- downloads ---------------------------------------------------------------------------------------------------

def _sheet(response):
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]


@pytest.mark.parametrize("viewer", ["operator", "ckan_member", "walidata"])
def test_anyone_logged_in_downloads_the_template(app, world, viewer):
    response = app.get("/elemen-data/template.xlsx", params={"tahun": YEAR}, headers=world.token(viewer))
    assert f"daftar-elemen-data-{YEAR}-template.xlsx" in response.headers["Content-Disposition"]
    sheet = _sheet(response)
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == TEMPLATE_HEADER
    assert [row for row in rows[1:] if any(value is not None for value in row)] == []  # blank
    opd_choices = {cell.value for cell in sheet.parent["Pilihan"]["A"]} - {None}
    assert opd_choices == {"Dinas Kesehatan", "Bappeda", "Diskominfotik"}  # the OPD drop-down
    english = _sheet(app.get("/elemen-data/template.xlsx", params={"lang": "en"}, headers=world.token(viewer)))
    assert [cell.value for cell in english[1]] == ["OPD", "Data element", "Definition", "Unit", "Frequency",
                                                   "Priority data", "Target date", "Dataset"]


def test_the_list_download_holds_what_the_user_may_read(app, world):
    # The file's language is Indonesian (no ?lang=en), its status labels too, whatever the page's language (/en/).
    operator = _sheet(app.get(f"/en/elemen-data/{YEAR}.xlsx", headers=world.token("operator")))
    rows = [list(row) for row in operator.iter_rows(values_only=True)]
    assert rows[0] == [*TEMPLATE_HEADER, "Status", "Terlambat"]
    by_name = {row[1]: row for row in rows[1:]}
    assert {row[0] for row in rows[1:]} == {"Dinas Kesehatan"}
    assert by_name["Angka Kematian Bayi"][8:] == ["Belum ada dataset", "Ya"]
    assert by_name["Jumlah Puskesmas"][4:] == ["Tahunan", "Ya", datetime.datetime.fromisoformat(FUTURE),
                                               world.datasets["terbit"]["name"], "Terbit", "Tidak"]

    walidata = app.get(f"/elemen-data/{YEAR}.xlsx", params={"opd": "bappeda", "lang": "en"},
                       headers=world.token("walidata"))
    assert f"daftar-elemen-data-{YEAR}-bappeda.xlsx" in walidata.headers["Content-Disposition"]
    rows = [list(row) for row in _sheet(walidata).iter_rows(values_only=True)]
    assert rows[0][-2:] == ["Status", "Late"]
    assert "PDRB" in [row[1] for row in rows[1:]] and {row[0] for row in rows[1:]} == {"Bappeda"}


@pytest.mark.parametrize("viewer, params, status", [
    ("ckan_member", {}, 403), ("operator", {"opd": "bappeda"}, 403), ("walidata", {"opd": "dinas-rahasia"}, 400)])
def test_the_list_download_is_refused(app, world, viewer, params, status):
    response = app.get(f"/elemen-data/{YEAR}.xlsx", params=params, headers=world.token(viewer), status=None)
    assert response.status_code == status


# --- the header link ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("viewer, shown", [
    ("walidata", True), ("sysadmin", True), ("verifikator_kominfotik", True), ("operator", True),
    ("verifikator_other_opd", True), ("ckan_member", False), ("ckan_admin", False), ("anonymous", False)])
def test_the_header_links_the_list(app, world, viewer, shown):
    soup = _soup(app.get("/en/dataset/", headers=world.token(viewer)))
    link = soup.select_one("a.satudata-elements-link")
    assert bool(link) == shown
    if shown:
        assert (link["href"], link.get_text(strip=True)) == ("/en/elemen-data", "Data elements")
