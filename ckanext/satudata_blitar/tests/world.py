"""A small Kota Blitar for tests: OPDs, one user per role (with API tokens) and datasets moved through the real
workflow actions. Used by module-scoped fixtures, so it loads the plugins itself while it builds."""
from __future__ import annotations

import contextlib
import dataclasses
import io
from typing import Iterator

from bs4 import BeautifulSoup
from werkzeug.datastructures import FileStorage

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers
from ckan.lib import search

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import factories
from ckanext.satudata_blitar.tests.factories import REQUIRED_METADATA

# Who, as (CKAN capacity, organisation); None for the sysadmin and the anonymous visitor.
VIEWERS = {
    "anonymous": None,
    "operator": ("editor", "dinas-kesehatan"),
    "operator_other_opd": ("editor", "bappeda"),
    "verifikator_opd": ("verifikator", "dinas-kesehatan"),
    "verifikator_other_opd": ("verifikator", "bappeda"),
    "ckan_member": ("member", "dinas-kesehatan"),
    "ckan_admin": ("admin", "dinas-kesehatan"),
    "verifikator_kominfotik": ("verifikator_kominfotik", "diskominfotik"),
    "walidata": ("walidata", "diskominfotik"),
    "sysadmin": None,
}

PASSWORD = "Sandi-Uji-Blitar-2026"

# The transitions that bring a new dataset to each state, and who makes them.
PATHS = {
    transitions.DRAF: [],
    transitions.DIAJUKAN: [("ajukan", "operator")],
    transitions.TERVERIFIKASI_OPD: [("ajukan", "operator"), ("verifikasi_opd", "verifikator_opd")],
    transitions.DISETUJUI: [("ajukan", "operator"), ("verifikasi_opd", "verifikator_opd"),
                         ("verifikasi_walidata", "verifikator_kominfotik")],
    transitions.TERBIT: [("ajukan", "operator"), ("verifikasi_opd", "verifikator_opd"),
                      ("verifikasi_walidata", "verifikator_kominfotik"), ("terbitkan", "walidata")],
    transitions.PERLU_PERBAIKAN: [("ajukan", "operator"), ("kembalikan_opd", "verifikator_opd")],
}


@dataclasses.dataclass
class World:
    users: dict[str, dict]
    orgs: dict[str, dict]
    datasets: dict[str, dict] = dataclasses.field(default_factory=dict)

    def token(self, viewer: str) -> dict[str, str]:
        user = self.users.get(viewer)
        return {"Authorization": user["token"]} if user else {}

    def name(self, viewer: str) -> str:
        return self.users[viewer]["name"]


def reset(reset_db, migrate_db_for) -> None:
    reset_db()
    if not sa.inspect(model.meta.engine).has_table("satudata_issued_report"):  # our newest table
        migrate_db_for("activity")
        migrate_db_for("satudata_blitar")
    search.clear_all()


@contextlib.contextmanager
def sql_statements(every_engine: bool = False) -> Iterator[list[str]]:
    """The SQL statements the site database runs inside the block, in order (the tests that pin what a page or an
    action costs filter them); with `every_engine`, the DataStore's too."""
    run: list[str] = []
    target = sa.engine.Engine if every_engine else model.meta.engine

    def record(_conn, _cursor, statement, *_args):
        run.append(statement)

    sa.event.listen(target, "before_cursor_execute", record)
    try:
        yield run
    finally:
        sa.event.remove(target, "before_cursor_execute", record)


@contextlib.contextmanager
def building(reset_db, migrate_db_for) -> Iterator[None]:
    """An empty portal with the plugins loaded, for a module's world to be built in (and the plugins unloaded
    after the module: CKAN's function-scoped with_plugins cannot reach module-scoped set-up)."""
    unload = loaded_plugins()
    try:
        reset(reset_db, migrate_db_for)
        yield
    finally:
        unload()


def build(with_datastore: bool = True, states: list[str] | None = None) -> World:
    # Descriptions and profiles in Indonesian: the factories' random English text could hold a word that is an
    # English msgid ("PM"), which the language test would rightly report on the OPD list.
    orgs = {name: ckan_factories.Organization(name=name, title=name.replace("-", " ").title(),
                                              description=f"Perangkat Daerah {name.replace('-', ' ').title()} "
                                                          "Kota Blitar (data uji).")
            for name in ("diskominfotik", "dinas-kesehatan", "bappeda")}
    users = {}
    for number, (viewer, membership) in enumerate(VIEWERS.items()):
        if viewer == "anonymous":
            continue
        factory = ckan_factories.SysadminWithToken if viewer == "sysadmin" else ckan_factories.UserWithToken
        users[viewer] = factory(name=viewer.replace("_", "-"), password=PASSWORD, fullname=f"Pengguna Uji {number}",
                                about="Pengguna uji portal.")
        if membership:
            capacity, org = membership
            helpers.call_action("organization_member_create", id=org, username=users[viewer]["name"],
                                role=capacity)
    world = World(users=users, orgs=orgs)
    for state in PATHS if states is None else states:
        world.datasets[state] = dataset_in_state(world, state, with_datastore=with_datastore)
    return world


def dataset_in_state(world: World, state: str, name: str | None = None, with_datastore: bool = False) -> dict:
    """A dataset of Dinas Kesehatan with an uploaded CSV, moved to `state` by the right people."""
    operator = {"user": world.name("operator")}
    dataset = helpers.call_action("package_create", context=operator, **_body(world, name or f"data-{state}"))
    resource = helpers.call_action(
        "resource_create", context=operator, package_id=dataset["id"], name="Data 2024", format="CSV",
        upload=FileStorage(io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "data.csv", content_type="text/csv"))
    # Read and accepted by the upload check, as the worker records it: only loaded data can be submitted.
    upload_check.save(resource["id"], {"format": "csv", "rows": 1, "issues": []})
    if with_datastore:
        sysadmin = {"user": world.name("sysadmin")}
        helpers.call_action("datastore_create", context=sysadmin, resource_id=resource["id"], force=True,
                            **factories.table())
        helpers.call_action("resource_view_create", context=sysadmin, resource_id=resource["id"],
                            view_type="datatables_view", title="Tabel")
    for transition, actor in PATHS[state]:
        helpers.call_action("satudata_transition", context={"user": world.name(actor)}, id=dataset["id"],
                            transition=transition, note="Catatan uji")
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["satudata_status"] == state
    return shown


def _body(world: World, name: str, opd: str = "dinas-kesehatan") -> dict:
    return {"name": name, "title": name.replace("-", " ").title(), "notes": "Data uji.",
            "owner_org": world.orgs[opd]["id"], **REQUIRED_METADATA}


def bappeda_draft(world: World, name: str = "data-bappeda") -> dict:
    """A draft of the other OPD (Bappeda), made by its Operator Data."""
    return helpers.call_action("package_create", context={"user": world.name("operator_other_opd")},
                               **_body(world, name, "bappeda"))


def csrf_token(html):
    return BeautifulSoup(html, "html.parser").select_one("input[name=_csrf_token]")["value"]


def logged_in(app, world, viewer):
    """A browser: one test client keeps its cookies across requests."""
    browser = app.test_client()
    page = browser.get("/user/login")
    browser.post("/user/login", data={"login": world.name(viewer), "password": PASSWORD,
                                      "_csrf_token": csrf_token(page.body)})
    # Logged in: the dashboard answers instead of sending the browser to the login page.
    dashboard = browser.get("/dashboard/datasets", follow_redirects=False)
    assert dashboard.status_code == 200, dashboard.status_code
    return browser


def loaded_plugins():
    """Plugins for module-scoped set-up, where CKAN's function-scoped with_plugins cannot reach."""
    plugins.load_all()
    return getattr(plugins, adapters.plugins_unload_name())
