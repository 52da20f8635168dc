"""Who may read, change, import and link the daftar elemen data."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["satudata_data_element_list", "satudata_data_element_show", "satudata_data_element_create",
                      "satudata_data_element_update", "satudata_data_element_delete", "satudata_data_element_import",
                      "satudata_data_element_link", "satudata_data_element_template"]

def _reads_opd(context: dict[str, Any], opd_id: str | None) -> bool:
    readable = roles.readable_opd_ids(user_of(context))
    return readable is None or (opd_id in readable if opd_id else bool(readable))


def satudata_data_element_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata's roles read every OPD's list; an OPD's Operator Data and Verifikator OPD read their OPD's
    (the action lists only those). `owner_org` is an id (the action resolves names before asking)."""
    if _reads_opd(context, data_dict.get("owner_org")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the OPD's Operator Data and verifiers and the Walidata may see "
                                          "its daftar elemen data")}


def satudata_data_element_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """As the list of the element's OPD (`owner_org`, given by the action)."""
    return satudata_data_element_list(context, {"owner_org": data_dict.get("owner_org") or "-"})


def _changes_elements(context: dict[str, Any]) -> dict[str, Any]:
    if roles.is_walidata(user_of(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may change the daftar elemen data")}


def satudata_data_element_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins) maintain the lists."""
    return _changes_elements(context)


def satudata_data_element_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    return _changes_elements(context)


def satudata_data_element_delete(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    return _changes_elements(context)


def satudata_data_element_import(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    return _changes_elements(context)


def satudata_data_element_link(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata, and the Operator Data of the element's OPD (`owner_org`, given by the action): the operator
    knows which of the OPD's datasets provides it."""
    user_roles = roles.roles_for(user_of(context), data_dict.get("owner_org"))
    if user_roles & {roles.WALIDATA, roles.SYSADMIN, roles.OPERATOR}:
        return {"success": True}
    return {"success": False, "msg": tk._("Only the OPD's Operator Data and the Walidata may link a dataset to "
                                          "a data element")}



def satudata_data_element_template(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The blank template of a year's list: anyone logged in (it names the OPDs and nothing else)."""
    if user_of(context):
        return {"success": True}
    return {"success": False, "msg": tk._("Log in to download the daftar elemen data template")}
