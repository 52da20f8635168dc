"""Whether a dataset may be submitted for verification (SOP step 3 -> 4): it must be out of CKAN's `draft` state and
have loaded data. satudata_transition asks before `ajukan`; the dataset page says why to whoever may submit."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import revisions

# Upload reports that say the file was read and loaded (warnings are advice; errors and pending are not loaded).
ACCEPTED_REPORTS = ("ok", "warning")


def _loaded(resource: model.Resource) -> bool:
    return tk.asbool(resource.extras.get("datastore_active"))


def submission_refusal(package: model.Package) -> str | None:
    """Why the dataset cannot be submitted for verification yet, or None.

    A dataset left in CKAN's `draft` state (the two-stage form not finished) appears in no verifier's list, and
    a dataset without data has nothing to verify: at least one resource must be loaded into the DataStore, or its
    upload report accepted."""
    if package.state == "draft":
        return tk._("Finish the dataset first: add its data file on the resource form and press Finish. "
                    "A dataset still in draft cannot be submitted.")
    resources = [r for r in package.resources if r.state == "active"]
    revision = revisions.revision_of(package.id)
    live = model.Package.get(revision.live_id) if revision else None
    if live:
        # A pending revision starts from the live dataset's loaded data (its copies are loaded again meanwhile).
        resources += [r for r in live.resources if r.state == "active"]
    if any(_loaded(r) for r in resources):
        return None
    if resources:
        accepted = (model.Session.query(model.TaskStatus.id)
                    .filter(model.TaskStatus.entity_id.in_([r.id for r in resources]),
                            model.TaskStatus.task_type == upload_check.TASK_TYPE,
                            model.TaskStatus.key == upload_check.KEY,
                            model.TaskStatus.state.in_(ACCEPTED_REPORTS)).first())
        if accepted:
            return None
    return tk._("Upload the data first: a dataset can be submitted only when at least one of its resources "
                "has been loaded (its upload report shows no error).")


def submission_refusal_of(package_id: str) -> str | None:
    package = model.Package.get(package_id)
    return submission_refusal(package) if package else None
