"""A real harvest: a second CKAN (.services/<name>-harvest.ini, written by services/portal.sh: its own database and
Solr site id, ckanext-harvest with its queues on our Redis, ckanext-dcat's DCAT RDF harvester and our profile)
harvests this portal's /catalog.ttl over HTTP on loopback: `ckan harvester gather-consumer` and `fetch-consumer` run
as processes of their own on the Redis queues, harvest_target.py creates each job and waits for it to finish."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import threading

import pytest
from werkzeug.serving import make_server

import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.interop.dcat_profile import BPS_FIELDS
from ckanext.satudata_blitar.tests import factories
from ckanext.satudata_blitar.tests.interop.catalogue_world import FULL_METADATA

HERE = pathlib.Path(__file__).resolve()
ROOT = HERE.parents[4]
CKAN = pathlib.Path(sys.executable).with_name("ckan")


@pytest.fixture
def target_ini(ckan_config):
    """The harvesting CKAN's ini, beside the test run's own."""
    state = pathlib.Path(os.environ.get("SATUDATA_STATE_DIR", ROOT / ".services"))
    name = ckan_config["ckan.site_id"].removeprefix("satudata_blitar_")
    ini = state / f"{name}-harvest.ini"
    assert ini.exists(), f"{ini} is written by services/portal.sh test"
    return ini


@pytest.fixture
def live_portal(app):
    """This portal (the test app) served over HTTP on a free 127.0.0.1 port."""
    server = make_server("127.0.0.1", 0, app.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


def _target(ini, *args) -> str:
    result = subprocess.run([sys.executable, "-m", "ckanext.satudata_blitar.tests.interop.harvest_target",
                             str(ini), *args], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _harvest(ini) -> dict[str, dict]:
    result = json.loads(_target(ini, "harvest"))
    assert result["errors"] == []
    return {d["name"]: d for d in result["datasets"]}


@pytest.fixture
def harvester(live_portal, target_ini, tmp_path):
    """The harvesting CKAN emptied, with a harvest source for our catalogue, and its queue consumers running."""
    _target(target_ini, "reset", f"{live_portal}/catalog.ttl")
    consumers = [subprocess.Popen([str(CKAN), "-c", str(target_ini), "harvester", stage],
                                  stdout=subprocess.DEVNULL, stderr=(tmp_path / f"{stage}.log").open("w"), cwd=ROOT)
                 for stage in ("gather-consumer", "fetch-consumer")]
    yield target_ini
    for consumer in consumers:
        assert consumer.poll() is None, (tmp_path / "gather-consumer.log").read_text()[-2000:]
    for consumer in consumers:
        consumer.terminate()
    for consumer in consumers:
        try:
            consumer.wait(10)
        except subprocess.TimeoutExpired:
            consumer.kill()


def _dataset(org, sysadmin, name, publish=True, **metadata):
    dataset = factories.Dataset(name=name, title=name.replace("-", " ").title(), owner_org=org["id"],
                                **{**FULL_METADATA, **metadata})
    resource = helpers.call_action("resource_create", context={"user": sysadmin["name"]}, package_id=dataset["id"],
                                   name="Data 2024", format="CSV", url="http://data.example/jumlah.csv",
                                   periode="2020-2024")
    helpers.call_action("datastore_create", context={"user": sysadmin["name"]}, resource_id=resource["id"],
                        force=True, **factories.table())
    return factories.published(dataset) if publish else helpers.call_action("package_show", id=dataset["id"])


@pytest.fixture
def source_portal(clean_db, clean_index):
    """Cleaned before the harvester's fixture starts (clean_db must not wait on the live server)."""


@pytest.mark.usefixtures("source_portal")
def test_a_second_ckan_harvests_exactly_the_published_datasets(app, harvester):
    target_ini = harvester
    org = ckan_factories.Organization(name="dinas-kesehatan", title="Dinas Kesehatan")
    sysadmin = ckan_factories.Sysadmin()
    penduduk = _dataset(org, sysadmin, "jumlah-penduduk")
    sekolah = _dataset(org, sysadmin, "jumlah-sekolah", urusan="pendidikan", frekuensi="semesteran",
                       kontak_telepon="0812 3456 7890", tahun_data_awal=2018)
    draft = _dataset(org, sysadmin, "data-draf", publish=False)

    harvested = _harvest(target_ini)

    assert set(harvested) == {"jumlah-penduduk", "jumlah-sekolah"}
    assert draft["name"] not in harvested
    for source in (penduduk, sekolah):
        copy = harvested[source["name"]]
        extras = {e["key"]: e["value"] for e in copy["extras"]}
        for field in BPS_FIELDS:
            if source.get(field) not in (None, ""):
                assert extras.get(field) == str(source[field]), field
        assert copy["title"] == source["title"] and copy["notes"] == source["notes"]
        assert copy["license_id"] == "cc-by"
        assert {t["name"] for t in copy["tags"]} == {t["name"] for t in source["tags"]}
        assert extras["publisher_name"] == "Dinas Kesehatan"
        assert extras["frequency"].startswith("http://publications.europa.eu/resource/authority/frequency/")
        assert extras["uri"] == f"http://test.ckan.net/dataset/{source['id']}"
        assert [r["url"] for r in copy["resources"]] == ["http://data.example/jumlah.csv"]
        assert (copy["resources"][0]["name"], copy["resources"][0]["periode"]) == ("Data 2024", "2020-2024")

    # The next run picks up a newly published dataset and drops a withdrawn one.
    baru = _dataset(org, sysadmin, "jumlah-puskesmas")
    helpers.call_action("satudata_transition", context={"user": sysadmin["name"]}, id=sekolah["id"],
                        transition="tarik", note="Ditarik")
    harvested = _harvest(target_ini)
    assert set(harvested) == {"jumlah-penduduk", baru["name"]}
