"""Actions of the SOP's reports (steps 7 and 8): monitoring and evaluation."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic import schema
from ckanext.satudata_blitar.reports import figures as reports

__all__: list[str] = ["satudata_report_monitoring", "satudata_report_evaluation"]


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
    :returns: the report's figures
    :rtype: dictionary
    """
    data = _report_input(context, data_dict, "satudata_report_monitoring")
    return reports.monitoring(data["period"], data.get("owner_org"))


@tk.side_effect_free
def satudata_report_evaluation(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The evaluation report (SOP step 8): a scorecard per OPD under the EPSS aspects (Peraturan BPS 3/2022) and a
    ranking, each score with the datasets behind it. See reports/figures.py.

    :param period: as satudata_report_monitoring
    :param owner_org: as satudata_report_monitoring (optional)
    :rtype: dictionary
    """
    data = _report_input(context, data_dict, "satudata_report_evaluation")
    return reports.evaluation(data["period"], data.get("owner_org"))
