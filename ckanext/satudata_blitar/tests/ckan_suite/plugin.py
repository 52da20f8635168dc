"""pytest plugin that runs CKAN's own shipped tests with our plugins loaded (`make test-ckan`).

- Every test runs with the plugins of the ini's `ckan.plugins` (ours) plus those the test asks for with a
  `ckan_config("ckan.plugins", …)` mark; CKAN's `reset_db` also re-creates our tables and the activity plugin's.
- CKAN's factories make datasets of ours (factories.py).
- `differences.yaml` lists the SOP's intended differences: a listed test must fail, and fail with the error the
  entry names (`match`), or the run fails; a listed test that passes fails the run too (strict). Every other
  failure is a finding.
"""
from __future__ import annotations

import copy
import fnmatch
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
import yaml

import ckan.model as model
import ckan.plugins as plugins
from ckan.common import config as ckan_config
import ckan.tests.helpers as test_helpers

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar import config as satudata_config
from ckanext.satudata_blitar.tests.ckan_suite import factories

DIFFERENCES_FILE = Path(__file__).with_name("differences.yaml")
# Plugins whose tables come from migrations of their own, re-created after every reset of CKAN's tables.
MIGRATED_PLUGINS = ("activity", "satudata_blitar")


# With SESSION_TYPE = redis (test.ini) the app puts its Redis connection in the configuration (SESSION_REDIS), which
# CKAN's ckan_config fixture deep-copies before every test: a connection is shared, not copied (as tests/conftest.py).
copy._deepcopy_dispatch[redis.Redis] = lambda connection, memo: connection


def ckan_minor() -> str:
    """The running CKAN's minor version, e.g. `2.12`."""
    import ckan
    return ".".join(ckan.__version__.split(".")[:2])


def load_differences(path: Path = DIFFERENCES_FILE, minor: str | None = None) -> list[dict[str, Any]]:
    """The entries of `path` that hold on CKAN `minor` (the running one): an entry with `ckan` (a list of minors)
    is a difference on those versions only, the test passing on the others."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    minor = minor or ckan_minor()
    kept = []
    for number, entry in enumerate(entries, 1):
        missing = {"tests", "rule", "why", "match"} - set(entry)
        if missing:
            raise pytest.UsageError(f"{path.name} entry {number}: missing {', '.join(sorted(missing))}")
        if isinstance(entry["tests"], str):
            entry["tests"] = [entry["tests"]]
        entry["match_re"] = re.compile(entry["match"], re.S)
        entry["used"] = 0
        if "ckan" not in entry or minor in [str(version) for version in entry["ckan"]]:
            kept.append(entry)
    return kept


def test_id(item: pytest.Item) -> str:
    """`module.path::Class::test[param]`: the same id whatever the virtualenv's path."""
    module = getattr(getattr(item, "module", None), "__name__", None) or item.nodeid.split("::")[0]
    return module + "::" + item.nodeid.split("::", 1)[1]


def our_plugins() -> list[str]:
    """The ini's plugins (CKAN's snapshot of the config taken at session start, before any test's marks)."""
    from ckan.tests.pytest_ckan import ckan_setup
    return _as_list(ckan_setup._config.get("ckan.plugins"))


# ckanext-scheming's tests run with the schemas of its own test.ini (not shipped in its wheel), which replace ours:
# our plugin must work beside other schemas too.
SCHEMING_TEST_CONFIG = {
    "scheming.dataset_schemas": ("ckanext.scheming:ckan_dataset.yaml ckanext.scheming.tests:test_schema.json "
                                 "ckanext.scheming.tests:test_subfields.yaml "
                                 "ckanext.scheming.tests:test_datastore_choices.json "
                                 "ckanext.scheming:ckan_formpages.yaml"),
    "scheming.organization_schemas": ("ckanext.scheming:org_with_dept_id.json "
                                      "ckanext.scheming:custom_org_with_address.json"),
    "scheming.group_schemas": ("ckanext.scheming:group_with_bookface.json "
                               "ckanext.scheming:custom_group_with_status.json"),
    "scheming.presets": "ckanext.scheming:presets.json",
}
SCHEMING_TEST_PLUGINS = ["scheming_groups", "scheming_test_plugin", "scheming_nerf_index"]
# ckanext-xloader's tests expect two queues (its own test set-up, not shipped in its wheel).
XLOADER_TEST_CONFIG = {"ckanext.xloader.queue_names": "default0 default1"}


def _as_list(value: Any) -> list[str]:
    return value.split() if isinstance(value, str) else list(value or [])


class Differences:
    def __init__(self, entries: list[dict[str, Any]]):
        self.entries = entries
        self.by_item: dict[str, dict[str, Any]] = {}
        self.modules: set[str] = set()  # of the tests run
        self.report_path: str | None = None

    def entry_for(self, tid: str) -> dict[str, Any] | None:
        for entry in self.entries:
            if any(fnmatch.fnmatchcase(tid, pattern) for pattern in entry["tests"]):
                return entry
        return None

    # hooks (under pytest-xdist the workers collect and run the tests and make the reports; the controller only
    # sees the reports, which carry the test's id in their user_properties)

    def pytest_collection_modifyitems(self, session, config, items):
        for item in items:
            entry = self.entry_for(test_id(item))
            if entry:
                self.by_item[item.nodeid] = entry

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        report.user_properties.append(("satudata_test_id", test_id(item)))
        entry = self.by_item.get(item.nodeid)
        if entry is None:
            return
        if report.failed:
            text = str(report.longrepr)
            if entry["match_re"].search(text):
                report.outcome = "skipped"
                report.wasxfail = f"SOP: {entry['rule']}"
            else:
                report.sections.append(("satudata intended difference", (
                    f"listed in differences.yaml ({entry['rule']}) but failed with another error than "
                    f"/{entry['match']}/: a finding")))
        elif report.passed and call.when == "call":
            report.outcome = "failed"
            report.longrepr = (f"[XPASS(strict)] listed in differences.yaml ({entry['rule']}) but passes: "
                               "remove it from the list")

    def pytest_runtest_logreport(self, report):
        """Counts the tests each entry explains; with --satudata-report=FILE, one line per failing test (id, phase,
        its error's first and last line), to sort the failures by cause when the list is reviewed."""
        tid = dict(report.user_properties).get("satudata_test_id", report.nodeid)
        self.modules.add(tid.split("::")[0])
        if report.when == "setup":
            entry = self.entry_for(tid)
            if entry:
                entry["used"] += 1
        path = self.report_path
        if path and report.failed:
            lines = [line for line in str(report.longrepr).splitlines() if line.startswith("E ")]
            message = (" | ".join(dict.fromkeys([lines[0][1:].strip(), lines[-1][1:].strip()])) if lines
                       else str(report.longrepr).splitlines()[-1])
            with open(path, "a", encoding="utf-8") as out:
                out.write(f"{tid}\t{report.when}\t{message[:400]}\n")

    def pytest_terminal_summary(self, terminalreporter):
        stats = terminalreporter.stats
        failed, errors = len(stats.get("failed", [])), len(stats.get("error", []))
        terminalreporter.write_sep("-", "satudata: CKAN's tests with our plugins")
        terminalreporter.write_line(
            f"passed {len(stats.get('passed', []))}, intended differences {len(stats.get('xfailed', []))} "
            f"(xfailed, {sum(1 for e in self.entries if e['used'])} of {len(self.entries)} rules of "
            f"differences.yaml), failures {failed + errors} (failed {failed}, errors {errors}), "
            f"skipped {len(stats.get('skipped', []))}")
        for entry in self.entries:
            if not entry["used"] and any(pattern.split("::")[0] in self.modules for pattern in entry["tests"]):
                terminalreporter.write_line(f"differences.yaml rule that explained no test of its modules: "
                                            f"{entry['tests']}")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--satudata-report", metavar="FILE", help="append each failure (test id, phase, error) to FILE")


def pytest_configure(config: pytest.Config) -> None:
    differences = Differences(load_differences())
    # Under pytest-xdist the controller writes the failures (the workers' reports reach it).
    differences.report_path = None if hasattr(config, "workerinput") else config.getoption("satudata_report")
    config.pluginmanager.register(differences, "satudata_differences")
    factories.install()
    _wrap_reset_db()
    _scope_queues()
    _keep_plugins_loaded()


def _upgrade(plugin: str) -> None:
    """`ckan db upgrade -p PLUGIN` without loading the plugin (the session's first reset runs before any test
    loads plugins, and ours cannot load without xloader)."""
    package = importlib.import_module(f"ckanext.{plugin}")
    original = model.repo._alembic_ini
    model.repo._alembic_ini = str(Path(package.__file__).parent / "migration" / plugin / "alembic.ini")
    try:
        model.repo.upgrade_db("head")
    finally:
        model.repo._alembic_ini = original


def _wrap_reset_db() -> None:
    """CKAN's reset_db rebuilds core's tables; ours and the activity plugin's come from their own migrations."""
    original = test_helpers.reset_db
    if getattr(original, "satudata", False):
        return

    def reset_db(*args, **kwargs):
        original(*args, **kwargs)
        if not sa.inspect(model.meta.engine).has_table("satudata_data_element"):
            from ckan.cli.db import _run_migrations
            for plugin in MIGRATED_PLUGINS:
                _upgrade(plugin)

    reset_db.satudata = True
    test_helpers.reset_db = reset_db


def _this_runs_jobs() -> list[Any]:
    from ckan.lib import jobs
    return [job for queue in jobs.get_all_queues() for job in queue.jobs]


def _empty_this_runs_queues() -> None:
    from ckan.lib import jobs
    for queue in jobs.get_all_queues():
        queue.empty()
        queue.delete()


def _scope_queues() -> None:
    """pytest-xdist workers share the run's Redis database (keys and queues are named by site id): CKAN's
    `reset_queues`/`clean_queues` and `RQTestBase.all_jobs` see every queue of the database, so one worker would empty
    the other's queues, or count its jobs. Here they see their own run's queues only, as CKAN's job actions do."""
    from ckan.tests.pytest_ckan import fixtures as ckan_fixtures
    ckan_fixtures._empty_queues = _empty_this_runs_queues
    test_helpers.RQTestBase.all_jobs = lambda self: _this_runs_jobs()


_plugin_state: dict[str, Any] = {"key": None, "wanted": None, "config": None}


def _keep_plugins_loaded() -> None:
    """CKAN's `with_plugins` unloads and loads every plugin around every test (about 4 s with ours here). Tests
    that want the same plugins with the same config marks as the previous test keep them loaded, with the config
    the plugins' load produced; any other test gets a real unload and load, as in CKAN."""
    # CKAN 2.11's with_plugins ends with unload_non_system_plugins, 2.12's with unload_all.
    unload_name = adapters.plugins_unload_name()
    real_load_all, real_unload = plugins.load_all, getattr(plugins, unload_name)

    def load_all(*args, **kwargs):
        key = _plugin_state["wanted"]
        if key is not None and key == _plugin_state["key"]:
            ckan_config.clear()
            ckan_config.update(_plugin_state["config"])
            return
        real_unload()
        real_load_all(*args, **kwargs)
        _plugin_state["key"] = key
        _plugin_state["config"] = dict(ckan_config)

    def unload(*args, **kwargs):
        if _plugin_state["wanted"] is None:  # outside our fixture (session start): as CKAN does
            _plugin_state["key"] = None
            real_unload(*args, **kwargs)

    plugins.load_all = load_all
    setattr(plugins, unload_name, unload)


@pytest.fixture(scope="session", autouse=True)
def _empty_queues_once(reset_queues):
    """Jobs left in the run's Redis queues by an earlier, interrupted run would meet this run's code."""
    reset_queues()


@pytest.fixture(autouse=True)
def _satudata_plugins(request, ckan_config, monkeypatch):
    """Our plugins for every test, plus the ones the test asks for (after ours: scheming must come after us)."""
    requested = [_as_list(mark.args[1]) for mark in request.node.iter_markers("ckan_config")
                 if mark.args[0] == "ckan.plugins"]
    wanted = list(our_plugins())
    extra = requested[-1] if requested else []
    if test_id(request.node).startswith("ckanext.scheming.tests."):
        for key, value in SCHEMING_TEST_CONFIG.items():
            monkeypatch.setitem(ckan_config, key, value)
        extra = extra + SCHEMING_TEST_PLUGINS
    if test_id(request.node).startswith("ckanext.xloader.tests."):
        for key, value in XLOADER_TEST_CONFIG.items():
            monkeypatch.setitem(ckan_config, key, value)
    for name in extra:
        if name not in wanted:
            wanted.append(name)
    monkeypatch.setitem(ckan_config, "ckan.plugins", wanted)
    # A setting our plugin refuses at start-up (collaborators, unowned datasets): refused by the plugin's own check
    # before the plugins are unloaded and loaded again only to fail (seconds per test, and the next test's too).
    satudata_config.refuse_unsupported_core_settings(ckan_config)
    marks = sorted((mark.args[0], repr(mark.args[1])) for mark in request.node.iter_markers("ckan_config"))
    _plugin_state["wanted"] = (tuple(wanted), tuple(marks), test_id(request.node).split("::")[0])
    try:
        request.getfixturevalue("with_plugins")
        yield
    finally:
        _plugin_state["wanted"] = None
