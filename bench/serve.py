"""Harness of the benchmarks: the portal served as in production, on databases and ports of its own, stopping by
itself.

    .venv/bin/python bench/serve.py [--name pages] [--stock] [--workers 4] [--minutes 10]   # serve one by hand

As docker/ runs it: a WSGI server with several worker processes (gunicorn here, uWSGI in the image; sync workers,
one app per process, loaded after the fork like uWSGI's --lazy-apps) plus the jobs worker (`ckan jobs worker`,
xloader's loads), on the services of services/services.sh at this checkout's ports (SATUDATA_PG_PORT, …), loopback
only. A benchmark runs anywhere, whether or not `make run`'s portal is up:

- ports of its own: free ports the kernel hands out, checked free, never the portal's (SATUDATA_WEB_PORT);
- its own server: each server started gets a secret nonce (bench/wsgi.py puts it in every answer's
  X-Satudata-Bench header) and the benchmark talks to it only once that nonce answers: another server on the
  port is refused with a message, not measured;
- databases of its own, `ckan_bench_<name>` and `datastore_bench_<name>` (--name; never the portal's ckan_default
  nor the tests' ckan_test*): copies of a migrated template (`ckan_benchtpl_<key>`, made once per CKAN version and
  set of migrations with `ckan db init` and the DataStore's permissions, then copied in a second), Redis database
  3 (CKAN scopes its queues and our session keys by site id) and a Solr site id per variant;
- what it needs checked first (`require`): the services, the virtualenv's CKAN and gunicorn, psql; a missing one
  is named, with how to get it, and the benchmark stops before it starts anything.

Variants:
- ours:  .services/bench-<name>.ini, the plugins of test.ini (every one of ours);
- stock: .services/bench-<name>-stock.ini, the same database and settings with what a stock CKAN with
  scheming, the DataStore, xloader, activity, DCAT and datatables would load: our plugins left out, scheming's
  own example schemas (ckan_dataset.yaml, org_with_dept_id.json) instead of ours, DCAT-AP 2 without our profile.
  Its search index is its own (site id `…_stock`), built by stock CKAN from the same rows.

Every process started here is in a session of its own and is ended with its whole group in a `finally`; `deadline`
bounds a whole run (SIGALRM), so nothing outlives the benchmark. `drop(name)` removes what a benchmark made (its
databases, search index entries, Redis keys, files). The figures come from by-hand runs; tests/test_bench.py runs
each benchmark for a few seconds with tiny sizes.
"""
from __future__ import annotations

import argparse
import configparser
import contextlib
import hashlib
import importlib.metadata
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

try:
    import httpx
except ImportError:  # named by require(): pip install -e '.[bench]'
    httpx = None

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("SATUDATA_STATE_DIR", ROOT / ".services"))
# The generated inis' logging sections, the same as services/portal.sh writes.
LOGGING_SECTIONS = (ROOT / "services" / "logging-sections.ini").read_text()
VENV = Path(os.environ.get("VENV", ROOT / ".venv"))
CKAN = str(VENV / "bin" / "ckan")
PG_PORT = int(os.environ.get("SATUDATA_PG_PORT", "54321"))
REDIS_PORT = int(os.environ.get("SATUDATA_REDIS_PORT", "63791"))
SOLR_PORT = int(os.environ.get("SATUDATA_SOLR_PORT", "8983"))
# `make run`'s portal: a benchmark never serves on it nor talks to it.
PORTAL_PORT = int(os.environ.get("SATUDATA_WEB_PORT", "5000"))
REDIS_DB = 3  # the portal uses 0, the tests 1, make test-ckan 2
# The header bench/wsgi.py adds to every answer: the nonce of the server that answered.
NONCE_HEADER = "X-Satudata-Bench"
NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,40}$")
TEMPLATE_VERSION = 2  # what template() puts in the template databases: raise it when that changes


def _test_ini_plugins() -> list[str]:
    """The plugins of test.ini: the portal's (ckanext/satudata_blitar/settings.ini, which test.ini uses, as `make run`
    and docker/ load them)."""
    config = configparser.ConfigParser(interpolation=None, strict=False)
    config.read(ROOT / "ckanext" / "satudata_blitar" / "settings.ini")
    return config["app:main"]["ckan.plugins"].split()


OURS_PLUGINS = " ".join(_test_ini_plugins())
# Stock: the same list without ours (satudata_blitar, satudata_interop, satudata_chart).
STOCK_PLUGINS = " ".join(p for p in _test_ini_plugins() if not p.startswith("satudata"))


def pg_url(db: str, user: str = "ckan_default") -> str:
    return f"postgresql://{user}:pass@127.0.0.1:{PG_PORT}/{db}"


def psql_admin(sql: str, db: str = "postgres", stdin: str | None = None, timeout: float = 600) -> str:
    """SQL as the cluster's superuser (database creation, the DataStore's grants); returns unaligned rows."""
    command = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(PG_PORT),
               "-U", "postgres", "-d", db]
    command += ["-c", sql] if sql else []
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"psql failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


class CannotRun(SystemExit):
    """What a benchmark needs and does not have: the message says what and how to get it (exit status 2)."""

    def __init__(self, problems: list[str]):
        super().__init__(2)
        self.problems = problems

    def __str__(self) -> str:
        return f"{Path(sys.argv[0]).name}: cannot run:\n" + "\n".join(f"  - {p}" for p in self.problems)


def stop_if_missing(problems: list[str]) -> None:
    """Prints what is missing and ends the benchmark with status 2 when anything is."""
    if problems:
        error = CannotRun(problems)
        print(error, file=sys.stderr, flush=True)
        raise error


def missing(server: bool = True) -> list[str]:
    """What this benchmark needs and does not find, checked before it starts anything: the virtualenv's CKAN (and
    gunicorn and httpx for a served benchmark), psql, and PostgreSQL, Redis and Solr at this checkout's ports."""
    problems = []
    if not Path(CKAN).exists():
        problems.append(f"CKAN is not installed in {VENV}: run `make install` (or set VENV to a virtualenv with "
                        "CKAN and this package installed with `pip install -e '.[bench]'`)")
    if server and not (VENV / "bin" / "gunicorn").exists():
        problems.append(f"gunicorn is not installed in {VENV}: `{VENV}/bin/pip install -e '.[bench]'` "
                        "(make install does)")
    if server and httpx is None:
        problems.append("httpx is not installed: `pip install -e '.[bench]'` (make install does)")
    up = "`make services` starts it (services/services.sh start)"
    if shutil.which("psql") is None:
        problems.append("psql, PostgreSQL's client, is missing: `services/services.sh deps` installs it")
    else:
        try:
            psql_admin("SELECT 1", timeout=10)
        except (RuntimeError, subprocess.TimeoutExpired):
            problems.append(f"PostgreSQL does not answer on 127.0.0.1:{PG_PORT} (SATUDATA_PG_PORT) as postgres: "
                            f"{up}")
    try:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=5) as s:
            s.sendall(b"PING\r\n")
            if not s.recv(64).startswith(b"+PONG"):
                raise OSError
    except OSError:
        problems.append(f"Redis does not answer on 127.0.0.1:{REDIS_PORT} (SATUDATA_REDIS_PORT): {up}")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{SOLR_PORT}/solr/ckan/admin/ping?wt=json", timeout=10):
            pass
    except (OSError, urllib.error.URLError):
        problems.append(f"Solr's core `ckan` does not answer on 127.0.0.1:{SOLR_PORT} (SATUDATA_SOLR_PORT): {up}")
    return problems


def require(server: bool = True) -> None:
    stop_if_missing(missing(server))


def check_name(name: str) -> str:
    """A benchmark's name, part of its database names (ckan_bench_<name>)."""
    if not NAME_PATTERN.match(name):
        stop_if_missing([f"--name {name!r}: lowercase letters, digits and _ only, at most 40"])
    return name


def databases(name: str) -> tuple[str, str]:
    """The benchmark's databases: CKAN's and the DataStore's."""
    return f"ckan_bench_{name}", f"datastore_bench_{name}"


def site_id(name: str, stock: bool = False) -> str:
    return f"satudata_blitar_bench_{name}{'_stock' if stock else ''}"


def ini_path(name: str, stock: bool = False) -> Path:
    return STATE / f"bench-{name}{'-stock' if stock else ''}.ini"


def write_ini(name: str, port: int, stock: bool = False, dbs: tuple[str, str] | None = None) -> Path:
    """The variant's config: production settings (no `testing`, no debug), this checkout's services."""
    main_db, datastore_db = dbs or databases(name)
    if stock:
        plugin_settings = f"""ckan.plugins = {STOCK_PLUGINS}
scheming.dataset_schemas = ckanext.scheming:ckan_dataset.yaml
scheming.organization_schemas = ckanext.scheming:org_with_dept_id.json
ckanext.dcat.rdf.profiles = euro_dcat_ap_2"""
    else:
        plugin_settings = f"""ckan.plugins = {OURS_PLUGINS}
scheming.dataset_schemas = ckanext.satudata_blitar:metadata/schemas/dataset.yaml ckanext.satudata_blitar:metadata/schemas/kegiatan.yaml
scheming.organization_schemas = ckanext.satudata_blitar:metadata/schemas/organization.yaml
scheming.presets = ckanext.scheming:presets.json ckanext.satudata_blitar:metadata/schemas/presets.yaml
ckanext.dcat.rdf.profiles = euro_dcat_ap_2 satudata_blitar
# No SMTP server here: the transitions' mails are not sent.
ckanext.satudata_blitar.notify_by_email = false
# The bench's datasets carry no MS-Keg or column descriptions: submission is not refused for them (the completeness
# of each is still computed and shown on the pages measured).
ckanext.satudata_blitar.completeness.enforce = false"""
    STATE.mkdir(parents=True, exist_ok=True)
    path = ini_path(name, stock)
    variant = "stock CKAN" if stock else "ours"
    path.write_text(f"""# Generated by bench/serve.py: the benchmark portal "{name}" ({variant}). Do not edit.
[app:main]
use = egg:ckan
debug = false
SECRET_KEY = satudata-blitar-bench-secret
ckan.site_id = {site_id(name, stock)}
ckan.site_url = http://127.0.0.1:{port}
ckan.site_title = Satu Data Kota Blitar
sqlalchemy.url = {pg_url(main_db)}
ckan.datastore.write_url = {pg_url(datastore_db)}
ckan.datastore.read_url = {pg_url(datastore_db, "datastore_default")}
ckan.datastore.sqlsearch.enabled = true
ckanext.xloader.jobs_db.uri = {pg_url(main_db)}
solr_url = http://127.0.0.1:{SOLR_PORT}/solr/ckan
ckan.redis.url = redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}
ckan.storage_path = {STATE}/storage-bench-{name}
ckan.uploads_enabled = true
{plugin_settings}
ckanext.dcat.structured_data.profiles = schemaorg
ckan.locale_default = id
ckan.locales_offered = id en
ckan.display_timezone = Asia/Jakarta
ckan.views.default_views = datatables_view
ckan.auth.create_unowned_dataset = false
ckan.csrf_protection.ignore_extensions = false
ckan.tracking_enabled = false

{LOGGING_SECTIONS}""")
    return path


def _exists(db: str) -> bool:
    return bool(psql_admin(f"SELECT 1 FROM pg_database WHERE datname = '{db}'").strip())


def database_ready(name: str) -> bool:
    return all(_exists(db) for db in databases(name))


def template_key() -> str:
    """What the template's schema depends on: the CKAN and plugin versions installed and our migrations."""
    versions = [f"{package}=={importlib.metadata.version(package)}" for package in
                ("ckan", "ckanext-xloader", "ckanext-scheming", "ckanext-dcat")]
    ours = sorted(path.name for path in (ROOT / "ckanext/satudata_blitar/migration/satudata_blitar/versions")
                  .glob("*.py"))
    return hashlib.sha256(json.dumps([TEMPLATE_VERSION, versions, ours]).encode()).hexdigest()[:12]


def template() -> tuple[str, str]:
    """The migrated pair every benchmark's databases are copied from, made once per template_key(): `ckan db init`
    (CKAN's and every plugin's migrations) and the DataStore's permissions, about 20 s, against a second for a copy.
    Built under names of this process, then renamed: a benchmark started meanwhile elsewhere builds its own and
    keeps whichever pair was renamed first."""
    key = template_key()
    names = (f"ckan_benchtpl_{key}", f"datastore_benchtpl_{key}")
    if all(_exists(db) for db in names):
        return names
    build = f"tplbuild_{os.getpid()}"
    building = (f"ckan_benchtpl_{key}_{os.getpid()}", f"datastore_benchtpl_{key}_{os.getpid()}")
    for db in building:
        psql_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        psql_admin(f"CREATE DATABASE {db} OWNER ckan_default")
    ini = write_ini(build, 0, dbs=building)
    try:
        print(f"bench: making the template databases {names[0]} and {names[1]} (once per CKAN version and set "
              "of migrations)", flush=True)
        ckan_command(ini, "db", "init", timeout=600)
        psql_admin("", db=building[1], stdin=ckan_command(ini, "datastore", "set-permissions", timeout=300))
        # The sysadmin bench/world.py starts from, with an API token (valid in every copy: the same SECRET_KEY), so
        # that a benchmark does not start CKAN once more to make one.
        made = subprocess.run([sys.executable, str(ROOT / "bench" / "world.py"), "--sysadmin-token", str(ini)],
                              capture_output=True, text=True, timeout=300, check=True)
        token = made.stdout.strip().splitlines()[-1]
        psql_admin(f"CREATE TABLE bench_admin_token AS SELECT '{token}'::text AS token", db=building[0])
        for db, final in zip(building, names):
            with contextlib.suppress(RuntimeError):  # another process renamed its copy first
                psql_admin(f"ALTER DATABASE {db} RENAME TO {final}")
    finally:
        ini.unlink(missing_ok=True)
        shutil.rmtree(STATE / f"storage-bench-{build}", ignore_errors=True)
        for db in building:
            psql_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    return names


def create_databases(name: str, fresh: bool = False) -> bool:
    """The benchmark's two databases, migrated (ours: every plugin's tables), copied from the template; True when
    they were made now."""
    if fresh:
        drop_databases(name)
    if database_ready(name):
        return False
    drop_databases(name)  # half a pair, from a run that was killed
    main_db, datastore_db = databases(name)
    for db, source in zip((main_db, datastore_db), template()):
        for attempt in range(20):
            try:
                psql_admin(f"CREATE DATABASE {db} TEMPLATE {source} OWNER ckan_default")
                break
            except RuntimeError as error:  # the template is being copied by another benchmark this instant
                if "being accessed by other users" not in str(error) or attempt == 19:
                    raise
                time.sleep(0.5)
    # What the DataStore's set-permissions grants on the databases themselves (a copy has no such grant).
    psql_admin(f"REVOKE CONNECT ON DATABASE {main_db} FROM datastore_default; "
               f"GRANT CONNECT ON DATABASE {datastore_db} TO datastore_default")
    return True


def drop_databases(name: str) -> None:
    for db in databases(name):
        psql_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def clear_index(name: str, stock: bool = False) -> None:
    """Empties the variant's part of the search index (its site id's documents), as CKAN 2.11's `search-index
    rebuild --clear` did (2.12 has no such option)."""
    body = json.dumps({"delete": {"query": f'site_id:"{site_id(name, stock)}"'}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{SOLR_PORT}/solr/ckan/update?commit=true", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60):
        pass


def drop(name: str) -> None:
    """Everything a benchmark named `name` made: its databases, both variants' search index entries and Redis keys,
    its config files, world file, storage and logs."""
    drop_databases(name)
    for stock in (False, True):
        clear_index(name, stock)
        with contextlib.suppress(ImportError):
            import redis
            connection = redis.Redis(port=REDIS_PORT, db=REDIS_DB)
            for key in connection.scan_iter(f"*{site_id(name, stock)}:*"):
                connection.delete(key)
        ini_path(name, stock).unlink(missing_ok=True)
    (STATE / f"bench-{name}-world.json").unlink(missing_ok=True)
    shutil.rmtree(STATE / f"storage-bench-{name}", ignore_errors=True)
    for log in [*(STATE / "log").glob(f"bench-{name}-*.log"), STATE / "log" / f"bench-{name}.log"]:
        log.unlink(missing_ok=True)


def port_free(port: int) -> bool:
    """Nobody listens on 127.0.0.1:port (nor holds it): we can bind it now."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port of our own: one the kernel hands out free, checked free, never the portal's (SATUDATA_WEB_PORT)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != PORTAL_PORT and port_free(port):
            return port


def _stop(process: subprocess.Popen, label: str) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _log(label: str) -> Path:
    (STATE / "log").mkdir(parents=True, exist_ok=True)
    return STATE / "log" / f"bench-{label}.log"


class NotOurServer(RuntimeError):
    """The port answered, but not with the nonce of the server this benchmark started."""


@contextlib.contextmanager
def served(ini: Path, port: int, workers: int, label: str, start_timeout: float = 300) -> Iterator[str]:
    """gunicorn serving CKAN from `ini` on 127.0.0.1:port; yields the base URL once every worker answers with this
    server's nonce, stops the whole group afterwards."""
    if port == PORTAL_PORT:
        raise NotOurServer(f"port {port} is the portal's (SATUDATA_WEB_PORT): a benchmark serves on a port of its "
                           "own (free_port)")
    log = _log(label).open("a")
    nonce = secrets.token_hex(16)
    env = {**os.environ, "CKAN_INI": str(ini), "SATUDATA_BENCH_NONCE": nonce}
    # Sync workers as uWSGI's processes; the timeout ends a stuck request like the image's --harakiri.
    process = subprocess.Popen(
        [str(VENV / "bin" / "gunicorn"), "--chdir", str(ROOT / "bench"), "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "10", "wsgi:application"],
        env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url, workers, start_timeout, label, nonce)
        yield url
    finally:
        _stop(process, label)
        log.close()


def _wait_ready(process: subprocess.Popen, url: str, workers: int, timeout: float, label: str, nonce: str) -> None:
    """Until every worker has loaded the app: as many answers as workers, each from a fresh connection, each with
    the nonce of this server (any other answer is another server's: stop, do not measure it)."""
    end = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ({label}) exited (could it not bind {url}?); see {_log(label)}")
        try:
            response = httpx.get(f"{url}/api/3/action/status_show", timeout=60)
        except httpx.HTTPError:
            time.sleep(0.25)
            continue
        if response.headers.get(NONCE_HEADER) != nonce:
            raise NotOurServer(f"{url} answers, but not as the server this benchmark started ({label}, pid "
                               f"{process.pid}): another program holds the port")
        if response.status_code == 200:
            answered += 1
            if answered >= workers:
                return
            continue
        time.sleep(0.25)
    raise TimeoutError(f"gunicorn ({label}) did not answer within {timeout:.0f} s; see {_log(label)}")


@contextlib.contextmanager
def jobs_worker(ini: Path, label: str) -> Iterator[subprocess.Popen]:
    """`ckan jobs worker` for xloader's loads (ours run in it), ended with its work horse afterwards."""
    log = _log(label).open("a")
    process = subprocess.Popen([CKAN, "-c", str(ini), "jobs", "worker"], stdout=log, stderr=log,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(2)
        if process.poll() is not None:
            raise RuntimeError(f"the jobs worker exited; see {_log(label)}")
        yield process
    finally:
        _stop(process, label)
        log.close()


class Deadline(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """The whole run ends after `seconds`, whatever it waits for: SIGALRM raises Deadline, and so does SIGTERM (a
    killed benchmark), so the finally blocks stop the servers."""
    def expired(signum, frame):
        raise Deadline(f"the benchmark ran out of its {seconds} s" if signum == signal.SIGALRM else "terminated")
    previous = {sig: signal.signal(sig, expired) for sig in (signal.SIGALRM, signal.SIGTERM)}
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def ckan_command(ini: Path, *args: str, timeout: float = 900) -> str:
    return subprocess.run([CKAN, "-c", str(ini), *args], check=True, capture_output=True, text=True,
                          timeout=timeout).stdout


def ckan_commands(*commands: tuple, timeout: float = 900) -> None:
    """Several `ckan -c <ini> …` commands (each a tuple: ini, *args) at the same time; raises if one fails."""
    running = [(subprocess.Popen([CKAN, "-c", str(ini), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True), args) for ini, *args in commands]
    failed = []
    for process, args in running:
        _, stderr = process.communicate(timeout=timeout)
        if process.returncode:
            failed.append(f"ckan {' '.join(args)}: {stderr.strip()[-1000:]}")
    if failed:
        raise RuntimeError("; ".join(failed))


def parser(description: str, name: str) -> argparse.ArgumentParser:
    """The options every served benchmark shares."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", default=name, type=check_name,
                   help=f"databases ckan_bench_<name> and datastore_bench_<name> (default {name})")
    p.add_argument("--workers", type=int, default=4, help="gunicorn worker processes per server (default 4)")
    p.add_argument("--fresh", action="store_true", help="drop and make the benchmark's databases again")
    p.add_argument("--max-minutes", type=float, default=20, help="stop everything after this long (default 20)")
    return p


def main(argv: list[str] | None = None) -> None:
    p = parser("Serve a benchmark portal by hand (loopback only) until Ctrl-C or --minutes.", "pages")
    p.add_argument("--stock", action="store_true", help="the stock-CKAN variant")
    p.add_argument("--port", type=int, default=0, help="default: a free port (never SATUDATA_WEB_PORT's)")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--drop", action="store_true", help="remove what the benchmark --name made, and stop")
    args = p.parse_args(argv)
    require(server=not args.drop)
    if args.drop:
        drop(args.name)
        print(f"dropped the benchmark {args.name}: databases, search index entries, Redis keys and files")
        return
    port = args.port or free_port()
    if port == PORTAL_PORT or not port_free(port):
        stop_if_missing([f"--port {port} is taken{' by the portal (SATUDATA_WEB_PORT)' if port == PORTAL_PORT else ''}"
                         ": leave --port out for a free one"])
    write_ini(args.name, port, stock=False)
    ini = write_ini(args.name, port, stock=args.stock)
    create_databases(args.name, args.fresh)
    with deadline(int(args.minutes * 60) + 600), served(ini, port, args.workers, args.name) as url, \
            jobs_worker(ini, f"{args.name}-worker"):
        print(f"serving {url} ({'stock' if args.stock else 'ours'}) for {args.minutes} min; Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            time.sleep(args.minutes * 60)


if __name__ == "__main__":
    sys.exit(main())
