"""Core actions the workflow tightens (chained): creation, editing, bulk visibility, memberships."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions as workflow

__all__: list[str] = ["package_create", "package_update", "bulk_update_public", "bulk_update_private", "member_create",
                     "member_delete"]


@tk.chained_action
def package_create(original_action, context, data_dict):
    """Every new dataset starts private, as Draf: only publication makes it public."""
    return original_action(context, {**workflow.without_workflow_fields(data_dict), "private": True})


@tk.chained_action
def package_update(original_action, context, data_dict):
    """Nobody sets `private` or the workflow fields by editing: they follow the workflow state."""
    package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    data_dict = workflow.without_workflow_fields(data_dict)
    if package:
        data_dict["private"] = workflow.current_state(package.id) != workflow.TERBIT
    return original_action(context, data_dict)


@tk.chained_action
def bulk_update_public(original_action, context, data_dict):
    """The organisation page's "make public" button: refused, only the publish transition makes data public."""
    raise tk.ValidationError({"datasets": [tk._("Datasets become public only when the Walidata publishes them")]})


@tk.chained_action
def bulk_update_private(original_action, context, data_dict):
    """The "make private" button: refused, the Walidata withdraws a published dataset with a reason instead."""
    raise tk.ValidationError({"datasets": [tk._("Published datasets leave public view only when the Walidata "
                                                "withdraws them")]})


@tk.chained_action
def member_create(original_action, context, data_dict):
    """Records every role change of a user in an organisation."""
    return roles.record_membership_change(original_action, context, data_dict)


@tk.chained_action
def member_delete(original_action, context, data_dict):
    """Records every removal of a user from an organisation."""
    return roles.record_membership_change(original_action, context, data_dict, removed=True)
