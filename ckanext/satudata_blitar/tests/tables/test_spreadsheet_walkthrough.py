"""The spreadsheet walk-through of the SOP (steps 2–6): an operator uploads an .xls, sees the validation report,
fixes the file, and ends with a typed table that visitors can preview and chart once it is published."""
import io
import re

import pytest

import ckan.lib.jobs as jobs
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import table_samples as samples
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA, described_fields


def _run_jobs():
    jobs.Worker().work(burst=True)


def test_operator_uploads_an_xls_fixes_it_and_ends_with_a_chartable_public_table(app, world, with_test_worker):
    jobs.get_queue().empty()
    operator = world.token("operator")
    dataset = app.post("/api/3/action/package_create", headers=operator, json={
        "name": "penduduk-xls", "title": "Penduduk menurut Kecamatan", "notes": "x",
        "owner_org": world.orgs["dinas-kesehatan"]["id"], **REQUIRED_METADATA}).json["result"]

    # 1. The operator's first file is named .xls but is really a CSV export: refused with a report, never loaded.
    wrong = app.post("/api/3/action/resource_create", headers=operator, data={
        "package_id": dataset["id"], "name": "Penduduk 2024", "format": "XLS",
        "upload": (io.BytesIO(samples.csv_bytes("Kecamatan,Jumlah\nSukorejo,7\n")), "penduduk.xls")})
    assert wrong.status_code == 200, wrong.body
    resource = wrong.json["result"]
    _run_jobs()
    report = app.get(f"/api/3/action/satudata_upload_report?id={resource['id']}",
                     headers=operator).json["result"]
    assert report["status"] == "error"
    assert [issue["code"] for issue in report["issues"]] == ["wrong_extension"]
    assert "isinya berkas .csv" in report["issues"][0]["message"]  # in the portal's language
    page = app.get(f"/en/dataset/penduduk-xls/resource/{resource['id']}", headers=operator).body
    assert "its content is a .csv file" in page
    assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"] is False

    # 2. The operator uploads the real .xls in its place: read past its title rows, typed, loaded.
    fixed = app.post("/api/3/action/resource_patch", headers=operator, data={
        "id": resource["id"], "upload": (io.BytesIO((samples.DATA / "penduduk.xls").read_bytes()), "penduduk.xls")})
    assert fixed.status_code == 200, fixed.body
    _run_jobs()
    report = app.get(f"/api/3/action/satudata_upload_report?id={resource['id']}",
                     headers=operator).json["result"]
    assert report["status"] == "ok", report["issues"]
    info = helpers.call_action("datastore_info", id=resource["id"])
    assert [(f["id"], f["type"]) for f in info["fields"]] == samples.MESSY_LOADED_COLUMNS

    # 3. Previewable (the DataTables view xloader adds) and chartable (the operator sets up a chart).
    views = helpers.call_action("resource_view_list", id=resource["id"])
    assert "datatables_view" in {view["view_type"] for view in views}
    chart = app.post("/api/3/action/resource_view_create", headers=operator, json={
        "resource_id": resource["id"], "view_type": "satudata_chart", "title": "Grafik", "x": "Kecamatan",
        "y": "Jenis Kelamin - Laki-laki", "kind": "bar"}).json["result"]
    chart_url = f"/dataset/penduduk-xls/resource/{resource['id']}/view/{chart['id']}"
    assert app.get(chart_url, status=None).status_code in (403, 404)  # not public yet

    # 4. The operator describes each column in the Data Dictionary (MS-Var): submitting asks for it.
    described = app.post("/api/3/action/datastore_create", headers=operator, json={
        "resource_id": resource["id"], "force": True, "fields": described_fields(info["fields"])})
    assert described.status_code == 200, described.body

    # 5. Both verifications and publication; then anyone sees the table and its chart.
    for transition, actor in world_module.PATHS[transitions.TERBIT]:
        response = app.post("/api/3/action/satudata_transition", headers=world.token(actor),
                            json={"id": dataset["id"], "transition": transition})
        assert response.status_code == 200, response.body
    body = app.get(chart_url).body
    assert len(re.findall(r"<rect", body)) >= 3  # one bar per kecamatan
    public = app.post("/api/3/action/datastore_search", json={"resource_id": resource["id"]}).json["result"]
    assert [r["Kecamatan"] for r in public["records"]] == [r["Kecamatan"] for r in samples.MESSY_RECORDS]
