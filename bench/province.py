"""Benchmark: a province-sized portal (a province that harvests its cities: Jawa Timur has 38) and what it costs.

    .venv/bin/python bench/province.py [--datasets 100000] [--opds 1000] [--elements 50000] [--sample 5000]
    .venv/bin/python bench/province.py --help

Databases of its own, `ckan_bench_<--name>` (default province; bench/serve.py), ports of its own, and four steps
(--steps, each printing how long each part took):

- build: a small Kota Blitar made through the Action API (bench/world.py: --api-opds OPDs with bench/load.py's
  people, so `bench/load.py --name province` works on this world, and one dataset published through the real
  workflow), then in SQL, never through the API: the OPDs up to --opds (copies of the first OPD's row, each with an
  Operator Data and a Verifikator OPD copied from the first OPD's), --datasets copies of the published dataset
  (world.clone: package, extras, resource, view, upload check, membership, state), a workflow history for each
  (INSERT … SELECT generate_series, ten events per dataset on average, as bench/reports.py writes them, each chain
  ending in the dataset's state: published after 5, 10 or 15 events, or --in-progress datasets still on their way
  after 14, 10 or 6, a third each in Disetujui, Terverifikasi OPD and Diajukan, so two thirds of them wait for
  the Walidata's roles), and --elements rows of the year's daftar elemen data (three in four provided by one of
  the OPD's datasets).
- index: both variants' search indexes hold every dataset. Measured: the same --sample datasets (every n-th copy)
  indexed by CKAN's own `search.rebuild` (what `ckan search-index rebuild` runs per dataset, commits deferred) by
  ours and by stock CKAN, in processes of their own, interleaved ours, stock, stock, ours (--index-rounds pairs),
  the time per dataset and ours/stock. Not measured: a full `ckan search-index rebuild` of every dataset (hours on
  2 shared cores). Filled in bulk, not measured: the rest of the index, one document per dataset made by the
  variant's own index code (CKAN's `index_package`, captured before it is sent) for a template dataset of each
  state, cloned with each copy's id, name, title, OPD, dates and index id and sent in batches to Solr's JSON update.
- reports: bench/reports.py --existing on this world: the monitoring and evaluation reports of a year, time and
  peak RSS of that process (targets: under 5 s and 500 MB).
- pages: both variants served side by side (bench/serve.py), asked in turn as bench/pages.py asks them (its Timer
  and report): the Walidata's /dashboard/datasets and the verification queue /verifikasi (ours) against stock's
  /dashboard/datasets (target: ≤ 1.10), the search page and API package_search with a query, anonymous (target:
  ≤ 1.05).

Made once and reused (the world file names its sizes; --fresh makes it again). tests/test_bench.py runs it with
tiny sizes; the figures come from by-hand runs (docs/benchmarks.md).
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402
import pages  # noqa: E402
import serve  # noqa: E402
import world  # noqa: E402

NAME = "province"
PREFIX = "bench-prov"  # the copies: bench-prov-000001 …
OPD_PREFIX = "bench-prov-opd"  # the OPDs made in SQL: bench-prov-opd-0006 …
SEARCH = "penduduk"  # in every copy's metadata (world.METADATA's definisi)
# Paths through the workflow per kind of copy, as bench/reports.py writes them: (transition, from, to, hours after
# the start). Kinds 0–2 are still on their way (14, 10 and 6 events), 3–5 published (5, 10 and 15): ten events per
# dataset on average in either group.
_RETURNED_TWICE = [("buat", None, "draf", 0), ("ajukan", "draf", "diajukan", 2),
                   ("kembalikan_opd", "diajukan", "perlu_perbaikan", 20),
                   ("ajukan", "perlu_perbaikan", "diajukan", 50),
                   ("verifikasi_opd", "diajukan", "terverifikasi_opd", 60),
                   ("kembalikan_walidata", "terverifikasi_opd", "perlu_perbaikan", 80),
                   ("ajukan", "perlu_perbaikan", "diajukan", 100),
                   ("verifikasi_opd", "diajukan", "terverifikasi_opd", 110),
                   ("verifikasi_walidata", "terverifikasi_opd", "disetujui", 130),
                   ("terbitkan", "disetujui", "terbit", 140)]
_AGAIN = [("tarik", "terbit", "perlu_perbaikan", 400), ("ajukan", "perlu_perbaikan", "diajukan", 420),
          ("verifikasi_opd", "diajukan", "terverifikasi_opd", 430),
          ("verifikasi_walidata", "terverifikasi_opd", "disetujui", 450), ("terbitkan", "disetujui", "terbit", 470)]
PATHS = {
    0: _RETURNED_TWICE + _AGAIN[:4],  # 14 events, waits for publication (Disetujui)
    1: _RETURNED_TWICE[:2] + [("kembalikan_opd", "diajukan", "perlu_perbaikan", 30),
                              ("ajukan", "perlu_perbaikan", "diajukan", 40),
                              ("verifikasi_opd", "diajukan", "terverifikasi_opd", 50),
                              ("verifikasi_walidata", "terverifikasi_opd", "disetujui", 70),
                              ("terbitkan", "disetujui", "terbit", 90), ("tarik", "terbit", "perlu_perbaikan", 300),
                              ("ajukan", "perlu_perbaikan", "diajukan", 320),
                              ("verifikasi_opd", "diajukan", "terverifikasi_opd", 330)],  # 10, Terverifikasi OPD
    2: _RETURNED_TWICE[:4] + [("kembalikan_opd", "diajukan", "perlu_perbaikan", 40),
                              ("ajukan", "perlu_perbaikan", "diajukan", 60)],  # 6, Diajukan
    3: [("buat", None, "draf", 0), ("ajukan", "draf", "diajukan", 3),
        ("verifikasi_opd", "diajukan", "terverifikasi_opd", 20),
        ("verifikasi_walidata", "terverifikasi_opd", "disetujui", 30), ("terbitkan", "disetujui", "terbit", 40)],
    4: _RETURNED_TWICE,  # 10, published
    5: _RETURNED_TWICE + _AGAIN,  # 15, published, withdrawn and published again
}
END_STATE = {kind: path[-1][2] for kind, path in PATHS.items()}


def log(message: str) -> None:
    print(message, flush=True)


class Clock:
    """Prints how long each part took."""

    def __init__(self, step: str):
        self.step, self.start = step, time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        log(f"{self.step}: {what} in {now - self.start:.1f} s")
        self.start = now


# --- build -----------------------------------------------------------------------------------------------------------

def sizes(args) -> dict:
    return {"datasets": args.datasets, "opds": args.opds, "api_opds": args.api_opds, "elements": args.elements,
            "in_progress": args.in_progress}


def saved(args) -> dict | None:
    """The world file of an earlier build of the same sizes whose databases are still there."""
    path = world.world_path(args.name)
    made = json.loads(path.read_text()) if path.exists() and not args.fresh else {}
    if made.get("province", {}).get("sizes") == sizes(args) and serve.database_ready(args.name):
        return made
    return None


def pid(g: int, count: int) -> str:
    return f"{PREFIX}-{g:0{max(4, len(str(count)))}d}"


def kind_of(g: int, count: int, in_progress: int) -> int:
    """The path of copy g (same rule as events_sql): the last `in_progress` copies are on their way."""
    return g % 3 if g > count - in_progress else 3 + g % 3


def opd_sql(db: str, made: dict, count: int) -> str:
    """The OPDs after the API's, copies of the first one, each with an Operator Data and a Verifikator OPD copied
    from that OPD's first (their password and all, no API token: the pages measured need none)."""
    first = made["opds"][0]
    api_opds = len(made["opds"])
    statements = ["BEGIN",
                  f"CREATE TEMP TABLE o AS SELECT g, {world.copy_name(OPD_PREFIX, count)} AS oid, "
                  f"'Provinsi OPD ' || lpad(g::text, {max(4, len(str(count)))}, '0') AS title "
                  f"FROM generate_series({api_opds + 1}, {count}) g"]
    statements.append(world.copy_sql(db, "group", "o", f"t.id = '{first}'",
                                     {"id": "o.oid", "name": "o.oid", "title": "o.title"}))
    extras = world.copy_sql(db, "group_extra", "o", f"t.group_id = '{first}' AND t.state = 'active'",
                            {"id": "o.oid || '-' || t.id", "group_id": "o.oid"})
    if extras:  # CKAN 2.11 keeps an OPD's extras in their own table (2.12: a column of "group", copied above)
        statements.append(extras)
    for capacity in (world.OPERATOR, world.VERIFIKATOR_OPD):
        user = world.users_of(made, capacity, first)[0]["name"]
        who = f"'{PREFIX}-{capacity}-' || o.g"
        statements.append(world.copy_sql(db, "user", "o", f"t.name = '{user}'", {
            "id": who, "name": who, "email": who + " || '@example.org'", "apikey": "NULL", "fullname": who}))
        statements.append(world.copy_sql(
            db, "member", "o", f"t.group_id = '{first}' AND t.table_name = 'user' AND t.state = 'active' "
            f"AND t.table_id = (SELECT id FROM \"user\" WHERE name = '{user}')",
            {"id": who + " || '-m'", "table_id": who, "group_id": "o.oid"}))
    return ";\n".join([*statements, "COMMIT"]) + ";\n"


def events_sql(count: int, in_progress: int, actor: str) -> str:
    """Each copy's history (PATHS; starts spread over 300 days of 2026) and its state, privacy and state time
    from the history's last event."""
    width = max(4, len(str(count)))
    steps = ",\n  ".join(f"({kind}, {n}, '{t}', {'NULL' if f is None else repr(f)}, '{to}', {hours})"
                         for kind, path in PATHS.items() for n, (t, f, to, hours) in enumerate(path))
    return f"""BEGIN;
CREATE TEMP TABLE k AS SELECT g, '{PREFIX}-' || lpad(g::text, {width}, '0') AS pid,
  CASE WHEN g > {count - in_progress} THEN g % 3 ELSE 3 + g % 3 END AS kind,
  TIMESTAMP '2026-01-01' + (g % 300) * INTERVAL '1 day' + (g % 7) * INTERVAL '1 hour' AS t0
FROM generate_series(1, {count}) g;
INSERT INTO satudata_workflow_event (package_id, owner_org, transition, from_state, to_state, actor_id, actor_role,
                                     created_at)
SELECT k.pid, p.owner_org, s.transition, s.from_state, s.to_state, '{actor}', 'sysadmin',
       k.t0 + s.hours * INTERVAL '1 hour'
FROM k JOIN package p ON p.id = k.pid
JOIN (VALUES
  {steps}) AS s(kind, n, transition, from_state, to_state, hours) ON s.kind = k.kind
ORDER BY k.g, s.n;
UPDATE satudata_dataset_status d SET state = e.to_state, changed_at = e.created_at
FROM (SELECT DISTINCT ON (package_id) package_id, to_state, created_at FROM satudata_workflow_event
      WHERE package_id LIKE '{PREFIX}-%' ORDER BY package_id, created_at DESC, id DESC) e
WHERE d.package_id = e.package_id;
UPDATE package SET private = true WHERE id IN (SELECT pid FROM k WHERE kind < 3);
COMMIT;
"""


def elements_sql(count: int, elements: int, orgs: list[str]) -> str:
    """`elements` rows of 2026's daftar elemen data, as many per OPD, three in four provided by one of the OPD's
    copies (copy g is in orgs[g % len(orgs)]), a third priority, targets spread over the year."""
    n = len(orgs)
    per = -(-elements // n)
    width = max(4, len(str(count)))
    return f"""INSERT INTO satudata_data_element (id, tahun, owner_org, nama, data_prioritas, tanggal_target,
                                   package_id, created_at, modified_at)
SELECT '{PREFIX}-el-' || o.i || '-' || e, 2026, o.id, 'Elemen ' || e, e % 3 = 0, DATE '2026-01-31' + (e * 7 % 330),
       CASE WHEN e % 4 <> 0 AND o.i - 1 + {n} * e <= {count}
            THEN '{PREFIX}-' || lpad((o.i - 1 + {n} * e)::text, {width}, '0') END, now(), now()
FROM unnest(ARRAY[{', '.join(repr(o) for o in orgs)}]) WITH ORDINALITY AS o(id, i), generate_series(1, {per}) e
WHERE (o.i - 1) * {per} + e <= {elements};
"""


def build(args, ours_ini: Path, url: str) -> dict:
    name, db = args.name, serve.databases(args.name)[0]
    clock = Clock("build")
    with serve.jobs_worker(ours_ini, f"{name}-worker"), httpx.Client(base_url=url, timeout=120) as client:
        made = world.make(client, ours_ini, name, opds=args.api_opds, per_role=load.PER_ROLE)
        template, _resource = world.publish(client, made, "bench-template")
    clock.lap(f"{args.api_opds} OPDs, their people and one dataset published through the Action API")
    serve.psql_admin("", db=db, stdin=opd_sql(db, made, args.opds), timeout=3600)
    orgs = made["opds"] + serve.psql_admin(
        f"SELECT id FROM \"group\" WHERE name LIKE '{OPD_PREFIX}-%' ORDER BY name", db=db).split()
    clock.lap(f"{len(orgs) - args.api_opds} OPDs and {2 * (len(orgs) - args.api_opds)} people copied (SQL)")
    world.clone(db, template["id"], PREFIX, args.datasets, orgs, "terbit", events=False)
    clock.lap(f"{args.datasets} datasets copied (SQL: package, extras, resource, view, upload check, membership, "
              "state)")
    actor = serve.psql_admin("SELECT id FROM \"user\" WHERE name = 'bench-admin'", db=db).strip()
    serve.psql_admin("", db=db, stdin=events_sql(args.datasets, args.in_progress, actor), timeout=3600)
    events = int(serve.psql_admin(f"SELECT count(*) FROM satudata_workflow_event WHERE package_id LIKE "
                                  f"'{PREFIX}-%'", db=db))
    clock.lap(f"{events} workflow events and the states they lead to (SQL)")
    serve.psql_admin(elements_sql(args.datasets, args.elements, orgs), db=db, timeout=3600)
    clock.lap(f"{args.elements} data elements (SQL)")
    serve.psql_admin("VACUUM ANALYZE", db=db, timeout=3600)
    clock.lap("VACUUM ANALYZE")
    states = serve.psql_admin("SELECT state || ' ' || count(*) FROM satudata_dataset_status GROUP BY state "
                              "ORDER BY state", db=db).split("\n")
    log(f"build: states now: {', '.join(s for s in states if s)}")
    made["province"] = {"sizes": sizes(args), "orgs": orgs, "template": template["id"]}
    world.world_path(name).write_text(json.dumps(made, indent=1))
    return made


# --- index -----------------------------------------------------------------------------------------------------------

def index_templates(made: dict, args) -> dict[str, int]:
    """A copy per state to clone index documents from, in an OPD made in SQL if one has such a copy (their names
    are of one width: no name is a part of another)."""
    count, n, api_opds = args.datasets, len(made["province"]["orgs"]), args.api_opds
    chosen: dict[str, int] = {}
    for sql_opd_only in (True, False):
        for g in range(1, count + 1):
            state = END_STATE[kind_of(g, count, args.in_progress)]
            if state not in chosen and (g % n >= api_opds or not sql_opd_only):
                chosen[state] = g
    return chosen


def sample_ids(args) -> list[str]:
    step = max(1, args.datasets // max(1, args.sample))
    return [pid(g, args.datasets) for g in range(step, args.datasets + 1, step)][:args.sample]


def child(mode: str, ini: Path, spec: dict, timeout: float = 7200) -> dict:
    """This file in a CKAN process of its own (the variant's plugins): its last line of output, JSON."""
    done = subprocess.run([sys.executable, __file__, mode, str(ini)], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{mode} ({ini.name}) failed: {done.stderr.strip()[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def index(args, made: dict) -> dict:
    name, db = args.name, serve.databases(args.name)[0]
    clock = Clock("index")
    orgs = made["province"]["orgs"]
    rows = serve.psql_admin(f"SELECT id, name, title FROM \"group\" WHERE id IN "
                            f"({', '.join(repr(o) for o in orgs)})", db=db)
    opds = {r.split("|")[0]: r.split("|")[1:] for r in rows.splitlines() if r}
    ids = serve.psql_admin(f"SELECT id FROM package WHERE id NOT LIKE '{PREFIX}-%' AND state = 'active' "
                           "AND type = 'dataset'", db=db).split()
    spec = {"count": args.datasets, "in_progress": args.in_progress, "orgs": [[o, *opds[o]] for o in orgs],
            "templates": index_templates(made, args), "width": max(4, len(str(args.datasets))),
            "others": ids, "solr": f"http://127.0.0.1:{serve.SOLR_PORT}/solr/ckan"}
    for stock in (False, True):
        serve.clear_index(name, stock)
        result = child("--index-bulk", serve.ini_path(name, stock), spec)
        clock.lap(f"{'stock' if stock else 'ours'}: {result['sent']} documents cloned from {result['templates']} "
                  f"made by its own index code and sent to Solr ({result['seconds']:.0f} s of it sending), "
                  f"{len(ids)} other datasets indexed by CKAN")
    sample = sample_ids(args)
    measured: dict[str, list[float]] = {"ours": [], "stock": []}
    order = ["ours", "stock", "stock", "ours"] * args.index_rounds
    for variant in order:
        result = child("--index-sample", serve.ini_path(name, variant == "stock"), {"ids": sample})
        measured[variant].append(result["seconds"])
        log(f"index: {variant} indexed {result['indexed']} datasets with CKAN's search.rebuild in "
            f"{result['seconds']:.1f} s ({1000 * result['seconds'] / result['indexed']:.1f} ms and "
            f"{result['statements'] / result['indexed']:.1f} SQL statements a dataset; start-up "
            f"{result['startup']:.1f} s not counted)")
    ours, stock = (sum(measured[v]) / len(measured[v]) / len(sample) * 1000 for v in ("ours", "stock"))
    ratio = ours / stock
    log(f"index: sample of {len(sample)} datasets, {2 * args.index_rounds} runs per variant, interleaved: ours "
        f"{ours:.2f} ms a dataset, stock {stock:.2f} ms, ours/stock {ratio:.2f} "
        f"({'met' if ratio <= 1.10 else 'MISSED'}: target ≤ 1.10); a full rebuild of {args.datasets} at these "
        f"rates: ours {ours * args.datasets / 60000:.0f} min, stock {stock * args.datasets / 60000:.0f} min "
        "(estimated, not measured)")
    counts = {variant: solr_count(name, variant == "stock") for variant in ("ours", "stock")}
    log(f"index: documents in the index: ours {counts['ours']}, stock {counts['stock']}")
    return {"ms_per_dataset": {"ours": ours, "stock": stock}, "ratio": ratio, "sample": len(sample),
            "documents": counts}


def solr_count(name: str, stock: bool) -> int:
    query = urllib.parse.urlencode({"q": "*:*", "fq": f'site_id:"{serve.site_id(name, stock)}"', "rows": 0,
                                    "wt": "json"})
    with urllib.request.urlopen(f"http://127.0.0.1:{serve.SOLR_PORT}/solr/ckan/select?{query}", timeout=60) as r:
        return json.load(r)["response"]["numFound"]


def _load_ckan(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    return make_app(load_config(ini))


def _index_bulk(ini: str, spec: dict) -> dict:
    """In the variant's CKAN: its index documents of the templates (CKAN's index_package, captured instead of
    sent), cloned for every copy and sent to Solr in batches; the other datasets indexed by CKAN itself."""
    app = _load_ckan(ini)
    import ckan.lib.search as search
    import ckan.lib.search.index as index_module
    from ckan.common import config
    captured: list[dict] = []

    class Capture:
        def add(self, docs, commit=False):
            captured.extend(docs)

    width, count = spec["width"], spec["count"]
    site_id = config.get("ckan.site_id")
    with app._wsgi_app.test_request_context():
        real = index_module.make_connection
        index_module.make_connection = lambda *a, **k: Capture()
        try:
            templates = {}
            for state, g in spec["templates"].items():
                captured.clear()
                search.rebuild(package_ids=[f"{PREFIX}-{g:0{width}d}"], defer_commit=True)
                templates[state] = (g, captured[0])
        finally:
            index_module.make_connection = real
        orgs = spec["orgs"]
        n = len(orgs)

        def stamp(text: str, minutes: int) -> str:
            """An ISO date `minutes` earlier (the copies' dates are the template's minus g minutes: world.clone)."""
            import datetime
            return (datetime.datetime.fromisoformat(text) - datetime.timedelta(minutes=minutes)).isoformat()

        patterns = {}
        for state, (g, doc) in templates.items():
            org = orgs[g % n]
            doc = {k: v for k, v in doc.items() if k != "_version_"}
            tokens = {"pid": f"{PREFIX}-{g:0{width}d}", "org_id": org[0], "org_name": org[1], "org_title": org[2],
                      "title": doc["title"], "index_id": doc["index_id"]}
            for field in ("metadata_modified", "metadata_created"):  # Solr's (…Z) and the stored dicts' dates
                if doc.get(field):
                    tokens[field] = doc[field].rstrip("Z")
            text = json.dumps(doc, default=str)
            order = sorted(tokens, key=lambda k: -len(tokens[k]))
            regex = re.compile("|".join(re.escape(tokens[k]) for k in order))
            patterns[state] = (g, text, regex, {tokens[k]: k for k in order}, tokens)
        sent, batch, started = 0, [], time.perf_counter()
        solr = spec["solr"]

        def post(docs: list[str]) -> None:
            body = ("[" + ",".join(docs) + "]").encode()
            request = urllib.request.Request(f"{solr}/update", data=body,
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=600):
                pass

        for g in range(1, count + 1):
            kind = g % 3 if g > count - spec["in_progress"] else 3 + g % 3
            state = END_STATE[kind]
            g0, text, regex, names, tokens = patterns[state]
            org = orgs[g % n]
            copy_pid = f"{PREFIX}-{g:0{width}d}"
            values = {"pid": copy_pid, "org_id": org[0], "org_name": org[1], "org_title": org[2],
                      "title": tokens["title"][:-len(str(g0))] + str(g),
                      "index_id": hashlib.md5(f"{copy_pid}{site_id}".encode()).hexdigest()}
            for field in ("metadata_modified", "metadata_created"):
                if field in tokens:
                    values[field] = stamp(tokens[field], g - g0)
            batch.append(regex.sub(lambda m: values[names[m.group(0)]], text))
            if len(batch) == 2000:
                post(batch)
                sent, batch = sent + len(batch), []
        if batch:
            post(batch)
            sent += len(batch)
        search.rebuild(package_ids=spec["others"], defer_commit=True)
        search.commit()
        return {"sent": sent, "templates": len(templates), "seconds": time.perf_counter() - started}


def _index_sample(ini: str, spec: dict) -> dict:
    """CKAN's own indexing of the sample, timed without the start-up: what `ckan search-index rebuild` does for
    each dataset (commits deferred, one at the end), and as it does it: outside any request, so nothing a request
    remembers (the workflow state, the checks' findings) is remembered from one dataset to the next. The SQL
    statements are counted."""
    started = time.perf_counter()
    _load_ckan(ini)
    import ckan.lib.search as search
    import ckan.model as model
    from sqlalchemy import event
    statements = [0]

    def count(*_args):
        statements[0] += 1
    startup = time.perf_counter() - started
    event.listen(model.meta.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    search.rebuild(package_ids=spec["ids"], defer_commit=True)
    search.commit()
    return {"indexed": len(spec["ids"]), "seconds": time.perf_counter() - started, "startup": startup,
            "statements": statements[0]}


# --- reports and pages -----------------------------------------------------------------------------------------------

def reports(args) -> str:
    """bench/reports.py --existing on this world, in a process of its own (its peak RSS is the report's)."""
    done = subprocess.run([sys.executable, str(Path(__file__).parent / "reports.py"), "--existing",
                           "--ckan-ini", str(serve.write_ini(args.name, 0))], capture_output=True, text=True,
                          timeout=3600)
    if done.returncode:
        raise RuntimeError(f"reports.py failed: {done.stderr.strip()[-3000:]}")
    for line in done.stdout.strip().splitlines():
        log(f"reports: {line}")
    return done.stdout


PAGES = [  # pages.Page: ours' path, stock's when stock has no such page; its target by who asks
    pages.Page("Walidata /dashboard/datasets", "walidata", "/dashboard/datasets"),
    pages.Page("Walidata /verifikasi", "walidata", "/verifikasi", pages.STOCK_DASHBOARD, pages.STOCK_DASHBOARD),
    pages.Page("search page q=", "anonymous", f"/dataset/?q={SEARCH}"),
    pages.Page("API package_search q=", "anonymous", f"/api/3/action/package_search?q={SEARCH}&rows=20"),
]


def measure_pages(args, made: dict, ours: str, stock: str) -> int:
    """Every page of PAGES asked of both variants in turn, rounds in a shuffled order; prints the figures and
    whether each target is met; the number of answers that were not a 200."""
    tokens = {"anonymous": None, "walidata": made["users"][world.WALIDATA][0]["token"]}
    timer = pages.Timer({"ours": ours, "stock": stock})
    try:
        for round_ in range(args.warmup + args.rounds):
            for page in random.sample(PAGES, len(PAGES)):
                timer.ask(page.label, page, tokens[page.who], record=round_ >= args.warmup)
    finally:
        timer.close()
    rows = pages.report(timer, [(page.label, page) for page in PAGES])
    for row in rows:
        ratio = row["median"][0] / row["median"][1]
        log(f"target {row['page']}: median ours/stock {ratio:.3f} ≤ {row['target']:.2f}: "
            f"{'met' if ratio <= row['target'] else 'MISSED'}")
    log(f"pages: {args.rounds} rounds, {args.workers} gunicorn workers per variant, {len(timer.errors)} errors")
    for error in timer.errors[:20]:
        log(f"  error: {error}")
    return len(timer.errors)


def main(argv: list[str] | None = None) -> int:
    p = serve.parser(__doc__, NAME)
    p.set_defaults(workers=2, max_minutes=240)
    p.add_argument("--datasets", type=int, default=100000, help="datasets copied (default 100000)")
    p.add_argument("--opds", type=int, default=1000, help="OPDs in all (default 1000)")
    p.add_argument("--api-opds", type=int, default=5, help="of them made through the API, with bench/load.py's "
                   "people and their API tokens (default 5)")
    p.add_argument("--elements", type=int, default=50000, help="rows of the daftar elemen data (default 50000)")
    p.add_argument("--in-progress", type=int, default=1500, help="datasets still on their way through the "
                   "workflow, two thirds of them waiting for the Walidata's roles (default 1500)")
    p.add_argument("--sample", type=int, default=5000, help="datasets indexed by CKAN per timed run (default 5000)")
    p.add_argument("--index-rounds", type=int, default=1, help="ours, stock, stock, ours this many times "
                   "(default 1: two runs each)")
    p.add_argument("--rounds", type=int, default=30, help="counted rounds of the pages (default 30)")
    p.add_argument("--warmup", type=int, default=3, help="rounds not counted first (default 3)")
    p.add_argument("--steps", default="build,index,reports,pages", help="what to do (default all: "
                   "build,index,reports,pages; build is skipped when the world of these sizes is there)")
    p.add_argument("--seed", type=int, default=15)
    args = p.parse_args(argv)
    steps = set(args.steps.split(","))
    if args.opds <= args.api_opds or args.in_progress > args.datasets:
        p.error("--opds must exceed --api-opds and --in-progress cannot exceed --datasets")
    random.seed(args.seed)
    serve.require()
    name = args.name
    port, stock_port = serve.free_port(), serve.free_port()
    ours_ini = serve.write_ini(name, port)
    stock_ini = serve.write_ini(name, stock_port, stock=True)
    started = time.perf_counter()
    errors = 0
    with serve.deadline(int(args.max_minutes * 60)):
        made = saved(args)
        if made is None and "build" not in steps:
            serve.stop_if_missing([f"no province world of these sizes in {serve.databases(name)[0]}: run the "
                                   "build step first"])
        if made is None:
            serve.create_databases(name, fresh=True)
            world.world_path(name).unlink(missing_ok=True)
            with serve.served(ours_ini, port, 1, f"{name}-build") as url:
                made = build(args, ours_ini, url)
        else:
            log(f"build: the world of these sizes is there ({serve.databases(name)[0]}), reused")
        if "index" in steps:
            made["province"]["index"] = index(args, made)
            world.world_path(name).write_text(json.dumps(made, indent=1))
        if "reports" in steps:
            reports(args)
        if "pages" in steps:
            with serve.served(ours_ini, port, args.workers, f"{name}-ours") as ours, \
                    serve.served(stock_ini, stock_port, args.workers, f"{name}-stock") as stock:
                log(f"pages: ours at {ours} and stock at {stock}")
                errors += measure_pages(args, made, ours, stock)
    log(f"province: done in {time.perf_counter() - started:.0f} s, {errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    if sys.argv[1:2] in (["--index-bulk"], ["--index-sample"]):
        work = _index_bulk if sys.argv[1] == "--index-bulk" else _index_sample
        print(json.dumps(work(sys.argv[2], json.loads(sys.stdin.read()))))
        sys.exit(0)
    sys.exit(main())
