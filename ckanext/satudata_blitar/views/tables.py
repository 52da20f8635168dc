"""Downloads of a dataset's tables: the data template an OPD fills in, and a DataStore table as .xlsx."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar.metadata import metadata_xlsx
from ckanext.satudata_blitar.tables import data_template, datastore_xlsx, long_form
from ckanext.satudata_blitar.views import satudata
from ckanext.satudata_blitar.files import workbooks
from ckanext.satudata_blitar.views.responses import file_language, file_response


def data_template_download(id: str) -> Any:
    """The dataset's data template (.xlsx): sheets Data, Petunjuk and the metadata, for whoever may see it."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    content = data_template.build_workbook(scheming_get_dataset_schema(pkg["type"]), pkg, file_language(),
                                           metadata_xlsx.license_choices())
    return file_response(content, data_template.filename(pkg))


def datastore_xlsx_download(id: str, resource_id: str) -> Any:
    """A resource's DataStore table as .xlsx, for whoever may see the resource (resource_show, datastore_search)."""
    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
        resource = tk.get_action("resource_show")({}, {"id": resource_id})
        if resource["package_id"] != pkg["id"] or not resource.get("datastore_active"):
            raise tk.ObjectNotFound()
        content = datastore_xlsx.write(lambda data_dict: tk.get_action("datastore_search")({}, data_dict),
                                       resource["id"], lang=file_language())
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    return file_response(content, datastore_xlsx.filename(resource))


def datastore_long_download(id: str, resource_id: str, extension: str) -> Any:
    """A DataStore table with years as column headers in long form (label columns, tahun, nilai) as .csv or .xlsx,
    for whoever may see the resource; 404 for a table without year columns."""
    def search(data_dict: dict[str, Any]) -> dict[str, Any]:
        return tk.get_action("datastore_search")({}, data_dict)

    try:
        pkg = tk.get_action("package_show")({}, {"id": id})
        resource = tk.get_action("resource_show")({}, {"id": resource_id})
        if resource["package_id"] != pkg["id"] or not resource.get("datastore_active") \
                or not long_form.year_columns(search({"resource_id": resource_id, "limit": 0})["fields"]):
            raise tk.ObjectNotFound()
        if extension == "csv":
            content, mimetype = long_form.csv(search, resource["id"]), workbooks.CSV_MIMETYPE
        else:
            content, mimetype = long_form.xlsx(search, resource["id"]), workbooks.XLSX_MIMETYPE
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Resource not found"))
    return file_response(content, long_form.filename(resource, extension), mimetype)


def official_names(id: str, resource_id: str) -> Any:
    """POST from the upload check: the OPD stores the official region names (satudata_official_names)."""
    try:
        tk.get_action("satudata_official_names")({}, {"id": resource_id})
        tk.h.flash_success(tk._("The official names will be stored: the table is being loaded again."))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You may not change this table now"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    return tk.redirect_to("resource.read", id=id, resource_id=resource_id)


satudata.add_url_rule("/dataset/<id>/template.xlsx", view_func=data_template_download)
satudata.add_url_rule("/dataset/<id>/resource/<resource_id>/nama-resmi", view_func=official_names,
                      methods=["POST"])
satudata.add_url_rule("/dataset/<id>/resource/<resource_id>/data.xlsx", view_func=datastore_xlsx_download)
satudata.add_url_rule("/dataset/<id>/resource/<resource_id>/data-long.csv", view_func=datastore_long_download,
                      defaults={"extension": "csv"}, endpoint="datastore_long_csv")
satudata.add_url_rule("/dataset/<id>/resource/<resource_id>/data-long.xlsx", view_func=datastore_long_download,
                      defaults={"extension": "xlsx"}, endpoint="datastore_long_xlsx")
