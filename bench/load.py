"""Benchmark: the portal under many people at once, and nothing of the workflow lost or doubled (issue 15).

    make bench-load [BENCH_ARGS="--users 10,25,50 --seconds 60 --workers 4"]
    .venv/bin/python bench/load.py --help

The portal served as in production (bench/serve.py: gunicorn with --workers processes plus one `ckan jobs worker`)
on databases of its own, `ckan_bench_<--name>` (default load), on a port of its own (never SATUDATA_WEB_PORT's:
`make run`'s portal may be up) and checked to be its own server, with a small Kota Blitar (bench/world.py: --opds
OPDs, five by default, with two Operator Data and two Verifikator OPD each, three Verifikator Kominfotik, three
Walidata) and one published dataset with a loaded table.
At each level of --users, that many virtual people work at once for --seconds, each waiting --think seconds
(0.5–1.5 × on average) between steps, with an async httpx client:

- visitors (60 %): the home page, /dataset/, a search, a dataset page, an OPD page, API package_search and
  package_show, DataStore queries (datastore_search with a filter and a full-text query), the DataStore's CSV
  download and the uploaded file's download;
- Operator Data (20 %): a new dataset (package_create), its table uploaded (resource_create, multipart), the upload
  check polled until the jobs worker has loaded it, then submitted (ajukan); a returned dataset is submitted again;
  now and then the dashboard;
- Verifikator OPD (10 %), Verifikator Kominfotik (5 %), Walidata (5 %): their queue (satudata_verification_queue),
  then a random waiting dataset verified, returned (one in ten, with a reason) or published; two people of a role
  may pick the same dataset: one wins, the other gets the workflow's 409, counted as a lost race, not an error.

Per level: requests/s, p50/p95/p99 (ms) and errors per kind of request (5xx, time-outs, refused connections and
unexpected 4xx). Then the checks against the database and the index: every transition acknowledged is recorded
exactly once (no lost, no doubled, none recorded that was refused), each dataset's events form one chain from its
creation to its current state, `private` follows the state, and the anonymous search and package_show see
exactly the published ones. Exit status 1 when any error or check fails. Target: zero errors and zero lost or
doubled transitions at 50 users. Loopback only; stops by itself (--max-minutes). Says what it needs and stops when a
service or package is missing. tests/test_bench.py runs it for a few seconds with tiny sizes.
"""
from __future__ import annotations

import asyncio
import collections
import datetime
import json
import random
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve  # noqa: E402
import world  # noqa: E402

NAME = "load"  # the default --name: databases ckan_bench_load, datastore_bench_load
PER_ROLE = {world.OPERATOR: 2, world.VERIFIKATOR_OPD: 2, world.VERIFIKATOR_KOMINFOTIK: 3, world.WALIDATA: 3}
SHARES = [(world.OPERATOR, 0.20), (world.VERIFIKATOR_OPD, 0.10), (world.VERIFIKATOR_KOMINFOTIK, 0.05),
          (world.WALIDATA, 0.05)]
# What the workflow answers when another person moved the dataset first (the conditional UPDATE lost, or the state
# read before the move is no longer the dataset's): a race lost, not a fault.
RACE_LOST = ("Someone else changed", "is not possible while", "baru saja diubah oleh pengguna lain",
             "tidak dapat dilakukan selama")


class Run:
    """Everything the virtual people measured and did at one level."""

    def __init__(self, client: httpx.AsyncClient, made: dict, tag: str, users: int, think: float, end: float):
        self.client, self.made, self.tag, self.users, self.think, self.end = client, made, tag, users, think, end
        self.times: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.error_samples: list[str] = []
        self.transitions: list[dict] = []  # every transition asked: package, name, outcome
        self.created: list[str] = []
        self.elapsed = 0.0

    def running(self) -> bool:
        return time.monotonic() < self.end

    async def pause(self) -> None:
        await asyncio.sleep(self.think * random.uniform(0.5, 1.5))

    async def request(self, kind: str, method: str, path: str, token: str | None = None, ok=(200,),
                      **kwargs) -> httpx.Response | None:
        headers = {"Authorization": token} if token else {}
        start = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            self._error(kind, type(error).__name__, path)
            return None
        self.times[kind].append((time.perf_counter() - start) * 1000)
        if response.status_code not in ok:
            self._error(kind, str(response.status_code), f"{path}: {response.text[:300]}")
        return response

    def _error(self, kind: str, reason: str, detail: str) -> None:
        self.errors[(kind, reason)] += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{kind} {reason} {detail}")

    async def action(self, kind: str, action: str, token: str | None, files=None, ok=(200,), **data):
        if files:
            response = await self.request(kind, "POST", f"/api/3/action/{action}", token, ok=ok, files=files,
                                          data={k: str(v) for k, v in data.items()})
        else:
            response = await self.request(kind, "POST", f"/api/3/action/{action}", token, ok=ok, json=data)
        return response.json().get("result") if response is not None and response.status_code == 200 else None

    async def transition(self, kind: str, person: dict, package_id: str, name: str, note: str | None = None) -> bool:
        data = {"id": package_id, "transition": name, **({"note": note} if note else {})}
        start = time.perf_counter()
        try:
            response = await self.client.post("/api/3/action/satudata_transition", json=data,
                                               headers={"Authorization": person["token"]})
        except httpx.HTTPError as error:
            self._error(kind, type(error).__name__, package_id)
            self.transitions.append({"package": package_id, "transition": name, "outcome": "unknown"})
            return False
        self.times[kind].append((time.perf_counter() - start) * 1000)
        if response.status_code == 200:
            outcome = "ok"
        elif response.status_code == 409 and any(words in response.text for words in RACE_LOST):
            outcome = "race lost"
            self.errors[(kind, "race lost (409, expected)")] += 1
        else:
            outcome = "refused"
            self._error(kind, str(response.status_code), f"{package_id} {name}: {response.text[:300]}")
        self.transitions.append({"package": package_id, "transition": name, "outcome": outcome})
        return outcome == "ok"


# --- the people ------------------------------------------------------------------------------------------------------

async def visitor(run: Run, place: dict) -> None:
    dataset, resource = place["dataset"], place["resource"]
    steps = [
        ("page home", "/"), ("page /dataset/", "/dataset/"), ("page search", "/dataset/?q=penduduk"),
        ("page dataset", f"/dataset/{dataset}"), ("page OPD", f"/organization/{place['opd']}"),
        ("API package_search", "/api/3/action/package_search?q=data&rows=10"),
        ("API package_show", f"/api/3/action/package_show?id={dataset}"),
        ("DataStore search", f"/api/3/action/datastore_search?resource_id={resource}&limit=50&filters="
                             '{"kecamatan":"Sukorejo"}'),
        ("DataStore search", f"/api/3/action/datastore_search?resource_id={resource}&q=Sananwetan&limit=20"),
        ("download DataStore CSV", f"/datastore/dump/{resource}?format=csv"),
        ("download file", place["file"]),
    ]
    while run.running():
        kind, path = random.choice(steps)
        await run.request(kind, "GET", path)
        await run.pause()


async def operator(run: Run, person: dict, number: int) -> None:
    n = 0
    while run.running():
        queue = await run.action("operator queue", "satudata_verification_queue", person["token"]) or []
        returned = [item for item in queue if "ajukan" in item["transitions"]]
        if returned:
            await run.transition("operator submit", person, random.choice(returned)["id"], "ajukan")
        else:
            n += 1
            name = f"load-{run.tag}-u{run.users}-{number}-{n}"
            dataset = await run.action("operator create", "package_create", person["token"], name=name,
                                       title=f"Data {name}", notes="Data uji beban.", owner_org=person["org"],
                                       **world.METADATA)
            if dataset is None:
                continue
            run.created.append(dataset["id"])
            resource = await run.action("operator upload", "resource_create", person["token"],
                                        files={"upload": (f"{name}.csv", world.table_csv(seed=n), "text/csv")},
                                        package_id=dataset["id"], name="Data", format="CSV")
            if resource is None:
                continue
            # The worker loads it; the operator looks at the check until it is there (bounded).
            waited_until = time.monotonic() + 240
            status = "pending"
            while status == "pending" and time.monotonic() < waited_until:
                await asyncio.sleep(1)
                check = await run.action("operator upload check", "satudata_upload_check", person["token"],
                                         id=resource["id"])
                status = (check or {}).get("status", "pending")
            if status not in ("ok", "warning"):
                run._error("operator upload check", f"load {status}", resource["id"])
                continue
            await run.transition("operator submit", person, dataset["id"], "ajukan")
        if random.random() < 0.2:
            await run.request("page dashboard", "GET", "/dashboard/datasets", person["token"])
        await run.pause()


async def verifier(run: Run, person: dict, kind: str) -> None:
    """A verifier or the Walidata: the queue, then one waiting dataset moved on (or returned)."""
    while run.running():
        queue = await run.action(f"{kind} queue", "satudata_verification_queue", person["token"]) or []
        doable = [item for item in queue if item["transitions"]]
        if doable:
            item = random.choice(doable)
            names = item["transitions"]
            forward = [t for t in names if t.startswith(("verifikasi", "terbitkan"))]
            back = [t for t in names if t.startswith("kembalikan")]
            if back and (not forward or random.random() < 0.1):
                await run.transition(f"{kind} return", person, item["id"], back[0], note="Perbaiki metadata.")
            elif forward:
                name = "terbitkan" if "terbitkan" in forward else forward[0]
                await run.transition(f"{kind} {'publish' if name == 'terbitkan' else 'verify'}", person,
                                     item["id"], name)
        elif random.random() < 0.3:
            await run.request(f"page {kind} home", "GET", "/", person["token"])
        await run.pause()


def people(users: int) -> list[tuple[str, int]]:
    """How many of each role at this level (at least one of each), visitors making up the rest."""
    counts = [(role, max(1, round(users * share))) for role, share in SHARES]
    return [("visitor", users - sum(n for _, n in counts)), *counts]


async def level(url: str, made: dict, place: dict, users: int, seconds: float, think: float, tag: str) -> Run:
    limits = httpx.Limits(max_connections=users + 10, max_keepalive_connections=users + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        run = Run(client, made, tag, users, think, time.monotonic() + seconds)
        tasks = []
        for role, count in people(users):
            for i in range(count):
                if role == "visitor":
                    tasks.append(visitor(run, place))
                    continue
                accounts = made["users"][role]
                person = accounts[i % len(accounts)]
                tasks.append(operator(run, person, i) if role == world.OPERATOR else
                             verifier(run, person, {world.VERIFIKATOR_OPD: "verifier OPD",
                                                    world.VERIFIKATOR_KOMINFOTIK: "verifier Kominfotik",
                                                    world.WALIDATA: "Walidata"}[role]))
        started = time.monotonic()
        # Everyone ends the step under way after the level's time; an operator's wait for a load is bounded too.
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 400)
        run.elapsed = time.monotonic() - started
    return run


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(run: Run, users: int) -> int:
    every = [t for values in run.times.values() for t in values]
    total = len(every)
    real_errors = sum(n for (kind, reason), n in run.errors.items() if not reason.startswith("race lost"))
    print(f"\n== {users} users: {total} requests in {run.elapsed:.0f} s = {total / run.elapsed:.1f} requests/s, "
          f"p50/p95/p99 {percentile(every, .5):.0f}/{percentile(every, .95):.0f}/{percentile(every, .99):.0f} ms, "
          f"{real_errors} errors")
    print(f"{'kind':<28} {'n':>5} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  errors")
    for kind in sorted(run.times):
        values = run.times[kind]
        errors = ", ".join(f"{reason}: {n}" for (k, reason), n in sorted(run.errors.items()) if k == kind)
        print(f"{kind:<28} {len(values):5d} {len(values) / run.elapsed:6.2f} {percentile(values, .5):7.0f} "
              f"{percentile(values, .95):7.0f} {percentile(values, .99):7.0f}  {errors}")
    for (kind, reason), n in sorted(run.errors.items()):
        if kind not in run.times:
            print(f"{kind:<28} {'':>5} {'':>6} {'':>7} {'':>7} {'':>7}  {reason}: {n}")
    for sample in run.error_samples[:10]:
        print("  e.g.", sample)
    return real_errors


# --- afterwards: the database and the index agree with what was acknowledged ------------------------------------------

def check(url: str, db: str, runs: list[Run], since: datetime.datetime) -> list[str]:
    """What went wrong in the records; empty when every transition is recorded exactly once and visibility holds.
    `since`: the run's start (UTC); the queues may also hand out datasets left waiting by an earlier run."""
    import psycopg2
    problems: list[str] = []
    asked = [t for run in runs for t in run.transitions]
    created = [pid for run in runs for pid in run.created]
    touched = sorted(set(created) | {t["package"] for t in asked})
    with psycopg2.connect(serve.pg_url(db)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT package_id, transition, from_state, to_state, created_at "
                       "FROM satudata_workflow_event WHERE package_id = ANY(%s) ORDER BY id", (touched,))
        events = cursor.fetchall()
        cursor.execute("SELECT p.id, p.name, p.private, s.state FROM package p LEFT JOIN satudata_dataset_status s "
                       "ON s.package_id = p.id WHERE p.id = ANY(%s)", (touched,))
        datasets = {row[0]: row[1:] for row in cursor.fetchall()}
    recorded = collections.Counter((pid, name) for pid, name, _, _, at in events if name != "buat" and at >= since)
    acknowledged = collections.Counter((t["package"], t["transition"]) for t in asked if t["outcome"] == "ok")
    unknown = collections.Counter((t["package"], t["transition"]) for t in asked if t["outcome"] == "unknown")
    lost = acknowledged - recorded
    doubled = recorded - acknowledged - unknown
    if lost:
        problems.append(f"{sum(lost.values())} transitions acknowledged but not recorded: {list(lost)[:5]}")
    if doubled:
        problems.append(f"{sum(doubled.values())} transitions recorded more often than acknowledged "
                        f"(doubled, or recorded though refused): {list(doubled)[:5]}")
    chains: dict[str, list] = collections.defaultdict(list)
    for pid, name, source, target, _ in events:
        chains[pid].append((name, source, target))
    for pid in touched:
        chain = chains.get(pid, [])
        if [c[0] for c in chain].count("buat") != 1 or chain[0][0] != "buat":
            problems.append(f"{pid}: not exactly one creation event first")
            continue
        if any(chain[i][1] != chain[i - 1][2] for i in range(1, len(chain))):
            problems.append(f"{pid}: events do not form one chain: {chain}")
        name, private, state = datasets[pid]
        if state != chain[-1][2]:
            problems.append(f"{name}: state {state} but the last event leads to {chain[-1][2]}")
        if private != (state != "terbit"):
            problems.append(f"{name}: private={private} in state {state}")
    published = {datasets[pid][0] for pid in touched if datasets[pid][2] == "terbit"}
    with httpx.Client(base_url=url, timeout=120) as client:
        seen = set()
        for start in range(0, len(touched), 50):  # by id (a dataset of an earlier run may have moved on too)
            ids = " OR ".join(f'"{pid}"' for pid in touched[start:start + 50])
            found = client.get("/api/3/action/package_search", params={
                "fq": f"id:({ids})", "rows": 1000, "fl": "name"}).json()["result"]["results"]
            seen |= {d["name"] for d in found}
        if seen != published:
            problems.append(f"anonymous search: {len(seen - published)} unpublished seen, "
                            f"{len(published - seen)} published missing")
        for pid in random.sample(touched, min(40, len(touched))):
            status = client.get("/api/3/action/package_show", params={"id": pid}).status_code
            if (status == 200) != (datasets[pid][2] == "terbit"):
                problems.append(f"anonymous package_show {datasets[pid][0]} ({datasets[pid][2]}): {status}")
    outcomes = collections.Counter(t["outcome"] for t in asked)
    states = collections.Counter(d[2] for d in datasets.values())
    print(f"\nchecked {len(touched)} datasets ({len(created)} created), {len(events)} events; transitions asked: "
          f"{dict(outcomes)}; states now: {dict(states)}")
    return problems


def prepare(args, ini: Path, url: str) -> tuple[dict, dict]:
    with httpx.Client(base_url=url, timeout=120) as client:
        made = world.make(client, ini, args.name, opds=args.opds, per_role=PER_ROLE)
        if "place" not in made:
            dataset, resource = world.publish(client, made, "load-template")
            opd = world.call(client, "organization_show", id=dataset["owner_org"])["name"]
            made["place"] = {"dataset": dataset["name"], "resource": resource["id"], "opd": opd,
                             "file": httpx.URL(resource["url"]).path}
            world.world_path(args.name).write_text(json.dumps(made, indent=1))
    return made, made["place"]


def main(argv: list[str] | None = None) -> int:
    p = serve.parser(__doc__, NAME)
    p.add_argument("--users", default="10,25,50", help="concurrent people per level (default 10,25,50)")
    p.add_argument("--seconds", type=float, default=60, help="length of each level (default 60)")
    p.add_argument("--think", type=float, default=1.0, help="mean pause between a person's steps, s (default 1)")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--opds", type=int, default=5, help="OPDs, each with its Operator Data and Verifikator OPD "
                   "(default 5)")
    args = p.parse_args(argv)
    levels = [int(u) for u in args.users.split(",")]
    random.seed(args.seed)
    serve.require()
    name = args.name
    # A port of its own, never the portal's: `make run` may be serving on SATUDATA_WEB_PORT meanwhile.
    port = serve.free_port()
    ini = serve.write_ini(name, port)
    failed = 0
    with serve.deadline(int(args.max_minutes * 60)):
        if serve.create_databases(name, args.fresh):
            world.world_path(name).unlink(missing_ok=True)
        with serve.served(ini, port, args.workers, name) as url, serve.jobs_worker(ini, f"{name}-worker"):
            made, place = prepare(args, ini, url)
            print(f"serving {url}: {args.workers} gunicorn workers and one jobs worker; levels {levels}, "
                  f"{args.seconds:.0f} s each, think time {args.think} s")
            tag = time.strftime("%m%d%H%M%S")
            since = datetime.datetime.utcnow()  # the events' clock (workflow/transitions.py: utcnow)
            runs = []
            for users in levels:
                run = asyncio.run(level(url, made, place, users, args.seconds, args.think, f"{tag}"))
                runs.append(run)
                failed += report(run, users)
            problems = check(url, serve.databases(name)[0], runs, since)
    print("records: every transition recorded exactly once, visibility follows the state" if not problems else
          "records: PROBLEMS")
    for problem in problems[:30]:
        print("  ", problem)
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
