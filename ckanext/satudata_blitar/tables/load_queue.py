"""Which uploaded tables are loaded, and queueing their load (an xloader job of ours).

How it fits ckanext-xloader (not forked):
- `xloader_submit` is chained (logic/action/tables.py delegates to `submit`). Every uploaded file is queued as
  load_job.load_job. A link (any resource whose url_type is not `upload`) is never fetched: `submit` refuses it, our
  IXloader.can_upload says no, and xloader's own job skips it (`datastore_rw_resource_url_types`). The task is
  xloader's own task_status row (task_type "xloader"), so xloader's status page (/dataset/<id>/resource_data/<rid>),
  its "Upload to DataStore" button, `xloader_status` and `ckan xloader submit` all work unchanged.
- Other plugins' IXloader.can_upload still decide whether a resource is loaded at all.
- An OPD has at most `upload_max_queued_per_opd` checks queued or running: a further upload is refused before it is
  stored (`refuse_when_opd_busy`), so one OPD cannot fill the only worker's queue.
"""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any, Optional

import sqlalchemy as sa
from redis.exceptions import RedisError
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.xloader.interfaces import IXloader

from ckanext.satudata_blitar import adapters, config
from ckanext.satudata_blitar.files.safety import N_
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.tables.job_state import job_alive, job_waiting
from ckanext.satudata_blitar.tables.load_job import JOB_TYPE, job_description, load_job

log = logging.getLogger(__name__)


def handles(resource: dict[str, Any]) -> bool:
    """Every uploaded file is ours, whatever its declared format: the check decides from the file's content what it
    is (a macro workbook declared XLSM, a program declared CSV are refused). Anything else is a link, never
    fetched (docs/security.md, "Links are never fetched")."""
    return resource.get("url_type") == "upload"


LINK_NOT_LOADED = N_("A link is never loaded into the DataStore: the portal does not fetch links. Upload the "
                     "spreadsheet itself to have it checked and loaded.")


def can_upload(resource_id: str) -> bool:
    """IXloader.can_upload: only uploaded files are loaded (a link's target could change after the verifiers
    approved what they saw, and fetching it would reach the portal's own services)."""
    resource = model.Resource.get(resource_id)
    return resource is not None and resource.url_type == "upload"


@tk.chained_helper
def datastore_rw_resource_url_types(next_helper) -> list:
    """Links are not loaded from their URL, so a link's DataStore table (if any) can only come from the DataStore
    API. xloader's job reads this list and skips such resources before it downloads anything: the last wall for a
    job queued before this rule, or `ckan xloader submit --sync`, which calls the job without xloader_submit."""
    return next_helper() + [None, ""]


@tk.chained_helper
def is_resource_supported_by_xloader(next_helper, res_dict: dict[str, Any], check_access: bool = True) -> bool:
    """xloader's DataStore tab and its "Upload to DataStore" button are offered for uploaded files only."""
    return handles(res_dict) and next_helper(res_dict, check_access)


def link_status() -> dict[str, Any]:
    """xloader_status of a link: nothing was or will be loaded; no error text from an earlier fetch is shown."""
    return {"status": None, "job_id": None, "job_url": None, "last_updated": None, "task_info": None, "error": {}}


def file_changed(resource: Any, new: bool) -> None:
    """IDomainObjectModification, before commit: a resource whose uploaded file is new or replaced is queued for the
    check when xloader's own hooks would not queue it — xloader submits only the formats it lists, and a new
    resource only from resource_create (not one added by package_update, as publishing a revision does). A file
    queued twice is loaded once (submit() skips a load already queued)."""
    if resource.url_type != "upload" or resource.state == "deleted" or not getattr(resource, "url_changed", False):
        return
    if adapters.xloader_lists_format(resource.format) and not new:
        return
    try:
        tk.get_action("xloader_submit")({"ignore_auth": True}, {"resource_id": resource.id})
    except tk.ValidationError as error:
        log.error("Could not queue the check of resource %s: %s", resource.id, error)


OPD_QUEUE_FULL = N_("This OPD already has {count} files waiting to be checked. Wait until the earlier files are "
                    "checked (their resource pages show it), then upload this file again.")
# xloader's task states of a load not yet finished (our submit writes them; the job's hook moves them on).
UNFINISHED_STATES = ("submitting", "pending", "running")


def queued_checks(owner_org: str, except_resource: Optional[str] = None) -> int:
    """How many uploaded files of an OPD have their check queued or running (xloader's task rows)."""
    query = (model.Session.query(sa.func.count(model.TaskStatus.id))
             .join(model.Resource, model.Resource.id == model.TaskStatus.entity_id)
             .join(model.Package, model.Package.id == model.Resource.package_id)
             .filter(model.TaskStatus.task_type == "xloader", model.TaskStatus.key == "xloader",
                     model.TaskStatus.state.in_(UNFINISHED_STATES), model.Resource.state == "active",
                     model.Resource.url_type == "upload", model.Package.state != "deleted",
                     model.Package.owner_org == owner_org))
    if except_resource:
        query = query.filter(model.TaskStatus.entity_id != except_resource)
    return query.scalar() or 0


def refuse_when_opd_busy(resource: dict[str, Any], package_id: Optional[str]) -> None:
    """IResourceController.before_resource_create/update (after the action's auth, before CKAN stores anything):
    a new file of an OPD that already has `upload_max_queued_per_opd` checks queued or running is refused. A file
    that replaces one still waiting takes its place in the queue, so it is not counted twice."""
    # A new file is a werkzeug FileStorage on both CKAN versions (2.11 names the tuple ALLOWED_UPLOAD_TYPES, 2.12
    # dropped it).
    if not isinstance(resource.get("upload"), FileStorage) or not package_id:
        return
    package = model.Package.get(package_id)
    if package is None or not package.owner_org:
        return
    limit = config.upload_max_queued_per_opd()
    count = queued_checks(package.owner_org, except_resource=resource.get("id"))
    if count >= limit:
        log.info("Upload to %s refused: its OPD has %d checks queued or running", package_id, count)
        raise tk.ValidationError({"upload": [tk._(OPD_QUEUE_FULL).format(count=count)]})


def submit(up_func, context: dict[str, Any], data_dict: dict[str, Any]) -> bool:
    """xloader_submit for our resources: the same task row, the same job input, our job function."""
    tk.check_access("xloader_submit", context, data_dict)
    res_id = data_dict.get("resource_id") or data_dict.get("id")
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": res_id})
    except tk.ObjectNotFound:
        return False
    if not _loadable(resource, context):
        return False
    now = str(datetime.datetime.utcnow())
    task = {"entity_id": res_id, "entity_type": "resource", "task_type": "xloader", "key": "xloader",
            "last_updated": now, "state": "submitting", "value": "{}", "error": "{}"}
    if _in_hand(task, resource, data_dict):
        return False
    _save_task(task)
    queue = data_dict.get("queue") or adapters.xloader_default_queue(resource.get("package_id"))
    upload_check.mark_pending(res_id)
    try:
        job = _enqueue(resource, task, data_dict, queue)
    except RedisError as error:
        # The job queue (Redis) is down: the upload itself stands (the file is stored, the resource saved). The task
        # stays "pending" without a job, the report tells the operator, and `ckan satudata requeue` queues it again.
        log.warning("Could not queue the load of resource %s: %s", res_id, error)
        upload_check.mark_not_queued(res_id)
        task.update(state="pending", last_updated=str(datetime.datetime.utcnow()))
        _save_task(task)
        return False
    task.update(value=json.dumps({"job_id": job.id, "file": file_identity(resource)}), state="pending",
                last_updated=str(datetime.datetime.utcnow()))
    _save_task(task)
    return True


def _loadable(resource: dict[str, Any], context: dict[str, Any]) -> bool:
    """Whether a resource is loaded: an uploaded file that no IXloader plugin refuses. A link asked for by someone
    is refused with a message."""
    res_id = resource["id"]
    if not handles(resource):
        log.info("Resource %s is a link: not fetched, not loaded", res_id)
        if context.get("ignore_auth"):
            # xloader's own hooks (a link created or changed) and other internal callers: nothing to tell anyone
            # (xloader would log a refusal as critical)
            return False
        raise tk.ValidationError({"resource_id": [tk._(LINK_NOT_LOADED)]})
    for plugin in p.PluginImplementations(IXloader):
        if not plugin.can_upload(res_id):
            log.info("Plugin %s rejected resource %s", plugin.__class__.__name__, res_id)
            return False
    return True


def _in_hand(task: dict[str, Any], resource: dict[str, Any], data_dict: dict[str, Any]) -> bool:
    """Whether the resource's file needs no new job (its load is queued, running or done); `task` takes the id of
    the resource's existing task row."""
    res_id = resource["id"]
    try:
        existing = tk.get_action("task_status_show")({"ignore_auth": True}, {
            "entity_id": res_id, "task_type": "xloader", "key": "xloader"})
    except tk.ObjectNotFound:
        return False
    task["id"] = existing["id"]
    if _same_file_in_hand(existing, resource) and not tk.asbool(data_dict.get("ignore_hash", False)):
        # Not a new file: only the resource's other fields changed (CKAN 2.12's datastore_create sets
        # datastore_active through resource_patch; CKAN's `url_changed` flag stays set on a resource object for
        # the rest of the session once a file was uploaded through it). Its check stands as it is.
        log.info("The file of resource %s is the one already queued or loaded", res_id)
        return True
    if existing.get("state") == "pending" and job_waiting(json.loads(existing.get("value") or "{}").get("job_id")):
        # The queued job reads the resource's current file when it runs; until then the check says pending (a
        # replaced file is not served or accepted on the strength of the previous file's check).
        log.info("A load of resource %s is already queued", res_id)
        upload_check.mark_pending(res_id)
        return True
    return False


def _save_task(task: dict[str, Any]) -> None:
    """xloader's task row, committed in a session of its own (as xloader_submit does)."""
    tk.get_action("task_status_update")({"session": adapters.separate_session(), "ignore_auth": True}, task)


def _enqueue(resource: dict[str, Any], task: dict[str, Any], data_dict: dict[str, Any], queue: str) -> Any:
    """The load job on `queue`, with the job input xloader_submit gives its own job."""
    res_id = resource["id"]
    job_input = {
        "job_type": JOB_TYPE,
        # our job reports through the xloader_hook action in-process, as the site user: no token travels
        "api_key": None,
        "result_url": None,
        "metadata": {
            "ignore_hash": bool(data_dict.get("ignore_hash", False)),
            "ckan_url": tk.config["ckan.site_url"],
            "resource_id": res_id,
            "set_url_type": False,
            "task_created": task["last_updated"],
            "original_url": resource.get("url"),
            "queue_name": queue,
        },
    }
    return tk.enqueue_job(load_job, [job_input], queue=queue,
                          title=f"satudata ingest: package: {resource.get('package_id')} resource: {res_id}",
                          rq_kwargs={"timeout": int(tk.config.get("ckanext.xloader.job_timeout") or 3600),
                                     "at_front": bool(data_dict.get("sync")),
                                     "description": job_description(res_id)})


def file_identity(resource: dict[str, Any]) -> dict[str, Any]:
    """What tells one uploaded file from the next: CKAN gives every upload a new `last_modified` (and its name and
    size); editing the resource's other fields changes none of them."""
    return {key: resource.get(key) for key in ("url", "size", "last_modified")}


def _same_file_in_hand(task: dict[str, Any], resource: dict[str, Any]) -> bool:
    """Whether the resource's current file is the one whose load is queued, running or done (the xloader task
    records the file it queued). A load that failed or was lost is not in hand: submitting again retries it."""
    value = json.loads(task.get("value") or "{}")
    if value.get("file") != file_identity(resource):
        return False
    state = task.get("state")
    return (state == "complete" or (state == "pending" and job_waiting(value.get("job_id")))
            or (state == "running" and job_alive(value.get("job_id"))))
