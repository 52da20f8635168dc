"""Limits on what one request may hold (docs/security.md, "Limits and groups"): the size of a request body (413,
uploads still up to their own limit), the nesting of JSON, the length of every free-text field, the number of a
dataset's extras, tags, resources and groups, and titles without invisible or text-direction characters — each
refused with a message naming the field, through the Action API and the dataset form."""
import io
import json

import pytest

import ckan.tests.helpers as helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module

MB = 1024 * 1024
# The defaults of config_declaration.yaml.
MAX_BODY = 2 * MB
MAX_TEXT = 20000
MAX_TITLE = 500

pytestmark = pytest.mark.world(states=[transitions.DRAF])


def _api(app, world, viewer, action, **params):
    return app.post(f"/api/3/action/{action}", json=params, headers=world.token(viewer), status=None)


def _draft(world):
    return world.datasets[transitions.DRAF]


# --- request bodies ---------------------------------------------------------------------------------------------

def test_a_json_body_over_the_limit_is_413_before_anything_reads_it(app, world):
    body = json.dumps({"id": _draft(world)["id"], "notes": "x" * MAX_BODY})
    response = app.post("/api/3/action/package_patch", data=body, status=None,
                        headers={**world.token("operator"), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["success"] is False and "MB" in response.json["error"]["message"]
    assert helpers.call_action("package_show", id=_draft(world)["id"])["notes"] == "Data uji."


def test_a_form_without_files_over_the_limit_is_413(app, world):
    """2.4 MB in fields of 8 KB. A guard more than a new refusal: Flask 3.1 already refuses an urlencoded form
    over 500 KB (MAX_FORM_MEMORY_SIZE); a multipart form has the upload's allowance (body_limit)."""
    fields = {f"catatan_{n}": "x" * 8000 for n in range(300)}
    response = app.post("/dataset/new", data={"name": "besar", **fields}, status=None,
                        headers=world.token("operator"))
    assert response.status_code == 413


def test_a_multipart_body_over_the_largest_upload_is_413_from_its_length(app, world):
    """Refused from Content-Length, before the body is read (60 MB: over the 50 MB upload limit and the form)."""
    response = app.post("/api/3/action/resource_create", headers=world.token("operator"), status=None,
                        data={"package_id": _draft(world)["id"], "upload": (io.BytesIO(b"a,b\n1,2\n"), "a.csv")},
                        environ_overrides={"CONTENT_LENGTH": str(60 * MB)})
    assert response.status_code == 413


def test_an_upload_larger_than_the_plain_limit_is_still_accepted(app, world):
    content = b"kecamatan,jumlah\n" + b"Sukorejo,7\n" * (3 * MB // 11)
    assert len(content) > MAX_BODY
    response = app.post("/api/3/action/resource_create", headers=world.token("operator"), status=None,
                        data={"package_id": _draft(world)["id"], "name": "Data besar", "format": "CSV",
                              "upload": (io.BytesIO(content), "besar.csv")})
    assert response.status_code == 200, response.body[:300]
    assert response.json["result"]["size"] == len(content)


# --- JSON nesting -----------------------------------------------------------------------------------------------

def _nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [32, 5000])
def test_json_nested_too_deep_is_refused_not_a_500(app, world, depth):
    response = app.post("/api/3/action/package_search", data='{"q": "air", "facet.field": ' + _nested(depth) + "}",
                        headers={"Content-Type": "application/json"}, status=None)
    assert response.status_code == 409
    assert "32" in response.json["error"]["message"]


def test_json_nested_to_the_limit_reaches_the_action(app, world):
    """The object and 31 lists: 32 levels."""
    response = app.post("/api/3/action/package_search", data='{"q": "air", "facet.field": ' + _nested(31) + "}",
                        headers={"Content-Type": "application/json"}, status=None)
    assert response.status_code != 500
    assert "32" not in str(response.json["error"])


def test_json_depth_is_counted_without_recursion_and_without_strings():
    from ckanext.satudata_blitar.views import guards
    assert guards.json_depth('{"a": "[[[[[[[[", "b": [{"c": "]]]]"}]}') == 3
    assert guards.json_depth('{"a": "\\"[[[["}') == 1
    assert guards.json_depth(_nested(100_000)) == 100_000
    assert guards.json_depth("teks biasa") == 0


def test_a_nested_query_parameter_on_a_page_is_a_bad_request(app, world):
    assert app.get(f"/dataset/?q={_nested(40)}", status=None).status_code == 400


# --- fields -----------------------------------------------------------------------------------------------------

def _too_many(key, number):
    if key == "extras":
        return [{"key": f"kunci_{n}", "value": "v"} for n in range(number)]
    if key == "tags":
        return [{"name": f"tag-{n}"} for n in range(number)]
    return [{"name": f"Data {n}", "url": f"https://example.org/{n}.csv"} for n in range(number)]


@pytest.mark.parametrize("field, value, number", [
    ("notes", "x" * (MAX_TEXT + 1), MAX_TEXT),
    ("title", "x" * (MAX_TITLE + 1), MAX_TITLE),
    ("title", "Data Penduduk \u202eatad", None),
    ("title", "Data\u200b Penduduk", None),
    ("extras", _too_many("extras", 101), 100),
    ("extras", [{"key": "catatan", "value": "x" * (MAX_TEXT + 1)}], MAX_TEXT),
    ("tags", _too_many("tags", 101), 100),
    ("resources", _too_many("resources", 201), 200),
    ("resources", [{"name": "Data", "url": "https://example.org/a.csv", "description": "x" * (MAX_TEXT + 1)}],
     MAX_TEXT),
    ("resources", [{"name": "Data\u202e", "url": "https://example.org/a.csv"}], None),
    ("tag_string", ",".join(f"tag-{n}" for n in range(101)), 100),
    ("frekuensi_bebas", "x" * (MAX_TEXT + 1), MAX_TEXT),
])
def test_a_dataset_field_over_its_limit_is_refused_with_the_field_named(app, world, field, value, number):
    """Through the API (package_patch runs package_update with the whole dataset, as resource_create does)."""
    before = helpers.call_action("package_show", id=_draft(world)["id"])
    response = _api(app, world, "operator", "package_patch", id=_draft(world)["id"], **{field: value})
    assert response.status_code == 409
    error = response.json["error"]
    assert field in error
    if number:
        assert str(number) in json.dumps(error[field])
    after = helpers.call_action("package_show", id=_draft(world)["id"])
    assert after["metadata_modified"] == before["metadata_modified"]


def test_a_resource_description_over_the_limit_is_refused_by_resource_create(app, world):
    response = _api(app, world, "operator", "resource_create", package_id=_draft(world)["id"], name="Data",
                    url="https://example.org/a.csv", description="x" * (MAX_TEXT + 1))
    assert response.status_code == 409
    assert "description" in response.json["error"]


@pytest.mark.parametrize("action, data", [
    ("organization_patch", {"id": "bappeda", "description": "x" * (MAX_TEXT + 1)}),
    ("organization_patch", {"id": "bappeda", "title": "Bappeda \u202e"}),
    ("group_create", {"name": "grup-panjang", "description": "x" * (MAX_TEXT + 1)}),
    ("group_create", {"name": "grup-arah", "title": "Dinas Kesehatan \u202e(Resmi)"}),
])
def test_opd_and_group_fields_over_their_limits_are_refused(app, world, action, data):
    response = _api(app, world, "walidata", action, **data)
    assert response.status_code == 409
    assert set(data) - {"id", "name"} <= set(response.json["error"])


def test_the_dataset_form_names_the_field_over_its_limit(app, world):
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="form-limit")
    browser = world_module.logged_in(app, world, "operator")
    page = browser.get(f"/dataset/edit/{dataset['name']}")
    form = {"_csrf_token": world_module.csrf_token(page.body), "name": dataset["name"], "title": dataset["title"],
            "notes": "x" * (MAX_TEXT + 1), "owner_org": dataset["owner_org"], "save": ""}
    response = browser.post(f"/dataset/edit/{dataset['name']}", data=form, status=None)
    assert response.status_code == 200
    assert str(MAX_TEXT) in response.body
    assert helpers.call_action("package_show", id=dataset["id"])["notes"] == "Data uji."


def test_limits_hold_in_process_too(world):
    """Not only the API: an action called by code (a plugin, the CLI) is refused before CKAN validates (200 000
    extras held a web process for 25 minutes)."""
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("package_patch", context={"user": world.name("operator")}, id=_draft(world)["id"],
                            extras=[{"key": f"k{n}", "value": "v"} for n in range(2000)])
    assert "extras" in error.value.error_dict


def test_file_storage_values_are_not_text(world):
    """An uploaded file in a resource (revisions copy files so) is not a text field."""
    from ckanext.satudata_blitar.logic import input_types
    upload = FileStorage(io.BytesIO(b"a"), "a.csv")
    assert input_types.type_errors({"resources": [{"name": "Data", "upload": upload}]}) == {}
