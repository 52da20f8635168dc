"""Template helpers of the metadata: the BPS form's sections on the dataset page and form, the OPD's details,
MS-Keg (statistical activities), MS-Var in the Data Dictionary and the forms' completeness."""
from __future__ import annotations

from typing import Any, Iterable

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_organization_schema

from ckanext.satudata_blitar.helpers.core import satudata_check_access
from ckanext.satudata_blitar.metadata import completeness, metadata_groups, ms_keg, ms_var
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = [
    "satudata_metadata_groups", "satudata_organization_details", "satudata_form_sections", "satudata_ms_keg",
    "satudata_ms_keg_choices", "satudata_ms_keg_datasets", "satudata_ms_var_form", "satudata_ms_var_type",
    "satudata_ms_var_view", "satudata_completeness",
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


def satudata_form_sections(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form's fields (those with a form snippet) in the BPS sections: `[{name, title: {id, en}, fields}]`."""
    shown = [field for field in fields if not ("form_snippet" in field and field["form_snippet"] is None)]
    return [{"name": name, "title": metadata_groups.group_title(name), "fields": section}
            for name, section in metadata_groups.grouped_fields(shown)]


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
