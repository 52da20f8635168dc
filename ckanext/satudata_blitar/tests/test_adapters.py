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
from ckanext.xloader import jobs as xloader_jobs

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
])
def test_the_private_functions_keep_their_signature(function, parameters):
    assert list(inspect.signature(function).parameters) == parameters


def test_the_role_registry_holds_our_capacities():
    assert authz.ROLE_PERMISSIONS["walidata"] == ["read"]
    assert authz.ROLE_PERMISSIONS["verifikator"] == ["read"]
    assert callable(authz._trans_functions["verifikator_kominfotik"])
