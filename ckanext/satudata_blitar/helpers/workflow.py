"""Template helpers of the verification workflow: states and transitions the user may make, the history, the
queue's count, who acts next, and what still stops a submission."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.helpers.core import satudata_check_access
from ckanext.satudata_blitar.language import formats
from ckanext.satudata_blitar.metadata import completeness
from ckanext.satudata_blitar.tables import submission
from ckanext.satudata_blitar.workflow import dataset_state
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.workflow import working_days

__all__: list[str] = [
    "satudata_working_time", "satudata_state_label", "satudata_available_transitions",
    "satudata_transition_asking_first", "satudata_workflow_history", "satudata_verification_count",
    "satudata_waiting_for_label", "satudata_submission_refusal", "satudata_tables_to_describe",
    "satudata_show_state",
]


def satudata_working_time(amount: Any, unit: str = working_days.WORKING_DAYS, late: bool = False) -> str:
    """A standard time or a delay in the SOP's units (workflow/working_days.py): "1 working day", "2 working days
    late", "1,5 working hours" (in the user's language; "" for none)."""
    if amount is None or amount == "":
        return ""
    count = int(amount) if float(amount) == int(amount) else 2  # a fraction takes the plural
    if unit == working_days.WORKING_HOURS:
        text = (tk.ungettext("{n} working hour late", "{n} working hours late", count) if late
                else tk.ungettext("{n} working hour", "{n} working hours", count))
    else:
        text = (tk.ungettext("{n} working day late", "{n} working days late", count) if late
                else tk.ungettext("{n} working day", "{n} working days", count))
    return text.format(n=formats.satudata_number(amount))


def satudata_state_label(state: str) -> str:
    return transitions.state_label(state)


def satudata_available_transitions(pkg_dict: dict[str, Any]) -> list[transitions.Transition]:
    """The transitions from the dataset's state that the auth functions allow the current user."""
    state = pkg_dict.get("satudata_status")
    return [t for t in transitions.TRANSITIONS.values() if state in t.from_states
            and satudata_check_access("satudata_transition", {"id": pkg_dict["id"], "transition": t.name})]


def satudata_transition_asking_first(name: str) -> transitions.Transition | None:
    """The transition named `name` when it changes what the public sees (a publication or a withdrawal: the page
    asks before making it), else None."""
    found = transitions.TRANSITIONS.get(name)
    return found if found and found.kind in (transitions.PUBLISH, transitions.WITHDRAW) else None


def satudata_workflow_history(package_id: str) -> list[dict[str, Any]]:
    try:
        return tk.get_action("satudata_workflow_history")({}, {"id": package_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


def satudata_verification_count() -> int:
    """How many datasets wait for the logged-in user (the dashboard's and the header's count): the queue's own
    query, counted, rather than the queue itself."""
    if not tk.current_user.is_authenticated:
        return 0
    return transitions.waiting_count(tk.current_user)


def satudata_waiting_for_label(role_codes: list[str] | None) -> str:
    """Who acts next, e.g. "Verifikator OPD" (pkg.satudata_waiting_for)."""
    return dataset_state.waiting_for_label(role_codes or [])


def _may_submit(pkg_dict: dict[str, Any]) -> bool:
    return pkg_dict.get("satudata_status") in transitions.TRANSITIONS["ajukan"].from_states and satudata_check_access(
        "satudata_transition", {"id": pkg_dict["id"], "transition": "ajukan"})


def satudata_submission_refusal(pkg_dict: dict[str, Any]) -> str | None:
    """Why the user's "Submit" would be refused now (no loaded data, CKAN draft), for users who may submit."""
    return submission.submission_refusal_of(pkg_dict["id"]) if _may_submit(pkg_dict) else None


def satudata_tables_to_describe(pkg_dict: dict[str, Any]) -> list[dict[str, str]]:
    """The dataset's loaded tables with a column still to describe (MS-Var), {id, name}, for users who may submit:
    the status strip links each one's Data Dictionary."""
    if not _may_submit(pkg_dict):
        return []
    return [{"id": resource.id, "name": resource.name or resource.id}
            for resource in completeness.tables_missing_ms_var(pkg_dict["id"])]


def satudata_show_state(pkg_dict: dict[str, Any]) -> bool:
    """Lists and pages show the workflow state of unpublished datasets, and of published ones to logged-in users."""
    state = pkg_dict.get("satudata_status")
    return bool(state) and (state != transitions.TERBIT or tk.current_user.is_authenticated)
