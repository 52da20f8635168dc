"""The release checks (`make test-release`): the package as a site gets it, run as separate CKAN processes in other
virtualenvs, never inside this pytest process. So they run without CKAN's pytest plugin (`-p no:ckan -p
no:ckan_fixtures`), and only when SATUDATA_RELEASE_TESTS=1 (tests/conftest.py: `make test` does not collect them).

Each check has databases of its own (ckan_<run>_upgrade, …; <run> is SATUDATA_TEST_NAME), a storage folder of its
own, and a Solr of its own: CKAN 2.11 refuses a Solr whose schema is CKAN 2.12's (and the upgrade needs the schema
changed under the kept index, as a site does), so the checks start one more Solr with services/services.sh, on a
free port, in .services/release-solr-<run>, and stop it at the end. PostgreSQL and Redis are the running ones."""
from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]
STATE = pathlib.Path(os.environ.get("SATUDATA_STATE_DIR") or ROOT / ".services")
PG_PORT = os.environ.get("SATUDATA_PG_PORT", "54321")
REDIS_PORT = os.environ.get("SATUDATA_REDIS_PORT", "63791")
REDIS_DB = os.environ.get("SATUDATA_TEST_REDIS_DB", "1")
RUN_NAME = os.environ.get("SATUDATA_TEST_NAME", "test")
PG = f"postgresql://ckan_default:pass@127.0.0.1:{PG_PORT}"
PG_READ = f"postgresql://datastore_default:pass@127.0.0.1:{PG_PORT}"



@pytest.fixture(autouse=True)
def _plugins_of_test_ini():
    """No plugins in this process: the checks drive CKAN in other processes (replaces tests/conftest.py's)."""


def run(*command, env: dict | None = None, stdin: bytes | None = None, **kwargs) -> subprocess.CompletedProcess:
    """A command that must succeed; its output is shown when it does not."""
    done = subprocess.run([str(part) for part in command], capture_output=True, input=stdin,
                          env={**os.environ, **(env or {})}, **kwargs)
    if done.returncode:
        output = (done.stdout + done.stderr).decode(errors="replace")
        pytest.fail(f"{' '.join(map(str, command))} exited {done.returncode}:\n{output[-6000:]}", pytrace=False)
    return done


def psql(database: str, *args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "postgres",
               "-d", database, *args, stdin=stdin)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Solr:
    """A Solr of the checks' own (services/services.sh with another state folder and port), with the schema of
    the CKAN in `venv` (CKAN's schema.xml plus our fields, as a site puts them in)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.state = STATE / f"release-solr-{RUN_NAME}"
        self.url = f"http://127.0.0.1:{self.port}/solr/ckan"
        self.env = {"SATUDATA_STATE_DIR": str(self.state), "SATUDATA_SOLR_PORT": str(self.port),
                    "SATUDATA_SOLR_LIB": os.environ.get("SATUDATA_SOLR_LIB", str(STATE / "solr" / "lib"))}
        self.started = False

    def start(self, venv: pathlib.Path) -> None:
        """Started, or restarted when its schema is not the one of `venv`'s CKAN: the index is kept."""
        if not self.started:
            run("rm", "-rf", self.state / "solr" / "home")  # an empty index
        run(ROOT / "services" / "services.sh", "start", "solr", env={**self.env, "VENV": str(venv)})
        self.started = True

    def stop(self) -> None:
        if self.started:
            run(ROOT / "services" / "services.sh", "stop", "solr", env=self.env)


@pytest.fixture(scope="session")
def solr():
    own = Solr()
    try:
        yield own
    finally:
        own.stop()


CKAN_PIN = "2.12.0"


class WheelVenv:
    """The built wheel in a fresh virtualenv beside stock CKAN (installation.md's two pip calls), made in a thread
    that starts once the tests are collected: pip works while the upgrade check waits on its CKAN processes."""

    def __init__(self) -> None:
        self.folder = pathlib.Path(tempfile.mkdtemp(prefix="satudata-release-"))
        self.venv, self.dist = self.folder / "venv", self.folder / "dist"
        self.wheel: pathlib.Path | None = None
        self.failure: str | None = None
        self.thread = threading.Thread(target=self._make, daemon=True)
        self.thread.start()

    def _make(self) -> None:
        pip = [self.venv / "bin" / "pip", "install", "-q", "--disable-pip-version-check"]
        # As `python -m build` does: the sdist, then the wheel from the unpacked sdist; the sdist from a copy of the
        # files git tracks (as they are in the work tree), never from the work tree itself, whose egg-info and build/
        # folders hold the file lists and files of earlier builds (setuptools adds an existing SOURCES.txt).
        source = self.folder / "source"
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        for name in filter(None, tracked.decode().split("\0")):
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        if self._step(sys.executable, "setup.py", "-q", "sdist", "-d", self.dist, cwd=source):
            return
        [sdist] = self.dist.glob("ckanext*satudata_blitar-*.tar.gz")
        if self._step(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                      self.dist, sdist):
            return
        [self.wheel] = self.dist.glob("ckanext_satudata_blitar-*.whl")
        for step in ([sys.executable, "-m", "venv", self.venv], [*pip, f"ckan[requirements]=={CKAN_PIN}"],
                     [*pip, self.wheel], [self.venv / "bin" / "pip", "check"]):
            if self._step(*step):
                return

    def _step(self, *command, cwd: pathlib.Path | None = None) -> bool:
        """Runs a command; True (and the failure kept) when it failed."""
        done = subprocess.run([str(part) for part in command], capture_output=True, cwd=cwd)
        if done.returncode:
            output = (done.stdout + done.stderr).decode(errors="replace")
            self.failure = f"{' '.join(map(str, command))} exited {done.returncode}:\n{output[-6000:]}"
        return bool(done.returncode)

    def ready(self) -> pathlib.Path:
        self.thread.join()
        if self.failure:
            pytest.fail(self.failure, pytrace=False)
        return self.venv

    def remove(self) -> None:
        self.thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def pytest_collection_finish(session):
    if os.environ.get("SATUDATA_RELEASE_TESTS") == "1" and not session.config.option.collectonly and any(
            item.path.name == "test_wheel.py" for item in session.items):
        session.config.stash[WHEEL_VENV] = WheelVenv()


def pytest_sessionfinish(session):
    made = session.config.stash.get(WHEEL_VENV, None)
    if made:
        made.remove()


WHEEL_VENV = pytest.StashKey[WheelVenv]()


@pytest.fixture(scope="session")
def wheel_venv(request) -> WheelVenv:
    made = request.config.stash[WHEEL_VENV]
    made.ready()
    return made


class Site:
    """A CKAN site of a check: empty databases ckan_<run>_<name> and datastore_<run>_<name>, an empty storage
    folder, and the settings of docs/installation.md written into `config` by `ckan config-tool`."""

    def __init__(self, name: str, solr: Solr, config: pathlib.Path, web_port: int = 5000):
        self.name = f"{RUN_NAME}_{name}"
        self.db, self.datastore_db = f"ckan_{self.name}", f"datastore_{self.name}"
        self.storage = STATE / f"storage-{self.name}"
        self.config = config
        for database in (self.db, self.datastore_db):
            psql("postgres", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        run(ROOT / "services" / "services.sh", "database", self.db, self.datastore_db)
        run("rm", "-rf", self.storage)
        self.storage.mkdir(parents=True)
        self.settings = [
            f"sqlalchemy.url = {PG}/{self.db}",
            f"ckan.datastore.write_url = {PG}/{self.datastore_db}",
            f"ckan.datastore.read_url = {PG_READ}/{self.datastore_db}",
            f"ckanext.xloader.jobs_db.uri = {PG}/{self.db}",
            f"ckan.site_id = satudata_blitar_{self.name}",
            f"ckan.site_url = http://127.0.0.1:{web_port}",
            f"ckan.storage_path = {self.storage}",
            f"solr_url = {solr.url}",
            f"ckan.redis.url = redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}",
        ]

    def ckan(self, venv: pathlib.Path, *args, **kwargs) -> subprocess.CompletedProcess:
        return run(venv / "bin" / "ckan", "-c", self.config, *args, **kwargs)

    def set_datastore_permissions(self, venv: pathlib.Path) -> None:
        """`ckan datastore set-permissions`, run by PostgreSQL's superuser on the DataStore database."""
        psql(self.datastore_db, stdin=self.ckan(venv, "datastore", "set-permissions").stdout)
