"""The benchmarks in bench/ (docs/benchmarks.md) run anywhere: each one runs here for a few seconds with tiny sizes,
on databases, ports and a state folder of its own, while a stand-in for `make run`'s portal holds the portal's port
(SATUDATA_WEB_PORT) and must never be asked anything; a benchmark that lacks a service says so; a server that is
not the one a benchmark started is refused. The figures themselves come from by-hand runs."""
from __future__ import annotations

import configparser
import http.server
import importlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ckan.common import config

BENCH = Path(__file__).resolve().parents[3] / "bench"
MODULES = ("serve", "world", "load", "pages", "province")


@pytest.fixture
def bench(monkeypatch, tmp_path):
    """bench/serve.py imported as the scripts import it, writing into tmp_path; forgotten afterwards."""
    monkeypatch.syspath_prepend(str(BENCH))
    serve = importlib.import_module("serve")
    monkeypatch.setattr(serve, "STATE", tmp_path)
    yield serve
    for name in MODULES:
        sys.modules.pop(name, None)


def _app_main(path: Path) -> configparser.SectionProxy:
    config = configparser.ConfigParser(interpolation=None, strict=False)
    config.read(path)
    return config["app:main"]


def test_ours_and_stock_serve_the_same_database_with_and_without_our_plugins(bench):
    ours = _app_main(bench.write_ini("smoke", 5999))
    stock = _app_main(bench.write_ini("smoke", 6000, stock=True))
    test_ini = _app_main(BENCH.parent / "ckanext" / "satudata_blitar" / "settings.ini")  # test.ini's `use`
    assert ours["sqlalchemy.url"] == stock["sqlalchemy.url"]
    assert ours["sqlalchemy.url"].endswith("/ckan_bench_smoke")
    assert ours["ckan.site_id"] != stock["ckan.site_id"]  # each variant indexes the rows itself
    assert ours["ckan.plugins"].split() == test_ini["ckan.plugins"].split()
    assert stock["ckan.plugins"].split() == [p for p in ours["ckan.plugins"].split() if not p.startswith("satudata")]
    assert "satudata" not in stock["scheming.dataset_schemas"]
    assert "testing" not in ours and ours["debug"] == "false"


def test_each_benchmark_parses_its_options(bench, capsys):
    for module in ("serve", "load", "pages", "province"):
        with pytest.raises(SystemExit) as done:
            importlib.import_module(module).main(["--help"])
        assert done.value.code == 0, module
        assert "--max-minutes" in capsys.readouterr().out, module


def test_the_page_bench_measures_the_pages_asked_for(bench):
    pages = importlib.import_module("pages")
    made = pages.pages(dict.fromkeys(("dataset", "resource", "private", "template", "chart_view", "opd"), "x"))
    assert pages.selected(made, None) == made
    lists = pages.selected(made, ["/dataset/", "search page q="])
    assert sorted((page.label, page.who) for page in lists) == [("/dataset/", "anonymous"),
                                                                ("search page q=", "anonymous")]
    assert [page.label for page in pages.selected(pages.WALIDATA_PAGES, ["/dataset/", "search page q="])] == [
        "/dataset/"]
    assert pages.selected(pages.WALIDATA_PAGES, ["home"]) and not pages.selected(made, ["/laporan"])
    pages.check_labels(["/dataset/", "search page q=", "/laporan"])
    with pytest.raises(SystemExit, match="no page is labelled dataset"):
        pages.check_labels(["/dataset/", "dataset"])  # a typo stops the run rather than measuring nothing


def test_copies_past_9999_keep_names_of_their_own(bench):
    """world.clone's names stay distinct at a province's size (PostgreSQL's lpad cuts a longer string: 100,000
    copies padded to four digits gave 10,000 names, each one ten times)."""
    bench.require(server=False)
    world = importlib.import_module("world")
    names = world.copy_name("bench-prov", 100000)
    counted = bench.psql_admin(f"SELECT count(DISTINCT {names}), min({names}), max({names}) "
                               "FROM generate_series(1, 100000) g").strip()
    assert counted == "100000|bench-prov-000001|bench-prov-100000"
    assert world.copy_name("x", 1000) == world.copy_name("x", 9999)  # bench/pages.py's names as they were


# --- running them ---------------------------------------------------------------------------------------------------

class StandInPortal:
    """What `make run`'s portal answers a benchmark's token (a 403 of our auth), on a port of its own; counts every
    request: a benchmark must ask it nothing."""

    def __init__(self):
        requests = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                requests.append(f"{self.command} {self.path}")
                body = json.dumps({"success": False, "error": {
                    "message": "Hanya Walidata yang dapat menetapkan peran dan membuat OPD"}}).encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def portal():
    stand_in = StandInPortal()
    yield stand_in
    stand_in.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _own_name(bench: str) -> str:
    """Databases no other run can have: this test run's own database name (ckan_<run>[_gw<n>], unique per run and
    xdist worker) and the benchmark's."""
    database = config["sqlalchemy.url"].rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9_]", "_", f"{database.removeprefix('ckan_')}_{bench}".lower())[-40:]


def _run(script: str, args: list[str], env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / f"{script}.py"), *args], env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


# Tiny sizes: each one a few seconds of its real work (its databases, servers, world, measurements and checks).
SMOKE = {
    "load": (["--users", "5", "--seconds", "3", "--workers", "1", "--opds", "1", "--max-minutes", "8"],
             "records: every transition recorded exactly once"),
    "pages": (["--published", "3", "--waiting", "2", "--queues", "0,2", "--rounds", "1", "--walidata-rounds", "1",
               "--warmup", "0", "--workers", "1", "--opds", "1", "--max-minutes", "8"], "0 errors"),
    "page_costs": (["--published", "2", "--waiting", "1", "--rounds", "1", "--viewers", "walidata"],
                   "1 datasets waiting for the Walidata"),
    "reports": (["--opds", "2", "--datasets", "30", "--elements", "2"], "evaluation 2026-07"),
    "province": (["--datasets", "30", "--opds", "3", "--api-opds", "1", "--elements", "12", "--in-progress", "9",
                  "--sample", "6", "--rounds", "1", "--warmup", "0", "--workers", "1", "--max-minutes", "10"],
                 "SQL statements a dataset"),  # indexing timed as `ckan search-index rebuild` runs, statements counted
    "ingest": (["--rows", "30", "--rounds", "2", "--cases", "ours:csv,stock:csv,stock-ix:csv"],
               "CSV: ours / stock end-to-end (medians)"),
}


@pytest.mark.parametrize("script", SMOKE)
def test_a_benchmark_runs_beside_the_portal_on_what_is_its_own(script, bench, portal, tmp_path):
    """Run as a newcomer runs it right after `make run`: the portal's port is held (by the stand-in) and the
    benchmark works all the same, on ports, databases and a state folder of its own, asking the portal nothing."""
    args, expected = SMOKE[script]
    name = _own_name(script)
    env = {**os.environ, "SATUDATA_STATE_DIR": str(tmp_path), "VENV": sys.prefix,
           "SATUDATA_WEB_PORT": str(portal.port)}
    started = time.monotonic()
    try:
        done = _run(script, [*args, "--name", name, *(["--data", str(tmp_path)] if script == "ingest" else [])],
                    env)
    finally:
        bench.drop(name)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert expected in done.stdout, output[-6000:]
    assert portal.requests == [], portal.requests
    assert not bench.database_ready(name)  # dropped afterwards
    print(f"{script}: {time.monotonic() - started:.0f} s")


@pytest.mark.parametrize("script", ["load", "pages", "page_costs", "reports", "ingest", "serve", "province"])
def test_a_benchmark_says_what_it_lacks_and_starts_nothing(script, tmp_path):
    env = {**os.environ, "SATUDATA_STATE_DIR": str(tmp_path), "VENV": str(tmp_path / "no-venv"),
           "SATUDATA_REDIS_PORT": str(_closed_port()), "SATUDATA_SOLR_PORT": str(_closed_port())}
    done = _run(script, ["--name", "lacking"], env, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot run:" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert f"CKAN is not installed in {tmp_path / 'no-venv'}: run `make install`" in done.stderr
    assert f"Redis does not answer on 127.0.0.1:{env['SATUDATA_REDIS_PORT']}" in done.stderr
    assert f"Solr's core `ckan` does not answer on 127.0.0.1:{env['SATUDATA_SOLR_PORT']}" in done.stderr
    assert ("gunicorn is not installed" in done.stderr) == (script in ("load", "pages", "serve", "province"))
    assert "PostgreSQL" not in done.stderr  # the one that is up
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no config, database or server made


def test_a_server_that_is_not_the_one_started_is_refused(bench, portal):
    """The port the benchmark's server was to have answers, but not with that server's nonce (another program
    holds it): refused before anything is measured or created there."""
    bench.require()
    ini = bench.write_ini(_own_name("refused"), portal.port)
    with pytest.raises(bench.NotOurServer, match=f"127.0.0.1:{portal.port} answers, but not as the server"):
        with bench.served(ini, portal.port, 1, "refused", start_timeout=60):
            pass
    assert portal.requests == ["GET /api/3/action/status_show"]


def test_the_portals_port_is_never_a_benchmarks(bench, monkeypatch, portal):
    monkeypatch.setattr(bench, "PORTAL_PORT", portal.port)
    with pytest.raises(bench.NotOurServer, match="is the portal's"):
        with bench.served(bench.write_ini("never", portal.port), portal.port, 1, "never"):
            pass
    ports = {bench.free_port() for _ in range(20)}
    assert portal.port not in ports and all(bench.port_free(port) for port in ports)
    assert portal.requests == []
