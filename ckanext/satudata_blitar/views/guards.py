"""Checks of every request before any view or action runs (registered on the whole app by plugins/)."""
from __future__ import annotations

import re
from typing import Any, Iterator

from flask import jsonify

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# JSON strings (whose brackets are text) and the brackets of arrays and objects.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def _refused(status: int, message: str) -> Any:
    """A refusal before any view runs: JSON as the Action API answers on /api/, CKAN's error page elsewhere."""
    if tk.request.path.startswith("/api/"):
        response = jsonify({"success": False, "help": tk.request.url,
                            "error": {"__type": "Validation Error", "message": message}})
        response.status_code = status
        return response
    return tk.abort(status, message)


def body_limit() -> int:
    """The largest request body accepted: config.max_body_bytes(), plus the largest upload for a multipart form (a
    file and its form's fields)."""
    limit = config.max_body_bytes()
    if tk.request.mimetype == "multipart/form-data":
        limit += max(config.upload_max_bytes(), config.metadata_xlsx_max_upload_bytes(),
                     tk.config.get("ckan.max_resource_size") * 1024 * 1024)
    return limit


def limit_request_body() -> Any:
    """A request body over body_limit() is answered 413 before anything reads it (registered first, before CKAN's
    CSRF check parses the form). A body without Content-Length (chunked) is cut at the same size by Werkzeug, which
    answers 413 itself."""
    request = tk.request
    limit = body_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        return _refused(413, tk._("The request is too large: at most {size} MB is accepted").format(
            size=f"{limit / 1024 / 1024:.1f}".removesuffix(".0")))
    return None


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest, counted without parsing it (Python's parser and every
    recursive walk end in a RecursionError on deep enough input): its strings are cut out, then its brackets
    counted. For text that is not JSON the count is only an estimate, never an error."""
    if "[" not in text and "{" not in text:
        return 0
    depth = deepest = 0
    for bracket in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _values(value: Any) -> Iterator[Any]:
    """Every key and value inside `value` (dicts, lists, tuples), iteratively: no nesting ends in recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _has_nul(value: Any) -> bool:
    return any(isinstance(item, str) and NUL in item for item in _values(value))


def _texts() -> Iterator[str]:
    """The request's path, query keys and values, form keys and values (not files) and its body when it is not a
    form (the Action API reads JSON there, and JSON in a form key)."""
    request = tk.request
    yield request.path
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    if request.mimetype in FORM_TYPES:
        for key, value in request.form.items(multi=True):
            yield key
            yield value
    else:
        yield request.get_data(cache=True).decode("utf-8", "replace")


def reject_bad_input() -> Any:
    """Input that is never valid, refused before any view or action runs (409 on the API, 400 on pages):
    - a NUL character in the path, a query parameter, a form field or a JSON body (PostgreSQL refuses it in text,
      so it would end in a 500); uploaded files are not looked at (binary files hold NUL bytes);
    - JSON (a body, or JSON text in a parameter or form field) nested deeper than config.max_json_depth(): parsing
      it, or walking it, would end in a RecursionError."""
    request = tk.request
    api = request.path.startswith("/api/")
    status = 409 if api else 400
    texts = list(_texts())
    max_depth = config.max_json_depth()
    if any(json_depth(text) > max_depth for text in texts):
        return _refused(status, tk._("The request nests lists or objects more than {depth} levels deep").format(
            depth=max_depth))
    found = (any(NUL in text for text in texts) or (request.is_json and _has_nul(request.get_json(silent=True))))
    if found:
        return _refused(status, tk._("The request contains a NUL character, which is not allowed"))
    return None


def not_authorized(error: Exception) -> Any:
    """A page that meets an auth refusal its view does not catch (CKAN's resource page lists the resource's views
    without catching NotAuthorized: a file the upload check has not accepted) answers CKAN's 403 page, not a 500."""
    message = str(error) or tk._("Not authorized to see this page")
    return tk.render("error_document_template.html", {"code": [403], "content": message, "name": "Forbidden"}), 403


def unaccepted_file_pages() -> Any:
    """A resource's page is its file's page (its views, its download button): for a file the upload check has not
    accepted it answers 403 to whoever resource_show refuses (logic/auth/tables.py), as the download and the views
    do. CKAN's resource page itself asks only package_show."""
    request = tk.request
    resource_id = (request.view_args or {}).get("resource_id")
    if not resource_id or not (request.blueprint or "").endswith("resource") \
            or (request.endpoint or "").rsplit(".", 1)[-1] != "read":
        return None
    try:
        tk.check_access("resource_show", {"user": tk.current_user.name, "auth_user_obj": tk.current_user},
                        {"id": resource_id})
    except tk.NotAuthorized as error:
        return not_authorized(error)
    except tk.ObjectNotFound:
        pass
    return None
