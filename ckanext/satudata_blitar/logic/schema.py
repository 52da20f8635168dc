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
    from ckanext.satudata_blitar import workflow

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
    from ckanext.satudata_blitar import reports

    not_empty, ignore_empty, unicode_safe = (
        tk.get_validator(name) for name in ("not_empty", "ignore_empty", "unicode_safe"))
    return {
        "period": [not_empty, reports.period_validator],
        "opd": [ignore_empty, unicode_safe, reports.opd_validator],
    }
