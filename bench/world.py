"""The benchmarks' small Kota Blitar, made through the Action API of a served portal (bench/serve.py): a sysadmin
(made with the template databases: sysadmin_token), the Walidata's organisation and OPDs, a user per role with an
API token, and datasets taken through the real workflow (upload, the worker's load, submit, both verifications,
publication).

The world is remembered in .services/bench-<name>-world.json, so a second run on the same database reuses it.
"""
from __future__ import annotations

import contextlib
import io
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

import serve

WALIDATA_ORG = "diskominfotik"  # ckanext.satudata_blitar.walidata_org's default
PASSWORD = "Bench-SatuData-2026"
# Every required field of schemas/dataset.yaml besides title, notes, owner_org (tests/factories.py's REQUIRED_METADATA).
METADATA = {
    "urusan": "kesehatan", "definisi": "Banyaknya penduduk yang tercatat pada akhir tahun.", "satuan": "jiwa",
    "tahun_data_awal": 2020, "tahun_data_akhir": 2024, "frekuensi": "tahunan",
    "sumber_data": "Dinas Kependudukan dan Pencatatan Sipil Kota Blitar",
    "cara_pengumpulan": "kompilasi-produk-administrasi", "sifat_data": "terbuka",
}
# Capacities of workflow/roles.py.
OPERATOR, VERIFIKATOR_OPD, VERIFIKATOR_KOMINFOTIK, WALIDATA = ("editor", "verifikator", "verifikator_kominfotik",
                                                                "walidata")


class ApiError(Exception):
    def __init__(self, status: int, body: Any):
        super().__init__(f"{status}: {str(body)[:400]}")
        self.status, self.body = status, body


def call(client: httpx.Client, action: str, token: str | None = None, files: dict | None = None,
         **data: Any) -> Any:
    """One Action API call (POST, JSON or multipart), its result or ApiError."""
    headers = {"Authorization": token} if token else {}
    if files:
        response = client.post(f"/api/3/action/{action}", data={k: str(v) for k, v in data.items()}, files=files,
                               headers=headers)
    else:
        response = client.post(f"/api/3/action/{action}", json=data, headers=headers)
    try:
        body = response.json()
    except ValueError:
        raise ApiError(response.status_code, response.text) from None
    if response.status_code != 200 or not body.get("success"):
        raise ApiError(response.status_code, body.get("error", body))
    return body["result"]


def table_csv(rows: int = 40, seed: int = 0) -> bytes:
    """A small OPD table: kecamatan, kelurahan, year, counts (what an operator uploads)."""
    rnd = random.Random(seed)
    out = io.StringIO()
    out.write("kecamatan,kelurahan,tahun,laki_laki,perempuan,jumlah\n")
    for i in range(rows):
        laki, perempuan = rnd.randint(100, 9000), rnd.randint(100, 9000)
        out.write(f"{['Sananwetan', 'Sukorejo', 'Kepanjenkidul'][i % 3]},Kelurahan {i % 7},{2019 + i % 6},"
                  f"{laki},{perempuan},{laki + perempuan}\n")
    return out.getvalue().encode()


def world_path(name: str) -> Path:
    return serve.STATE / f"bench-{name}-world.json"


def sysadmin_token(ini: Path, name: str) -> str:
    """An API token of the sysadmin `bench-admin`: the one bench/serve.py made with the template databases (their
    table bench_admin_token), else a new one made in a CKAN process of its own (nothing but the database can make
    the first sysadmin)."""
    with contextlib.suppress(RuntimeError):
        token = serve.psql_admin("SELECT token FROM bench_admin_token", db=serve.databases(name)[0]).strip()
        if token:
            return token
    done = subprocess.run([sys.executable, __file__, "--sysadmin-token", str(ini)], capture_output=True, text=True,
                          timeout=300)
    if done.returncode:
        raise RuntimeError(f"could not make the sysadmin: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def _make_sysadmin_token(ini: str) -> str:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.model as model
        import ckan.plugins.toolkit as tk
        if model.User.by_name("bench-admin") is None:
            site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
            tk.get_action("user_create")({"user": site_user, "ignore_auth": True}, {
                "name": "bench-admin", "email": "bench-admin@example.org", "password": PASSWORD})
        user = model.User.by_name("bench-admin")
        user.sysadmin = True
        model.repo.commit()
        return tk.get_action("api_token_create")({"user": "bench-admin", "ignore_auth": True},
                                                 {"user": "bench-admin", "name": "bench"})["token"]


def make(client: httpx.Client, ini: Path, name: str, opds: int, per_role: dict[str, int]) -> dict[str, Any]:
    """Organisations and users with tokens; per_role: how many users of each capacity (operators and verifiers per
    OPD, the Walidata's roles in all). Reused when the file exists and names the same sizes."""
    path = world_path(name)
    if path.exists():
        world = json.loads(path.read_text())
        if world.get("opds_count") == opds and world.get("per_role") == per_role:
            return world
    admin = sysadmin_token(ini, name)
    world: dict[str, Any] = {"admin": admin, "opds_count": opds, "per_role": per_role, "opds": [], "users": {}}

    def org(org_name: str, title: str) -> str:
        try:
            return call(client, "organization_show", admin, id=org_name)["id"]
        except ApiError:
            return call(client, "organization_create", admin, name=org_name, title=title)["id"]

    def user(user_name: str, org_id: str, capacity: str) -> None:
        try:
            call(client, "user_show", admin, id=user_name)
        except ApiError:
            call(client, "user_create", admin, name=user_name, email=f"{user_name}@example.org", password=PASSWORD)
        call(client, "organization_member_create", admin, id=org_id, username=user_name, role=capacity)
        token = call(client, "api_token_create", admin, user=user_name, name="bench")["token"]
        world["users"].setdefault(capacity, []).append({"name": user_name, "token": token, "org": org_id})

    walidata_org = org(WALIDATA_ORG, "Dinas Komunikasi, Informatika dan Statistik")
    world["walidata_org"] = walidata_org
    for i in range(1, opds + 1):
        opd = org(f"bench-opd-{i}", f"Bench OPD {i}")
        world["opds"].append(opd)
        for capacity in (OPERATOR, VERIFIKATOR_OPD):
            for k in range(1, per_role[capacity] + 1):
                user(f"bench-{capacity}-{i}-{k}", opd, capacity)
    for capacity in (VERIFIKATOR_KOMINFOTIK, WALIDATA):
        for k in range(1, per_role[capacity] + 1):
            user(f"bench-{capacity}-{k}", walidata_org, capacity)
    path.write_text(json.dumps(world, indent=1))
    return world


def users_of(world: dict, capacity: str, org: str | None = None) -> list[dict]:
    return [u for u in world["users"][capacity] if org is None or u["org"] == org]


def wait_loaded(client: httpx.Client, token: str, resource_id: str, timeout: float = 300) -> str:
    """Poll the upload check until the worker has read the table: its status (ok, warning or error)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = call(client, "satudata_upload_check", token, id=resource_id).get("status")
        if status and status != "pending":
            return status
        time.sleep(0.5)
    raise TimeoutError(f"the upload of {resource_id} was not loaded within {timeout:.0f} s")


def create_with_upload(client: httpx.Client, operator: dict, dataset_name: str, seed: int = 0) -> tuple[dict, dict]:
    """What an Operator Data does: the dataset with its metadata, then its table uploaded on the resource form."""
    dataset = call(client, "package_create", operator["token"], name=dataset_name, title=f"Data {dataset_name}",
                   notes="Data hasil benchmark.", owner_org=operator["org"], **METADATA)
    resource = call(client, "resource_create", operator["token"],
                    files={"upload": (f"{dataset_name}.csv", table_csv(seed=seed), "text/csv")},
                    package_id=dataset["id"], name="Data", format="CSV")
    return dataset, resource


def publish(client: httpx.Client, world: dict, dataset_name: str, seed: int = 0) -> tuple[dict, dict]:
    """A published dataset made the way the SOP makes one, by the four roles in turn."""
    opd = world["opds"][seed % len(world["opds"])]
    operator = users_of(world, OPERATOR, opd)[0]
    dataset, resource = create_with_upload(client, operator, dataset_name, seed)
    wait_loaded(client, operator["token"], resource["id"])
    for transition, who in (("ajukan", operator), ("verifikasi_opd", users_of(world, VERIFIKATOR_OPD, opd)[0]),
                            ("verifikasi_walidata", users_of(world, VERIFIKATOR_KOMINFOTIK)[0]),
                            ("terbitkan", users_of(world, WALIDATA)[0])):
        call(client, "satudata_transition", who["token"], id=dataset["id"], transition=transition)
    return dataset, resource


# --- many datasets at once -----------------------------------------------------------------------------------------
# Copies of one dataset made through the API, row by row in SQL (seconds instead of an hour of API calls): the
# dataset, its extras, its resource with its view and upload check, its membership of the OPD, its workflow state
# and events. Each table's columns are read from the database, so a column added by a later CKAN is copied too.
# The extras are where the CKAN version keeps them (adapters.py: a table in 2.11, a column of `package` in 2.12).
# Only the template's resource has a DataStore table; the copies' resources say they have none.
CLONED = {
    # table: (filter on the template, {column: expression}, None: not copied); `c` is the copy (c.g, c.pid, c.org),
    # `t` the row
    "package": ("t.id = :template", {"id": "c.pid", "name": "c.pid", "title": "t.title || ' ' || c.g",
                                     "owner_org": "c.org", "private": ":state <> 'terbit'", "extras": None,
                                     "metadata_modified": "t.metadata_modified - c.g * interval '1 minute'",
                                     "metadata_created": "t.metadata_created - c.g * interval '1 minute'"}),
    "resource": ("t.package_id = :template", {"id": "c.pid || '-r' || t.position", "package_id": "c.pid",
                                              "extras": "(t.extras::jsonb - 'datastore_active')::text"}),
    "resource_view": ("t.resource_id IN (SELECT id FROM resource WHERE package_id = :template)",
                      {"id": "c.pid || '-v' || t.id", "resource_id": "c.pid || '-r' || "
                       "(SELECT position FROM resource WHERE id = t.resource_id)"}),
    "task_status": ("t.entity_id IN (SELECT id FROM resource WHERE package_id = :template)",
                    {"id": "c.pid || '-t' || t.id", "entity_id": "c.pid || '-r' || "
                     "(SELECT position FROM resource WHERE id = t.entity_id)"}),
    "member": ("t.table_id = :template AND t.table_name = 'package'",
               {"id": "c.pid || '-m'", "table_id": "c.pid", "group_id": "c.org"}),
    "satudata_dataset_status": ("t.package_id = :template", {"package_id": "c.pid", "state": ":state"}),
    # a published copy has the template's whole history; any other only its creation
    "satudata_workflow_event": ("t.package_id = :template AND (:state = 'terbit' OR t.transition = 'buat')",
                                {"id": None, "package_id": "c.pid", "owner_org": "c.org"}),
}


def columns(db: str, table: str) -> list[str]:
    """The table's columns in the database (a column a later CKAN adds is copied too; none: no such table)."""
    return serve.psql_admin(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' "
                            f"AND table_schema = 'public' ORDER BY ordinal_position", db=db).split()


def copy_sql(db: str, table: str, source: str, where: str, replaced: dict[str, str | None]) -> str | None:
    """INSERT … SELECT of the rows `t` of `table` that match `where`, once per row of `source` (joined as given,
    e.g. ``c`` for a temporary table of the copies): every column as it is, but those of `replaced`
    (an expression, or None: not copied). None when the database has no such table."""
    names = [c for c in columns(db, table) if replaced.get(c, "") is not None]
    if not names:
        return None
    values = [replaced.get(c, f't."{c}"') for c in names]
    quoted = ", ".join(f'"{c}"' for c in names)
    return f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(values)} FROM "{table}" t, {source} WHERE {where}'


def copy_name(prefix: str, count: int) -> str:
    """SQL of the name of copy `g` of `count`: <prefix>-0001…, zero-padded to the width of the largest (PostgreSQL's
    lpad cuts a longer string: 100,000 copies need six digits)."""
    return f"'{prefix}-' || lpad(g::text, {max(4, len(str(count)))}, '0')"


def clone(db: str, template_id: str, prefix: str, count: int, orgs: list[str], state: str,
          events: bool = True) -> None:
    """`count` copies of the template named <prefix>-0001…, spread over `orgs` (copy g in orgs[g % len(orgs)]), in
    workflow state `state`; events=False copies no workflow event (the caller writes their histories)."""
    from ckanext.satudata_blitar import adapters  # CKAN loaded only here: a missing one is named by serve.require
    statements = [
        "BEGIN",
        f"CREATE TEMP TABLE c AS SELECT g, {copy_name(prefix, count)} AS pid, "
        f"(ARRAY[{', '.join(repr(o) for o in orgs)}])[1 + g % {len(orgs)}] AS org FROM generate_series(1, {count}) g",
    ]
    for table, (where, replaced) in CLONED.items():
        if table == "satudata_workflow_event" and not events:
            continue
        sql = copy_sql(db, table, "c", where, replaced)
        statements.append(sql.replace(":template", f"'{template_id}'").replace(":state", f"'{state}'"))
        if table == "package":
            statements.append(adapters.extras_insert_sql(
                f"SELECT c.pid, x.key, x.value FROM ({adapters.extras_rows_sql()}) x, c "
                f"WHERE x.package_id = '{template_id}'"))
    statements += ["COMMIT", "ANALYZE"]
    serve.psql_admin("", db=db, stdin=";\n".join(statements) + ";\n", timeout=3600)


if __name__ == "__main__":  # serve's sysadmin_token, in a process of its own
    if sys.argv[1:2] == ["--sysadmin-token"]:
        print(_make_sysadmin_token(sys.argv[2]))
