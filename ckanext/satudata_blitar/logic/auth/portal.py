"""Auth functions of the portal pages' actions (logic/action/portal.py)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["satudata_element_summary", "satudata_pipeline"]


@tk.auth_allow_anonymous_access
def satudata_element_summary(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Everyone: the summary holds only counts, and only published datasets fulfil an element."""
    return {"success": True}


def satudata_pipeline(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata's roles (Walidata, Verifikator Kominfotik) and sysadmins: they oversee every OPD."""
    if roles.roles_for(user_of(context), None) & {roles.WALIDATA, roles.VERIFIKATOR_KOMINFOTIK, roles.SYSADMIN}:
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata and the Verifikator Kominfotik may see the pipeline "
                                          "of every OPD")}
