"""Actions of the verification workflow (SOP steps 3–6): transitions, history, queue, revisions, roles."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import search

from ckanext.satudata_blitar.logic import schema
from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.metadata import completeness, ms_keg
from ckanext.satudata_blitar.tables import submission, upload_check
from ckanext.satudata_blitar.workflow import dataset_state, notifications, queue, revisions, roles
from ckanext.satudata_blitar.workflow import transitions

__all__: list[str] = ["satudata_transition", "satudata_workflow_history", "satudata_verification_queue",
                     "satudata_verification_queue_page", "satudata_role_history", "satudata_revision_create"]


def _dataset(id_or_name: str | None) -> model.Package:
    """The dataset, or ObjectNotFound (sysadmins skip the auth functions, which look it up first)."""
    package = model.Package.get(id_or_name or "")
    if not package:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package


def _event_dict(event) -> dict[str, Any]:
    user = model.User.get(event.actor_id)
    return {**event.as_dict(), "actor_name": user.name if user else event.actor_id,
            "actor_display_name": user.display_name if user else event.actor_id,
            "actor_role_label": roles.role_label(event.actor_role),
            "from_state_label": transitions.state_label(event.from_state) if event.from_state else None,
            "to_state_label": transitions.state_label(event.to_state)}


def _search_unavailable() -> tk.ValidationError:
    return tk.ValidationError({"search": [tk._(
        "The search service is not available right now, so the status was not changed. Try again in a few "
        "minutes; if it persists, tell the portal's administrator.")]})


def _search_available() -> bool:
    """A quick query to Solr: a transition changes who may find the dataset, so it is made only with the index up."""
    try:
        search.make_connection().search(q="*:*", rows=0)
    except Exception:  # noqa: BLE001 - any failure to reach Solr means the same to the operator
        return False
    return True


def satudata_transition(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Move a dataset one step along the verification workflow (transitions.TRANSITIONS).

    :param id: the dataset's id or name
    :param transition: ``ajukan`` (submit), ``verifikasi_opd``, ``kembalikan_opd`` (return, stage 1),
        ``verifikasi_walidata``, ``kembalikan_walidata`` (return, stage 2), ``terbitkan`` (publish) or ``tarik``
        (withdraw)
    :param note: a note for the history; required to return or withdraw
    :returns: ``{"state": …, "event": …}``: the new state and the recorded event
    """
    data, errors = tk.navl_validate(data_dict, schema.transition_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_transition", context, data)

    package = _dataset(data["id"])
    transition = transitions.TRANSITIONS[data["transition"]]
    state = transitions.current_state(package.id)
    _check_possible(package, transition, state, data)
    if not _search_available():
        raise _search_unavailable()

    user = user_of(context)
    role = transitions.acting_role(transition, roles.roles_for(user, package.owner_org))
    revision = revisions.revision_of(package.id)
    live_before = model.Package.get(revision.live_id) if revision else None
    activities = {ms_keg.linked_id(package), ms_keg.linked_id(live_before)}  # whose visibility may change
    result, event_dict, notified, deleted_copy = _move(context, package, transition, state, user, role,
                                                       data.get("note"))
    # CKAN reindexes only a dataset whose rows changed; the state lives in our table, so the index (state, who acts
    # next, the reason of a return, in every list) is refreshed here.
    dataset_state.reindex(notified)
    if deleted_copy:  # the published revision's copy, deleted (CKAN 2.11 reindexed it on commit, 2.12 does not)
        dataset_state.reindex(deleted_copy)
    if transition.kind in (transitions.PUBLISH, transitions.WITHDRAW):
        _activities_follow({*activities, ms_keg.linked_id(model.Package.get(notified))} - {None}, context)
    notifications.transition_made(notified, event_dict)
    return result


def _check_possible(package: model.Package, transition: transitions.Transition, state: str,
                    data: dict[str, Any]) -> None:
    """ValidationError unless the transition may be made now: from this state, with the data it needs, with a note
    where one is required, and only open data published."""
    if state not in transition.from_states:
        raise tk.ValidationError({"transition": [
            tk._('"{transition}" is not possible while the dataset is {state}').format(
                transition=transition.label(), state=transitions.state_label(state))]})
    if transition.kind == transitions.SUBMIT:
        refusal = submission.submission_refusal(package)
    elif transition.kind in (transitions.VERIFY, transitions.PUBLISH):
        # A file replaced after submission (a sysadmin may) is checked again before anyone approves it.
        refusal = submission.data_refusal(package)
    else:  # returning and withdrawing are always possible
        refusal = None
    if refusal:
        raise tk.ValidationError({"id": [refusal]})
    if transition.note_required and not data.get("note"):
        raise tk.ValidationError({"note": [tk._("A reason is required to return or withdraw a dataset")]})
    if transition.to_state == transitions.TERBIT:
        sifat = package.extras.get("sifat_data")
        if sifat != "terbuka":
            raise tk.ValidationError({"sifat_data": [tk._("Only Terbuka (open) data can be published")]})


def _move(context: dict[str, Any], package: model.Package, transition: transitions.Transition, state: str,
          user: model.User, role: str, note: str | None) -> tuple[dict[str, Any], dict[str, Any], str, str | None]:
    """The transition as one unit of work: the state, the event, the visibility and a pending revision commit
    together or not at all. Returns the action's result, the event, the dataset whose followers are told and the
    published revision's copy (deleted) or None."""
    try:
        event = transitions.move(package.id, package.owner_org, transition, state, user.id, role, note)
        event_dict = _event_dict(event)
        if transition.to_state == transitions.TERBIT and revisions.revision_of(package.id):
            live = _publish_revision(context, package, user, role)
            return ({"state": transition.to_state, "event": event_dict, "live": live["name"]}, event_dict,
                    live["id"], package.id)
        # Publication follows the state: the patch (as the site, since the actor may not edit the content) lets
        # the chained package_update set `private` from the new state, reindexes, and commits it all.
        tk.get_action("package_patch")({"user": context["user"], "ignore_auth": True}, {"id": package.id})
        # CKAN 2.12's package_update returns early, committing nothing, when the dataset itself is unchanged (a
        # transition that keeps `private` as it was): the state and the event are committed here.
        model.repo.commit()
        return {"state": transition.to_state, "event": event_dict}, event_dict, package.id, None
    except transitions.Conflict:
        model.Session.rollback()
        raise tk.ValidationError({"transition": [
            tk._("Someone else changed this dataset's status a moment ago; reload the page and try again")]})
    except search.SearchIndexError:
        # Solr failing after the check above fails the commit in CKAN's before_commit: nothing of the transition is
        # committed (transitions.move only flushes), so rolling back leaves the database as the index has it.
        model.Session.rollback()
        raise _search_unavailable()
    except Exception:
        model.Session.rollback()
        raise


def _publish_revision(context: dict[str, Any], package: model.Package, user: model.User, role: str
                      ) -> dict[str, Any]:
    """A pending revision is not published itself: it replaces the live dataset's content (revisions.py), committed
    here. Returns the live dataset."""
    copies = [resource.id for resource in package.resources]
    live = revisions.apply(context["user"], package.id)
    transitions.record_revision_published(live, package.name, user.id, role)
    model.repo.commit()
    # The live files are now the revision's files byte for byte: their accepted checks carry over, so the
    # public keeps its downloads while each file's own check (queued with the new file) runs again.
    for copy_id, resource in zip(copies, live["resources"]):
        upload_check.copy(copy_id, resource["id"])
    return live


def _activities_follow(activity_ids: set[str], context: dict[str, Any]) -> None:
    """A statistical activity is public while a dataset linked to it is published: after a publication or a
    withdrawal, the activities of the dataset (before and after) follow (the chained package_update decides)."""
    for activity_id in sorted(activity_ids):
        activity = model.Package.get(activity_id)
        if activity is not None and activity.private == ms_keg.is_public(activity_id):
            tk.get_action("package_patch")({"user": context["user"], "ignore_auth": True}, {"id": activity_id})


def satudata_revision_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Start changing a published dataset: a pending revision beside it (a private copy, `<name>-revisi`) that the
    operator edits and that goes through both verifications; publishing it replaces the live content.

    :param id: the published dataset's id or name
    :returns: the revision dataset
    """
    tk.check_access("satudata_revision_create", context, data_dict)
    live = tk.get_action("package_show")(dict(context), {"id": tk.get_or_bust(data_dict, "id")})
    pending = revisions.open_revision(live["id"])
    if pending:
        raise tk.ValidationError({"id": [tk._("A revision of this dataset is already under way: {name}").format(
            name=model.Package.get(pending.revision_id).name)]})
    revision = revisions.create(context, live)
    # Each copy is the live file byte for byte: it starts with the live file's check (its own one is queued).
    for copy_id, live_id in revisions.revision_of(revision["id"]).resource_map.items():
        upload_check.copy(live_id, copy_id)
    model.repo.commit()
    return revision


@tk.side_effect_free
def satudata_workflow_history(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Every workflow event of a dataset, oldest first: who, in which role, when, from, to and the note.

    :param id: the dataset's id or name
    """
    tk.check_access("satudata_workflow_history", context, data_dict)
    package = _dataset(tk.get_or_bust(data_dict, "id"))
    return [_event_dict(event) for event in transitions.history([package.id, *revisions.revision_ids(package.id)])]


@tk.side_effect_free
def satudata_verification_queue(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """What waits for the current user in the workflow, oldest first, with the time waited against the SOP's
    standard time (1 working day for each verification and for publication: working_days.py), the day it is due,
    whether it is overdue and by how many working days, and each resource's
    upload check (``files``: id, name, check = ok | warning | error | pending | none | link, rows, warnings, error)
    and the completeness of its statistical metadata per form (``completeness``: form, title, complete, missing).

    :param checks: with ``files`` and ``completeness`` (default true); false leaves both out (empty lists) for
        a page that shows neither, such as the role dashboard
    :type checks: bool
    :param offset: with checks, the first item that gets them (default 0)
    :type offset: int
    :param limit: with checks, how many items from ``offset`` get them (default all): a page of a long queue
        checks only the datasets it shows; the others come with empty lists. The list is always the whole queue,
        so counts of it (waiting, overdue) cover every waiting dataset.
    :type limit: int
    """
    tk.check_access("satudata_verification_queue", context, data_dict)
    data_dict = data_dict or {}
    checks = tk.asbool(data_dict.get("checks", True))
    offset, limit = _natural(data_dict, "offset") or 0, _natural(data_dict, "limit")
    user = user_of(context)
    items = queue.items(user, transitions.waiting_for(user), datetime.datetime.utcnow())
    if checks:
        _check(items[offset:] if limit is None else items[offset:offset + limit])
    return items


def _check(items: list[dict[str, Any]]) -> None:
    """Each resource's upload check, for every item at once: the verifier sees what was loaded or refused; and the
    completeness of its metadata."""
    if not items:
        return
    ids = [item["id"] for item in items]
    files = submission.data_files(ids)
    described = completeness.reports(model.Session.query(model.Package).filter(model.Package.id.in_(ids)).all())
    for item in items:
        item["files"], item["completeness"] = files.get(item["id"], []), described.get(item["id"], [])


@tk.side_effect_free
def satudata_verification_queue_page(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """A page of what waits for the current user (satudata_verification_queue's items, in its order: oldest first)
    and counts over the whole queue. The page is read with LIMIT/OFFSET and the counts with one COUNT, so its cost
    does not grow with the queue's length (the verification page and the role dashboard ask it).

    :param offset: the first item (default 0)
    :type offset: int
    :param limit: how many items (default 20, at most ``ckan.search.rows_max``)
    :type limit: int
    :param returned: true for only the datasets returned for revision, false for only the others (default both);
        the counts are of the whole queue either way
    :type returned: bool
    :param checks: each item's ``files`` and ``completeness`` as satudata_verification_queue gives them (default
        true); false leaves both empty
    :type checks: bool
    :returns: ``{"count": …, "overdue": …, "returned": …, "results": [...]}``: how many wait, how many of them are
        overdue, how many were returned for revision (all over the whole queue), and the page's items
    """
    data, errors = tk.navl_validate(data_dict or {}, schema.verification_queue_page_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_verification_queue_page", context, data)
    user, now = user_of(context), datetime.datetime.utcnow()
    counted = queue.counts(user, now)
    rows = transitions.waiting_for(user, data["offset"], data["limit"], data.get("returned")) if data["limit"] else []
    items = queue.items(user, rows, now)
    if data["checks"]:
        _check(items)
    return {"count": counted["waiting"], "overdue": counted["overdue"], "returned": counted["returned"],
            "results": items}


def _natural(data_dict: dict[str, Any], key: str) -> int | None:
    """A whole number of at least 0 from the data dict, or None when it is not given."""
    value = data_dict.get(key)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise tk.ValidationError({key: [tk._("Must be a natural number")]})
    return number


@tk.side_effect_free
def satudata_role_history(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Every role change in an OPD, oldest first.

    :param id: the organisation's id or name
    """
    tk.check_access("satudata_role_history", context, data_dict)
    org = model.Group.get(tk.get_or_bust(data_dict, "id"))
    if not org:
        raise tk.ObjectNotFound(tk._("Organization not found"))
    return [event.as_dict() for event in roles.role_events(org.id)]
