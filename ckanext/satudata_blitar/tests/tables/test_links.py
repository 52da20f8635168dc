"""Links are never fetched (docs/security.md, "Links are never fetched"): a link resource is not queued, not loaded,
not fetched by xloader's job, its button or its command; a link is only an http(s) address; and one OPD cannot fill
the checks' queue.

A real HTTP server on 127.0.0.1 (a thread, a free port) stands for what a link could reach: it answers every request
with a redirect to the portal's own Solr (a CSV of every dataset, unpublished ones included) and records it. Real
uploads and links through the API and the web form, the real Redis queue run by a worker in the test, the real
DataStore."""
from __future__ import annotations

import http.server
import io
import json
import threading

import pytest

import ckan.lib.jobs as jobs
import ckan.plugins.toolkit as tk
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers
from ckan.cli.cli import ckan as ckan_command

from ckanext.satudata_blitar.tests import factories as satudata_factories

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

# The messages, in English (pages under /en/) and in the portal's language (the API, pages)
REFUSED = "A link is never loaded into the DataStore"
REFUSED_ID = "Tautan tidak pernah dimuat ke DataStore"
BAD_URL_ID = "Tautan harus berupa alamat web lengkap yang diawali http:// atau https://"
QUEUE_FULL_ID = "berkas yang menunggu diperiksa"
CSV = b"kecamatan,jumlah\nSukorejo,7\nSananwetan,9\n"


# --- A server a link could point at -------------------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with a redirect to the portal's Solr and records it."""

    def _answer(self):
        self.server.requests.append((self.command, self.path, self.headers.get("Host")))
        self.send_response(302)
        self.send_header("Location", self.server.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    solr = tk.config["solr_url"].rstrip("/")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.requests = []
    httpd.target = f"{solr}/select?q=*:*&fl=title,notes,res_url&rows=1000&wt=csv"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def queue(with_test_worker):
    q = jobs.get_queue()
    q.empty()
    yield q
    q.empty()


def run_jobs(queue):
    names = [job.func_name for job in queue.get_jobs()]
    jobs.Worker().work(burst=True)
    return names


@pytest.fixture
def xloader_token(sysadmin, ckan_config, monkeypatch):
    """xloader's own job and `--sync` need its API token (as in production, docker/README step 5)."""
    monkeypatch.setitem(ckan_config, "ckanext.xloader.api_token", sysadmin["token"])


def operator_of(org: dict) -> dict:
    """The OPD's Operator Data (capacity editor), with an API token."""
    user = ckan_factories.UserWithToken()
    helpers.call_action("organization_member_create", id=org["id"], username=user["name"], role="editor")
    return user


@pytest.fixture
def operator(organization):
    return operator_of(organization)


@pytest.fixture
def dataset(organization, operator):
    return helpers.call_action("package_create", context={"user": operator["name"]}, name="fasilitas-kesehatan",
                               title="Fasilitas Kesehatan", notes="Data uji.", owner_org=organization["id"],
                               **satudata_factories.REQUIRED_METADATA)


def api(app, user, action, **data):
    return app.post(f"/api/3/action/{action}", json=data, headers={"Authorization": user["token"]}, status=None)


def no_table(resource_id: str) -> bool:
    try:
        helpers.call_action("datastore_info", id=resource_id)
    except tk.ObjectNotFound:
        return True
    return False


# --- Links are never fetched --------------------------------------------------------------------------------------

SPELLINGS = {
    "loopback": "http://127.0.0.1:{port}/data.csv",
    "decimal": "http://2130706433:{port}/data.csv",
    "ipv4-mapped-ipv6": "http://[::ffff:127.0.0.1]:{port}/data.csv",
    "localhost-dot": "http://localhost.:{port}/data.csv",
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_link_is_never_queued_fetched_or_loaded(app, server, operator, dataset, queue, xloader_token, spelling):
    url = SPELLINGS[spelling].format(port=server.server_address[1])
    created = api(app, operator, "resource_create", package_id=dataset["id"], url=url, format="CSV",
                  name="Fasilitas")
    assert created.status_code == 200, created.body
    resource = created.json["result"]
    changed = api(app, operator, "resource_patch", id=resource["id"], url=url + "?lagi=1")
    assert changed.status_code == 200, changed.body

    # neither xloader's hooks (resource created, URL changed) nor ours queued anything
    assert run_jobs(queue) == []
    # xloader_submit through the API is refused with a message, as the Operator Data and as a sysadmin
    for user in (operator, ckan_factories.SysadminWithToken()):
        submitted = api(app, user, "xloader_submit", resource_id=resource["id"])
        assert submitted.status_code == 409, submitted.body
        assert REFUSED_ID in submitted.json["error"]["resource_id"][0]
    assert run_jobs(queue) == []

    assert server.requests == []
    assert no_table(resource["id"])
    assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"] is False


def test_xloaders_button_command_and_queued_jobs_do_not_fetch_a_link(app, cli, server, operator, dataset, queue,
                                                                    xloader_token, sysadmin):
    url = SPELLINGS["loopback"].format(port=server.server_address[1])
    resource = helpers.call_action("resource_create", context={"user": operator["name"]}, package_id=dataset["id"],
                                   url=url, format="CSV", name="Fasilitas")
    headers = {"Authorization": operator["token"]}

    # xloader's DataStore tab is not offered for a link; its page (by URL) shows why, with no button
    edit = app.get(f"/dataset/{dataset['name']}/resource/{resource['id']}/edit", headers=headers)
    assert f"/resource_data/{resource['id']}" not in edit.body
    page = app.get(f"/en/dataset/{dataset['name']}/resource_data/{resource['id']}", headers=headers)
    assert REFUSED in page.body and "Upload to DataStore" not in page.body
    # its "Upload to DataStore" button, posted anyway
    posted = app.post(f"/dataset/{dataset['name']}/resource_data/{resource['id']}", headers=headers,
                      follow_redirects=False)
    assert posted.status_code in (302, 303)
    assert run_jobs(queue) == []

    # `ckan xloader submit`, queued and immediately (--sync runs xloader's job function without xloader_submit)
    for args in (["xloader", "submit", dataset["id"]], ["xloader", "submit", "--sync", dataset["id"]],
                 ["xloader", "submit", "all"]):
        cli.invoke(ckan_command, args)
    run_jobs(queue)

    # a job of stock xloader queued before links were refused (still in Redis after an upgrade)
    from ckanext.xloader import jobs as xloader_jobs
    tk.enqueue_job(xloader_jobs.xloader_data_into_datastore, [{
        "api_key": sysadmin["token"], "job_type": "xloader_to_datastore", "result_url": None,
        "metadata": {"ckan_url": tk.config["ckan.site_url"], "resource_id": resource["id"], "set_url_type": False,
                     "ignore_hash": True, "original_url": url}}])
    assert run_jobs(queue) == ["ckanext.xloader.jobs.xloader_data_into_datastore"]

    assert server.requests == []
    assert no_table(resource["id"])


def test_a_link_added_or_changed_by_package_update_is_not_fetched(app, server, operator, dataset, queue,
                                                                  xloader_token):
    """How a revision's copies and its publication change resources (package_update), and our own hook on every
    changed resource (ingest.file_changed)."""
    url = SPELLINGS["loopback"].format(port=server.server_address[1])
    shown = helpers.call_action("package_show", id=dataset["id"])
    added = api(app, operator, "package_patch", id=dataset["id"],
                resources=[*shown["resources"], {"url": url, "format": "CSV", "name": "Tautan"}])
    assert added.status_code == 200, added.body
    link = added.json["result"]["resources"][0]
    changed = api(app, operator, "package_patch", id=dataset["id"],
                  resources=[{**link, "url": url + "?baru=1", "format": "XLSX"}])
    assert changed.status_code == 200, changed.body

    assert run_jobs(queue) == []
    assert server.requests == []
    assert no_table(link["id"])


def test_an_earlier_fetch_error_is_never_shown_for_a_link(app, operator, dataset):
    """A link fetched before the rule left xloader's error (it named internal addresses and ports)."""
    resource = helpers.call_action("resource_create", context={"user": operator["name"]}, package_id=dataset["id"],
                                   url="https://data.example/p.csv", format="CSV", name="Fasilitas")
    internal = "HTTPConnectionPool(host='redis', port=6379): Connection refused"
    helpers.call_action("task_status_update", entity_id=resource["id"], entity_type="resource", task_type="xloader",
                        key="xloader", state="error", value="{}", error=json.dumps({"message": internal}),
                        last_updated="2026-11-30T10:00:00")
    headers = {"Authorization": operator["token"]}

    status = app.get(f"/api/3/action/xloader_status?resource_id={resource['id']}", headers=headers)
    assert status.status_code == 200
    assert internal not in status.body and status.json["result"]["status"] is None
    page = app.get(f"/en/dataset/{dataset['name']}/resource_data/{resource['id']}", headers=headers)
    assert internal not in page.body and REFUSED in page.body


def test_uploads_are_still_checked_and_loaded(app, operator, dataset, queue):
    created = app.post("/api/3/action/resource_create", headers={"Authorization": operator["token"]},
                       data={"package_id": dataset["id"], "name": "Fasilitas",
                             "upload": (io.BytesIO(CSV), "fasilitas.csv")})
    assert created.status_code == 200, created.body
    resource = created.json["result"]
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]
    assert not no_table(resource["id"])
    assert api(app, operator, "xloader_submit", resource_id=resource["id"], ignore_hash=True).json["result"] is True


# --- A link is only an http(s) address ----------------------------------------------------------------------------

BAD_URLS = ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "javascript:alert(document.cookie)",
            "JavaScript:alert(1)", "data:text/csv,kecamatan%0ASukorejo", "ftp://ftp.example.org/data.csv",
            "data.csv", "../../etc/passwd", "//example.org/data.csv", "http://", "https:///data.csv",
            "http://example.org:99999/data.csv", " \tjava\nscript:alert(1)"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_link_that_is_not_http_is_refused_through_every_action(app, operator, dataset, url):
    refused = [
        api(app, operator, "resource_create", package_id=dataset["id"], url=url, name="Tautan"),
        api(app, operator, "package_create", name="tautan-buruk", title="Tautan", notes="Data uji.",
            owner_org=dataset["owner_org"], resources=[{"url": url, "name": "Tautan"}],
            **satudata_factories.REQUIRED_METADATA),
    ]
    link = helpers.call_action("resource_create", context={"user": operator["name"]}, package_id=dataset["id"],
                               url="https://data.example/p.csv", name="Tautan")
    refused.append(api(app, operator, "resource_patch", id=link["id"], url=url))
    refused.append(api(app, operator, "resource_update", id=link["id"], url=url, name="Tautan"))
    shown = helpers.call_action("package_show", id=dataset["id"])
    refused.append(api(app, operator, "package_patch", id=dataset["id"],
                       resources=[{**shown["resources"][0], "url": url}]))
    for response in refused:
        assert response.status_code == 409, response.body
        assert BAD_URL_ID in response.body, response.body

    assert [r["url"] for r in helpers.call_action("package_show", id=dataset["id"])["resources"]] == [
        "https://data.example/p.csv"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "gopher://redis:6379/_INFO",
                                 "data:text/html,<script>alert(1)</script>", "ftp://ftp.example.org/a.csv"])
def test_a_link_that_is_not_http_is_refused_by_the_web_form(app, operator, dataset, url):
    response = app.post(f"/dataset/{dataset['name']}/resource/new", headers={"Authorization": operator["token"]},
                        data={"name": "Tautan", "url": url, "url_type": "", "save": "go-metadata", "id": ""},
                        follow_redirects=False)
    assert response.status_code == 200
    assert BAD_URL_ID in response.body
    assert helpers.call_action("package_show", id=dataset["id"])["resources"] == []


@pytest.mark.parametrize("url", ["https://bps.go.id/data.csv", "http://data.example/p.csv?tahun=2024#baris",
                                 "HTTPS://Data.Example:8443/a%20b.csv", "http://2130706433/"])
def test_an_http_link_and_an_upload_are_accepted(app, operator, dataset, url):
    link = api(app, operator, "resource_create", package_id=dataset["id"], url=url, name="Tautan")
    assert link.status_code == 200, link.body
    upload = app.post("/api/3/action/resource_create", headers={"Authorization": operator["token"]},
                      data={"package_id": dataset["id"], "name": "Data", "upload": (io.BytesIO(CSV), "data.csv")})
    assert upload.status_code == 200, upload.body
    assert upload.json["result"]["url_type"] == "upload"


# --- One OPD cannot fill the queue --------------------------------------------------------------------------------

def _upload(app, user, dataset, name, resource_id=None):
    ids = {"id": resource_id} if resource_id else {"package_id": dataset["id"]}
    return app.post(f"/api/3/action/{'resource_update' if resource_id else 'resource_create'}",
                    headers={"Authorization": user["token"]}, status=None,
                    data={**ids, "name": name, "upload": (io.BytesIO(CSV), f"{name}.csv")})


@pytest.mark.ckan_config("ckanext.satudata_blitar.upload_max_queued_per_opd", "2")
def test_one_opd_cannot_fill_the_queue_of_the_checks(app, operator, dataset, queue):
    other_org = ckan_factories.Organization(name="bappeda", title="Bappeda")
    other_operator = operator_of(other_org)
    other = helpers.call_action("package_create", context={"user": other_operator["name"]}, name="data-bappeda",
                                title="Data Bappeda", notes="Data uji.", owner_org=other_org["id"],
                                **satudata_factories.REQUIRED_METADATA)

    first = _upload(app, operator, dataset, "satu")
    assert first.status_code == 200, first.body
    assert _upload(app, operator, dataset, "dua").status_code == 200
    third = _upload(app, operator, dataset, "tiga")
    assert third.status_code == 409, third.body
    assert QUEUE_FULL_ID in third.json["error"]["upload"][0]
    # refused before anything was stored
    assert [r["name"] for r in helpers.call_action("package_show", id=dataset["id"])["resources"]] == ["satu", "dua"]
    # the web form says so too, in the portal's language
    form = app.post(f"/dataset/{dataset['name']}/resource/new", headers={"Authorization": operator["token"]},
                    data={"name": "tiga", "upload": (io.BytesIO(CSV), "tiga.csv"), "save": "go-metadata", "id": "",
                          "url": ""}, follow_redirects=False)
    assert form.status_code == 200 and QUEUE_FULL_ID in form.body
    # a file that replaces one still waiting keeps its place in the queue
    assert _upload(app, operator, dataset, "satu", resource_id=first.json["result"]["id"]).status_code == 200
    # a link is no check: still accepted
    assert api(app, operator, "resource_create", package_id=dataset["id"], url="https://data.example/p.csv",
               name="Tautan").status_code == 200
    # another OPD is not held up
    assert _upload(app, other_operator, other, "lain").status_code == 200

    run_jobs(queue)
    assert _upload(app, operator, dataset, "tiga").status_code == 200
