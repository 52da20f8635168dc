"""Whether a dataset may be submitted for verification (SOP step 3 -> 4) and go on to publication: it must be out of
CKAN's `draft` state and its data files must have passed the upload check. satudata_transition asks before `ajukan`,
both verifications and `terbitkan`; the dataset page says why to whoever may submit."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.metadata import completeness, ms_keg
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import revisions

# Kept for callers of the former name: the states of an accepted check.
ACCEPTED_REPORTS = upload_check.ACCEPTED


def _loaded(resource: model.Resource) -> bool:
    return tk.asbool(resource.extras.get("datastore_active"))


def _names(resources: list[model.Resource]) -> str:
    return ", ".join(f"“{r.name or r.id}”" for r in resources)


def data_refusal(package: model.Package) -> str | None:
    """Why the dataset's data cannot go on in the workflow (submitted, verified, published), or None.

    Every uploaded file is a data file: each must have been checked and accepted (a refused file, or one replaced
    and not yet checked, stops the dataset; a file changed after submission stops the verifications and the
    publication too). And there must be data: at least one resource loaded into the DataStore or accepted."""
    resources = [r for r in package.resources if r.state == "active"]
    uploads = [r for r in resources if r.url_type == "upload"]
    states = upload_check.states([r.id for r in uploads])
    refused = [r for r in uploads if states.get(r.id) == "error"]
    if refused:
        return tk._("The upload check refused the file of {names}. The Operator Data must correct it and upload "
                    "it again; its page says what is wrong.").format(names=_names(refused))
    unchecked = [r for r in uploads if states.get(r.id) not in upload_check.ACCEPTED]
    if unchecked:
        return tk._("The file of {names} has not been checked yet. Wait until its upload check is done (reload "
                    "the page in a moment).").format(names=_names(unchecked))
    if uploads:
        return None
    revision = revisions.revision_of(package.id)
    live = model.Package.get(revision.live_id) if revision else None
    if live:
        # A pending revision without files of its own starts from the live dataset's loaded data.
        resources += [r for r in live.resources if r.state == "active"]
    if any(_loaded(r) for r in resources) or any(
            state in upload_check.ACCEPTED for state in upload_check.states([r.id for r in resources]).values()):
        return None
    return tk._("Upload the data first: a dataset can be submitted only when at least one of its resources "
                "has been loaded (its upload report shows no error).")


def submission_refusal(package: model.Package) -> str | None:
    """Why the dataset cannot be submitted for verification yet, or None.

    A dataset left in CKAN's `draft` state (the two-stage form not finished) appears in no verifier's list, a
    dataset without accepted data has nothing to verify, and one whose statistical metadata is incomplete (an
    MS-Var without definisi, …: metadata/completeness.py) cannot be verified yet."""
    if package.state == "draft":
        return tk._("Finish the dataset first: add its data file on the resource form and press Finish. "
                    "A dataset still in draft cannot be submitted.")
    if package.type == ms_keg.KEGIATAN_TYPE:
        return tk._("A statistical activity is not submitted on its own: it is verified with its datasets.")
    return data_refusal(package) or completeness.refusal(package)


def submission_refusal_of(package_id: str) -> str | None:
    package = model.Package.get(package_id)
    return submission_refusal(package) if package else None


def data_files(package_ids: list[str]) -> dict[str, list[dict]]:
    """Each dataset's resources with their upload check in one line (for the verifiers' queue and the dataset's
    workflow panel): `check` is ok, warning, error (refused; `error` says why), pending, none (never checked) or
    link (not an uploaded file). Two queries for any number of datasets."""
    if not package_ids:
        return {}
    rows = (model.Session.query(model.Resource.id, model.Resource.package_id, model.Resource.name,
                                model.Resource.url_type)
            .filter(model.Resource.package_id.in_(package_ids), model.Resource.state == "active")
            .order_by(model.Resource.package_id, model.Resource.position).all())
    checks = upload_check.summaries([row.id for row in rows if row.url_type == "upload"])
    found: dict[str, list[dict]] = {package_id: [] for package_id in package_ids}
    for row in rows:
        check = checks.get(row.id, {"state": "none", "rows": 0, "warnings": 0, "error": None})
        found[row.package_id].append({"id": row.id, "name": row.name or row.id, **check,
                                      "check": check["state"] if row.url_type == "upload" else "link"})
    return found
