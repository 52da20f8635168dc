"""Pages of the statistical metadata (SOP step 2): the metadata .xlsx download, blank template and upload forms."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar.metadata import metadata_xlsx, ms_var
from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.views.responses import file_language, file_response


def metadata_export(id: str) -> Any:
    """The dataset's metadata as .xlsx, for whoever may see the dataset."""
    try:
        tk.check_access("satudata_metadata_export", {}, {"id": id})
        pkg = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    tables = None if pkg["type"] == "kegiatan-statistik" else ms_var.loaded_tables(pkg, {})
    content = metadata_xlsx.build_forms_workbook(_forms(pkg["type"], pkg), file_language(),
                                                 metadata_xlsx.license_choices(), active=-1, tables=tables)
    return file_response(content, f"metadata-{pkg['name']}.xlsx")


def metadata_template() -> Any:
    """The blank metadata .xlsx: the same layout with empty values, for anyone."""
    content = metadata_xlsx.build_forms_workbook(_forms("dataset", None), file_language(),
                                                 metadata_xlsx.license_choices(), active=-1, tables=())
    return file_response(content, "metadata-template.xlsx")


def _forms(dataset_type: str, pkg: dict[str, Any] | None) -> list[tuple[str, dict[str, Any], Any]]:
    """The sheets of a metadata file in BPS's layout: a statistical activity's MS-Keg; a dataset's MS-Keg (its
    activity's, blank when none is linked or the schema is not configured) and MS-Ind (the dataset's own)."""
    activity_schema = scheming_get_dataset_schema("kegiatan-statistik")
    if dataset_type == "kegiatan-statistik":
        return [(metadata_xlsx.MS_KEG_SHEET, activity_schema, pkg)]
    forms = [(metadata_xlsx.MS_IND_SHEET, scheming_get_dataset_schema(dataset_type), pkg)]
    if activity_schema is None:
        return forms
    activity = None
    link = tk.h.satudata_ms_keg(pkg) if pkg else {"linked": False}
    if link["linked"]:
        activity = tk.get_action("package_show")({}, {"id": link["id"]})
        forms[0] = (forms[0][0], forms[0][1], {**pkg, "ms_keg_id": activity["name"]})  # a name people read
    return [(metadata_xlsx.MS_KEG_SHEET, activity_schema, activity), *forms]


def _labelled_errors(errors: dict[str, Any], dataset_type: str) -> list[tuple[str, list[str]]]:
    schemas = {title: schema for title, schema, _values in _forms(dataset_type, None)}
    schemas = {metadata_xlsx.MS_IND_SHEET: schemas.pop(metadata_xlsx.MS_IND_SHEET, None), **schemas} \
        if metadata_xlsx.MS_IND_SHEET in schemas else schemas
    lang = tk.h.lang()
    return [(metadata_xlsx.form_field_label(schemas, key, lang), messages)
            for key, messages in metadata_xlsx.error_messages(errors).items()]


def _import(data_dict: dict[str, Any], page: dict[str, Any]) -> Any:
    """POST: run the import; on success go to the dataset, else show the form again with the errors."""
    try:
        pkg = tk.get_action("satudata_metadata_import")({}, data_dict)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Unauthorized to import metadata here"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        page["errors"] = _labelled_errors(error.error_dict, (page.get("pkg") or {}).get("type") or "dataset")
        return tk.render("satudata/metadata_import.html", page)
    tk.h.flash_success(tk._("The metadata was imported from the file"))
    return tk.redirect_to(f"{pkg['type']}.read", id=pkg["name"])


def _import_page(target: dict[str, Any], page: dict[str, Any]) -> Any:
    """The upload form for `target` (a dataset `id` or an `owner_org`): GET shows it to whoever may import there,
    POST imports the file."""
    if tk.request.method == "POST":
        return _import({**target, "upload": tk.request.files.get("upload")}, page)
    try:
        tk.check_access("satudata_metadata_import", {}, target)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Unauthorized to import metadata here"))
    return tk.render("satudata/metadata_import.html", page)


def metadata_import(id: str) -> Any:
    """Upload form on a dataset: the file's metadata replaces the dataset's."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    return _import_page({"id": pkg["id"]}, {"pkg": pkg, "organization": None, "errors": []})


def dataset_from_metadata(id: str) -> Any:
    """Upload form on an OPD: a new dataset of the OPD from a filled-in metadata .xlsx."""
    try:
        organization = tk.get_action("organization_show")({}, {"id": id, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organization not found"))
    return _import_page({"owner_org": organization["id"]}, {"pkg": None, "organization": organization, "errors": []})


satudata.add_url_rule("/dataset/metadata-template.xlsx", view_func=metadata_template)
satudata.add_url_rule("/dataset/<id>/metadata.xlsx", view_func=metadata_export)
satudata.add_url_rule("/dataset/<id>/metadata/import", view_func=metadata_import, methods=["GET", "POST"])
satudata.add_url_rule("/organization/<id>/dataset-from-metadata", view_func=dataset_from_metadata,
                      methods=["GET", "POST"])
