"""Checks of every request before any view or action runs (registered on the whole app by plugin.py)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

import ckan.plugins.toolkit as tk

NUL = "\x00"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(item) for item in value)
    return False


def reject_nul_characters() -> Any:
    """A NUL character in the path, a query parameter, a form field or a JSON body is never valid input (PostgreSQL
    refuses it in text, so it would end in a 500): answered 409 on the API, 400 on pages. Uploaded files are not
    looked at (binary files hold NUL bytes)."""
    request = tk.request
    found = (_has_nul(request.path) or any(_has_nul(v) for v in request.args.values())
             or (request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
                 and any(_has_nul(v) for v in request.form.values()))
             or (request.is_json and _has_nul(request.get_json(silent=True))))
    if not found:
        return None
    message = tk._("The request contains a NUL character, which is not allowed")
    if request.path.startswith("/api/"):
        response = jsonify({"success": False, "help": request.url,
                            "error": {"__type": "Validation Error", "message": message}})
        response.status_code = 409
        return response
    return tk.abort(400, message)


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
