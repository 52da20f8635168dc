"""Actions on uploaded tables: the upload check, the typed load under xloader, safe CSV/TSV dumps."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import auth_audit_exempt

from ckanext.satudata_blitar.files import safety
from ckanext.satudata_blitar.logic import schema
from ckanext.satudata_blitar.tables import job_state, load_queue, upload_check

__all__: list[str] = ["satudata_upload_check", "satudata_upload_report", "xloader_submit", "xloader_status",
                     "datastore_search", "satudata_requeue_loads", "satudata_official_names"]


@tk.side_effect_free
def satudata_upload_check(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The check of a resource's uploaded table: status (pending, ok, warning, error), the columns and their
    types, and each issue with sheet, row, column, value and a message in the request's language.

    :param id: the resource id
    :type id: string
    """
    data_dict, errors = tk.navl_validate(data_dict, schema.upload_check_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.check_access("satudata_upload_check", context, data_dict)
    return upload_check.present(upload_check.load(data_dict["id"]), data_dict["id"])


@tk.side_effect_free
def satudata_upload_report(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Deprecated name of satudata_upload_check, kept for one release.

    :param id: the resource id
    :type id: string
    """
    return satudata_upload_check(context, data_dict)


def satudata_official_names(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """The OPD stores the region names of a resource's table as the Kepmendagri list writes them (the upload check
    warned "Kec. Sukorejo" is Sukorejo): the choice is kept for the resource, and its file is loaded again with the
    recognised kecamatan/kelurahan columns written in the official names. The uploaded file is not changed.

    :param id: the resource id
    :type id: string
    :returns: ``{"resource_id", "queued"}``
    """
    data_dict, errors = tk.navl_validate(data_dict, schema.upload_check_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    tk.get_action("resource_show")({"ignore_auth": True}, {"id": data_dict["id"]})  # ObjectNotFound
    tk.check_access("satudata_official_names", context, data_dict)
    upload_check.choose_official_names(data_dict["id"])
    queued = tk.get_action("xloader_submit")({"ignore_auth": True}, {"resource_id": data_dict["id"],
                                                                     "ignore_hash": True})
    return {"resource_id": data_dict["id"], "queued": bool(queued)}


@tk.chained_action
def xloader_submit(original_action, context, data_dict):
    """Uploaded tables go to our typed load (load_queue.py) under xloader's task and status page. A link is never
    fetched: refused with a ValidationError (False, quietly, for internal callers such as xloader's own hooks)."""
    return load_queue.submit(original_action, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def xloader_status(original_action, context, data_dict):
    """A link's status says nothing was loaded: the text of an error from a fetch made before links were refused
    (it could name internal addresses and ports) is never shown."""
    status = original_action(context, data_dict)
    if not load_queue.can_upload(data_dict.get("resource_id") or data_dict.get("id")):
        return load_queue.link_status()
    return status


@tk.chained_action
@tk.side_effect_free
@auth_audit_exempt
def datastore_search(original_action, context, data_dict):
    """CSV/TSV records (the DataStore's CSV/TSV downloads) neutralise formula-like text (files/safety.py).

    Exempt from CKAN's auth audit as the DataStore's own action is (CKAN exempts a plugin's actions, but a chained
    action takes the chaining function's attributes): searching a public table (`_table_metadata`) calls no auth
    function, and without the exemption the audit turned it into a 500."""
    result = original_action(context, data_dict)
    if data_dict.get("records_format") in ("csv", "tsv"):
        return safety.neutralise_csv_records(result, "," if data_dict["records_format"] == "csv" else "\t")
    return result


def satudata_requeue_loads(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """Finds the loads of uploaded tables that will never finish by themselves (never queued because the job queue
    was down, or killed with their worker), marks a killed one as failed and queues each again.

    :param dry_run: only list them (default: false)
    :returns: one ``{"resource_id", "state", "reason", "queued"}`` per load found
    """
    tk.check_access("satudata_requeue_loads", context, data_dict)
    found = job_state.stalled_loads()
    for load in found:
        load["queued"] = False
        if tk.asbool(data_dict.get("dry_run", False)):
            continue
        if load["reason"] == "killed":
            job_state.mark_stalled(load["resource_id"])
        load["queued"] = bool(tk.get_action("xloader_submit")(
            {"ignore_auth": True, "user": context.get("user")},
            {"resource_id": load["resource_id"], "ignore_hash": True}))
    return found
