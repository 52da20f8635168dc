import pytest

import ckan.tests.factories as factories


@pytest.fixture(autouse=True)
def _plugins_of_test_ini(with_plugins):
    """Every test runs with the plugins of test.ini: CKAN's pytest plugin unloads them between tests."""


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins with migrations of their own (as ckanext-activity does)."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("satudata_blitar")


@pytest.fixture
def sysadmin(clean_db):
    """A sysadmin with an API token, for calls through the Action API (made after the database is cleaned)."""
    return factories.SysadminWithToken()


@pytest.fixture
def organization(clean_db):
    return factories.Organization(name="dinas-kesehatan", title="Dinas Kesehatan")
