"""What indexing a dataset reads of our tables: `ckan search-index rebuild` runs outside a web request (nothing is
remembered from one dataset to the next), so each read is a round trip per dataset. package_show's
after_dataset_show reads the workflow state and the checks' findings in one statement, and on the index path also
the kecamatan the accepted tables cover, handed to the index hook that follows: one statement of ours per dataset
(three before). Nothing stale: a withdrawal, a new check and a show of another dataset in between are indexed as
they are now; and package_show says what it said before, character for character."""
from __future__ import annotations

import flask
import pytest

import ckan.tests.helpers as helpers
from ckan.lib import search

from ckanext.satudata_blitar import adapters, request_cache
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module

pytestmark = pytest.mark.world(states=[transitions.DRAF])

SUKOREJO, SANANWETAN, KEPANJENKIDUL = "35.72.02", "35.72.03", "35.72.01"


def _ours(statements: list[str]) -> list[str]:
    """The statements that read our tables or the checks' findings (CKAN's own reads are not counted)."""
    return [s for s in statements if "satudata_dataset_status" in s or "task_status" in s]


def _indexed(dataset_id: str) -> dict:
    """The dataset's Solr document as package_search finds it: its kecamatan field, and its state as filtered on."""
    def search_(also: str = "", **params):
        return helpers.call_action("package_search", context={"ignore_auth": True}, include_private=True,
                                   fq=f"+id:{dataset_id} {also}", **params)["results"]
    found = search_(fl="id,vocab_kecamatan")
    assert len(found) == 1, found
    states = [state for state in world_module.PATHS if search_(f"+satudata_status:{state}", fl="id")]
    return {**found[0], "satudata_status": states}


def _check(resource_id: str, *kecamatan: str) -> None:
    """The resource's file accepted by the check, covering these kecamatan (as the load job saves it)."""
    upload_check.save(resource_id, {"format": "csv", "rows": 2, "issues": [],
                                    "wilayah": {"kecamatan": list(kecamatan)} if kecamatan else None})


@pytest.fixture(scope="module")
def published(world):
    """A published dataset with two accepted tables: one covering Sukorejo and Sananwetan, a second (a link the
    check once read) Kepanjenkidul; and one submitted whose table covers Sukorejo."""
    dataset = world_module.dataset_in_state(world, transitions.TERBIT, name="diindeks-terbit")
    _check(dataset["resources"][0]["id"], SUKOREJO, SANANWETAN)
    second = helpers.call_action("resource_create", context={"user": world.name("sysadmin")},
                                 package_id=dataset["id"], name="Tautan", url="https://example.org/data.csv")
    _check(second["id"], KEPANJENKIDUL)
    submitted = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="diindeks-diajukan")
    _check(submitted["resources"][0]["id"], SUKOREJO)
    return dataset, submitted


def test_a_rebuild_reads_our_tables_once_per_dataset(published):
    dataset, submitted = published
    assert not flask.has_request_context()
    with world_module.sql_statements() as statements:
        search.rebuild(package_ids=[dataset["id"], submitted["id"]])  # as a full rebuild: commits deferred
    search.commit()
    # one statement per dataset: the state, the findings and the kecamatan (three before: each its own)
    assert len(_ours(statements)) == 2, _ours(statements)
    assert _indexed(dataset["id"])["vocab_kecamatan"] == ["Kepanjenkidul", "Sananwetan", "Sukorejo"]
    # published only: the submitted dataset's table tells the index nothing
    assert "vocab_kecamatan" not in _indexed(submitted["id"])
    assert _indexed(submitted["id"])["satudata_status"] == [transitions.DIAJUKAN]


def test_package_show_reads_the_state_and_the_findings_in_one_statement(published):
    dataset, _submitted = published
    with world_module.sql_statements() as statements:
        shown = helpers.call_action("package_show", context={"ignore_auth": True, "use_cache": False},
                                    id=dataset["id"])
    assert len(_ours(statements)) == 1, _ours(statements)
    assert shown["satudata_status"] == transitions.TERBIT
    assert shown["resources"][0]["mimetype"] == "text/csv"  # the upload's type, as the check found it


def test_a_request_that_knows_the_state_and_the_findings_reads_nothing_again(app, published):
    dataset, _submitted = published
    with app.flask_app.test_request_context():
        helpers.call_action("package_show", context={"ignore_auth": True, "use_cache": False}, id=dataset["id"])
        with world_module.sql_statements() as statements:
            helpers.call_action("package_show", context={"ignore_auth": True, "use_cache": False}, id=dataset["id"])
        assert _ours(statements) == []


def _show_for_index(dataset_id: str) -> None:
    """package_show as CKAN shows a dataset it is about to index (2.12: with both schemas; 2.11: unvalidated)."""
    if adapters.CKAN_2_12:
        from ckan import logic
        logic.package_show_default_and_custom_schemas({"ignore_auth": True}, dataset_id)
    else:
        helpers.call_action("package_show", context={"ignore_auth": True, "validate": False, "use_cache": False},
                            id=dataset_id)


def test_what_a_show_hands_to_the_index_is_for_that_dataset_s_index_once(published):
    dataset, submitted = published
    _show_for_index(dataset["id"])
    assert request_cache.handed_to_index(dataset["id"]) == {
        "state": transitions.TERBIT, "kecamatan": {SUKOREJO, SANANWETAN, KEPANJENKIDUL}}
    assert request_cache.handed_to_index(dataset["id"]) == {}  # once
    _show_for_index(dataset["id"])
    assert request_cache.handed_to_index(submitted["id"]) == {}  # another dataset's index reads for itself ...
    assert request_cache.handed_to_index(dataset["id"]) == {}  # ... and drops what was handed
    _show_for_index(dataset["id"])
    _check(dataset["resources"][0]["id"], SUKOREJO, SANANWETAN)  # a check stored after the show
    assert request_cache.handed_to_index(dataset["id"]) == {}
    # a dataset not published gets its state handed, not what its tables cover
    _show_for_index(submitted["id"])
    assert request_cache.handed_to_index(submitted["id"]) == {"state": transitions.DIAJUKAN, "kecamatan": None}


def test_nothing_stale_after_a_new_check_or_a_withdrawal(world, published):
    dataset, _submitted = published
    resource_id = dataset["resources"][0]["id"]
    # a new check of the file: the next index says what it covers now
    _check(resource_id, SANANWETAN)
    search.rebuild(package_ids=[dataset["id"]])
    search.commit()
    assert _indexed(dataset["id"])["vocab_kecamatan"] == ["Kepanjenkidul", "Sananwetan"]
    # withdrawn from publication (the transition reindexes): its kecamatan leave the index
    helpers.call_action("satudata_transition", context={"user": world.name("walidata")}, id=dataset["id"],
                        transition="tarik", note="Data dikoreksi")
    indexed = _indexed(dataset["id"])
    assert indexed["satudata_status"] == [transitions.PERLU_PERBAIKAN] and "vocab_kecamatan" not in indexed
    search.rebuild(package_ids=[dataset["id"]])
    search.commit()
    assert "vocab_kecamatan" not in _indexed(dataset["id"])
