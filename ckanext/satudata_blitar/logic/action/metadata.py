"""Actions on datasets' statistical metadata (SOP step 2): the metadata .xlsx import."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.munge import munge_title_to_name
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar.files import workbooks
from ckanext.satudata_blitar.logic import schema
from ckanext.satudata_blitar.logic.context import inner_context
from ckanext.satudata_blitar.metadata import metadata_xlsx, ms_keg, ms_var

__all__: list[str] = ["satudata_metadata_import"]


def _check_same_organization(context: dict[str, Any], in_file: str, chosen: str) -> None:
    """The OPD named in the file must be the one the dataset is created in, when both are given."""
    show = tk.get_action("organization_show")
    try:
        ids = [show(inner_context(context), {"id": org, "include_datasets": False})["id"]
               for org in (in_file, chosen)]
    except tk.ObjectNotFound:
        return  # package_create's owner_org validator reports an unknown OPD
    if ids[0] != ids[1]:
        raise tk.ValidationError({"owner_org": [
            tk._('The file names the OPD "{in_file}", not the one the dataset is created in ("{chosen}")').format(
                in_file=in_file, chosen=chosen)]})


def _forms(dataset_type: str) -> dict[str, dict[str, Any]]:
    """The sheets a metadata file of this type may hold, by title, the one of a file of one sheet first."""
    activity_schema = scheming_get_dataset_schema(ms_keg.KEGIATAN_TYPE)
    if dataset_type == ms_keg.KEGIATAN_TYPE:
        return {metadata_xlsx.MS_KEG_SHEET: activity_schema}
    forms = {metadata_xlsx.MS_IND_SHEET: scheming_get_dataset_schema(dataset_type)}
    if activity_schema is not None:
        forms[metadata_xlsx.MS_KEG_SHEET] = activity_schema
    return forms


def _save_activity(context: dict[str, Any], values: dict[str, Any], link: Any, owner_org: Any) -> Any:
    """The MS-Keg sheet of a dataset's file: it updates the activity the dataset links to (only the fields that
    differ, so an unchanged sheet passes while the activity is locked), or creates one in the dataset's OPD when
    none is linked. Returns what the dataset's `ms_keg_id` becomes. Errors come back under `MS-Keg/<field>`."""
    org = tk.get_action("organization_show")(inner_context(context), {"id": owner_org, "include_datasets": False}) \
        if isinstance(owner_org, str) and owner_org else None
    values = {key: value for key, value in values.items() if key != "owner_org"}
    activity = ms_keg.linked(link, org["id"] if org else None)
    try:
        if activity is None:
            if not values.get("name") and values.get("title"):
                values["name"] = munge_title_to_name(values["title"])
            created = tk.get_action("package_create")(inner_context(context), {
                **values, "type": ms_keg.KEGIATAN_TYPE, "owner_org": org["id"] if org else owner_org})
            return created["id"]
        shown = tk.get_action("package_show")(inner_context(context), {"id": activity.id})
        changed = {key: value for key, value in values.items()
                   if str(shown.get(key) if shown.get(key) is not None else "") != str(value if value is not None
                                                                                        else "")
                   and not (key == "name" and not value)}
        if changed:
            tk.get_action("package_patch")(inner_context(context), {**changed, "id": activity.id})
        return activity.id
    except tk.ValidationError as error:
        raise tk.ValidationError({f"{metadata_xlsx.MS_KEG_SHEET}/{key}": messages
                                  for key, messages in error.error_dict.items()})
    except tk.NotAuthorized as error:
        raise tk.ValidationError({metadata_xlsx.MS_KEG_SHEET: [str(error) or tk._(
            "You may not change this statistical activity")]})


def satudata_metadata_import(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Create or update a dataset's statistical metadata from a metadata .xlsx (the layout of the metadata
    download and of the blank template: one sheet of label / value rows).

    The file is checked (size, zip structure, compression ratio, no macros) before it is parsed. Labels may be
    Indonesian, English or field names; choices their label in either language or their value. The values then go
    through package_create / package_patch, so the dataset schema's validators judge them and nothing is saved
    when any is wrong.

    :param upload: the .xlsx file (a multipart file upload, as for resource uploads)
    :type upload: file
    :param id: the id or name of the dataset to update (optional). The file's rows replace the dataset's metadata:
        an empty row clears its field (an empty URL keeps the URL), a field without a row stays as it is.
    :type id: string
    :param owner_org: the id or name of the OPD to create the dataset in, when there is no ``id`` (optional when
        the file names the OPD; when both are given they must be the same). An empty URL is made from the title.
    :type owner_org: string

    The file's sheet MS-Var (one row per column of the dataset's loaded tables, as the download writes it) updates
    each named column's MS-Var in its Data Dictionary (an empty cell clears the element); a row naming a table or
    column the dataset does not have is an error of its row, and then nothing is saved.
    :returns: the created or updated dataset
    :rtype: dictionary
    """
    tk.check_access("satudata_metadata_import", context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.metadata_import_schema(), context)
    if errors:
        raise tk.ValidationError(errors)

    limits = workbooks.upload_limits()
    content = workbooks.read_upload(data["upload"], limits.max_bytes, tk._("Upload the metadata as an .xlsx file"))
    current = tk.get_action("package_show")(inner_context(context), {"id": data["id"]}) if data.get("id") else None
    dataset_type = current["type"] if current else "dataset"
    forms = _forms(dataset_type)
    sheets = metadata_xlsx.read_forms(content, forms, limits, metadata_xlsx.license_choices(),
                                      ms_var=dataset_type != ms_keg.KEGIATAN_TYPE)
    variables = sheets.pop(metadata_xlsx.MS_VAR_SHEET, [])
    if dataset_type == ms_keg.KEGIATAN_TYPE:
        values = sheets[metadata_xlsx.MS_KEG_SHEET]
    else:
        values = sheets[metadata_xlsx.MS_IND_SHEET]
        activity = sheets.get(metadata_xlsx.MS_KEG_SHEET)
        if activity and any(value not in (None, "") for value in activity.values()):
            owner_org = current["owner_org"] if current else (values.get("owner_org") or data.get("owner_org"))
            link = values.get(ms_keg.FIELD) if ms_keg.FIELD in values else (current or {}).get(ms_keg.FIELD)
            values[ms_keg.FIELD] = _save_activity(context, activity, link, owner_org)
    changes = metadata_xlsx.package_dict(values)
    # MS-Var rows are matched and checked before anything is saved (a new dataset has no tables yet)
    tables = ms_var.loaded_tables(current, inner_context(context)) if current and variables else []
    dictionaries = metadata_xlsx.ms_var_changes(variables, tables) if variables else {}

    if current:
        return _update_from_file(context, current, changes, dictionaries)
    return _create_from_file(context, changes, data.get("owner_org"))


def _update_from_file(context: dict[str, Any], current: dict[str, Any], changes: dict[str, Any],
                      dictionaries: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The dataset patched with the file's metadata, then its tables' Data Dictionaries with the file's MS-Var."""
    if not changes.get("name"):
        changes.pop("name", None)
    changes["id"] = current["id"]
    updated = tk.get_action("package_patch")(inner_context(context), changes)
    for resource_id, fields in dictionaries.items():
        tk.get_action("datastore_create")(inner_context(context), {
            "resource_id": resource_id, "force": True, "fields": fields})
    return updated


def _create_from_file(context: dict[str, Any], changes: dict[str, Any], owner_org: str | None) -> dict[str, Any]:
    """A new dataset from the file's metadata, in the OPD the file or the request names (the same one if both)."""
    if changes.get("owner_org") and owner_org:
        _check_same_organization(context, changes["owner_org"], owner_org)
    changes["owner_org"] = changes.get("owner_org") or owner_org
    if not changes.get("name") and changes.get("title"):
        changes["name"] = munge_title_to_name(changes["title"])
    return tk.get_action("package_create")(inner_context(context), changes)
