"""Pages of the verification workflow (SOP steps 3–6): the dataset panel's transitions and revisions, and the
verification queue."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.pagination import Page

from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.views.responses import error_text


def _panel_action(action: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Runs an action posted from the dataset page's workflow panel: its result, or None after flashing why it was
    refused (an unknown dataset is a 404)."""
    try:
        return tk.get_action(action)({}, data)
    except tk.NotAuthorized as error:
        tk.h.flash_error(str(error) or tk._("You may not do this"))
    except tk.ObjectNotFound:
        tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        tk.h.flash_error(error_text(error))
    return None


def _confirmation(id: str, data: dict[str, Any], chosen: Any) -> Any:
    """The page that asks before a publication or a withdrawal: what becomes public (or hidden), with the button
    that makes the transition."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    return tk.render("satudata/workflow/confirm.html", {
        "pkg": pkg, "transition": chosen, "note": data["note"],
        "files": tk.h.satudata_data_files(pkg["id"]), "came_from": tk.request.form.get("came_from", "")})


def transition(id: str) -> Any:
    """POST from the dataset page's workflow panel: make a transition, then back to the dataset. A publication or a
    withdrawal asks first (its confirmation page posts here again with `confirmed`)."""
    data = {"id": id, "transition": tk.request.form.get("transition", ""), "note": tk.request.form.get("note", "")}
    chosen = tk.h.satudata_transition_asking_first(data["transition"])
    if chosen and not tk.asbool(tk.request.form.get("confirmed")) \
            and tk.h.satudata_check_access("satudata_transition", {"id": id, "transition": chosen.name}):
        return _confirmation(id, data, chosen)
    result = _panel_action("satudata_transition", data)
    if result:
        tk.h.flash_success(tk._("Status changed to {state}").format(state=result["event"]["to_state_label"]))
    came_from = tk.request.form.get("came_from", "")
    # Back to the list the button was pressed in (a path of this site only), else to the dataset.
    if came_from.startswith("/") and not came_from.startswith("//") and "\\" not in came_from:
        return tk.redirect_to(came_from)
    return tk.redirect_to("dataset.read", id=id)


def verification() -> Any:
    """The user's verification list: what waits for them, oldest first, against the SOP's standard time, paged as
    CKAN pages its dataset lists (`ckan.datasets_per_page`, ?page=N); how many wait and how many are overdue over
    all pages. Only the page's datasets get their files and completeness checked."""
    number = tk.h.get_page_number(tk.request.args)
    per_page = tk.config.get("ckan.datasets_per_page")
    try:
        queue = tk.get_action("satudata_verification_queue_page")({"auth_user_obj": tk.current_user}, {
            "offset": (number - 1) * per_page, "limit": per_page})
    except tk.NotAuthorized:
        return tk.redirect_to("user.login")
    page = Page(collection=queue["results"], page=number, url=tk.h.pager_url, items_per_page=per_page,
                item_count=queue["count"], presliced_list=True)
    if page.page != number:  # a page past the last: the last one, with its own datasets checked
        return tk.redirect_to("satudata.verification", page=page.page)
    return tk.render("satudata/workflow/verification.html", {
        "items": page.items, "page": page, "total": queue["count"], "overdue": queue["overdue"]})


def verify(id: str) -> Any:
    """One page to verify or return a dataset: its transitions, each file's upload check and table preview, the
    changes since it was last returned, and its metadata. For the people of the workflow (package_show decides)."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    if not tk.h.satudata_check_access("satudata_workflow_history", {"id": pkg["id"]}):
        return tk.redirect_to("dataset.read", id=pkg["name"])
    return tk.render("satudata/workflow/verify.html", {
        "pkg": pkg, "pkg_dict": pkg, "schema": tk.h.scheming_get_dataset_schema(pkg["type"]),
        "transitions": tk.h.satudata_available_transitions(pkg), "files": tk.h.satudata_data_files(pkg["id"]),
        "changes": tk.h.satudata_changes_since_return(pkg)})


def revise(id: str) -> Any:
    """POST from a published dataset's panel: start a pending revision and open it for editing."""
    revision = _panel_action("satudata_revision_create", {"id": id})
    if not revision:
        return tk.redirect_to("dataset.read", id=id)
    tk.h.flash_success(tk._("Your changes go into this revision; submit it for verification when done."))
    return tk.redirect_to("dataset.edit", id=revision["name"])


satudata.add_url_rule("/dataset/<id>/transition", view_func=transition, methods=["POST"])
satudata.add_url_rule("/dataset/<id>/revisi", view_func=revise, methods=["POST"])
satudata.add_url_rule("/verifikasi", view_func=verification)
satudata.add_url_rule("/verifikasi/<id>", view_func=verify)
