"""Every private API of CKAN, the DataStore and ckanext-xloader that we use, in one place: what it is for, why no
public API serves, and what breaks when it changes.

They were read against the versions in CHECKED_AGAINST: the CKAN minors we support (2.12, the default pin of
setup.cfg, and 2.11) and the pins of the other packages. tests/test_adapters.py fails as soon as an installed version
differs from them or a function here loses its signature: read the new version's source of each function below,
adapt, then update CHECKED_AGAINST. Where CKAN 2.11 and 2.12 differ, the difference is here and nowhere else, behind
`CKAN_2_12` (toolkit.check_ckan_version).
"""
from __future__ import annotations

import html
import json
import logging
from typing import Any, Callable

import sqlalchemy as sa

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.uploader import ResourceUpload

# The CKAN versions this module was read against (one per supported minor; setup.cfg pins the first) and the pins
# of the other packages whose private APIs we use.
CHECKED_AGAINST = {"ckan": ("2.12.0", "2.11.6"), "ckanext-xloader": ("2.6.0",)}

CKAN_2_12 = tk.check_ckan_version(min_version="2.12.0b0")


# --- CKAN's capacities (workflow/roles.py) ----------------------------------------------------------------------

def register_capacity(capacity: str, permissions: list[str], label: Callable[[], str]) -> None:
    """Adds an organisation capacity to CKAN's role table. CKAN has no interface for new capacities; authz's
    ROLE_PERMISSIONS and _trans_functions are the registry the member form, member_create's validator and
    organization_list_for_user read. Breaks if CKAN renames them or computes roles elsewhere."""
    authz.ROLE_PERMISSIONS.setdefault(capacity, permissions)
    relabel_capacity(capacity, label)


def relabel_capacity(capacity: str, label: Callable[[], str]) -> None:
    """The name CKAN's member pages show for a capacity (translated when shown)."""
    authz._trans_functions[capacity] = label


# --- the DataStore's table building (tables/datastore_copy.py) ------------------------------------------------------

def datastore_write_engine() -> Any:
    """The DataStore's write engine, for the load's COPY into a table datastore_create defined (the DataStore has no
    action that loads a file). ckanext.datastore.backend.postgres.get_write_engine()."""
    import ckanext.datastore.backend.postgres as datastore_db
    return datastore_db.get_write_engine()


def datastore_identifier(name: str) -> str:
    """A table or column name quoted as the DataStore quotes it. ckanext.datastore.backend.postgres.identifier(s)."""
    import ckanext.datastore.backend.postgres as datastore_db
    return datastore_db.identifier(name)



def datastore_drop_indexes(connection: Any, resource_id: str) -> None:
    """Drops a DataStore table's indexes before a bulk load (the DataStore rebuilds none itself; datastore_create
    with records would load row by row). ckanext.datastore.backend.postgres._drop_indexes(context, data_dict,
    unique)."""
    import ckanext.datastore.backend.postgres as datastore_db
    datastore_db._drop_indexes({"connection": connection}, {"resource_id": resource_id}, False)


def datastore_fts_index_statements(resource_id: str, fields: list[dict[str, Any]]) -> list[str]:
    """The CREATE INDEX statements of the DataStore's own full-text indexes for a table, to build after the load
    exactly as datastore_create would. ckanext.datastore.backend.postgres._build_fts_indexes(data_dict, sql,
    fields) returns (statements, skipped)."""
    import ckanext.datastore.backend.postgres as datastore_db
    statements, _skipped = datastore_db._build_fts_indexes(
        {"resource_id": resource_id}, 'CREATE {unique} INDEX "{name}" ON "{res_id}" USING {method}({fields})',
        fields)
    return statements


def datastore_forget_row_count(resource_id: str) -> None:
    """Forgets the row count CKAN 2.12's DataStore keeps for a table (`_table_stats`, read by datastore_search for
    the total of an unfiltered search and cleared by datastore_create/upsert), after rows were loaded by COPY
    around it: a search during the load would otherwise leave the count of the empty table. The next search counts
    again. DatastorePostgresqlBackend.clear_table_stats(resource_id) is not an action. CKAN 2.11 counts every
    time: nothing to forget."""
    if not CKAN_2_12:
        return
    from ckanext.datastore.backend import DatastoreBackend
    DatastoreBackend.get_active_backend().clear_table_stats(resource_id)


# --- ckanext-xloader's download (tables/load_job.py) ------------------------------------------------------------

def xloader_download(resource: dict[str, Any], metadata: dict[str, Any], logger: logging.Logger) -> Any:
    """A resource's file that is not stored on this portal, fetched as xloader fetches it (size limit, timeouts,
    the API token for private URLs): a named temporary file. ckanext.xloader.jobs._download_resource_data(resource,
    data, api_key, logger) returns (tmp_file, file_hash)."""
    from ckanext.xloader import jobs as xloader_jobs, utils as xloader_utils
    tmp_file, _hash = xloader_jobs._download_resource_data(
        resource, metadata, xloader_utils.get_xloader_user_apitoken(), logger)
    return tmp_file


# --- ckanext-xloader's job bookkeeping, for our job (tables/load_queue.py, tables/load_job.py, tables/job_state.py) --
# xloader documents its actions and IXloader, not its jobs module; our job keeps xloader's bookkeeping so that its
# status page, `xloader_status` and its retries work unchanged (ckanext.xloader.jobs.xloader_data_into_datastore
# does the same steps).

def xloader_default_queue(package_id: str | None) -> str:
    """The queue xloader_submit would put a dataset's load on.
    ckanext.xloader.jobs.get_default_queue_name(package_id)."""
    from ckanext.xloader import jobs as xloader_jobs
    return xloader_jobs.get_default_queue_name(package_id)


def xloader_jobs_db_init() -> None:
    """xloader's jobs table ready for use (engine and tables). ckanext.xloader.db.init(config)."""
    from ckanext.xloader import db as xloader_db
    xloader_db.init(tk.config)


def xloader_job_started(job_id: str, job_input: dict[str, Any]) -> None:
    """A job's row in xloader's jobs table, as pending. ckanext.xloader.db.add_pending_job(job_id, **job_input)."""
    from ckanext.xloader import db as xloader_db
    xloader_db.add_pending_job(job_id, **job_input)


def xloader_job_completed(job_id: str, job_dict: dict[str, Any]) -> None:
    """ckanext.xloader.db.mark_job_as_completed(job_id, data)."""
    from ckanext.xloader import db as xloader_db
    xloader_db.mark_job_as_completed(job_id, job_dict)


def xloader_job_errored(job_id: str, message: str) -> None:
    """ckanext.xloader.db.mark_job_as_errored(job_id, error_object)."""
    from ckanext.xloader import db as xloader_db
    xloader_db.mark_job_as_errored(job_id, message)


def xloader_newest_pending_job(resource_id: str) -> str | None:
    """The newest job xloader's jobs table has as pending for a resource (its tables `jobs` and `metadata`, which
    xloader's db module defines; it has no query for this)."""
    from ckanext.xloader import db as xloader_db
    xloader_db.init(tk.config)
    with xloader_db.ENGINE.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT jobs.job_id FROM jobs JOIN metadata ON metadata.job_id = jobs.job_id "
            "WHERE metadata.key = 'resource_id' AND metadata.value = :resource_id AND jobs.status = 'pending' "
            "ORDER BY jobs.requested_timestamp DESC LIMIT 1"), {"resource_id": resource_id}).first()
    return row[0] if row else None


def xloader_log_handler(job_id: str, job_input: dict[str, Any]) -> logging.Handler:
    """The logging handler that stores a job's log lines where xloader's status page reads them.
    ckanext.xloader.jobs.StoringHandler(task_id, input)."""
    from ckanext.xloader import jobs as xloader_jobs
    return xloader_jobs.StoringHandler(job_id, job_input)


def xloader_retries(error: Exception, tries: int) -> bool:
    """Whether xloader would queue a job again after this error: a temporary database error
    (ckanext.xloader.jobs.RETRYABLE_ERRORS and is_retryable_error(error)) and fewer than
    `ckanext.xloader.max_retries` (the module global jobs.max_retries, set when the plugin configures) tries so far."""
    from ckanext.xloader import jobs as xloader_jobs
    return (isinstance(error, xloader_jobs.RETRYABLE_ERRORS) and xloader_jobs.is_retryable_error(error)
            and tries < (xloader_jobs.max_retries or 0))


def xloader_mark_loaded(resource_id: str, patch: dict[str, Any]) -> None:
    """After a load: the resource's DataStore flags as xloader sets them (ckanext.xloader.utils.set_resource_metadata,
    which writes the resource without resource_update's side effects), then `patch` by
    ckanext.xloader.jobs.update_resource(resource, patch_only=True) (a resource_patch that does not queue the file
    again)."""
    from ckanext.xloader import jobs as xloader_jobs, utils as xloader_utils
    xloader_utils.set_resource_metadata({"resource_id": resource_id, "datastore_active": True,
                                         "datastore_contains_all_records_of_source_file": True})
    xloader_jobs.update_resource(patch, patch_only=True)


# --- which resources ckanext-xloader submits by itself (tables/load_queue.py) --------------------------------------

def xloader_lists_format(resource_format: str | None) -> bool:
    """Whether xloader's own hooks submit a resource of this declared format (`ckanext.xloader.formats`, or its
    defaults): its IResourceController and IDomainObjectModification hooks skip every other format.
    ckanext.xloader.utils.XLoaderFormats.is_it_an_xloader_format(format_) is not a documented API."""
    from ckanext.xloader.utils import XLoaderFormats
    return XLoaderFormats.is_it_an_xloader_format(resource_format)


# --- CKAN's uploaded files and sessions (tables/, workflow/revisions.py, helpers/) -----------------------------------

# The base of our resource uploader (tables/resource_upload.py: CKAN's own, with storage errors as messages). CKAN documents
# IUploader.get_resource_uploader, not the class its default returns; ours keeps every behaviour of it.
ResourceUploadBase = ResourceUpload


def resource_file_path(resource: dict[str, Any]) -> str | None:
    """Where the uploader CKAN uses for a resource keeps its file on this server, or None (an uploader that keeps
    files elsewhere has no get_path). ckan.lib.uploader.get_resource_uploader(data_dict) is not in the toolkit."""
    from ckan.lib import uploader
    get_path = getattr(uploader.get_resource_uploader(resource), "get_path", None)
    return get_path(resource["id"]) if get_path else None


def job_queue_connection() -> Any:
    """The Redis connection of CKAN's job queues, to look up a job (rq's Job.fetch, Worker.find_by_key).
    ckan.lib.jobs.get_queue(); CKAN 2.12's toolkit has it as get_job_queue, 2.11's does not."""
    from ckan.lib import jobs
    return jobs.get_queue().connection


def run_queued_jobs() -> bool:
    """Runs the jobs waiting in every queue in this process until the queues are empty, as CKAN's worker would
    (`ckan jobs worker --burst`); False when no queue had a job. ckan.lib.jobs' Worker, get_all_queues and
    remove_queue_name_prefix are not in the toolkit."""
    from ckan.lib import jobs
    queues = [q for q in jobs.get_all_queues() if q.count]
    if queues:
        jobs.Worker([jobs.remove_queue_name_prefix(q.name) for q in queues]).work(burst=True)
    return bool(queues)


def separate_session() -> Any:
    """A database session of its own, for a task_status_update that must be committed whatever happens to the
    caller's session (xloader's own submit does the same). ckan.model.meta.create_local_session()."""
    return model.meta.create_local_session()


# --- ckanext-xloader's jobs database (plugins/) -----------------------------------------------------------------

def xloader_jobs_engine_pre_ping(config: Any) -> None:
    """Makes xloader's engine for its jobs table test each pooled connection before use, as CKAN's own engines do
    (sqlalchemy.pool_pre_ping): without it the first request after a PostgreSQL restart fails on a dead
    connection. ckanext.xloader.db.init(config) creates the module global ENGINE with create_engine(uri) only when
    it is None, so one made here first is the one xloader uses."""
    import sqlalchemy
    from ckanext.xloader import db as xloader_db
    engine = xloader_db.ENGINE
    if engine is not None and getattr(engine.pool, "_pre_ping", False):
        return
    uri = config.get("ckanext.xloader.jobs_db.uri") or "sqlite:////tmp/xloader_jobs.db"
    xloader_db.ENGINE = sqlalchemy.create_engine(uri, pool_pre_ping=True)
    if engine is not None:
        engine.dispose()


# --- CSRF protection per request (plugins/, IMiddleware) ---------------------------------------------------------

def csrf_exemption_per_request(app: Any) -> None:
    """Keeps CKAN's CSRF exemption of requests with an API token to that request. CKAN 2.12.0's ckan_before_request
    calls `csrf.exempt(view)` (Flask-WTF's set `_exempt_views`) when a request logged in by its Authorization header:
    the view stays exempt for every later request, cookie sessions too, so one API call to a form's view opened it to
    cross-site requests. CKAN 2.11 exempted the request only (g._csrf_exempt_view). Here a hook that runs before
    CKAN's notes whether the view was exempt, and the request's teardown takes a new exemption back."""
    if not CKAN_2_12:
        return
    from flask import current_app, g, request
    from ckan.config.middleware.flask_app import csrf

    def remember() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        dest = f"{view.__module__}.{view.__name__}" if view else None
        g.satudata_csrf_view = (dest, dest in csrf._exempt_views)

    def forget(_error: Any = None) -> None:
        dest, was_exempt = g.get("satudata_csrf_view", (None, True))
        if dest and not was_exempt:
            csrf._exempt_views.discard(dest)

    app.before_request_funcs.setdefault(None, []).insert(0, remember)  # before CKAN's ckan_before_request
    app.teardown_request(forget)


# --- package_update inside a larger unit of work (workflow/revisions.py) ---------------------------------------------

def package_update_uncommitted(context: dict[str, Any], data_dict: dict[str, Any]) -> str:
    """package_update whose changes the caller commits (or rolls back) with its own: `defer_commit`. CKAN 2.12.0's
    package_update writes inside a SAVEPOINT and, with `defer_commit`, rolls that SAVEPOINT back (its `else` of
    `if not defer_commit` meant "nothing changed"): the update is silently lost. With `return_id_only` it returns
    before that, leaving the SAVEPOINT to the caller's commit. CKAN 2.11 has no SAVEPOINT; the same call works.
    Returns the dataset's id; no search indexing happens here (the caller reindexes after its commit)."""
    return tk.get_action("package_update")({**context, "defer_commit": True, "return_id_only": True}, data_dict)


# --- a dataset's extras in SQL (reports/figures.py) -----------------------------------------------------------------

def filled_extras(keys: list[str]) -> Any:
    """A subquery with `package_id` and, for each key, a column above 0 when the dataset's extra of that name is
    filled (not empty). CKAN has no action that reads many datasets' extras at once; the evaluation report counts
    them for every dataset in one query. CKAN 2.11 keeps extras in the table `package_extra` (one row per key, with
    a state); 2.12 (migration 106_faster_extras) in the JSONB column `package.extras` (NULL where there are none)
    and has no `package_extra` table any more."""
    if CKAN_2_12:
        P = model.package_table
        return (sa.select(P.c.id.label("package_id"),
                          *[sa.case((sa.func.coalesce(P.c.extras[key].astext, "") != "", 1), else_=0).label(key)
                            for key in keys])
                .subquery("extras"))
    PE = model.package_extra_table
    nonempty = sa.and_(PE.c.state == "active", sa.func.coalesce(PE.c.value, "") != "")
    return (sa.select(PE.c.package_id,
                      *[sa.func.count().filter(sa.and_(PE.c.key == key, nonempty)).label(key) for key in keys])
            .group_by(PE.c.package_id).subquery("extras"))


def extras_rows_sql() -> str:
    """SQL of a query with a row (package_id, key, value) per extra of every dataset, for SQL that copies or reads
    many datasets' extras at once (bench/: datasets copied by INSERT … SELECT). CKAN 2.11: the active rows of the
    table `package_extra`; 2.12 (migration 106_faster_extras): the pairs of the JSONB column `package.extras`."""
    if CKAN_2_12:
        return "SELECT p.id AS package_id, x.key, x.value FROM package p, jsonb_each_text(p.extras) x"
    return "SELECT package_id, key, value FROM package_extra WHERE state = 'active'"


def extras_insert_sql(rows: str) -> str:
    """An SQL statement that stores the rows (package_id, key, value) of the query `rows` (any column names) as the
    extras of those datasets, beside the extras they have (for keys they do not have yet): bench/ makes thousands of
    datasets in SQL, where package_create would take an hour. CKAN 2.11 inserts rows into `package_extra`; 2.12
    merges them into `package.extras` (NULL where a dataset has none)."""
    if CKAN_2_12:
        return ("UPDATE package SET extras = coalesce(package.extras, '{}'::jsonb) || e.pairs "
                f"FROM (SELECT r.package_id, jsonb_object_agg(r.key, r.value) AS pairs FROM ({rows}) "
                "AS r(package_id, key, value) GROUP BY r.package_id) AS e WHERE package.id = e.package_id")
    return ("INSERT INTO package_extra (id, package_id, key, value, state) "
            f"SELECT md5(r.package_id || '/' || r.key), r.package_id, r.key, r.value, 'active' FROM ({rows}) "
            "AS r(package_id, key, value)")


def packages_with_extra(key: str, values: list[str]) -> Any:
    """A subquery of `package_id` and `value` for the datasets whose extra `key` is one of `values` (the datasets
    linking to a statistical activity through `ms_keg_id`: metadata/ms_keg.py). Where the extras live differs as in
    filled_extras."""
    if CKAN_2_12:
        P = model.package_table
        value = P.c.extras[key].astext
        return sa.select(P.c.id.label("package_id"), value.label("value")).where(value.in_(values)).subquery("linked")
    PE = model.package_extra_table
    return (sa.select(PE.c.package_id, PE.c.value.label("value"))
            .where(PE.c.key == key, PE.c.state == "active", PE.c.value.in_(values)).subquery("linked"))


def resource_list_value(value: list[Any]) -> Any:
    """A list of objects kept on a resource (the MS-Var of a harvested table: interop/dcat_profile.py). CKAN 2.12
    keeps it as it is; 2.11's resource schema flattens a nested list into fields it refuses as unexpected, so there
    it is kept as JSON text."""
    return value if CKAN_2_12 else json.dumps(value, ensure_ascii=False)


def load_extras(packages: list[model.Package]) -> None:
    """Many datasets' extras read in one query, before code reads `package.extras` of each (the verifiers' queue:
    metadata/completeness.py). CKAN 2.12 has them in the package row already; 2.11 loads the `package_extra` rows of
    each dataset on first use, one query per dataset."""
    if CKAN_2_12 or not packages:
        return
    (model.Session.query(model.Package).options(sa.orm.selectinload(model.Package._extras))
     .filter(model.Package.id.in_([package.id for package in packages])).all())


# --- CKAN's plugin loading in tests (tests/conftest.py, tests/world.py, tests/ckan_suite/plugin.py) ------------------

def plugins_unload_name() -> str:
    """The name of the function CKAN's `with_plugins` fixture calls after each test to unload the plugins: 2.11's
    `unload_non_system_plugins`, 2.12's `unload_all` (2.12 removed the former; its `load_all` also takes
    `force_update`)."""
    return "unload_all" if CKAN_2_12 else "unload_non_system_plugins"


# --- CKAN's description excerpt in lists (helpers/listing.py) -------------------------------------------------------

def html_as_text(html_text: str) -> str:
    """HTML's text without its tags and entities, as CKAN's h.markdown_extract makes it of a description's Markdown:
    2.12 strips the tags with nh3, 2.11 with bleach (each CKAN's dependency)."""
    if CKAN_2_12:
        import nh3
        return html.unescape(nh3.clean(html_text, tags=set()))
    import bleach
    return html.unescape(bleach.clean(html_text, tags=(), strip=True))


# --- CKAN's templates we copy (templates_ckan_2_12/, plugins/__init__.py) ---------------------------------------------

def version_templates() -> list[str]:
    """Folders of copies of CKAN templates made for one CKAN version, searched before templates/: 2.12's
    snippets/facet_list.html draws a facet's items in one pass (helpers/listing.satudata_facet_items). 2.11's
    snippet differs (its links' attributes, its footer) and is served as CKAN has it."""
    return ["templates_ckan_2_12"] if CKAN_2_12 else []
