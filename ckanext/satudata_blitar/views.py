"""The satudata blueprint: views call actions and render templates; permission checks live in logic/auth.py."""
from __future__ import annotations

import datetime
import io
from typing import Any

from flask import Blueprint, send_file

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar import data_template, datastore_xlsx, metadata_xlsx, report_files
from ckanext.satudata_blitar.logic import action

satudata = Blueprint("satudata", __name__)


# --- Metadata .xlsx: download, blank template, upload ---------------------------------------------------------

def _workbook_lang() -> str:
    """The workbook's language: Indonesian (the BPS form) unless ?lang=en asks for English labels."""
    lang = tk.request.args.get("lang", "id")
    return lang if lang in metadata_xlsx.LANGUAGES else "id"


def _xlsx_response(content: bytes, filename: str) -> Any:
    return send_file(io.BytesIO(content), mimetype=metadata_xlsx.XLSX_MIMETYPE, as_attachment=True,
                     download_name=filename, max_age=0)


def metadata_export(id: str) -> Any:
    """The dataset's metadata as .xlsx, for whoever may see the dataset."""
    try:
        tk.check_access("satudata_metadata_export", {}, {"id": id})
        pkg = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    content = metadata_xlsx.build_workbook(scheming_get_dataset_schema(pkg["type"]), pkg, _workbook_lang(),
                                           action.licenses())
    return _xlsx_response(content, f"metadata-{pkg['name']}.xlsx")


def metadata_template() -> Any:
    """The blank metadata .xlsx: the same layout with empty values, for anyone."""
    content = metadata_xlsx.build_workbook(scheming_get_dataset_schema("dataset"), None, _workbook_lang(),
                                           action.licenses())
    return _xlsx_response(content, "metadata-template.xlsx")


def _labelled_errors(errors: dict[str, Any], dataset_type: str) -> list[tuple[str, list[str]]]:
    schema = scheming_get_dataset_schema(dataset_type)
    lang = tk.h.lang()
    return [(metadata_xlsx.field_label(schema, key, lang), messages)
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
        page["errors"] = _labelled_errors(error.error_dict, "dataset")
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


def data_template_download(id: str) -> Any:
    """The dataset's data template (.xlsx): sheets Data, Petunjuk and the metadata, for whoever may see it."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    content = data_template.build_workbook(scheming_get_dataset_schema(pkg["type"]), pkg, _workbook_lang(),
                                           action.licenses())
    return _xlsx_response(content, data_template.filename(pkg))


def datastore_xlsx_download(id: str, resource_id: str) -> Any:
    """A resource's DataStore table as .xlsx, for whoever may see the resource (resource_show, datastore_search)."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
        resource = tk.get_action("resource_show")({}, {"id": resource_id})
        if resource["package_id"] != pkg["id"] or not resource.get("datastore_active"):
            raise tk.ObjectNotFound()
        content = datastore_xlsx.write(lambda data_dict: tk.get_action("datastore_search")({}, data_dict),
                                       resource["id"])
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    return send_file(content, mimetype=metadata_xlsx.XLSX_MIMETYPE, as_attachment=True,
                     download_name=datastore_xlsx.filename(resource), max_age=0)


satudata.add_url_rule("/dataset/metadata-template.xlsx", view_func=metadata_template)
satudata.add_url_rule("/dataset/<id>/metadata.xlsx", view_func=metadata_export)
satudata.add_url_rule("/dataset/<id>/template.xlsx", view_func=data_template_download)
satudata.add_url_rule("/dataset/<id>/resource/<resource_id>/data.xlsx", view_func=datastore_xlsx_download)
satudata.add_url_rule("/dataset/<id>/metadata/import", view_func=metadata_import, methods=["GET", "POST"])
satudata.add_url_rule("/organization/<id>/dataset-from-metadata", view_func=dataset_from_metadata,
                      methods=["GET", "POST"])


# --- Verification workflow --------------------------------------------------------------------------------------

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
        tk.h.flash_error(" ".join(message for messages in error.error_dict.values() for message in messages))
    return None


def transition(id: str) -> Any:
    """POST from the dataset page's workflow panel: make a transition, then back to the dataset."""
    data = {"id": id, "transition": tk.request.form.get("transition", ""), "note": tk.request.form.get("note", "")}
    result = _panel_action("satudata_transition", data)
    if result:
        tk.h.flash_success(tk._("Status changed to {state}").format(state=result["event"]["to_state_label"]))
    return tk.redirect_to("dataset.read", id=id)


def verification() -> Any:
    """The user's verification list: what waits for them, oldest first, against the SOP's standard time."""
    try:
        items = tk.get_action("satudata_verification_queue")({}, {})
    except tk.NotAuthorized:
        return tk.redirect_to("user.login")
    return tk.render("satudata/workflow/verification.html", {"items": items})


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


# --- Reports (SOP steps 7 and 8) ---------------------------------------------------------------------------------

REPORT_KINDS = ("monitoring", "evaluation")


def _report_request() -> dict[str, str]:
    """The page's filters; the period defaults to the current year."""
    return {"period": tk.request.args.get("period", "").strip() or str(datetime.date.today().year),
            "opd": tk.request.args.get("opd", "").strip()}


def _refuse() -> Any:
    """Anonymous visitors log in; logged-in users without the role get 403."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    return tk.abort(403, tk._("Only the Walidata may see the monitoring and evaluation reports"))


def _opd_choices() -> list[dict[str, Any]]:
    choices: list[dict[str, Any]] = []
    while True:
        page = tk.get_action("organization_list")({}, {"all_fields": True, "sort": "title asc",
                                                       "limit": 25, "offset": len(choices)})
        choices += page
        if len(page) < 25:
            return choices


def reports_page() -> Any:
    """The Walidata's report page: filters (period, OPD), charts, tables and the downloads."""
    data = _report_request()
    page: dict[str, Any] = {"data": data, "errors": {}, "monitoring": None, "evaluation": None,
                            "lang": "en" if tk.h.lang() == "en" else "id"}
    for kind in REPORT_KINDS:
        try:
            page[kind] = tk.get_action(f"satudata_report_{kind}")({}, dict(data))
        except tk.NotAuthorized:
            return _refuse()
        except tk.ValidationError as error:
            page["errors"] = error.error_dict
            break
    page["opds"] = _opd_choices()
    return tk.render("satudata/reports/index.html", page)


def report_download(kind: str, fmt: str) -> Any:
    """A report as .xlsx, .csv or .json, with the page's filters."""
    try:
        report = tk.get_action(f"satudata_report_{kind}")({}, _report_request())
    except tk.NotAuthorized:
        return _refuse()
    except tk.ValidationError as error:
        return tk.abort(400, " ".join(m for messages in error.error_dict.values() for m in messages))
    lang = tk.request.args.get("lang", "id")
    lang = lang if lang in report_files.LANGUAGES else "id"
    content = report_files.write(fmt, report, report_files.sections(kind, report, lang),
                                 report_files.title(kind, report, lang))
    return send_file(io.BytesIO(content), mimetype=report_files.MIMETYPES[fmt], as_attachment=True,
                     download_name=report_files.filename(kind, report, fmt), max_age=0)


satudata.add_url_rule("/laporan", view_func=reports_page)
satudata.add_url_rule("/laporan/<any(monitoring, evaluation):kind>.<any(xlsx, csv, json):fmt>",
                      view_func=report_download)
