"""Pages of the daftar elemen data (SOP step 1): the year's list with per-OPD summaries, the Walidata's forms and
import, the operators' link form, and the .xlsx template and download."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import language
from ckanext.satudata_blitar.elements import data_elements_xlsx
from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.views.responses import error_text, file_language, file_response, refuse


def _element_filters(args: Any) -> dict[str, str]:
    """The list's filters from a query string or a form: the year (default the current one), an OPD and a
    status."""
    return {"tahun": (args.get("tahun") or "").strip() or str(datetime.date.today().year),
            "opd": (args.get("owner_org") or args.get("opd") or "").strip(),
            "status": (args.get("status") or "").strip()}


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
        return refuse(str(error))
    except tk.ValidationError as error:
        page["errors"] = error.error_dict
    status = filters["status"]
    page["shown"] = [e for e in page["elements"] if e["status"] == status] if status else page["elements"]
    page["summaries"] = tk.h.satudata_element_summaries(page["elements"])
    page["datasets"] = tk.h.satudata_link_choices(page["shown"])
    lang = language.current()
    this_year = datetime.date.today().year
    page.update({
        "lang": lang, "frequencies": tk.h.satudata_frequency_labels(), "opds": tk.h.satudata_readable_opds(),
        "years": sorted({*range(this_year - 5, this_year + 2), *([int(filters["tahun"])]
                                                                 if filters["tahun"].isdigit() else [])},
                        reverse=True),
        "statuses": tk.h.satudata_element_statuses(),
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
    page: dict[str, Any] = {"element": element, "errors": {}, "opds": tk.h.satudata_opds(),
                            "frequencies": tk.h.satudata_frequency_labels()}
    if tk.request.method == "POST":
        form = tk.request.form
        data = {field: form.get(field, "") for field in ELEMENT_FORM_FIELDS}
        data["data_prioritas"] = bool(form.get("data_prioritas"))
        try:
            saved = tk.get_action(action_name)({}, {**data, **({"id": element["id"]} if element else {})})
        except tk.NotAuthorized as error:
            return refuse(str(error))
        except tk.ValidationError as error:
            page.update(data=data, errors=error.error_dict)
            return tk.render("satudata/elements/form.html", page)
        message = tk._('Data element "{name}" saved') if element else tk._('Data element "{name}" added')
        tk.h.flash_success(message.format(name=saved["nama"]))
        return _back_to_list({"tahun": str(saved["tahun"]), "opd": saved["opd_name"], "status": ""})
    try:
        tk.check_access(action_name, {}, {"owner_org": element["owner_org"]} if element else {})
    except tk.NotAuthorized as error:
        return refuse(str(error))
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
        return refuse(str(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data element not found"))
    return _element_form(element)


def _element_post(action_name: str, id: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Runs a POSTed element action: its result, or None after flashing why it was refused."""
    try:
        return tk.get_action(action_name)({}, {"id": id, **data}) or {}
    except tk.ValidationError as error:
        tk.h.flash_error(error_text(error))
    return None


def data_element_delete(id: str) -> Any:
    """POST from the edit form: the Walidata removes an element, then back to the list."""
    filters = _element_filters(tk.request.form)
    try:
        if _element_post("satudata_data_element_delete", id, {}) is not None:
            tk.h.flash_success(tk._("The data element was deleted"))
    except tk.NotAuthorized as error:
        return refuse(str(error))
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
        return refuse(str(error))
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
        return refuse(str(error))
    except tk.ValidationError as error:
        return _elements_page(filters, [message for messages in error.error_dict.values() for message in messages])
    tk.h.flash_success(tk._("{created} created, {updated} updated, {unchanged} unchanged").format(**result))
    return _back_to_list({**filters, "status": ""})


def data_elements_template() -> Any:
    """The blank .xlsx of a year's list, for anyone logged in."""
    try:
        tk.check_access("satudata_data_element_template", {}, {})
    except tk.NotAuthorized as error:
        return refuse(str(error))
    filters = _element_filters(tk.request.args)
    year = int(filters["tahun"]) if filters["tahun"].isdigit() else datetime.date.today().year
    content = data_elements_xlsx.build_workbook(year, [], tk.h.satudata_opds(), tk.h.satudata_frequency_choices(),
                                                file_language())
    return file_response(content, f"daftar-elemen-data-{year}-template.xlsx")


def data_elements_download(tahun: int) -> Any:
    """A year's list as .xlsx with the status columns: what the user may read, of one OPD with ?opd=."""
    opd = (tk.request.args.get("owner_org") or tk.request.args.get("opd") or "").strip()
    try:
        elements = tk.get_action("satudata_data_element_list")(
            {}, {"tahun": tahun, **({"owner_org": opd} if opd else {})})
    except tk.NotAuthorized as error:
        return refuse(str(error))
    except tk.ValidationError as error:
        return tk.abort(400, error_text(error))
    content = data_elements_xlsx.build_workbook(tahun, elements, tk.h.satudata_readable_opds(),
                                                tk.h.satudata_frequency_choices(), file_language(), with_status=True)
    return file_response(content, f"daftar-elemen-data-{tahun}{'-' + opd if opd else ''}.xlsx")


satudata.add_url_rule("/elemen-data", endpoint="data_elements", view_func=data_elements_page)
satudata.add_url_rule("/elemen-data/baru", view_func=data_element_new, methods=["GET", "POST"])
satudata.add_url_rule("/elemen-data/impor", view_func=data_element_import, methods=["POST"])
satudata.add_url_rule("/elemen-data/template.xlsx", view_func=data_elements_template)
satudata.add_url_rule("/elemen-data/<int:tahun>.xlsx", view_func=data_elements_download)
satudata.add_url_rule("/elemen-data/<id>/ubah", view_func=data_element_edit, methods=["GET", "POST"])
satudata.add_url_rule("/elemen-data/<id>/hapus", view_func=data_element_delete, methods=["POST"])
satudata.add_url_rule("/elemen-data/<id>/tautkan", view_func=data_element_link, methods=["POST"])
