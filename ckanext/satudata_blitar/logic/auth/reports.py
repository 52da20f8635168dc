"""Who may see the SOP's reports."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["satudata_report_monitoring", "satudata_report_evaluation", "satudata_report_issue",
                      "satudata_report_archive_list", "satudata_report_archive_show"]


def _reports(context: dict[str, Any]) -> dict[str, Any]:
    if roles.is_walidata(user_of(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may see the monitoring and evaluation reports")}


def satudata_report_monitoring(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins): the SOP's reports go to the head of Diskominfotik through them."""
    return _reports(context)


def satudata_report_evaluation(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins), as the monitoring report."""
    return _reports(context)


def satudata_report_issue(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Who sees the reports issues them (the Walidata, sysadmins): the issued report goes out under their office."""
    return _reports(context)


def satudata_report_archive_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The archive of issued reports: as the reports."""
    return _reports(context)


def satudata_report_archive_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """An issued report and its files: as the reports."""
    return _reports(context)
