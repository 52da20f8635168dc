"""Core auth functions the workflow tightens (chained): who creates, edits and deletes datasets, who assigns roles
and registers OPDs."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.logic.auth.workflow import dataset_of, walidata_only
from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions as workflow

__all__: list[str] = ["package_create", "package_update", "package_delete", "member_create", "member_delete",
                      "organization_member_create", "organization_member_delete", "user_invite",
                      "organization_create"]

@tk.chained_auth_function
def package_create(next_auth, context, data_dict):
    """Datasets are created by an OPD's Operator Data, in that OPD."""
    user = user_of(context)
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
    package = dataset_of({"id": (data_dict or {}).get("id") or (data_dict or {}).get("name")})
    if roles.OPERATOR not in roles.roles_for(user_of(context), package.owner_org):
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
    return walidata_only(context) if _is_user_membership(data_dict) else next_auth(context, data_dict)


@tk.chained_auth_function
def member_delete(next_auth, context, data_dict):
    return walidata_only(context) if _is_user_membership(data_dict) else next_auth(context, data_dict)


@tk.chained_auth_function
def organization_member_create(next_auth, context, data_dict):
    return walidata_only(context)


@tk.chained_auth_function
def organization_member_delete(next_auth, context, data_dict):
    return walidata_only(context)


@tk.chained_auth_function
def user_invite(next_auth, context, data_dict):
    """Inviting someone into an OPD gives them a role: the Walidata's decision."""
    return walidata_only(context)


@tk.chained_auth_function
def organization_create(next_auth, context, data_dict):
    """New OPDs are registered by the Walidata."""
    return walidata_only(context)
