"""Actions of the SOP's reports (steps 7 and 8): monitoring and evaluation."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic import schema
from ckanext.satudata_blitar.logic.context import inner_context, user_of
from ckanext.satudata_blitar.reports import RUN, archive
from ckanext.satudata_blitar.reports import figures as reports

__all__: list[str] = ["satudata_report_monitoring", "satudata_report_evaluation", "satudata_report_issue",
                      "satudata_report_archive_list", "satudata_report_archive_show"]


def _validated(data_dict: dict[str, Any], schema: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _report_input(context: dict[str, Any], data_dict: dict[str, Any], name: str) -> dict[str, Any]:
    if "opd" in data_dict and "owner_org" not in data_dict:  # its former name, kept for one release
        data_dict = {**data_dict, "owner_org": data_dict["opd"]}
    data_dict = {key: value for key, value in data_dict.items() if key != "opd"}
    tk.check_access(name, context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.report_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    return data


@tk.side_effect_free
def satudata_report_monitoring(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The monitoring report (SOP step 7): per OPD the datasets in each workflow state now and what moved in the
    period (submitted, verified and returned at each stage, published, withdrawn); the time spent in each step
    against the SOP's standard times (on-time share, median and worst waits) and the overdue steps by dataset;
    the monthly trend. See reports/figures.py for the exact definitions.

    :param period: a year (``2026``), a quarter (``2026-Q3`` or ``2026-T3``) or a month (``2026-07``)
    :type period: string
    :param owner_org: an OPD's name or id, to report on that OPD only (optional; ``opd`` is its former name)
    :type owner_org: string
    :param list_limit: list at most this many of the overdue steps (``overdue``, the longest first) and of the late
        data elements (``data_elements.late``), as the report page and the PDF do; ``overdue_count`` and
        ``data_elements.late_count`` count every one (optional; default: every one is listed)
    :type list_limit: int
    :returns: the report's figures
    :rtype: dictionary
    """
    data = _report_input(context, data_dict, "satudata_report_monitoring")
    return reports.monitoring(data["period"], data.get("owner_org"), list_limit=data.get("list_limit"),
                              run=context.get(RUN))


@tk.side_effect_free
def satudata_report_evaluation(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The evaluation report (SOP step 8): a scorecard per OPD under the EPSS aspects (Peraturan BPS 3/2022) and a
    ranking, each score with the datasets behind it. See reports/figures.py.

    :param period: as satudata_report_monitoring
    :param owner_org: as satudata_report_monitoring (optional)
    :param list_limit: given (any number), the report as the page and the PDF show it: the scores without the
        per-dataset and per-element facts behind them (``dataset_facts`` and ``element_facts`` are empty); the
        scores are the same (optional)
    :type list_limit: int
    :rtype: dictionary
    """
    data = _report_input(context, data_dict, "satudata_report_evaluation")
    return reports.evaluation(data["period"], data.get("owner_org"), list_limit=data.get("list_limit"),
                              run=context.get(RUN))


def satudata_report_issue(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Issue a report (Terbitkan laporan): it takes the next number of the year of issue (the ``{seq}`` of
    ``ckanext.satudata_blitar.report.number_format``), its PDF and .xlsx are made with that number and kept unchanged
    under ``ckan.storage_path``/satudata_reports, and it joins the archive (satudata_report_archive_list).

    :param kind: ``monitoring`` or ``evaluation``
    :type kind: string
    :param period: as satudata_report_monitoring
    :type period: string
    :param owner_org: as satudata_report_monitoring (optional)
    :type owner_org: string
    :param language: the files' language, ``id`` (default) or ``en``
    :type language: string
    :returns: the issued report: number, who issued it and when, its files' names and SHA-256
    :rtype: dictionary
    """
    tk.check_access("satudata_report_issue", context, data_dict)
    data = _validated(data_dict, schema.report_issue_schema(), context)
    query = {key: data_dict[key] for key in ("period", "owner_org", "opd") if key in data_dict}
    kind = data["kind"]
    inner = {**inner_context(context), RUN: {}}  # one run: the evaluation reads the monitoring's steps
    found = {name: tk.get_action(f"satudata_report_{name}")(inner, dict(query))
             for name in (("monitoring", "evaluation") if kind == "evaluation" else ("monitoring",))}
    issued = archive.issue(kind, found, data["language"], user_of(context))
    model.Session.commit()
    return issued


@tk.side_effect_free
def satudata_report_archive_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The issued reports, newest first: number, kind, period, OPD, who issued them and when, their files.

    :param limit: how many (default 50, at most ``ckan.search.rows_max``)
    :type limit: int
    :param offset: how many to skip (default 0)
    :type offset: int
    :rtype: dictionary with ``count`` and ``results``
    """
    tk.check_access("satudata_report_archive_list", context, data_dict)
    data = _validated(data_dict, schema.report_archive_list_schema(), context)
    return archive.issued(data["limit"], data["offset"])


@tk.side_effect_free
def satudata_report_archive_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One issued report (its files are downloaded from /laporan/arsip/<id>.pdf and .xlsx).

    :param id: the issued report's id
    :type id: int
    :rtype: dictionary
    """
    tk.check_access("satudata_report_archive_show", context, data_dict)
    data = _validated(data_dict, {"id": [tk.get_validator("not_empty"), tk.get_validator("natural_number_validator")]},
                      context)
    found = archive.issued_report(data["id"])
    if found is None:
        raise tk.ObjectNotFound(tk._("Issued report not found"))
    return found
