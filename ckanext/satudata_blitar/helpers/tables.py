"""Template helpers of uploaded tables: the upload check and a refused file's excerpt, the dataset's data files,
the long form's offer; and xloader's and the DataStore's helpers as we chain them (tables/load_queue.py)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tables import chart_view, long_form, served_files, submission
from ckanext.satudata_blitar.tables.load_queue import (  # noqa: F401  (chained xloader/DataStore helpers: links)
    datastore_rw_resource_url_types, is_resource_supported_by_xloader)
from ckanext.satudata_blitar.tables.chart_view import datastore_dictionary  # noqa: F401  (chained: once a request)

__all__: list[str] = [
    "satudata_upload_report", "satudata_refused_file_excerpt", "satudata_data_files", "satudata_has_year_columns",
    "datastore_rw_resource_url_types", "is_resource_supported_by_xloader", "datastore_dictionary",
]


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


def satudata_data_files(package_id: str) -> list[dict[str, Any]]:
    """The dataset's resources with their upload check in one line each, for its workflow panel (shown to the
    people of the workflow only)."""
    return submission.data_files([package_id])[package_id]


def satudata_has_year_columns(resource_id: str) -> bool:
    """Whether a DataStore table has years as column headers, so its long form (tahun, nilai) is offered."""
    try:
        fields = chart_view.table_fields(resource_id)  # the chart view of the same page reads them too
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return False
    return bool(long_form.year_columns(fields))
