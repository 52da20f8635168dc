"""services/services.sh as docs/services.md documents it, on a state folder and port of its own (the shared
PostgreSQL, Redis and Solr are only used, never started or stopped here)."""
import os
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ROOT / "services" / "services.sh"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_show(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=10) as response:
        return response.status


@pytest.fixture
def web(tmp_path, request):
    """services.sh with this test's own state folder and web port; the web server is stopped afterwards."""
    port = _free_port()
    env = dict(os.environ, SATUDATA_STATE_DIR=str(tmp_path), SATUDATA_WEB_PORT=str(port))
    env.pop("CKAN_INI", None)

    def run(*args, **extra_env):
        return subprocess.run([str(SERVICES), *args], env=dict(env, **extra_env), capture_output=True, text=True,
                              timeout=240)

    yield run, port
    run("stop", "web")


def test_restart_web_keeps_the_config_it_was_started_with(web, request):
    run, port = web
    ini = request.config.getoption("--ckan-ini")
    started = run("start", "web", CKAN_INI=ini)
    assert started.returncode == 0, started.stderr
    assert _status_show(port) == 200

    # As docs/services.md documents it: no CKAN_INI, the portal comes back with the config it ran with.
    restarted = run("restart", "web")
    assert restarted.returncode == 0, restarted.stderr
    assert _status_show(port) == 200


def test_web_without_any_config_says_what_to_do(web, tmp_path):
    run, _ = web
    result = run("start", "web", CKAN_INI=str(tmp_path / "missing.ini"))
    assert result.returncode == 1
    assert "no portal config at" in result.stderr and "make run" in result.stderr
