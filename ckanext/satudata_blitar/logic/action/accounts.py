"""Core account actions we chain: user_show refuses before it looks the account up; organization_show and group_show
list an OPD's or topic's accounts only to whoever may list accounts; a password change ends the user's other login sessions (accounts/sessions.py
ends every session whose password fingerprint is older); the session that made the change stays logged in."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.accounts import sessions

__all__: list[str] = ["user_update", "user_show", "organization_show", "group_show"]


def _may_list_accounts(context) -> bool:
    try:
        tk.check_access("user_list", {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj"),
                                      "ignore_auth": context.get("ignore_auth", False)})
    except tk.NotAuthorized:
        return False
    return True


def _show_with_accounts_for_whoever_may_list_them(original_action, context, data_dict):
    """An OPD's or topic's `users` (names, `last_active`, capacities) only for whoever may list accounts. For anyone
    else CKAN is asked not to build the list at all (`include_users`): each member costs it a query of their own
    (the count of datasets they created), on every dataset page that shows its OPD."""
    if _may_list_accounts(context):
        return original_action(context, data_dict)
    result = original_action(context, {**data_dict, "include_users": False})
    result.pop("users", None)
    return result


@tk.side_effect_free
@tk.chained_action
def organization_show(original_action, context, data_dict):
    return _show_with_accounts_for_whoever_may_list_them(original_action, context, data_dict)


@tk.side_effect_free
@tk.chained_action
def group_show(original_action, context, data_dict):
    return _show_with_accounts_for_whoever_may_list_them(original_action, context, data_dict)


@tk.side_effect_free
@tk.chained_action
def user_show(original_action, context, data_dict):
    """Asked first (CKAN's own user_show says "not found" before it asks): whoever may not see other accounts gets
    the same refusal for a name that exists and one that does not, so account names cannot be probed."""
    tk.check_access("user_show", context, data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def user_update(original_action, context, data_dict):
    """The user's own new password keeps the session it was changed in (CKAN's edit form and password reset); a
    password changed by someone else, or through the API, ends all of the user's sessions."""
    ref = (data_dict or {}).get("id")
    before = model.User.get(ref) if isinstance(ref, str) and ref else None
    old_hash = before.password if before is not None else None
    result = original_action(context, data_dict)
    user = model.User.get(result["id"])
    if user is not None and user.password != old_hash:  # `password`, or the forms' password1/password2
        sessions.restamp(user)
    return result
