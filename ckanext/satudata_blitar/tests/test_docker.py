"""The production files in docker/ agree with each other, with setup.cfg and with test.ini; the portal's settings
are written once (ckanext/satudata_blitar/settings.ini) and test.ini, services/portal.sh and the Dockerfile read them.

Nothing here builds or starts a container (no Docker engine runs where the tests run). The files are parsed and
compared, so any drift between the pins, settings and variables of development and those of production fails
the suite.
"""
from __future__ import annotations

import configparser
import functools
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DOCKER = ROOT / "docker"

WEB, WORKER, REMINDERS, TRACKING = "ckan", "worker", "reminders", "tracking"
SERVICES = (WEB, WORKER, REMINDERS, TRACKING, "db", "solr", "redis", "proxy")
STORAGE_PATH = "/var/lib/ckan"
SOLR_BASE_IMAGE = "ckan/ckan-solr:2.12-solr9"
# The only host ports, as docker/README.md documents them.
PUBLISHED_PORTS = {"proxy": ["${PROXY_PORT}:80"]}
# (service, named volume, mount point)
VOLUMES = [
    ("db", "pg_data", "/var/lib/postgresql/data"),
    ("solr", "solr_data", "/var/solr"),
    ("redis", "redis_data", "/data"),
    (WEB, "ckan_storage", STORAGE_PATH),
    (WORKER, "ckan_storage", STORAGE_PATH),
]
# Who is on which network: the stores only on the internal `backend`, the proxy only on `frontend`, the worker
# (which never fetches a link) only on `backend`; the reminders reach the stores and, as the web service, the mail
# server outside.
NETWORKS = {"proxy": ["frontend"], WEB: ["frontend", "backend"], WORKER: ["backend"], REMINDERS: ["frontend", "backend"],
            TRACKING: ["backend"], "db": ["backend"], "solr": ["backend"], "redis": ["backend"]}
# (service, dependency): the service starts once the dependency's healthcheck passes.
HEALTHY_DEPENDENCIES = [(WEB, "db"), (WEB, "solr"), (WEB, "redis"), (WORKER, WEB), (REMINDERS, WEB), (TRACKING, WEB),
                        ("proxy", WEB)]
# Settings that must match in every replica, as envvars variables (docker-compose.yml).
SHARED_SECRETS = [
    "CKAN___SECRET_KEY",
    "CKAN___WTF_CSRF_SECRET_KEY",
    "CKAN___API_TOKEN__JWT__ENCODE__SECRET",
    "CKAN___API_TOKEN__JWT__DECODE__SECRET",
]
# Requirements pinned in setup.cfg that the Dockerfile installs at the same version.
PINNED = ("ckan[requirements]", "ckanext-scheming", "ckanext-xloader", "openpyxl", "weasyprint")
# The portal's settings, read by test.ini (`use`), services/portal.sh and the Dockerfile (`ckan config-tool -f`).
SETTINGS = ROOT / "ckanext" / "satudata_blitar" / "settings.ini"
# Some of them, which every portal must have.
APP_SETTINGS = [
    "ckan.site_title",
    "scheming.dataset_schemas",
    "scheming.organization_schemas",
    "scheming.presets",
    "ckan.locale_default",
    "ckan.locales_offered",
    "ckan.auth.create_unowned_dataset",
    "ckan.datastore.sqlsearch.enabled",
    "ckan.csrf_protection.ignore_extensions",
    "ckan.uploads_enabled",
    "ckan.views.default_views",
]
# ${VAR}, ${VAR:-default}, ${VAR:?error}, ... in the compose file.
COMPOSE_VARIABLE = re.compile(r"\$\{(\w+)(?:[:?+-][^}]*)?\}")
PIN = re.compile(r"^\s*([\w.\[\]-]+)==([\w.]+)\s*$")


@pytest.fixture(autouse=True)
def _plugins_of_test_ini():
    """These tests only read files: they skip conftest's loading of the plugins, which takes half a second each."""


# --- parsing ------------------------------------------------------------------------------------------------------
@functools.cache
def compose() -> dict:
    return yaml.safe_load((DOCKER / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def environment(name: str) -> dict:
    env = service(name).get("environment", {})
    assert isinstance(env, dict), f"{name}: write `environment` as a mapping"
    return env


@functools.cache
def env_example() -> dict[str, tuple[str, bool]]:
    """Variable -> (value, whether a comment line stands right above it)."""
    lines = (DOCKER / ".env.example").read_text().splitlines()
    found = {}
    for number, line in enumerate(lines):
        match = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match[1]] = (match[2], number > 0 and lines[number - 1].startswith("#"))
    return found


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments left out."""
    text = re.sub(r"\\\n", " ", path.read_text())
    return [(keyword.upper(), args.strip()) for keyword, args in re.findall(r"^\s*([A-Za-z]+)\s+(.*)$", text, re.M)]


@functools.cache
def ckan_dockerfile() -> list[tuple[str, str]]:
    return dockerfile_instructions(DOCKER / "Dockerfile")


def dockerfile_env(name: str) -> str:
    values = [arg.split("=", 1)[1] for kw, args in ckan_dockerfile() if kw == "ENV"
              for arg in shlex.split(args) if arg.startswith(name + "=")]
    assert len(values) == 1, f"the Dockerfile should set {name} exactly once"
    return values[0]


def dockerfile_config_tool() -> list[str]:
    """The words of the Dockerfile's one `ckan config-tool` call."""
    runs = [args for kw, args in ckan_dockerfile() if kw == "RUN" and "ckan config-tool" in args]
    assert len(runs) == 1, "the Dockerfile should write its settings in one `ckan config-tool` call"
    return shlex.split(runs[0])


def dockerfile_own_settings() -> dict[str, str]:
    """The `key = value` arguments of the Dockerfile's `ckan config-tool` call."""
    plugins = dockerfile_env("CKAN__PLUGINS")
    settings = (word.split(" = ", 1) for word in dockerfile_config_tool() if " = " in word)
    return {key: value.replace("${CKAN__PLUGINS}", plugins) for key, value in settings}


def dockerfile_settings() -> dict[str, str]:
    """What the Dockerfile writes into ckan.ini: settings.ini, merged (`-f`), then its own `key = value`s."""
    words = dockerfile_config_tool()
    merged = words[words.index("-f") + 1]
    assert merged == "${SRC_DIR}/ckanext-satudata_blitar/ckanext/satudata_blitar/settings.ini"
    return {**portal_settings(), **dockerfile_own_settings()}


@functools.cache
def portal_settings() -> dict[str, str]:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(SETTINGS)
    return dict(cfg["app:main"])


def dockerfile_args() -> dict[str, str]:
    """The build arguments' defaults (`ARG NAME=value`), `${NAME}` of earlier ones expanded."""
    found: dict[str, str] = {}
    for kw, args in ckan_dockerfile():
        if kw == "ARG" and "=" in args:
            name, value = args.split("=", 1)
            found[name] = re.sub(r"\$\{(\w+)\}", lambda m: found[m[1]], value)
    return found


def dockerfile_pins(requirement: str) -> list[str]:
    runs = " ".join(args for kw, args in ckan_dockerfile() if kw == "RUN")
    runs = re.sub(r"\$\{(\w+)\}", lambda m: dockerfile_args().get(m[1], m[0]), runs)
    return re.findall(re.escape(requirement) + r"==([\w.]+)", runs)


@functools.cache
def setup_cfg_pins() -> dict[str, str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = cfg["options"]["install_requires"].splitlines() + cfg["options.extras_require"]["ckan"].splitlines()
    return dict(match.groups() for match in map(PIN.match, lines) if match)


def _own_settings_of_test_ini() -> dict[str, str]:
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.optionxform = str
    cfg.read(ROOT / "test.ini")
    return dict(cfg["app:main"])


@functools.cache
def settings_of_test_ini() -> dict[str, str]:
    """test.ini's settings with those of the file its `use` line names, as CKAN reads them."""
    own = _own_settings_of_test_ini()
    assert own["use"] == "config:ckanext/satudata_blitar/settings.ini"
    return {**portal_settings(), **own}


def mounts(name: str) -> set[tuple[str, str]]:
    return {tuple(volume.split(":")[:2]) for volume in service(name).get("volumes", [])}


# --- docker-compose.yml -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SERVICES)
def test_service_exists(name):
    assert name in compose()["services"]


def test_solr_is_ckans_solr_9_image_with_our_fields():
    build = service("solr")["build"]
    assert (build["context"], build["dockerfile"]) == ("..", "docker/solr/Dockerfile")
    instructions = dockerfile_instructions(DOCKER / "solr" / "Dockerfile")
    assert [args for kw, args in instructions if kw == "FROM"] == [SOLR_BASE_IMAGE]
    copies = [args.split()[0] for kw, args in instructions if kw == "COPY"]
    assert copies == ["ckanext/satudata_blitar/solr/schema-fields.xml"]
    assert (ROOT / copies[0]).is_file()


@pytest.mark.parametrize("name", SERVICES)
def test_published_ports(name):
    assert service(name).get("ports", []) == PUBLISHED_PORTS.get(name, [])


@pytest.mark.parametrize("port", [port for ports in PUBLISHED_PORTS.values() for port in ports])
def test_readme_documents_the_published_ports(port):
    assert f"`{port}`" in (DOCKER / "README.md").read_text()


@pytest.mark.parametrize("name, volume, path", VOLUMES)
def test_named_volume_is_mounted(name, volume, path):
    assert volume in compose()["volumes"]
    assert (volume, path) in mounts(name)


@pytest.mark.parametrize("name", [WEB, WORKER])
def test_storage_path_is_the_shared_volume(name):
    assert environment(name)["CKAN_STORAGE_PATH"] == STORAGE_PATH


@pytest.mark.parametrize("name", [WEB, WORKER])
def test_web_and_worker_have_no_container_name(name):
    # A fixed name allows one container per service: `--scale` would fail.
    assert "container_name" not in service(name)


def test_web_and_worker_are_one_image_with_one_configuration():
    assert service(WEB)["image"] == service(WORKER)["image"]
    assert service(WEB)["build"] == service(WORKER)["build"]
    assert environment(WEB) == environment(WORKER)


@pytest.mark.parametrize("name", [WORKER, REMINDERS, TRACKING])
def test_worker_and_reminders_are_the_web_image_with_its_configuration(name):
    assert service(name)["image"] == service(WEB)["image"]
    assert service(name)["build"] == service(WEB)["build"]
    assert environment(name) == environment(WEB)
    assert "container_name" not in service(name) and service(name)["restart"] == "unless-stopped"


def test_reminders_run_daily_at_seven_wib():
    """`ckan satudata remind` once a day at 00.00 UTC, which is 07.00 WIB (UTC+7 all year), whatever the
    container's zone; Compose's `$$` is a `$` for the shell."""
    import datetime
    import subprocess

    command = service(REMINDERS)["command"]
    assert command[:2] == ["sh", "-c"]
    script = command[2].replace("$$", "$")
    assert "ckan satudata remind;" in script
    assert script.index("sleep") < script.index("ckan satudata remind")  # not at every start: at 07.00
    # The sleep the loop computes, run by a real shell at 06.59.30 WIB (23.59.30 UTC) and at 07.00.30 WIB.
    sleep = script.split("sleep ", 1)[1].split(";", 1)[0]
    for utc, expected in (("2026-12-08T23:59:30", 30), ("2026-12-09T00:00:30", 86370)):
        now = int(datetime.datetime.fromisoformat(utc).replace(tzinfo=datetime.timezone.utc).timestamp())
        shell = sleep.replace("$(date -u +%s)", str(now))
        assert int(subprocess.run(["sh", "-c", f"echo {shell}"], capture_output=True, text=True,
                                  check=True).stdout) == expected
    assert "`reminders`" in (DOCKER / "README.md").read_text()


def test_tracking_updates_the_view_counts_hourly():
    command = service(TRACKING)["command"]
    assert command[:2] == ["sh", "-c"]
    script = command[2].replace("$$", "$")
    assert "ckan tracking update $(date -u -d '14 days ago' +%F)" in script and "sleep 3600" in script
    assert "`tracking`" in (DOCKER / "README.md").read_text()


def test_worker_runs_jobs_worker():
    command = service(WORKER)["command"]
    command = shlex.split(command) if isinstance(command, str) else command
    assert command == ["ckan", "jobs", "worker"]


def test_sessions_are_in_redis():
    env = environment(WEB)
    assert env["CKAN___SESSION_TYPE"] == "redis"
    assert env["CKAN_REDIS_URL"] == "${CKAN_REDIS_URL}"
    assert env_example()["CKAN_REDIS_URL"][0].startswith("redis://")


@pytest.mark.parametrize("key", SHARED_SECRETS)
def test_secrets_come_from_the_environment(key):
    assert COMPOSE_VARIABLE.search(str(environment(WEB)[key])), f"{key} is not taken from .env"


def test_api_tokens_are_signed_and_checked_with_one_secret():
    env = environment(WEB)
    encode, decode = env["CKAN___API_TOKEN__JWT__ENCODE__SECRET"], env["CKAN___API_TOKEN__JWT__DECODE__SECRET"]
    assert encode.startswith("string:") and decode.startswith("string:")
    assert COMPOSE_VARIABLE.findall(encode) == COMPOSE_VARIABLE.findall(decode)


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_only_on_its_networks(name):
    assert sorted(service(name).get("networks", [])) == sorted(NETWORKS[name])


def test_the_stores_network_is_internal_and_the_proxy_cannot_reach_it():
    networks = compose()["networks"]
    assert networks["backend"] == {"internal": True}
    stores = {"db", "solr", "redis"}
    reach_stores = {name for name, nets in NETWORKS.items() if "backend" in nets}
    assert reach_stores == stores | {WEB, WORKER, REMINDERS, TRACKING}
    # every service that depends on a store shares a network with it
    for name, dependency in HEALTHY_DEPENDENCIES:
        assert set(NETWORKS[name]) & set(NETWORKS[dependency]), (name, dependency)


@pytest.mark.parametrize("name, dependency", HEALTHY_DEPENDENCIES)
def test_starts_after_a_healthy_dependency(name, dependency):
    assert service(name)["depends_on"][dependency] == {"condition": "service_healthy"}
    assert "test" in service(dependency)["healthcheck"]


# --- .env.example -------------------------------------------------------------------------------------------------
def test_env_example_lists_exactly_the_variables_of_the_compose_file():
    used = set(COMPOSE_VARIABLE.findall((DOCKER / "docker-compose.yml").read_text()))
    assert used == set(env_example())


def test_every_setting_has_a_comment():
    assert [name for name, (_, commented) in env_example().items() if not commented] == []


def test_env_example_holds_no_secret():
    secret = re.compile(r"PASSWORD|SECRET|TOKEN")
    assert {name: value for name, (value, _) in env_example().items() if secret.search(name) and value} == {}


# --- Dockerfile ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("requirement", PINNED)
def test_pins_match_setup_cfg(requirement):
    assert dockerfile_pins(requirement) == [setup_cfg_pins()[requirement]]


def test_the_base_image_is_the_pinned_ckan_by_default():
    """One build argument, CKAN_VERSION, picks the base image and the CKAN installed on it (2.11 is supported too)."""
    assert [args for kw, args in ckan_dockerfile() if kw == "FROM"] == ["ckan/ckan-base:${CKAN_BASE_TAG}"]
    assert dockerfile_args()["CKAN_BASE_TAG"] == dockerfile_args()["CKAN_VERSION"] == setup_cfg_pins()[
        "ckan[requirements]"]


def test_ckan_is_installed_alone_before_the_extension():
    runs = [args for kw, args in ckan_dockerfile() if kw == "RUN" and "pip3 install" in args]
    ckan_run = next(i for i, args in enumerate(runs) if "ckan[requirements]==" in args)
    extension_run = next(i for i, args in enumerate(runs) if "ckanext-satudata_blitar" in args)
    assert ckan_run < extension_run
    assert "ckanext-" not in runs[ckan_run]


def test_xloader_test_extra_is_never_installed():
    assert not [args for kw, args in ckan_dockerfile() if kw == "RUN" and "ckanext-xloader[" in args]


def test_plugins_are_those_of_test_ini_with_envvars_last():
    # tracking: page views for "most viewed" (test.ini has none: its home page says views are not counted)
    assert dockerfile_env("CKAN__PLUGINS").split() == settings_of_test_ini()["ckan.plugins"].split() + [
        "tracking", "envvars"]
    assert dockerfile_settings()["ckan.plugins"] == dockerfile_env("CKAN__PLUGINS")


@pytest.mark.parametrize("key", APP_SETTINGS)
def test_application_setting_matches_test_ini(key):
    assert dockerfile_settings()[key] == settings_of_test_ini()[key] == portal_settings()[key]


def _portal_sh_run_settings() -> tuple[list[str], dict[str, str]]:
    """The options of services/portal.sh run's `ckan config-tool` call on ckan.ini and its `key = value`s."""
    text = (ROOT / "services" / "portal.sh").read_text()
    call = re.search(r'"\$CKAN" config-tool "\$ini" (.*?)\n\s*#', text, re.S)[1].replace("\\\n", " ")
    words = shlex.split(call)
    return words, dict(word.split(" = ", 1) for word in words if " = " in word)


def test_the_portal_s_settings_are_written_once():
    """settings.ini holds them; test.ini, make run (services/portal.sh) and the Dockerfile read it and repeat none
    of them, but for the plugin list, to which make run and docker add tracking (and docker envvars)."""
    assert set(APP_SETTINGS) <= set(portal_settings())
    shared = set(portal_settings()) - {"use"}
    assert not shared & set(_own_settings_of_test_ini())
    assert not shared & set(dockerfile_own_settings()) - {"ckan.plugins"}
    options, settings = _portal_sh_run_settings()
    assert options[:2] == ["-f", "$SETTINGS"]
    assert 'SETTINGS=$ROOT/ckanext/satudata_blitar/settings.ini' in (ROOT / "services" / "portal.sh").read_text()
    assert not shared & set(settings) - {"ckan.plugins"}
    assert settings["ckan.plugins"] == "$(setting ckan.plugins) tracking"


def test_times_are_shown_in_wib():
    """Kota Blitar lives in WIB: the portal shows times in Asia/Jakarta (the tests keep UTC, which their figures
    are written in)."""
    assert dockerfile_settings()["ckan.display_timezone"] == "Asia/Jakarta"
    assert '"ckan.display_timezone = Asia/Jakarta"' in (ROOT / "services" / "portal.sh").read_text()
