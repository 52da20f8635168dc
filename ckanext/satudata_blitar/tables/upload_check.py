"""The report of an uploaded table: what was read, what was left out and what the operator should fix.

Stored in CKAN's task_status table (task_type "satudata_upload", key "report"; state = pending | ok | warning |
error) so it needs no table of its own and stays out of package_show and the search index. Each issue keeps its
English msgid and parameters; `present()` translates them into the language of the request that shows them, so the
Indonesian UI shows Indonesian and the English UI English.
"""
from __future__ import annotations

import datetime
import functools
import json
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters, request_cache
from ckanext.satudata_blitar.language import formats
from ckanext.satudata_blitar.files.safety import N_
from ckanext.satudata_blitar.workflow import transitions

TASK_TYPE = "satudata_upload"
KEY = "report"
MAX_ISSUES = 300
SEVERITIES = ("error", "warning", "note")
# Task states of a finished check that accepted the file (warnings are advice). "pending" is a new file not yet
# checked, "error" a refused one; neither is served outside the OPD nor lets the dataset go on in the workflow.
ACCEPTED = ("ok", "warning")


def _task(resource_id: str) -> Optional[dict[str, Any]]:
    try:
        return tk.get_action("task_status_show")({"ignore_auth": True}, {
            "entity_id": resource_id, "task_type": TASK_TYPE, "key": KEY})
    except tk.ObjectNotFound:
        return None


def _store(resource_id: str, state: str, value: dict[str, Any]) -> None:
    task = _task(resource_id)
    data = {"entity_id": resource_id, "entity_type": "resource", "task_type": TASK_TYPE, "key": KEY,
            "state": state, "value": json.dumps(value, default=str), "error": "",
            "last_updated": str(datetime.datetime.utcnow())}
    if task:
        data["id"] = task["id"]
    tk.get_action("task_status_update")({"session": adapters.separate_session(), "ignore_auth": True}, data)
    request_cache.forget(_FINDING)


def mark_pending(resource_id: str) -> None:
    """A new file is queued: the report says so until the job has read it (the last report is kept meanwhile)."""
    task = _task(resource_id)
    report = json.loads(task["value"]) if task and task.get("value") else {}
    if "issues" in report:
        report["issues"] = [issue for issue in report["issues"] if issue.get("code") != NOT_QUEUED]
    _store(resource_id, "pending", report)


NOT_QUEUED = "not_queued"


def mark_not_queued(resource_id: str) -> None:
    """The file is stored but its load could not be queued (the job queue is down): the report says so until
    `ckan satudata requeue` queues it again."""
    task = _task(resource_id)
    report = json.loads(task["value"]) if task and task.get("value") else {}
    report["issues"] = [issue for issue in report.get("issues", []) if issue.get("code") != NOT_QUEUED]
    report["issues"].insert(0, {
        "severity": "warning", "code": NOT_QUEUED,
        "msgid": N_("The file is saved, but loading it into the table could not be started now (the job queue is "
                    "not available). It will be loaded automatically once the queue is back; you need not upload "
                    "it again."), "params": {},
        "sheet": None, "row": None, "column": None, "value": None})
    _store(resource_id, "pending", report)


def restore_previous(resource_id: str) -> None:
    task = _task(resource_id)
    if task and task.get("value"):
        value = json.loads(task["value"])
        _store(resource_id, value.get("status", "ok"), value)


def status_of(issues: list[dict[str, Any]]) -> str:
    severities = {issue["severity"] for issue in issues}
    return "error" if "error" in severities else "warning" if "warning" in severities else "ok"


def save(resource_id: str, result: dict[str, Any], file_hash: str = "") -> dict[str, Any]:
    """Stores the parser's result as the resource's report; returns the report."""
    issues = result.get("issues", [])
    counts = {severity: sum(1 for i in issues if i["severity"] == severity) for severity in SEVERITIES}
    ordered = sorted(issues, key=lambda i: SEVERITIES.index(i["severity"]))
    report = {
        "status": status_of(issues),
        "checked": datetime.datetime.utcnow().isoformat(timespec="seconds"),
        "file_hash": file_hash,
        "format": result.get("format"),
        "sheet": result.get("sheet"),
        "header_row": result.get("header_row"),
        "rows": result.get("rows", 0),
        "columns": [{k: c[k] for k in ("id", "label", "letter", "type")} for c in result.get("columns", [])],
        "counts": counts,
        "issues": ordered[:MAX_ISSUES],
        "truncated": max(0, len(ordered) - MAX_ISSUES),
        "wilayah": result.get("wilayah"),
    }
    _store(resource_id, report["status"], report)
    return report


def save_failure(resource_id: str, error: Exception) -> None:
    """A load that failed after the checks (a database error): the report says the data is not in the DataStore."""
    task = _task(resource_id)
    report = json.loads(task["value"]) if task and task.get("value") else {}
    report.setdefault("issues", []).insert(0, {
        "severity": "error", "code": "load_failed",
        "msgid": N_("The file was read but could not be stored in the DataStore ({detail}). Try again later or "
                    "ask the Walidata."), "params": {"detail": type(error).__name__},
        "sheet": None, "row": None, "column": None, "value": None})
    report["status"] = "error"
    _store(resource_id, "error", report)


def load(resource_id: str) -> Optional[dict[str, Any]]:
    """The stored report with its state ("pending" while a new file waits), or None when none was made."""
    task = _task(resource_id)
    if not task:
        return None
    report = json.loads(task["value"]) if task.get("value") else {}
    report["state"] = task["state"]
    return report


def states(resource_ids: list[str]) -> dict[str, str]:
    """The task state of each resource's check (a resource never checked is absent): `findings` without the
    formats."""
    return {rid: state for rid, (state, _) in findings(resource_ids).items() if state is not None}


# request_cache's key of a resource's findings within a request: findings() and read_for_show() fill it, _store
# forgets it
_FINDING = "upload_check_accepted"


def _remember_findings(cache: dict | None, found: dict[str, tuple[Optional[str], Optional[str]]]) -> None:
    if cache is not None:
        cache.update(((_FINDING, rid), finding) for rid, finding in found.items())


def findings(resource_ids: list[str]) -> dict[str, tuple[Optional[str], Optional[str]]]:
    """Each resource's check state and the format the check found the file to be ((None, None) when never checked),
    in one query for the resources not yet asked in this request. Remembered for the request: a resource page asks
    for its file's check in resource_show's auth (every view, download link and DataStore call) and for its type in
    package_show (tables/served_files.py); a stored check forgets it."""
    cache = request_cache.store()
    missing = [rid for rid in resource_ids if cache is None or (_FINDING, rid) not in cache]
    found: dict[str, tuple[Optional[str], Optional[str]]] = dict.fromkeys(missing, (None, None))
    if missing:
        rows = model.Session.execute(_findings_statement(), {"ids": missing})
        found.update((rid, (state, checked)) for rid, state, checked in rows)
        _remember_findings(cache, found)
    if cache is None:
        return found
    return {rid: cache[(_FINDING, rid)] for rid in resource_ids}


@functools.cache
def _findings_statement() -> sa.Select:
    """findings' query, built once per process with the resources as a parameter: building it (the CASE, the cast,
    an ORM query) took a millisecond of every package_show, five times what running it takes."""
    value = model.TaskStatus.value
    fmt = sa.case((value.like("{%"), sa.cast(value, postgresql.JSONB)["format"].astext), else_=None)
    return (sa.select(model.TaskStatus.entity_id, model.TaskStatus.state, fmt)
            .where(model.TaskStatus.entity_id.in_(sa.bindparam("ids", expanding=True)),
                   model.TaskStatus.task_type == TASK_TYPE, model.TaskStatus.key == KEY)
            .set_label_style(sa.LABEL_STYLE_TABLENAME_PLUS_COL))


def read_for_show(context: dict[str, Any], pkg_dict: dict[str, Any]
                  ) -> tuple[str, dict[str, tuple[Optional[str], Optional[str]]]]:
    """package_show's reads of our tables (IPackageController.after_dataset_show): the dataset's workflow state and
    the findings of its uploaded files' checks (`findings`), in one statement, or none in a request that has read
    both. On the index path (CKAN shows the dataset with `validate` and `use_cache` off, then indexes it: a
    rebuild, a create, an update) of a public, active dataset, the same statement reads the kecamatan its accepted
    tables cover, and the state and the kecamatan are handed to the index hook that follows
    (request_cache.hand_to_index; tables/wilayah_columns.index_kecamatan): one round trip per dataset indexed."""
    package_id = pkg_dict["id"]
    resources = [res for res in pkg_dict.get("resources") or [] if res.get("id")]
    uploads = [res["id"] for res in resources if res.get("url_type") == "upload"]
    for_index = context.get("validate") is False and context.get("use_cache") is False
    covered = for_index and not pkg_dict.get("private") and pkg_dict.get("state", "active") == "active"
    asked = [res["id"] for res in resources] if covered else uploads
    cache = request_cache.store()
    state = transitions.remembered_state(package_id)
    if not for_index and state is not None and all((_FINDING, rid) in cache for rid in asked):
        return state, findings(asked)
    found: dict[str, tuple[Optional[str], Optional[str]]] = dict.fromkeys(asked, (None, None))
    kecamatan: set[str] = set()
    stored = None
    for row in model.Session.execute(_read_for_show_statement(covered), {"id": package_id, "ids": asked}):
        stored = row[0]
        if row[1] is not None:
            found[row[1]] = (row[2], row[3])
            if covered and row[2] in ACCEPTED:
                kecamatan.update(row[4] or ())
    state = transitions.remember_state(package_id, stored)
    _remember_findings(cache, found)
    if for_index:
        request_cache.hand_to_index(package_id, state=state, kecamatan=kecamatan if covered else None)
    return state, found


@functools.cache
def _read_for_show_statement(kecamatan: bool) -> sa.Select:
    """read_for_show's query, built once per process: the state as a column beside each of the resources' checks
    (one row with no check when none has one), with the kecamatan of each accepted check when asked."""
    task = model.TaskStatus
    report = sa.case((task.value.like("{%"), sa.cast(task.value, postgresql.JSONB)), else_=None)
    columns = [task.entity_id, task.state, report["format"].astext]
    if kecamatan:
        covered = sa.func.jsonb_extract_path(report, "wilayah", "kecamatan", type_=postgresql.JSONB)
        columns.append(sa.case((task.state.in_(ACCEPTED), covered), else_=None))
    checks = (sa.select(*columns)
              .where(task.entity_id.in_(sa.bindparam("ids", expanding=True)), task.task_type == TASK_TYPE,
                     task.key == KEY)
              .subquery())
    one = sa.select(sa.literal(1).label("one")).subquery()
    return sa.select(transitions.state_of_id(), *checks.c).select_from(one.outerjoin(checks, sa.true()))


def kecamatan_of_dataset(package_id: str) -> set[str]:
    """The codes of the kecamatan that the accepted tables of a dataset's resources cover (the `wilayah` summary of
    tables/wilayah_columns.py), in one query."""
    rows = (model.Session.query(model.TaskStatus.value)
            .join(model.Resource, model.Resource.id == model.TaskStatus.entity_id)
            .filter(model.Resource.package_id == package_id, model.Resource.state == "active",
                    model.TaskStatus.task_type == TASK_TYPE, model.TaskStatus.key == KEY,
                    model.TaskStatus.state.in_(ACCEPTED)))
    found: set[str] = set()
    for (value,) in rows:
        report = json.loads(value) if value else {}
        found.update((report.get("wilayah") or {}).get("kecamatan") or [])
    return found


def accepted(resource_id: str) -> bool:
    """Whether the resource's current file was checked and accepted (remembered for the request: `findings`)."""
    return findings([resource_id])[resource_id][0] in ACCEPTED


def copy(source_id: str, target_id: str) -> None:
    """Gives a byte-for-byte copy of a checked file (a pending revision's copy) the check of its original; the
    copy's own check, queued with its upload, replaces it when it has run."""
    task = _task(source_id)
    if task and task.get("value") and task["state"] in ACCEPTED + ("error",):
        _store(target_id, task["state"], json.loads(task["value"]))
    if official_names_chosen(source_id):
        choose_official_names(target_id)


# The OPD's choice to store region names as the Kepmendagri list writes them (tables/wilayah_columns.py): a row of
# its own beside the report, kept for the resource's next files.
OFFICIAL_NAMES = "official_names"


def official_names_chosen(resource_id: str) -> bool:
    try:
        task = tk.get_action("task_status_show")({"ignore_auth": True}, {
            "entity_id": resource_id, "task_type": TASK_TYPE, "key": OFFICIAL_NAMES})
    except tk.ObjectNotFound:
        return False
    return task.get("value") == "true"


def choose_official_names(resource_id: str) -> None:
    data = {"entity_id": resource_id, "entity_type": "resource", "task_type": TASK_TYPE, "key": OFFICIAL_NAMES,
            "state": "chosen", "value": "true", "error": "", "last_updated": str(datetime.datetime.utcnow())}
    try:
        data["id"] = tk.get_action("task_status_show")({"ignore_auth": True}, {
            "entity_id": resource_id, "task_type": TASK_TYPE, "key": OFFICIAL_NAMES})["id"]
    except tk.ObjectNotFound:
        pass
    tk.get_action("task_status_update")({"session": adapters.separate_session(), "ignore_auth": True}, data)


def summaries(resource_ids: list[str]) -> dict[str, dict[str, Any]]:
    """One line per resource for the people who decide (verifiers, Walidata): the state, rows loaded and the first
    error, translated; in one query for every resource."""
    if not resource_ids:
        return {}
    rows = (model.Session.query(model.TaskStatus.entity_id, model.TaskStatus.state, model.TaskStatus.value)
            .filter(model.TaskStatus.entity_id.in_(resource_ids), model.TaskStatus.task_type == TASK_TYPE,
                    model.TaskStatus.key == KEY))
    found = {}
    for resource_id, state, value in rows:
        report = json.loads(value) if value else {}
        errors = [i for i in report.get("issues", []) if i.get("severity") == "error"]
        found[resource_id] = {
            "state": state, "rows": report.get("rows", 0),
            "warnings": sum(1 for i in report.get("issues", []) if i.get("severity") == "warning"),
            "error": message(errors[0]) if errors and state == "error" else None}
    return found


def _shown(value: Any) -> Any:
    """A parameter as the user's language writes it: limits, counts and sizes 1.000.000 and 2,5."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return formats.satudata_number(value)
    return value


def message(issue: dict[str, Any]) -> str:
    """The issue's message in the request's language, its numbers in the language's format."""
    try:
        return tk._(issue["msgid"]).format(**{key: _shown(value) for key, value in issue.get("params", {}).items()})
    except (KeyError, IndexError, ValueError):
        return issue["msgid"]


def present(report: Optional[dict[str, Any]], resource_id: str) -> dict[str, Any]:
    if report is None:
        return {"resource_id": resource_id, "state": "none", "status": "none", "issues": []}
    shown = dict(report, resource_id=resource_id)
    shown["issues"] = [dict(issue, message=message(issue)) for issue in report.get("issues", [])]
    return shown


def summary(report: dict[str, Any]) -> str:
    """One line for xloader's status page and log: the first error, in English."""
    errors = [i for i in report.get("issues", []) if i["severity"] == "error"]
    if not errors:
        return ""
    first = errors[0]
    where = ", ".join(f"{k} {first[k]}" for k in ("sheet", "row", "column") if first.get(k))
    text = first["msgid"].format(**first.get("params", {}))
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where + ': ' if where else ''}{text}{more}"
