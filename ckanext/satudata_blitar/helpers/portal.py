"""Template helpers of the portal's face: the theme (logo, contact, the SOP), the home page, the OPD and topic pages
and the role dashboards.

Whatever a visitor may see of the catalogue is asked of package_search **as an anonymous visitor** and without
private datasets, whoever is logged in: a published dataset is the only public one (the workflow keeps `private`
equal to "not Terbit"), so nothing unpublished reaches a count, a tile or a list of the public pages.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_field_by_name, scheming_get_dataset_schema, scheming_language_text

from ckanext.satudata_blitar import config, language, request_cache
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions

log = logging.getLogger(__name__)

__all__: list[str] = [
    "satudata_public_search", "satudata_logo", "satudata_contact", "satudata_sop_steps", "satudata_public_stats",
    "satudata_topics",
    "satudata_topic_label", "satudata_latest_datasets", "satudata_popular_datasets", "satudata_home_charts",
    "satudata_tracking_enabled", "satudata_element_summary", "satudata_my_roles", "satudata_return_reason",
    "satudata_this_year", "satudata_opd_element_summary", "satudata_table_preview", "satudata_changes_since_return",
]


def _anonymous() -> dict[str, Any]:
    """A context for actions asked on behalf of an anonymous visitor."""
    return {"user": "", "auth_user_obj": None}


def satudata_public_search(**params: Any) -> dict[str, Any]:
    """package_search as an anonymous visitor, published datasets only (whoever is logged in)."""
    params.update({"include_private": False, "include_drafts": False})
    # Datasets only: a statistical activity (MS-Keg) public with its datasets is not one of them.
    params["fq"] = f"+dataset_type:dataset {params.get('fq') or ''}".strip()
    return tk.get_action("package_search")(_anonymous(), params)


# --- the theme --------------------------------------------------------------------------------------------------

def satudata_logo() -> str:
    """The header logo's URL, or "" to show the portal's name as text."""
    logo = config.logo()
    return tk.h.url_for_static_or_external(logo) if logo else ""


def satudata_contact() -> dict[str, str]:
    return config.contact()


# The SOP (Perwali on Satu Data Kota Blitar as implemented here): step, who, standard time (None: none set).
SOP_STEPS = [
    ("elemen", lambda: tk._("Set the daftar elemen data"), lambda: tk._("Walidata"),
     lambda: tk._("5 working days, once a year before the data is due"),
     lambda: tk._("The list of the data each OPD must provide in the year, with target dates.")),
    ("metadata", lambda: tk._("Fill in the metadata"), lambda: tk._("Operator Data"), lambda: tk._("With the data"),
     lambda: tk._("The statistical metadata of each dataset, as Peraturan BPS 5/2020 asks.")),
    ("unggah", lambda: tk._("Upload the data"), lambda: tk._("Operator Data"),
     lambda: tk._("1 working hour"),
     lambda: tk._("The table (.xlsx, .xls, .csv) is checked and loaded, then submitted for verification.")),
    ("verifikasi_opd", lambda: tk._("Verification by the OPD"), lambda: tk._("Verifikator OPD"),
     lambda: tk._("1 working day"),
     lambda: tk._("The OPD's verifier checks the content and approves it or returns it with a reason.")),
    ("verifikasi_walidata", lambda: tk._("Verification by the Walidata"),
     lambda: tk._("Verifikator Kominfotik / Walidata"), lambda: tk._("1 working day"),
     lambda: tk._("Diskominfotik checks the data standards and metadata and approves or returns it.")),
    ("terbit", lambda: tk._("Publication"), lambda: tk._("Walidata"), lambda: tk._("1 working day"),
     lambda: tk._("The Walidata publishes the dataset on this portal for everyone.")),
    ("monitoring", lambda: tk._("Monitoring"), lambda: tk._("Walidata"), lambda: tk._("Continuously"),
     lambda: tk._("Who waits for whom, and which data elements are late.")),
    ("evaluasi", lambda: tk._("Evaluation"), lambda: tk._("Walidata"), lambda: tk._("Every period"),
     lambda: tk._("Each OPD is scored on data standards, quality and the business process.")),
]


def satudata_sop_steps() -> list[dict[str, Any]]:
    """The SOP's eight steps: number, name, title, role, standard time, description."""
    return [{"number": n, "name": name, "title": title(), "role": role(), "time": time(), "description": text()}
            for n, (name, title, role, time, text) in enumerate(SOP_STEPS, start=1)]


# --- the catalogue as the public sees it ---------------------------------------------------------------------------

def _urusan_choices() -> list[dict[str, Any]]:
    schema = scheming_get_dataset_schema("dataset")
    return scheming_field_by_name(schema["dataset_fields"], "urusan")["choices"] if schema else []


def satudata_topic_label(value: str) -> str | None:
    """The urusan's label in the user's language, or None for a value the schema does not know."""
    choice = next((c for c in _urusan_choices() if c["value"] == value), None)
    return scheming_language_text(choice["label"], prefer_lang=language.current()) if choice else None


def satudata_public_stats() -> dict[str, Any]:
    """Counts of the published catalogue: datasets, OPDs and topics (urusan) with at least one published dataset,
    and the per-OPD and per-urusan counts."""
    result = satudata_public_search(rows=0, **{"facet.field": '["organization", "urusan"]', "facet.limit": -1,
                                      "facet.mincount": 1})
    facets = result.get("facets", {})
    opds, topics = facets.get("organization", {}), facets.get("urusan", {})
    return {"datasets": result["count"], "opds": len(opds), "topics": len(topics), "opd_counts": opds,
            "topic_counts": topics}


def satudata_topics(counts: dict[str, int] | None = None, with_data_only: bool = False) -> list[dict[str, Any]]:
    """The urusan of the dataset schema, in schema order, with their label and number of published datasets."""
    counts = satudata_public_stats()["topic_counts"] if counts is None else counts
    lang = language.current()
    topics = [{"value": c["value"], "label": scheming_language_text(c["label"], prefer_lang=lang),
               "count": counts.get(c["value"], 0)} for c in _urusan_choices()]
    return [t for t in topics if t["count"]] if with_data_only else topics


def satudata_latest_datasets(rows: int | None = None) -> list[dict[str, Any]]:
    """The published datasets most recently published or updated (publication changes the dataset, so
    metadata_modified is its time)."""
    return satudata_public_search(rows=rows or config.home_dataset_count(), sort="metadata_modified desc")["results"]


def satudata_tracking_enabled() -> bool:
    """Whether CKAN counts page views (the `tracking` plugin), which "most viewed" needs."""
    return plugins.plugin_loaded("tracking")


def satudata_popular_datasets(rows: int | None = None) -> list[dict[str, Any]]:
    """The published datasets viewed most in the last 14 days (CKAN's tracking, as `ckan tracking update` last
    counted them), or [] when views are not counted: the home page then says so instead of pretending. A dataset
    nobody viewed is not "most viewed": only those with a view are listed."""
    if not satudata_tracking_enabled():
        return []
    return satudata_public_search(rows=rows or config.home_dataset_count(), fq="views_recent:[1 TO *]",
                                  sort="views_recent desc, metadata_modified desc")["results"]


def satudata_home_charts() -> list[dict[str, Any]]:
    """The chart views the Walidata chose for the home page (`ckanext.satudata_blitar.home_chart_views`) whose
    dataset is published, as `{view, resource, package}`, read as an anonymous visitor."""
    charts = []
    for view_id in config.home_chart_views():
        try:
            view = tk.get_action("resource_view_show")(_anonymous(), {"id": view_id})
            resource = tk.get_action("resource_show")(_anonymous(), {"id": view["resource_id"]})
            package = tk.get_action("package_show")(_anonymous(), {"id": view["package_id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        if package.get("private") or package.get("satudata_status") != transitions.TERBIT:
            continue
        charts.append({"view": view, "resource": resource, "package": package})
    return charts


def satudata_this_year() -> int:
    """This year in the portal's time zone (the daftar elemen data's year)."""
    return datetime.datetime.now(config.portal_zone()).year


def satudata_element_summary() -> list[dict[str, Any]]:
    """The public fulfilment counts of this year's daftar elemen data per OPD (once per request: the OPD
    directory and the summary page)."""
    return request_cache.once(("element_summary",),
                              lambda: tk.get_action("satudata_element_summary")(_anonymous(), {}))


def satudata_opd_element_summary(opd_id: str) -> dict[str, Any] | None:
    """The OPD's row of the public fulfilment summary, or None when it has no daftar elemen data this year: asked
    for that OPD only (one small query when it has no list), once per request."""
    rows = request_cache.once(("element_summary", opd_id), lambda: tk.get_action("satudata_element_summary")(
        _anonymous(), {"owner_org": opd_id}))
    return rows[0] if rows else None


# --- the role dashboard -----------------------------------------------------------------------------------------

def satudata_my_roles() -> dict[str, Any]:
    """Which parts of the dashboard concern the logged-in user: the OPDs where they are Operator Data or
    Verifikator OPD, and their portal-wide role (walidata, verifikator_kominfotik, or sysadmin). What each part
    shows is still decided by the actions' auth functions."""
    user = tk.current_user
    if not user.is_authenticated:
        return {"operator_opds": [], "verifier_opds": [], "portal_role": None}
    portal_roles = roles.roles_for(user, None)
    portal_role = next((role for role in (roles.WALIDATA, roles.VERIFIKATOR_KOMINFOTIK, roles.SYSADMIN)
                        if role in portal_roles), None)
    return {"operator_opds": roles.opd_ids_with_role(user, roles.OPERATOR),
            "verifier_opds": roles.opd_ids_with_role(user, roles.VERIFIKATOR_OPD), "portal_role": portal_role}


def satudata_return_reason(package_id: str) -> dict[str, Any] | None:
    """The last return (or withdrawal) of the dataset: its event with the note (the reason), or None."""
    try:
        history = tk.get_action("satudata_workflow_history")({}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
    return next((event for event in reversed(history) if event["to_state"] == transitions.PERLU_PERBAIKAN), None)


PREVIEW_ROWS = 10


def satudata_table_preview(resource_id: str, rows: int = PREVIEW_ROWS) -> dict[str, Any] | None:
    """The first rows of a DataStore table as the user may read them (the verification page), or None."""
    try:
        found = tk.get_action("datastore_search")({}, {"resource_id": resource_id, "limit": rows, "sort": "_id"})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    fields = [field["id"] for field in found["fields"] if field["id"] != "_id"]
    return {"fields": fields, "rows": [[record.get(field) for field in fields] for record in found["records"]],
            "total": found.get("total")}


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v.get("display_name") or v.get("name") if isinstance(v, dict) else v) for v in value)
    return "" if value is None else str(value)


def satudata_changes_since_return(pkg: dict[str, Any]) -> dict[str, Any]:
    """What the operator changed since the dataset was last returned for revision (what the verifier sees again):
    `returned` (the return's event, or None for a first submission) and `changes`, each {label, before, after}
    for a metadata field of the schema, or a file added, removed or replaced. The dataset as it was comes from
    CKAN's activity stream (the "Changes" the workflow's people may open)."""
    try:
        history = tk.get_action("satudata_workflow_history")({}, {"id": pkg["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {"returned": None, "changes": []}
    returned = next((event for event in reversed(history) if event["to_state"] == transitions.PERLU_PERBAIKAN
                     and event["package_id"] == pkg["id"]), None)
    if returned is None or not plugins.plugin_loaded("activity"):
        return {"returned": returned, "changes": []}
    try:
        activities = tk.get_action("package_activity_list")({}, {"id": pkg["id"], "limit": 100})
        before = next((a for a in activities if a["timestamp"] <= returned["created_at"]), None)
        old = tk.get_action("activity_data_show")({}, {"id": before["id"], "object_type": "package"}) \
            if before else None
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        old = None
    if not old:
        return {"returned": returned, "changes": []}
    schema = scheming_get_dataset_schema(pkg.get("type") or "dataset") or {"dataset_fields": []}
    changes = []
    for field in schema["dataset_fields"]:
        name = field["field_name"]
        if name in ("owner_org", "name"):
            continue
        was, now = _shown(old.get(name)), _shown(pkg.get(name))
        if was != now:
            changes.append({"label": scheming_language_text(field.get("label")) or name, "before": was,
                            "after": now})
    old_files = {r["id"]: r for r in old.get("resources", [])}
    for resource in pkg.get("resources", []):
        earlier = old_files.pop(resource["id"], None)
        file_name = (resource.get("url") or "").rsplit("/", 1)[-1]
        if earlier is None:
            changes.append({"label": tk._("File"), "before": "", "after": resource.get("name") or file_name})
        elif (earlier.get("url") or "").rsplit("/", 1)[-1] != file_name or \
                earlier.get("last_modified") != resource.get("last_modified"):
            changes.append({"label": tk._("File"), "before": (earlier.get("url") or "").rsplit("/", 1)[-1],
                            "after": file_name})
    for earlier in old_files.values():
        changes.append({"label": tk._("File"), "before": earlier.get("name") or "", "after": ""})
    return {"returned": returned, "changes": changes}
