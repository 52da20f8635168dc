"""navl schemas for the actions of logic/action.py."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def metadata_import_schema() -> dict[str, Any]:
    """satudata_metadata_import: the file, and the dataset to update or the OPD to create it in."""
    ignore_missing, not_missing, unicode_safe = (
        tk.get_validator(name) for name in ("ignore_missing", "not_missing", "unicode_safe"))
    return {
        "upload": [not_missing],
        "id": [ignore_missing, unicode_safe],
        "owner_org": [ignore_missing, unicode_safe],
    }


def transition_schema() -> dict[str, Any]:
    """satudata_transition: the dataset, the transition (a name from workflow.TRANSITIONS) and a note."""
    from ckanext.satudata_blitar.workflow import transitions as workflow

    not_empty, unicode_safe, ignore_missing, one_of, strip_value = (
        tk.get_validator(name) for name in ("not_empty", "unicode_safe", "ignore_missing", "OneOf", "strip_value"))
    return {
        "id": [not_empty, unicode_safe],
        "transition": [not_empty, unicode_safe, one_of(list(workflow.TRANSITIONS))],
        "note": [ignore_missing, unicode_safe, strip_value],
    }


def upload_report() -> dict[str, Any]:
    """satudata_upload_report: the resource."""
    not_empty, unicode_safe = (tk.get_validator(name) for name in ("not_empty", "unicode_safe"))
    return {"id": [not_empty, unicode_safe]}


def report_schema() -> dict[str, Any]:
    """satudata_report_monitoring / satudata_report_evaluation: the period (parsed into reports.Period) and an
    optional OPD (resolved to its id)."""
    from ckanext.satudata_blitar.reports import figures as reports

    not_empty, ignore_empty, unicode_safe = (
        tk.get_validator(name) for name in ("not_empty", "ignore_empty", "unicode_safe"))
    return {
        "period": [not_empty, reports.period_validator],
        "opd": [ignore_empty, unicode_safe, reports.opd_validator],
    }


def data_element_schema() -> dict[str, Any]:
    """satudata_data_element_create / _update: an element of an OPD's daftar elemen data for a year. The dataset
    (`package_id`, id or name) is checked against the element's OPD by the action."""
    from ckanext.satudata_blitar.elements import data_elements
    from ckanext.satudata_blitar.reports import figures as reports
    from ckanext.satudata_blitar.logic import validators

    not_empty, ignore_missing, ignore_empty, unicode_safe, strip_value = (
        tk.get_validator(name) for name in ("not_empty", "ignore_missing", "ignore_empty", "unicode_safe",
                                            "strip_value"))
    frequencies = [choice["value"] for choice in data_elements.frequency_choices()]

    def frequency(value: Any) -> Any:
        if value not in frequencies:
            raise tk.Invalid(tk._("Frequency must be one of: {choices}").format(choices=", ".join(frequencies)))
        return value

    return {
        "tahun": [not_empty, validators.satudata_element_year],
        "owner_org": [not_empty, unicode_safe, reports.opd_validator],
        # not_empty again after strip_value: a name of blanks is no name
        "nama": [not_empty, unicode_safe, strip_value, not_empty, validators.satudata_max_length(500)],
        "definisi": [ignore_missing, unicode_safe, strip_value, validators.satudata_max_length(5000)],
        "satuan": [ignore_missing, unicode_safe, strip_value, validators.satudata_max_length(200)],
        "frekuensi": [ignore_empty, unicode_safe, frequency],
        "data_prioritas": [validators.satudata_yes_no],
        "tanggal_target": [ignore_missing, validators.satudata_iso_date],
        "package_id": [ignore_missing, unicode_safe],
    }


def data_element_list_schema() -> dict[str, Any]:
    """satudata_data_element_list: the year, an optional OPD and an optional status."""
    from ckanext.satudata_blitar.elements import data_elements
    from ckanext.satudata_blitar.reports import figures as reports
    from ckanext.satudata_blitar.logic import validators

    not_empty, ignore_empty, unicode_safe = (
        tk.get_validator(name) for name in ("not_empty", "ignore_empty", "unicode_safe"))

    def status(value: Any) -> Any:
        if value not in data_elements.STATUSES:
            raise tk.Invalid(tk._("Status must be one of: {choices}").format(
                choices=", ".join(data_elements.STATUSES)))
        return value

    return {
        "tahun": [not_empty, validators.satudata_element_year],
        "owner_org": [ignore_empty, unicode_safe, reports.opd_validator],
        "status": [ignore_empty, unicode_safe, status],
    }


def data_element_import_schema() -> dict[str, Any]:
    """satudata_data_element_import: the file, the year and an optional OPD."""
    not_missing = tk.get_validator("not_missing")
    schema = data_element_list_schema()
    del schema["status"]
    return {"upload": [not_missing], **schema}
