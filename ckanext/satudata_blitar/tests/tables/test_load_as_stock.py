"""Our typed load (parse in a child, COPY, _full_text computed in slices, the DataStore's indexes built afterwards)
answers as a table stock xloader loaded from the same file: datastore_search (filters, full text, sort, limit and
offset), datastore_search_sql, the dump, the _full_text column itself; and its table has exactly the indexes and the
full-text trigger datastore_create gives a table with the same columns.

Ours is typed where stock's columns are all text: values are compared as text (2024 and "2024"), and sorts on
number columns are left out (typed, ours sorts 900 before 1000; stock sorts the text). The real upload path, queue,
worker, PostgreSQL and DataStore; stock is xloader's own load_csv and create_column_indexes, as its job calls them.
"""
from __future__ import annotations

import logging
from decimal import Decimal

import pytest
import sqlalchemy as sa

import ckan.tests.helpers as helpers
import ckanext.datastore.backend.postgres as datastore_db
from ckanext.xloader import loader as xloader_loader

from ckanext.satudata_blitar.tests.tables.test_ingest import dataset, queue, run_jobs, upload  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

POSYANDU = ["Kenanga", "Melati", "Mawar"]  # no region names: our load would add kode_wilayah
NOTES = ["running counts of the clinics", "posyandu aktif", "", "data sementara & belum final", "the 3rd survey",
         "catatan"]


def _rows() -> list[list[str]]:
    """Typed columns whose values read the same as text in both tables (plain integers, English decimals, ISO
    dates); empty cells in every column, words that stem, stop words, digits inside words."""
    rows = []
    for i in range(60):
        rows.append([POSYANDU[i % 3], f"Kelompok {i % 7 + 1}", str(2015 + i % 10),
                     "" if i % 11 == 5 else str(100 + (i * 37) % 1900), "" if i % 13 == 4 else f"{(i * 7) % 50}.5",
                     "" if i % 9 == 3 else f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}", NOTES[i % len(NOTES)]])
    return rows


HEADER = ["posyandu", "kelompok", "tahun", "jumlah", "luas_km2", "tanggal", "keterangan"]


def _csv() -> bytes:
    lines = [",".join(HEADER)] + [",".join(row) for row in _rows()]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def both(app, sysadmin, dataset, queue, with_test_worker, tmp_path):  # noqa: F811
    """The same CSV loaded by our path (resource `ours`) and by stock xloader (resource `stock`)."""
    data = _csv()
    ours = upload(app, sysadmin["token"], dataset, "tabel.csv", data)
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]
    stock = upload(app, sysadmin["token"], dataset, "tabel-stock.csv", data)
    queue.empty()  # not our job: xloader's load, as its job runs it
    path = tmp_path / "tabel-stock.csv"
    path.write_bytes(data)
    logger = logging.getLogger("stock-xloader")
    fields = xloader_loader.load_csv(str(path), resource_id=stock["id"], mimetype="text/csv", logger=logger)
    xloader_loader.calculate_record_count(resource_id=stock["id"], logger=logger)
    xloader_loader.create_column_indexes(fields=fields, resource_id=stock["id"], logger=logger)
    types = {f["id"]: f["type"] for f in helpers.call_action("datastore_info", id=ours["id"])["fields"]}
    assert types == {"posyandu": "text", "kelompok": "text", "tahun": "int4", "jumlah": "int4",
                     "luas_km2": "numeric", "tanggal": "date", "keterangan": "text"}  # ours typed, stock text
    return ours["id"], stock["id"]


def _text(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(Decimal(str(value)))


def _search(resource_id: str, **params) -> dict:
    found = helpers.call_action("datastore_search", resource_id=resource_id, **params)
    return {"total": found["total"], "fields": [f["id"] for f in found["fields"]],
            "records": [{k: _text(v) for k, v in record.items()} for record in found["records"]]}


SEARCHES = [
    {},
    {"limit": 7, "offset": 12},
    {"q": "melati"},
    {"q": "running"},           # stemmed: "running counts" is indexed as 'run' 'count'
    {"q": "count clinic"},
    {"q": "2019"},
    {"q": "belum & final"},
    {"q": "the"},               # a stop word only: no row
    {"q": "kelompok 3", "sort": "posyandu desc, _id", "limit": 5, "offset": 2},
    {"q": {"keterangan": "posyandu"}},
    {"q": {"posyandu": "mawar"}, "limit": 4},
    {"filters": {"posyandu": "Kenanga"}},
    {"filters": {"tahun": "2020", "posyandu": "Melati"}},
    {"filters": {"kelompok": ["Kelompok 2", "Kelompok 5"]}, "sort": "kelompok, _id desc"},
    {"filters": {"keterangan": "catatan"}, "q": "kelompok", "limit": 3},
    {"sort": "keterangan asc, posyandu desc, _id", "limit": 10, "offset": 20},
    {"fields": ["posyandu", "jumlah"], "q": "kenanga", "limit": 5},
    {"distinct": True, "fields": ["posyandu", "kelompok"], "sort": "posyandu, kelompok"},
]


@pytest.mark.parametrize("params", SEARCHES, ids=[str(p) for p in SEARCHES])
def test_datastore_search_answers_as_on_the_stock_table(both, params):
    ours, stock = both
    assert _search(ours, **params) == _search(stock, **params)


def test_datastore_search_sql_answers_as_on_the_stock_table(both):
    ours, stock = both
    queries = [
        'SELECT posyandu, count(*) AS n FROM "{t}" WHERE _full_text @@ plainto_tsquery(\'kelompok\') '
        'GROUP BY posyandu ORDER BY posyandu',
        'SELECT _id, keterangan FROM "{t}" WHERE _full_text @@ to_tsquery(\'run & count\') ORDER BY _id',
        'SELECT _id, ts_rank(_full_text, plainto_tsquery(\'melati 2021\'))::text AS rank FROM "{t}" '
        'ORDER BY rank DESC, _id LIMIT 10',
        'SELECT _id, _full_text::text AS ft FROM "{t}" ORDER BY _id',
        'SELECT count(*) AS n FROM "{t}" WHERE tanggal IS NULL',
    ]
    for sql in queries:
        answers = [[{k: _text(v) for k, v in r.items()} for r in helpers.call_action(
            "datastore_search_sql", sql=sql.format(t=t))["records"]] for t in (ours, stock)]
        assert answers[0] == answers[1], sql
        assert answers[0], sql


def test_the_full_text_column_is_the_stock_one_row_by_row(both):
    ours, stock = both
    with datastore_db.get_write_engine().connect() as conn:
        rows = [conn.execute(sa.text(f'SELECT _id, _full_text::text FROM "{t}" ORDER BY _id')).all()
                for t in (ours, stock)]
    assert len(rows[0]) == 60 and all(ft for _id, ft in rows[0])
    assert rows[0] == rows[1]


@pytest.mark.parametrize("query", ["", "?q=melati", "?filters=%7B%22posyandu%22%3A%22Kenanga%22%7D&sort=_id"
                                   "%20desc", "?limit=5&offset=3"])
def test_the_dump_is_the_stock_one(app, sysadmin, both, query):
    ours, stock = both
    dumps = [app.get(f"/datastore/dump/{t}{query}", headers={"Authorization": sysadmin["token"]}) for t in both]
    assert all(d.status_code == 200 for d in dumps)
    assert dumps[0].data == dumps[1].data
    assert dumps[0].data.count(b"\n") > 1


def test_the_table_has_the_indexes_and_trigger_datastore_create_gives(both, sysadmin):
    """The same resource's table made again by datastore_create with the same columns and its rows (CKAN's own
    path: the trigger fills _full_text row by row, the indexes are built in its transaction)."""
    ours, _stock = both

    def state() -> tuple[list, list]:
        with datastore_db.get_write_engine().connect() as conn:
            indexes = conn.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t "
                                           "ORDER BY indexname"), {"t": ours}).all()
            triggers = conn.execute(sa.text("SELECT tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger "
                                            "WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"),
                                    {"t": f'"{ours}"'}).all()
        return indexes, triggers

    loaded = state()
    info = helpers.call_action("datastore_info", id=ours)
    fields = [{"id": f["id"], "type": f["type"]} for f in info["fields"]]
    records = helpers.call_action("datastore_search", resource_id=ours, limit=1000, sort="_id")["records"]
    context = {"user": sysadmin["name"]}
    helpers.call_action("datastore_delete", dict(context), resource_id=ours, force=True)
    helpers.call_action("datastore_create", dict(context), resource_id=ours, force=True, fields=fields,
                        records=[{k: v for k, v in r.items() if k != "_id"} for r in records])
    assert loaded == state()
    assert any(" USING gist (_full_text)" in d or " USING gin (_full_text)" in d for _n, d in loaded[0])


def test_a_load_after_a_killed_one_clears_the_staging_tables_it_left(app, sysadmin, dataset, queue,  # noqa: F811
                                                                     with_test_worker):
    """A worker killed mid-load leaves its unlogged staging and slice tables; the next load of the resource drops
    them rather than failing on them, and drops its own when done."""
    resource = upload(app, sysadmin["token"], dataset, "tabel.csv", _csv())
    run_jobs(queue)
    left = [f"{resource['id']}_satudata_load", f"{resource['id']}_satudata_load_0", f"{resource['id']}_satudata_load_1"]
    engine = datastore_db.get_write_engine()
    with engine.begin() as conn:
        for name in left:
            conn.execute(sa.text(f'CREATE UNLOGGED TABLE "{name}" (_n bigint)'))
    assert helpers.call_action("xloader_submit", {"user": sysadmin["name"]}, resource_id=resource["id"],
                               ignore_hash=True) is True
    assert run_jobs(queue) == ["ckanext.satudata_blitar.tables.load_job.load_job"]
    assert helpers.call_action("xloader_status", resource_id=resource["id"])["status"] == "complete"
    assert helpers.call_action("datastore_search", resource_id=resource["id"], limit=0)["total"] == 60
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM pg_class WHERE relname LIKE :p"),
                            {"p": f"{resource['id']}_satudata_load%"}).scalar() == 0


@pytest.mark.parametrize("failing", ["datastore_create", "copy"])
def test_a_failed_load_leaves_no_staging_tables_and_says_why(app, sysadmin, dataset, queue,  # noqa: F811
                                                            with_test_worker, tmp_path, monkeypatch, failing):
    """datastore_create runs beside the staging table's COPY and full text (on a thread of their own): when either
    fails, the other is waited for, the staging and slice tables are dropped and the failure is the one raised.
    A failed datastore_create leaves the table as it was."""
    from ckanext.satudata_blitar.tables import datastore_copy
    resource = upload(app, sysadmin["token"], dataset, "tabel.csv", _csv())
    run_jobs(queue)
    types = ["text", "text", "int4", "int4", "numeric", "date", "text"]
    columns = [{"id": h, "label": h, "pg_type": t, "type": t} for h, t in zip(HEADER, types)]
    rows = _rows()
    if failing == "copy":
        rows[40][2] = "dua ribu"  # not an int4: COPY fails after datastore_create defined the table
    else:
        def define_table(*args, **kwargs):
            raise RuntimeError("datastore_create failed")
        monkeypatch.setattr(datastore_copy, "define_table", define_table)
    typed = tmp_path / "typed.csv"
    typed.write_text("".join(",".join(row) + "\n" for row in rows))
    with pytest.raises(Exception, match="datastore_create failed" if failing != "copy" else "dua ribu"):
        datastore_copy.load(resource["id"], columns, str(typed), logging.getLogger("test"), {})
    with datastore_db.get_write_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM pg_class WHERE relname LIKE :p"),
                            {"p": f"{resource['id']}_satudata_load%"}).scalar() == 0
        enabled = conn.execute(sa.text("SELECT tgenabled FROM pg_trigger WHERE tgname = 'zfulltext' AND tgrelid = "
                                       "CAST(:t AS regclass)"), {"t": f'"{resource["id"]}"'}).scalar()
    assert enabled == "O"
    total = helpers.call_action("datastore_search", resource_id=resource["id"], limit=0)["total"]
    assert total == (0 if failing == "copy" else 60)
