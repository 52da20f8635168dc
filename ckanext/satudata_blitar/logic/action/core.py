"""Core actions the workflow tightens (chained): creation, editing, bulk visibility, memberships."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.lib import search

from ckanext.satudata_blitar.metadata import ms_keg
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions

log = logging.getLogger(__name__)

__all__: list[str] = ["package_create", "package_update", "bulk_update_public", "bulk_update_private", "member_create",
                     "member_delete", "member_list", "tag_list", "tag_search", "tag_autocomplete", "tag_show",
                     "package_search", "organization_create", "organization_update", "group_create", "group_update"]


@tk.chained_action
def package_create(original_action, context, data_dict):
    """Every new dataset starts private, as Draf: only publication makes it public."""
    return original_action(context, {**transitions.without_workflow_fields(data_dict), "private": True})


@tk.chained_action
def package_update(original_action, context, data_dict):
    """Nobody sets `private` or the workflow fields by editing: they follow the workflow state. A published dataset
    is not taken out of public view by its CKAN state either (CKAN 2.12's "Unpublish" sets `state=draft`): only the
    Walidata's withdrawal does that, or a sysadmin."""
    package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    data_dict = transitions.without_workflow_fields(data_dict)
    if package:
        state = transitions.current_state(package.id)
        data_dict["private"] = state != transitions.TERBIT
        if package.type == ms_keg.KEGIATAN_TYPE:  # public while a dataset linked to it is (metadata/ms_keg.py)
            data_dict["private"] = not ms_keg.is_public(package.id)
        if (state == transitions.TERBIT and package.state == "active" and data_dict.get("state") not in (None, "active")
                and not authz.is_sysadmin(context.get("user"))):
            raise tk.ValidationError({"state": [tk._("Published datasets leave public view only when the Walidata "
                                                     "withdraws them")]})
        if "groups" not in data_dict:  # CKAN would take the dataset out of every group; the auth decides groups
            data_dict["groups"] = [{"id": group.id} for group in package.get_groups("group")]
    return original_action(context, data_dict)


def _limited(name: str):
    """A core action registered unchanged, so that its fields' types and limits are checked first
    (input_types.py): OPDs' and groups' titles, descriptions and extras. The patch actions call these."""

    def action(original_action, context, data_dict):
        return original_action(context, data_dict)

    action.__name__ = action.__qualname__ = name
    return tk.chained_action(action)


organization_create = _limited("organization_create")
organization_update = _limited("organization_update")
group_create = _limited("group_create")
group_update = _limited("group_update")


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
    """Records every role change of a user in an organisation; the membership and its record commit together."""
    for key in ("id", "object", "object_type", "capacity"):  # CKAN ends a null one in a 500
        if not data_dict.get(key):
            raise tk.ValidationError({key: [tk._("Missing value")]})
    result = roles.record_membership_change(original_action, context, data_dict)
    model.repo.commit()
    return result


@tk.chained_action
def member_delete(original_action, context, data_dict):
    """Records every removal of a user from an organisation."""
    result = roles.record_membership_change(original_action, context, data_dict, removed=True)
    model.repo.commit()
    return result


# --- stock CKAN reads that would show what is not published ----------------------------------------------------

def _may_see(context: dict[str, Any], package_id: str) -> bool:
    try:
        tk.check_access("package_show", {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
                        {"id": package_id})
        return True
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


@tk.chained_action
@tk.side_effect_free
def member_list(original_action, context, data_dict):
    """A group's or OPD's datasets, only those the user may see (CKAN lists private ones to anyone)."""
    members = original_action(context, data_dict)
    return [member for member in members if member[1] != "package" or _may_see(context, member[0])]


def _public_tag_names() -> set[str]:
    """The tags of published (public, active) datasets: the only tags the portal shows."""
    rows = (model.Session.query(model.Tag.name)
            .join(model.PackageTag, model.PackageTag.tag_id == model.Tag.id)
            .join(model.Package, model.Package.id == model.PackageTag.package_id)
            .filter(model.PackageTag.state == "active", model.Package.state == "active",
                    model.Package.private.is_(False)).distinct())
    return {name for name, in rows}


def _tag_name(tag: Any) -> str:
    return tag["name"] if isinstance(tag, dict) else tag


def _of_a_vocabulary(data_dict: dict[str, Any]) -> bool:
    """A vocabulary's tags are the site's list of allowed values, not what datasets say: listed as CKAN lists them
    (as tag_show shows them)."""
    return bool(data_dict.get("vocabulary_id"))


@tk.chained_action
@tk.side_effect_free
def tag_list(original_action, context, data_dict):
    """Free tags of published datasets only (CKAN lists the tags of private datasets too)."""
    if _of_a_vocabulary(data_dict):
        return original_action(context, data_dict)
    public = _public_tag_names()
    return [tag for tag in original_action(context, data_dict) if _tag_name(tag) in public]


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(original_action, context, data_dict):
    if _of_a_vocabulary(data_dict):
        return original_action(context, data_dict)
    public = _public_tag_names()
    return [tag for tag in original_action(context, data_dict) if _tag_name(tag) in public]


@tk.chained_action
@tk.side_effect_free
def tag_search(original_action, context, data_dict):
    if _of_a_vocabulary(data_dict):
        return original_action(context, data_dict)
    public = _public_tag_names()
    result = original_action(context, data_dict)
    tags = [tag for tag in result["results"] if _tag_name(tag) in public]
    return {**result, "count": len(tags), "results": tags}


@tk.chained_action
@tk.side_effect_free
def tag_show(original_action, context, data_dict):
    result = original_action(context, data_dict)
    if result.get("vocabulary_id") is None and result["name"] not in _public_tag_names():
        raise tk.ObjectNotFound(tk._("Tag not found"))
    return result


@tk.chained_action
@tk.side_effect_free
def package_search(original_action, context, data_dict):
    """A search Solr refuses (a malformed `fq`, `q`, sort …) answers a plain message: CKAN's echoes the whole Solr
    query, the permission filter with it."""
    try:
        return original_action(context, data_dict)
    except search.SearchQueryError:
        raise
    except search.SearchError as error:
        log.info("Search refused by Solr: %r", error.args)
        raise search.SearchError(tk._("The search query is not valid"))
