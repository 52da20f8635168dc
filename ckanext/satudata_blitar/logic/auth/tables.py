"""Who may see the check of an uploaded table, and an uploaded file the check has not accepted."""
from __future__ import annotations

from typing import Any

import ckan.model as model
from ckan import authz
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["satudata_upload_check", "satudata_upload_report", "satudata_requeue_loads", "resource_show",
                      "resource_view_list", "satudata_official_names"]


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def resource_show(next_auth, context, data_dict):
    """An uploaded file the upload check refused (or has not checked yet) is served to nobody outside its OPD's
    people of the workflow — Operator Data, Verifikator OPD, the Walidata's roles, sysadmins — even in a published
    dataset: they see what is wrong, the public gets no file. CKAN asks this for the resource page, the file
    download, every resource view and the DataStore."""
    result = next_auth(context, data_dict)
    resource_id = (data_dict or {}).get("id") or (data_dict or {}).get("resource_id")
    resource = model.Resource.get(resource_id) if isinstance(resource_id, str) else None
    if not result.get("success") or resource is None or resource.url_type != "upload" \
            or upload_check.accepted(resource.id):
        return result
    package = model.Package.get(resource.package_id)
    if package is not None and roles.roles_for(user_of(context), package.owner_org):
        return result
    return {"success": False, "msg": tk._("This file has not passed the upload check and is not available")}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def resource_view_list(next_auth, context, data_dict):
    """Listing a resource's views shows no file: whoever sees the dataset may (CKAN's dataset page lists the views of
    every resource and does not expect a refusal); showing a view asks resource_show."""
    resource_id = (data_dict or {}).get("id")
    resource = model.Resource.get(resource_id) if isinstance(resource_id, str) else None
    if resource is None:
        return next_auth(context, data_dict)
    return authz.is_authorized("package_show", context, {"id": resource.package_id})


@tk.auth_allow_anonymous_access
def satudata_upload_check(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever may see the resource may see its upload check."""
    return {"success": tk.check_access("resource_show", context, {"id": data_dict.get("id")})}


@tk.auth_allow_anonymous_access
def satudata_upload_report(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The deprecated name of satudata_upload_check."""
    return satudata_upload_check(context, data_dict)


def satudata_official_names(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Storing official region names changes the table: whoever may change the resource now (the OPD's Operator
    Data while the dataset is Draf or Perlu Perbaikan), as resource_update."""
    return authz.is_authorized("resource_update", context, {"id": data_dict.get("id")})


def satudata_requeue_loads(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Sysadmins only (CKAN lets them through before this is asked)."""
    return {"success": False}
