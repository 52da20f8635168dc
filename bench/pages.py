"""Benchmark: what our plugins cost on every page against stock CKAN, the same database served twice (issue 15).

    make bench-pages [BENCH_ARGS="--rounds 60 --walidata-rounds 30 --workers 2 --fresh"]
    .venv/bin/python bench/pages.py --help

Databases of its own, `ckan_bench_<--name>` (default pages; bench/serve.py), ports of its own (never
SATUDATA_WEB_PORT's: `make run`'s portal may be up) and servers it checks are its own: a small Kota Blitar (bench/world.py) and one dataset published
through the real workflow (its CSV uploaded and loaded by the jobs worker), copied in SQL into --published
published datasets and --waiting private ones in Draf, spread over the OPDs; then `ckan search-index rebuild` by
each variant into its own index. Made once and reused (--fresh makes it again).

Both variants are then served at the same time by gunicorn with the same number of workers (bench/serve.py: ours,
and stock CKAN with scheming's example schemas), and one client asks each page of both, page after page in a
shuffled order, ours or stock first by a coin flip, one request at a time, after --warmup rounds not counted:

- anonymous: API package_show, package_search with facets, package_search with a query, the dataset page, the
  search page with a query, /dataset/, the home page, an OPD page, a resource page (with its table view);
- an Operator Data (API token): /dashboard/datasets and API package_show of a private dataset of the OPD;
- the Walidata with 0, 100 and 1,000 datasets waiting (--waiting of the copies put in Terverifikasi OPD or
  Disetujui, alternately, in our state table; their index entries are left as they are): the home page,
  /dashboard/datasets and /dataset/.

Prints median and p95 (ms) of each, ours and stock, and ours/stock. Target: every ratio ≤ 1.05. Loopback only; the
run stops by itself (--max-minutes). Says what it needs and stops when a service or package is missing.
tests/test_bench.py runs it for a few seconds with tiny sizes; the figures come from by-hand runs.
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve  # noqa: E402
import world  # noqa: E402

NAME = "pages"  # the default --name: databases ckan_bench_pages, datastore_bench_pages
PER_ROLE = {world.OPERATOR: 1, world.VERIFIKATOR_OPD: 1, world.VERIFIKATOR_KOMINFOTIK: 1, world.WALIDATA: 1}
FACETS = json.dumps(["organization", "groups", "tags", "res_format", "license_id"])


def pages(data: dict) -> list[tuple[str, str, str]]:
    """(label, who, path) of the pages measured at every round."""
    dataset, resource, private = data["dataset"], data["resource"], data["private"]
    return [
        ("API package_show", "anonymous", f"/api/3/action/package_show?id={dataset}"),
        ("API package_search facets", "anonymous", f"/api/3/action/package_search?rows=20&facet.field={FACETS}"),
        ("API package_search q=", "anonymous", "/api/3/action/package_search?q=penduduk&rows=20"),
        ("dataset page", "anonymous", f"/dataset/{dataset}"),
        ("search page q=", "anonymous", "/dataset/?q=penduduk"),
        ("/dataset/", "anonymous", "/dataset/"),
        ("home", "anonymous", "/"),
        ("OPD page", "anonymous", f"/organization/{data['opd']}"),
        ("resource page", "anonymous", f"/dataset/{data['template']}/resource/{resource}"),
        ("operator /dashboard/datasets", "operator", "/dashboard/datasets"),
        ("operator API package_show", "operator", f"/api/3/action/package_show?id={private}"),
    ]


WALIDATA_PAGES = [("home", "/"), ("/dashboard/datasets", "/dashboard/datasets"), ("/dataset/", "/dataset/")]


def saved(args) -> dict | None:
    """The world file of an earlier run with the same sizes, if its databases are still there."""
    path = world.world_path(args.name)
    wanted = {"published": args.published, "waiting": args.waiting, "opds": args.opds}
    made = json.loads(path.read_text()) if path.exists() and not args.fresh else {}
    if made.get("pages", {}).get("sizes") == wanted and serve.database_ready(args.name):
        return made
    path.unlink(missing_ok=True)
    return None


def prepare(args, ours_ini: Path, url: str) -> dict:
    """On new databases served by ours at `url`: the world, its datasets and both indexes; remembered in the world
    file (made again when the sizes asked for differ)."""
    name, db = args.name, serve.databases(args.name)[0]
    path = world.world_path(name)
    wanted = {"published": args.published, "waiting": args.waiting, "opds": args.opds}
    started = time.perf_counter()
    with serve.jobs_worker(ours_ini, f"{name}-worker"), httpx.Client(base_url=url, timeout=120) as client:
        made = world.make(client, ours_ini, name, opds=args.opds, per_role=PER_ROLE)
        template, resource = world.publish(client, made, "bench-template")
    world.clone(db, template["id"], "bench-pub", args.published, made["opds"], "terbit")
    world.clone(db, template["id"], "bench-wait", args.waiting, made["opds"], "draf")
    print(f"prepare: {args.published} published and {args.waiting} private datasets in "
          f"{time.perf_counter() - started:.0f} s; indexing both variants")
    for stock in (False, True):
        serve.clear_index(name, stock)
    # Both variants index side by side (each mostly CKAN's start-up and Solr).
    serve.ckan_commands(*[(serve.ini_path(name, stock), "search-index", "rebuild", "--quiet") for stock in
                          (False, True)], timeout=1800)
    operator = made["users"][world.OPERATOR][0]
    private = serve.psql_admin(f"SELECT name FROM package WHERE owner_org = '{operator['org']}' AND private "
                               "ORDER BY name LIMIT 1", db=db).strip()
    made["pages"] = {"sizes": wanted, "template": template["name"], "resource": resource["id"],
                     "dataset": f"bench-pub-{args.published // 2:04d}", "private": private,
                     "opd": serve.psql_admin(f"SELECT name FROM \"group\" WHERE id = '{made['opds'][0]}'",
                                             db=db).strip()}
    path.write_text(json.dumps(made, indent=1))
    print(f"prepare: done in {time.perf_counter() - started:.0f} s")
    return made


def set_waiting(db: str, count: int) -> None:
    """`count` of the private copies wait for the Walidata (Terverifikasi OPD and Disetujui alternately), the
    others are Draf: our state table only, which the queue and the header's count read."""
    serve.psql_admin(f"""UPDATE satudata_dataset_status SET changed_at = now() - interval '2 days', state = CASE
        WHEN substring(package_id from 12)::int > {count} THEN 'draf'
        WHEN substring(package_id from 12)::int % 2 = 1 THEN 'terverifikasi_opd' ELSE 'disetujui' END
        WHERE package_id LIKE 'bench-wait-%'""", db=db)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Timer:
    """One client per variant, one request at a time; every answer must be a 200."""

    def __init__(self, urls: dict[str, str]):
        self.clients = {variant: httpx.Client(base_url=url, timeout=120) for variant, url in urls.items()}
        self.times: dict[tuple[str, str], list[float]] = {}
        self.errors: list[str] = []

    def ask(self, label: str, path: str, token: str | None, record: bool) -> None:
        variants = list(self.clients)
        random.shuffle(variants)
        for variant in variants:
            start = time.perf_counter()
            response = self.clients[variant].get(path, headers={"Authorization": token} if token else {})
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                self.errors.append(f"{variant} {label} {path}: {response.status_code}")
            elif record:
                self.times.setdefault((label, variant), []).append(elapsed * 1000)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def report(timer: Timer, labels: list[str]) -> list[dict]:
    print(f"\n{'page':<44} {'ours ms':>8} {'stock ms':>9} {'ratio':>6}   {'p95 ours':>8} {'p95 stock':>9} "
          f"{'ratio':>6}  n")
    rows = []
    for label in labels:
        ours, stock = timer.times.get((label, "ours"), []), timer.times.get((label, "stock"), [])
        if not ours or not stock:
            continue
        row = {"page": label, "n": len(ours),
               "median": (statistics.median(ours), statistics.median(stock)),
               "p95": (percentile(ours, 0.95), percentile(stock, 0.95))}
        rows.append(row)
        m, p = row["median"], row["p95"]
        flag = "" if m[0] / m[1] <= 1.05 and p[0] / p[1] <= 1.05 else "  > 1.05"
        print(f"{label:<44} {m[0]:8.0f} {m[1]:9.0f} {m[0] / m[1]:6.2f}   {p[0]:8.0f} {p[1]:9.0f} {p[0] / p[1]:6.2f}"
              f"  {row['n']}{flag}")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = serve.parser(__doc__, NAME)
    p.set_defaults(workers=2)
    p.add_argument("--published", type=int, default=1000, help="published datasets (default 1000)")
    p.add_argument("--waiting", type=int, default=1000, help="private datasets that can wait (default 1000)")
    p.add_argument("--rounds", type=int, default=60, help="counted rounds of the pages (default 60)")
    p.add_argument("--walidata-rounds", type=int, default=30, help="counted rounds per queue length (default 30)")
    p.add_argument("--queues", default="0,100,1000", help="datasets waiting for the Walidata (default 0,100,1000)")
    p.add_argument("--warmup", type=int, default=3, help="rounds not counted first (default 3)")
    p.add_argument("--opds", type=int, default=5, help="OPDs the datasets are spread over (default 5)")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args(argv)
    queues = [int(q) for q in args.queues.split(",")]
    if max(queues) > args.waiting:
        p.error("--queues cannot exceed --waiting")
    random.seed(args.seed)
    serve.require()
    name, db = args.name, serve.databases(args.name)[0]
    # Ports of their own, never the portal's: `make run` may be serving on SATUDATA_WEB_PORT meanwhile.
    port, stock_port = serve.free_port(), serve.free_port()
    ours_ini = serve.write_ini(name, port)
    stock_ini = serve.write_ini(name, stock_port, stock=True)
    started = time.perf_counter()
    with serve.deadline(int(args.max_minutes * 60)):
        made = saved(args)
        if made is None:
            serve.create_databases(name, fresh=True)
        # Ours serves the preparation too (one start less); the warm-up rounds warm both variants alike.
        with serve.served(ours_ini, port, args.workers, f"{name}-ours") as ours:
            made = made or prepare(args, ours_ini, ours)
            data = made["pages"]
            tokens = {"anonymous": None, "operator": made["users"][world.OPERATOR][0]["token"]}
            walidata = made["users"][world.WALIDATA][0]["token"]
            with serve.served(stock_ini, stock_port, args.workers, f"{name}-stock") as stock:
                timer = Timer({"ours": ours, "stock": stock})
                print(f"serving ours at {ours} and stock at {stock}, {args.workers} gunicorn workers each")
                try:
                    set_waiting(db, 0)
                    measured = pages(data)
                    for round_ in range(args.warmup + args.rounds):
                        random.shuffle(measured)
                        for label, who, path in measured:
                            timer.ask(label, path, tokens[who], record=round_ >= args.warmup)
                    for count in queues:
                        set_waiting(db, count)
                        for round_ in range(args.warmup + args.walidata_rounds):
                            for label, path in random.sample(WALIDATA_PAGES, len(WALIDATA_PAGES)):
                                timer.ask(f"Walidata {label} ({count} waiting)", path, walidata,
                                          record=round_ >= args.warmup)
                finally:
                    set_waiting(db, 0)
                    timer.close()
    labels = [label for label, _, _ in pages(data)] + [f"Walidata {label} ({count} waiting)"
                                                       for count in queues for label, _ in WALIDATA_PAGES]
    rows = report(timer, labels)
    print(f"\n{args.rounds} rounds ({args.walidata_rounds} per queue length), {args.workers} gunicorn workers per "
          f"variant, {args.published} published datasets; {time.perf_counter() - started:.0f} s in all; "
          f"{len(timer.errors)} errors")
    for error in timer.errors[:20]:
        print("  error:", error)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "errors": timer.errors}, indent=1))
    return 1 if timer.errors else 0


if __name__ == "__main__":
    sys.exit(main())
