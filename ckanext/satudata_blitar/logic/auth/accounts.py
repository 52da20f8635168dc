"""Who sees the portal's accounts (chained core auth): the list of accounts (user_list, and user_autocomplete,
which asks user_list) only the Walidata and sysadmins; an account's profile (user_show: the user's page, their
activity, organisations and followers, `last_active`) the user themselves, the Walidata and sysadmins. Anonymous
visitors and citizens' own accounts see none of them. CKAN's ckan.auth.public_user_details = false would only stop
anonymous visitors, and anyone may register an account."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["user_list", "user_show"]


@tk.chained_auth_function
def user_list(next_auth, context, data_dict):
    """The Walidata and sysadmins (they assign the OPDs' roles to accounts)."""
    if not roles.is_walidata(user_of(context)):
        return {"success": False, "msg": tk._("Only the Walidata may see the list of accounts")}
    return next_auth(context, data_dict)


def _is_self(user: Any, data_dict: dict[str, Any]) -> bool:
    """user_show shows `id` when given (CKAN's user pages pass the viewer as `user_obj` beside it), else
    `user_obj`."""
    ref = (data_dict or {}).get("id")
    if ref:
        return isinstance(ref, str) and ref in (user.id, user.name)
    return getattr((data_dict or {}).get("user_obj"), "id", None) == user.id


@tk.chained_auth_function
def user_show(next_auth, context, data_dict):
    """The user themselves, the Walidata and sysadmins."""
    user = user_of(context)
    if user is None or not (_is_self(user, data_dict) or roles.is_walidata(user)):
        return {"success": False, "msg": tk._("Only the account's owner and the Walidata may see an account")}
    return next_auth(context, data_dict)
