"""Actions on the daftar elemen data (SOP step 1)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config, language
from ckanext.satudata_blitar.language import names
from ckanext.satudata_blitar.files import workbooks
from ckanext.satudata_blitar.elements import data_elements, data_elements_xlsx
from ckanext.satudata_blitar.logic import schema
from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.workflow import revisions, roles

__all__: list[str] = ["satudata_data_element_list", "satudata_data_element_show", "satudata_data_element_create",
                     "satudata_data_element_update", "satudata_data_element_delete", "satudata_data_element_link",
                     "satudata_data_element_import"]


def _element(context: dict[str, Any], data_dict: dict[str, Any], auth: str):
    """The element `id` of data_dict, after checking `auth` for its OPD."""
    element = data_elements.get(str(data_dict.get("id") or ""))
    if element is None:
        raise tk.ObjectNotFound(tk._("Data element not found"))
    tk.check_access(auth, context, {**data_dict, "owner_org": element.owner_org})
    return element


def _element_dict(element_id: str) -> dict[str, Any]:
    return data_elements.listing(None, None, config.portal_zone(), element_id=element_id)[0]


def _may_see(context: dict[str, Any], package_id: str) -> bool:
    try:
        tk.check_access("package_show", {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj"),
                                         "ignore_auth": context.get("ignore_auth", False)}, {"id": package_id})
        return True
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


def _linked_dataset(context: dict[str, Any], name_or_id: str, owner_org: str) -> str | None:
    """The id of the dataset that provides an element of `owner_org` (None to unlink); a ValidationError when it
    is unknown, deleted, of another OPD or a pending revision. A dataset the user may not see is unknown, with the
    same message: another OPD's draft is neither named nor confirmed."""
    if not name_or_id:
        return None
    package = model.Package.get(name_or_id)
    if (not package or package.state != "active" or package.type != "dataset"
            or not _may_see(context, package.id)):
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
        data["package_id"] = _linked_dataset(context, data["package_id"], data["owner_org"])
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
    readable = roles.readable_opd_ids(user_of(context)) if not context.get("ignore_auth") else None
    opd_ids = [data["owner_org"]] if data.get("owner_org") else readable
    elements = data_elements.listing(data["tahun"], opd_ids, config.portal_zone())
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


def _import_row(context: dict[str, Any], year: int, number: int, cells: dict[str, Any]):
    """A row of an uploaded list as (existing element or None, validated values, messages). The row's empty cells
    keep what an existing element of that name holds."""
    values = {"tahun": year, **cells}
    org = model.Group.get(str(cells.get("owner_org") or ""))
    existing = data_elements.find(year, org.id, str(cells["nama"])) if org and cells.get("nama") else None
    if existing:
        values = {**{field: getattr(existing, field) for field in data_elements.FIELDS}, **values}
    data, errors = tk.navl_validate(values, schema.data_element_schema(), context)
    lang = language.current()
    in_column_order = sorted(errors.items(), key=lambda item: data_elements.FIELDS.index(item[0])
                             if item[0] in data_elements.FIELDS else len(data_elements.FIELDS))
    messages = [tk._("Row {row}, {column}: {message}").format(
                    row=number, column=data_elements_xlsx.header_label(field, lang), message=message)
                for field, field_messages in in_column_order for message in field_messages]
    if not errors:
        try:
            data["package_id"] = _linked_dataset(context, data.get("package_id") or "", data["owner_org"])
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
    limits = workbooks.upload_limits()
    content = workbooks.read_upload(data["upload"], limits.max_bytes,
                                tk._("Upload the daftar elemen data as an .xlsx file"))
    rows = data_elements_xlsx.read_workbook(content, data_elements.opds(), data_elements.frequency_choices(), limits)
    if not rows:
        raise tk.ValidationError({workbooks.FILE_KEY: [tk._("The file holds no data elements")]})
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
        key = (values["owner_org"], names.comparable(values["nama"]))
        if key in seen:
            messages.append(tk._('Row {row}: "{name}" is already in row {first}').format(
                row=number, name=values["nama"], first=seen[key]))
            continue
        seen[key] = number
        planned.append((existing, values))
    if messages:
        raise tk.ValidationError({workbooks.FILE_KEY: messages})
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ids = []
    for existing, values in planned:
        element, changed = data_elements.save(values, existing)
        counts["created" if existing is None else "updated" if changed else "unchanged"] += 1
        model.Session.flush()
        ids.append(element.id)
    model.Session.commit()
    by_id = {e["id"]: e for e in data_elements.listing(data["tahun"], sorted({v["owner_org"] for _e, v in planned}),
                                                       config.portal_zone())}
    return {**counts, "elements": [by_id[element_id] for element_id in ids]}


def satudata_data_element_link(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Link the dataset that provides a data element, or unlink it (the OPD's Operator Data or the Walidata).

    :param id: the element's id
    :param package_id: the id or name of a dataset of the element's OPD; empty to unlink
    :returns: the element, as satudata_data_element_show
    """
    element = _element(context, data_dict, "satudata_data_element_link")
    element.package_id = _linked_dataset(context, str(data_dict.get("package_id") or "").strip(),
                                         element.owner_org)
    model.Session.commit()
    return _element_dict(element.id)
