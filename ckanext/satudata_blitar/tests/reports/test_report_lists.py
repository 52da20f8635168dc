"""The report page and the PDFs list only the longest overdue steps and late data elements
(`ckanext.satudata_blitar.report.list_limit`), with the counts of every one and a line saying how many more the
downloads hold; the .xlsx, .csv and .json keep every row. Over test_reports.py's known history (its `world`, "now"
2026-08-20 12:00 UTC), Q3 2026: 5 steps past their standard (OVERDUE_Q3, longest first) and 2 late elements
(LATE_ELEMENTS_Q3)."""
from __future__ import annotations

import csv
import io
import json

import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers
import openpyxl
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from ckanext.satudata_blitar.tests.reports.test_reports import (  # noqa: F401 (world is a fixture)
    ELEMENT_KEYS, LATE_ELEMENTS_Q3, OVERDUE_KEYS, OVERDUE_Q3, _evaluation, _frozen_now, _headers, _monitoring, world)

LIMIT = "ckanext.satudata_blitar.report.list_limit"
TITLES = ["Data DK-B", "Data BP-D", "Data DK-A", "Data BP-C", "Data DK-B"]  # OVERDUE_Q3's, in its order


def _overdue(report):
    return [tuple(row[k] for k in OVERDUE_KEYS) for row in report["overdue"]]


def _late(report):
    return [tuple(row[k] for k in ELEMENT_KEYS) for row in report["data_elements"]["late"]]


@pytest.mark.parametrize("limit", [0, 1, 2, 4, 5, 50])
def test_the_list_limit_lists_the_longest_and_counts_every_one(world, limit):
    full, cut = _monitoring(), _monitoring(list_limit=limit)
    assert _overdue(cut) == OVERDUE_Q3[:limit]
    assert _late(cut) == LATE_ELEMENTS_Q3[:limit]
    assert (cut["overdue_count"], cut["data_elements"]["late_count"], cut["list_limit"]) == (5, 2, limit)
    # Everything else is the full report's: the counts per OPD and step, per OPD's elements, the totals.
    for key in ("opds", "totals", "timeliness", "trend", "data_requests"):
        assert cut[key] == full[key], key
    assert (full["overdue_count"], full["data_elements"]["late_count"], full["list_limit"]) == (5, 2, None)
    assert (_overdue(full), _late(full)) == (OVERDUE_Q3, LATE_ELEMENTS_Q3)


def test_the_list_limit_of_one_opd(world):
    cut = _monitoring(list_limit=1, owner_org="bappeda")
    assert [row["dataset"] for row in cut["overdue"]] == ["bp-d"]
    assert cut["overdue_count"] == 2 and cut["data_elements"]["late_count"] == 0


@pytest.mark.parametrize("limit", ["-1", "many", "1.5"])
def test_a_bad_list_limit_is_refused(world, limit):
    for kind in ("monitoring", "evaluation"):
        with pytest.raises(tk.ValidationError) as error:
            helpers.call_action(f"satudata_report_{kind}", context={"user": "walidata"}, period="2026-Q3",
                                list_limit=limit)
        assert "list_limit" in error.value.error_dict


@pytest.mark.parametrize("opd", [None, "bappeda", "dinas-kesehatan"])
def test_the_evaluation_for_the_page_has_the_same_scores_without_the_facts(world, opd):
    """The scores added up by PostgreSQL (the page, the PDF) equal those from every dataset's facts (the files)."""
    extra = {"owner_org": opd} if opd else {}
    full, cut = _evaluation(**extra), _evaluation(list_limit=50, **extra)
    scores = ("indicators", "aspects", "total", "rank", "datasets", "data_elements", "name", "title")
    assert [{key: o[key] for key in scores} for o in cut["opds"]] == [
        {key: o[key] for key in scores} for o in full["opds"]]
    assert (cut["portal"], cut["ranking"]) == (full["portal"], full["ranking"])
    assert all(o["dataset_facts"] == [] and o["element_facts"] == [] for o in cut["opds"])
    assert any(o["dataset_facts"] for o in full["opds"])


def _page(app, world, lang=""):
    with _frozen_now():
        body = app.get(f"{lang}/laporan", params={"period": "2026-Q3"}, headers=_headers(world, "walidata")).body
    return BeautifulSoup(body, "html.parser").select_one("section#monitoring")


def test_the_page_lists_the_longest_and_says_how_many_more(app, world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, LIMIT, 1)
    page = _page(app, world)
    rows = page.select(".satudata-report-overdue tbody tr")
    assert [row.select_one("a").get_text(strip=True) for row in rows] == ["Data DK-B"]
    assert "5 tahapan melewati waktu standarnya" in page.select_one(".satudata-report-count").get_text(" ", strip=True)
    more = [p.get_text(" ", strip=True) for p in page.select(".satudata-report-more")]
    assert more == [
        "Di sini tercantum 1 yang paling lama terlambat; 4 lainnya ada dalam daftar lengkap di unduhan spreadsheet "
        "(.xlsx), .csv dan .json.",
        "Di sini tercantum 1 yang paling lama terlambat; 1 lainnya ada dalam daftar lengkap di unduhan spreadsheet "
        "(.xlsx), .csv dan .json."]
    late = page.select(".satudata-report-late-elements tbody tr")
    assert [row.select_one("td").get_text(" ", strip=True) for row in late] == ["Elemen A Prioritas"]
    # The counts per OPD and step: Dinas Kesehatan's Walidata check, 1 done late and 1 waiting past the standard.
    timeliness = [[cell.get_text(strip=True) for cell in row.select("td")]
                  for row in page.select(".satudata-report-timeliness tbody tr")]
    assert ["Dinas Kesehatan", "Verifikasi (Walidata)", "1 hari kerja", "1", "0", "1", "1", "1", "0,0%",
            "2 hari kerja", "32 hari kerja"] in timeliness

    english = _page(app, world, "/en")
    assert [p.get_text(" ", strip=True) for p in english.select(".satudata-report-more")][0] == (
        "The 1 most overdue are listed here; 4 more are in the full list in the spreadsheet (.xlsx), .csv and .json "
        "downloads.")


def test_the_page_at_the_default_limit_lists_every_one_and_no_more_line(app, world):
    page = _page(app, world)
    assert len(page.select(".satudata-report-overdue tbody tr")) == 5
    assert not page.select(".satudata-report-more")
    assert "5 tahapan" in page.select_one(".satudata-report-count").get_text(" ", strip=True)


def _download(app, world, fmt, kind="monitoring"):
    with _frozen_now():
        return app.get(f"/laporan/{kind}.{fmt}", params={"period": "2026-Q3"}, headers=_headers(world, "walidata"))


def test_the_downloads_keep_every_row(app, world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, LIMIT, 1)
    sheets = openpyxl.load_workbook(io.BytesIO(_download(app, world, "xlsx").data))
    overdue = [row[1] for row in sheets["Melewati waktu standar"].iter_rows(min_row=2, values_only=True)]
    assert overdue == TITLES
    late = [row[1] for row in sheets["Elemen data terlambat"].iter_rows(min_row=2, values_only=True)]
    assert late == ["Elemen A", "Elemen C"]
    text = _download(app, world, "csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [row[1] for row in rows if len(row) > 1 and row[1] in TITLES] == TITLES
    report = json.loads(_download(app, world, "json").data)
    assert (_overdue(report), report["overdue_count"]) == (OVERDUE_Q3, 5)
    assert len(report["data_elements"]["late"]) == report["data_elements"]["late_count"] == 2
    # The evaluation's files keep every dataset and element.
    evaluation = openpyxl.load_workbook(io.BytesIO(_download(app, world, "xlsx", "evaluation").data))
    assert evaluation["Dataset"].max_row == 1 + 6 and evaluation["Daftar Elemen Data"].max_row == 1 + 5


def _pdf_text(content):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_lists_the_longest_and_says_how_many_more(app, world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, LIMIT, 1)
    text = _pdf_text(_download(app, world, "pdf").data)
    assert "Data DK-B" in text and "Data BP-D" not in text and "Data BP-C" not in text
    assert "4 lainnya ada dalam daftar lengkap di unduhan spreadsheet (.xlsx)" in text
    assert "Elemen A" in text and "Elemen C" not in text


def test_an_issued_report_lists_the_longest_in_its_pdf_and_every_one_in_its_xlsx(app, world, ckan_config,
                                                                                 monkeypatch):
    monkeypatch.setitem(ckan_config, LIMIT, 2)
    with _frozen_now():
        issued = app.post("/api/3/action/satudata_report_issue", json={"kind": "monitoring", "period": "2026-Q3"},
                          headers=_headers(world, "walidata")).json["result"]
    pdf = app.get(f"/laporan/arsip/{issued['id']}.pdf", headers=_headers(world, "walidata")).data
    text = _pdf_text(pdf)
    assert "Data DK-B" in text and "Data BP-D" in text and "Data BP-C" not in text
    assert "3 lainnya ada dalam daftar lengkap" in text
    xlsx = app.get(f"/laporan/arsip/{issued['id']}.xlsx", headers=_headers(world, "walidata")).data
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))["Melewati waktu standar"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == TITLES
