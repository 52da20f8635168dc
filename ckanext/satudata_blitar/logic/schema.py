"""navl schemas for the actions of logic/action/."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.logic import validators
from ckanext.satudata_blitar.workflow import transitions


def metadata_import_schema() -> dict[str, Any]:
    """satudata_metadata_import: the file, and the dataset to update or the OPD to create it in."""
    ignore_missing, not_missing, unicode_safe = (
        tk.get_validator(name) for name in ("ignore_missing", "not_missing", "unicode_safe"))
    return {
        "upload": [not_missing],
        "id": [ignore_missing, unicode_safe],
        "owner_org": [ignore_missing, unicode_safe],
    }


# A transition's note: a reason, not a document (it is shown on the dataset's history).
NOTE_MAX_LENGTH = 2000


def transition_schema() -> dict[str, Any]:
    """satudata_transition: the dataset, the transition (a name from transitions.TRANSITIONS) and a note."""
    not_empty, unicode_safe, ignore_missing, strip_value = (
        tk.get_validator(name) for name in ("not_empty", "unicode_safe", "ignore_missing", "strip_value"))

    def known_transition(value: Any) -> Any:
        # CKAN's OneOf formats its message before translating it: never translated.
        if value not in transitions.TRANSITIONS:
            raise tk.Invalid(tk._("Unknown transition; choose one of: {choices}").format(
                choices=", ".join(transitions.TRANSITIONS)))
        return value

    return {
        "id": [not_empty, validators.satudata_text, unicode_safe],
        "transition": [not_empty, validators.satudata_text, unicode_safe, known_transition],
        "note": [ignore_missing, validators.satudata_text, unicode_safe, strip_value,
                 validators.satudata_max_length(NOTE_MAX_LENGTH)],
    }


def upload_check_schema() -> dict[str, Any]:
    """satudata_upload_check: the resource."""
    not_empty, unicode_safe = (tk.get_validator(name) for name in ("not_empty", "unicode_safe"))
    return {"id": [not_empty, unicode_safe]}


def report_schema() -> dict[str, Any]:
    """satudata_report_monitoring / satudata_report_evaluation: the period (parsed into figures.Period), an
    optional OPD (resolved to its id) and an optional cut of the report's lists (a whole number, 0 or more)."""
    not_empty, ignore_empty, ignore_missing, unicode_safe, natural_number = (
        tk.get_validator(name) for name in ("not_empty", "ignore_empty", "ignore_missing", "unicode_safe",
                                            "natural_number_validator"))
    return {
        "period": [not_empty, validators.satudata_report_period],
        "owner_org": [ignore_empty, unicode_safe, validators.satudata_opd],
        "list_limit": [ignore_missing, natural_number],  # 0 lists none
    }


def report_issue_schema() -> dict[str, Any]:
    """satudata_report_issue: which report (its filters go on to the report's action) and the files' language."""
    not_empty, default, one_of = (tk.get_validator(name) for name in ("not_empty", "default", "one_of"))
    return {"kind": [not_empty, one_of(["monitoring", "evaluation"])],
            "language": [default("id"), one_of(["id", "en"])]}


def report_archive_list_schema() -> dict[str, Any]:
    """satudata_report_archive_list: a bounded page."""
    default, natural, limit = (tk.get_validator(name) for name in ("default", "natural_number_validator",
                                                                   "limit_to_configured_maximum"))
    return {"limit": [default(50), natural, limit("ckan.search.rows_max", 100)],
            "offset": [default(0), natural]}


def data_element_schema() -> dict[str, Any]:
    """satudata_data_element_create / _update: an element of an OPD's daftar elemen data for a year. The dataset
    (`package_id`, id or name) is checked against the element's OPD by the action."""
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
        "owner_org": [not_empty, unicode_safe, validators.satudata_opd],
        # not_empty again after strip_value: a name of blanks is no name
        "nama": [not_empty, unicode_safe, strip_value, not_empty, validators.satudata_max_length(500),
                 validators.satudata_visible_text],
        "definisi": [ignore_missing, unicode_safe, strip_value, validators.satudata_max_length(5000)],
        "satuan": [ignore_missing, unicode_safe, strip_value, validators.satudata_max_length(200)],
        "frekuensi": [ignore_empty, unicode_safe, frequency],
        "data_prioritas": [validators.satudata_yes_no],
        "tanggal_target": [ignore_missing, validators.satudata_iso_date],
        "package_id": [ignore_missing, unicode_safe],
    }


def data_element_list_schema() -> dict[str, Any]:
    """satudata_data_element_list: the year, an optional OPD and an optional status."""
    not_empty, ignore_empty, unicode_safe = (
        tk.get_validator(name) for name in ("not_empty", "ignore_empty", "unicode_safe"))

    def status(value: Any) -> Any:
        if value not in data_elements.STATUSES:
            raise tk.Invalid(tk._("Status must be one of: {choices}").format(
                choices=", ".join(data_elements.STATUSES)))
        return value

    return {
        "tahun": [not_empty, validators.satudata_element_year],
        "owner_org": [ignore_empty, unicode_safe, validators.satudata_opd],
        "status": [ignore_empty, unicode_safe, status],
    }


def data_element_import_schema() -> dict[str, Any]:
    """satudata_data_element_import: the file, the year and an optional OPD."""
    not_missing = tk.get_validator("not_missing")
    schema = data_element_list_schema()
    del schema["status"]
    return {"upload": [not_missing], **schema}


def verification_queue_page_schema() -> dict[str, Any]:
    """satudata_verification_queue_page: a bounded page (20 by default, at most `ckan.search.rows_max`), which
    datasets (`returned`: only those returned for revision, or only the others) and whether they are checked."""
    default, natural, limit = (tk.get_validator(name) for name in (
        "default", "natural_number_validator", "limit_to_configured_maximum"))
    boolean = validators.satudata_yes_no  # CKAN 2.11's boolean_validator fails with a 500 on a list or an object

    def unless_unset(key, data, errors, context):  # ignore_empty would drop `false` too
        if data.get(key) in (tk.missing, None, ""):
            data.pop(key, None)
            raise tk.StopOnError

    return {"offset": [default(0), natural], "limit": [default(20), natural, limit("ckan.search.rows_max", 1000)],
            "returned": [unless_unset, boolean], "checks": [default(True), boolean]}
