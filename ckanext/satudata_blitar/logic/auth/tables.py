"""Who may see the check of an uploaded table."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__: list[str] = ["satudata_upload_check", "satudata_upload_report", "satudata_requeue_loads"]


@tk.auth_allow_anonymous_access
def satudata_upload_check(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever may see the resource may see its upload check."""
    return {"success": tk.check_access("resource_show", context, {"id": data_dict.get("id")})}


@tk.auth_allow_anonymous_access
def satudata_upload_report(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The deprecated name of satudata_upload_check."""
    return satudata_upload_check(context, data_dict)


def satudata_requeue_loads(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Sysadmins only (CKAN lets them through before this is asked)."""
    return {"success": False}
