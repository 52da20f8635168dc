"""Benchmark: our typed load (ckanext.satudata_blitar.tables: parse_child, datastore_copy) against stock ckanext-xloader 2.6.0, by hand.

    .venv/bin/python bench/ingest.py [--rows 200000] [--skip-slow] [--cases ours:csv,stock:csv]

Needs the services (`make services` starts them; it says so when one is missing). Runs on databases of its own,
`ckan_bench_<--name>` (default ingest; bench/serve.py makes them from its migrated template), or on those of
--ckan-ini; it writes only a dataset of its own ("bench-ingest", purged at the end) and its DataStore tables. Every run is a separate process so that its peak
RSS is its own: the parent only prints. Stages:
  ours     parse (child process: checks, calamine/csv, whole-column types, typed CSV) | create_table | copy |
           indexes (DataStore's own, after the COPY) | analyze
  stock    load_csv (tabulator to CSV, COPY, _full_text) | indexes (create_column_indexes), with xloader's
           fallback to load_table when COPY fails (the .xlsx without <dimension>), as its job does
  raw COPY psycopg2 COPY of the CSV into an untyped table of 10 text columns
tests/test_bench.py runs it with tiny sizes.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
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
    import ckan.plugins.toolkit as tk
    info = tk.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    found = tk.get_action("datastore_search")({"ignore_auth": True}, {"resource_id": resource_id, "limit": 1})
    return {"rows": found["total"], "types": sorted({f["type"] for f in info["fields"]})}


def run_ours(path: str, ini: str) -> dict:
    _ckan(ini)
    from ckanext.satudata_blitar.files import safety as file_safety
    from ckanext.satudata_blitar.tables import datastore_copy, parse_child
    resource_id = _resource(Path(path).name)
    timings: dict[str, float] = {}
    logger = logging.getLogger("bench")
    started = time.perf_counter()
    out_csv = str(Path(path).parent / f"typed-{os.getpid()}.csv")
    t = time.perf_counter()
    result = parse_child.parse_in_child(path, file_safety.extension_of(path), out_csv, parse_child.limits())
    timings["parse"] = time.perf_counter() - t
    assert not [i for i in result["issues"] if i["severity"] == "error"], result["issues"][:3]
    datastore_copy.load(resource_id, result["columns"], out_csv, logger, timings)
    timings["total"] = time.perf_counter() - started
    os.remove(out_csv)
    return {"timings": timings, "rss_mb": _rss_mb(), "parser_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN),
            **_queryable(resource_id)}


def run_stock(path: str, ini: str) -> dict:
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
    return {"timings": {"copy": elapsed, "total": elapsed}, "rss_mb": _rss_mb(), "rows": rows, "types": ["text"]}


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


RUNNERS = {"ours": run_ours, "stock": run_stock, "raw": run_raw, "cleanup": lambda path, ini: cleanup(ini) or {}}


def main() -> int | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default="ingest", help="databases ckan_bench_<name> … (default ingest)")
    parser.add_argument("--ckan-ini", help="run on this config's databases instead")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--data", default="/tmp/satudata-bench")
    parser.add_argument("--skip-slow", action="store_true", help="leave out stock xloader on the .xlsx without "
                        "<dimension> (about 2 minutes)")
    parser.add_argument("--cases", help="only these runs, e.g. ours:csv,stock:xlsx_dim (runners ours, stock, raw; "
                        "files xlsx_dim, xlsx_nodim, csv)")
    parser.add_argument("--one", nargs=2, metavar=("RUNNER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        logging.basicConfig(level=logging.WARNING)
        print("BENCH-RESULT " + json.dumps(RUNNERS[args.one[0]](args.one[1], args.ckan_ini)))
        return
    import serve
    serve.require(server=False)
    own = not args.ckan_ini  # fresh databases of its own: nothing to clean up afterwards
    if own:
        serve.create_databases(serve.check_name(args.name), fresh=True)  # a copy of the template: a second
        args.ckan_ini = str(serve.write_ini(args.name, 0))

    import make_data
    print(f"Writing the {args.rows:,} x 10 test files (once) ...", flush=True)
    files = make_data.make(Path(args.data), args.rows)
    cases = [("ours", "xlsx_dim"), ("ours", "xlsx_nodim"), ("ours", "csv"),
             ("stock", "xlsx_dim"), ("stock", "xlsx_nodim"), ("stock", "csv"), ("raw", "csv")]
    if args.skip_slow:
        cases.remove(("stock", "xlsx_nodim"))
    if args.cases:
        cases = [tuple(case.split(":", 1)) for case in args.cases.split(",")]
        unknown = [case for case in cases if case[0] not in ("ours", "stock", "raw")
                   or case[1] not in ("xlsx_dim", "xlsx_nodim", "csv")]
        if unknown:
            parser.error(f"--cases: unknown {unknown}")
    results, failed = {}, []
    try:
        for runner, kind in cases:
            print(f"... {runner} {kind}", flush=True)
            done = subprocess.run([sys.executable, __file__, "--ckan-ini", args.ckan_ini, "--one", runner,
                                   str(files[kind])], capture_output=True, text=True)
            line = [x for x in done.stdout.splitlines() if x.startswith("BENCH-RESULT ")]
            if done.returncode or not line:
                print(done.stdout[-2000:], done.stderr[-4000:])
                failed.append(f"{runner} {kind}")
                continue
            results[(runner, kind)] = json.loads(line[0][len("BENCH-RESULT "):])
    finally:
        if not own:
            subprocess.run([sys.executable, __file__, "--ckan-ini", args.ckan_ini, "--one", "cleanup", "-"],
                           capture_output=True)

    names = {"xlsx_dim": ".xlsx with <dimension>", "xlsx_nodim": ".xlsx without <dimension>", "csv": "CSV"}
    print(f"\n{'path':<8} {'file':<26} {'total s':>8} {'peak RSS MB':>12}  {'rows':>8}  types / stages (s)")
    for (runner, kind), r in results.items():
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r["timings"].items() if k != "total")
        rss = f"{r['rss_mb']}" + (f" (+parser {r['parser_rss_mb']})" if "parser_rss_mb" in r else "")
        print(f"{runner:<8} {names[kind]:<26} {r['timings']['total']:>8.2f} {rss:>12}  {r['rows']:>8}  "
              f"{'/'.join(r['types'])}; {stages}")
    raw = results.get(("raw", "csv"), {}).get("timings", {}).get("copy")
    for kind in ("xlsx_dim", "xlsx_nodim", "csv"):
        ours, stock = results.get(("ours", kind)), results.get(("stock", kind))
        if ours and stock:
            print(f"{names[kind]}: ours / stock end-to-end = {ours['timings']['total'] / stock['timings']['total']:.2f}"
                  + (f"; our COPY / raw COPY = {ours['timings']['copy'] / raw:.1f}x" if raw else ""))
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
