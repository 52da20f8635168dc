"""The typed DataStore load of uploaded tables, run as an xloader job.

How it fits ckanext-xloader (not forked):
- `xloader_submit` is chained (logic/action.py delegates to `submit`). Every uploaded file is queued as `load_job`
  here. A link (any resource whose url_type is not `upload`) is never fetched: `submit` refuses it, our
  IXloader.can_upload says no, and xloader's own job skips it (`datastore_rw_resource_url_types`). The task is
  xloader's own task_status row (task_type "xloader"), so xloader's status page (/dataset/<id>/resource_data/<rid>),
  its "Upload to DataStore" button, `xloader_status` and `ckan xloader submit` all work unchanged.
- `load_job` keeps xloader's bookkeeping: the job and its log lines go to xloader's jobs table (xloader's
  StoringHandler), the status goes through the `xloader_hook` action (running / complete / error), which calls the
  IXloader `after_upload` hooks and creates the DataStore views, and retryable database errors
  (xloader.jobs.RETRYABLE_ERRORS, up to ckanext.xloader.max_retries) requeue the job.
- Other plugins' IXloader.can_upload still decide whether a resource is loaded at all.
- An OPD has at most `upload_max_queued_per_opd` checks queued or running: a further upload is refused before it is
  stored (`refuse_when_opd_busy`), so one OPD cannot fill the only worker's queue.

The job: file_safety + spreadsheet run in a child process with memory and time limits and write a typed CSV; the
report is saved (upload_report); with no error, `datastore_create` defines the typed table, PostgreSQL COPY fills
it on the write engine (the full-text trigger fills `_full_text` during the COPY), then the indexes are built and
the table ANALYZEd. The uploaded file is never changed.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import resource as os_resource
import subprocess
import sys
import tempfile
import time
from typing import Any, Optional

import sqlalchemy as sa
from redis.exceptions import RedisError
from werkzeug.datastructures import FileStorage

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib import uploader

from ckanext.satudata_blitar import adapters, config
from ckanext.satudata_blitar.files import safety as file_safety
from ckanext.satudata_blitar.files.safety import N_
from ckanext.satudata_blitar.metadata import metadata_xlsx, ms_var
from ckanext.satudata_blitar.site import site_context
from ckanext.satudata_blitar.tables import upload_check, wilayah_columns

log = logging.getLogger(__name__)

JOB_TYPE = "xloader_to_datastore"
# A file name without extension is read as its declared format says (the check still decides from the content).
FORMAT_EXTENSIONS = {"text/csv": "csv", "application/csv": "csv", "application/vnd.ms-excel": "xls",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
                     "application/vnd.oasis.opendocument.spreadsheet": "ods"}


# Connections one load uses at once for the full-text column and the indexes (PostgreSQL builds a GIN index on
# one core; the tables of a portal like ours are loaded one at a time).
LOAD_CONNECTIONS = max(1, min(4, os.cpu_count() or 1))


class Rejected(Exception):
    """The file was checked and not loaded; the report says why."""


def limits() -> file_safety.Limits:
    return file_safety.Limits(
        max_bytes=config.upload_max_bytes(),
        max_uncompressed_bytes=config.upload_max_uncompressed_bytes(),
        max_compression_ratio=config.upload_max_compression_ratio(),
        max_rows=config.upload_max_rows(),
        max_columns=config.upload_max_columns(),
        max_cell_chars=config.upload_max_cell_chars(),
        parser_memory_mb=config.upload_parser_memory_mb(),
        parser_timeout=config.upload_parser_timeout(),
    )


def handles(resource: dict[str, Any]) -> bool:
    """Every uploaded file is ours, whatever its declared format: the check decides from the file's content what it
    is (a macro workbook declared XLSM, a program declared CSV are refused). Anything else is a link, never
    fetched (docs/security.md, "Links are never fetched")."""
    return resource.get("url_type") == "upload"


# --- Links are never fetched ------------------------------------------------------------------------------------------

LINK_NOT_LOADED = N_("A link is never loaded into the DataStore: the portal does not fetch links. Upload the "
                     "spreadsheet itself to have it checked and loaded.")


def can_upload(resource_id: str) -> bool:
    """IXloader.can_upload: only uploaded files are loaded (a link's target could change after the verifiers
    approved what they saw, and fetching it would reach the portal's own services)."""
    from ckan import model
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


# --- One OPD cannot fill the queue -----------------------------------------------------------------------------------

OPD_QUEUE_FULL = N_("This OPD already has {count} files waiting to be checked. Wait until the earlier files are "
                    "checked (their resource pages show it), then upload this file again.")
# xloader's task states of a load not yet finished (our submit writes them; the job's hook moves them on).
UNFINISHED_STATES = ("submitting", "pending", "running")


def queued_checks(owner_org: str, except_resource: Optional[str] = None) -> int:
    """How many uploaded files of an OPD have their check queued or running (xloader's task rows)."""
    from ckan import model
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
    from ckan import model
    package = model.Package.get(package_id)
    if package is None or not package.owner_org:
        return
    limit = config.upload_max_queued_per_opd()
    count = queued_checks(package.owner_org, except_resource=resource.get("id"))
    if count >= limit:
        log.info("Upload to %s refused: its OPD has %d checks queued or running", package_id, count)
        raise tk.ValidationError({"upload": [tk._(OPD_QUEUE_FULL).format(count=count)]})


# --- Submitting -----------------------------------------------------------------------------------------------------

def job_description(res_id: str) -> str:
    """The queued job's description in the form xloader_submit parses to find the resources already queued (it reads
    `'resource_id': '<id>'` from every job whose text has `xloader_to_datastore`): rq's own description of our job
    has the job type but not the id, and xloader_submit failed with AttributeError while one was queued."""
    return f"satudata ingest {JOB_TYPE} {{'resource_id': '{res_id}'}}"


def submit(up_func, context: dict[str, Any], data_dict: dict[str, Any]) -> bool:
    """xloader_submit for our resources: the same task row, the same job input, our job function."""
    tk.check_access("xloader_submit", context, data_dict)
    res_id = data_dict.get("resource_id") or data_dict.get("id")
    try:
        resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": res_id})
    except tk.ObjectNotFound:
        return False
    if not handles(resource):
        log.info("Resource %s is a link: not fetched, not loaded", res_id)
        if context.get("ignore_auth"):
            # xloader's own hooks (a link created or changed) and other internal callers: nothing to tell anyone
            # (xloader would log a refusal as critical)
            return False
        raise tk.ValidationError({"resource_id": [tk._(LINK_NOT_LOADED)]})
    from ckanext.xloader import interfaces as xloader_interfaces, jobs as xloader_jobs
    for plugin in p.PluginImplementations(xloader_interfaces.IXloader):
        if not plugin.can_upload(res_id):
            log.info("Plugin %s rejected resource %s", plugin.__class__.__name__, res_id)
            return False

    now = str(datetime.datetime.utcnow())
    task = {"entity_id": res_id, "entity_type": "resource", "task_type": "xloader", "key": "xloader",
            "last_updated": now, "state": "submitting", "value": "{}", "error": "{}"}
    try:
        existing = tk.get_action("task_status_show")({"ignore_auth": True}, {
            "entity_id": res_id, "task_type": "xloader", "key": "xloader"})
        task["id"] = existing["id"]
        if _same_file_in_hand(existing, resource) and not tk.asbool(data_dict.get("ignore_hash", False)):
            # Not a new file: only the resource's other fields changed (CKAN 2.12's datastore_create sets
            # datastore_active through resource_patch; CKAN's `url_changed` flag stays set on a resource object for
            # the rest of the session once a file was uploaded through it). Its check stands as it is.
            log.info("The file of resource %s is the one already queued or loaded", res_id)
            return False
        if existing.get("state") == "pending" and _queued(json.loads(existing.get("value") or "{}").get("job_id")):
            # The queued job reads the resource's current file when it runs; until then the check says pending (a
            # replaced file is not served or accepted on the strength of the previous file's check).
            log.info("A load of resource %s is already queued", res_id)
            upload_check.mark_pending(res_id)
            return False
    except tk.ObjectNotFound:
        pass
    from ckan import model
    tk.get_action("task_status_update")({"session": model.meta.create_local_session(), "ignore_auth": True}, task)

    queue = data_dict.get("queue") or xloader_jobs.get_default_queue_name(resource.get("package_id"))
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
    upload_check.mark_pending(res_id)
    try:
        job = tk.enqueue_job(load_job, [job_input], queue=queue,
                             title=f"satudata ingest: package: {resource.get('package_id')} resource: {res_id}",
                             rq_kwargs={"timeout": int(tk.config.get("ckanext.xloader.job_timeout") or 3600),
                                        "at_front": bool(data_dict.get("sync")),
                                        "description": job_description(res_id)})
    except RedisError as error:
        # The job queue (Redis) is down: the upload itself stands (the file is stored, the resource saved). The task
        # stays "pending" without a job, the report tells the operator, and `ckan satudata requeue` queues it again.
        log.warning("Could not queue the load of resource %s: %s", res_id, error)
        upload_check.mark_not_queued(res_id)
        task.update(state="pending", last_updated=str(datetime.datetime.utcnow()))
        tk.get_action("task_status_update")({"session": model.meta.create_local_session(), "ignore_auth": True},
                                            task)
        return False
    task.update(value=json.dumps({"job_id": job.id, "file": file_identity(resource)}), state="pending",
                last_updated=str(datetime.datetime.utcnow()))
    tk.get_action("task_status_update")({"session": model.meta.create_local_session(), "ignore_auth": True}, task)
    return True


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
    return (state == "complete" or (state == "pending" and _queued(value.get("job_id")))
            or (state == "running" and _job_alive(value.get("job_id"))))


def _queued(job_id: Optional[str]) -> bool:
    if not job_id:
        return False
    from ckan.lib.jobs import get_queue
    from rq.job import Job
    try:
        # Only a job still waiting: one already started may have read the previous file.
        return Job.fetch(job_id, connection=get_queue().connection).get_status() == "queued"
    except Exception:
        return False


def _job_alive(job_id: Optional[str]) -> bool:
    """Whether a load's RQ job is waiting or really running. A worker killed with its job (SIGKILL, OOM, a host
    restart) leaves the job "started" in Redis until its timeout: such a job is alive only while its worker is
    (the worker's process on this host, else its heartbeat within the worker TTL)."""
    if not job_id:
        return False
    import socket
    from ckan.lib.jobs import get_queue
    from rq.job import Job
    from rq.worker import Worker
    connection = get_queue().connection
    try:
        job = Job.fetch(job_id, connection=connection)
    except Exception:  # noqa: BLE001 - a job Redis no longer has is not alive
        return False
    status = job.get_status()
    if status == "queued":
        return True
    if status != "started":
        return False
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + (job.worker_name or ""),
                                connection=connection) if job.worker_name else None
    if worker is None:
        return False
    if worker.hostname == socket.gethostname() and worker.pid:
        try:
            os.kill(worker.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True
    heartbeat = worker.last_heartbeat
    return heartbeat is not None and (datetime.datetime.utcnow() - heartbeat.replace(tzinfo=None)
                                      ).total_seconds() < (worker.worker_ttl or 420)


def stalled_loads() -> list[dict[str, Any]]:
    """Loads of uploaded tables that will never finish by themselves: never queued (Redis was down), or whose job
    died with its worker. Each as {"resource_id", "state", "reason"}."""
    from ckan import model
    stalled = []
    rows = (model.Session.query(model.TaskStatus)
            .filter(model.TaskStatus.task_type == "xloader", model.TaskStatus.key == "xloader",
                    model.TaskStatus.state.in_(["submitting", "pending", "running"])).all())
    for task in rows:
        resource = model.Resource.get(task.entity_id)
        if resource is None or resource.state != "active":
            continue
        try:
            job_id = json.loads(task.value or "{}").get("job_id")
        except ValueError:
            job_id = None
        if task.state == "running":
            job_id = job_id or _running_job_id(task.entity_id)
        if _job_alive(job_id):
            continue
        stalled.append({"resource_id": task.entity_id, "state": task.state,
                        "reason": "killed" if task.state == "running" else "not_queued"})
    return stalled


def _running_job_id(resource_id: str) -> Optional[str]:
    """The newest job xloader's jobs table has for a resource (the task's value no longer names a running job)."""
    from ckanext.xloader import db
    db.init(tk.config)
    with db.ENGINE.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT jobs.job_id FROM jobs JOIN metadata ON metadata.job_id = jobs.job_id "
            "WHERE metadata.key = 'resource_id' AND metadata.value = :resource_id AND jobs.status = 'pending' "
            "ORDER BY jobs.requested_timestamp DESC LIMIT 1"), {"resource_id": resource_id}).first()
    return row[0] if row else None


def mark_stalled(resource_id: str) -> None:
    """A load that died with its worker: the task and the report say it failed, so the resource shows it."""
    from ckanext.xloader import db
    error = RuntimeError("the load was interrupted (its worker stopped)")
    job_id = _running_job_id(resource_id)
    if job_id:
        db.init(tk.config)
        db.mark_job_as_errored(job_id, str(error))
    upload_check.save_failure(resource_id, error)
    _hook({"metadata": {"resource_id": resource_id}, "status": "error", "error": str(error)})


# --- The job ----------------------------------------------------------------------------------------------------------

def load_job(job_input: dict[str, Any]) -> Optional[str]:
    """The queued function: xloader's job lifecycle around our load. Returns "error" to RQ when it failed."""
    from rq import get_current_job
    from ckanext.xloader import db, jobs as xloader_jobs

    current = get_current_job()
    job_id = current.id if current else f"satudata-{time.time_ns()}"
    metadata = job_input["metadata"]
    job_dict = {"metadata": metadata, "status": "running"}
    _hook(job_dict)
    db.init(tk.config)
    logger = logging.getLogger(f"satudata.ingest.{job_id}")
    handler = xloader_jobs.StoringHandler(job_id, job_input)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    errored = False
    try:
        db.add_pending_job(job_id, **job_input)
        run(metadata, logger)
        job_dict["status"] = "complete"
        db.mark_job_as_completed(job_id, job_dict)
    except Rejected as e:
        errored = True
        job_dict.update(status="error", error=str(e))
        db.mark_job_as_errored(job_id, str(e))
    except Exception as e:  # noqa: BLE001 - every failure is recorded where xloader records it
        tries = metadata.get("tries", 0)
        if isinstance(e, xloader_jobs.RETRYABLE_ERRORS) and xloader_jobs.is_retryable_error(e) \
                and tries < (xloader_jobs.max_retries or 0):
            logger.info("Job failed due to temporary error [%s], retrying", e)
            metadata["tries"] = tries + 1
            job_dict["status"] = "pending"
            tk.enqueue_job(load_job, [job_input], title=f"retry satudata ingest: {metadata['resource_id']}",
                           queue=metadata.get("queue_name"),
                           rq_kwargs={"description": job_description(metadata["resource_id"])})
        else:
            errored = True
            log.exception("satudata ingest failed for %s", metadata.get("resource_id"))
            logger.error("Load failed: %s", e)
            job_dict.update(status="error", error=str(e))
            db.mark_job_as_errored(job_id, repr(e))
            upload_check.save_failure(metadata["resource_id"], e)
    finally:
        logger.removeHandler(handler)
        _hook(job_dict)
    return "error" if errored else None


def _hook(job_dict: dict[str, Any]) -> None:
    """The status, through xloader's own hook action (in-process: the worker has CKAN loaded)."""
    try:
        tk.get_action("xloader_hook")(site_context(), dict(job_dict))
    except Exception:  # noqa: BLE001 - a failed status update must not hide the load's own result
        log.exception("xloader_hook failed for %s", job_dict.get("metadata", {}).get("resource_id"))


def run(metadata: dict[str, Any], logger: logging.Logger, timings: Optional[dict[str, float]] = None
        ) -> dict[str, Any]:
    """Check, parse, report and (with no error) load one resource. Returns the report."""
    timings = timings if timings is not None else {}
    resource_id = metadata["resource_id"]
    resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": resource_id})
    path, cleanup = _local_file(resource, metadata, logger)
    try:
        file_hash = _md5(path)
        # The same file again, loaded and checked as such (not the report of a refused file that replaced it).
        if resource.get("hash") == file_hash and not metadata.get("ignore_hash") \
                and resource.get("datastore_active") \
                and (upload_check.load(resource_id) or {}).get("file_hash") == file_hash:
            logger.info("Ignoring resource - the file hash hasn't changed: %s.", file_hash)
            upload_check.restore_previous(resource_id)
            return upload_check.load(resource_id) or {}
        declared = (resource.get("format") or "").lower()
        extension = file_safety.extension_of(resource.get("url")) or FORMAT_EXTENSIONS.get(declared, declared)
        with tempfile.TemporaryDirectory(prefix="satudata-ingest-") as work:
            out_csv = os.path.join(work, "typed.csv")
            started = time.perf_counter()
            result = parse_in_child(path, extension, out_csv, limits())
            timings["parse"] = time.perf_counter() - started
            logger.info("Read %s rows x %s columns (%s) in %.1f s; %s issues", result.get("rows"),
                        len(result.get("columns", [])), result.get("format"), timings["parse"],
                        len(result.get("issues", [])))
            # region columns checked against the Kode Wilayah reference; names only: a kode_wilayah column added
            result = wilayah_columns.check(result, out_csv, upload_check.official_names_chosen(resource_id))
            report = upload_check.save(resource_id, result, file_hash)
            if report["status"] == "error":
                logger.warning("The file was not loaded: %s", upload_check.summary(report))
                raise Rejected(upload_check.summary(report))
            load(resource_id, result["columns"], out_csv, logger, timings,
                 metadata_xlsx.ms_var_sheet_values(result.get("stats", {}).get("ms_var_rows") or []))
        from ckanext.xloader import jobs as xloader_jobs, utils as xloader_utils
        xloader_utils.set_resource_metadata({"resource_id": resource_id, "datastore_active": True,
                                             "datastore_contains_all_records_of_source_file": True})
        patch = {"id": resource_id, "hash": file_hash}
        if result.get("format") and declared != result["format"]:
            # The declared format becomes what the file is (a table declared "Tabel", a CSV declared "XLSX"): xloader lists
            # it then, and never drops its table as an unsupported format (ckanext.xloader.clean_datastore_tables).
            patch["format"] = result["format"].upper()
        xloader_jobs.update_resource(patch, patch_only=True)
        logger.info("Loaded in %s", ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
        return report
    finally:
        cleanup()


def _local_file(resource: dict[str, Any], metadata: dict[str, Any], logger: logging.Logger):
    """The uploaded file where CKAN keeps it (never copied, never changed), or a download of it."""
    upload = uploader.get_resource_uploader(resource)
    get_path = getattr(upload, "get_path", None)
    if get_path:
        path = get_path(resource["id"])
        if os.path.exists(path):
            return path, lambda: None
    tmp_file = adapters.xloader_download(resource, metadata, logger)
    return tmp_file.name, tmp_file.close


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_in_child(path: str, extension: str, out_csv: Optional[str], lim: file_safety.Limits) -> dict[str, Any]:
    """spreadsheet.parse() in a child process with an address-space limit and a timeout; the Result as a dict."""
    import dataclasses

    memory = lim.parser_memory_mb * 1024 * 1024

    def _limit() -> None:
        os_resource.setrlimit(os_resource.RLIMIT_AS, (memory, memory))

    command = [sys.executable, "-m", "ckanext.satudata_blitar.tables.spreadsheet", path, extension, out_csv or "",
               json.dumps(dataclasses.asdict(lim))]
    try:
        done = subprocess.run(command, capture_output=True, timeout=lim.parser_timeout, preexec_fn=_limit,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        return _failed("parser_timeout", file_safety.N_(
            "Reading the file took longer than {limit} seconds. Split the table into smaller files."),
            limit=lim.parser_timeout)
    if done.returncode == 0:
        try:
            return json.loads(done.stdout)
        except ValueError:
            pass
    if done.returncode < 0 or any(sign in done.stderr for sign in (b"MemoryError", b"Cannot allocate memory",
                                                                   b"failed to map segment")):
        return _failed("parser_memory", file_safety.N_(
            "Reading the file needs more than {limit} MB of memory. Split the table into smaller files."),
            limit=lim.parser_memory_mb)
    log.error("The spreadsheet parser failed on %s: %s", path, done.stderr[-2000:].decode("utf-8", "replace"))
    return _failed("damaged", file_safety.N_(
        "The file could not be read ({detail}). Save it again from Excel and upload it again."),
        detail="parser error")


def _failed(code: str, msgid: str, **params: Any) -> dict[str, Any]:
    return {"format": "", "sheet": None, "header_row": None, "columns": [], "rows": 0, "stats": {},
            "issues": [{"severity": "error", "code": code, "msgid": msgid, "params": params, "sheet": None,
                        "row": None, "column": None, "value": None}]}


# --- The DataStore load ---------------------------------------------------------------------------------------------

def load(resource_id: str, columns: list[dict[str, Any]], csv_path: str, logger: logging.Logger,
         timings: dict[str, float], described: Optional[dict[str, dict[str, str]]] = None) -> None:
    """Typed table by datastore_create, rows by COPY on the write engine, then indexes and ANALYZE. `described`:
    the MS-Var the file's own MS-Var sheet gives per column header (or id), over what the table had."""
    import ckanext.datastore.backend.postgres as datastore_db

    context = site_context()
    started = time.perf_counter()
    # Each column's Data Dictionary: MS-Var pre-filled from what the file says (metadata/ms_var.py); a column the
    # table had before keeps what its dictionary said.
    # Region columns the upload check recognised or added come described (tables/wilayah_columns.py).
    fields = [{"id": c["id"], "type": c["pg_type"],
               "info": {**ms_var.prefill(c["label"], c["pg_type"]), **wilayah_columns.column_ms_var(c)}}
              for c in columns]
    described = described or {}
    sheet = {c["id"]: ms_var.usable(described.get(c["label"]) or described.get(c["id"]) or {}) for c in columns}
    try:
        info = tk.get_action("datastore_info")(dict(context), {"id": resource_id})
        previous = {f["id"]: f for f in info.get("fields", [])}
        for field in fields:
            field["info"] = ms_var.merged(field["info"], previous.get(field["id"], {}).get("info"))
        _notify_before_update(resource_id, list(previous.values()), fields)
        tk.get_action("datastore_delete")(dict(context), {"resource_id": resource_id, "force": True})
    except tk.ObjectNotFound:
        _notify_before_update(resource_id, None, fields)
    for field in fields:
        if sheet[field["id"]]:
            field["info"] = ms_var.merged(field["info"], sheet[field["id"]])
            for ours, ckan in ms_var.IN_STEP.items():  # the sheet's name and definition are the label and notes
                if sheet[field["id"]].get(ours):
                    field["info"][ckan] = sheet[field["id"]][ours]
    tk.get_action("datastore_create")(dict(context), {"resource_id": resource_id, "fields": fields,
                                                      "records": None, "force": True})
    timings["create_table"] = time.perf_counter() - started

    engine = datastore_db.get_write_engine()
    table = datastore_db.identifier(resource_id)
    stage = datastore_db.identifier(f"{resource_id}_satudata_load")
    ids = [datastore_db.identifier(c["id"]) for c in columns]
    names = ", ".join(ids)
    with engine.begin() as conn:
        adapters.datastore_drop_indexes(conn, resource_id)
        conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER zfulltext"))
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {stage}"))
        conn.execute(sa.text(f"CREATE UNLOGGED TABLE {stage} (_n bigserial, " + ", ".join(
            f'{i} {c["pg_type"]}' for i, c in zip(ids, columns)) + ")"))
    try:
        # 1. the load: the typed rows, by COPY, into an unlogged staging table (PostgreSQL parses the types)
        started = time.perf_counter()
        with engine.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                with open(csv_path, "rb") as f:
                    cursor.copy_expert(f"COPY {stage} ({names}) FROM STDIN WITH (FORMAT csv, ENCODING 'UTF8')", f)
            finally:
                cursor.close()
            total = conn.execute(sa.text(f"SELECT count(*) FROM {stage}")).scalar() or 0
        timings["copy"] = time.perf_counter() - started
        logger.info("Copied the rows in %.2f s", timings["copy"])

        # 2. _full_text (what the DataStore's trigger would compute, without the trigger's per-row JSON), computed in
        #    the staging table in parallel slices; then every row goes into the DataStore table in ONE transaction,
        #    so a reader sees no rows or all of them, never part of a table (a worker killed mid-way leaves none).
        started = time.perf_counter()
        text = " || ' ' || ".join(f"coalesce({i}::text, '')" for i in ids)
        workers = max(1, min(LOAD_CONNECTIONS, total // 20_000 or 1))
        bounds = [total * k // workers for k in range(workers + 1)]
        with engine.begin() as conn:
            conn.execute(sa.text(f"ALTER TABLE {stage} ADD COLUMN _satudata_ft tsvector"))

        def full_text(lo: int, hi: int) -> None:
            with engine.begin() as c:
                c.execute(sa.text(f"UPDATE {stage} SET _satudata_ft = to_tsvector({text}) "
                                  f"WHERE _n > {lo} AND _n <= {hi}"))

        _in_parallel([(full_text, (bounds[k], bounds[k + 1])) for k in range(workers)], workers)
        with engine.begin() as conn:
            conn.execute(sa.text(f"INSERT INTO {table} (_id, {names}, _full_text) "
                                 f"SELECT _n, {names}, _satudata_ft FROM {stage} ORDER BY _n"))
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', '_id'), "
                                 f"greatest({total}, 1), {str(total > 0).lower()})"))
        adapters.datastore_forget_row_count(resource_id)  # a search during the load counted no rows
        timings["full_text"] = time.perf_counter() - started
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {stage}"))
            conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER zfulltext"))

    # 3. the DataStore's own full-text indexes, built after the load, several at a time
    started = time.perf_counter()
    fields = [{"id": c["id"], "type": c["pg_type"]} for c in columns]
    statements = adapters.datastore_fts_index_statements(resource_id, fields)

    def build(statement: str) -> None:
        with engine.begin() as c:
            c.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
            c.execute(sa.text(statement))

    _in_parallel([(build, (statement,)) for statement in statements], LOAD_CONNECTIONS)
    timings["indexes"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(sa.text(f"ANALYZE {table}"))
    timings["analyze"] = time.perf_counter() - started


def _in_parallel(calls, workers: int) -> None:
    """Runs (function, args) pairs on `workers` threads (each on a connection of its own); the first error wins."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(function, *args) for function, args in calls]:
            future.result()


def _notify_before_update(resource_id: str, existing: Optional[list[dict[str, Any]]],
                          fields: list[dict[str, Any]]) -> None:
    """IXloader.datastore_before_update, as xloader's own loader calls it."""
    from ckanext.xloader.interfaces import IXloader
    if existing is not None:
        existing = [f for f in existing if f.get("id") != "_id"]
    for plugin in p.PluginImplementations(IXloader):
        plugin.datastore_before_update(resource_id=resource_id, existing_fields=existing, new_headers=fields)
