"""The SOP's reports as documents an official signs (reports/report_document.py, report_pdf.py): the PDF of step 7's
Laporan hasil pemantauan and step 8's Laporan hasil pemantauan dan evaluasi, from the CLI and from /laporan, the
.xlsx's cover sheet and properties, the Indonesian file names, and the /laporan page that prints as the same
document. Over test_reports.py's known history (its `world`, "now" 2026-08-20 12:00 UTC), Q3 2026.

The figures the summary states (test_reports.py's tables): 5 submissions and 1 publication in Q3; 11 steps done, 8
on time; verifications past the standard: dk-a's Walidata check (done late) and dk-b's (still waiting); now 2
datasets wait (diajukan, terverifikasi OPD), 2 need correction, 1 is published; the 2026 list: 1 of 5 elements
fulfilled, 2 late. The evaluation: all OPDs 31.9... see _assert_q3_evaluation there."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from ckanext.satudata_blitar.cli import satudata
from ckanext.satudata_blitar.reports import report_document, report_pdf
from ckanext.satudata_blitar.tests.indonesian_text import english_formats
from ckanext.satudata_blitar.tests.reports.test_reports import _frozen_now, _headers, world  # noqa: F401 (fixture)

A4 = (595.28, 841.89)  # points
DIVISION_HEAD = {"name": "Dr. Rina Wulandari, S.Kom., M.T.", "nip": "19800101 200501 2 001",
                 "rank": "Pembina (IV/a)"}
AGENCY_HEAD = {"name": "Ir. Bambang Sutrisno, M.Si.", "nip": "19700202 199503 1 002"}
MONITORING_SUMMARY = [
    "Dari 5 pengajuan dataset pada periode ini, 1 terbit (20,0%).",
    "Dari 11 tahapan yang selesai, 8 tepat waktu sesuai standar waktu SOP (72,7%).",
    "2 verifikasi melewati standar waktu (1 selesai terlambat, 1 masih menunggu).",
    "Saat ini 2 dataset menunggu verifikasi atau penerbitan, 2 perlu perbaikan dan 1 terbit.",
    "Daftar elemen data 2026: 1 dari 5 elemen terpenuhi (20,0%), 2 terlambat.",
]
EVALUATION_SUMMARY = [
    "Nilai gabungan seluruh OPD 42,9 dari 100 (Prinsip SDI 38,5; Kualitas Data 55,8; Proses Bisnis 34,5).",
    "Nilai tertinggi diraih Dinas Kesehatan (47,8), terendah Bappeda (31,9).",
    "1 OPD belum dapat dinilai: belum ada dataset atau elemen data pada periode ini.",
]


@pytest.fixture
def signatories(ckan_config, monkeypatch):
    for who, person in (("division_head", DIVISION_HEAD), ("agency_head", AGENCY_HEAD)):
        for key, value in person.items():
            monkeypatch.setitem(ckan_config, f"ckanext.satudata_blitar.report.{who}.{key}", value)


def _cli_file(app, cli, tmp_path, monkeypatch, kind, *args):
    """`ckan satudata report KIND --period 2026-T3 ARGS` in tmp_path; the file it wrote (its default name)."""
    monkeypatch.chdir(tmp_path)
    # As `ckan satudata report` runs: CKAN's Flask app at hand (the CLI gets it from `ckan`'s context).
    with app.flask_app.test_request_context(), _frozen_now():
        result = cli.invoke(satudata, ["report", kind, "--period", "2026-T3", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    (written,) = tmp_path.iterdir()
    return written


def _text(reader):
    """The PDF's text, one string per page, with its lines' breaks and runs of spaces made single spaces."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def _sizes(reader):
    return [(round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) for page in reader.pages]


def test_monitoring_pdf(app, cli, world, tmp_path, monkeypatch, signatories):
    """Step 7's document: letterhead, title, number, date, period, summary from the figures, the tables with
    dataset titles, the Kepala Bidang's signature with name and NIP, "Halaman i dari n", A4 pages (the
    15-column table on a landscape page), in Indonesian."""
    written = _cli_file(app, cli, tmp_path, monkeypatch, "monitoring", "--format", "pdf")
    assert written.name == "laporan-pemantauan-2026-T3.pdf"
    reader = PdfReader(written)
    pages = _text(reader)
    text = " ".join(pages)
    first = pages[0]
    for expected in ("PEMERINTAH KOTA BLITAR", "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK",
                     "LAPORAN HASIL PEMANTAUAN", "Semua OPD", "Nomor : ……/LHP/2026", "Tanggal : 20 Agustus 2026",
                     "Periode : Triwulan III Tahun 2026 (1 Juli 2026 s.d. 30 September 2026)",
                     "Kepada : Kepala Dinas Komunikasi, Informatika dan Statistik Kota Blitar"):
        assert expected in first, expected
    assert " ".join(MONITORING_SUMMARY) in text
    for title in ("Data DK-B", "Data BP-D", "Data DK-A", "Data BP-C"):  # the overdue steps, by title
        assert title in text
    assert not re.search(r"\b(dk|bp)-[a-f]\b", text)  # never by their URL names
    last = pages[-1]
    for expected in ("Blitar, 20 Agustus 2026", "Kepala Bidang Statistik dan Persandian", DIVISION_HEAD["name"],
                     DIVISION_HEAD["rank"], "NIP. " + DIVISION_HEAD["nip"]):
        assert expected in last, expected
    assert "Mengetahui" not in text
    count = len(reader.pages)
    assert count >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {count}" in page
        assert "Laporan Hasil Pemantauan - Triwulan III Tahun 2026" in page
    sizes = _sizes(reader)
    assert sizes[0] == A4 and sizes[-1] == A4
    assert set(sizes) == {A4, A4[::-1]}  # the summary by OPD (15 columns) on a landscape page
    summary_page = next(index for index, page in enumerate(pages) if "Rekapitulasi per OPD" in page)
    assert sizes[summary_page] == A4[::-1]
    without_times = re.sub(r"\b\d\d\.\d\d (UTC|WIB)\b", "", text)  # 12.30 UTC: the Indonesian way
    assert not [word for word in without_times.split() if english_formats(word)]
    assert "Page" not in text and "Monitoring" not in text
    info = reader.metadata
    assert info.title == "Laporan Hasil Pemantauan - Triwulan III Tahun 2026"
    assert info.author == "Dinas Komunikasi, Informatika dan Statistik Kota Blitar"


def test_evaluation_pdf(app, cli, world, tmp_path, monkeypatch, signatories):
    """Step 8's document: what the monitoring found and the evaluation's scores; signed by the Kepala Dinas under
    "Mengetahui" beside the Kepala Bidang who compiled it."""
    written = _cli_file(app, cli, tmp_path, monkeypatch, "evaluation", "--format", "pdf")
    assert written.name == "laporan-pemantauan-evaluasi-2026-T3.pdf"
    reader = PdfReader(written)
    pages = _text(reader)
    text = " ".join(pages)
    assert "LAPORAN HASIL PEMANTAUAN DAN EVALUASI" in pages[0]
    assert "Nomor : ……/LHPE/2026" in pages[0]
    assert "Kepada" not in pages[0]
    assert " ".join(MONITORING_SUMMARY + EVALUATION_SUMMARY) in text
    assert "Peringkat" in text and "47,8" in text
    assert "Permohonan data" in text  # the monitoring report's section too
    last = pages[-1]
    for expected in ("Mengetahui,", "Kepala Dinas Komunikasi, Informatika dan Statistik Kota Blitar",
                     AGENCY_HEAD["name"], "NIP. " + AGENCY_HEAD["nip"], "Blitar, 20 Agustus 2026",
                     DIVISION_HEAD["name"], "NIP. " + DIVISION_HEAD["nip"]):
        assert expected in last, expected
    assert f"Halaman {len(pages)} dari {len(pages)}" in last
    assert set(_sizes(reader)) <= {A4, A4[::-1]}


def test_unnamed_signatories_leave_room_to_write(app, cli, world, tmp_path, monkeypatch):
    """Without names in the configuration the document has dotted lines for the name and NIP, not blanks."""
    text = " ".join(_text(PdfReader(_cli_file(app, cli, tmp_path, monkeypatch, "monitoring", "--format", "pdf"))))
    assert "NIP. ......" in text
    assert "........................" in text


def _layout(app, kind, lang="id"):
    """WeasyPrint's laid-out document of `kind` for Q3, as the download makes it."""
    from ckan.plugins import toolkit as tk

    with app.flask_app.test_request_context(), _frozen_now():
        reports = {name: tk.get_action(f"satudata_report_{name}")({"ignore_auth": True}, {"period": "2026-Q3"})
                   for name in ("monitoring", "evaluation")}
        document = report_document.document(kind, reports, lang)
        return report_pdf.render(report_pdf.html(kind, reports, document, lang))


def _tables(box):
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TableBox):
        yield box
    for child in getattr(box, "children", []):
        yield from _tables(child)


@pytest.mark.parametrize("kind", ["monitoring", "evaluation"])
def test_no_table_is_wider_than_its_page(app, world, kind):
    layout = _layout(app, kind)
    measured = 0
    for page in layout.pages:
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        for table in _tables(page_box):
            measured += 1
            assert table.border_box_x() + table.border_width() <= right + 0.5, (kind, page.width)
            assert table.border_box_x() >= page_box.content_box_x() - 0.5
    assert measured >= (5 if kind == "monitoring" else 3)


@pytest.mark.parametrize("viewer, status", [
    ("walidata", 200), ("sysadmin", 200), ("verifikator-kominfotik", 403), ("operator-dk", 403),
    ("verif-dk", 403), ("ckan-admin", 403)])
def test_only_the_walidata_gets_the_pdf(app, world, viewer, status):
    for kind in ("monitoring", "evaluation"):
        response = app.get(f"/laporan/{kind}.pdf", params={"period": "2026-Q3"}, headers=_headers(world, viewer),
                           status=None)
        assert response.status_code == status
        if status == 200:
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.data.startswith(b"%PDF-")
            cache = response.headers["Cache-Control"]  # never kept by a cache (views/http_headers.py)
            assert "private" in cache and "no-store" in cache and "public" not in cache


def test_anonymous_visitors_are_sent_to_log_in_for_the_pdf(app, world):
    response = app.get("/laporan/monitoring.pdf?period=2026", status=None, follow_redirects=False)
    assert response.status_code == 302
    assert "/user/login" in response.headers["Location"]


def test_the_pdf_download_has_the_pages_filters_and_language(app, world):
    with _frozen_now():
        response = app.get("/laporan/evaluation.pdf", params={"period": "2026-Q3", "owner_org": "dinas-kesehatan",
                                                              "lang": "en"},
                           headers=_headers(world, "walidata"))
    assert "laporan-pemantauan-evaluasi-2026-T3-dinas-kesehatan.pdf" in response.headers["Content-Disposition"]
    text = " ".join(_text(PdfReader(io.BytesIO(response.data))))
    assert "REPORT ON THE RESULTS OF MONITORING AND EVALUATION" in text
    assert "Dinas Kesehatan" in text and "Bappeda" not in text
    assert "Period : Quarter 3, 2026 (1 July 2026 to 30 September 2026)" in text
    assert re.search(r"Page 1 of \d", text)
    assert "Acknowledged by," in text


@pytest.mark.parametrize("kind, fmt, name", [
    ("monitoring", "xlsx", "laporan-pemantauan-2026-T3.xlsx"),
    ("monitoring", "csv", "laporan-pemantauan-2026-T3.csv"),
    ("evaluation", "json", "laporan-pemantauan-evaluasi-2026-T3.json"),
    ("evaluation", "xlsx", "laporan-pemantauan-evaluasi-2026-T3.xlsx"),
])
def test_indonesian_file_names(app, world, kind, fmt, name):
    with _frozen_now():
        response = app.get(f"/laporan/{kind}.{fmt}", params={"period": "2026-Q3"},
                           headers=_headers(world, "walidata"))
    assert f"filename={name}" in response.headers["Content-Disposition"]


def test_the_xlsx_cover_sheet_and_properties(app, cli, world, tmp_path, monkeypatch, signatories):
    written = _cli_file(app, cli, tmp_path, monkeypatch, "evaluation")
    assert written.name == "laporan-pemantauan-evaluasi-2026-T3.xlsx"
    workbook = openpyxl.load_workbook(written)
    assert workbook.sheetnames == ["Laporan", "Peringkat", "Kartu Skor", "Dataset", "Daftar Elemen Data",
                                   "Permohonan data"]
    cover = workbook["Laporan"]
    rows = [[value for value in row if value is not None] for row in cover.iter_rows(values_only=True)]
    assert rows[:3] == [["PEMERINTAH KOTA BLITAR"], ["DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK"],
                        ["Kota Blitar, Jawa Timur, https://blitarkota.go.id"]]
    assert ["LAPORAN HASIL PEMANTAUAN DAN EVALUASI"] in rows
    assert ["Nomor", "……/LHPE/2026"] in rows
    assert ["Periode", "Triwulan III Tahun 2026 (1 Juli 2026 s.d. 30 September 2026)"] in rows
    date_row = next(row for row in cover.iter_rows() if row[0].value == "Tanggal")
    assert date_row[1].value.date().isoformat() == "2026-08-20"
    assert date_row[1].number_format.startswith("[$-421]")  # written in Indonesian: 20 Agustus 2026
    assert [" ".join(MONITORING_SUMMARY + EVALUATION_SUMMARY)] in rows
    assert ["Mengetahui,", "Blitar, 20 Agustus 2026"] in rows
    assert [AGENCY_HEAD["name"], DIVISION_HEAD["name"]] in rows
    assert ["NIP. " + AGENCY_HEAD["nip"], "NIP. " + DIVISION_HEAD["nip"]] in rows
    assert cover.page_setup.paperSize == int(cover.PAPERSIZE_A4)
    properties = workbook.properties
    assert properties.creator == "Dinas Komunikasi, Informatika dan Statistik Kota Blitar"
    assert "openpyxl" not in (properties.creator or "") + (properties.lastModifiedBy or "")
    assert properties.title == "Laporan Hasil Pemantauan dan Evaluasi - Triwulan III Tahun 2026"
    # The figures' sheets are as they were: header row first.
    assert next(workbook["Peringkat"].iter_rows(values_only=True))[:2] == ("Peringkat", "OPD")


def test_the_csv_and_json_have_no_cover(app, world):
    with _frozen_now():
        body = app.get("/laporan/monitoring.csv", params={"period": "2026-Q3"},
                       headers=_headers(world, "walidata")).body
    assert "Kepala Bidang" not in body


def test_printing_the_page_gives_the_documents(app, world, signatories):
    """/laporan holds the shown report's document: letterhead, heading and signatures for print (hidden on screen by
    the report stylesheet it links), the summary for everyone, and the PDF download. The evaluation's summary says
    what the monitoring found too, as its PDF does."""
    for kind, summary, signed in [("monitoring", MONITORING_SUMMARY, DIVISION_HEAD["name"]),
                                  ("evaluation", MONITORING_SUMMARY + EVALUATION_SUMMARY, "Mengetahui,")]:
        with _frozen_now():
            response = app.get("/laporan", params={"period": "2026-Q3", "report": kind},
                               headers=_headers(world, "walidata"))
        soup = BeautifulSoup(response.body, "html.parser")
        documents = soup.select("section.satudata-document")
        assert [section["id"] for section in documents] == [kind]
        section = documents[0]
        assert "satudata-print-only" in section.select_one(".satudata-letterhead")["class"]
        assert "satudata-print-only" in section.select_one(".satudata-signatures")["class"]
        assert section.select_one(".satudata-letterhead-government").get_text() == "Pemerintah Kota Blitar"
        assert section.select_one(".satudata-document-summary").get_text(strip=True) == " ".join(summary)
        assert signed in section.select_one(".satudata-signatures").get_text()
        assert soup.select_one(f'a[href^="/laporan/{kind}.pdf?period=2026-Q3"]')
        assert any("report.css" in link.get("href", "") for link in soup.select('link[rel="stylesheet"]'))


def test_the_letterhead_emblem_is_read_from_the_public_files_only(app, world, ckan_config, monkeypatch):
    """The PDF's emblem is the portal's public file; a URL or a path outside the public files is left out, never
    fetched."""
    assert report_pdf.public_file("/satudata_blitar/report-logo.svg")
    assert report_pdf.public_file("/../../../../etc/passwd") is None
    with app.flask_app.app_context():
        fetcher = report_pdf._fetcher()
        assert fetcher.fetch(report_pdf.BASE_URL + "satudata_blitar/report-logo.svg").read().startswith(b"<svg")
        for url in ("http://127.0.0.1:8983/solr/", "file:///etc/passwd", report_pdf.BASE_URL + "../etc/passwd"):
            with pytest.raises(ValueError):
                fetcher.fetch(url)


def test_period_names():
    months = {"kind": "month", "start": "2026-07-01T00:00:00", "end": "2026-08-01T00:00:00", "label": "2026-07"}
    year = {"kind": "year", "start": "2026-01-01T00:00:00", "end": "2027-01-01T00:00:00", "label": "2026"}
    assert report_document.period_text(months, "id") == "Juli 2026 (1 Juli 2026 s.d. 31 Juli 2026)"
    assert report_document.period_text(year, "id") == "Tahun 2026 (1 Januari 2026 s.d. 31 Desember 2026)"
    assert report_document.period_text(year, "en") == "Year 2026 (1 January 2026 to 31 December 2026)"
