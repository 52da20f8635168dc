"""pytest-xdist workers each get a run of their own: `make test` runs `pytest -n 2` and every worker (gw0, gw1, …)
reads `.services/<name>_<worker>.ini` instead of `--ckan-ini=.services/<name>.ini`, i.e. its own databases
(ckan_<name>_gw0, datastore_<name>_gw0), Solr site id, Redis database and storage folder, all written by
`SATUDATA_TEST_WORKERS=2 services/portal.sh test`.

Loaded with `-p` (setup.cfg's addopts) because CKAN's pytest plugin reads `--ckan-ini` at session start, before
tests/conftest.py is imported. Without xdist it does nothing.
"""
from __future__ import annotations

import os
import pathlib

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    config.addinivalue_line("markers", "serial: stops services or drives Chromium; `make test` runs these tests "
                                       "after the parallel ones, alone")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    ini = config.getoption("ckan_ini", None)
    if not worker or not ini:
        return
    path = pathlib.Path(ini)
    own = path.with_name(f"{path.stem}_{worker}{path.suffix}")
    if not own.exists():
        raise pytest.UsageError(f"{own} is missing: run SATUDATA_TEST_WORKERS=<n> services/portal.sh test")
    config.option.ckan_ini = str(own)


def pytest_make_parametrize_id(config, val, argname):
    """Every worker collects the tests and xdist refuses to run when their ids differ: a parameter that is a
    generated file (an .xlsx is a zip that holds its creation time, even its size varies) is not named by its
    bytes but by its argument's name (pytest numbers equal ids)."""
    if isinstance(val, bytes) and len(val) > 64:
        return f"{argname}-file"
    return None
