"""Benchmark: our typed load (ckanext.satudata_blitar.tables: parse_child, datastore_copy) against stock ckanext-xloader 2.6.0, by hand.

    .venv/bin/python bench/ingest.py [--rows 200000] [--rounds 3] [--skip-slow] [--cases ours:csv,stock:csv]

Files: .xlsx with and without <dimension>, .xls and CSV, --rows x 10 (the .xls at most 65,000 rows: a .xls sheet
holds 65,536 and both loaders read one sheet). Ours and stock run alternately, --rounds times each, in the order
ours, stock in odd rounds and stock, ours in even ones (so that a drift of the shared machine falls on both); each
case is printed as the median and the spread (min-max) of its rounds, end to end and per stage, with its peak RSS;
ours / stock is the ratio of the medians, marked when over the target (0.20), and our index stage is marked when
its median is over 5 s.

Needs the services (`make services` starts them; it says so when one is missing). Runs on databases of its own,
`ckan_bench_<--name>` (default ingest; bench/serve.py makes them from its migrated template), or on those of
--ckan-ini; it writes only a dataset of its own ("bench-ingest", purged at the end) and its DataStore tables.
Every run is a separate process so that its peak RSS is its own (and drops its table afterwards, untimed): the
parent only prints. The DataStore's full-text indexes are its settings' (printed first; --fts-index-field-types
'text tsvector' measures CKAN 2.11's default on 2.12). Stages:
  ours     parse (child process: checks, calamine/csv, whole-column types, typed CSV) | regions (the region
           columns' check, which adds kode_wilayah to the bench's files, as the job does) | create_table, beside
           copy (into a staging table) + full_text (computed in slices) on a thread of their own | insert (every
           row into the DataStore table) | indexes (DataStore's own, after the rows) | analyze
  stock    load_csv (tabulator to CSV, COPY, _full_text) | indexes (create_column_indexes), with xloader's
           fallback to load_table when COPY fails, as its job does
  stock-ix the same, with the work of create_column_indexes committed (xloader 2.6.0 on CKAN 2.12 never commits
           it: the time is spent, the table ends without its indexes and with its full-text trigger off); by
           default for the CSV only
  raw COPY psycopg2 COPY of the CSV into an untyped table of 10 text columns
tests/test_bench.py runs it with tiny sizes.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _rss_mb(who=resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def _ckan(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(ini))
    return app


def _resource(name: str) -> str:
    import ckan.plugins.toolkit as tk
    context = {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    try:
        dataset = tk.get_action("package_show")(dict(context), {"id": "bench-ingest"})
    except tk.ObjectNotFound:
        org = tk.get_action("organization_create")(dict(context), {"name": "bench-ingest-org", "title": "Bench"}) \
            if not _exists("organization_show", "bench-ingest-org") else \
            tk.get_action("organization_show")(dict(context), {"id": "bench-ingest-org"})
        from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA
        dataset = tk.get_action("package_create")(dict(context), {
            "name": "bench-ingest", "title": "Bench", "notes": "bench", "owner_org": org["id"], **REQUIRED_METADATA})
    res = tk.get_action("resource_create")(dict(context), {"package_id": dataset["id"], "name": name,
                                                           "url": f"http://bench.invalid/{name}", "format": "CSV"})
    return res["id"]


def _exists(action: str, name: str) -> bool:
    import ckan.plugins.toolkit as tk
    try:
        tk.get_action(action)({"ignore_auth": True}, {"id": name})
        return True
    except tk.ObjectNotFound:
        return False


def _queryable(resource_id: str) -> dict:
    """What the load left: rows, column types and the table's indexes (by method); then the table is dropped
    (untimed) so that every round starts from the same database."""
    import ckan.plugins.toolkit as tk
    import ckanext.datastore.backend.postgres as datastore_db
    import sqlalchemy as sa
    info = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    found = tk.get_action("datastore_search")({"ignore_auth": True}, {"resource_id": resource_id, "limit": 1})
    with datastore_db.get_write_engine().connect() as conn:
        methods = conn.execute(sa.text(
            "SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = "
            "c.relam WHERE i.indrelid = CAST(:t AS regclass)"), {"t": f'"{resource_id}"'}).scalars().all()
    context = {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    tk.get_action("datastore_delete")(dict(context), {"resource_id": resource_id, "force": True})
    tk.get_action("resource_delete")(dict(context), {"id": resource_id})
    return {"rows": found["total"], "types": sorted({f["type"] for f in info["fields"]}),
            "indexes": ", ".join(f"{methods.count(m)} {m}" for m in sorted(set(methods)))}


def _index_settings(ini: str) -> dict:
    """The DataStore settings that decide which full-text indexes a table gets (CKAN 2.11 and 2.12 differ)."""
    _ckan(ini)
    import ckan
    import ckan.plugins.toolkit as tk
    return {"ckan": ckan.__version__, "method": tk.config.get("ckan.datastore.default_fts_index_method"),
            "field_types": tk.config.get("ckan.datastore.default_fts_index_field_types")}


def run_ours(path: str, ini: str) -> dict:
    _ckan(ini)
    from ckanext.satudata_blitar.files import safety as file_safety
    from ckanext.satudata_blitar.tables import datastore_copy, parse_child, wilayah_columns
    resource_id = _resource(Path(path).name)
    timings: dict[str, float] = {}
    logger = logging.getLogger("bench")
    started = time.perf_counter()
    out_csv = str(Path(path).parent / f"typed-{os.getpid()}.csv")
    t = time.perf_counter()
    result = parse_child.parse_in_child(path, file_safety.extension_of(path), out_csv, parse_child.limits())
    timings["parse"] = time.perf_counter() - t
    assert not [i for i in result["issues"] if i["severity"] == "error"], result["issues"][:3]
    t = time.perf_counter()
    result = wilayah_columns.check(result, out_csv)  # as the job does: the file's kecamatan names get kode_wilayah
    timings["regions"] = time.perf_counter() - t
    datastore_copy.load(resource_id, result["columns"], out_csv, logger, timings)
    timings["total"] = time.perf_counter() - started
    os.remove(out_csv)
    return {"timings": timings, "rss_mb": _rss_mb(), "parser_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN),
            **_queryable(resource_id)}


def _committed_indexes(loader, fields: list, resource_id: str, logger) -> None:
    """xloader's create_column_indexes with its work committed: on CKAN 2.12 (SQLAlchemy 2) xloader 2.6.0 runs
    it on `engine.connect()` and never commits, so the indexes are built (the time is spent) and then rolled back
    with the trigger's ENABLE; the stock table ends with its primary key only and its full-text trigger off."""
    from ckan import model
    with loader.get_write_engine().begin() as connection:
        loader.create_indexes({"model": model, "ignore_auth": True, "connection": connection},
                              {"resource_id": resource_id, "fields": fields})
        loader._enable_fulltext_trigger(connection, resource_id)
    logger.info("...column indexes created (committed).")


def run_stock_committed(path: str, ini: str) -> dict:
    return run_stock(path, ini, committed=True)


def run_stock(path: str, ini: str, committed: bool = False) -> dict:
    _ckan(ini)
    from ckanext.xloader import loader
    from ckanext.xloader.job_exceptions import JobError, LoaderError
    resource_id = _resource(Path(path).name)
    logger = logging.getLogger("bench.stock")
    timings: dict[str, float] = {}
    fmt = Path(path).suffix.lstrip(".").upper()
    started = time.perf_counter()
    try:
        t = time.perf_counter()
        fields = loader.load_csv(path, resource_id=resource_id, mimetype=fmt, logger=logger)
        loader.calculate_record_count(resource_id=resource_id, logger=logger)
        timings["load_csv"] = time.perf_counter() - t
        t = time.perf_counter()
        if committed:
            _committed_indexes(loader, fields, resource_id, logger)
        else:
            loader.create_column_indexes(fields=fields, resource_id=resource_id, logger=logger)
        timings["indexes"] = time.perf_counter() - t
    except (JobError, LoaderError) as e:
        timings["load_csv_failed"] = time.perf_counter() - t
        logger.warning("COPY failed (%s); load_table as xloader's job does", str(e)[:100])
        t = time.perf_counter()
        loader.load_table(path, resource_id=resource_id, mimetype=fmt, logger=logger)
        loader.calculate_record_count(resource_id=resource_id, logger=logger)
        timings["load_table"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return {"timings": timings, "rss_mb": _rss_mb(), **_queryable(resource_id)}


def run_raw(path: str, ini: str) -> dict:
    _ckan(ini)
    import ckanext.datastore.backend.postgres as datastore_db
    import sqlalchemy as sa
    engine = datastore_db.get_write_engine()
    with open(path) as f:
        header = f.readline().strip().split(",")
    columns = ", ".join(f'"{h}" text' for h in header)
    with engine.begin() as conn:
        conn.execute(sa.text('DROP TABLE IF EXISTS "bench_raw_copy"'))
        conn.execute(sa.text(f'CREATE TABLE "bench_raw_copy" ({columns})'))
    t = time.perf_counter()
    with engine.begin() as conn:
        cursor = conn.connection.cursor()
        with open(path, "rb") as f:
            cursor.copy_expert('COPY "bench_raw_copy" FROM STDIN WITH (FORMAT csv, HEADER true)', f)
    elapsed = time.perf_counter() - t
    with engine.begin() as conn:
        rows = conn.execute(sa.text('SELECT count(*) FROM "bench_raw_copy"')).scalar()
        conn.execute(sa.text('DROP TABLE "bench_raw_copy"'))
    return {"timings": {"copy": elapsed, "total": elapsed}, "rss_mb": _rss_mb(), "rows": rows, "types": ["text"],
            "indexes": "none"}


def cleanup(ini: str) -> None:
    _ckan(ini)
    import ckan.plugins.toolkit as tk
    context = {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    if _exists("package_show", "bench-ingest"):
        for res in tk.get_action("package_show")(dict(context), {"id": "bench-ingest"})["resources"]:
            try:
                tk.get_action("datastore_delete")(dict(context), {"resource_id": res["id"], "force": True})
            except tk.ObjectNotFound:
                pass
        tk.get_action("dataset_purge")(dict(context), {"id": "bench-ingest"})


RUNNERS = {"ours": run_ours, "stock": run_stock, "stock-ix": run_stock_committed, "raw": run_raw,
           "cleanup": lambda path, ini: cleanup(ini) or {}, "settings": lambda path, ini: _index_settings(ini)}
KINDS = ("xlsx_dim", "xlsx_nodim", "xls", "csv")
NAMES = {"xlsx_dim": ".xlsx with <dimension>", "xlsx_nodim": ".xlsx without <dimension>", "xls": ".xls",
         "csv": "CSV"}
TARGET_RATIO = 0.20  # ours / stock end to end, medians
TARGET_INDEXES_S = 5.0  # our index stage, median


def plan(cases: list[tuple[str, str]], rounds: int) -> list[tuple[int, str, str]]:
    """(round, runner, kind) in the order they run: round after round, each file's ours and stock (and stock with
    its indexes committed) side by side, in the order ours, stock in odd rounds and stock, ours in even ones; the
    raw COPY after them."""
    runs = []
    for number in range(1, rounds + 1):
        for kind in KINDS:
            pair = [runner for runner in ("ours", "stock", "stock-ix") if (runner, kind) in cases]
            runs += [(number, runner, kind) for runner in (pair if number % 2 else pair[::-1])]
            if ("raw", kind) in cases:
                runs.append((number, "raw", kind))
    return runs


def _spread(values: list[float]) -> str:
    """The median and, over more than one round, the spread: `10.8 (10.2-11.3)`."""
    median = statistics.median(values)
    return f"{median:.2f}" + (f" ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else "")


def report(results: dict[tuple[str, str], list[dict]], loads: list[float]) -> list[str]:
    """The lines printed per case and per file: medians, spreads, peak RSS, ratios and the targets' marks."""
    lines = [f"{'file':<26} {'path':<8} {'runs':>4}  {'end-to-end s: median (min-max)':<32} {'peak RSS MB':<22} "
             f"{'rows':>7}  column types; indexes"]
    for kind in KINDS:
        for runner in ("ours", "stock", "stock-ix", "raw"):
            runs = results.get((runner, kind))
            if not runs:
                continue
            rss = f"{max(r['rss_mb'] for r in runs):.0f}" + (
                f" + parser {max(r['parser_rss_mb'] for r in runs):.0f}" if "parser_rss_mb" in runs[0] else "")
            lines.append(f"{NAMES[kind]:<26} {runner:<8} {len(runs):>4}  "
                         f"{_spread([r['timings']['total'] for r in runs]):<32} {rss:<22} {runs[0]['rows']:>7}  "
                         f"{'/'.join(runs[0]['types'])}; {runs[0]['indexes']}")
            stages = [k for r in runs for k in r["timings"] if k != "total"]
            stages = sorted(set(stages), key=stages.index)
            lines.append(f"{'':<26} {'':<8}       stages (s): " + ", ".join(
                f"{k} {_spread([r['timings'][k] for r in runs if k in r['timings']])}" for k in stages))
    lines.append("")
    raw = results.get(("raw", "csv"))
    for kind in KINDS:
        ours, stock = results.get(("ours", kind)), results.get(("stock", kind))
        if not ours:
            continue
        line = f"{NAMES[kind]}:"
        if stock:
            ratio = statistics.median(r["timings"]["total"] for r in ours) / statistics.median(
                r["timings"]["total"] for r in stock)
            line += (f" ours / stock end-to-end (medians) = {ratio:.2f}"
                     + (f" << over the {TARGET_RATIO:.2f} target" if ratio > TARGET_RATIO else " (target met)") + ";")
        committed = results.get(("stock-ix", kind))
        if committed:
            ratio = statistics.median(r["timings"]["total"] for r in ours) / statistics.median(
                r["timings"]["total"] for r in committed)
            line += f" ours / stock-ix = {ratio:.2f};"
        indexes = statistics.median(r["timings"]["indexes"] for r in ours)
        line += (f" our index stage {indexes:.2f} s"
                 + (f" << over the {TARGET_INDEXES_S:.0f} s target" if indexes > TARGET_INDEXES_S else " (target met)"))
        if raw and kind == "csv":
            copy = statistics.median(r["timings"]["copy"] for r in ours)
            line += f"; our COPY / raw COPY = {copy / statistics.median(r['timings']['copy'] for r in raw):.1f}x"
        lines.append(line)
    if any(runner == "stock-ix" for runner, _kind in results):
        lines.append("stock-ix: stock xloader with the work of its create_column_indexes committed (xloader 2.6.0 on "
                     "CKAN 2.12 builds the indexes, then never commits them: `stock` ends with its primary key only)")
    lines.append(f"load average (1 min) at the start of each run: {min(loads):.2f}-{max(loads):.2f}; "
                 f"{os.cpu_count()} cores")
    return lines


def main() -> int | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default="ingest", help="databases ckan_bench_<name> … (default ingest)")
    parser.add_argument("--ckan-ini", help="run on this config's databases instead")
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the .xlsx and CSV files (the .xls: at "
                        "most 65,000)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each case, ours and stock alternating "
                        "(default 3)")
    parser.add_argument("--data", default="/tmp/satudata-bench")
    parser.add_argument("--skip-slow", action="store_true", help="leave out stock xloader on the .xlsx without "
                        "<dimension> (its slowest case)")
    parser.add_argument("--cases", help="only these, e.g. ours:csv,stock:xlsx_dim (runners ours, stock, stock-ix, "
                        "raw; "
                        "files xlsx_dim, xlsx_nodim, xls, csv)")
    parser.add_argument("--fts-index-field-types", metavar="TYPES", help="ckan.datastore.default_fts_index_field_types "
                        "for the run, e.g. 'text tsvector' (CKAN 2.11's default; 2.12's is none: one full-text "
                        "index per table); with databases of its own only")
    parser.add_argument("--one", nargs=2, metavar=("RUNNER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        logging.basicConfig(level=logging.WARNING)
        print("BENCH-RESULT " + json.dumps(RUNNERS[args.one[0]](args.one[1], args.ckan_ini)))
        return
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    cases = [(runner, kind) for runner in ("ours", "stock") for kind in KINDS] + [("stock-ix", "csv"),
                                                                                  ("raw", "csv")]
    if args.skip_slow:
        cases.remove(("stock", "xlsx_nodim"))
    if args.cases:
        cases = [tuple(case.split(":", 1)) for case in args.cases.split(",")]
        unknown = [case for case in cases if case[0] not in ("ours", "stock", "stock-ix", "raw") or len(case) < 2
                   or case[1] not in KINDS]
        if unknown:
            parser.error(f"--cases: unknown {unknown}")
    import serve
    serve.require(server=False)
    own = not args.ckan_ini  # fresh databases of its own: nothing to clean up afterwards
    if own:
        serve.create_databases(serve.check_name(args.name), fresh=True)  # a copy of the template: a second
        args.ckan_ini = str(serve.write_ini(args.name, 0))
        if args.fts_index_field_types is not None:
            ini = Path(args.ckan_ini)
            ini.write_text(ini.read_text().replace("\n[app:main]\n", "\n[app:main]\nckan.datastore.default_fts_index_"
                                                   f"field_types = {args.fts_index_field_types}\n", 1))
    elif args.fts_index_field_types is not None:
        parser.error("--fts-index-field-types: only on databases of its own (not with --ckan-ini)")

    import make_data
    kinds = tuple(kind for kind in KINDS if any(k == kind for _, k in cases))
    print(f"Writing the {args.rows:,} x 10 test files (once; the .xls {min(args.rows, make_data.XLS_MAX_ROWS):,} "
          "rows) ...", flush=True)
    files = make_data.make(Path(args.data), args.rows, kinds)

    def one(runner: str, path: str) -> dict | None:
        done = subprocess.run([sys.executable, __file__, "--ckan-ini", args.ckan_ini, "--one", runner, path],
                              capture_output=True, text=True)
        line = [x for x in done.stdout.splitlines() if x.startswith("BENCH-RESULT ")]
        if done.returncode or not line:
            print(done.stdout[-2000:], done.stderr[-4000:])
            return None
        return json.loads(line[0][len("BENCH-RESULT "):])

    settings = one("settings", "-") or {}
    print(f"CKAN {settings.get('ckan')}; the DataStore's full-text indexes: {settings.get('method')} on _full_text "
          f"and on columns of the types {settings.get('field_types') or '(none)'}; {args.rounds} round(s)",
          flush=True)
    results: dict[tuple[str, str], list[dict]] = {}
    failed, loads = [], []
    try:
        for number, runner, kind in plan(cases, args.rounds):
            loads.append(os.getloadavg()[0])
            print(f"... round {number}: {runner} {kind} (load average {loads[-1]:.2f})", flush=True)
            result = one(runner, str(files[kind]))
            if result is None:
                failed.append(f"{runner} {kind} (round {number})")
                continue
            results.setdefault((runner, kind), []).append(result)
    finally:
        if not own:
            subprocess.run([sys.executable, __file__, "--ckan-ini", args.ckan_ini, "--one", "cleanup", "-"],
                           capture_output=True)
    loads.append(os.getloadavg()[0])
    print("\n" + "\n".join(report(results, loads)))
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
