"""Changes to a published dataset: a pending revision stored beside the live dataset, never an edit of it.

A revision is a private copy of the live dataset (same OPD, name `<live>-revisi`) that the operator edits and that
goes through the same workflow. The public keeps seeing the live dataset, unchanged. When the Walidata publishes
the revision, its metadata, resources and groups are applied to the live dataset (resources in place, so their ids, links
and DataStore tables stay), the event is recorded in the live dataset's history, and the copy is deleted; its own
events stay in the history.
"""
from __future__ import annotations

import datetime
import io
import os
from typing import Any

from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.model import Revision

SUFFIX = "-revisi"
# Never copied between the live dataset and its revision.
OWN_FIELDS = {"id", "name", "owner_org"}


def open_revision(live_id: str) -> Revision | None:
    return (model.Session.query(Revision).join(model.Package, model.Package.id == Revision.revision_id)
            .filter(Revision.live_id == live_id, Revision.applied_at.is_(None), model.Package.state == "active")
            .one_or_none())


def revision_of(package_id: str) -> Revision | None:
    return model.Session.get(Revision, package_id)


def revisions_among(package_ids: list[str]) -> set[str]:
    """Which of the datasets are revision copies (not datasets of their own)."""
    if not package_ids:
        return set()
    return {row.revision_id for row in
            model.Session.query(Revision.revision_id).filter(Revision.revision_id.in_(package_ids))}


def revision_ids(live_id: str) -> list[str]:
    return [row.revision_id for row in model.Session.query(Revision.revision_id).filter(Revision.live_id == live_id)]


def _schema_fields(kind: str) -> list[str]:
    schema = scheming_get_dataset_schema("dataset")
    return [field["field_name"] for field in schema[kind]]


def _metadata(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return {field: pkg_dict[field] for field in _schema_fields("dataset_fields")
            if field in pkg_dict and field not in OWN_FIELDS}


def _resource_copy(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's fields, with its uploaded file (if any) read again so that it is stored anew."""
    data = {field: resource.get(field) for field in _schema_fields("resource_fields") if field != "url"}
    if resource.get("url_type") == "upload":
        path = adapters.resource_file_path(resource)
        filename = os.path.basename(resource["url"]) or "data"
        with open(path, "rb") as stored:
            data["upload"] = FileStorage(io.BytesIO(stored.read()), filename)
        data["url"] = filename
    else:
        data["url"] = resource.get("url")
    return data


def _free_name(name: str) -> str:
    candidate, number = name + SUFFIX, 1
    while model.Package.get(candidate):
        number += 1
        candidate = f"{name}{SUFFIX}-{number}"
    return candidate


def copy_groups(source_id: str, target_id: str) -> None:
    """The target dataset's groups become the source's, in the caller's transaction. Not through package_update:
    CKAN's changes only the groups its user is a member of, and the Walidata is a member of none."""
    wanted = {group.id: group for group in model.Package.get(source_id).get_groups("group")}
    members = (model.Session.query(model.Member).join(model.Group, model.Group.id == model.Member.group_id)
               .filter(model.Member.table_name == "package", model.Member.table_id == target_id,
                       model.Group.is_organization.is_(False)))
    for member in members:
        member.state = "active" if wanted.pop(member.group_id, None) else "deleted"
    for group in wanted.values():
        model.Session.add(model.Member(table_id=target_id, table_name="package", group=group, group_id=group.id,
                                       capacity="public", state="active"))
    model.Session.flush()


def create(context: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """The revision: a new private dataset with the live one's metadata and a copy of each of its resources."""
    create_context = {"user": context["user"]}
    revision = tk.get_action("package_create")(create_context, {
        **_metadata(live), "name": _free_name(live["name"]), "owner_org": live["owner_org"]})
    copy_groups(live["id"], revision["id"])  # which the Walidata may change in the copy
    resource_map = {}
    for resource in live["resources"]:
        copy = tk.get_action("resource_create")({"user": context["user"]},
                                                {**_resource_copy(resource), "package_id": revision["id"]})
        resource_map[copy["id"]] = resource["id"]
    model.Session.add(Revision(revision_id=revision["id"], live_id=live["id"], resource_map=resource_map))
    model.Session.flush()  # the action commits
    return tk.get_action("package_show")({"user": context["user"]}, {"id": revision["id"]})


def apply(user: str, revision_id: str) -> dict[str, Any]:
    """Publishes a revision: its metadata and resources replace the live dataset's (one package_update, resources
    kept in place by id), the copy is deleted. Nothing is committed: the action commits the whole publication
    (state, event, live content, deleted copy) or rolls it back. Every uploaded file is read before anything is
    written, so a missing file fails before the live dataset is touched."""
    record = revision_of(revision_id)
    site = {"user": user, "ignore_auth": True}
    show = tk.get_action("package_show")
    revision, live = show(dict(site), {"id": revision_id}), show(dict(site), {"id": record.live_id})
    live_resources = {resource["id"]: resource for resource in live["resources"]}
    resources = []
    for resource in revision["resources"]:
        target = record.resource_map.get(resource["id"])
        if target in live_resources:
            resources.append({**live_resources[target], **_resource_copy(resource), "id": target})
        else:
            resources.append(_resource_copy(resource))
    copy_groups(revision_id, live["id"])
    # Without the live dataset's metadata_modified: the publication changes it (CKAN 2.12 keeps a given one, and its
    # package_show then serves the index's copy of the dataset as it was before).
    live.pop("metadata_modified", None)
    adapters.package_update_uncommitted(dict(site),
                                        {**live, **_metadata(revision), "id": live["id"], "resources": resources,
                                         "groups": [{"id": group["id"]} for group in revision.get("groups") or []]})
    record.applied_at = datetime.datetime.utcnow()
    model.Session.add(record)
    copy = model.Package.get(revision_id)
    copy.state = "deleted"
    copy.metadata_modified = datetime.datetime.utcnow()  # package_show's index copy of it is out of date now
    model.Session.flush()
    return show(dict(site), {"id": live["id"]})
