"""Who may send the reminders, read what was sent, and see or change a person's reminder settings."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["satudata_remind", "satudata_reminder_list", "satudata_reminder_settings_show",
                      "satudata_reminder_settings_update"]


def satudata_remind(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Sysadmins only (the CLI acts as the site user): it mails every person of the workflow."""
    return {"success": False, "msg": tk._("Only a sysadmin may send the reminders")}


def satudata_reminder_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins): they oversee the OPDs."""
    if roles.is_walidata(user_of(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may see the reminders sent")}


def _own_settings(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The user themselves (sysadmins anyone)."""
    user = user_of(context)
    wanted = data_dict.get("id")
    target = model.User.get(str(wanted)) if wanted else user
    if user is not None and target is not None and target.id == user.id:
        return {"success": True}
    return {"success": False, "msg": tk._("You may only change your own reminder settings")}


def satudata_reminder_settings_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _own_settings(context, data_dict)


def satudata_reminder_settings_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _own_settings(context, data_dict)
