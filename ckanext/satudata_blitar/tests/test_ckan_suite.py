"""`make test-ckan`'s list of intended differences stays readable (every entry names tests, its rule, why and the
error it expects) and its mechanics hold: a listed test counts as an intended difference only when it fails with
the error its entry names (the run itself is not part of `make test`)."""
from types import SimpleNamespace

import pytest
from _pytest.reports import TestReport

from ckan.lib import jobs

from ckanext.satudata_blitar.tests.ckan_suite.plugin import Differences, load_differences, _this_runs_jobs
from ckanext.satudata_blitar.tests.ckan_suite.plugin import _empty_this_runs_queues


def test_every_intended_difference_names_its_rule_and_reason():
    entries = load_differences()

    assert entries
    for entry in entries:
        assert entry["tests"] and all("::" in pattern for pattern in entry["tests"]), entry
        assert len(entry["rule"]) > 20 and len(entry["why"]) > 20, entry
        assert entry["match_re"].pattern, entry


def test_an_entry_for_some_ckan_versions_holds_on_those_only(tmp_path):
    path = tmp_path / "differences.yaml"
    path.write_text("""
- tests: ["ckan.tests.logic.action.test_update::TestUpdate::test_renamed"]
  rule: A number given for a text field is taken as its text
  why: Only CKAN 2.12 lets the call rename the user
  match: DID NOT RAISE
  ckan: ["2.12"]
- tests: ["ckan.tests.logic.action.test_get::TestThing::test_listed"]
  rule: Everything is private until the Walidata publishes it
  why: The test expects a draft in the public search
  match: assert
""", encoding="utf-8")

    assert [len(load_differences(path, minor)) for minor in ("2.12", "2.11")] == [2, 1]
    assert Differences(load_differences(path, "2.11")).entry_for(
        "ckan.tests.logic.action.test_update::TestUpdate::test_renamed") is None


LISTED = "ckan.tests.logic.action.test_get::TestThing::test_listed"


@pytest.fixture
def differences(tmp_path):
    path = tmp_path / "differences.yaml"
    path.write_text(f"""
- tests: ["ckan.tests.logic.action.test_get::TestThing::test_list*"]
  rule: Everything is private until the Walidata publishes it
  why: The test expects a draft in the public search
  match: "assert len\\\\(results\\\\) == 1"
""", encoding="utf-8")
    return Differences(load_differences(path))


def _report(differences, name, when, outcome, longrepr=None):
    """What pytest reports for the test `name` after the hook wrapper ran (under xdist: on the worker)."""
    item = SimpleNamespace(nodeid=f"site-packages/ckan/tests/logic/action/test_get.py::TestThing::{name}",
                           module=SimpleNamespace(__name__="ckan.tests.logic.action.test_get"))
    differences.pytest_collection_modifyitems(None, None, [item])
    report = TestReport(item.nodeid, ("x.py", 1, name), {}, outcome, longrepr, when, user_properties=[])
    hook = differences.pytest_runtest_makereport(item, SimpleNamespace(when=when))
    next(hook)
    with pytest.raises(StopIteration):
        hook.send(SimpleNamespace(get_result=lambda: report))
    differences.pytest_runtest_logreport(report)
    return report


def test_a_listed_test_failing_with_its_entry_s_error_is_an_intended_difference(differences):
    report = _report(differences, "test_listed", "call", "failed", "E   assert len(results) == 1\nE   assert 0 == 1")

    assert report.outcome == "skipped" and report.wasxfail.startswith("SOP: Everything is private")
    assert dict(report.user_properties)["satudata_test_id"] == LISTED
    assert differences.entries[0]["used"] == 0  # counted at set-up


@pytest.mark.parametrize("when", ["setup", "call"])
def test_a_listed_test_failing_with_another_error_is_a_finding(differences, when):
    report = _report(differences, "test_listed", when, "failed", "E   KeyError: 'title'")

    assert report.outcome == "failed" and not hasattr(report, "wasxfail")
    assert "failed with another error" in dict(report.sections)["satudata intended difference"]


def test_a_listed_test_that_passes_fails_the_run(differences):
    _report(differences, "test_listed", "setup", "passed")
    report = _report(differences, "test_listed", "call", "passed")

    assert report.outcome == "failed" and "XPASS(strict)" in report.longrepr
    assert differences.entries[0]["used"] == 1


def test_an_unlisted_failure_stays_a_failure(differences):
    report = _report(differences, "test_other", "call", "failed", "E   assert len(results) == 1")

    assert report.outcome == "failed" and not hasattr(report, "wasxfail")


def test_the_failure_report_names_tests_by_module_and_error(differences, tmp_path):
    differences.report_path = str(tmp_path / "failures.tsv")

    _report(differences, "test_other", "setup", "failed", "E   KeyError: 'title'\nE   (the end)")

    assert (tmp_path / "failures.tsv").read_text() == (
        "ckan.tests.logic.action.test_get::TestThing::test_other\tsetup\tKeyError: 'title' | (the end)\n")


@pytest.mark.usefixtures("clean_queues")
def test_xdist_workers_sharing_redis_empty_and_count_only_their_own_queues(ckan_config, monkeypatch):
    jobs.enqueue(jobs.test_job, ["ours"])
    monkeypatch.setitem(ckan_config, "ckan.site_id", "another_worker")
    other = jobs.enqueue(jobs.test_job, ["theirs"])
    try:
        assert [job.id for job in _this_runs_jobs()] == [other.id]
        monkeypatch.setitem(ckan_config, "ckan.site_id", "satudata_blitar_elsewhere")
        _empty_this_runs_queues()
        monkeypatch.undo()
        assert [job.args for job in _this_runs_jobs()] == [["ours"]]
    finally:
        monkeypatch.setitem(ckan_config, "ckan.site_id", "another_worker")
        _empty_this_runs_queues()
