"""Template helpers of CKAN's own pages in the portal: access checks asked once per user, the activity and
error pages' words, the Data API pop-up and the view frame's label."""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.language import N_

__all__: list[str] = [
    "satudata_check_access", "satudata_api_guide_url", "satudata_data_api_example", "satudata_activity_type_label",
    "satudata_htmx_activity_filter", "satudata_error_text", "satudata_label_view_frame",
]


def satudata_check_access(action: str, data_dict: dict[str, Any] | None = None) -> bool:
    """h.check_access with the logged-in user's object in the context: CKAN's own looks the user up by name on
    every call, one query per dataset of a list that asks it per dataset. The auth function decides, as always."""
    user = tk.current_user
    context = {"user": user.name if user.is_authenticated else "",
               "auth_user_obj": user._get_current_object() if user.is_authenticated else None}
    try:
        tk.check_access(action, context, data_dict or {})
    except tk.NotAuthorized:
        return False
    return True


def satudata_api_guide_url() -> str:
    """The portal's API guide (/panduan-api, plugin satudata_interop), else CKAN's API root."""
    if p.plugin_loaded("satudata_interop"):
        return tk.h.url_for("satudata_interop.api_guide")
    return tk.h.url_for("api.get_api", ver=3)


def satudata_data_api_example(resource_id: str) -> dict[str, Any]:
    """What the "Data API" pop-up shows of a DataStore table, from the table itself: its columns, a value of its
    first text column to filter and search by, and whether its dataset is public (then no API token is needed)."""
    try:
        found = tk.get_action("datastore_search")({}, {"resource_id": resource_id, "limit": 1})
        resource = tk.get_action("resource_show")({}, {"id": resource_id})
        private = tk.get_action("package_show")({}, {"id": resource["package_id"]}).get("private", True)
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {"columns": [], "column": None, "value": None, "public": False}
    columns = [f["id"] for f in found["fields"] if f["id"] != "_id"]
    text = next((f["id"] for f in found["fields"] if f["type"] == "text" and f["id"] != "_id"), None)
    value = found["records"][0].get(text) if text and found["records"] else None
    return {"columns": columns, "column": text if value not in (None, "") else None,
            "value": value if value not in (None, "") else None, "public": not private}

# CKAN's activity types (the activity pages' filter lists them as their raw English names).
ACTIVITY_TYPE_LABELS = {
    "new package": N_("Dataset created"), "changed package": N_("Dataset changed"),
    "deleted package": N_("Dataset deleted"), "follow dataset": N_("Dataset followed"),
    "new resource view": N_("View created"), "changed resource view": N_("View changed"),
    "deleted resource view": N_("View deleted"),
    "new user": N_("User created"), "changed user": N_("User changed"), "follow user": N_("User followed"),
    "new group": N_("Topic created"), "changed group": N_("Topic changed"), "deleted group": N_("Topic deleted"),
    "follow group": N_("Topic followed"),
    "new organization": N_("OPD created"), "changed organization": N_("OPD changed"),
    "deleted organization": N_("OPD deleted"), "follow organization": N_("OPD followed"),
}


def satudata_activity_type_label(activity_type: str) -> str:
    label = ACTIVITY_TYPE_LABELS.get(activity_type)
    return tk._(label) if label else activity_type


def satudata_htmx_activity_filter() -> bool:
    """Whether the activity type filter loads its page with htmx (CKAN 2.12) or with its JavaScript module (2.11)."""
    return adapters.CKAN_2_12

# Error pages: CKAN shows werkzeug's English name and description of the status when the code gave none.
ERROR_TEXTS = {
    400: (N_("Bad request"), N_("The request could not be understood. Check the address or the form and try again.")),
    403: (N_("Not authorized"), N_("You may not see this page.")),
    404: (N_("Page not found"), N_("The page you asked for does not exist or has moved. Check the address, or "
                                   "search for the dataset.")),
    405: (N_("Not allowed"), N_("This page cannot be used this way.")),
    413: (N_("Too large"), N_("What you sent is larger than the portal accepts.")),
    429: (N_("Too many requests"), N_("Too many requests in a short time: please wait a moment and try again.")),
    500: (N_("Server error"), N_("Something went wrong on the portal. Please try again later.")),
}


def satudata_error_text(code: Any, name: str | None, content: Any) -> tuple[str, Any]:
    """The heading and text of an error page: werkzeug's English defaults replaced, a description the code gave
    (already translated) kept."""
    import werkzeug.exceptions

    number = code[0] if isinstance(code, (list, tuple)) and code else code
    try:
        number = int(number)
    except (TypeError, ValueError):
        return name or "", content
    default = werkzeug.exceptions.default_exceptions.get(number)
    title, text = ERROR_TEXTS.get(number, (None, None))
    heading = tk._(title) if title else name or ""
    if text and (not content or (default and str(content).strip() == default.description.strip())
                 or str(content).strip() == "Internal server error"):
        content = tk._(text)
    return heading, content


def satudata_label_view_frame(html: Any) -> Markup:
    """CKAN's resource view snippet with its frame's English label ("Data viewer") in the user's language: an
    aria-label on CKAN 2.12 (given a title too), a title on 2.11."""
    label = escape(tk._("Data viewer"))
    return Markup(str(html).replace('aria-label="Data viewer"', f'aria-label="{label}" title="{label}"')
                  .replace('title="Data viewer"', f'title="{label}"'))
