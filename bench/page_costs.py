"""Benchmark, in-process: what our plugins cost per page against stock CKAN, in SQL statements and wall time.

    .venv/bin/python bench/page_costs.py [--published 60] [--waiting 0,100,1000] [--rounds 15]

Two worker processes serve the same database and Solr core through CKAN's Flask test client: one with the
plugins of the ini file (ours), one with stock CKAN's (STOCK: scheming with its example schemas, the DataStore,
xloader, activity, DCAT, datatables; its own search index, built by it from the same rows). The parent asks both for every page in turn (interleaved, so a busy machine slows both alike; who goes first alternates)
as an anonymous visitor, an Operator Data and the Walidata (API tokens), and prints per page and viewer the SQL
statements each side runs (on every engine) and the median wall time, with the ratios ours/stock. It repeats that
with 0, 100 and 1,000 datasets waiting for the Walidata (state Disetujui).

Databases of its own, made afresh for each run: `ckan_bench_<--name>` (default costs; bench/serve.py), or those of
--ckan-ini, which are emptied first and must be a benchmark's (`ckan_bench…`), never a portal's or the tests'.
Datasets are created once through the real actions (a template with its resource, moved through the workflow), then
copied with INSERT … SELECT (the extras where the CKAN version keeps them: adapters.py) and indexed with
`search.rebuild`. Says what it needs and stops when a service is missing. A run takes a few minutes;
tests/test_bench.py runs it for a few seconds with tiny sizes.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

# What a stock CKAN 2.11 with scheming, the DataStore, xloader, activity, DCAT and datatables loads (as bench/serve.py):
# our plugins left out, scheming's own example schemas instead of ours.
STOCK = {"ckan.plugins": "activity scheming_datasets scheming_organizations datastore xloader datatables_view dcat "
                         "structured_data",
         "scheming.dataset_schemas": "ckanext.scheming:ckan_dataset.yaml",
         "scheming.organization_schemas": "ckanext.scheming:org_with_dept_id.json",
         "scheming.presets": "ckanext.scheming:presets.json",
         "ckanext.dcat.rdf.profiles": "euro_dcat_ap_2"}
VIEWERS = ("anonymous", "operator", "walidata")


# --- the workers ----------------------------------------------------------------------------------------------------

def _app(ini: str, stock: bool):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(ini)
    if stock:
        config.update(STOCK)
        config["ckan.site_id"] += "_stock"  # its own search index, built by stock CKAN from the same rows
    return make_app(config)


def _counted():
    """Statements run on any engine (CKAN's, the DataStore's, xloader's): the seeding may replace CKAN's engine."""
    import sqlalchemy as sa
    counted = []
    sa.event.listen(sa.engine.Engine, "before_cursor_execute",
                    lambda _conn, _cursor, statement, *_a: counted.append(statement))
    return counted


def _profiler():
    import cProfile
    profile = cProfile.Profile()
    profile.enable()
    return profile


def _profile_text(profile, sort: str) -> str:
    import io
    import pstats
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    if sort.startswith("callers:"):
        stats.print_callers(sort.split(":", 1)[1])
    else:
        stats.sort_stats(sort).print_stats(400)
    return out.getvalue()


def worker(ini: str, stock: bool) -> None:
    """Answers one JSON command per line on stdin: `get` a page, `seed`, `wait` (datasets waiting)."""
    app = _app(ini, stock)
    import ckan.model as model
    from ckan.tests.helpers import CKANTestApp
    client = CKANTestApp(app)
    counted = _counted()
    tokens: dict[str, str] = {}
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "tokens":
            tokens = command["tokens"]
            reply = {}
        elif command["cmd"] == "get":
            headers = {"Authorization": tokens[command["viewer"]]} if command["viewer"] != "anonymous" else {}
            counted.clear()
            profile = _profiler() if command.get("profile") else None
            start = time.perf_counter()
            for _ in range(command.get("repeat", 1)):
                response = client.get(command["path"], headers=headers)
            seconds = (time.perf_counter() - start) / command.get("repeat", 1)
            reply = {"status": response.status_code, "statements": len(counted), "seconds": seconds}
            if command.get("log"):
                reply["log"] = list(counted)
            if profile:
                reply["profile"] = _profile_text(profile, command["profile"])
        else:
            with app._wsgi_app.test_request_context():
                reply = globals()[command["cmd"]](**command.get("args", {}))
            model.Session.remove()
        print(json.dumps(reply), flush=True)


# --- the data (run in the worker with our plugins) ------------------------------------------------------------------

def seed(published: int, reset: bool = True) -> dict:
    import sqlalchemy as sa

    import ckan.model as model
    import ckan.tests.factories as factories
    import ckan.tests.helpers as helpers
    from ckan.cli.db import _run_migrations
    from ckan.lib import search

    from ckanext.satudata_blitar.tests import world as world_module

    if reset:  # a fresh copy of the template is empty already (emptying it drops and migrates every table)
        helpers.reset_db()
    if not sa.inspect(model.meta.engine).has_table("satudata_data_element"):
        _run_migrations("activity")
        _run_migrations("satudata_blitar")
    search.clear_all()
    orgs = {name: factories.Organization(name=name, title=name.replace("-", " ").title())
            for name in ("diskominfotik", "dinas-kesehatan", "bappeda")}
    users = {}
    for viewer, membership in world_module.VIEWERS.items():
        if viewer == "anonymous":
            continue
        factory = factories.SysadminWithToken if viewer == "sysadmin" else factories.UserWithToken
        users[viewer] = factory(name=viewer.replace("_", "-"))
        if membership:
            helpers.call_action("organization_member_create", id=membership[1], username=users[viewer]["name"],
                                role=membership[0])
    world = world_module.World(users=users, orgs=orgs)
    template = world_module.dataset_in_state(world, "terbit", name="templat")
    _copies(template["id"], "terbit-", published - 1, "terbit")
    return {"tokens": {viewer: users[viewer]["token"] for viewer in ("operator", "walidata")},
            "dataset": template["name"], "opd": "dinas-kesehatan"}


def new_tokens() -> dict:
    """API tokens for the seeded operator and Walidata (to measure an already seeded database again)."""
    import ckan.plugins.toolkit as tk
    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    return {viewer: tk.get_action("api_token_create")({"user": site}, {"user": viewer, "name": "bench"})["token"]
            for viewer in ("operator", "walidata")}


def wait(waiting: int) -> dict:
    """Datasets waiting for the Walidata (Disetujui) up to `waiting`."""
    import ckan.model as model
    have = model.Session.query(model.Package).filter(model.Package.name.like("menunggu-%")).count()
    template = model.Package.get("templat")
    _copies(template.id, "menunggu-", waiting - have, "disetujui", start=have)
    return {"waiting": waiting}


def reindex() -> dict:
    """The whole index of this worker's site id, rebuilt by this worker's plugins."""
    from ckan.lib import search
    search.rebuild(defer_commit=True, quiet=True, clear=True)
    search.commit()
    return {}


def _copies(template_id: str, prefix: str, n: int, state: str, start: int = 0) -> None:
    """n copies of the template dataset (package, extras, tags, resource) in `state`, indexed."""
    if n <= 0:
        return
    import sqlalchemy as sa

    import ckan.model as model
    from ckan.lib import search

    from ckanext.satudata_blitar import adapters
    params = {"t": template_id, "prefix": prefix, "first": start + 1, "last": start + n, "state": state,
              "private": state != "terbit"}
    extras = adapters.extras_insert_sql(f"SELECT :prefix || g || '-' || :t, x.key, x.value FROM "
                                        f"({adapters.extras_rows_sql()}) x, generate_series(:first, :last) g "
                                        "WHERE x.package_id = :t")
    for statement in COPY.split(";\n") + [extras]:
        if statement.strip():
            model.Session.execute(sa.text(statement), params)
    model.Session.commit()
    ids = [row[0] for row in model.Session.execute(
        sa.text("SELECT id FROM package WHERE name LIKE :p || '%' AND name <> 'templat' "
                "AND substring(name from length(:p) + 1)::int BETWEEN :first AND :last"),
        {"p": prefix, "first": start + 1, "last": start + n})]
    search.rebuild(package_ids=ids, defer_commit=True)
    search.commit()


COPY = """
INSERT INTO package (id, name, title, version, url, notes, author, author_email, maintainer, maintainer_email,
                     license_id, type, owner_org, private, state, metadata_created, metadata_modified, creator_user_id)
SELECT :prefix || g || '-' || p.id, :prefix || g, p.title || ' ' || g, p.version, p.url, p.notes, p.author,
       p.author_email, p.maintainer, p.maintainer_email, p.license_id, p.type, p.owner_org, :private, 'active',
       now() - g * interval '1 minute', now() - g * interval '1 minute', p.creator_user_id
FROM package p, generate_series(:first, :last) g WHERE p.id = :t;

INSERT INTO package_tag (id, package_id, tag_id, state)
SELECT t.id || '-' || :prefix || g, :prefix || g || '-' || :t, t.tag_id, t.state
FROM package_tag t, generate_series(:first, :last) g WHERE t.package_id = :t;

INSERT INTO resource (id, package_id, url, format, description, name, position, url_type, extras, state, created,
                      last_modified, mimetype, size)
SELECT r.id || '-' || :prefix || g, :prefix || g || '-' || :t, r.url, r.format, r.description, r.name, r.position,
       r.url_type, r.extras, r.state, r.created, r.last_modified, r.mimetype, r.size
FROM resource r, generate_series(:first, :last) g WHERE r.package_id = :t;

INSERT INTO satudata_dataset_status (package_id, state, changed_at)
SELECT :prefix || g || '-' || :t, :state, now() - g * interval '1 minute' FROM generate_series(:first, :last) g;

INSERT INTO satudata_workflow_event (package_id, owner_org, transition, from_state, to_state, actor_id, actor_role,
                                     created_at)
SELECT :prefix || g || '-' || :t, p.owner_org, e.transition, e.from_state, e.to_state, e.actor_id, e.actor_role,
       e.created_at
FROM package p, satudata_workflow_event e, generate_series(:first, :last) g
WHERE p.id = :t AND e.package_id = :t AND (:state = 'terbit' OR e.transition <> 'terbitkan')
"""


# --- the parent -----------------------------------------------------------------------------------------------------

class Worker:
    def __init__(self, ini: str, stock: bool):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--ckan-ini", ini, "--worker", "stock" if stock else "ours"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ready(self) -> None:
        assert self.ask(None)["ready"]

    def ask(self, command: dict | None) -> dict:
        if command is not None:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("a worker stopped (see its error above)")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def pages(seeded: dict, viewers: tuple[str, ...] = VIEWERS) -> list[tuple[str, str, str]]:
    dataset, opd = seeded["dataset"], seeded["opd"]
    public = [("/", "home"), ("/dataset/", "/dataset/"), ("/dataset/?q=Templat&sort=score+desc", "/dataset/?q="),
              (f"/dataset/{dataset}", "dataset page"), (f"/organization/{opd}", "OPD page"),
              (f"/api/3/action/package_show?id={dataset}", "API package_show"),
              ("/api/3/action/package_search?facet.field=[\"organization\",\"tags\"]&rows=20", "API package_search")]
    return [(path, label, viewer) for viewer in viewers for path, label in public] + [
        ("/dashboard/datasets", "/dashboard/datasets", viewer) for viewer in viewers if viewer != "anonymous"]


def own_database(args: argparse.Namespace) -> tuple[str, bool]:
    """The ini to run on and whether its database must be emptied first: --ckan-ini (a benchmark's database,
    emptied) or, by default, databases of its own made afresh (empty already)."""
    import configparser
    import re

    import serve
    serve.require(server=False)
    if args.ckan_ini:
        config = configparser.ConfigParser(interpolation=None, strict=False)
        config.read(args.ckan_ini)
        url = config["app:main"].get("sqlalchemy.url", "") if config.has_section("app:main") else ""
        if not re.search(r"/ckan_bench[a-z0-9_]*$", url):
            serve.stop_if_missing([f"{args.ckan_ini}: its database ({url or 'none'}) is emptied by this benchmark, "
                                   "so it must be a benchmark's (ckan_bench…); leave --ckan-ini out for databases "
                                   "of its own"])
        return args.ckan_ini, True
    serve.create_databases(args.name, fresh=True)
    return str(serve.write_ini(args.name, 0)), False


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="costs", help="databases ckan_bench_<name> … (default costs)")
    parser.add_argument("--ckan-ini", help="a benchmark's config instead (its database is emptied)")
    parser.add_argument("--worker", choices=("ours", "stock"))
    parser.add_argument("--published", type=int, default=60)
    parser.add_argument("--waiting", default="0,100,1000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--viewers", default=",".join(VIEWERS), help=f"who asks (default {','.join(VIEWERS)})")
    args = parser.parse_args()
    viewers = tuple(args.viewers.split(","))
    if set(viewers) - set(VIEWERS):
        parser.error(f"--viewers: one or more of {', '.join(VIEWERS)}")
    if args.worker:
        return worker(args.ckan_ini, args.worker == "stock")
    import serve
    serve.check_name(args.name)
    ini, reset = own_database(args)
    ours, stock = Worker(ini, False), Worker(ini, True)  # both load CKAN at the same time
    try:
        ours.ready()
        stock.ready()
        start = time.perf_counter()
        seeded = ours.ask({"cmd": "seed", "args": {"published": args.published, "reset": reset}})
        for side in (ours, stock):
            side.ask({"cmd": "tokens", "tokens": seeded["tokens"]})
        print(f"seeded {args.published} published datasets in {time.perf_counter() - start:.0f} s")
        for waiting in (int(n) for n in args.waiting.split(",")):
            ours.ask({"cmd": "wait", "args": {"waiting": waiting}})
            stock.ask({"cmd": "reindex"})
            measured = {key: {"ours": [], "stock": []} for key in pages(seeded, viewers)}
            for round_ in range(args.rounds + 1):  # the first round warms up (templates, caches) and is not kept
                for key in measured:
                    path, _label, viewer = key
                    # Whoever goes second finds PostgreSQL's and the OS's caches warmed by the first: the order
                    # alternates from round to round.
                    order = (("ours", ours), ("stock", stock))
                    for name, side in order if round_ % 2 else order[::-1]:
                        reply = side.ask({"cmd": "get", "path": path, "viewer": viewer})
                        if reply["status"] != 200:
                            raise SystemExit(f"{name} {viewer} {path}: HTTP {reply['status']}")
                        if round_:
                            measured[key][name].append(reply)
            print(f"\n{waiting} datasets waiting for the Walidata, {args.rounds} interleaved rounds")
            print(f"{'page':<22} {'viewer':<10} {'SQL ours':>8} {'stock':>6} {'ratio':>6}   "
                  f"{'ms ours':>8} {'stock':>7} {'ratio':>6}")
            for (path, label, viewer), sides in measured.items():
                sql = {name: max(r["statements"] for r in replies) for name, replies in sides.items()}
                ms = {name: 1000 * statistics.median(r["seconds"] for r in replies) for name, replies in sides.items()}
                print(f"{label:<22} {viewer:<10} {sql['ours']:>8} {sql['stock']:>6} "
                      f"{sql['ours'] / max(sql['stock'], 1):>6.2f}   {ms['ours']:>8.1f} {ms['stock']:>7.1f} "
                      f"{ms['ours'] / ms['stock']:>6.2f}", flush=True)
    finally:
        ours.close()
        stock.close()


if __name__ == "__main__":
    main()
