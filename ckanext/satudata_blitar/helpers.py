"""Template helpers."""
from __future__ import annotations

from typing import Any, Iterable

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_organization_schema

from ckanext.satudata_blitar.metadata import metadata_groups
from ckanext.satudata_blitar.workflow import transitions as workflow

__all__: list[str] = [
    "satudata_metadata_groups", "satudata_organization_details",
    "satudata_state_label", "satudata_available_transitions", "satudata_workflow_history",
    "satudata_verification_count", "satudata_upload_report",
]

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


# --- verification workflow ------------------------------------------------------------------------------------

def satudata_state_label(state: str) -> str:
    return workflow.state_label(state)


def satudata_available_transitions(pkg_dict: dict[str, Any]) -> list[workflow.Transition]:
    """The transitions from the dataset's state that the auth functions allow the current user."""
    state = pkg_dict.get("satudata_status")
    return [t for t in workflow.TRANSITIONS.values() if state in t.from_states
            and tk.h.check_access("satudata_transition", {"id": pkg_dict["id"], "transition": t.name})]


def satudata_workflow_history(package_id: str) -> list[dict[str, Any]]:
    try:
        return tk.get_action("satudata_workflow_history")({}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


def satudata_verification_count() -> int:
    """How many datasets wait for the logged-in user (the dashboard's and the header's count)."""
    if not tk.current_user.is_authenticated:
        return 0
    return len(tk.get_action("satudata_verification_queue")({}, {}))


def satudata_upload_report(resource_id: str) -> dict[str, Any] | None:
    """The upload report of a resource for its page, or None when the user may not see it."""
    try:
        return tk.get_action("satudata_upload_report")({}, {"id": resource_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return None
