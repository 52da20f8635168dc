"""Who may import and export datasets' statistical metadata."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz

__all__: list[str] = ["satudata_metadata_import", "satudata_metadata_export"]


def satudata_metadata_import(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever may update the dataset `id`; without `id`, whoever may create a dataset in `owner_org`."""
    if data_dict.get("id"):
        return authz.is_authorized("package_update", context, {"id": data_dict["id"]})
    return authz.is_authorized("package_create", context, {"owner_org": data_dict.get("owner_org")})


@tk.auth_allow_anonymous_access
def satudata_metadata_export(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The metadata .xlsx of a dataset (a view, not an action): whoever may see the dataset."""
    return authz.is_authorized("package_show", context, {"id": data_dict.get("id")})
