"""The typed DataStore load of a checked table: `datastore_create` defines the typed table (each column's Data
Dictionary pre-filled) while, on a thread beside it, PostgreSQL COPY fills an unlogged staging table on the write
engine and the full-text column is computed from it in parallel slices (each into an unlogged table of its own);
then every row goes into the DataStore table in one transaction, the DataStore's own indexes are built and the
table ANALYZEd.
"""
from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckanext.xloader.interfaces import IXloader

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.metadata import ms_var
from ckanext.satudata_blitar.site import site_context
from ckanext.satudata_blitar.tables import wilayah_columns

# Connections one load uses at once for the full-text column and the indexes (PostgreSQL builds a GIN index on
# one core; the tables of a portal like ours are loaded one at a time).
LOAD_CONNECTIONS = max(1, min(4, os.cpu_count() or 1))


def load(resource_id: str, columns: list[dict[str, Any]], csv_path: str, logger: logging.Logger,
         timings: dict[str, float], described: Optional[dict[str, dict[str, str]]] = None) -> None:
    """Typed table by datastore_create, rows by COPY on the write engine, then indexes and ANALYZE. `described`:
    the MS-Var the file's own MS-Var sheet gives per column header (or id), over what the table had.

    The staging table, its COPY and the full text need only the column types, not the DataStore table: they run
    on a thread of their own (the write engine's connections) while datastore_create defines the table on this one
    (CKAN's actions: the Data Dictionary, the resource's datastore_active, its search index). Their stages overlap:
    `create_table` runs beside `copy` + `full_text`."""
    table = _Table(resource_id, columns)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:  # leaving it waits for the staging, whatever happened
            staged = pool.submit(table.stage, csv_path, logger, timings)
            started = time.perf_counter()
            define_table(resource_id, columns, described)
            timings["create_table"] = time.perf_counter() - started
            staged.result()
        table.insert(timings)
    finally:
        table.clean_up()
    table.build_indexes(timings)
    table.analyze(timings)


def define_table(resource_id: str, columns: list[dict[str, Any]],
                 described: Optional[dict[str, dict[str, str]]] = None) -> None:
    """The typed, empty DataStore table by datastore_create (an existing table is deleted first, after the IXloader
    plugins were told), with each column's Data Dictionary."""
    context = site_context()
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
        _lay_sheet_over(field, sheet[field["id"]])
    tk.get_action("datastore_create")(dict(context), {"resource_id": resource_id, "fields": fields,
                                                      "records": None, "force": True})


def _lay_sheet_over(field: dict[str, Any], from_sheet: dict[str, str]) -> None:
    """What the file's MS-Var sheet says of a column, over its Data Dictionary."""
    if not from_sheet:
        return
    field["info"] = ms_var.merged(field["info"], from_sheet)
    for ours, ckan in ms_var.IN_STEP.items():  # the sheet's name and definition are the label and notes
        if from_sheet.get(ours):
            field["info"][ckan] = from_sheet[ours]


class _Table:
    """One load's DataStore table and its staging table, on the DataStore's write engine."""

    def __init__(self, resource_id: str, columns: list[dict[str, Any]]) -> None:
        self.resource_id = resource_id
        self.columns = columns
        self.engine = adapters.datastore_write_engine()
        self.table = adapters.datastore_identifier(resource_id)
        self.stage_table = adapters.datastore_identifier(f"{resource_id}_satudata_load")
        self.ids = [adapters.datastore_identifier(c["id"]) for c in columns]
        self.names = ", ".join(self.ids)
        self.total = 0
        self.parts: list[str] = []  # the staging table's slices with their _full_text
        self.trigger_off = False

    def stage(self, csv_path: str, logger: logging.Logger, timings: dict[str, float]) -> None:
        """1. the typed rows, by COPY, into an empty unlogged staging table (what a killed worker left is dropped
        first); 2. their full text, in slices."""
        with self.engine.begin() as conn:
            self._drop_staging(conn)
            conn.execute(sa.text(f"CREATE UNLOGGED TABLE {self.stage_table} (_n bigserial, " + ", ".join(
                f'{i} {c["pg_type"]}' for i, c in zip(self.ids, self.columns)) + ")"))
        self.copy_rows(csv_path, logger, timings)
        self.full_text(timings)

    def copy_rows(self, csv_path: str, logger: logging.Logger, timings: dict[str, float]) -> None:
        """1. the load: the typed rows, by COPY, into the unlogged staging table (PostgreSQL parses the types)."""
        started = time.perf_counter()
        with self.engine.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                with open(csv_path, "rb") as f:
                    cursor.copy_expert(f"COPY {self.stage_table} ({self.names}) FROM STDIN WITH (FORMAT csv, "
                                       "ENCODING 'UTF8')", f)
            finally:
                cursor.close()
            self.total = conn.execute(sa.text(f"SELECT count(*) FROM {self.stage_table}")).scalar() or 0
        timings["copy"] = time.perf_counter() - started
        logger.info("Copied the rows in %.2f s", timings["copy"])

    def full_text(self, timings: dict[str, float]) -> None:
        """2. _full_text (xloader's own expression, without the trigger's per-row JSON), computed from the staging
        table in parallel slices, each into an unlogged table of its own (no UPDATE: no second version of each row,
        no sort)."""
        started = time.perf_counter()
        stage, names, total = self.stage_table, self.names, self.total
        text = " || ' ' || ".join(f"coalesce({i}::text, '')" for i in self.ids)
        workers = max(1, min(LOAD_CONNECTIONS, total // 20_000 or 1))
        bounds = [total * k // workers for k in range(workers + 1)]
        self.parts = self._parts(workers)

        def full_text(part: str, lo: int, hi: int) -> None:
            with self.engine.begin() as c:
                # the staging table read from its first row (COPY wrote it in _n order): the slice keeps that order
                c.execute(sa.text("SET LOCAL synchronize_seqscans = off"))
                c.execute(sa.text(f"CREATE UNLOGGED TABLE {part} AS SELECT _n, {names}, to_tsvector({text}) AS "
                                  f"_satudata_ft FROM {stage} WHERE _n > {lo} AND _n <= {hi}"))

        _in_parallel([(full_text, (part, bounds[k], bounds[k + 1])) for k, part in enumerate(self.parts)], workers)
        timings["full_text"] = time.perf_counter() - started

    def insert(self, timings: dict[str, float]) -> None:
        """3. every row into the DataStore table (no indexes, its full-text trigger off meanwhile) in ONE
        transaction, so a reader sees no rows or all of them, never part of a table (a worker killed mid-way leaves
        none)."""
        started = time.perf_counter()
        table, names, total = self.table, self.names, self.total
        with self.engine.begin() as conn:
            adapters.datastore_drop_indexes(conn, self.resource_id)
            conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER zfulltext"))
            self.trigger_off = True
            # each slice in _n order and the slices in turn: the rows go in in _id order without a sort
            conn.execute(sa.text("SET LOCAL synchronize_seqscans = off"))
            conn.execute(sa.text(f"INSERT INTO {table} (_id, {names}, _full_text) " + " UNION ALL ".join(
                f"(SELECT _n, {names}, _satudata_ft FROM {part})" for part in self.parts)))
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', '_id'), "
                                 f"greatest({total}, 1), {str(total > 0).lower()})"))
        adapters.datastore_forget_row_count(self.resource_id)  # a search during the load counted no rows
        timings["insert"] = time.perf_counter() - started

    def _parts(self, count: int) -> list[str]:
        return [adapters.datastore_identifier(f"{self.resource_id}_satudata_load_{k}") for k in range(count)]

    def _drop_staging(self, conn: Any) -> None:
        """The staging table and every slice a load of this resource can make (at most LOAD_CONNECTIONS)."""
        for staging in [self.stage_table, *self._parts(LOAD_CONNECTIONS)]:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {staging}"))

    def clean_up(self) -> None:
        """The staging tables dropped and the full-text trigger back, whether the load went through or not."""
        with self.engine.begin() as conn:
            self._drop_staging(conn)
            if self.trigger_off:
                conn.execute(sa.text(f"ALTER TABLE {self.table} ENABLE TRIGGER zfulltext"))

    def build_indexes(self, timings: dict[str, float]) -> None:
        """4. the DataStore's own full-text indexes, built after the load, several at a time."""
        started = time.perf_counter()
        fields = [{"id": c["id"], "type": c["pg_type"]} for c in self.columns]
        statements = adapters.datastore_fts_index_statements(self.resource_id, fields)

        def build(statement: str) -> None:
            with self.engine.begin() as c:
                c.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
                c.execute(sa.text(statement))

        _in_parallel([(build, (statement,)) for statement in statements], LOAD_CONNECTIONS)
        timings["indexes"] = time.perf_counter() - started

    def analyze(self, timings: dict[str, float]) -> None:
        started = time.perf_counter()
        with self.engine.connect() as conn:
            conn.execute(sa.text(f"ANALYZE {self.table}"))
        timings["analyze"] = time.perf_counter() - started


def _in_parallel(calls, workers: int) -> None:
    """Runs (function, args) pairs on `workers` threads (each on a connection of its own); the first error wins."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(function, *args) for function, args in calls]:
            future.result()


def _notify_before_update(resource_id: str, existing: Optional[list[dict[str, Any]]],
                          fields: list[dict[str, Any]]) -> None:
    """IXloader.datastore_before_update, as xloader's own loader calls it."""
    if existing is not None:
        existing = [f for f in existing if f.get("id") != "_id"]
    for plugin in p.PluginImplementations(IXloader):
        plugin.datastore_before_update(resource_id=resource_id, existing_fields=existing, new_headers=fields)
