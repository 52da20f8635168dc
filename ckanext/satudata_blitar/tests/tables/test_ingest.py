"""Uploaded tables through the real upload path (API and web form), the real xloader queue in Redis, a real
worker run in the test, and the real DataStore: each format, the messy cases and the hostile ones."""
from __future__ import annotations

import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

import ckan.lib.jobs as jobs
import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tables import upload_check

from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import table_samples as samples

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


@pytest.fixture
def dataset(organization):
    return satudata_factories.Dataset(name="penduduk-kecamatan", owner_org=organization["id"])


@pytest.fixture
def queue():
    q = jobs.get_queue()
    q.empty()
    yield q
    q.empty()


def upload(app, token, dataset, filename, data, **extra):
    response = app.post("/api/3/action/resource_create", headers={"Authorization": token},
                        data={"package_id": dataset["id"], "name": filename, "upload": (io.BytesIO(data), filename),
                              **extra})
    assert response.status_code == 200, response.body
    return response.json["result"]


def run_jobs(queue):
    """Runs what is queued, in this process (CKAN's with_test_worker patches the fork away)."""
    names = [job.func_name for job in queue.get_jobs()]
    jobs.Worker().work(burst=True)
    return names


def report(resource_id):
    return helpers.call_action("satudata_upload_report", id=resource_id)


def fields(resource_id):
    info = helpers.call_action("datastore_info", id=resource_id)
    return [(f["id"], f["type"]) for f in info["fields"]]


def records(resource_id):
    found = helpers.call_action("datastore_search", resource_id=resource_id, sort="_id")
    return [{k: v for k, v in r.items() if k != "_id"} for r in found["records"]]


# --- Every format through the API upload -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "xlsx-no-dimension", "xls", "ods", "csv-utf8", "csv-bom-semicolon",
                                 "csv-cp1252"])
def test_messy_table_is_loaded_typed_from_every_format(app, sysadmin, dataset, queue, with_test_worker, fmt):
    filename, data = samples.messy(fmt)
    resource = upload(app, sysadmin["token"], dataset, filename, data)

    assert report(resource["id"])["state"] == "pending"
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]

    result = report(resource["id"])
    assert result["status"] == "ok", result["issues"]
    assert fields(resource["id"]) == samples.MESSY_LOADED_COLUMNS
    expected = [dict(r) for r in samples.MESSY_LOADED_RECORDS]
    if fmt == "csv-cp1252":
        # not a name of the Kepmendagri list (a note in the report): no kode_wilayah
        expected[1].update({"Kecamatan": "Sukorejo \u2013 Kota", "kode_wilayah": None})
    assert records(resource["id"]) == expected
    codes = {issue["code"] for issue in result["issues"]}
    assert {"title_rows", "total_rows", "footnotes"} <= codes
    # xloader's own status and flags, as after a stock load
    status = helpers.call_action("xloader_status", resource_id=resource["id"])
    assert status["status"] == "complete"
    assert any("Copied the rows" in line["message"] for line in status["task_info"]["logs"])
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert shown["datastore_active"] is True
    assert shown["hash"]
    # the uploaded file is kept as it was
    download = app.get(shown["url"].replace("http://test.ckan.net", ""),
                       headers={"Authorization": sysadmin["token"]})
    assert download.data == data


def test_a_load_queued_under_the_job_s_old_path_still_runs(app, sysadmin, dataset, queue, with_test_worker):
    """RQ stores a job's function by its dotted path: a load queued before an upgrade that moved the job function
    (tables/ingest.py -> tables/load_job.py) names the old path, and the worker still runs it."""
    filename, data = samples.messy("csv-utf8")
    resource = upload(app, sysadmin["token"], dataset, filename, data)
    [queued] = queue.get_jobs()
    queue.empty()
    old = queue.enqueue_call(func="ckanext.satudata_blitar.tables.ingest.load_job", args=queued.args,
                             description=queued.description)
    assert old.func_name == "ckanext.satudata_blitar.tables.ingest.load_job"

    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.ingest.load_job"]

    assert report(resource["id"])["status"] == "ok"
    assert fields(resource["id"]) == samples.MESSY_LOADED_COLUMNS
    assert helpers.call_action("xloader_status", resource_id=resource["id"])["status"] == "complete"


def test_columns_are_typed_from_the_whole_column(app, sysadmin, dataset, queue, with_test_worker):
    rows = [["kode", "jumlah", "rasio", "tanggal", "catatan"]]
    rows += [[f"{i:03d}", i, i + 0.5, f"{i % 28 + 1} Januari 2024", "-"] for i in range(1, 300)]
    rows.append(["300", "n/a", 1, "bukan tanggal", "akhir"])  # the last row decides kode/jumlah/tanggal
    resource = upload(app, sysadmin["token"], dataset, "lengkap.xlsx", samples.xlsx(rows))
    run_jobs(queue)

    assert fields(resource["id"]) == [("kode", "text"), ("jumlah", "text"), ("rasio", "numeric"),
                                      ("tanggal", "text"), ("catatan", "text")]
    result = report(resource["id"])
    assert result["status"] == "warning"
    odd = [(i["row"], i["column"], i["value"]) for i in result["issues"] if i["code"] == "mixed_column"]
    assert (301, "B", "n/a") in odd and (301, "D", "bukan tanggal") in odd
    # text columns keep the values as written (leading zeros, Indonesian dates); "-" is empty
    assert records(resource["id"])[0] == {"kode": "001", "jumlah": "1", "rasio": 1.5, "tanggal": "2 Januari 2024",
                                          "catatan": None}


def test_formula_values_are_read_and_missing_ones_reported(app, sysadmin, dataset, queue, with_test_worker):
    rows = [["kecamatan", "laki", "perempuan", "total"],
            ["Sananwetan", 10, 12, "=B2+C2"],
            ["Sukorejo", 7, 8, "=B3+C3"]]
    calculated = samples.with_cached_values(samples.xlsx(rows), {"D2": "22", "D3": "15"})
    good = upload(app, sysadmin["token"], dataset, "dihitung.xlsx", calculated)
    bad = upload(app, sysadmin["token"], dataset, "belum-dihitung.xlsx", samples.xlsx(rows))
    run_jobs(queue)

    assert [r["total"] for r in records(good["id"])] == [22, 15]
    result = report(bad["id"])
    assert result["status"] == "error"
    assert [(i["code"], i["row"], i["column"]) for i in result["issues"] if i["severity"] == "error"] == [
        ("formula_without_value", 2, "D"), ("formula_without_value", 3, "D")]
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("datastore_info", id=bad["id"])
    assert helpers.call_action("xloader_status", resource_id=bad["id"])["status"] == "error"


# --- Hostile and broken files ----------------------------------------------------------------------------------------

def _zip_bomb() -> bytes:
    return samples.add_part(samples.xlsx([["a", "b"], [1, 2]]), "xl/media/padding.bin", b"\0" * (30 * 1024 * 1024))


def _xml_entities() -> bytes:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
            b"<si><t>&lol2;</t></si></sst>")
    data = samples.xlsx([["a", "b"], ["x", 2]])
    return samples.rewrite(data, "xl/sharedStrings.xml", lambda _: bomb) if b"sharedStrings" in data else \
        samples.add_part(data, "xl/sharedStrings.xml", bomb)


def _external_entity() -> bytes:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&xxe;</workbook>')
    return samples.rewrite(samples.xlsx([["a"], [1]]), "xl/workbook.xml", lambda _: xxe)


def _macro_workbook() -> bytes:
    return samples.add_part(samples.xlsx([["a", "b"], [1, 2]]), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")


def _macro_content_type() -> bytes:
    return samples.rewrite(samples.xlsx([["a", "b"], [1, 2]]), "[Content_Types].xml", lambda xml: xml.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))


def _wide() -> bytes:
    return samples.xlsx([[f"k{i}" for i in range(5000)], list(range(5000))])


def _huge_cell() -> bytes:
    """openpyxl cuts cells at Excel's 32,767 characters; a hostile file is written by hand (and is not repetitive,
    or it would be refused as a zip bomb first)."""
    import random
    import string
    cell = "".join(random.Random(1).choices(string.ascii_letters, k=3 * 1024 * 1024)).encode()
    return samples.rewrite(samples.xlsx([["nama", "isi"], ["a", "PLACEHOLDER"]]), "xl/worksheets/sheet1.xml",
                           lambda xml: xml.replace(b"PLACEHOLDER", cell))


def _truncated() -> bytes:
    data = samples.xlsx([["a", "b"], [1, 2]])
    return data[: len(data) // 2]


HOSTILE = [
    ("empty", "kosong.xlsx", lambda: b"", "empty"),
    ("truncated", "terpotong.xlsx", _truncated, "damaged"),
    ("zip bomb", "bom.xlsx", _zip_bomb, "zip_bomb"),
    ("xml bomb", "lol.xlsx", _xml_entities, "xml_entities"),
    ("external entity", "xxe.xlsx", _external_entity, "xml_entities"),
    ("macros renamed .xlsx", "makro.xlsx", _macro_workbook, "macros"),
    ("macro content type", "makro2.xlsx", _macro_content_type, "macros"),
    ("pdf named .xlsx", "laporan.xlsx", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not_a_spreadsheet"),
    ("html named .xls", "ekspor.xls", lambda: b"<html><body><table><tr><td>a</td></tr></table></body></html>",
     "html_as_table"),
    ("csv named .xlsx", "data.xlsx", lambda: b"a,b\n1,2\n", "wrong_extension"),
    ("xlsx named .xls", "data.xls", lambda: samples.xlsx([["a", "b"], [1, 2]]), "wrong_extension"),
    ("binary junk .csv", "data.csv", lambda: bytes(range(256)) * 4, "binary"),
    ("5,000 columns", "lebar.xlsx", _wide, "too_many_columns"),
    ("multi-megabyte cell", "sel.xlsx", _huge_cell, "cell_too_long"),
]


@pytest.mark.parametrize("name, filename, make, code", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_file_is_kept_reported_and_never_loaded(app, sysadmin, dataset, queue, with_test_worker,
                                                        name, filename, make, code):
    data = make()
    resource = upload(app, sysadmin["token"], dataset, filename, data, format=filename.rsplit(".", 1)[1].upper())
    run_jobs(queue)

    result = report(resource["id"])
    assert result["status"] == "error"
    errors = [i for i in result["issues"] if i["severity"] == "error"]
    assert errors[0]["code"] == code, errors
    assert errors[0]["message"] and "Traceback" not in errors[0]["message"] and "BadZipFile" not in \
        errors[0]["message"]
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("datastore_info", id=resource["id"])
    shown = helpers.call_action("resource_show", id=resource["id"])
    assert not shown.get("datastore_active")
    assert helpers.call_action("xloader_status", resource_id=resource["id"])["status"] == "error"
    if data:
        stored = app.get(shown["url"].replace("http://test.ckan.net", ""),
                         headers={"Authorization": sysadmin["token"]})
        assert stored.data == data


# --- Stored XSS and formula injection ------------------------------------------------------------------------------

XSS_ROWS = [["<img src=x onerror=alert(1)>", "telepon", "nilai", "catatan"],
            ["<script>alert('sel')</script>", "+62 342 801234", -5, "=HYPERLINK(\"http://evil\",\"klik\")"],
            ["Sukorejo", "+62 342 801235", 7, "@SUM(1+1)*cmd|' /C calc'!A0"],
            ["Kepanjenkidul", "-", 9, "-2+3+cmd|' /C calc'!A0"]]


def test_cells_and_headers_are_never_html_and_formulas_are_neutralised_in_csv(app, sysadmin, dataset, queue,
                                                                             with_test_worker):
    resource = upload(app, sysadmin["token"], dataset, "xss.xlsx", samples.xlsx(XSS_ROWS, formulas_as_text=True))
    run_jobs(queue)
    assert report(resource["id"])["status"] in ("ok", "warning")
    # stored as text, exactly as written
    stored = records(resource["id"])
    assert stored[0]["catatan"] == "=HYPERLINK(\"http://evil\",\"klik\")"
    assert stored[0]["telepon"] == "+62 342 801234"
    assert stored[0]["nilai"] == -5

    for path in [f"/dataset/{dataset['name']}/resource/{resource['id']}",
                 f"/dataset/{dataset['name']}/resource_data/{resource['id']}",
                 f"/dataset/{dataset['name']}/dictionary/{resource['id']}"]:
        page = app.get(path, headers={"Authorization": sysadmin["token"]})
        assert page.status_code == 200
        assert "<script>alert(" not in page.body
        assert "<img src=x" not in page.body

    dump = app.get(f"/datastore/dump/{resource['id']}?format=csv",
                   headers={"Authorization": sysadmin["token"]}).body
    assert "'=HYPERLINK" in dump
    assert "'@SUM(1+1)" in dump
    assert "'-2+3+cmd" in dump
    assert "+62 342 801234" in dump and "'+62" not in dump
    assert ",-5," in dump
    api = helpers.call_action("datastore_search", resource_id=resource["id"], records_format="csv")
    assert "'=HYPERLINK" in api["records"]
    # JSON is data, not a spreadsheet: unchanged
    objects = helpers.call_action("datastore_search", resource_id=resource["id"])["records"]
    assert objects[0]["catatan"].startswith("=HYPERLINK")
    # the header that began like an HTML tag is a column name, stored as written and shown escaped
    assert fields(resource["id"])[0][0] == "<img src=x onerror=alert(1)>"


# --- The web form ---------------------------------------------------------------------------------------------------

def test_upload_through_the_web_form_shows_the_report_on_the_resource_page(app, sysadmin, dataset, queue,
                                                                          with_test_worker):
    filename, data = samples.messy("xlsx")
    response = app.post(f"/dataset/{dataset['name']}/resource/new", headers={"Authorization": sysadmin["token"]},
                        data={"name": "Penduduk 2024", "upload": (io.BytesIO(data), filename), "save": "go-metadata",
                              "id": "", "url": ""}, follow_redirects=False)
    assert response.status_code in (302, 303), response.body
    resource = helpers.call_action("package_show", id=dataset["id"])["resources"][0]

    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}",
                   headers={"Authorization": sysadmin["token"]})
    assert 'data-status="pending"' in page.body

    run_jobs(queue)
    assert fields(resource["id"]) == samples.MESSY_LOADED_COLUMNS
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}",
                   headers={"Authorization": sysadmin["token"], "Accept-Language": "en"})
    assert 'data-status="ok"' in page.body


def test_a_report_with_errors_is_shown_in_english_and_indonesian(app, sysadmin, dataset, queue, with_test_worker):
    resource = upload(app, sysadmin["token"], dataset, "makro.xlsx", _macro_workbook())
    run_jobs(queue)
    english = app.get(f"/en/dataset/{dataset['name']}/resource/{resource['id']}",
                      headers={"Authorization": sysadmin["token"]})
    assert 'data-status="error"' in english.body
    assert "The workbook contains macros" in english.body
    api = app.get(f"/api/3/action/satudata_upload_report?id={resource['id']}",
                  headers={"Authorization": sysadmin["token"]})
    assert api.json["result"]["issues"][0]["code"] == "macros"


def test_the_report_is_as_private_as_the_resource(app, sysadmin, organization, queue, with_test_worker):
    private = satudata_factories.Dataset(owner_org=organization["id"], private=True)
    resource = upload(app, sysadmin["token"], private, "penduduk.xlsx", samples.messy("xlsx")[1])
    anonymous = app.get(f"/api/3/action/satudata_upload_report?id={resource['id']}")
    assert anonymous.status_code == 403
    owner = app.get(f"/api/3/action/satudata_upload_report?id={resource['id']}",
                    headers={"Authorization": sysadmin["token"]})
    assert owner.status_code == 200


def test_the_total_counts_the_loaded_rows_when_someone_searched_during_the_load(app, sysadmin, dataset, queue,
                                                                                with_test_worker, monkeypatch):
    """CKAN 2.12's DataStore keeps a table's row count; a visitor's search while our COPY load runs must not leave
    the empty table's count behind."""
    resource = upload(app, sysadmin["token"], dataset, "penduduk.xlsx", samples.messy("xlsx")[1])
    run_jobs(queue)
    rows = helpers.call_action("datastore_search", resource_id=resource["id"])["total"]
    assert rows > 0
    drop_indexes = adapters.datastore_drop_indexes

    def searched_meanwhile(conn, resource_id):  # the new, empty table is there; the rows are not yet
        assert helpers.call_action("datastore_search", resource_id=resource_id)["total"] == 0
        drop_indexes(conn, resource_id)

    monkeypatch.setattr(adapters, "datastore_drop_indexes", searched_meanwhile)
    assert helpers.call_action("xloader_submit", resource_id=resource["id"], ignore_hash=True) is True
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]
    assert helpers.call_action("datastore_search", resource_id=resource["id"])["total"] == rows


def test_xloader_submit_reloads_through_our_path(app, sysadmin, dataset, queue, with_test_worker):
    resource = upload(app, sysadmin["token"], dataset, "penduduk.xlsx", samples.messy("xlsx")[1])
    run_jobs(queue)
    assert helpers.call_action("xloader_submit", resource_id=resource["id"], ignore_hash=True) is True
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]
    assert len(records(resource["id"])) == 3


def test_only_a_new_file_is_checked_again(sysadmin, dataset, queue, with_test_worker):
    """Editing a resource's other fields is not a new file, also later in the session that uploaded it (CKAN keeps a
    resource's `url_changed` flag set for the rest of the session; CKAN 2.12's datastore_create sets
    `datastore_active` through resource_patch): nothing is queued again and a recorded check stands. A replaced
    file is queued and pending until it was checked."""
    context = {"user": sysadmin["name"]}
    resource = helpers.call_action(
        "resource_create", context=dict(context), package_id=dataset["id"], name="Data 2024", format="CSV",
        upload=FileStorage(io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "data.csv", content_type="text/csv"))
    assert report(resource["id"])["state"] == "pending"
    # Accepted as the worker records it (the queued job is still waiting): a revision's copy starts so, too.
    upload_check.save(resource["id"], {"format": "csv", "rows": 1, "issues": []})
    for patch in ({"description": "Jumlah penduduk"}, {"datastore_active": False}):
        helpers.call_action("resource_patch", context=dict(context), id=resource["id"], **patch)
        assert report(resource["id"])["state"] == "ok", patch
    helpers.call_action("datastore_create", context=dict(context), resource_id=resource["id"], force=True,
                        records=[{"kecamatan": "Sukorejo", "jumlah": 7}])
    assert report(resource["id"])["state"] == "ok"
    assert len(queue.get_jobs()) == 1
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]
    assert report(resource["id"])["state"] == "ok"
    helpers.call_action("resource_patch", context=dict(context), id=resource["id"], description="Per kecamatan")
    assert queue.get_jobs() == []
    assert report(resource["id"])["state"] == "ok"

    helpers.call_action(
        "resource_patch", context=dict(context), id=resource["id"],
        upload=FileStorage(io.BytesIO(b"kecamatan,jumlah\nSukorejo,8\n"), "data.csv", content_type="text/csv"))
    assert report(resource["id"])["state"] == "pending"
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]
    assert report(resource["id"])["state"] == "ok"
    assert records(resource["id"]) == [{"kecamatan": "Sukorejo", "jumlah": 8, "kode_wilayah": "35.72.02"}]


# --- The default chart and replacing a file ---------------------------------------------------------------------

def test_a_loaded_table_with_a_category_and_a_number_gets_a_chart_after_its_table(app, sysadmin, dataset, queue,
                                                                                 with_test_worker):
    table = upload(app, sysadmin["token"], dataset, "penduduk.csv",
                   b"Kecamatan,Jumlah Penduduk\nSukorejo,52103\nSananwetan,58774\n")
    words = upload(app, sysadmin["token"], dataset, "catatan.csv", b"Kecamatan,Catatan\nSukorejo,baik\n")
    run_jobs(queue)

    views = helpers.call_action("resource_view_list", id=table["id"])
    assert [view["view_type"] for view in views] == ["datatables_view", "satudata_chart"]
    chart = views[1]
    assert (chart["title"], chart["x"], chart["y"], chart["kind"]) == ("Grafik", "Kecamatan", "Jumlah Penduduk", "bar")
    assert [view["view_type"] for view in helpers.call_action("resource_view_list", id=words["id"])] == [
        "datatables_view"]

    # The operator's own settings stay when the file is loaded again.
    helpers.call_action("resource_view_update", context={"user": sysadmin["name"]}, id=chart["id"],
                        resource_id=table["id"], title="Penduduk", view_type="satudata_chart", x="Kecamatan",
                        y="Jumlah Penduduk", kind="line")
    helpers.call_action("xloader_submit", context={"user": sysadmin["name"]}, resource_id=table["id"],
                        ignore_hash=True)
    run_jobs(queue)
    views = helpers.call_action("resource_view_list", id=table["id"])
    assert [(view["view_type"], view["title"]) for view in views] == [
        ("datatables_view", "Tabel"), ("satudata_chart", "Penduduk")]


def test_replacing_a_file_takes_one_step_on_the_resource_form(app, sysadmin, dataset, queue, with_test_worker):
    from bs4 import BeautifulSoup

    resource = upload(app, sysadmin["token"], dataset, "lama.csv", b"kecamatan,jumlah\nSukorejo,7\n")
    run_jobs(queue)
    edit = f"/dataset/{dataset['name']}/resource/{resource['id']}/edit"
    soup = BeautifulSoup(app.get(edit, headers={"Authorization": sysadmin["token"]}).body, "html.parser")
    assert soup.select_one("#satudata-current-file")["value"] == "lama.csv"
    assert soup.select_one("label[for=field-resource-upload]").get_text(strip=True) == "Ganti berkas"
    assert soup.select_one("#field-clear-upload") is None  # no "Hapus Unggahan" first

    response = app.post(edit, headers={"Authorization": sysadmin["token"]}, follow_redirects=False, data={
        "id": resource["id"], "name": resource["name"], "url_type": "upload", "save": "",
        "upload": (io.BytesIO(b"kecamatan,jumlah\nSukorejo,8\nSananwetan,9\n"), "baru.csv")})
    assert response.status_code in (302, 303), response.body
    assert helpers.call_action("resource_show", id=resource["id"])["url"].endswith("/baru.csv")
    run_jobs(queue)
    assert records(resource["id"]) == [{"kecamatan": "Sukorejo", "jumlah": 8, "kode_wilayah": "35.72.02"},
                                       {"kecamatan": "Sananwetan", "jumlah": 9, "kode_wilayah": "35.72.03"}]
