"""Issued reports are kept (reports/archive.py): the Walidata issues a report ("Terbitkan laporan"), it gets the next
number of its year, its PDF and .xlsx are stored under ckan.storage_path/satudata_reports, it is listed at
/laporan/arsip with who issued it and when, and a download later gives the bytes issued, whatever the data has
become since. Only who sees the reports (the Walidata, sysadmins: logic/auth/reports.py) issues or sees the archive.
Over test_reports.py's known history (its `world`)."""
from __future__ import annotations

import hashlib
import io
import pathlib
import re

import freezegun
import openpyxl
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA
from ckanext.satudata_blitar.tests.reports.test_reports import _headers, world  # noqa: F401 (fixture)

PERIOD = "2026-Q3"


def _issue(app, world, viewer="walidata", status=200, **data):
    response = app.post("/api/3/action/satudata_report_issue", json={"kind": "monitoring", "period": PERIOD, **data},
                        headers=_headers(world, viewer), status=status)
    return response.json["result"] if status == 200 else response


def _download(app, world, issued, fmt, viewer="walidata"):
    response = app.get(f"/laporan/arsip/{issued['id']}.{fmt}", headers=_headers(world, viewer))
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert issued[f"{fmt}_name"] in response.headers["Content-Disposition"]
    cache = response.headers["Cache-Control"]
    assert "private" in cache and "no-store" in cache and "public" not in cache
    return response.data


def _pdf_text(content):
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def _sheet_values(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {name: [list(row) for row in workbook[name].iter_rows(values_only=True)] for name in workbook.sheetnames}


def test_an_issued_report_is_kept_whatever_the_data_becomes(app, world):
    with freezegun.freeze_time("2032-02-03 04:00", ignore=["jwt"]):
        issued = _issue(app, world, owner_org="dinas-kesehatan")
    assert issued["number"] == "1/LHP/2032" and issued["seq"] == 1 and issued["year"] == 2032
    assert issued["issued_by"] == "walidata" and issued["opd_title"] == "Dinas Kesehatan"
    assert issued["pdf_name"] == "laporan-pemantauan-2026-T3-dinas-kesehatan.pdf"

    # Stored under the storage path, out of every public folder, with the SHA-256 the row says.
    stored = pathlib.Path(tk.config["ckan.storage_path"]) / "satudata_reports"
    for fmt in ("pdf", "xlsx"):
        path = stored / f"2032-0001.{fmt}"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == issued[f"{fmt}_sha256"]
    assert not list(stored.glob(".*.part"))

    listed = helpers.call_action("satudata_report_archive_list", context={"user": "walidata"})
    assert issued in listed["results"]

    before = {fmt: _download(app, world, issued, fmt) for fmt in ("pdf", "xlsx")}
    for fmt, content in before.items():
        assert hashlib.sha256(content).hexdigest() == issued[f"{fmt}_sha256"]
    text = _pdf_text(before["pdf"])
    assert "Nomor : 1/LHP/2032" in text and "……" not in text
    cover = _sheet_values(before["xlsx"])["Laporan"]
    assert ["Nomor", "1/LHP/2032", None, None] in cover

    # The data changes: Dinas Kesehatan gets another dataset (one more draft now).
    helpers.call_action("package_create", context={"user": "operator-dk"}, name="dk-archive", title="Data Arsip",
                        notes="Data uji.", owner_org=world["orgs"]["dinas-kesehatan"]["id"], **REQUIRED_METADATA)
    fresh = app.get("/laporan/monitoring.xlsx", params={"period": PERIOD, "owner_org": "dinas-kesehatan"},
                    headers=_headers(world, "walidata")).data
    summary = openpyxl.load_workbook(io.BytesIO(fresh)).sheetnames[1]  # after the cover sheet
    assert _sheet_values(fresh)[summary] != _sheet_values(before["xlsx"])[summary]  # the report now says otherwise

    after = {fmt: _download(app, world, issued, fmt) for fmt in ("pdf", "xlsx")}
    assert after == before


def test_numbers_follow_each_other_in_a_year_and_start_again_the_next(app, world):
    with freezegun.freeze_time("2030-03-02 03:00", ignore=["jwt"]):
        first = _issue(app, world, kind="evaluation")
        second = _issue(app, world)
    with freezegun.freeze_time("2031-01-05 03:00", ignore=["jwt"]):
        third = _issue(app, world, viewer="sysadmin")
    assert [(r["year"], r["seq"], r["number"]) for r in (first, second, third)] == [
        (2030, 1, "1/LHPE/2030"), (2030, 2, "2/LHP/2030"), (2031, 1, "1/LHP/2031")]
    assert third["issued_by"] == "sysadmin"
    listed = helpers.call_action("satudata_report_archive_list", context={"user": "walidata"}, limit=1000)
    numbers = [r["number"] for r in listed["results"]]
    assert numbers.index("1/LHP/2031") < numbers.index("2/LHP/2030") < numbers.index("1/LHPE/2030")  # newest first


def test_the_archive_page_and_the_issue_form(app, world):
    with freezegun.freeze_time("2033-05-06 04:00", ignore=["jwt"]):
        response = app.post("/laporan/terbitkan", data={"kind": "evaluation", "period": PERIOD, "owner_org": "",
                                                        "language": "id", "confirm": "1"},
                            headers=_headers(world, "walidata"), follow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/laporan/arsip")
    listed = helpers.call_action("satudata_report_archive_list", context={"user": "walidata"}, limit=1000)
    issued = next(r for r in listed["results"] if r["number"] == "1/LHPE/2033")

    page = BeautifulSoup(app.get("/laporan/arsip", headers=_headers(world, "walidata")).body, "html.parser")
    row = next(tr for tr in page.select(".satudata-report-archive-table tbody tr") if "1/LHPE/2033" in tr.text)
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[1:5] == ["Laporan evaluasi", "2026-T3", "Semua OPD", "walidata"]
    assert "2033" in cells[5]
    assert {a["href"] for a in row.select("a")} == {f"/laporan/arsip/{issued['id']}.pdf",
                                                   f"/laporan/arsip/{issued['id']}.xlsx"}
    english = BeautifulSoup(app.get("/en/laporan/arsip", headers=_headers(world, "walidata")).body, "html.parser")
    assert english.select_one("h1").get_text(strip=True) == "Issued reports"
    assert "Evaluation report" in english.select_one(".satudata-report-archive-table").text

    # /laporan: the form posts with the CSRF token and a confirmation, and carries no script.
    laporan = BeautifulSoup(app.get("/laporan", params={"period": PERIOD},
                                    headers=_headers(world, "walidata")).body, "html.parser")
    form = laporan.select_one("form.satudata-report-issue")
    assert form["method"] == "post" and form["action"] == "/laporan/terbitkan"
    assert form.select_one("input[name=_csrf_token]")["value"]
    assert form.select_one("input[name=confirm]").has_attr("required")
    assert [button["value"] for button in form.select("button[name=kind]")] == ["monitoring"]  # the report shown
    assert "Terbitkan laporan" in form.text
    evaluation = BeautifulSoup(app.get("/laporan", params={"period": PERIOD, "report": "evaluation"},
                                       headers=_headers(world, "walidata")).body, "html.parser")
    assert [button["value"] for button in evaluation.select("form.satudata-report-issue button[name=kind]")] == [
        "evaluation"]
    assert not form.select("script") and not any(attr.startswith("on") for tag in form.find_all() for attr in tag.attrs)


def test_a_changed_stored_file_is_refused(app, world):
    with freezegun.freeze_time("2034-01-02 04:00", ignore=["jwt"]):
        issued = _issue(app, world)
    path = pathlib.Path(tk.config["ckan.storage_path"]) / "satudata_reports" / "2034-0001.xlsx"
    path.write_bytes(path.read_bytes() + b"x")
    response = app.get(f"/laporan/arsip/{issued['id']}.xlsx", headers=_headers(world, "walidata"), status=None)
    assert response.status_code == 500
    assert _download(app, world, issued, "pdf")  # the other file is untouched


@pytest.mark.parametrize("data, field", [
    ({"kind": ["monitoring"]}, "kind"), ({"kind": "laporan"}, "kind"), ({"language": "fr"}, "language"),
    ({"period": "9999"}, "period"), ({"period": {"a": 1}}, "period"), ({"owner_org": "tidak-ada"}, "owner_org")])
def test_bad_input_to_issue_is_a_validation_error(app, world, data, field):
    before = helpers.call_action("satudata_report_archive_list", context={"user": "walidata"})["count"]
    response = _issue(app, world, status=409, **data)
    assert field in response.json["error"]
    assert helpers.call_action("satudata_report_archive_list", context={"user": "walidata"})["count"] == before


@pytest.fixture
def one_issued(app, world):
    """An issued report with its files as issued: one of the module's, or one issued now."""
    listed = helpers.call_action("satudata_report_archive_list", context={"user": "walidata"}, limit=1000)
    kept = [issued for issued in listed["results"] if issued["year"] != 2034]  # 2034's file was changed
    return kept[0] if kept else _issue(app, world)


@pytest.mark.parametrize("viewer, allowed", [
    ("walidata", True), ("sysadmin", True), ("verifikator-kominfotik", False), ("operator-dk", False),
    ("verif-dk", False), ("ckan-admin", False), (None, False)])
def test_who_issues_and_sees_the_archive(app, world, one_issued, viewer, allowed):
    """As the reports themselves (logic/auth/reports.py): the Walidata and sysadmins only."""
    headers = _headers(world, viewer)
    status = 200 if allowed else 403
    app.get("/api/3/action/satudata_report_archive_list", headers=headers, status=status)
    app.get("/api/3/action/satudata_report_archive_show", params={"id": one_issued["id"]}, headers=headers,
            status=status)
    with freezegun.freeze_time("2035-01-02 04:00", ignore=["jwt"]):
        _issue(app, world, viewer=viewer, status=status)
    # The pages: a logged-in user without the right gets 403, an anonymous visitor the login page.
    page_status = status if viewer or allowed else 302
    for url in ("/laporan/arsip", f"/laporan/arsip/{one_issued['id']}.pdf", f"/laporan/arsip/{one_issued['id']}.xlsx"):
        response = app.get(url, headers=headers, status=None, follow_redirects=False)
        assert response.status_code == page_status, url
    response = app.post("/laporan/terbitkan", data={"kind": "monitoring", "period": PERIOD}, headers=headers,
                        status=None, follow_redirects=False)
    assert response.status_code == (302 if allowed else page_status)
    if not allowed:
        laporan = app.get("/laporan", params={"period": PERIOD}, headers=headers, status=None,
                          follow_redirects=False)
        assert b"satudata-report-issue" not in laporan.data
