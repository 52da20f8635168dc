"""Who may file, read, route, answer, extend, follow up, close and hide data requests (docs/data-requests.md).
What a request's state allows is the action's; these say who, by role."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.requests import data_requests as flow
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["satudata_data_request_create", "satudata_data_request_show", "satudata_data_request_list",
                      "satudata_data_request_route", "satudata_data_request_answer",
                      "satudata_data_request_extend", "satudata_data_request_follow_up",
                      "satudata_data_request_close", "satudata_data_request_hide"]


def _refused(message: str) -> dict[str, Any]:
    return {"success": False, "msg": message}


@tk.auth_allow_anonymous_access
def satudata_data_request_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Anyone with an account (a citizen registers first)."""
    if user_of(context):
        return {"success": True}
    return _refused(tk._("Log in (or register) to file a data request"))


@tk.auth_allow_anonymous_access
def satudata_data_request_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Everyone: requests are public (the action leaves out what is not)."""
    return {"success": True}


@tk.auth_allow_anonymous_access
def satudata_data_request_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Everyone; one's own requests (`mine`) and a queue (`queue`) need an account, a queue a role that answers."""
    user = user_of(context)
    if (data_dict.get("mine") or data_dict.get("queue")) and not user:
        return _refused(tk._("Log in to see your data requests"))
    if data_dict.get("queue"):
        held = roles.memberships(user)
        if not (held.sysadmin or roles.WALIDATA in held.portal or held.opds):
            return _refused(tk._("Only the Walidata and the OPDs' Operator Data and verifiers answer data requests"))
    return {"success": True}


def _the_request(data_dict: dict[str, Any]):
    request = flow.get(data_dict.get("id"))
    if request is None:
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return request


def satudata_data_request_route(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    if roles.is_walidata(user_of(context)):
        return {"success": True}
    return _refused(tk._("Only the Walidata routes data requests"))


def _answers(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata, and the Operator Data and Verifikator OPD of the OPD the request is routed to (while it is
    routed there: a request not yet routed, or back with the Walidata, is the Walidata's)."""
    if flow.handler_roles(user_of(context), _the_request(data_dict)):
        return {"success": True}
    return _refused(tk._("Only the OPD the request is routed to and the Walidata answer it"))


def satudata_data_request_answer(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """See _answers."""
    return _answers(context, data_dict)


def satudata_data_request_extend(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Who answers the request (see _answers)."""
    return _answers(context, data_dict)


def satudata_data_request_follow_up(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The requester (and sysadmins)."""
    request, user = _the_request(data_dict), user_of(context)
    if flow.is_requester(user, request) or (user and user.sysadmin):
        return {"success": True}
    return _refused(tk._("Only the requester asks a follow-up question"))


def satudata_data_request_close(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The requester, and the Walidata (and sysadmins)."""
    request, user = _the_request(data_dict), user_of(context)
    if flow.is_requester(user, request) or roles.is_walidata(user):
        return {"success": True}
    return _refused(tk._("Only the requester and the Walidata close a data request"))


def satudata_data_request_hide(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    if roles.is_walidata(user_of(context)):
        return {"success": True}
    return _refused(tk._("Only the Walidata hides a data request's text"))
