"""Drives the harvesting CKAN of the harvest test in a process of its own (its own ini, database and plugins):

    python -m ckanext.satudata_blitar.tests.interop.harvest_target INI reset SOURCE_URL
        empties it (datasets purged, harvest sources and jobs removed, its queues purged) and creates an organisation and a DCAT RDF harvest
        source for SOURCE_URL
    python -m ckanext.satudata_blitar.tests.interop.harvest_target INI harvest
        a harvest job as ckanext-harvest runs one: the job goes on the gather queue (Redis), the running
        `ckan harvester gather-consumer` and `fetch-consumer` gather, fetch and import; `harvest_jobs_run` (what cron
        calls) marks it finished; then prints the active datasets and the job's errors as JSON
"""
from __future__ import annotations

import json
import sys

from ckan.cli import load_config
from ckan.config.middleware import make_app

SOURCE = "satudata-blitar"


def reset(tk, source_url: str) -> None:
    import sqlalchemy as sa
    from ckan import model
    from ckan.lib import search
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = lambda: {"user": site_user, "ignore_auth": True}  # noqa: E731
    model.Session.execute(sa.text(
        "TRUNCATE harvest_object_error, harvest_object_extra, harvest_object, harvest_gather_error, harvest_log, "
        "harvest_job, harvest_source CASCADE"))
    model.Session.commit()
    from ckanext.harvest.queue import purge_queues
    purge_queues()  # messages of an earlier, interrupted run
    for (package_id,) in model.Session.query(model.Package.id).all():
        tk.get_action("dataset_purge")(context(), {"id": package_id})
    search.clear_all()
    try:
        org = tk.get_action("organization_show")(context(), {"id": "jatim"})
    except tk.ObjectNotFound:
        org = tk.get_action("organization_create")(context(), {"name": "jatim", "title": "Satu Data Jawa Timur"})
    tk.get_action("harvest_source_create")(context(), {
        "name": SOURCE, "title": "Satu Data Kota Blitar", "url": source_url, "source_type": "dcat_rdf",
        "owner_org": org["id"], "frequency": "MANUAL", "config": json.dumps({"rdf_format": "text/turtle"})})


def datasets(tk) -> dict:
    """The active datasets and the errors of the harvest jobs."""
    from ckanext.harvest.model import HarvestGatherError, HarvestObjectError
    from ckan import model
    found = tk.get_action("package_search")({"ignore_auth": True}, {
        "q": "*:*", "fq": "-dataset_type:harvest", "rows": 1000, "include_private": True})
    errors = [e.message for e in model.Session.query(HarvestGatherError)]
    errors += [e.message for e in model.Session.query(HarvestObjectError)]
    return {"datasets": found["results"], "errors": errors}


def harvest(tk, timeout: float = 90) -> dict:
    import time
    from ckan import model
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = lambda: {"user": site_user, "ignore_auth": True, "model": model, "session": model.Session}  # noqa
    source = tk.get_action("harvest_source_show")(context(), {"id": SOURCE})
    job = tk.get_action("harvest_job_create")(context(), {"source_id": source["id"], "run": True})
    deadline = time.monotonic() + timeout
    while True:
        model.Session.remove()
        tk.get_action("harvest_jobs_run")(context(), {"source_id": source["id"]})
        status = tk.get_action("harvest_job_show")(context(), {"id": job["id"]})["status"]
        if status == "Finished":
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"harvest job still {status} after {timeout} s")
        time.sleep(0.5)
    return datasets(tk)


def main(ini: str, command: str, *args: str) -> None:
    app = make_app(load_config(ini))
    import ckan.plugins.toolkit as tk
    with app._wsgi_app.test_request_context():
        if command == "reset":
            reset(tk, *args)
        elif command == "harvest":
            json.dump(harvest(tk), sys.stdout)
        else:
            raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
