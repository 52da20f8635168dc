"""The queued load of an uploaded table (`load_job`), run by CKAN's worker under xloader's job bookkeeping.

`load_job` keeps xloader's bookkeeping: the job and its log lines go to xloader's jobs table (xloader's
StoringHandler), the status goes through the `xloader_hook` action (running / complete / error), which calls the
IXloader `after_upload` hooks and creates the DataStore views, and retryable database errors
(xloader.jobs.RETRYABLE_ERRORS, up to ckanext.xloader.max_retries) requeue the job.

`run`: file_safety + table_parser run in a child process with memory and time limits and write a typed CSV
(parse_child.py); region columns are checked (wilayah_columns.py); the report is saved (upload_check.py); with no
error the table is loaded (datastore_copy.py). The uploaded file is never changed.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from typing import Any, Optional

from rq import get_current_job

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.files import safety as file_safety
from ckanext.satudata_blitar.metadata import metadata_xlsx
from ckanext.satudata_blitar.site import site_context
from ckanext.satudata_blitar.tables import upload_check, wilayah_columns
from ckanext.satudata_blitar.tables.datastore_copy import load
from ckanext.satudata_blitar.tables.parse_child import limits, parse_in_child

log = logging.getLogger(__name__)

JOB_TYPE = "xloader_to_datastore"
# A file name without extension is read as its declared format says (the check still decides from the content).
FORMAT_EXTENSIONS = {"text/csv": "csv", "application/csv": "csv", "application/vnd.ms-excel": "xls",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
                     "application/vnd.oasis.opendocument.spreadsheet": "ods"}


class Rejected(Exception):
    """The file was checked and not loaded; the report says why."""


def job_description(res_id: str) -> str:
    """The queued job's description in the form xloader_submit parses to find the resources already queued (it reads
    `'resource_id': '<id>'` from every job whose text has `xloader_to_datastore`): rq's own description of our job
    has the job type but not the id, and xloader_submit failed with AttributeError while one was queued."""
    return f"satudata ingest {JOB_TYPE} {{'resource_id': '{res_id}'}}"


def load_job(job_input: dict[str, Any]) -> Optional[str]:
    """The queued function: xloader's job lifecycle around our load. Returns "error" to RQ when it failed.

    RQ stores this function's dotted path with each job: tables/ingest.py keeps the path of jobs queued before it
    moved here."""
    current = get_current_job()
    job_id = current.id if current else f"satudata-{time.time_ns()}"
    metadata = job_input["metadata"]
    job_dict = {"metadata": metadata, "status": "running"}
    report_status(job_dict)
    adapters.xloader_jobs_db_init()
    logger = logging.getLogger(f"satudata.ingest.{job_id}")
    handler = adapters.xloader_log_handler(job_id, job_input)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    errored = False
    try:
        adapters.xloader_job_started(job_id, job_input)
        run(metadata, logger)
        job_dict["status"] = "complete"
        adapters.xloader_job_completed(job_id, job_dict)
    except Rejected as e:
        errored = True
        job_dict.update(status="error", error=str(e))
        adapters.xloader_job_errored(job_id, str(e))
    except Exception as e:  # noqa: BLE001 - every failure is recorded where xloader records it
        tries = metadata.get("tries", 0)
        if adapters.xloader_retries(e, tries):
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
            adapters.xloader_job_errored(job_id, repr(e))
            upload_check.save_failure(metadata["resource_id"], e)
    finally:
        logger.removeHandler(handler)
        report_status(job_dict)
    return "error" if errored else None


def report_status(job_dict: dict[str, Any]) -> None:
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
        patch = {"id": resource_id, "hash": file_hash}
        if result.get("format") and declared != result["format"]:
            # The declared format becomes what the file is (a table declared "Tabel", a CSV declared "XLSX"): xloader
            # lists it then, and never drops its table as an unsupported format
            # (ckanext.xloader.clean_datastore_tables).
            patch["format"] = result["format"].upper()
        adapters.xloader_mark_loaded(resource_id, patch)
        logger.info("Loaded in %s", ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
        return report
    finally:
        cleanup()


def _local_file(resource: dict[str, Any], metadata: dict[str, Any], logger: logging.Logger):
    """The uploaded file where CKAN keeps it (never copied, never changed), or a download of it."""
    path = adapters.resource_file_path(resource)
    if path and os.path.exists(path):
        return path, lambda: None
    tmp_file = adapters.xloader_download(resource, metadata, logger)
    return tmp_file.name, tmp_file.close


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
