"""Core auth functions the workflow tightens (chained): who creates, edits and deletes datasets, who assigns roles
and registers OPDs."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan import authz

from ckanext.satudata_blitar.logic.auth.workflow import dataset_of, walidata_only
from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.metadata import ms_keg
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions

__all__: list[str] = ["package_create", "package_update", "package_delete", "member_create", "member_delete",
                      "organization_member_create", "organization_member_delete", "user_invite",
                      "organization_create", "organization_update", "organization_patch", "organization_delete",
                      "bulk_update_delete", "bulk_update_public", "bulk_update_private", "package_collaborator_create",
                      "package_collaborator_delete", "task_status_show", "group_create", "group_update",
                      "group_patch", "group_delete", "group_member_create", "group_member_delete"]

def _groups_of_the_walidata(context: dict[str, Any]) -> dict[str, Any]:
    """Groups (topics shown on every dataset they hold) are the Walidata's: who creates, changes and deletes them,
    and which datasets they hold. Anyone else could name a group "Dinas Kesehatan (Resmi)" and put any published
    dataset in it, outside the SOP."""
    if roles.is_walidata(user_of(context)):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the Walidata may manage groups and the datasets in them")}


def _group_ids(groups: Any) -> set[str]:
    """The ids of a dataset dict's `groups` (names resolved; what names nothing kept as given)."""
    ids = set()
    for group in groups if isinstance(groups, list) else [groups]:
        ref = (group.get("id") or group.get("name")) if isinstance(group, dict) else group
        found = model.Group.get(ref) if isinstance(ref, str) and ref else None
        ids.add(found.id if found else repr(ref))
    return ids


def _changes_groups(context: dict[str, Any], data_dict: dict[str, Any], package: model.Package | None):
    """A refusal when data_dict changes the dataset's groups and the user is not the Walidata; else None."""
    if "groups" not in (data_dict or {}):
        return None
    current = {group.id for group in package.get_groups("group")} if package else set()
    if _group_ids(data_dict["groups"] or []) == current:
        return None
    result = _groups_of_the_walidata(context)
    return None if result["success"] else result


@tk.chained_auth_function
def package_create(next_auth, context, data_dict):
    """Datasets are created by an OPD's Operator Data, in that OPD (in groups only by the Walidata)."""
    user = user_of(context)
    owner_org = (data_dict or {}).get("owner_org")
    if owner_org:
        org = model.Group.get(owner_org)
        allowed = bool(org) and roles.OPERATOR in roles.roles_for(user, org.id)
    else:  # the "Add dataset" button: an operator of any OPD
        allowed = bool(roles.opd_ids_with_role(user, roles.OPERATOR))
    if not allowed:
        return {"success": False, "msg": tk._("Only an Operator Data of the OPD may add its datasets")}
    return _changes_groups(context, data_dict, None) or next_auth(context, data_dict)


@tk.chained_auth_function
def package_update(next_auth, context, data_dict):
    """The OPD's Operator Data edits the content, and only while it is Draf or Perlu Perbaikan."""
    package = dataset_of({"id": (data_dict or {}).get("id") or (data_dict or {}).get("name")})
    if roles.OPERATOR not in roles.roles_for(user_of(context), package.owner_org):
        return {"success": False, "msg": tk._("Only an Operator Data of the OPD may edit its datasets")}
    state = transitions.current_state(package.id)
    if package.type == ms_keg.KEGIATAN_TYPE:  # verified with its datasets: locked while one is (ms_keg.py)
        state = ms_keg.lock_state(package.id) or transitions.DRAF
        if state not in transitions.EDITABLE_STATES:
            return {"success": False, "msg": tk._(
                "A dataset of this statistical activity is {state}: the activity cannot be changed now").format(
                state=transitions.state_label(state))}
    if state not in transitions.EDITABLE_STATES:
        return {"success": False, "msg": tk._("The dataset is {state}: its content cannot be changed now").format(
            state=transitions.state_label(state))}
    return _changes_groups(context, data_dict, package) or next_auth(context, data_dict)


@tk.chained_auth_function
def package_delete(next_auth, context, data_dict):
    """Deleting is editing: the same rule as package_update."""
    result = package_update(lambda *_: {"success": True}, context, data_dict)
    return result if not result["success"] else next_auth(context, data_dict)


def _is_user_membership(data_dict: dict[str, Any]) -> bool:
    return (data_dict or {}).get("object_type", "user") == "user"


def _not_to_oneself(context: dict[str, Any], user_ref: Any) -> dict[str, Any]:
    """The Walidata assigns roles, but never to itself: two stages, two people (sysadmins excepted)."""
    result = walidata_only(context)
    user, target = user_of(context), model.User.get(user_ref or "") if isinstance(user_ref, str) else None
    if result["success"] and user and target and target.id == user.id and not user.sysadmin:
        return {"success": False, "msg": tk._("Nobody may grant a role to themselves")}
    return result


@tk.chained_auth_function
def member_create(next_auth, context, data_dict):
    """Roles are assigned by the Walidata, never to itself; datasets are put in an organisation only by moving them
    (sysadmins); a dataset goes into (or, through member_delete, out of) a group only by the Walidata, and a
    published dataset only by sysadmins: the Walidata changes its groups in a revision, which the SOP verifies.
    CKAN's member_delete asks this function too."""
    data_dict = data_dict or {}
    if _is_user_membership(data_dict):
        return _not_to_oneself(context, data_dict.get("object"))
    group = model.Group.get(data_dict.get("id") or "") if isinstance(data_dict.get("id"), str) else None
    if group is not None and group.is_organization:
        return {"success": False, "msg": tk._("Datasets change OPD only by being moved by a sysadmin")}
    if data_dict.get("object_type") == "package" and isinstance(data_dict.get("object"), str):
        if not authz.is_authorized("package_show", context, {"id": data_dict["object"]})["success"]:
            return {"success": False, "msg": tk._("Dataset not found")}
        result = _groups_of_the_walidata(context)
        if not result["success"]:
            return result
        package = model.Package.get(data_dict["object"])
        user = user_of(context)
        if package and transitions.current_state(package.id) == transitions.TERBIT and not (user and user.sysadmin):
            return {"success": False, "msg": tk._(
                "A published dataset changes groups only through a revision")}
        return result
    return next_auth(context, data_dict)


@tk.chained_auth_function
def member_delete(next_auth, context, data_dict):
    return walidata_only(context) if _is_user_membership(data_dict) else next_auth(context, data_dict)


@tk.chained_auth_function
def organization_member_create(next_auth, context, data_dict):
    return _not_to_oneself(context, (data_dict or {}).get("username"))


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


@tk.chained_auth_function
def organization_update(next_auth, context, data_dict):
    """An OPD's profile (and, through `users`, its memberships) is the Walidata's: CKAN's `admin` capacity grants
    nothing in the SOP."""
    return walidata_only(context)


@tk.chained_auth_function
def organization_patch(next_auth, context, data_dict):
    return walidata_only(context)


@tk.chained_auth_function
def organization_delete(next_auth, context, data_dict):
    return walidata_only(context)


@tk.chained_auth_function
def bulk_update_delete(next_auth, context, data_dict):
    """The organisation page's bulk delete: each dataset by the rule of package_delete (its Operator Data, while it
    is Draf or Perlu Perbaikan), and CKAN's own rule."""
    datasets = (data_dict or {}).get("datasets")
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        return {"success": False, "msg": tk._("Only an Operator Data of the OPD may edit its datasets")}
    for dataset in datasets:
        try:
            result = package_delete(lambda *_: {"success": True}, context, {"id": dataset})
        except tk.ObjectNotFound:
            result = {"success": False, "msg": tk._("Dataset not found")}
        if not result["success"]:
            return result
    return next_auth(context, data_dict)


def _published_by_the_workflow(next_auth, context, data_dict):
    return {"success": False, "msg": tk._("Datasets become public only when the Walidata publishes them")}


bulk_update_public = tk.chained_auth_function(_published_by_the_workflow)
bulk_update_private = tk.chained_auth_function(_published_by_the_workflow)


@tk.chained_auth_function
def package_collaborator_create(next_auth, context, data_dict):
    """Collaborators would bypass the SOP's roles: the Walidata's (and sysadmins') decision."""
    return walidata_only(context)


@tk.chained_auth_function
def package_collaborator_delete(next_auth, context, data_dict):
    return walidata_only(context)


@tk.chained_auth_function
def task_status_show(next_auth, context, data_dict):
    """CKAN lets anyone read any task status; ours hold the upload check of a resource (column names, values): only
    whoever may see the resource (or the dataset) reads it; other tasks only sysadmins."""
    data_dict = data_dict or {}
    task = None
    if isinstance(data_dict.get("id"), str):
        task = model.Session.get(model.TaskStatus, data_dict["id"])
    elif isinstance(data_dict.get("entity_id"), str):
        task = model.Session.query(model.TaskStatus).filter_by(entity_id=data_dict["entity_id"]).first()
    entity = {"resource": "resource_show", "package": "package_show"}.get(getattr(task, "entity_type", None))
    if task is not None and entity:
        try:
            return authz.is_authorized(entity, context, {"id": task.entity_id})
        except tk.ObjectNotFound:
            pass
    return {"success": False, "msg": tk._("Not authorized to see this task")}


# --- groups: the Walidata's (_groups_of_the_walidata) -------------------------------------------------------

@tk.chained_auth_function
def group_create(next_auth, context, data_dict):
    return _groups_of_the_walidata(context)


@tk.chained_auth_function
def group_update(next_auth, context, data_dict):
    """Also its datasets and members (`packages`, `users` of group_update)."""
    return _groups_of_the_walidata(context)


@tk.chained_auth_function
def group_patch(next_auth, context, data_dict):
    return _groups_of_the_walidata(context)


@tk.chained_auth_function
def group_delete(next_auth, context, data_dict):
    return _groups_of_the_walidata(context)


@tk.chained_auth_function
def group_member_create(next_auth, context, data_dict):
    return _groups_of_the_walidata(context)


@tk.chained_auth_function
def group_member_delete(next_auth, context, data_dict):
    return _groups_of_the_walidata(context)
