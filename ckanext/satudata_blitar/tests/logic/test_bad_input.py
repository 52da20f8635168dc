"""Bad input never ends in a 500: every field of each of our actions and of the core actions we chain, given the
wrong JSON type (list, object, number, boolean, null, a huge string, a NUL character), is refused with a message
(409, or 403/404 when the id names nothing the user may reach) or accepted; and the pages' own bad input
(NUL characters, a period beyond the calendar, a 1 MB note, an unknown transition) gets a proper message.

The fuzz calls actions in-process (an HTTP request per case would cost minutes): any exception other than
CKAN's ValidationError, NotAuthorized and ObjectNotFound is what the API would answer with a 500."""
import datetime

import pytest

import ckan.logic as logic
import ckan.model as model
import ckan.tests.helpers as helpers
from ckan.lib import search
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module

YEAR = datetime.date.today().year
WRONG = {"list": ["2020"], "dict": {"a": 1}, "int": 7, "bool": True, "null": None, "huge": "x" * 200_000}
# What the API answers with 409, 403 and 404 (a SearchError, e.g. Solr refusing a 200 000-character title, is 409).
# Dataset fields are text to scheming (a number, a boolean or null is taken as text or as empty, like a form's
# input): the kinds that are not are enough there, and each accepted call costs a commit and a Solr index.
DATASET_KINDS = ("list", "dict", "huge")
HANDLED = (logic.ValidationError, logic.NotAuthorized, logic.NotFound, search.SearchError)


def _cases(world):
    """action -> (a valid body, the fields to spoil)."""
    draft = world.datasets[transitions.DRAF]
    submitted = world.datasets[transitions.DIAJUKAN]
    resource = draft["resources"][0]["id"]
    body = world_module._body(world, "fuzz")
    dataset_fields = [f["field_name"] for f in scheming_get_dataset_schema("dataset")["dataset_fields"]]
    element = {"tahun": YEAR, "owner_org": "dinas-kesehatan", "nama": "Unsur fuzz", "definisi": "d",
               "satuan": "s", "frekuensi": "tahunan", "data_prioritas": "ya", "tanggal_target": f"{YEAR}-06-30",
               "package_id": draft["id"]}
    return {
        "package_create": (body, dataset_fields),
        # package_patch runs the chained package_update with the whole dataset: one of the two is enough.
        "package_patch": ({"id": draft["id"]}, dataset_fields),
        "satudata_transition": ({"id": submitted["id"], "transition": "kembalikan_opd", "note": "n"},
                                ["id", "transition", "note"]),
        "satudata_workflow_history": ({"id": draft["id"]}, ["id"]),
        "satudata_revision_create": ({"id": draft["id"]}, ["id"]),
        "satudata_role_history": ({"id": "dinas-kesehatan"}, ["id"]),
        "satudata_verification_queue_page": ({"offset": 0, "limit": 5, "returned": "false", "checks": "true"},
                                             ["offset", "limit", "returned", "checks"]),
        "satudata_pipeline": ({"overdue_limit": 5}, ["overdue_limit"]),
        "satudata_upload_check": ({"id": resource}, ["id"]),
        "satudata_official_names": ({"id": resource}, ["id"]),
        "satudata_report_monitoring": ({"period": str(YEAR), "owner_org": "dinas-kesehatan", "list_limit": 5},
                                       ["period", "owner_org", "list_limit"]),
        "satudata_report_evaluation": ({"period": str(YEAR), "owner_org": "dinas-kesehatan", "list_limit": 5},
                                       ["period", "owner_org", "list_limit"]),
        "satudata_report_archive_list": ({"limit": 5, "offset": 0}, ["limit", "offset"]),
        "satudata_report_archive_show": ({"id": 1}, ["id"]),
        "satudata_data_element_create": (element, list(element)),
        "satudata_data_element_list": ({"tahun": YEAR, "owner_org": "dinas-kesehatan", "status": "terbit"},
                                       ["tahun", "owner_org", "status"]),
        "satudata_data_element_show": ({"id": "x"}, ["id"]),
        "satudata_data_element_delete": ({"id": "x"}, ["id"]),
        "satudata_data_element_link": ({"id": "x", "package_id": draft["id"]}, ["id", "package_id"]),
        "member_create": ({"id": "bappeda", "object": "ckan-member", "object_type": "user", "capacity": "member"},
                          ["id", "object", "object_type", "capacity"]),
        "member_list": ({"id": "dinas-kesehatan", "object_type": "package"}, ["id", "object_type", "capacity"]),
        "tag_list": ({}, ["query", "vocabulary_id", "all_fields"]),
        "tag_show": ({"id": "x"}, ["id"]),
        "package_search": ({"q": "*:*"}, ["q", "fq", "rows", "sort", "start", "facet.field"]),
        "datastore_search": ({"resource_id": resource}, ["resource_id", "q", "filters", "records_format",
                                                         "limit"]),
    }


def test_wrong_types_never_end_in_a_500(world):
    sysadmin = world.name("sysadmin")
    crashes = []
    for action, (valid, fields) in _cases(world).items():
        kinds = DATASET_KINDS if action.startswith("package_") else tuple(WRONG)
        for field in fields:
            for kind in kinds:
                value = WRONG[kind]
                try:
                    helpers.call_action(action, context={"user": sysadmin}, **{**valid, field: value})
                except logic.ValidationError as error:
                    if not error.error_dict and not error.message:
                        crashes.append((action, field, kind, "ValidationError without a message"))
                    model.Session.rollback()
                except HANDLED:
                    model.Session.rollback()
                except Exception as error:  # what the API answers with a 500
                    model.Session.rollback()
                    crashes.append((action, field, kind, f"{type(error).__name__}: {str(error)[:120]}"))
    assert crashes == []


def test_the_datastores_object_query_is_still_accepted(world):
    """`q` is not in input_types.TEXT: datastore_search takes {"column": "words"} there."""
    from ckanext.satudata_blitar.logic import input_types
    assert input_types.type_errors({"q": {"kecamatan": "Sukorejo"}, "resource_id": "x"}) == {}
    assert set(input_types.type_errors({"id": ["x"], "rows": ["ten"], "tahun": {}})) == {"id", "rows", "tahun"}
    # Text in a number field is the action's validators' to judge, with their own message.
    assert input_types.type_errors({"rows": "ten", "tahun": "dua ribu"}) == {}


def _api(app, world, viewer, action, **params):
    return app.post(f"/api/3/action/{action}", json=params, headers=world.token(viewer), status=None)


@pytest.mark.parametrize("url", ["/laporan?owner_org=a%00b", "/laporan?opd=a%00b", "/laporan/monitoring.xlsx?opd=%00",
                                 "/laporan/evaluation.csv?owner_org=%00", "/elemen-data?owner_org=%00",
                                 f"/elemen-data/{YEAR}.xlsx?owner_org=%00", "/dataset/a%00b",
                                 "/dataset/a%00b/metadata.xlsx", "/dataset/a%00b/template.xlsx"])
def test_a_nul_character_in_a_page_or_download_is_a_bad_request(app, world, url):
    assert app.get(url, headers=world.token("walidata"), status=None).status_code == 400


@pytest.mark.parametrize("action, params", [
    ("satudata_transition", {"id": "a\x00b", "transition": "ajukan"}),
    ("satudata_workflow_history", {"id": "a\x00b"}),
    ("satudata_report_monitoring", {"period": "2026", "owner_org": "\x00"}),
    ("package_show", {"id": "a\x00b"}),
])
def test_a_nul_character_in_an_action_is_a_validation_error(app, world, action, params):
    response = _api(app, world, "walidata", action, **params)
    assert response.status_code == 409
    assert "NUL" in response.json["error"]["message"]


def test_a_period_beyond_the_calendar_is_a_validation_message(app, world):
    response = _api(app, world, "walidata", "satudata_report_monitoring", period="9999")
    assert response.status_code == 409
    assert "out of range" not in str(response.json["error"]) and "9999" in str(response.json["error"])
    assert app.get("/laporan/monitoring.xlsx?period=9999", headers=world.token("walidata"),
                   status=None).status_code == 400


def test_a_transition_note_is_at_most_2000_characters(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DIAJUKAN, name="long-note")
    too_long = _api(app, world, "verifikator_opd", "satudata_transition", id=dataset["id"],
                    transition="kembalikan_opd", note="x" * 2001)
    assert too_long.status_code == 409 and "note" in too_long.json["error"]
    assert _api(app, world, "verifikator_opd", "satudata_transition", id=dataset["id"],
                transition="kembalikan_opd", note="x" * 2000).status_code == 200


def test_an_unknown_transition_is_refused_in_the_portals_language(app, world):
    dataset = world.datasets[transitions.DIAJUKAN]
    response = _api(app, world, "operator", "satudata_transition", id=dataset["id"], transition="hapus")
    assert response.status_code == 409
    assert "Transisi tidak dikenal" in str(response.json["error"]["transition"])


# --- pages and the catalogue: a page number or a query Solr cannot take is a client error --------------------

@pytest.mark.parametrize("page, status", [("99999999999999999999", 404), ("999999999", 404), ("5000", 404),
                                          ("abc", 400)])
def test_a_topic_page_beyond_the_last_is_not_found(app, world, page, status):
    assert app.get(f"/topik/kesehatan?page={page}", status=None).status_code == status
    assert app.get("/topik/kesehatan?page=1", status=None).status_code == 200


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=999999999", "page=abc",
                                   "q={!func}log(0)", "q=%7B!join%20from=id%20to=id%7D*:*",
                                   "q={!lucene df=id}x", "fq={!frange l=1}1"])
def test_the_catalogue_refuses_a_page_or_query_solr_cannot_take(app, world, query):
    response = app.get(f"/catalog.ttl?{query}", status=None)
    assert response.status_code == 409
    assert "permission_labels" not in response.body and "SOLR" not in response.body
    assert app.get("/catalog.ttl?page=1&q=data", status=None).status_code == 200
