"""A portal's content, built and read back through CKAN's own actions, for the upgrade test (test_upgrade.py). Run
with the Python of the CKAN version at hand, against a config file:

    python -m ckanext.satudata_blitar.tests.release.portal build CONFIG           # the test world and more
    python -m ckanext.satudata_blitar.tests.release.portal snapshot CONFIG OUT [AT]   # what we keep, as JSON
    python -m ckanext.satudata_blitar.tests.release.portal carry-on CONFIG OUT    # the workflow goes on

`build` makes tests/world.py's Kota Blitar (OPDs, a user per role, a dataset in each workflow state with a DataStore
table) plus a pending revision of the published dataset, the daftar elemen data, a role change, reminder settings
and an issued report. `snapshot` reads, in this order: every row of our tables (every table named satudata_*, so a
new one is covered by itself), then package_show of every dataset, datastore_search of every table, searches, and
our read actions (workflow histories, the verification queues, elements, the report archive and its files, the
reports of the year). Nothing here writes except `build` and `carry-on`."""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import pathlib
import sys
from typing import Any

import freezegun
import sqlalchemy as sa

YEAR = 2026
PERIOD = str(YEAR)


def _app(config_file: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(config_file))
    flask_app = app.apps["flask_app"]._wsgi_app if hasattr(app, "apps") else app._wsgi_app
    return flask_app.test_request_context()


def _call(action: str, user: str | None = None, **data) -> Any:
    import ckan.tests.helpers as helpers
    context = {"user": user} if user else {"user": _site_user(), "ignore_auth": True}
    return helpers.call_action(action, context=context, **data)


def _site_user() -> str:
    import ckan.logic as logic
    return logic.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


# --- build (on the old version) ---------------------------------------------------------------------------------

def build() -> None:
    from ckanext.satudata_blitar.tests import world as world_module
    from ckanext.satudata_blitar.workflow import transitions

    world = world_module.build(with_datastore=True)
    operator, walidata = world.name("operator"), world.name("walidata")
    # A pending revision of the published dataset, submitted.
    live = world.datasets[transitions.TERBIT]
    revision = _call("satudata_revision_create", operator, id=live["id"])
    _call("satudata_transition", operator, id=revision["id"], transition="ajukan", note="Revisi uji")
    # A dataset of the other OPD; the daftar elemen data of both, one element provided by the published dataset.
    world_module.bappeda_draft(world)
    element = _call("satudata_data_element_create", walidata, tahun=YEAR, owner_org="dinas-kesehatan",
                    nama="Jumlah Puskesmas", definisi="Puskesmas yang beroperasi", satuan="unit",
                    frekuensi="tahunan", tanggal_target=f"{YEAR}-06-30")
    _call("satudata_data_element_link", walidata, id=element["id"], package_id=live["id"])
    _call("satudata_data_element_create", walidata, tahun=YEAR, owner_org="bappeda", nama="Jumlah Penduduk",
          satuan="jiwa")
    # A role change (the role history) and a person's reminder settings.
    _call("organization_member_create", walidata, id="bappeda", username=world.name("ckan_member"),
          role="editor")
    _call("satudata_reminder_settings_update", operator, reminders=False, language="en")
    # An issued report (number, stored PDF and .xlsx).
    _call("satudata_report_issue", walidata, kind="evaluation", period=PERIOD, owner_org="dinas-kesehatan")


# --- snapshot (before and after) --------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def our_tables() -> dict[str, list[dict]]:
    import ckan.model as model
    connection = model.Session.connection()
    names = sorted(name for name in sa.inspect(connection).get_table_names() if name.startswith("satudata_"))
    tables = {}
    for name in names:
        rows = [_plain(dict(row._mapping)) for row in connection.execute(sa.text(f'SELECT * FROM "{name}"'))]
        tables[name] = sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))
    return tables


def snapshot() -> dict[str, Any]:
    import ckan.model as model
    tables = our_tables()  # first: nothing below may have written to them yet
    model.Session.rollback()
    package_ids = [row[0] for row in model.Session.execute(sa.text("SELECT id FROM package ORDER BY name"))]
    datasets = {}
    for package_id in package_ids:
        shown = _call("package_show", id=package_id)
        datasets[shown["name"]] = shown
    datastore = {}
    for dataset in datasets.values():
        for resource in dataset["resources"]:
            if resource.get("datastore_active"):
                found = _call("datastore_search", resource_id=resource["id"], limit=1000, sort="_id")
                datastore[f"{dataset['name']}/{resource['name']}"] = {
                    "fields": found["fields"], "records": found["records"], "total": found["total"]}
    searches = {}
    for label, query in {
        "everything": {"include_private": True, "include_drafts": True},
        "public": {},
        "text": {"q": "uji", "include_private": True},
        "status": {"fq": "satudata_status:terbit", "include_private": True},
        "years": {"fq": "tahun:[2021 TO 2023]", "include_private": True},
        "opd": {"fq": "organization:dinas-kesehatan", "include_private": True, "include_drafts": True},
    }.items():
        found = _call("package_search", rows=1000, sort="name asc", facet="true",
                      **{"facet.field": json.dumps(["organization", "satudata_status", "tahun", "tags", "res_format"])},
                      **query)
        searches[label] = {"count": found["count"], "names": [d["name"] for d in found["results"]],
                           "facets": found["facets"]}
    users = {user["name"]: user for user in (_call("user_show", id=row[0]) for row in model.Session.execute(
        sa.text("SELECT id FROM \"user\" WHERE state = 'active' AND name NOT LIKE :site ORDER BY name"),
        {"site": _site_user()}))}
    orgs = {org["name"]: org for org in _call("organization_list", all_fields=True, include_extras=True,
                                              include_users=True)}
    workflow = {name: _call("satudata_workflow_history", id=dataset["id"]) for name, dataset in datasets.items()}
    queues = {viewer: _call("satudata_verification_queue", viewer)
              for viewer in ("verifikator-opd", "verifikator-kominfotik", "walidata")}
    elements = _call("satudata_data_element_list", "walidata", tahun=YEAR)
    archive = _call("satudata_report_archive_list", "walidata")
    # The files: each issued report's PDF and .xlsx as the archive serves them (checked against its SHA-256), each
    # uploaded resource's bytes as CKAN's uploader keeps them.
    from ckan.lib import uploader
    from ckanext.satudata_blitar.reports import archive as report_archive
    files = {}
    for issued in archive["results"]:
        shown = _call("satudata_report_archive_show", "walidata", id=issued["id"])
        for fmt in ("pdf", "xlsx"):
            files[shown[f"{fmt}_name"]] = _sha256(report_archive.stored_file(shown, fmt))
    for dataset in datasets.values():
        for resource in dataset["resources"]:
            if resource.get("url_type") == "upload":
                path = pathlib.Path(uploader.get_resource_uploader(resource).get_path(resource["id"]))
                files[f"{dataset['name']}/{resource['name']}"] = _sha256(path.read_bytes())
    reports = {kind: _call(f"satudata_report_{kind}", "walidata", period=PERIOD)
               for kind in ("monitoring", "evaluation")}
    roles = {org: _call("satudata_role_history", "walidata", id=org) for org in orgs}
    activity = {name: len(_call("package_activity_list", id=dataset["id"], limit=100, include_hidden_activity=True))
                for name, dataset in datasets.items()}
    return _plain({"tables": tables, "datasets": datasets, "datastore": datastore, "search": searches,
                   "users": users, "organizations": orgs, "workflow_history": workflow, "queues": queues,
                   "elements": elements, "report_archive": archive, "files": files,
                   "reports": reports, "role_history": roles, "activity_counts": activity})


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- carry on (on the new version) ------------------------------------------------------------------------------

def carry_on() -> dict[str, Any]:
    """The workflow goes on over the upgraded data, by its people: the submitted dataset is verified by the OPD's
    verifier, the returned one submitted again, the pending revision verified twice and published over the live
    dataset. The states they end in and their histories (transition, state, who)."""
    _call("satudata_transition", "verifikator-opd", id="data-diajukan", transition="verifikasi_opd",
          note="Setelah pemutakhiran")
    _call("satudata_transition", "operator", id="data-perlu_perbaikan", transition="ajukan")
    [revision] = [row for row in _call("satudata_verification_queue", "verifikator-opd")
                  if row.get("name", "").startswith("data-terbit") and row.get("name") != "data-terbit"]
    for transition, actor in (("verifikasi_opd", "verifikator-opd"), ("verifikasi_walidata", "verifikator-kominfotik"),
                              ("terbitkan", "walidata")):
        _call("satudata_transition", actor, id=revision["id"], transition=transition)
    return {name: {"state": _call("package_show", id=name)["satudata_status"],
                   "history": [[event["transition"], event["to_state"], event["actor_name"]]
                               for event in _call("satudata_workflow_history", id=name)]}
            for name in ("data-diajukan", "data-perlu_perbaikan", "data-terbit")}


def main(argv: list[str]) -> int:
    command, config_file, *rest = argv
    commands = {"build": build, "snapshot": snapshot, "carry-on": carry_on}
    if command not in commands:
        raise SystemExit(f"unknown command {command}; one of {', '.join(commands)}")
    out, at = (rest + [None, None])[:2]
    # A reading at a given moment (UTC, ISO): the queues' waiting times and the reports' late steps count up to
    # "now", so two readings minutes apart would differ by the minutes between them.
    clock = freezegun.freeze_time(at, ignore=["jwt"]) if at else contextlib.nullcontext()
    with _app(config_file), clock:
        result = commands[command]()
    if out:  # a file, not stdout: CKAN's logging may write there
        pathlib.Path(out).write_text(json.dumps(result, sort_keys=True, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
