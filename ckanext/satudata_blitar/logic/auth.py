"""One auth function per action of logic/action.py."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan import authz

from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions as workflow

__all__: list[str] = ["satudata_metadata_import", "satudata_metadata_export", "satudata_upload_report",
    "satudata_transition", "satudata_workflow_history", "satudata_verification_queue", "satudata_role_history",
    "satudata_revision_create",
    "satudata_report_monitoring", "satudata_report_evaluation",
    "satudata_data_element_list", "satudata_data_element_show", "satudata_data_element_create",
    "satudata_data_element_update", "satudata_data_element_delete", "satudata_data_element_import",
    "satudata_data_element_link",
    # core auth the workflow tightens
    "package_create", "package_update", "package_delete", "member_create", "member_delete",
    "organization_member_create", "organization_member_delete", "user_invite", "organization_create",
]


def satudata_metadata_import(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever may update the dataset `id`; without `id`, whoever may create a dataset in `owner_org`."""
    if data_dict.get("id"):
        return authz.is_authorized("package_update", context, {"id": data_dict["id"]})
    return authz.is_authorized("package_create", context, {"owner_org": data_dict.get("owner_org")})


@tk.auth_allow_anonymous_access
def satudata_metadata_export(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The metadata .xlsx of a dataset (a view, not an action): whoever may see the dataset."""
    return authz.is_authorized("package_show", context, {"id": data_dict.get("id")})


# --- verification workflow ---------------------------------------------------------------------------------

def _dataset(context: dict[str, Any], data_dict: dict[str, Any]) -> model.Package:
    package = model.Package.get(data_dict.get("id") or "")
    if not package:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


def satudata_transition(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever holds a role that workflow.TRANSITIONS allows for this transition on this dataset."""
    package = _dataset(context, data_dict)
    transition = workflow.TRANSITIONS[data_dict["transition"]]
    user_roles = roles.roles_for(context.get("auth_user_obj") or context.get("user"), package.owner_org)
    if workflow.acting_role(transition, user_roles):
        return {"success": True}
    allowed = tk._(" or ").join(sorted(roles.role_label(role) for role in transition.roles))
    return {"success": False, "msg": tk._('Only {roles} may "{transition}" this dataset').format(
        roles=allowed, transition=transition.label())}


def satudata_workflow_history(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The people of the workflow: the OPD's operators and verifiers, the Walidata's roles and sysadmins. The
    notes of returns are internal; the public sees only published data."""
    package = _dataset(context, data_dict)
    if roles.roles_for(context.get("auth_user_obj") or context.get("user"), package.owner_org):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the people of the verification workflow may see its history")}


def satudata_revision_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The OPD's Operator Data: the revision is theirs to edit."""
    package = _dataset(context, data_dict)
    if roles.OPERATOR in roles.roles_for(context.get("auth_user_obj") or context.get("user"), package.owner_org):
        return {"success": True}
    return {"success": False, "msg": tk._("Only an Operator Data of the OPD may revise its datasets")}


def satudata_verification_queue(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Any logged-in user: the list holds only what waits for them."""
    return {"success": bool(context.get("user"))}


def satudata_role_history(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins): they assign the roles."""
    return _walidata_only(context)


def satudata_report_monitoring(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins): the SOP's reports go to the head of Diskominfotik through them."""
    return _reports(context)


def satudata_report_evaluation(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins), as the monitoring report."""
    return _reports(context)


def _reports(context: dict[str, Any]) -> dict[str, Any]:
    if roles.is_walidata(context.get("auth_user_obj") or context.get("user")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may see the monitoring and evaluation reports")}


def _walidata_only(context: dict[str, Any]) -> dict[str, Any]:
    if roles.is_walidata(context.get("auth_user_obj") or context.get("user")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may assign roles and create OPDs")}


# --- daftar elemen data (SOP step 1) ------------------------------------------------------------------------

def _user_of(context: dict[str, Any]) -> Any:
    return context.get("auth_user_obj") or context.get("user")


def _reads_opd(context: dict[str, Any], opd_id: str | None) -> bool:
    readable = roles.readable_opd_ids(_user_of(context))
    return readable is None or (opd_id in readable if opd_id else bool(readable))


def satudata_data_element_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata's roles read every OPD's list; an OPD's Operator Data and Verifikator OPD read their OPD's
    (the action lists only those). `owner_org` is an id (the action resolves names before asking)."""
    if _reads_opd(context, data_dict.get("owner_org")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the OPD's Operator Data and verifiers and the Walidata may see "
                                          "its daftar elemen data")}


def satudata_data_element_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """As the list of the element's OPD (`owner_org`, given by the action)."""
    return satudata_data_element_list(context, {"owner_org": data_dict.get("owner_org") or "-"})


def _changes_elements(context: dict[str, Any]) -> dict[str, Any]:
    if roles.is_walidata(_user_of(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may change the daftar elemen data")}


def satudata_data_element_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins) maintain the lists."""
    return _changes_elements(context)


def satudata_data_element_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    return _changes_elements(context)


def satudata_data_element_delete(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    return _changes_elements(context)


def satudata_data_element_import(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata (and sysadmins)."""
    return _changes_elements(context)


def satudata_data_element_link(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The Walidata, and the Operator Data of the element's OPD (`owner_org`, given by the action): the operator
    knows which of the OPD's datasets provides it."""
    user_roles = roles.roles_for(_user_of(context), data_dict.get("owner_org"))
    if user_roles & {roles.WALIDATA, roles.SYSADMIN, roles.OPERATOR}:
        return {"success": True}
    return {"success": False, "msg": tk._("Only the OPD's Operator Data and the Walidata may link a dataset to "
                                          "a data element")}


# --- core auth the workflow tightens -----------------------------------------------------------------------

@tk.chained_auth_function
def package_create(next_auth, context, data_dict):
    """Datasets are created by an OPD's Operator Data, in that OPD."""
    user = context.get("auth_user_obj") or context.get("user")
    owner_org = (data_dict or {}).get("owner_org")
    if owner_org:
        org = model.Group.get(owner_org)
        allowed = bool(org) and roles.OPERATOR in roles.roles_for(user, org.id)
    else:  # the "Add dataset" button: an operator of any OPD
        allowed = bool(roles.opd_ids_with_role(user, roles.OPERATOR))
    if not allowed:
        return {"success": False, "msg": tk._("Only an Operator Data of the OPD may add its datasets")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_update(next_auth, context, data_dict):
    """The OPD's Operator Data edits the content, and only while it is Draf or Perlu Perbaikan."""
    package = _dataset(context, {"id": (data_dict or {}).get("id") or (data_dict or {}).get("name")})
    if roles.OPERATOR not in roles.roles_for(context.get("auth_user_obj") or context.get("user"),
                                             package.owner_org):
        return {"success": False, "msg": tk._("Only an Operator Data of the OPD may edit its datasets")}
    state = workflow.current_state(package.id)
    if state not in workflow.EDITABLE_STATES:
        return {"success": False, "msg": tk._("The dataset is {state}: its content cannot be changed now").format(
            state=workflow.state_label(state))}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_delete(next_auth, context, data_dict):
    """Deleting is editing: the same rule as package_update."""
    result = package_update(lambda *_: {"success": True}, context, data_dict)
    return result if not result["success"] else next_auth(context, data_dict)


def _is_user_membership(data_dict: dict[str, Any]) -> bool:
    return (data_dict or {}).get("object_type", "user") == "user"


@tk.chained_auth_function
def member_create(next_auth, context, data_dict):
    """Roles are assigned by the Walidata; adding datasets to groups is unchanged."""
    return _walidata_only(context) if _is_user_membership(data_dict) else next_auth(context, data_dict)


@tk.chained_auth_function
def member_delete(next_auth, context, data_dict):
    return _walidata_only(context) if _is_user_membership(data_dict) else next_auth(context, data_dict)


@tk.chained_auth_function
def organization_member_create(next_auth, context, data_dict):
    return _walidata_only(context)


@tk.chained_auth_function
def organization_member_delete(next_auth, context, data_dict):
    return _walidata_only(context)


@tk.chained_auth_function
def user_invite(next_auth, context, data_dict):
    """Inviting someone into an OPD gives them a role: the Walidata's decision."""
    return _walidata_only(context)


@tk.chained_auth_function
def organization_create(next_auth, context, data_dict):
    """New OPDs are registered by the Walidata."""
    return _walidata_only(context)


@tk.auth_allow_anonymous_access
def satudata_upload_report(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever may see the resource may see its upload report."""
    return {"success": tk.check_access("resource_show", context, {"id": data_dict.get("id")})}
