"""Who may move datasets through the verification workflow, see its history and queue, revise and assign roles."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import revisions, roles
from ckanext.satudata_blitar.workflow import transitions

__all__: list[str] = ["satudata_transition", "satudata_workflow_history", "satudata_verification_queue",
                      "satudata_verification_queue_page", "satudata_role_history", "satudata_revision_create"]
# ckanext-activity's auth we widen (what changed in a dataset, for its verifiers): registered only when the activity
# plugin runs, since a chained auth function needs the one it chains (logic/auth/__init__.py).
ACTIVITY_CHAINED: list[str] = ["activity_show", "activity_data_show", "activity_diff"]


def dataset_of(data_dict: dict[str, Any]) -> model.Package:
    """The dataset `id` of data_dict; ObjectNotFound when there is none."""
    package = model.Package.get(data_dict.get("id") or "")
    if not package:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


def walidata_only(context: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins): they assign roles and register OPDs."""
    if roles.is_walidata(user_of(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may assign roles and create OPDs")}


@tk.auth_sysadmins_check
def satudata_transition(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever holds a role that transitions.TRANSITIONS allows for this transition on this dataset; the second
    verification of a submission by someone else than the first (sysadmins included: two stages, two people)."""
    package = dataset_of(data_dict)
    transition = transitions.TRANSITIONS[data_dict["transition"]]
    user = user_of(context)
    if transitions.acting_role(transition, roles.roles_for(user, package.owner_org)):
        if (transition.stage == "walidata" and user
                and user.id in transitions.submission_actors(package.id, transitions.VERIFY, "opd")):
            return {"success": False, "msg": tk._(
                "You verified this submission at the OPD stage: the second verification is someone else's")}
        return {"success": True}
    allowed = tk._(" or ").join(sorted(roles.role_label(role) for role in transition.roles))
    return {"success": False, "msg": tk._('Only {roles} may "{transition}" this dataset').format(
        roles=allowed, transition=transition.label())}


def satudata_workflow_history(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The people of the workflow: the OPD's operators and verifiers, the Walidata's roles and sysadmins. The
    notes of returns are internal; the public sees only published data."""
    package = dataset_of(data_dict)
    if roles.roles_for(user_of(context), package.owner_org):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the people of the verification workflow may see its history")}


def satudata_revision_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The OPD's Operator Data, of a published dataset that is not itself a revision: the revision is theirs to
    edit, and what is not published yet is edited in place."""
    package = dataset_of(data_dict)
    if roles.OPERATOR not in roles.roles_for(user_of(context), package.owner_org):
        return {"success": False, "msg": tk._("Only an Operator Data of the OPD may revise its datasets")}
    if transitions.current_state(package.id) != transitions.TERBIT or revisions.revision_of(package.id):
        return {"success": False, "msg": tk._("Only a published dataset can be revised")}
    return {"success": True}


def satudata_verification_queue(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Any logged-in user: the list holds only what waits for them."""
    return {"success": bool(context.get("user"))}


def satudata_verification_queue_page(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """A page of the same list: as satudata_verification_queue."""
    return satudata_verification_queue(context, data_dict)


def satudata_role_history(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins): they assign the roles."""
    return walidata_only(context)


# --- what changed: the activity data and diffs of a dataset, for those who verify it ---------------------------

# The OPD's operators (who made the changes, and may no longer edit once they submit), its verifiers, and the
# Walidata's roles.
WORKFLOW_ROLES = frozenset({roles.OPERATOR, roles.VERIFIKATOR_OPD, roles.VERIFIKATOR_KOMINFOTIK, roles.WALIDATA})


def _verifies_the_activitys_dataset(context: dict[str, Any], data_dict: dict[str, Any]) -> bool:
    """CKAN shows a dataset's activity data and its "Changes" only to those who may edit it; the verifiers of its
    OPD and the Walidata's roles must see what they verify, and its operators what they submitted."""
    from ckanext.activity.model import Activity
    activity = model.Session.get(Activity, data_dict.get("id") or "")
    if not activity or "package" not in (activity.activity_type or ""):
        return False
    package = model.Package.get(activity.object_id)
    if not package:
        return False
    return bool(roles.roles_for(user_of(context), package.owner_org) & WORKFLOW_ROLES)


def _or_verifier(next_auth, context, data_dict):
    result = next_auth(context, data_dict)
    if result.get("success") or not _verifies_the_activitys_dataset(context, data_dict):
        return result
    return {"success": True}


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def activity_show(next_auth, context, data_dict):
    return _or_verifier(next_auth, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def activity_data_show(next_auth, context, data_dict):
    return _or_verifier(next_auth, context, data_dict)


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def activity_diff(next_auth, context, data_dict):
    return _or_verifier(next_auth, context, data_dict)
