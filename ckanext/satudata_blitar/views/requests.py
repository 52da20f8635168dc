"""Pages of the data requests (permohonan data): the public list, the form, a request with its answer forms, the
requester's own list and the answerers' queue."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.views.responses import error_text, refuse

PAGE_SIZE = 20
FORM_FIELDS = ["title", "description", "period", "area", "purpose", "owner_org", "data_format", "website"]
# The steps posted from a request's page: the action, and the form fields it reads.
STEPS = {
    "route": ("satudata_data_request_route", ["owner_org", "note"]),
    "answer": ("satudata_data_request_answer", ["outcome", "package_id", "reason", "clause", "note"]),
    "extend": ("satudata_data_request_extend", ["note"]),
    "follow_up": ("satudata_data_request_follow_up", ["note"]),
    "close": ("satudata_data_request_close", ["note"]),
    "hide": ("satudata_data_request_hide", ["hidden"]),
}


ENDPOINTS = {"all": "satudata.data_requests", "mine": "satudata.my_data_requests",
             "queue": "satudata.data_request_queue"}


def _page_number() -> int:
    text = tk.request.args.get("page", "1")
    return max(1, min(int(text), 10_000)) if text.isdigit() else 1


def _listing(kind: str) -> Any:
    """The public list (kind "all"), the user's own ("mine") or the answerers' queue ("queue")."""
    filters = {key: (tk.request.args.get(key) or "").strip()[:200] for key in ("q", "state", "owner_org")}
    page = _page_number()
    query: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    if kind == "queue":
        query["queue"] = True
    else:
        query.update({key: value for key, value in filters.items() if value})
        if kind == "mine":
            query["mine"] = True
    errors: dict[str, Any] = {}
    try:
        found = tk.get_action("satudata_data_request_list")({}, query)
    except tk.NotAuthorized as error:
        return refuse(str(error))
    except tk.ValidationError as error:
        found, errors = {"count": 0, "results": []}, error.error_dict
    return tk.render("satudata/requests/index.html", {
        "kind": kind, "filters": filters, "errors": errors, "requests": found["results"], "count": found["count"],
        "page": page, "pages": max(1, -(-found["count"] // PAGE_SIZE)), "opds": tk.h.satudata_opds(),
        "endpoint": ENDPOINTS[kind],
        "pager_filters": {key: value for key, value in filters.items() if value and kind != "queue"}})


def data_requests() -> Any:
    """Every data request: its text, OPD, status and dates; search and a status filter."""
    return _listing("all")


def my_data_requests() -> Any:
    """The user's own requests."""
    return _listing("mine")


def data_request_queue() -> Any:
    """What waits for the user's answer, oldest first, against the 10 (17) working days."""
    return _listing("queue")


def data_request_new() -> Any:
    """GET: the form (logged-in users; others log in or register first); POST: file it and show it."""
    try:
        tk.check_access("satudata_data_request_create", {}, {})
    except tk.NotAuthorized as error:
        return refuse(str(error))
    data = {"owner_org": tk.request.args.get("owner_org", "")[:100], "title": tk.request.args.get("q", "")[:200]}
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        data = {field: tk.request.form.get(field, "") for field in FORM_FIELDS}
        try:
            filed = tk.get_action("satudata_data_request_create")({}, {k: v for k, v in data.items() if v})
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            tk.h.flash_success(tk._("Your data request #{number} has been filed. You will get an e-mail when it "
                                    "is answered.").format(number=filed["id"]))
            return tk.redirect_to("satudata.data_request", id=filed["id"])
    return tk.render("satudata/requests/form.html", {"data": data, "errors": errors, "opds": tk.h.satudata_opds()})


def data_request(id: int) -> Any:
    """A request: its text, OPD, status, time, answer and history, and the forms of what the user may do."""
    try:
        request = tk.get_action("satudata_data_request_show")({}, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    return tk.render("satudata/requests/read.html", {"request": request, "opds": tk.h.satudata_opds()})


def data_request_step(id: int, step: str) -> Any:
    """POST from a request's page: route, answer, extend, follow up, close or hide; then back to the request."""
    if step not in STEPS:
        return tk.abort(404)
    action, fields = STEPS[step]
    data = {field: tk.request.form.get(field, "") for field in fields if tk.request.form.get(field, "")}
    if step == "hide":
        data["hidden"] = tk.request.form.get("hidden", "false")
    try:
        tk.get_action(action)({}, {"id": id, **data})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    except tk.NotAuthorized as error:
        return refuse(str(error))
    except tk.ValidationError as error:
        tk.h.flash_error(error_text(error))
    else:
        tk.h.flash_success(tk._("Data request updated"))
    return tk.redirect_to("satudata.data_request", id=id)


satudata.add_url_rule("/permohonan-data", view_func=data_requests)
satudata.add_url_rule("/permohonan-data/saya", view_func=my_data_requests)
satudata.add_url_rule("/permohonan-data/antrean", view_func=data_request_queue)
satudata.add_url_rule("/permohonan-data/baru", view_func=data_request_new, methods=["GET", "POST"])
satudata.add_url_rule("/permohonan-data/<int:id>", view_func=data_request)
satudata.add_url_rule("/permohonan-data/<int:id>/<step>", view_func=data_request_step, methods=["POST"])
