"""A bad day at the portal: Solr, Redis, PostgreSQL, the worker or the disk failing in the middle of work, with the
real services stopped and started by services/services.sh (the ports of this run, from the environment).

Every test brings its service back in a `finally`, even when it fails, so the tests after it find the portal whole.
"""
from __future__ import annotations

import contextlib
import io
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

import ckan.lib.jobs as jobs
import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.cli import satudata
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

ROOT = pathlib.Path(__file__).resolve().parents[3]
SERVICES = ROOT / "services" / "services.sh"
# Stopping the run's services would break every test running beside these: after the parallel tests, alone.
pytestmark = pytest.mark.serial


def services(command: str, name: str) -> None:
    subprocess.run([str(SERVICES), command, name], check=True, env=os.environ, capture_output=True, timeout=300)


@contextlib.contextmanager
def down(name: str):
    """The service stopped for the block, started again afterwards whatever happens in it."""
    services("stop", name)
    try:
        yield
    finally:
        services("start", name)


def _solr_back():
    """Solr answers again (the start waits for its ping; the first query may still need a moment)."""
    for _ in range(60):
        try:
            helpers.call_action("package_search", q="*:*", rows=0)
            return
        except Exception:  # noqa: BLE001 - waiting
            time.sleep(1)
    raise AssertionError("Solr did not come back")


def _eventually(check, seconds: int = 90):
    """A restarted Solr replays its transaction log before recent documents are visible again: wait for it."""
    for _ in range(seconds):
        result = check()
        if result:
            return result
        time.sleep(1)
    return check()


def _indexed(dataset_id: str) -> dict | None:
    """The dataset as the index has it."""
    found = helpers.call_action("package_search", fq=f"id:{dataset_id}", include_private=True,
                                context={"ignore_auth": True})["results"]
    return found[0] if found else None


def _events(dataset_id: str) -> list[str]:
    return [e["transition"] for e in helpers.call_action("satudata_workflow_history", id=dataset_id)]


# --- Solr down while an operator submits or the Walidata publishes ---------------------------------------------------

def test_solr_down_refuses_transitions_clearly_and_nothing_is_half_made(app, world):
    draft = world_module.dataset_in_state(world, transitions.DRAF, name="solr-draf")
    approved = world_module.dataset_in_state(world, transitions.DISETUJUI, name="solr-disetujui")
    before = {d["id"]: _events(d["id"]) for d in (draft, approved)}
    walidata = world_module.logged_in(app, world, "walidata")
    page = walidata.get(f"/dataset/{approved['name']}")

    with down("solr"):
        # The operator submits through the API: a clear, translated refusal (Indonesian by default).
        response = app.post("/api/3/action/satudata_transition", headers=world.token("operator"),
                            json={"id": draft["id"], "transition": "ajukan"})
        assert response.status_code == 409, response.body
        assert "Layanan pencarian" in response.json["error"]["search"][0], response.json
        # The Walidata publishes from the dataset page (its confirmation posted): the same message, flashed.
        published = walidata.post(f"/dataset/{approved['name']}/transition", follow_redirects=False,
                                  data={"transition": "terbitkan", "confirmed": "true",
                                        "_csrf_token": world_module.csrf_token(page.body)})
        assert published.status_code == 302
        # (the dataset page itself needs Solr for its organisation box: the flash shows on the next page that does not)
        assert "Layanan pencarian" in walidata.get("/about").body
        # Nothing moved: state, history and visibility are as they were.
        for dataset, state in ((draft, transitions.DRAF), (approved, transitions.DISETUJUI)):
            shown = helpers.call_action("package_show", id=dataset["id"])
            assert shown["satudata_status"] == state
            assert shown["private"] is True
            assert _events(dataset["id"]) == before[dataset["id"]]

    _solr_back()
    # Once Solr is back the index says what the database says, and the transitions go through.
    for dataset in (draft, approved):
        assert _eventually(lambda: _indexed(dataset["id"]))["private"] is True
    helpers.call_action("satudata_transition", context={"user": world.name("walidata")}, id=approved["id"],
                        transition="terbitkan")
    assert _eventually(lambda: (_indexed(approved["id"]) or {}).get("private") is False)
    assert approved["name"] in app.get("/dataset/").body
    assert _events(approved["id"]) == before[approved["id"]] + ["terbitkan"]


def test_search_index_rebuild_restores_search_after_solr_was_down(app, world, cli):
    from ckan.cli.cli import ckan as ckan_command
    dataset = world_module.dataset_in_state(world, transitions.TERBIT, name="solr-rebuild")
    with down("solr"):
        # An edit while Solr is down fails; nothing of it is kept.
        with pytest.raises(Exception):
            helpers.call_action("package_patch", id=dataset["id"], title="Judul Baru")
        model.Session.rollback()
        assert helpers.call_action("package_show", id=dataset["id"])["title"] == dataset["title"]
    _solr_back()
    # The Solr data itself may be lost with Solr (a new core): the rebuild brings every dataset back.
    from ckan.lib import search
    search.clear_all()
    assert _indexed(dataset["id"]) is None
    result = cli.invoke(ckan_command, ["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    found = _indexed(dataset["id"])
    assert found["title"] == dataset["title"] and found["private"] is False
    anonymous = app.get("/dataset/", params={"q": "name:solr-rebuild"})
    assert "solr-rebuild" in anonymous.body


# --- Redis down during an upload ------------------------------------------------------------------------------------

@pytest.fixture
def queue():
    q = jobs.get_queue()
    q.empty()
    yield q
    q.empty()


def _upload(app, world, dataset, filename: str, data: bytes):
    return app.post("/api/3/action/resource_create", headers=world.token("operator"),
                    data={"package_id": dataset["id"], "name": filename, "upload": (io.BytesIO(data), filename)})


def test_redis_down_during_upload_keeps_the_file_and_requeues_the_load(app, world, queue, with_test_worker, cli):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="redis-upload")
    browser = world_module.logged_in(app, world, "operator")
    with down("redis"):
        # Sessions live in Redis: a logged-in browser reads public pages as an anonymous visitor meanwhile (no 500).
        page = browser.get("/dataset/", follow_redirects=False)
        assert page.status_code == 200 and world.name("operator") not in page.body
        assert browser.get("/dashboard/datasets", follow_redirects=False).status_code == 302
        response = _upload(app, world, dataset, "penduduk.csv", b"kecamatan,jumlah\nSukorejo,7\nKepanjenkidul,9\n")
        assert response.status_code == 200, response.body
        resource = response.json["result"]
        # The file is kept where CKAN stores uploads, and the operator is told on the resource's check.
        download = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download/penduduk.csv",
                           headers=world.token("operator"))
        assert download.status_code == 200 and "Kepanjenkidul" in download.body
        check = app.get("/api/3/action/satudata_upload_check", params={"id": resource["id"]},
                        headers=world.token("operator")).json["result"]
        assert check["state"] == "pending"
        assert check["issues"][0]["code"] == "not_queued"
        assert "antrean" in check["issues"][0]["message"]
    # Redis is back: the command finds the load that never ran and queues it; the worker loads it.
    listed = cli.invoke(satudata, ["requeue", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert resource["id"] in listed.output
    result = cli.invoke(satudata, ["requeue"])
    assert result.exit_code == 0, result.output
    assert f"{resource['id']}  not_queued" in result.output
    jobs.Worker().work(burst=True)
    check = helpers.call_action("satudata_upload_check", id=resource["id"])
    assert check["status"] == "ok" and check["state"] == "ok", check
    records = helpers.call_action("datastore_search", resource_id=resource["id"], sort="_id")["records"]
    assert [r["kecamatan"] for r in records] == ["Sukorejo", "Kepanjenkidul"]
    # Nothing is left to requeue, and a second run changes nothing.
    again = cli.invoke(satudata, ["requeue"])
    assert again.exit_code == 0 and "0 load(s)" in again.output, again.output


# --- The worker killed mid-load --------------------------------------------------------------------------------------

ROWS = 20_000


def _big_csv() -> bytes:
    lines = ["kecamatan,kelurahan,jumlah"] + [f"Sukorejo,Kelurahan {n},{n}" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def _datastore_engine():
    import ckanext.datastore.backend.postgres as datastore_db
    return datastore_db.get_write_engine()


def kill(worker: subprocess.Popen) -> None:
    """SIGKILL to the worker and its work horse (RQ puts the horse in a session of its own)."""
    if worker.poll() is not None:
        return
    children = pathlib.Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    horses = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    os.killpg(worker.pid, signal.SIGKILL)
    for pid in horses:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait(30)


def test_worker_killed_mid_load_shows_the_failure_serves_no_half_table_and_retries(app, world, queue, cli,
                                                                                    tmp_path):
    import ckanext.datastore.backend.postgres as datastore_db
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="worker-killed")
    response = _upload(app, world, dataset, "besar.csv", _big_csv())
    assert response.status_code == 200, response.body
    resource_id = response.json["result"]["id"]
    stage = datastore_db.identifier(f"{resource_id}_satudata_load")

    # A controlled point mid-load: the test creates the load's staging table in a transaction it keeps open, so the
    # worker (a real `ckan jobs worker` process) waits on it once the DataStore table is made and before any row moves
    # in; then the worker and its work horse are killed with SIGKILL.
    blocker = _datastore_engine().connect()
    transaction = blocker.begin()
    blocker.execute(sa.text(f"CREATE TABLE {stage} (x int)"))
    blocker.execute(sa.text(f"LOCK TABLE {stage} IN ACCESS EXCLUSIVE MODE"))
    log_file = tmp_path / "worker.log"
    worker = subprocess.Popen([str(pathlib.Path(sys.executable).with_name("ckan")), "-c", tk.config["__file__"],
                               "jobs", "worker", "--burst"], start_new_session=True,
                              stdout=log_file.open("wb"), stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            # (asked on a connection of its own: inside a transaction pg_stat_activity is a snapshot)
            with _datastore_engine().connect() as watcher:
                waiting = watcher.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE :q"),
                    {"q": f"%CREATE UNLOGGED TABLE {stage}%"}).scalar()
            if waiting:
                break
            assert worker.poll() is None, log_file.read_text()[-3000:]
            time.sleep(0.5)
        else:
            activity = blocker.execute(sa.text("SELECT state, wait_event_type, left(query, 200) FROM pg_stat_activity"
                                               " WHERE datname IS NOT NULL")).fetchall()
            raise AssertionError(f"the load never reached its staging table: {activity}\n"
                                 f"{log_file.read_text()[-3000:]}")
        kill(worker)
    finally:
        kill(worker)
        transaction.rollback()
        blocker.close()

    # No half table is served: the DataStore has none of the new rows (never a part of them).
    try:
        served = helpers.call_action("datastore_search", resource_id=resource_id, limit=0)["total"]
    except tk.ObjectNotFound:
        served = 0
    assert served == 0

    # The command sees the dead load, marks it failed (the resource shows it) and queues it again.
    result = cli.invoke(satudata, ["requeue"])
    assert result.exit_code == 0, result.output
    assert f"{resource_id}  killed" in result.output
    check = helpers.call_action("satudata_upload_check", id=resource_id)
    assert check["state"] == "pending"
    assert any(issue["code"] == "load_failed" for issue in check["issues"]), check
    status = helpers.call_action("xloader_status", resource_id=resource_id)
    assert status["status"] == "pending"

    # The next load succeeds, with every row.
    done = subprocess.run([str(pathlib.Path(sys.executable).with_name("ckan")), "-c", tk.config["__file__"],
                           "jobs", "worker", "--burst"], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert helpers.call_action("datastore_search", resource_id=resource_id, limit=0)["total"] == ROWS
    check = helpers.call_action("satudata_upload_check", id=resource_id)
    assert check["status"] == "ok", check
    assert helpers.call_action("xloader_status", resource_id=resource_id)["status"] == "complete"


# --- PostgreSQL restarted during requests -------------------------------------------------------------------------

def test_postgres_restart_fails_requests_cleanly_and_the_portal_recovers(app, world):
    dataset = world.datasets[transitions.TERBIT]
    assert app.get(f"/dataset/{dataset['name']}").status_code == 200
    # As in production: an error is a 500 page, not an exception propagated to the test client.
    propagate = app.flask_app.config.get("PROPAGATE_EXCEPTIONS")
    app.flask_app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        with down("postgres"):
            started = time.monotonic()
            response = app.get(f"/api/3/action/package_show?id={dataset['id']}", expect_errors=True)
            assert response.status_code >= 500
            page = app.get(f"/dataset/{dataset['name']}", expect_errors=True)
            assert page.status_code >= 500
            assert time.monotonic() - started < 60
    finally:
        app.flask_app.config["PROPAGATE_EXCEPTIONS"] = propagate
        model.Session.remove()
    # The same app (no restart) serves again: the pool replaces the connections to the old server (pool_pre_ping,
    # CKAN's default for the site and DataStore engines).
    assert app.get(f"/dataset/{dataset['name']}").status_code == 200
    shown = app.get(f"/api/3/action/package_show?id={dataset['id']}")
    assert shown.json["result"]["satudata_status"] == transitions.TERBIT
    found = app.get("/api/3/action/package_search", params={"q": f"name:{dataset['name']}"})
    assert found.json["result"]["count"] == 1


# --- Disk full or the storage folder unwritable ------------------------------------------------------------------

@contextlib.contextmanager
def unwritable_storage():
    """The storage's resources folder replaced by a file: no folder can be made in it, even by root."""
    from ckan.lib import uploader
    resources = pathlib.Path(uploader.get_storage_path()) / "resources"
    resources.mkdir(parents=True, exist_ok=True)
    moved = resources.with_name("resources.moved-by-test")
    resources.rename(moved)
    try:
        resources.write_text("not a folder")
        yield
    finally:
        resources.unlink(missing_ok=True)
        moved.rename(resources)


def test_unwritable_storage_gives_a_clear_message_and_stores_nothing(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="storage-unwritable")
    before = helpers.call_action("package_show", id=dataset["id"])["resources"]
    with unwritable_storage():
        response = _upload(app, world, dataset, "penduduk.csv", b"kecamatan,jumlah\nSukorejo,7\n")
        assert response.status_code == 409, response.body
        assert "penyimpanan portal" in response.json["error"]["upload"][0], response.json
        # The web form says the same.
        browser = world_module.logged_in(app, world, "operator")
        form = browser.get(f"/dataset/{dataset['name']}/resource/new")
        page = browser.post(f"/dataset/{dataset['name']}/resource/new", data={
            "_csrf_token": world_module.csrf_token(form.body), "id": "", "name": "Data", "save": "go-metadata",
            "upload": (io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "penduduk.csv")})
        assert "penyimpanan portal" in page.body
    model.Session.remove()
    # Nothing half-stored: no new resource, no partial file.
    assert helpers.call_action("package_show", id=dataset["id"])["resources"] == before
    from ckan.lib import uploader
    assert not list((pathlib.Path(uploader.get_storage_path()) / "resources").rglob("*~"))
    # Once the folder is back the same upload works.
    assert _upload(app, world, dataset, "penduduk.csv", b"kecamatan,jumlah\nSukorejo,7\n").status_code == 200
