"""Core account actions we chain: user_show refuses before it looks the account up; a password change ends the user's other login sessions (accounts/sessions.py
ends every session whose password fingerprint is older); the session that made the change stays logged in."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.accounts import sessions

__all__: list[str] = ["user_update", "user_show"]


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
