"""The state of a load's RQ job, and loads that will never finish by themselves (never queued because Redis was down,
or whose job died with its worker: `ckan satudata requeue`, the stalled-loads action).
"""
from __future__ import annotations

import datetime
import json
import os
import socket
from typing import Any, Optional

from rq.job import Job
from rq.worker import Worker

import ckan.model as model

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.tables.load_job import report_status


def job_waiting(job_id: Optional[str]) -> bool:
    """Whether a load's RQ job is still waiting in its queue."""
    if not job_id:
        return False
    try:
        # Only a job still waiting: one already started may have read the previous file.
        return Job.fetch(job_id, connection=adapters.job_queue_connection()).get_status() == "queued"
    except Exception:
        return False


def job_alive(job_id: Optional[str]) -> bool:
    """Whether a load's RQ job is waiting or really running. A worker killed with its job (SIGKILL, OOM, a host
    restart) leaves the job "started" in Redis until its timeout: such a job is alive only while its worker is
    (the worker's process on this host, else its heartbeat within the worker TTL)."""
    if not job_id:
        return False
    connection = adapters.job_queue_connection()
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
        if job_alive(job_id):
            continue
        stalled.append({"resource_id": task.entity_id, "state": task.state,
                        "reason": "killed" if task.state == "running" else "not_queued"})
    return stalled


def _running_job_id(resource_id: str) -> Optional[str]:
    """The newest job xloader's jobs table has for a resource (the task's value no longer names a running job)."""
    return adapters.xloader_newest_pending_job(resource_id)


def mark_stalled(resource_id: str) -> None:
    """A load that died with its worker: the task and the report say it failed, so the resource shows it."""
    error = RuntimeError("the load was interrupted (its worker stopped)")
    job_id = _running_job_id(resource_id)
    if job_id:
        adapters.xloader_jobs_db_init()
        adapters.xloader_job_errored(job_id, str(error))
    upload_check.save_failure(resource_id, error)
    report_status({"metadata": {"resource_id": resource_id}, "status": "error", "error": str(error)})
