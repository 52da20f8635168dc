"""Template helpers of the data request pages: the choices of their forms and the answerers' waiting count."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.requests import data_requests as flow
from ckanext.satudata_blitar.workflow import roles

__all__: list[str] = ["satudata_data_request_choices", "satudata_data_request_waiting"]


def satudata_data_request_choices() -> dict[str, Any]:
    """The forms' choices in the page's language: states, outcomes, refusal reasons, Pasal 17 clauses, formats;
    and the standard times."""
    return {
        "states": [(state, flow.state_label(state)) for state in flow.STATES],
        "outcomes": [(state, flow.state_label(state)) for state in flow.OUTCOMES],
        "reasons": [(reason, flow.reason_label(reason)) for reason in flow.REASON_LABELS],
        "clauses": list(flow.KIP_CLAUSES),
        "formats": [(value, tk._(label)) for value, label in flow.FORMATS.items()],
        "standard_days": flow.STANDARD_DAYS, "extension_days": flow.EXTENSION_DAYS,
    }


def satudata_data_request_waiting() -> list[dict[str, Any]]:
    """The open requests waiting for the current user's answer, oldest first, with their timers (the Walidata:
    every open request; an OPD's Operator Data and Verifikator OPD: those routed to their OPD). Empty for
    everyone else."""
    user = tk.current_user
    held = roles.memberships(user)
    if not (held.sysadmin or roles.WALIDATA in held.portal or held.opds):
        return []
    try:
        return tk.get_action("satudata_data_request_list")({"auth_user_obj": user}, {"queue": True,
                                                                                   "limit": 100})["results"]
    except tk.NotAuthorized:
        return []
