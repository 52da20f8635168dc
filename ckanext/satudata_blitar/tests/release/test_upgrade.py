"""A portal running this extension on CKAN 2.11 upgrades to CKAN 2.12 and keeps everything (docs/installation.md,
"Upgrading from CKAN 2.11"). CKAN 2.11.6 (the virtualenv SATUDATA_OLD_VENV, .venv-2.11) builds tests/world.py's Kota
Blitar and more through the real actions (release/portal.py `build`) and reads it back (`snapshot`); then the admin's
steps with CKAN 2.12 (SATUDATA_NEW_VENV, .venv): CKAN 2.12's Solr schema (plus our fields) under the kept index,
`ckan db upgrade`, `ckan db upgrade -p satudata_blitar`, `ckan datastore set-permissions`, `ckan search-index
rebuild`; CKAN 2.12 reads it back and the two readings must be equal: every row of our tables, package_show of every
dataset, the DataStore tables, searches and facets, users and OPDs, workflow histories, verification queues, the
daftar elemen data, the report archive and the files (issued reports, uploads), the reports. Then the workflow goes
on, on 2.12, over the upgraded data."""
from __future__ import annotations

import datetime
import json
import os
import pathlib

import pytest

from ckanext.satudata_blitar.tests.release.conftest import ROOT, Site, psql, run


OLD_VENV = pathlib.Path(os.environ.get("SATUDATA_OLD_VENV") or ROOT / ".venv-2.11")
NEW_VENV = pathlib.Path(os.environ.get("SATUDATA_NEW_VENV") or ROOT / ".venv")

# What differs between the two readings and is no loss:
# - `license_title` of a dataset dict is the licence's title in the language of the request that indexed the dataset
#   (CKAN keeps the validated dict in Solr): the build indexed it in Indonesian, `search-index rebuild` in English.
#   Pages translate it when shown (language.license_title); `license_id` is compared.
NOT_COMPARED = {"license_title"}


def _ckan_version(venv: pathlib.Path) -> str:
    return run(venv / "bin" / "python", "-c", "import ckan; print(ckan.__version__)").stdout.decode().strip()


def _has_table(site: Site, table: str) -> bool:
    return psql(site.db, "-tAc", f"SELECT to_regclass('{table}') IS NOT NULL").stdout.decode().strip() == "t"


def _portal(venv: pathlib.Path, command: str, site: Site, out: pathlib.Path | None = None,
            at: str | None = None) -> dict | None:
    run(venv / "bin" / "python", "-m", "ckanext.satudata_blitar.tests.release.portal", command, site.config,
        *([out] if out else []), *([at] if at else []), cwd=ROOT)
    return json.loads(out.read_text()) if out else None


def _without(value, keys=NOT_COMPARED):
    if isinstance(value, dict):
        return {key: _without(item, keys) for key, item in value.items() if key not in keys}
    if isinstance(value, list):
        return [_without(item, keys) for item in value]
    return value


def _differences(before, after, path=""):
    """Where two readings differ, as readable lines (pytest's own diff of two large dicts is not)."""
    if type(before) is not type(after):
        return [f"{path}: {before!r:.200} became {after!r:.200}"]
    if isinstance(before, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            if key not in after:
                found.append(f"{path}/{key}: gone (was {before[key]!r:.200})")
            elif key not in before:
                found.append(f"{path}/{key}: new ({after[key]!r:.200})")
            else:
                found += _differences(before[key], after[key], f"{path}/{key}")
        return found
    if isinstance(before, list):
        found = [f"{path}: {len(before)} items became {len(after)}"] if len(before) != len(after) else []
        for number, (old, new) in enumerate(zip(before, after)):
            found += _differences(old, new, f"{path}[{number}]")
        return found
    return [] if before == after else [f"{path}: {before!r:.200} became {after!r:.200}"]


@pytest.fixture
def site(solr, tmp_path):
    config = tmp_path / "upgrade.ini"
    built = Site("upgrade", solr, config)
    # The suite's test.ini (the plugins and settings of docs/installation.md), with this site's databases.
    config.write_text("[app:main]\nuse = config:{}\n{}\n\n{}".format(
        ROOT / "test.ini", "\n".join(built.settings), (ROOT / "services" / "logging-sections.ini").read_text()))
    return built


def test_a_portal_on_ckan_2_11_upgraded_to_2_12_keeps_everything(site, solr, tmp_path):
    assert _ckan_version(OLD_VENV).startswith("2.11."), OLD_VENV
    assert _ckan_version(NEW_VENV).startswith("2.12."), NEW_VENV

    # The portal on CKAN 2.11, as a site runs it: databases made by `ckan db init`, content made through the actions.
    solr.start(OLD_VENV)
    site.ckan(OLD_VENV, "db", "init")
    assert _has_table(site, "package_extra")  # CKAN 2.11's schema
    site.set_datastore_permissions(OLD_VENV)
    _portal(OLD_VENV, "build", site)
    # Both readings at the same moment, an hour on: waiting times and late steps count up to "now".
    at = (datetime.datetime.utcnow() + datetime.timedelta(hours=1)).isoformat(timespec="seconds")
    before = _portal(OLD_VENV, "snapshot", site, tmp_path / "before.json", at)
    assert before["tables"]["satudata_workflow_event"] and before["tables"]["satudata_issued_report"]
    assert len(before["datastore"]) == 6 and before["search"]["everything"]["count"] == len(before["datasets"])

    # The upgrade, step by step as docs/installation.md says (the new CKAN is the other virtualenv).
    solr.start(NEW_VENV)
    site.ckan(NEW_VENV, "db", "upgrade")
    site.ckan(NEW_VENV, "db", "upgrade", "-p", "satudata_blitar")
    site.set_datastore_permissions(NEW_VENV)
    site.ckan(NEW_VENV, "search-index", "rebuild")
    after = _portal(NEW_VENV, "snapshot", site, tmp_path / "after.json", at)

    differences = _differences(_without(before), _without(after))
    assert differences == [], "\n".join(differences[:60])
    # What was not compared is still there.
    assert {name: dataset["license_id"] for name, dataset in after["datasets"].items()} == {
        name: dataset["license_id"] for name, dataset in before["datasets"].items()}

    # CKAN 2.12's schema is in place (106_faster_extras moved the extras into package.extras) and the workflow
    # goes on over the upgraded data, by its people.
    assert not _has_table(site, "package_extra")
    carried = _portal(NEW_VENV, "carry-on", site, tmp_path / "carried.json")
    assert carried["data-diajukan"] == {"state": "terverifikasi_opd", "history": _history(before, "data-diajukan") + [
        ["verifikasi_opd", "terverifikasi_opd", "verifikator-opd"]]}
    assert carried["data-perlu_perbaikan"] == {"state": "diajukan", "history": _history(
        before, "data-perlu_perbaikan") + [["ajukan", "diajukan", "operator"]]}
    # The pending revision, verified twice and published over the live dataset: in the live dataset's history.
    live = carried["data-terbit"]
    assert live["state"] == "terbit" and live["history"][-1] == ["terbitkan_revisi", "terbit", "walidata"]
    assert live["history"][:len(_history(before, "data-terbit"))] == _history(before, "data-terbit")


def _history(reading: dict, name: str) -> list[list[str]]:
    return [[event["transition"], event["to_state"], event["actor_name"]]
            for event in reading["workflow_history"][name]]
