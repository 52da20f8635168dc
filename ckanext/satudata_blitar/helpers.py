"""Template helpers."""
from __future__ import annotations

from typing import Any, Iterable

from markupsafe import Markup, escape

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_organization_schema, scheming_language_text

from ckanext.satudata_blitar import adapters, formats, language
from ckanext.satudata_blitar.language import N_
from ckanext.satudata_blitar.formats import (  # noqa: F401  (registered below, through __all__)
    render_datetime, satudata_date, satudata_datetime, satudata_number, satudata_percent, satudata_period,
    satudata_month, satudata_month_short)
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.metadata import completeness, metadata_groups, ms_keg, ms_var
from ckanext.satudata_blitar.reports import figures
from ckanext.satudata_blitar.tables import long_form, served_files, submission
from ckanext.satudata_blitar.tables.load_queue import (  # noqa: F401  (chained xloader/DataStore helpers: links)
    datastore_rw_resource_url_types, is_resource_supported_by_xloader)
from ckanext.satudata_blitar.workflow import dataset_state, revisions, roles
from ckanext.satudata_blitar.workflow import transitions as workflow
from ckanext.satudata_blitar.workflow import working_days

__all__: list[str] = [
    "satudata_metadata_groups", "satudata_organization_details",
    "satudata_state_label", "satudata_available_transitions", "satudata_workflow_history",
    "satudata_verification_count", "satudata_upload_report", "satudata_refused_file_excerpt",
    "satudata_opds", "satudata_readable_opds", "satudata_frequency_choices", "satudata_frequency_labels",
    "satudata_element_statuses", "satudata_element_summaries", "satudata_link_choices", "satudata_label",
    "satudata_license_title",
    "satudata_waiting_for_label", "satudata_submission_refusal", "satudata_tables_to_describe",
    "satudata_data_files", "satudata_has_year_columns",
    "satudata_ms_var_form", "satudata_ms_var_view", "satudata_ms_var_type", "satudata_completeness",
    "satudata_show_state", "satudata_form_sections", "satudata_check_access", "satudata_working_time",
    "satudata_transition_asking_first", "satudata_api_guide_url", "satudata_data_api_example",
    "satudata_activity_type_label", "satudata_error_text", "satudata_htmx_activity_filter",
    "satudata_label_view_frame",
    "datastore_rw_resource_url_types", "is_resource_supported_by_xloader",
    "satudata_ms_keg", "satudata_ms_keg_choices", "satudata_ms_keg_datasets",
    *formats.__all__,
]


def satudata_working_time(amount: Any, unit: str = working_days.WORKING_DAYS, late: bool = False) -> str:
    """A standard time or a delay in the SOP's units (workflow/working_days.py): "1 working day", "2 working days
    late", "1,5 working hours" (in the user's language; "" for none)."""
    if amount is None or amount == "":
        return ""
    count = int(amount) if float(amount) == int(amount) else 2  # a fraction takes the plural
    if unit == working_days.WORKING_HOURS:
        text = (tk.ungettext("{n} working hour late", "{n} working hours late", count) if late
                else tk.ungettext("{n} working hour", "{n} working hours", count))
    else:
        text = (tk.ungettext("{n} working day late", "{n} working days late", count) if late
                else tk.ungettext("{n} working day", "{n} working days", count))
    return text.format(n=formats.satudata_number(amount))


# Shown by the dataset page itself (heading, description, sidebar, tag list, licence box), not among the metadata.
DATASET_PAGE_SHOWN_ELSEWHERE = frozenset({"title", "name", "notes", "owner_org", "tag_string", "license_id"})
# Shown by the OPD box itself (heading, description, logo).
ORGANIZATION_BOX_SHOWN_ELSEWHERE = frozenset({"title", "name", "description", "image_url"})


def _is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == {}


def _filled_fields(fields: Iterable[dict[str, Any]], data: dict[str, Any],
                   shown_elsewhere: frozenset[str]) -> list[dict[str, Any]]:
    """`{field, value}` for the fields with a value, in schema order. `display_snippet: null` hides a field, as in
    scheming's own display templates."""
    return [
        {"field": field, "value": data.get(field["field_name"])}
        for field in fields
        if field["field_name"] not in shown_elsewhere
        and not ("display_snippet" in field and field["display_snippet"] is None)
        and not _is_empty(data.get(field["field_name"]))
    ]


def satudata_metadata_groups(schema: dict[str, Any] | None, pkg_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's metadata in the sections of the BPS form, for the dataset page.

    Returns `[{"name": "konsep", "title": {"id": …, "en": …}, "fields": [{"field": <schema field>, "value": …}]}]`:
    sections in schema order, only fields with a value, only sections with a field, and none of the fields the page
    shows elsewhere (title, name, notes, owner_org, tag_string, license_id).
    """
    if not schema:
        return []
    groups = []
    for name, fields in metadata_groups.grouped_fields(schema["dataset_fields"]):
        filled = _filled_fields(fields, pkg_dict, DATASET_PAGE_SHOWN_ELSEWHERE)
        if filled:
            groups.append({"name": name, "title": metadata_groups.group_title(name), "fields": filled})
    return groups


def satudata_organization_details(group_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The OPD's schema fields with a value (kode, singkatan, jenis, kepala, alamat, …) as `[{field, value}]`, in
    schema order, without those the OPD box shows itself (title, name, description, logo)."""
    schema = scheming_get_organization_schema(group_dict.get("type") or "organization")
    if not schema:
        return []
    return _filled_fields(schema["fields"], group_dict, ORGANIZATION_BOX_SHOWN_ELSEWHERE)


# --- the words of the portal's concepts: one registry each, beside the concept --------------------------------

LABELS = {
    "state": workflow.STATE_LABELS,
    "movement": workflow.MOVEMENT_LABELS,
    "step": figures.STEP_LABELS,
    "element_status": data_elements.STATUS_LABELS,
    "aspect": figures.ASPECT_LABELS,
    "indicator": figures.INDICATOR_LABELS,
}


def satudata_label(concept: str, key: str) -> str:
    """The label of `key` (a state, a movement, …) in the user's language; an unknown key as it is."""
    msgid = LABELS[concept].get(key)
    return tk._(msgid) if msgid else key


# --- verification workflow ------------------------------------------------------------------------------------

def satudata_state_label(state: str) -> str:
    return workflow.state_label(state)


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


def satudata_available_transitions(pkg_dict: dict[str, Any]) -> list[workflow.Transition]:
    """The transitions from the dataset's state that the auth functions allow the current user."""
    state = pkg_dict.get("satudata_status")
    return [t for t in workflow.TRANSITIONS.values() if state in t.from_states
            and satudata_check_access("satudata_transition", {"id": pkg_dict["id"], "transition": t.name})]


def satudata_transition_asking_first(name: str) -> workflow.Transition | None:
    """The transition named `name` when it changes what the public sees (a publication or a withdrawal: the page
    asks before making it), else None."""
    found = workflow.TRANSITIONS.get(name)
    return found if found and found.kind in (workflow.PUBLISH, workflow.WITHDRAW) else None


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


def satudata_workflow_history(package_id: str) -> list[dict[str, Any]]:
    try:
        return tk.get_action("satudata_workflow_history")({}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


def satudata_verification_count() -> int:
    """How many datasets wait for the logged-in user (the dashboard's and the header's count): the queue's own
    query, counted, rather than the queue itself."""
    if not tk.current_user.is_authenticated:
        return 0
    return workflow.waiting_count(tk.current_user)


def satudata_upload_report(resource_id: str) -> dict[str, Any] | None:
    """The upload check of a resource for its page, or None when the user may not see it."""
    try:
        return tk.get_action("satudata_upload_check")({}, {"id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None


def satudata_refused_file_excerpt(res: dict[str, Any]) -> dict[str, Any] | None:
    """The start of a refused uploaded file (first lines as text or a hex dump), for the people who may see it to see
    what is wrong without opening the file; None for other files or other people. Shown escaped, never rendered."""
    if res.get("url_type") != "upload":
        return None
    report = satudata_upload_report(res["id"])
    if not report or report.get("state") != "error":
        return None
    path = adapters.resource_file_path(res)
    try:
        return served_files.excerpt(path) if path else None
    except OSError:
        return None


# --- the daftar elemen data's pages --------------------------------------------------------------------------

def satudata_opds() -> list[dict[str, str]]:
    """Every active OPD as `{id, name, title}`, by title (filters and forms)."""
    return data_elements.opds()


def satudata_readable_opds() -> list[dict[str, str]]:
    """The OPDs whose daftar elemen data the user may read, for the OPD filter."""
    readable = roles.readable_opd_ids(tk.current_user)
    return [opd for opd in data_elements.opds() if readable is None or opd["id"] in readable]


def satudata_frequency_choices() -> list[dict[str, Any]]:
    """The dataset schema's release frequencies (`{value, label: {id, en}}`)."""
    return data_elements.frequency_choices()


def satudata_frequency_labels() -> dict[str, str]:
    """value -> label of the release frequencies, in the user's language."""
    lang = language.current()
    return {choice["value"]: scheming_language_text(choice["label"], prefer_lang=lang)
            for choice in data_elements.frequency_choices()}


def satudata_element_statuses() -> list[tuple[str, str]]:
    """(status, label) of an element's statuses, in the list's order."""
    return [(status, data_elements.status_label(status)) for status in data_elements.STATUSES]


def satudata_element_summaries(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per OPD (in the list's order): how many elements, per status and late."""
    by_opd: dict[str, dict[str, Any]] = {}
    for element in elements:
        summary = by_opd.setdefault(element["owner_org"], {
            "id": element["owner_org"], "name": element["opd_name"], "title": element["opd_title"],
            "elements": 0, "late": 0, **{status: 0 for status in data_elements.STATUSES}})
        summary["elements"] += 1
        summary[element["status"]] += 1
        summary["late"] += int(element["late"])
    return list(by_opd.values())


def satudata_link_choices(elements: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """owner_org -> the OPD's datasets (name, title), for the link forms of the OPDs where the user may link: one
    search over those OPDs (by name: the index stores the organization's name, not its id), 1000 at a time."""
    opds = {element["opd_name"]: element["owner_org"] for element in elements}
    names = {name: owner_org for name, owner_org in opds.items()
             if tk.h.check_access("satudata_data_element_link", {"owner_org": owner_org})}
    datasets: dict[str, list[dict[str, Any]]] = {owner_org: [] for owner_org in names.values()}
    if not names:
        return datasets
    query = {"fq": "+dataset_type:dataset +organization:({})".format(" OR ".join(f'"{name}"' for name in names)),
             "include_private": True, "rows": 1000, "sort": "title_string asc", "fl": "id,name,title,organization"}
    start = 0
    while True:
        found = tk.get_action("package_search")({}, {**query, "start": start})
        copies = revisions.revisions_among([pkg["id"] for pkg in found["results"]])  # the link action refuses them
        for pkg in found["results"]:
            if pkg["id"] not in copies:
                datasets[names[pkg["organization"]]].append({"name": pkg["name"],
                                                             "title": pkg.get("title") or pkg["name"]})
        start += len(found["results"])
        if not found["results"] or start >= found["count"]:
            return datasets


def satudata_license_title(pkg_dict: dict[str, Any]) -> str:
    return language.license_title(pkg_dict)


def satudata_waiting_for_label(role_codes: list[str] | None) -> str:
    """Who acts next, e.g. "Verifikator OPD" (pkg.satudata_waiting_for)."""
    return dataset_state.waiting_for_label(role_codes or [])


def _may_submit(pkg_dict: dict[str, Any]) -> bool:
    return pkg_dict.get("satudata_status") in workflow.TRANSITIONS["ajukan"].from_states and satudata_check_access(
        "satudata_transition", {"id": pkg_dict["id"], "transition": "ajukan"})


def satudata_submission_refusal(pkg_dict: dict[str, Any]) -> str | None:
    """Why the user's "Submit" would be refused now (no loaded data, CKAN draft), for users who may submit."""
    return submission.submission_refusal_of(pkg_dict["id"]) if _may_submit(pkg_dict) else None


def satudata_tables_to_describe(pkg_dict: dict[str, Any]) -> list[dict[str, str]]:
    """The dataset's loaded tables with a column still to describe (MS-Var), {id, name}, for users who may submit:
    the status strip links each one's Data Dictionary."""
    if not _may_submit(pkg_dict):
        return []
    return [{"id": resource.id, "name": resource.name or resource.id}
            for resource in completeness.tables_missing_ms_var(pkg_dict["id"])]


def satudata_data_files(package_id: str) -> list[dict[str, Any]]:
    """The dataset's resources with their upload check in one line each, for its workflow panel (shown to the
    people of the workflow only)."""
    return submission.data_files([package_id])[package_id]


def satudata_has_year_columns(resource_id: str) -> bool:
    """Whether a DataStore table has years as column headers, so its long form (tahun, nilai) is offered."""
    try:
        fields = tk.get_action("datastore_search")({}, {"resource_id": resource_id, "limit": 0})["fields"]
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return False
    return bool(long_form.year_columns(fields))


def satudata_show_state(pkg_dict: dict[str, Any]) -> bool:
    """Lists and pages show the workflow state of unpublished datasets, and of published ones to logged-in users."""
    state = pkg_dict.get("satudata_status")
    return bool(state) and (state != workflow.TERBIT or tk.current_user.is_authenticated)


def satudata_form_sections(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form's fields (those with a form snippet) in the BPS sections: `[{name, title: {id, en}, fields}]`."""
    shown = [field for field in fields if not ("form_snippet" in field and field["form_snippet"] is None)]
    return [{"name": name, "title": metadata_groups.group_title(name), "fields": section}
            for name, section in metadata_groups.grouped_fields(shown)]


# --- MS-Keg: statistical activities (metadata/ms_keg.py) ---------------------------------------------------------

def satudata_ms_keg(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset's statistical activity for its page: `{linked: True, id, name, title}` when it links one the
    user may see, else `{linked: False, value}` with the value that links nothing (None for an activity hidden from
    the user)."""
    value = pkg_dict.get(ms_keg.FIELD)
    owner_org = pkg_dict.get("owner_org") or (pkg_dict.get("organization") or {}).get("id")
    activity = ms_keg.linked(value, owner_org)
    if activity is None:
        return {"linked": False, "value": value}
    if not satudata_check_access("package_show", {"id": activity.id}):
        return {"linked": False, "value": None}
    return {"linked": True, "id": activity.id, "name": activity.name, "title": activity.title}


def satudata_ms_keg_choices() -> list[dict[str, str]]:
    """The statistical activities the user may link a dataset to: those of the OPDs where they are Operator Data
    (every OPD's for sysadmins)."""
    held = roles.memberships(tk.current_user)
    return ms_keg.choices_for(None if held.sysadmin else held.opds_with(roles.OPERATOR))


def satudata_ms_keg_datasets(kegiatan_id: str) -> list[dict[str, Any]]:
    """The datasets of a statistical activity that the user may see: `{name, title, state}`, for its page."""
    return [{"name": package.name, "title": package.title, "state": state}
            for package, state in ms_keg.linking_datasets(kegiatan_id)
            if satudata_check_access("package_show", {"id": package.id})]


# --- MS-Var in the Data Dictionary (metadata/ms_var.py) and completeness (metadata/completeness.py) -----------------

def satudata_ms_var_form(field: dict[str, Any], position: int) -> list[dict[str, Any]]:
    """The MS-Var inputs of one column on CKAN's Data Dictionary form (`info__<position>__<key>`): label, help,
    stored value, choices, whether it is a paragraph and whether submission needs it."""
    info = field.get("info") or {}
    required = set(ms_var.REQUIRED) | (set(ms_var.REQUIRED_NUMERIC) if ms_var.is_numeric(field) else set())
    inputs = []
    for key in ms_var.KEYS:
        options = None
        if key in ms_var.CHOICES:
            options = [{"value": "", "text": ""}] + [{"value": value, "text": text}
                                                     for value, text in ms_var.choices(key)]
        inputs.append({"key": key, "name": f"info__{position}__{key}", "id": f"field-msvar-{position}-{key}",
                       "label": ms_var.label(key), "help": ms_var.help_text(key), "value": info.get(key) or "",
                       "options": options, "long": key not in ms_var.SHORT_KEYS, "required": key in required})
    return inputs


def satudata_ms_var_type(field: dict[str, Any]) -> str:
    """A column's type in words (its MS-Var tipe_data, else the DataStore type), not int4 or text."""
    info = field.get("info") or {}
    return ms_var.choice_label("tipe_data", info.get("tipe_data") or ms_var.detected_type(field.get("type")))


def satudata_ms_var_view(field: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value in words) of a column's filled MS-Var elements for the resource page's Kamus Data, but
    nama_variabel and definisi (shown as CKAN's label and description) and tipe_data (shown as the type)."""
    info = field.get("info") or {}
    shown = [key for key in ms_var.KEYS if key not in (*ms_var.IN_STEP, "tipe_data")]
    return [(ms_var.label(key), ms_var.choice_label(key, info[key])) for key in shown
            if str(info.get(key) or "").strip()]


def satudata_completeness(package_id: str) -> list[dict[str, Any]]:
    """Each BPS form's completeness for a dataset (form, title, complete, missing), for its workflow panel."""
    return completeness.report_of(package_id)
