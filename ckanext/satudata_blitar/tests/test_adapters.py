"""The private APIs of adapters.py: a new CKAN or xloader fails here, loudly, before it fails in production."""
from __future__ import annotations

import configparser
import importlib.metadata
import inspect
import re
from pathlib import Path

import pytest

import ckan.authz as authz
import ckanext.datastore.backend.postgres as datastore_db
from ckan.lib import jobs, uploader
from ckanext.xloader import db as xloader_db, jobs as xloader_jobs, utils as xloader_utils

from ckanext.satudata_blitar import adapters

SETUP_CFG = Path(__file__).resolve().parents[3] / "setup.cfg"


def _pins() -> dict[str, str]:
    """package -> pinned version, from setup.cfg's install_requires and the `ckan` extra."""
    config = configparser.ConfigParser()
    config.read(SETUP_CFG)
    lines = config["options"]["install_requires"].split() + config["options.extras_require"]["ckan"].split()
    return {match["name"]: match["version"] for line in lines
            if (match := re.match(r"^(?P<name>[A-Za-z0-9_.-]+)(\[[^\]]*\])?==(?P<version>[0-9.]+)$", line))}


@pytest.mark.parametrize("package", sorted(adapters.CHECKED_AGAINST))
def test_adapters_were_checked_against_the_pinned_and_installed_version(package):
    checked = adapters.CHECKED_AGAINST[package]
    assert _pins()[package] == checked[0], (
        f"setup.cfg pins {package} {_pins()[package]}, adapters.py was checked against {checked[0]}: read the new "
        "version's source of every private API in adapters.py, adapt it, then update CHECKED_AGAINST")
    assert importlib.metadata.version(package) in checked, f"{package} {importlib.metadata.version(package)} is " \
        f"installed, adapters.py was checked against {', '.join(checked)}"


def test_the_version_switch_follows_the_installed_ckan():
    assert adapters.CKAN_2_12 == importlib.metadata.version("ckan").startswith("2.12.")


@pytest.mark.parametrize("function, parameters", [
    (datastore_db._drop_indexes, ["context", "data_dict", "unique"]),
    (datastore_db._build_fts_indexes, ["data_dict", "sql_index_str_method", "fields"]),
    (xloader_jobs._download_resource_data, ["resource", "data", "api_key", "logger"]),
    # the typed load's COPY (tables/datastore_copy.py)
    (datastore_db.get_write_engine, []),
    (datastore_db.identifier, ["s"]),
    # xloader's job bookkeeping around our load job (tables/load_queue.py, load_job.py, job_state.py)
    (xloader_jobs.get_default_queue_name, ["package_id"]),
    (xloader_db.init, ["config", "echo"]),
    (xloader_db.add_pending_job, ["job_id", "job_type", "api_key", "data", "metadata", "result_url"]),
    (xloader_db.mark_job_as_completed, ["job_id", "data"]),
    (xloader_db.mark_job_as_errored, ["job_id", "error_object"]),
    (xloader_jobs.is_retryable_error, ["error"]),
    (xloader_jobs.update_resource, ["resource", "patch_only"]),
    (xloader_jobs.StoringHandler, ["task_id", "input"]),
    (xloader_utils.set_resource_metadata, ["update_dict"]),
    (uploader.get_resource_uploader, ["data_dict"]),
    (jobs.remove_queue_name_prefix, ["name"]),
])
def test_the_private_functions_keep_their_signature(function, parameters):
    assert list(inspect.signature(function).parameters) == parameters


def test_the_role_registry_holds_our_capacities():
    assert authz.ROLE_PERMISSIONS["walidata"] == ["read"]
    assert authz.ROLE_PERMISSIONS["verifikator"] == ["read"]
    assert callable(authz._trans_functions["verifikator_kominfotik"])


def test_extras_written_and_read_in_sql_are_the_extras_ckan_reads(clean_db):
    """bench/ copies datasets with their extras in SQL: CKAN 2.11 keeps them in `package_extra`, 2.12 in the JSONB
    column `package.extras`, NULL for a dataset without any (the rows bench/reports.py inserts)."""
    import sqlalchemy as sa

    import ckan.model as model
    from ckanext.satudata_blitar.tests import factories

    dataset = factories.Dataset()
    model.Session.execute(sa.text("INSERT INTO package (id, name, type, state, private) "
                                  "VALUES ('bare', 'bare', 'dataset', 'active', false)"))
    rows = f"SELECT package_id, key, value FROM ({adapters.extras_rows_sql()}) AS x WHERE package_id = :id"
    read = dict(model.Session.execute(sa.text(f"SELECT key, value FROM ({rows}) AS r"), {"id": dataset["id"]}).all())
    assert read["urusan"] == "kesehatan" and read["satuan"] == "jiwa"
    # Copied onto a dataset without extras, and under new names onto the dataset itself.
    model.Session.execute(sa.text(adapters.extras_insert_sql(f"SELECT 'bare', key, value FROM ({rows}) AS r")),
                          {"id": dataset["id"]})
    model.Session.execute(sa.text(adapters.extras_insert_sql(
        f"SELECT package_id, 'salinan_' || key, value FROM ({rows}) AS r WHERE key = 'satuan'")), {"id": dataset["id"]})
    model.Session.commit()
    model.Session.expire_all()
    assert dict(model.Package.get("bare").extras) == read
    assert dict(model.Package.get(dataset["id"]).extras) == {**read, "salinan_satuan": "jiwa"}
