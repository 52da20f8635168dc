import copy
import os

import pytest
import redis
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.tests.factories as factories
from ckan.common import config as site_config

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tests import world as world_module

# The release checks (tests/release) drive CKAN in other processes and virtualenvs: only `make test-release` runs
# them (SATUDATA_RELEASE_TESTS=1); `make test` does not collect them.
if os.environ.get("SATUDATA_RELEASE_TESTS") != "1":
    collect_ignore = ["release"]

_shared_app = None

# With SESSION_TYPE = redis (test.ini) the app puts its Redis connection in the configuration (SESSION_REDIS), which
# CKAN's ckan_config fixture and _keep_plugins_loaded deep-copy: a connection is shared, not copied.
copy._deepcopy_dispatch[redis.Redis] = lambda connection, memo: connection


@pytest.fixture(autouse=True)
def _plugins_of_test_ini(with_plugins):
    """Every test runs with the plugins of test.ini: CKAN's pytest plugin unloads them between tests (kept loaded
    while the configuration stays the same: see _keep_plugins_loaded)."""


# The configuration the plugins were last loaded from, and the one their load produced.
_loaded = {"from": None, "produced": None}


def _keep_plugins_loaded():
    """CKAN's `with_plugins` unloads every plugin after each test and loads them again before the next one, which
    re-reads every plugin's config declarations and scheming's schemas, builds a new engine and asks Solr for its
    schema: about 0.45 s of CPU per test here, a third of the suite. The plugins now stay loaded while a test starts
    from the same configuration as the one they were loaded from (CKAN resets the config before every test, so that
    is every test without a `ckan_config` mark); the test gets a fresh copy of the configuration the load produced.
    A test with another configuration gets a real unload and load, as in CKAN."""
    real_load_all = plugins.load_all

    def load_all(*args, **kwargs):  # CKAN 2.12 passes force_update
        before = dict(site_config)
        if before != _loaded["from"]:
            real_load_all(*args, **kwargs)  # unloads every plugin first
            _loaded["from"], _loaded["produced"] = before, copy.deepcopy(dict(site_config))
        else:
            site_config.clear()
            site_config.update(copy.deepcopy(_loaded["produced"]))

    def unload():
        """Kept loaded for the next test; load_all unloads them when the configuration changes."""

    plugins.load_all = load_all
    setattr(plugins, adapters.plugins_unload_name(), unload)


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins with migrations of their own (as ckanext-activity does).
    Only CKAN's first reset drops the tables; later ones empty them, so the migrations run when tables are gone."""
    reset_db()
    if not sa.inspect(model.meta.engine).has_table("satudata_issued_report"):
        migrate_db_for("activity")
        migrate_db_for("satudata_blitar")


@pytest.fixture
def app(make_app, request):
    """CKAN's `app` builds a new Flask app for every test (most of a test's set-up time). The app reads config at
    request time, so tests share one unless they change config at app creation with a `ckan_config` mark.
    Cookies never leak between tests: CKANTestApp uses a new test client for every request."""
    global _shared_app
    if request.node.get_closest_marker("ckan_config"):
        return make_app()
    if _shared_app is None:
        _shared_app = make_app()
    return _shared_app


@pytest.fixture
def sysadmin(clean_db):
    """A sysadmin with an API token, for calls through the Action API (made after the database is cleaned)."""
    return factories.SysadminWithToken()


@pytest.fixture
def organization(clean_db):
    return factories.Organization(name="dinas-kesehatan", title="Dinas Kesehatan")


def pytest_configure(config):
    _keep_plugins_loaded()
    config.addinivalue_line("markers", "world(with_datastore=False, extend=None, states=None): options of the "
                                       "module's `world`")


@pytest.fixture(scope="module")
def world(request, reset_db, migrate_db_for):
    """A small Kota Blitar (tests/world.py), built once for a test module: OPDs, a user per role, a dataset in each
    workflow state. Tests add their own datasets to it and never clean it.

    A module sets options with `pytestmark = pytest.mark.world(...)`: `with_datastore=True` loads each dataset's
    table into the DataStore; `extend(world)` adds the module's own set-up once the world is built; `states=[...]`
    builds datasets in those workflow states only (the costly part)."""
    marker = request.node.get_closest_marker("world")
    options = marker.kwargs if marker else {}
    with world_module.building(reset_db, migrate_db_for):
        built = world_module.build(with_datastore=options.get("with_datastore", False), states=options.get("states"))
        if options.get("extend"):
            options["extend"](built)
        yield built
