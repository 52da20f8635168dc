"""Our actions, prefixed satudata_."""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.munge import munge_title_to_name
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.elements import data_elements_xlsx
from ckanext.satudata_blitar.metadata import metadata_xlsx
from ckanext.satudata_blitar.workflow import notifications
from ckanext.satudata_blitar.reports import figures as reports
from ckanext.satudata_blitar.workflow import revisions
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions as workflow
from ckanext.satudata_blitar.logic import schema

__all__: list[str] = ["satudata_metadata_import", "satudata_upload_report", "xloader_submit",
    "datastore_search",
    "satudata_transition", "satudata_workflow_history", "satudata_verification_queue", "satudata_role_history",
    "satudata_revision_create",
    "satudata_report_monitoring", "satudata_report_evaluation",
    "satudata_data_element_list", "satudata_data_element_show", "satudata_data_element_create",
    "satudata_data_element_update", "satudata_data_element_delete", "satudata_data_element_link",
    "satudata_data_element_import",
    # core actions the workflow tightens
    "package_create", "package_update", "bulk_update_public", "bulk_update_private", "member_create",
    "member_delete",
]


def _inner_context(context: dict[str, Any]) -> dict[str, Any]:
    """A fresh context for the actions an action calls, as the same user."""
    return {"user": context["user"], "ignore_auth": context.get("ignore_auth", False)}


def metadata_xlsx_limits() -> metadata_xlsx.Limits:
    return metadata_xlsx.Limits(
        max_upload_bytes=config.metadata_xlsx_max_upload_bytes(),
        max_uncompressed_bytes=config.metadata_xlsx_max_uncompressed_bytes(),
        max_compression_ratio=config.metadata_xlsx_max_compression_ratio(),
    )


def licenses() -> list[tuple[str, str]]:
    """CKAN's licences as (id, title), for the licence row of the metadata .xlsx."""
    return [(item["id"], item["title"]) for item in tk.get_action("license_list")({}, {})]


def _read_upload(upload: Any, max_bytes: int, what: str | None = None) -> bytes:
    """The bytes of an upload (werkzeug FileStorage, cgi.FieldStorage or bytes), at most one byte more than allowed.
    `what` says what to upload when it is not a file."""
    if isinstance(upload, bytes):
        return upload[:max_bytes + 1]
    stream = getattr(upload, "stream", None) or getattr(upload, "file", None)
    if stream is None or isinstance(upload, str):
        raise tk.ValidationError({metadata_xlsx.FILE_KEY: [what or tk._("Upload the metadata as an .xlsx file")]})
    return stream.read(max_bytes + 1)


def _check_same_organization(context: dict[str, Any], in_file: str, chosen: str) -> None:
    """The OPD named in the file must be the one the dataset is created in, when both are given."""
    show = tk.get_action("organization_show")
    try:
        ids = [show(_inner_context(context), {"id": org, "include_datasets": False})["id"]
               for org in (in_file, chosen)]
    except tk.ObjectNotFound:
        return  # package_create's owner_org validator reports an unknown OPD
    if ids[0] != ids[1]:
        raise tk.ValidationError({"owner_org": [
            tk._('The file names the OPD "{in_file}", not the one the dataset is created in ("{chosen}")').format(
                in_file=in_file, chosen=chosen)]})


def satudata_metadata_import(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Create or update a dataset's statistical metadata from a metadata .xlsx (the layout of the metadata
    download and of the blank template: one sheet of label / value rows).

    The file is checked (size, zip structure, compression ratio, no macros) before it is parsed. Labels may be
    Indonesian, English or field names; choices their label in either language or their value. The values then go
    through package_create / package_patch, so the dataset schema's validators judge them and nothing is saved
    when any is wrong.

    :param upload: the .xlsx file (a multipart file upload, as for resource uploads)
    :type upload: file
    :param id: the id or name of the dataset to update (optional). The file's rows replace the dataset's metadata:
        an empty row clears its field (an empty URL keeps the URL), a field without a row stays as it is.
    :type id: string
    :param owner_org: the id or name of the OPD to create the dataset in, when there is no ``id`` (optional when
        the file names the OPD; when both are given they must be the same). An empty URL is made from the title.
    :type owner_org: string
    :returns: the created or updated dataset
    :rtype: dictionary
    """
    tk.check_access("satudata_metadata_import", context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.metadata_import_schema(), context)
    if errors:
        raise tk.ValidationError(errors)

    limits = metadata_xlsx_limits()
    content = _read_upload(data["upload"], limits.max_upload_bytes)
    current = tk.get_action("package_show")(_inner_context(context), {"id": data["id"]}) if data.get("id") else None
    dataset_schema = scheming_get_dataset_schema(current["type"] if current else "dataset")
    values = metadata_xlsx.read_workbook(content, dataset_schema, limits, licenses())
    changes = metadata_xlsx.package_dict(values)

    if current:
        if not changes.get("name"):
            changes.pop("name", None)
        changes["id"] = current["id"]
        return tk.get_action("package_patch")(_inner_context(context), changes)

    if changes.get("owner_org") and data.get("owner_org"):
        _check_same_organization(context, changes["owner_org"], data["owner_org"])
    changes["owner_org"] = changes.get("owner_org") or data.get("owner_org")
    if not changes.get("name") and changes.get("title"):
        changes["name"] = munge_title_to_name(changes["title"])
    return tk.get_action("package_create")(_inner_context(context), changes)


# --- verification workflow (SOP steps 3–6) -----------------------------------------------------------------

def _user_obj(context: dict[str, Any]):
    return context.get("auth_user_obj") or model.User.get(context.get("user"))


def _event_dict(event) -> dict[str, Any]:
    user = model.User.get(event.actor_id)
    return {**event.as_dict(), "actor_name": user.name if user else event.actor_id,
            "actor_display_name": user.display_name if user else event.actor_id,
            "actor_role_label": roles.role_label(event.actor_role),
            "from_state_label": workflow.state_label(event.from_state) if event.from_state else None,
            "to_state_label": workflow.state_label(event.to_state)}


def satudata_transition(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Move a dataset one step along the verification workflow (workflow.TRANSITIONS).

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

    package = model.Package.get(data["id"])
    transition = workflow.TRANSITIONS[data["transition"]]
    state = workflow.current_state(package.id)
    if state not in transition.from_states:
        raise tk.ValidationError({"transition": [
            tk._('"{transition}" is not possible while the dataset is {state}').format(
                transition=transition.label(), state=workflow.state_label(state))]})
    if transition.note_required and not data.get("note"):
        raise tk.ValidationError({"note": [tk._("A reason is required to return or withdraw a dataset")]})
    if transition.to_state == workflow.TERBIT:
        sifat = package.extras.get("sifat_data")
        if sifat != "terbuka":
            raise tk.ValidationError({"sifat_data": [tk._("Only Terbuka (open) data can be published")]})

    user = _user_obj(context)
    role = workflow.acting_role(transition, roles.roles_for(user, package.owner_org))
    try:
        event = workflow.move(package.id, package.owner_org, transition, state, user.id, role, data.get("note"))
    except workflow.Conflict:
        raise tk.ValidationError({"transition": [
            tk._("Someone else changed this dataset's status a moment ago; reload the page and try again")]})
    event_dict = _event_dict(event)

    if transition.to_state == workflow.TERBIT and revisions.revision_of(package.id):
        # A pending revision is not published itself: it replaces the live dataset's content (revisions.py).
        model.Session.commit()
        live = revisions.apply(context["user"], package.id)
        workflow.record_revision_published(live, package.name, user.id, role)
        notifications.transition_made(live["id"], event_dict)
        return {"state": transition.to_state, "event": event_dict, "live": live["name"]}

    # Publication follows the state: the patch (as the site, since the actor may not edit the content) lets the
    # chained package_update set `private` from the new state, reindexes, and commits the transition with it.
    tk.get_action("package_patch")({"user": context["user"], "ignore_auth": True}, {"id": package.id})
    notifications.transition_made(package.id, event_dict)
    return {"state": transition.to_state, "event": event_dict}


def satudata_revision_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Start changing a published dataset: a pending revision beside it (a private copy, `<name>-revisi`) that the
    operator edits and that goes through both verifications; publishing it replaces the live content.

    :param id: the published dataset's id or name
    :returns: the revision dataset
    """
    tk.check_access("satudata_revision_create", context, data_dict)
    live = tk.get_action("package_show")(dict(context), {"id": tk.get_or_bust(data_dict, "id")})
    if live["satudata_status"] != workflow.TERBIT or revisions.revision_of(live["id"]):
        raise tk.ValidationError({"id": [tk._("Only a published dataset can be revised")]})
    pending = revisions.open_revision(live["id"])
    if pending:
        raise tk.ValidationError({"id": [tk._("A revision of this dataset is already under way: {name}").format(
            name=model.Package.get(pending.revision_id).name)]})
    return revisions.create(context, live)


@tk.side_effect_free
def satudata_workflow_history(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Every workflow event of a dataset, oldest first: who, in which role, when, from, to and the note.

    :param id: the dataset's id or name
    """
    tk.check_access("satudata_workflow_history", context, data_dict)
    package = model.Package.get(tk.get_or_bust(data_dict, "id"))
    return [_event_dict(event) for event in workflow.history(package.id)]


@tk.side_effect_free
def satudata_verification_queue(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """What waits for the current user in the workflow, oldest first, with the time waited against the SOP's
    standard time (1 day for each verification and for publication) and whether it is overdue.
    """
    tk.check_access("satudata_verification_queue", context, data_dict)
    user = _user_obj(context)
    now = datetime.datetime.utcnow()
    items = []
    for package, status in workflow.waiting_for(user):
        standard = workflow.STANDARD_DAYS.get(status.state)
        waited = now - status.changed_at
        items.append({
            "id": package.id, "name": package.name, "title": package.title, "owner_org": package.owner_org,
            "state": status.state, "state_label": workflow.state_label(status.state),
            "since": status.changed_at.isoformat(), "waited_hours": round(waited.total_seconds() / 3600, 1),
            "standard_days": standard,
            "overdue": bool(standard) and waited > datetime.timedelta(days=standard),
            "transitions": [t.name for t in workflow.available(status.state,
                                                              roles.roles_for(user, package.owner_org))],
        })
    return items


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


# --- reports (SOP steps 7 and 8; reports.py) -----------------------------------------------------------------

def _report_input(context: dict[str, Any], data_dict: dict[str, Any], name: str) -> dict[str, Any]:
    tk.check_access(name, context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.report_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    return data


@tk.side_effect_free
def satudata_report_monitoring(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The monitoring report (SOP step 7): per OPD the datasets in each workflow state now and what moved in the
    period (submitted, verified and returned at each stage, published, withdrawn); the time spent in each step
    against the SOP's standard times (on-time share, median and worst waits) and the overdue steps by dataset;
    the monthly trend. See reports.py for the exact definitions.

    :param period: a year (``2026``), a quarter (``2026-Q3`` or ``2026-T3``) or a month (``2026-07``)
    :type period: string
    :param opd: an OPD's name or id, to report on that OPD only (optional)
    :type opd: string
    :returns: the report's figures
    :rtype: dictionary
    """
    data = _report_input(context, data_dict, "satudata_report_monitoring")
    return reports.monitoring(data["period"], data.get("opd"))


@tk.side_effect_free
def satudata_report_evaluation(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The evaluation report (SOP step 8): a scorecard per OPD under the EPSS aspects (Peraturan BPS 3/2022) and a
    ranking, each score with the datasets behind it. See reports.py.

    :param period: a year (``2026``), a quarter (``2026-Q3`` or ``2026-T3``) or a month (``2026-07``)
    :type period: string
    :param opd: an OPD's name or id, to report on that OPD only (optional)
    :type opd: string
    :returns: the report's figures
    :rtype: dictionary
    """
    data = _report_input(context, data_dict, "satudata_report_evaluation")
    return reports.evaluation(data["period"], data.get("opd"))


# --- daftar elemen data (SOP step 1; data_elements.py) ----------------------------------------------------------

def _element(context: dict[str, Any], data_dict: dict[str, Any], auth: str):
    """The element `id` of data_dict, after checking `auth` for its OPD."""
    element = data_elements.get(str(data_dict.get("id") or ""))
    if element is None:
        raise tk.ObjectNotFound(tk._("Data element not found"))
    tk.check_access(auth, context, {**data_dict, "owner_org": element.owner_org})
    return element


def _element_dict(element_id: str) -> dict[str, Any]:
    return data_elements.listing(None, None, reports.zone(), element_id=element_id)[0]


def _linked_dataset(name_or_id: str, owner_org: str) -> str | None:
    """The id of the dataset that provides an element of `owner_org` (None to unlink); a ValidationError when it
    is unknown, deleted, of another OPD or a pending revision."""
    if not name_or_id:
        return None
    package = model.Package.get(name_or_id)
    if not package or package.state != "active" or package.type != "dataset":
        raise tk.ValidationError({"package_id": [tk._('There is no dataset "{dataset}"').format(
            dataset=name_or_id)]})
    if package.owner_org != owner_org:
        raise tk.ValidationError({"package_id": [tk._(
            'The dataset "{dataset}" belongs to another OPD').format(dataset=package.name)]})
    if revisions.revision_of(package.id):
        raise tk.ValidationError({"package_id": [tk._(
            'The dataset "{dataset}" is a pending revision; link the published dataset').format(
            dataset=package.name)]})
    return package.id


def _save_element(values: dict[str, Any], element=None) -> str:
    try:
        element, _changed = data_elements.save(values, element)
    except data_elements.Duplicate:
        raise tk.ValidationError({"nama": [tk._(
            'The OPD already has a data element "{name}" in its list for {year}').format(
            year=values["tahun"], name=values["nama"])]})
    model.Session.commit()
    return element.id


def _element_values(context: dict[str, Any], data_dict: dict[str, Any], keep_package: str | None = None):
    data, errors = tk.navl_validate(data_dict, schema.data_element_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    if "package_id" in data:
        data["package_id"] = _linked_dataset(data["package_id"], data["owner_org"])
    else:
        data["package_id"] = keep_package
    return data


@tk.side_effect_free
def satudata_data_element_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The daftar elemen data of a year: each element with its dataset and derived status now
    (``belum_ada_dataset``, ``belum_terbit`` or ``terbit``) and ``late`` when past its target date. The Walidata
    sees every OPD's; an OPD's Operator Data and Verifikator OPD their OPD's.

    :param tahun: the year
    :type tahun: int
    :param owner_org: an OPD's name or id (optional)
    :type owner_org: string
    :param status: only elements of this status (optional)
    :type status: string
    :rtype: list of dictionaries
    """
    data, errors = tk.navl_validate(data_dict, schema.data_element_list_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_data_element_list", context, data)
    readable = roles.readable_opd_ids(_user_obj(context)) if not context.get("ignore_auth") else None
    opd_ids = [data["owner_org"]] if data.get("owner_org") else readable
    elements = data_elements.listing(data["tahun"], opd_ids, reports.zone())
    return [e for e in elements if e["status"] == data["status"]] if data.get("status") else elements


@tk.side_effect_free
def satudata_data_element_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One data element with its dataset and status (as in satudata_data_element_list).

    :param id: the element's id
    """
    element = _element(context, data_dict, "satudata_data_element_show")
    return _element_dict(element.id)


def satudata_data_element_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Add a data element to an OPD's daftar elemen data for a year (the Walidata).

    :param tahun: the year
    :param owner_org: the OPD's name or id
    :param nama: the element's name, unique in the OPD's list for the year (whatever its case)
    :param definisi: its definition (optional)
    :param satuan: its unit (optional)
    :param frekuensi: how often it is released, a value of the dataset schema's Frekuensi Penerbitan (optional)
    :param data_prioritas: whether it is priority data (optional, default false)
    :param tanggal_target: the date it must be published by, YYYY-MM-DD (optional)
    :param package_id: the id or name of the OPD's dataset that provides it (optional)
    :returns: the element, as satudata_data_element_show
    """
    tk.check_access("satudata_data_element_create", context, data_dict)
    return _element_dict(_save_element(_element_values(context, data_dict)))


def satudata_data_element_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change a data element (the Walidata): the fields of satudata_data_element_create replace the element's.
    Without ``package_id`` the linked dataset stays; an empty ``package_id`` unlinks it.

    :param id: the element's id
    """
    element = _element(context, data_dict, "satudata_data_element_update")
    return _element_dict(_save_element(_element_values(context, data_dict, element.package_id), element))


def satudata_data_element_delete(context: dict[str, Any], data_dict: dict[str, Any]) -> None:
    """Remove a data element from its OPD's list (the Walidata). Its dataset is not touched.

    :param id: the element's id
    """
    data_elements.delete(_element(context, data_dict, "satudata_data_element_delete"))
    model.Session.commit()


def _request_lang() -> str:
    try:
        return "en" if tk.h.lang() == "en" else "id"
    except RuntimeError:  # outside a request (the CLI, a job)
        return "id"


def _import_row(context: dict[str, Any], year: int, number: int, cells: dict[str, Any]):
    """A row of an uploaded list as (existing element or None, validated values, messages). The row's empty cells
    keep what an existing element of that name holds."""
    values = {"tahun": year, **cells}
    org = model.Group.get(str(cells.get("owner_org") or ""))
    existing = data_elements.find(year, org.id, str(cells["nama"])) if org and cells.get("nama") else None
    if existing:
        values = {**{field: getattr(existing, field) for field in data_elements.FIELDS}, **values}
    data, errors = tk.navl_validate(values, schema.data_element_schema(), context)
    lang = _request_lang()
    in_column_order = sorted(errors.items(), key=lambda item: data_elements.FIELDS.index(item[0])
                             if item[0] in data_elements.FIELDS else len(data_elements.FIELDS))
    messages = [tk._("Row {row}, {column}: {message}").format(
                    row=number, column=data_elements_xlsx.header_label(field, lang), message=message)
                for field, field_messages in in_column_order for message in field_messages]
    if not errors:
        try:
            data["package_id"] = _linked_dataset(data.get("package_id") or "", data["owner_org"])
        except tk.ValidationError as error:
            messages += [tk._("Row {row}, {column}: {message}").format(
                row=number, column=data_elements_xlsx.header_label("package_id", lang), message=message)
                for message in error.error_dict["package_id"]]
    return existing, data, messages


def satudata_data_element_import(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Create and update a year's daftar elemen data from an .xlsx (the layout of the template and of the list's
    download: one element per row; the Walidata).

    An element of the same OPD and name (whatever its case) is updated, others are created; nothing is deleted,
    and a row's empty cells keep what the element holds. The file is checked before it is parsed, and nothing is
    saved when any row is wrong: the error lists every wrong cell by row and column.

    :param upload: the .xlsx file (a multipart file upload)
    :param tahun: the year of the list
    :param owner_org: an OPD's name or id (optional): rows without an OPD are that OPD's, and rows of another OPD
        are refused
    :returns: ``{"created": n, "updated": n, "unchanged": n, "elements": [the file's elements]}``
    """
    tk.check_access("satudata_data_element_import", context, data_dict)
    data, errors = tk.navl_validate(data_dict, schema.data_element_import_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    limits = metadata_xlsx_limits()
    content = _read_upload(data["upload"], limits.max_upload_bytes,
                           tk._("Upload the daftar elemen data as an .xlsx file"))
    rows = data_elements_xlsx.read_workbook(content, data_elements.opds(), data_elements.frequency_choices(), limits)
    if not rows:
        raise tk.ValidationError({metadata_xlsx.FILE_KEY: [tk._("The file holds no data elements")]})
    chosen = model.Group.get(data["owner_org"]) if data.get("owner_org") else None
    planned, messages, seen = [], [], {}
    for number, cells in rows:
        if chosen:
            named = model.Group.get(str(cells.get("owner_org") or chosen.name))
            if named is None or named.id != chosen.id:
                messages.append(tk._('Row {row}: the OPD "{opd}" is not {chosen}').format(
                    row=number, opd=cells["owner_org"], chosen=chosen.title or chosen.name))
                continue
            cells["owner_org"] = chosen.name
        existing, values, row_messages = _import_row(context, data["tahun"], number, cells)
        messages += row_messages
        if row_messages:
            continue
        key = (values["owner_org"], values["nama"].lower())
        if key in seen:
            messages.append(tk._('Row {row}: "{name}" is already in row {first}').format(
                row=number, name=values["nama"], first=seen[key]))
            continue
        seen[key] = number
        planned.append((existing, values))
    if messages:
        raise tk.ValidationError({metadata_xlsx.FILE_KEY: messages})
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ids = []
    for existing, values in planned:
        element, changed = data_elements.save(values, existing)
        counts["created" if existing is None else "updated" if changed else "unchanged"] += 1
        model.Session.flush()
        ids.append(element.id)
    model.Session.commit()
    by_id = {e["id"]: e for e in data_elements.listing(data["tahun"], sorted({v["owner_org"] for _e, v in planned}),
                                                       reports.zone())}
    return {**counts, "elements": [by_id[element_id] for element_id in ids]}


def satudata_data_element_link(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Link the dataset that provides a data element, or unlink it (the OPD's Operator Data or the Walidata).

    :param id: the element's id
    :param package_id: the id or name of a dataset of the element's OPD; empty to unlink
    :returns: the element, as satudata_data_element_show
    """
    element = _element(context, data_dict, "satudata_data_element_link")
    element.package_id = _linked_dataset(str(data_dict.get("package_id") or "").strip(), element.owner_org)
    model.Session.commit()
    return _element_dict(element.id)


# --- core actions the workflow tightens ---------------------------------------------------------------------

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


# --- Uploaded tables (ingest.py, upload_report.py) -----------------------------------------------------------------

@tk.side_effect_free
def satudata_upload_report(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The check report of a resource's uploaded table: status (pending, ok, warning, error), the columns and
    their types, and each issue with sheet, row, column, value and a message in the request's language.

    :param id: the resource id
    :type id: string
    """
    from ckanext.satudata_blitar.tables import upload_check as upload_report
    data_dict, errors = tk.navl_validate(data_dict, schema.upload_report(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_upload_report", context, data_dict)
    return upload_report.present(upload_report.load(data_dict["id"]), data_dict["id"])


@tk.chained_action
def xloader_submit(original_action, context, data_dict):
    """Uploaded tables go to our typed load (ingest.py) under xloader's task and status page; the rest to xloader."""
    from ckanext.satudata_blitar.tables import ingest
    return ingest.submit(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def datastore_search(original_action, context, data_dict):
    """CSV/TSV records (the DataStore's CSV/TSV downloads) neutralise formula-like text (file_safety.py)."""
    from ckanext.satudata_blitar.tables import file_safety
    result = original_action(context, data_dict)
    if data_dict.get("records_format") in ("csv", "tsv"):
        return file_safety.neutralise_csv_records(result, "," if data_dict["records_format"] == "csv" else "\t")
    return result
