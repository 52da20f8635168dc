"""The satudata blueprint: views call actions and render templates; permission checks live in logic/auth.py."""
from __future__ import annotations

import datetime
import io
from typing import Any

from flask import Blueprint, send_file

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema, scheming_language_text

from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.elements import data_elements_xlsx
from ckanext.satudata_blitar.tables import data_template
from ckanext.satudata_blitar.tables import datastore_xlsx
from ckanext.satudata_blitar.metadata import metadata_xlsx
from ckanext.satudata_blitar.reports import report_files
from ckanext.satudata_blitar.workflow import revisions
from ckanext.satudata_blitar.workflow import roles
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


def _refuse(message: str | None = None) -> Any:
    """Anonymous visitors log in; logged-in users without the role get 403 (with the auth function's `message`)."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    return tk.abort(403, message or tk._("Only the Walidata may see the monitoring and evaluation reports"))


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
    page["opds"] = data_elements.opds()
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


# --- Daftar elemen data (SOP step 1) ----------------------------------------------------------------------------

def _element_filters(args: Any) -> dict[str, str]:
    """The list's filters from a query string or a form: the year (default the current one), an OPD and a
    status."""
    return {"tahun": (args.get("tahun") or "").strip() or str(datetime.date.today().year),
            "opd": (args.get("opd") or "").strip(), "status": (args.get("status") or "").strip()}


def _page_lang() -> str:
    return "en" if tk.h.lang() == "en" else "id"


def _frequency_labels(lang: str) -> dict[str, str]:
    """value -> label of the release frequencies, in `lang`."""
    return {choice["value"]: scheming_language_text(choice["label"], prefer_lang=lang)
            for choice in data_elements.frequency_choices()}


def _readable_opds() -> list[dict[str, Any]]:
    """The OPDs whose list the user may read, for the OPD filter."""
    readable = roles.readable_opd_ids(tk.current_user)
    return [opd for opd in data_elements.opds() if readable is None or opd["id"] in readable]


def _summaries(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


def _opd_datasets(elements: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
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


def _elements_page(filters: dict[str, str], import_errors: list[str] | None = None) -> Any:
    """The list page for `filters`; `import_errors` are the messages of a refused upload."""
    query = {"tahun": filters["tahun"]}
    if filters["opd"]:
        query["owner_org"] = filters["opd"]
    page: dict[str, Any] = {"data": filters, "errors": {}, "import_errors": import_errors or [], "elements": [],
                            "shown": [], "summaries": [], "datasets": {}}
    try:
        page["elements"] = tk.get_action("satudata_data_element_list")({}, query)
    except tk.NotAuthorized as error:
        return _refuse(str(error))
    except tk.ValidationError as error:
        page["errors"] = error.error_dict
    status = filters["status"]
    page["shown"] = [e for e in page["elements"] if e["status"] == status] if status else page["elements"]
    page["summaries"] = _summaries(page["elements"])
    page["datasets"] = _opd_datasets(page["shown"])
    lang = _page_lang()
    this_year = datetime.date.today().year
    page.update({
        "lang": lang, "frequencies": _frequency_labels(lang), "opds": _readable_opds(),
        "years": sorted({*range(this_year - 5, this_year + 2), *([int(filters["tahun"])]
                                                                 if filters["tahun"].isdigit() else [])},
                        reverse=True),
        "statuses": [(status, data_elements.status_label(status)) for status in data_elements.STATUSES],
    })
    return tk.render("satudata/elements/index.html", page)


def data_elements_page() -> Any:
    """The daftar elemen data of a year: per OPD a summary and the elements with their dataset and status."""
    return _elements_page(_element_filters(tk.request.args))


def _back_to_list(filters: dict[str, str]) -> Any:
    return tk.redirect_to("satudata.data_elements", **{key: value for key, value in filters.items() if value})


# The form's fields (an empty one is stored as no value; an empty package_id unlinks the dataset).
ELEMENT_FORM_FIELDS = ["tahun", "owner_org", "nama", "definisi", "satuan", "frekuensi", "tanggal_target",
                       "package_id"]


def _element_form(element: dict[str, Any] | None) -> Any:
    """GET: the add or edit form (prefilled); POST: save and go back to the list, or show the errors."""
    action_name = "satudata_data_element_update" if element else "satudata_data_element_create"
    page: dict[str, Any] = {"element": element, "errors": {}, "opds": data_elements.opds(),
                            "frequencies": _frequency_labels(_page_lang())}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {field: form.get(field, "") for field in ELEMENT_FORM_FIELDS}
        data["data_prioritas"] = bool(form.get("data_prioritas"))
        try:
            saved = tk.get_action(action_name)({}, {**data, **({"id": element["id"]} if element else {})})
        except tk.NotAuthorized as error:
            return _refuse(str(error))
        except tk.ValidationError as error:
            page.update(data=data, errors=error.error_dict)
            return tk.render("satudata/elements/form.html", page)
        message = tk._('Data element "{name}" saved') if element else tk._('Data element "{name}" added')
        tk.h.flash_success(message.format(name=saved["nama"]))
        return _back_to_list({"tahun": str(saved["tahun"]), "opd": saved["opd_name"], "status": ""})
    try:
        tk.check_access(action_name, {}, {"owner_org": element["owner_org"]} if element else {})
    except tk.NotAuthorized as error:
        return _refuse(str(error))
    if element:
        data = {**element, "owner_org": element["opd_name"], "package_id": element["package_name"] or ""}
    else:
        filters = _element_filters(tk.request.args)
        data = {"tahun": filters["tahun"], "owner_org": filters["opd"], "data_prioritas": False}
    page["data"] = data
    return tk.render("satudata/elements/form.html", page)


def data_element_new() -> Any:
    """The Walidata adds an element to an OPD's list."""
    return _element_form(None)


def data_element_edit(id: str) -> Any:
    """The Walidata changes an element."""
    try:
        element = tk.get_action("satudata_data_element_show")({}, {"id": id})
    except tk.NotAuthorized as error:
        return _refuse(str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data element not found"))
    return _element_form(element)


def _element_post(action_name: str, id: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Runs a POSTed element action: its result, or None after flashing why it was refused."""
    try:
        return tk.get_action(action_name)({}, {"id": id, **data}) or {}
    except tk.ValidationError as error:
        tk.h.flash_error(" ".join(message for messages in error.error_dict.values() for message in messages))
    return None


def data_element_delete(id: str) -> Any:
    """POST from the edit form: the Walidata removes an element, then back to the list."""
    filters = _element_filters(tk.request.form)
    try:
        if _element_post("satudata_data_element_delete", id, {}) is not None:
            tk.h.flash_success(tk._("The data element was deleted"))
    except tk.NotAuthorized as error:
        return _refuse(str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data element not found"))
    return _back_to_list(filters)


def data_element_link(id: str) -> Any:
    """POST from a row of the list: the OPD's Operator Data or the Walidata links (or unlinks) the dataset that
    provides the element, then back to the list with the same filters."""
    filters = _element_filters(tk.request.form)
    try:
        linked = _element_post("satudata_data_element_link", id,
                               {"package_id": tk.request.form.get("package_id", "")})
    except tk.NotAuthorized as error:
        return _refuse(str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data element not found"))
    if linked and linked["package_name"]:
        tk.h.flash_success(tk._('"{name}" is now provided by the dataset "{dataset}"').format(
            name=linked["nama"], dataset=linked["package_title"] or linked["package_name"]))
    elif linked:
        tk.h.flash_success(tk._('"{name}" has no dataset now').format(name=linked["nama"]))
    return _back_to_list(filters)


def data_element_import() -> Any:
    """POST of the import form: create and update the year's list from an .xlsx; the counts, or the page again
    with every message."""
    filters = _element_filters(tk.request.form)
    data = {"upload": tk.request.files.get("upload"), "tahun": filters["tahun"]}
    if filters["opd"]:
        data["owner_org"] = filters["opd"]
    try:
        result = tk.get_action("satudata_data_element_import")({}, data)
    except tk.NotAuthorized as error:
        return _refuse(str(error))
    except tk.ValidationError as error:
        return _elements_page(filters, [message for messages in error.error_dict.values() for message in messages])
    tk.h.flash_success(tk._("{created} created, {updated} updated, {unchanged} unchanged").format(**result))
    return _back_to_list({**filters, "status": ""})


def data_elements_template() -> Any:
    """The blank .xlsx of a year's list, for anyone logged in."""
    if not tk.current_user.is_authenticated:
        return _refuse()
    filters = _element_filters(tk.request.args)
    year = int(filters["tahun"]) if filters["tahun"].isdigit() else datetime.date.today().year
    content = data_elements_xlsx.build_workbook(year, [], data_elements.opds(), data_elements.frequency_choices(),
                                                _workbook_lang())
    return _xlsx_response(content, f"daftar-elemen-data-{year}-template.xlsx")


def data_elements_download(tahun: int) -> Any:
    """A year's list as .xlsx with the status columns: what the user may read, of one OPD with ?opd=."""
    opd = tk.request.args.get("opd", "").strip()
    try:
        elements = tk.get_action("satudata_data_element_list")(
            {}, {"tahun": tahun, **({"owner_org": opd} if opd else {})})
    except tk.NotAuthorized as error:
        return _refuse(str(error))
    except tk.ValidationError as error:
        return tk.abort(400, " ".join(m for messages in error.error_dict.values() for m in messages))
    content = data_elements_xlsx.build_workbook(tahun, elements, _readable_opds(),
                                                data_elements.frequency_choices(), _workbook_lang(),
                                                with_status=True)
    return _xlsx_response(content, f"daftar-elemen-data-{tahun}{'-' + opd if opd else ''}.xlsx")


satudata.add_url_rule("/elemen-data", endpoint="data_elements", view_func=data_elements_page)
satudata.add_url_rule("/elemen-data/baru", view_func=data_element_new, methods=["GET", "POST"])
satudata.add_url_rule("/elemen-data/impor", view_func=data_element_import, methods=["POST"])
satudata.add_url_rule("/elemen-data/template.xlsx", view_func=data_elements_template)
satudata.add_url_rule("/elemen-data/<int:tahun>.xlsx", view_func=data_elements_download)
satudata.add_url_rule("/elemen-data/<id>/ubah", view_func=data_element_edit, methods=["GET", "POST"])
satudata.add_url_rule("/elemen-data/<id>/hapus", view_func=data_element_delete, methods=["POST"])
satudata.add_url_rule("/elemen-data/<id>/tautkan", view_func=data_element_link, methods=["POST"])
