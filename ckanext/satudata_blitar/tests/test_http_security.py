"""HTTP answers: an uploaded file is never rendered on the portal's origin (attachment, nosniff, the type the upload
check established, a sandbox policy), the resource's `mimetype` is never the client's, every answer carries the
portal's security headers, and nothing that is not public is kept by a cache.

Real uploads through the API, the real queue and a worker run in the test; the real app."""
from __future__ import annotations

import io

import pytest

import ckan.lib.jobs as jobs
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tests import factories as satudata_factories
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

SCRIPT = b"<script>document.title='XSS-RAN';fetch('/api/3/action/organization_member_create')</script>"
HTML = b"<!DOCTYPE html><html><head><title>ok</title></head><body>" + SCRIPT + b"</body></html>"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\'XSS-RAN\'">'
       b"<script>document.title='XSS-RAN'</script></svg>")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n"
CSV = b"kecamatan,jumlah\nSukorejo,7\nSananwetan,9\n"
TABLE_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "application/vnd.ms-excel", "application/vnd.oasis.opendocument.spreadsheet",
               "application/octet-stream"}


@pytest.fixture
def queue(with_test_worker):
    q = jobs.get_queue()
    q.empty()  # the world's own uploads were queued while it was built
    yield q
    q.empty()


def _upload(app, world, dataset, filename, data, fmt, viewer="operator", **fields):
    response = app.post("/api/3/action/resource_create", headers=world.token(viewer),
                        data={"package_id": dataset["id"], "name": filename, "format": fmt, **fields,
                              "upload": (io.BytesIO(data), filename)})
    assert response.status_code == 200, response.body
    return response.json["result"]


def _draft(world, name):
    return helpers.call_action("package_create", context={"user": world.name("operator")},
                               **world_module._body(world, name))


def _resource_show(app, world, viewer, resource_id):
    response = app.post("/api/3/action/resource_show", json={"id": resource_id}, headers=world.token(viewer))
    assert response.status_code == 200, response.body
    return response.json["result"]


def _assert_served_as_a_file(response, content_type):
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


# --- a refused file is never rendered, not even for the people who must look at it ----------------------------------

REFUSED = [("page.html", HTML, "HTML", "text/html"), ("gambar.svg", SVG, "SVG", "image/svg+xml"),
           ("laporan.xhtml", HTML, "XHTML", "application/xhtml+xml"), ("dokumen.pdf", PDF, "PDF", "application/pdf")]


@pytest.mark.parametrize("filename, data, fmt, own_type", REFUSED, ids=[case[0] for case in REFUSED])
def test_a_refused_file_is_downloaded_as_an_attachment_never_rendered(app, world, queue, filename, data, fmt,
                                                                      own_type):
    dataset = _draft(world, "tolak-" + filename.replace(".", "-"))
    resource = _upload(app, world, dataset, filename, data, fmt, mimetype=own_type)
    jobs.Worker().work(burst=True)
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] == "error"

    for viewer in ("walidata", "verifikator_kominfotik", "verifikator_opd", "operator"):
        for path in (f"/dataset/{dataset['id']}/resource/{resource['id']}/download/{filename}",
                     f"/dataset/{dataset['id']}/resource/{resource['id']}/download"):
            response = app.get(path, headers=world.token(viewer))
            _assert_served_as_a_file(response, "application/octet-stream")
            assert response.data == data  # the file itself, unchanged
            assert "no-store" in response.headers["Cache-Control"]
        assert _resource_show(app, world, viewer, resource["id"])["mimetype"] == "application/octet-stream"


def test_the_insiders_see_the_start_of_a_refused_file_as_escaped_text(app, world, queue):
    dataset = _draft(world, "tolak-cuplikan")
    resource = _upload(app, world, dataset, "page.html", HTML, "HTML")
    jobs.Worker().work(burst=True)

    walidata = world_module.logged_in(app, world, "walidata")
    page = walidata.get(f"/dataset/{dataset['name']}/resource/{resource['id']}").body
    assert 'class="satudata-file-excerpt"' in page
    assert "&lt;script&gt;document.title=" in page  # shown as text ...
    assert "<script>document.title=" not in page  # ... never as markup
    binary = _upload(app, world, dataset, "data.csv", b"MZ\x90\x00\x03\x00" + b"\x00" * 40, "CSV")
    jobs.Worker().work(burst=True)
    page = walidata.get(f"/dataset/{dataset['name']}/resource/{binary['id']}").body
    assert "00000000  4d 5a 90 00 03 00 00 00" in page and "|MZ......" in page


# --- the client's mimetype is never served or advertised ----------------------------------------------------------

def test_a_csv_uploaded_as_text_html_is_published_and_served_as_csv(app, world, queue):
    dataset = _draft(world, "csv-html")
    resource = _upload(app, world, dataset, "penduduk.csv", CSV, "CSV", mimetype="text/html")
    jobs.Worker().work(burst=True)
    assert helpers.call_action("satudata_upload_check", id=resource["id"])["status"] == "ok"
    satudata_factories.describe_tables(dataset["id"], world.name("operator"))
    for transition, actor in world_module.PATHS[transitions.TERBIT]:
        helpers.call_action("satudata_transition", context={"user": world.name(actor)}, id=dataset["id"],
                            transition=transition)

    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download/penduduk.csv")
    _assert_served_as_a_file(response, "text/csv")
    assert response.data == CSV
    assert _resource_show(app, world, "anonymous", resource["id"])["mimetype"] == "text/csv"
    # A sysadmin's later patch of the field changes nothing that is served or shown.
    helpers.call_action("resource_patch", context={"user": world.name("sysadmin")}, id=resource["id"],
                        mimetype="text/html")
    for viewer in ("anonymous", "sysadmin"):
        assert _resource_show(app, world, viewer, resource["id"])["mimetype"] == "text/csv"
    shown = app.post("/api/3/action/package_show", json={"id": dataset["id"]}).json["result"]
    assert [res["mimetype"] for res in shown["resources"]] == ["text/csv"]
    found = app.post("/api/3/action/package_search", json={"q": f"name:{dataset['name']}"}).json["result"]
    assert [res["mimetype"] for res in found["results"][0]["resources"]] == ["text/csv"]
    page = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}").body
    assert "text/html" not in page
    _assert_served_as_a_file(app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download"), "text/csv")


def test_resource_show_never_says_text_html_for_an_upload(app, world):
    """Every uploaded file of the world, as every viewer who may see it, after the operator set a draft's file's
    mimetype to text/html through the API."""
    draft = world.datasets[transitions.DRAF]["resources"][0]
    patched = app.post("/api/3/action/resource_patch", json={"id": draft["id"], "mimetype": "text/html"},
                       headers=world.token("operator"))
    assert patched.status_code == 200 and patched.json["result"]["mimetype"] != "text/html"
    for state, dataset in world.datasets.items():
        for viewer in world_module.VIEWERS:
            response = app.post("/api/3/action/package_show", json={"id": dataset["id"]},
                                headers=world.token(viewer), status=None)
            if response.status_code != 200:
                continue
            for res in response.json["result"]["resources"]:
                assert res["mimetype"] in TABLE_TYPES, (state, viewer, res["mimetype"])


# --- the portal's headers on every answer -----------------------------------------------------------------------

def _assert_security_headers(response):
    policy = response.headers["Content-Security-Policy"]
    for directive in ("frame-ancestors 'self'", "object-src 'none'", "base-uri 'self'", "script-src 'self'"):
        assert directive in policy, (directive, policy)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_every_answer_has_the_security_headers(app, world):
    published = world.datasets[transitions.TERBIT]
    for path in ("/", "/dataset/", f"/dataset/{published['name']}", "/api/3/action/status_show",
                 f"/api/3/action/package_show?id={published['id']}", "/dataset/tidak-ada"):
        _assert_security_headers(app.get(path, status=None))
    walidata = world_module.logged_in(app, world, "walidata")
    for path in ("/verifikasi", "/laporan", f"/dataset/{published['name']}"):
        _assert_security_headers(walidata.get(path))


@pytest.mark.ckan_config("ckanext.satudata_blitar.content_security_policy", "default-src 'self'; sandbox allow-forms")
def test_the_policy_is_the_configured_one(app):
    assert app.get("/").headers["Content-Security-Policy"] == "default-src 'self'; sandbox allow-forms"


# --- caches ---------------------------------------------------------------------------------------------------

def _assert_private(response):
    cache = response.headers["Cache-Control"]
    assert "private" in cache and "no-store" in cache and "public" not in cache, cache


def test_nothing_that_is_not_public_is_kept_by_a_cache(app, world):
    draft = world.datasets[transitions.DRAF]
    resource = draft["resources"][0]
    _assert_private(app.post("/api/3/action/package_show", json={"id": draft["id"]}, headers=world.token("walidata")))
    _assert_private(app.get("/api/3/action/status_show", headers=world.token("operator")))
    _assert_private(app.get("/laporan/monitoring.csv", headers=world.token("walidata")))
    _assert_private(app.get(f"/dataset/{draft['id']}/resource/{resource['id']}/download/data.csv",
                            headers=world.token("operator")))
    walidata = world_module.logged_in(app, world, "walidata")
    _assert_private(walidata.get("/laporan/monitoring.xlsx"))
    _assert_private(walidata.get(f"/dataset/{draft['name']}"))
    # The public's answers may still be cached.
    published = world.datasets[transitions.TERBIT]
    assert "no-store" not in app.get(f"/api/3/action/package_show?id={published['id']}").headers["Cache-Control"]
