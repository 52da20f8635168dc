"""The package as a site installs it (docs/installation.md): the wheel `pip wheel` builds (not an editable install of
this checkout), installed with its pinned dependencies into a fresh virtualenv beside stock CKAN 2.12.0, configured
with `ckan generate config` and the settings of installation.md, its tables made by `ckan db init` and `ckan db
upgrade -p satudata_blitar`, served by `ckan run`: the home page is ours, in Indonesian and in English, and its logo,
stylesheet and script files are served. pip's cache (filled by `make install`) makes the installs fast."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time

import pytest
import requests
from bs4 import BeautifulSoup

from ckanext.satudata_blitar.tests.release.conftest import CKAN_PIN, ROOT, Site, free_port, run


# docs/installation.md's "Plugins" and "Settings" (those a portal without mail and xloader token needs to start).
SETTINGS = [
    "ckan.plugins = satudata_blitar activity satudata_interop scheming_datasets scheming_organizations datastore "
    "xloader datatables_view satudata_chart dcat structured_data",
    "scheming.dataset_schemas = ckanext.satudata_blitar:metadata/schemas/dataset.yaml",
    "scheming.organization_schemas = ckanext.satudata_blitar:metadata/schemas/organization.yaml",
    "scheming.presets = ckanext.scheming:presets.json ckanext.satudata_blitar:metadata/schemas/presets.yaml",
    "ckanext.dcat.rdf.profiles = euro_dcat_ap_2 satudata_blitar",
    "ckanext.dcat.structured_data.profiles = schemaorg",
    "ckan.locale_default = id",
    "ckan.locales_offered = id en",
    "ckan.display_timezone = Asia/Jakarta",
    "ckan.uploads_enabled = true",
    "ckan.views.default_views = datatables_view",
    "ckan.datastore.sqlsearch.enabled = true",
    "ckan.auth.create_unowned_dataset = false",
    "ckan.site_title = Satu Data Kota Blitar",
]


@contextlib.contextmanager
def serving(venv, config, port):
    """`ckan run` in a process group of its own, until the API answers; ended (the group) afterwards."""
    log = config.with_suffix(".log")
    with log.open("wb") as output:
        server = subprocess.Popen([venv / "bin" / "ckan", "-c", config, "run", "--host", "127.0.0.1", "--port",
                                   str(port), "--disable-reloader"], stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True, cwd=config.parent)
    try:
        deadline = time.monotonic() + 180
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=10).ok:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ckan run did not start:\n{log.read_text(errors='replace')[-6000:]}", pytrace=False)
            time.sleep(1)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_the_wheel_installed_beside_stock_ckan_serves_the_portal(wheel_venv, solr, tmp_path):
    # The package comes from the wheel of this version (built from the sdist), in the new virtualenv, not from this
    # checkout.
    venv = wheel_venv.venv
    version = re.search(r"^version = (\S+)", (ROOT / "setup.cfg").read_text(), re.MULTILINE).group(1)
    assert wheel_venv.wheel.name.startswith(f"ckanext_satudata_blitar-{version}-"), wheel_venv.wheel
    where = run(venv / "bin" / "python", "-c", "import ckan, ckanext.satudata_blitar as p; "
                "print(ckan.__version__); print(p.__file__)", cwd=tmp_path).stdout.decode().split()
    assert where[0] == CKAN_PIN and where[1].startswith(str(venv)), where

    solr.start(venv)
    config = tmp_path / "ckan.ini"
    port = free_port()
    site = Site("wheel", solr, config, web_port=port)
    run(venv / "bin" / "ckan", "generate", "config", config)
    run(venv / "bin" / "ckan", "config-tool", config, *site.settings, *SETTINGS)
    site.ckan(venv, "db", "init")
    site.ckan(venv, "db", "upgrade", "-p", "satudata_blitar")
    site.set_datastore_permissions(venv)
    pending = site.ckan(venv, "db", "pending-migrations").stdout.decode()
    assert "satudata_blitar" not in pending, pending

    with serving(venv, config, port) as url:
        home = requests.get(url + "/", timeout=60)
        assert home.status_code == 200
        page = BeautifulSoup(home.text, "html.parser")
        assert page.html["lang"] == "id"
        assert "Satu Data Kota Blitar" in page.title.text
        assert page.select_one(".satudata-hero h1, h1").text.strip() == "Data terbuka Kota Blitar"
        # The header's logo (ckanext.satudata_blitar.logo, public/satudata_blitar/logo.svg in the wheel).
        logo = page.select_one("header a.logo img")
        assert logo["src"].endswith("/satudata_blitar/logo.svg")
        served = requests.get(url + logo["src"] if logo["src"].startswith("/") else logo["src"], timeout=30)
        assert served.status_code == 200 and served.headers["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in served.content
        # The theme's stylesheets and scripts (webassets of the wheel's assets/).
        files = [tag["href"] for tag in page.select("link[rel=stylesheet]")] + [
            tag["src"] for tag in page.select("script[src]")]
        ours = [path for path in files if "satudata" in path]
        assert ours, files
        for path in ours:
            assert requests.get(url + path, timeout=30).status_code == 200, path

        english = requests.get(url + "/en/", timeout=60)
        assert english.status_code == 200
        assert BeautifulSoup(english.text, "html.parser").select_one("h1").text.strip() == "Open data of Kota Blitar"
        # Another page in Indonesian: the topics, from our catalogue (the compiled .mo in the wheel).
        topics = requests.get(url + "/topik", timeout=60)
        assert topics.status_code == 200 and "Topik" in topics.text
