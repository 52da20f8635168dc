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
shuffled order, ours or stock first by a coin flip, one request at a time, after --warmup rounds not counted
(PAGES and WALIDATA_PAGES below say which; --page, once or more, measures only the pages of those labels,
e.g. `--page /dataset/ --page "search page q=" --page "OPD page" --page "group page" --walidata-rounds 0`):

- a visitor: the API (package_show, package_search with facets and with a query), the dataset page, the search
  page, /dataset/, the home page, an OPD page, the resource page with its table view and with its chart view, a
  topic page (/topik/<urusan>), a group page, /capaian-elemen-data;
- an Operator Data, a Verifikator OPD and the Walidata (API tokens): their dashboards, the verification queue,
  the Walidata's /dataset/ and /laporan, with 0, 100 and 1,000 datasets waiting for the Walidata (--queues; that
  many of the private copies put in Terverifikasi OPD or Disetujui, alternately, in our state table; their index
  entries are left as they are).

Where stock CKAN has no such page (the chart view, /topik, /capaian-elemen-data, /dasbor, /verifikasi, /laporan) it
is compared with the stock page a person would open instead, named in the table's last column. Prints one table:
median and p95 (ms) of each page, ours and stock, ours/stock, and `!` on every ratio over its target: 1.05 for a
visitor's page, 1.10 for a logged-in one. Loopback only; the run stops by itself (--max-minutes). Says what it needs
and stops when a service or package is missing. tests/test_bench.py runs it for a few seconds with tiny sizes; the
figures come from by-hand runs.
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


VISITOR_TARGET, LOGGED_IN_TARGET = 1.05, 1.10
TOPIC = world.METADATA["urusan"]  # the urusan of every bench dataset: its /topik page and its CKAN group
STOCK_DASHBOARD = "/dashboard/datasets"
# A world made before a change of what prepare() makes is made again.
WORLD_VERSION = 2


class Page:
    """A page measured: ours at `path`, stock CKAN at `stock_path` (the page a person would open there instead when
    stock has none, named by `stock_label`)."""

    def __init__(self, label: str, who: str, path: str, stock_path: str | None = None, stock_label: str = ""):
        self.label, self.who, self.path = label, who, path
        self.stock_path, self.stock_label = stock_path or path, stock_label
        self.target = VISITOR_TARGET if who == "anonymous" else LOGGED_IN_TARGET

    def path_of(self, variant: str) -> str:
        return self.stock_path if variant == "stock" else self.path


def pages(data: dict) -> list[Page]:
    """The pages measured at every round."""
    dataset, resource, private, template = data["dataset"], data["resource"], data["private"], data["template"]
    resource_page = f"/dataset/{template}/resource/{resource}"
    measured = [
        Page("API package_show", "anonymous", f"/api/3/action/package_show?id={dataset}"),
        Page("API package_search facets", "anonymous", f"/api/3/action/package_search?rows=20&facet.field={FACETS}"),
        Page("API package_search q=", "anonymous", "/api/3/action/package_search?q=penduduk&rows=20"),
        Page("dataset page", "anonymous", f"/dataset/{dataset}"),
        Page("search page q=", "anonymous", "/dataset/?q=penduduk"),
        Page("/dataset/", "anonymous", "/dataset/"),
        Page("home", "anonymous", "/"),
        Page("OPD page", "anonymous", f"/organization/{data['opd']}"),
        Page("resource page, table view", "anonymous", resource_page),
        Page("topic page /topik/<urusan>", "anonymous", f"/topik/{TOPIC}", f"/group/{TOPIC}",
             "the group page"),
        Page("group page", "anonymous", f"/group/{TOPIC}"),
        Page("/capaian-elemen-data", "anonymous", "/capaian-elemen-data", "/organization/", "/organization/"),
        Page("/dashboard/datasets", "operator", "/dashboard/datasets"),
        Page("/dasbor", "operator", "/dasbor", STOCK_DASHBOARD, STOCK_DASHBOARD),
        Page("API package_show (private)", "operator", f"/api/3/action/package_show?id={private}"),
        Page("/dashboard/datasets", "verifikator", "/dashboard/datasets"),
        Page("/verifikasi", "verifikator", "/verifikasi", STOCK_DASHBOARD, STOCK_DASHBOARD),
    ]
    if data.get("chart_view"):  # a table with a year and a number gets a chart by itself (tables/chart_view.py)
        measured.insert(9, Page("resource page, chart view", "anonymous",
                                f"{resource_page}?view_id={data['chart_view']}", resource_page,
                                "the resource page (table view)"))
    return measured


# The Walidata's pages, at each queue length.
WALIDATA_PAGES = [
    Page("home", "walidata", "/"),
    Page("/dashboard/datasets", "walidata", "/dashboard/datasets"),
    Page("/dataset/", "walidata", "/dataset/"),
    Page("/dasbor", "walidata", "/dasbor", STOCK_DASHBOARD, STOCK_DASHBOARD),
    Page("/verifikasi", "walidata", "/verifikasi", STOCK_DASHBOARD, STOCK_DASHBOARD),
    Page("/laporan", "walidata", "/laporan", "/organization/", "/organization/"),
]


def selected(measured: list[Page], labels: list[str] | None) -> list[Page]:
    """The pages of those labels (all when none is given)."""
    return [page for page in measured if page.label in labels] if labels else measured


def check_labels(labels: list[str] | None) -> None:
    """A label no page has is an error, not an empty run (checked before anything is made or served; a world's
    names do not change the labels)."""
    known = pages(dict.fromkeys(("dataset", "resource", "private", "template", "chart_view", "opd"), "x"))
    unknown = set(labels or ()) - {page.label for page in known + WALIDATA_PAGES}
    if unknown:
        raise SystemExit(f"--page: no page is labelled {', '.join(sorted(unknown))}")


def saved(args) -> dict | None:
    """The world file of an earlier run with the same sizes, if its databases are still there."""
    path = world.world_path(args.name)
    wanted = {"published": args.published, "waiting": args.waiting, "opds": args.opds, "version": WORLD_VERSION}
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
    wanted = {"published": args.published, "waiting": args.waiting, "opds": args.opds, "version": WORLD_VERSION}
    started = time.perf_counter()
    with serve.jobs_worker(ours_ini, f"{name}-worker"), httpx.Client(base_url=url, timeout=120) as client:
        made = world.make(client, ours_ini, name, opds=args.opds, per_role=PER_ROLE)
        template, resource = world.publish(client, made, "bench-template")
    world.clone(db, template["id"], "bench-pub", args.published, made["opds"], "terbit")
    world.clone(db, template["id"], "bench-wait", args.waiting, made["opds"], "draf")
    # A CKAN group of the published datasets (the Walidata's groups; stock CKAN's way to a topic), named after their
    # urusan; its memberships in SQL, as the copies.
    with httpx.Client(base_url=url, timeout=120) as client:
        group = world.call(client, "group_create", made["admin"], name=TOPIC, title=TOPIC.title())["id"]
    serve.psql_admin(f"""INSERT INTO member (id, table_id, group_id, table_name, capacity, state)
        SELECT 'bench-topic-' || id, id, '{group}', 'package', 'public', 'active' FROM package
        WHERE id = '{template["id"]}' OR name LIKE 'bench-pub-%'""", db=db)
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
    chart = serve.psql_admin(f"SELECT id FROM resource_view WHERE resource_id = '{resource['id']}' "
                             "AND view_type = 'satudata_chart'", db=db).strip()
    made["pages"] = {"sizes": wanted, "template": template["name"], "resource": resource["id"], "chart_view": chart,
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


def walidata_key(page: Page, count: int) -> str:
    return f"{page.label} {page.who}, {count:,} waiting"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Timer:
    """One client per variant, one request at a time; every answer must be a 200."""

    def __init__(self, urls: dict[str, str]):
        self.clients = {variant: httpx.Client(base_url=url, timeout=120) for variant, url in urls.items()}
        self.times: dict[tuple[str, str], list[float]] = {}
        self.errors: list[str] = []

    def ask(self, key: str, page: Page, token: str | None, record: bool) -> None:
        variants = list(self.clients)
        random.shuffle(variants)
        for variant in variants:
            path = page.path_of(variant)
            start = time.perf_counter()
            response = self.clients[variant].get(path, headers={"Authorization": token} if token else {})
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                self.errors.append(f"{variant} {key} {path}: {response.status_code}")
            elif record:
                self.times.setdefault((key, variant), []).append(elapsed * 1000)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


WHO = {"anonymous": "visitor", "operator": "Operator Data", "verifikator": "Verifikator OPD",
       "walidata": "Walidata"}


def report(timer: Timer, measured: list[tuple[str, Page]]) -> list[dict]:
    """One table: each page (key, Page) with its median and p95, ours, stock and ours/stock, `!` after a ratio over
    the page's target, and the stock page it is compared with when stock CKAN has no such page."""
    print(f"\n{'page':<40} {'who':<24} {'median ours':>11} {'stock':>6} {'ratio':>7}   {'p95 ours':>8} {'stock':>6} "
          f"{'ratio':>7} {'target':>6} {'n':>4}  stock page when not the same")
    rows = []
    for key, page in measured:
        ours, stock = timer.times.get((key, "ours"), []), timer.times.get((key, "stock"), [])
        if not ours or not stock:
            continue
        median = (statistics.median(ours), statistics.median(stock))
        p95 = (percentile(ours, 0.95), percentile(stock, 0.95))
        ratios = (median[0] / median[1], p95[0] / p95[1])
        over = [ratio > page.target for ratio in ratios]
        who = WHO[page.who] + key[len(page.label) + 1 + len(page.who):]  # the queue length of the Walidata's
        rows.append({"page": page.label, "who": who, "path": page.path, "stock_path": page.stock_path,
                     "n": len(ours), "median": median, "p95": p95, "ratio": ratios, "target": page.target,
                     "over": any(over)})
        marks = ["!" if o else " " for o in over]
        print(f"{page.label:<40} {who:<24} {median[0]:11.0f} {median[1]:6.0f} {ratios[0]:6.2f}{marks[0]}   "
              f"{p95[0]:8.0f} {p95[1]:6.0f} {ratios[1]:6.2f}{marks[1]} {page.target:6.2f} {len(ours):4}  "
              f"{page.stock_label}")
    over = [row for row in rows if row["over"]]
    print(f"\n{len(rows) - len(over)} of {len(rows)} pages within their target (median and p95 ours/stock: "
          f"{VISITOR_TARGET:.2f} for a visitor's page, {LOGGED_IN_TARGET:.2f} logged in); `!`: over it")
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
    p.add_argument("--page", action="append", metavar="LABEL",
                   help="measure only the pages of this label (the table's first column); once or more")
    args = p.parse_args(argv)
    queues = [int(q) for q in args.queues.split(",")]
    check_labels(args.page)
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
            tokens = {"anonymous": None, "operator": made["users"][world.OPERATOR][0]["token"],
                      "verifikator": made["users"][world.VERIFIKATOR_OPD][0]["token"],
                      "walidata": made["users"][world.WALIDATA][0]["token"]}
            with serve.served(stock_ini, stock_port, args.workers, f"{name}-stock") as stock:
                timer = Timer({"ours": ours, "stock": stock})
                print(f"serving ours at {ours} and stock at {stock}, {args.workers} gunicorn workers each")
                try:
                    set_waiting(db, 0)
                    measured = [(f"{page.label} {page.who}", page) for page in selected(pages(data), args.page)]
                    for round_ in range(args.warmup + args.rounds):
                        random.shuffle(measured)
                        for key, page in measured:
                            timer.ask(key, page, tokens[page.who], record=round_ >= args.warmup)
                    walidata_pages = selected(WALIDATA_PAGES, args.page) if args.walidata_rounds else []
                    for count in queues if walidata_pages else []:
                        set_waiting(db, count)
                        for round_ in range(args.warmup + args.walidata_rounds):
                            for page in random.sample(walidata_pages, len(walidata_pages)):
                                timer.ask(walidata_key(page, count), page, tokens["walidata"],
                                          record=round_ >= args.warmup)
                finally:
                    set_waiting(db, 0)
                    timer.close()
    order = [(f"{page.label} {page.who}", page) for page in pages(data)]
    order += [(walidata_key(page, count), page) for page in WALIDATA_PAGES for count in queues]
    rows = report(timer, order)
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
