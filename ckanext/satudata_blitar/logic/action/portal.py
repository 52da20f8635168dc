"""Actions behind the public portal pages and the role dashboards (reports/pipeline.py)."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.reports import pipeline

__all__: list[str] = ["satudata_element_summary", "satudata_pipeline"]


def _summary_schema() -> dict[str, Any]:
    ignore_missing, int_validator = tk.get_validator("ignore_missing"), tk.get_validator("int_validator")
    return {"tahun": [ignore_missing, int_validator], "owner_org": [ignore_missing, tk.get_validator("unicode_safe")]}


@tk.side_effect_free
def satudata_element_summary(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The daftar elemen data's fulfilment per OPD, for everyone: per OPD with a list for the year, `elements`,
    `terbit` (elements whose dataset is published), `priority`, `priority_terbit` and `percent`. Only counts, and
    only published datasets count; the list itself stays with the OPD and the Walidata
    (satudata_data_element_list).

    :param tahun: the year (default: this year in the portal's time zone)
    :type tahun: int
    :param owner_org: an OPD's name or id, for its row only (optional; an empty list when it has no list for the
        year)
    :type owner_org: string
    :rtype: list of dictionaries
    """
    data, errors = tk.navl_validate(data_dict, _summary_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_element_summary", context, data)
    zone = config.portal_zone()
    year = data.get("tahun") or datetime.datetime.now(zone).year
    return pipeline.element_summary(year, zone, data.get("owner_org"))


@tk.side_effect_free
def satudata_pipeline(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The workflow's pipeline for the Walidata: per OPD the datasets in each state and how many wait past the SOP's
    standard time (OPDs with overdue datasets first), the totals per state, and the overdue datasets, oldest first.

    :param overdue_limit: list only the oldest this many overdue datasets (optional; default all)
    :type overdue_limit: int
    :rtype: dictionary with `states`, `opds`, `totals`, `overdue`, `overdue_count` (how many are overdue)
    """
    data, errors = tk.navl_validate(data_dict or {}, _pipeline_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_pipeline", context, data)
    return pipeline.pipeline(overdue_limit=data.get("overdue_limit"))


def _pipeline_schema() -> dict[str, Any]:
    return {"overdue_limit": [tk.get_validator("ignore_empty"), tk.get_validator("natural_number_validator")]}
