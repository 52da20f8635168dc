"""MS-Keg: the metadata of a statistical activity (Peraturan BPS 5/2020), one record shared by its datasets.

A statistical activity is a dataset of type `kegiatan-statistik` (schemas/kegiatan.yaml), owned by the OPD that runs
it and edited by its Operator Data like a dataset; a dataset links to it through `ms_keg_id` (the activity's id).
What makes it visible (docs/metadata.md): it is private, seen by its OPD and the Walidata's roles only (the
dataset permission labels of workflow/roles.py), until a dataset linked to it is published (Terbit); it is public
while one is. It is not verified on its own: its content is verified with each dataset that links to it, so it is
locked while one of them is in verification or published, as a dataset is.

An `ms_keg_id` that names no activity of the dataset's OPD (a BPS registry number typed before MS-Keg records
existed) is kept as it is and shown as not linked; `missing()` says so before submission.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters
from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.workflow import transitions

KEGIATAN_TYPE = "kegiatan-statistik"
FIELD = "ms_keg_id"
# The Solr field of a dataset's linked activity (its id; not set for a value that links nothing): the search facet.
SEARCH_FIELD = "kegiatan_statistik"
# The schema key that marks the fields the MS-Keg form asks for before a dataset of the activity is submitted.
REQUIRED_KEY = "ms_keg_required"


def kegiatan(ref: Any) -> model.Package | None:
    """The active statistical activity with this id or name, or None."""
    if not isinstance(ref, str) or not ref.strip():
        return None
    package = model.Package.get(ref.strip())
    if package is None or package.type != KEGIATAN_TYPE or package.state != "active":
        return None
    return package


def linked(value: Any, owner_org: str | None) -> model.Package | None:
    """The activity an `ms_keg_id` links to: an active activity of the same OPD, else None (not linked)."""
    found = kegiatan(value)
    return found if found is not None and owner_org and found.owner_org == owner_org else None


def linked_id(package: model.Package | None) -> str | None:
    """The id of the activity a dataset links to, or None."""
    if package is None or package.type == KEGIATAN_TYPE:
        return None
    found = linked(package.extras.get(FIELD), package.owner_org)
    return found.id if found else None


def linking_datasets(kegiatan_id: str) -> list[tuple[model.Package, str]]:
    """The active datasets of the activity's OPD that link to it, with their workflow state, by title."""
    activity = model.Package.get(kegiatan_id)
    if activity is None:
        return []
    links = adapters.packages_with_extra(FIELD, [activity.id])
    rows = (model.Session.query(model.Package, DatasetStatus.state)
            .join(links, links.c.package_id == model.Package.id)
            .outerjoin(DatasetStatus, DatasetStatus.package_id == model.Package.id)
            .filter(model.Package.state == "active", model.Package.type != KEGIATAN_TYPE,
                    model.Package.owner_org == activity.owner_org)
            .order_by(model.Package.title))
    return [(package, state or transitions.DRAF) for package, state in rows]


def is_public(kegiatan_id: str) -> bool:
    """Whether the activity is public: a dataset linked to it is published (Terbit and public)."""
    return any(state == transitions.TERBIT and not package.private for package, state in linking_datasets(kegiatan_id))


def lock_state(kegiatan_id: str) -> str | None:
    """The state of a linked dataset that locks the activity's content (in verification or published), or None."""
    for _package, state in linking_datasets(kegiatan_id):
        if state not in transitions.EDITABLE_STATES:
            return state
    return None


def missing_fields(schema: dict[str, Any] | None, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of the MS-Keg form marked `ms_keg_required` that `data` leaves empty, in form order."""
    missing = []
    for field in (schema or {}).get("dataset_fields", []):
        value = data.get(field["field_name"])
        if field.get(REQUIRED_KEY) and (value is None or (isinstance(value, str) and not value.strip())):
            missing.append(field)
    return missing


def _schema() -> dict[str, Any] | None:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:  # pragma: no cover - scheming is a dependency
        return None
    return scheming_get_dataset_schema(KEGIATAN_TYPE)


def missing(package: model.Package) -> list[str]:
    """What the dataset lacks of its MS-Keg, as messages for the submitter: no activity linked (with the value that
    links nothing), or the activity's required fields that are empty. [] when complete."""
    value = package.extras.get(FIELD)
    activity = linked(value, package.owner_org)
    if activity is None:
        if isinstance(value, str) and value.strip():
            return [tk._('"{value}" is not a statistical activity of this OPD; choose one of its '
                         'statistical activities').format(value=value.strip())]
        return [tk._("no statistical activity is linked; choose the activity that produced the data")]
    from ckanext.scheming.helpers import scheming_language_text
    schema = _schema()
    return [f"“{activity.title}”: {scheming_language_text(field['label'])}"
            for field in missing_fields(schema, {**activity.extras, "notes": activity.notes})]


def ms_keg_missing(pkg: dict[str, Any] | model.Package) -> list[str]:
    """The completeness check of the MS-Keg form (metadata/completeness.py; a package dict or a Package):
    `missing()`."""
    package = pkg if isinstance(pkg, model.Package) else model.Package.get(pkg.get("id") or pkg.get("name") or "")
    return missing(package) if package is not None else []


def link_value(value: Any, owner_org: str | None) -> Any:
    """What a dataset stores in `ms_keg_id`: the activity's id when the value names an activity of the dataset's OPD
    (by id or URL name), else the value as it is (not linked)."""
    found = linked(value, owner_org)
    return found.id if found else value


def choices_for(owner_orgs: list[str] | None) -> list[dict[str, str]]:
    """The active activities of these OPDs (of every OPD for None), `{value: id, label: title, owner_org}`, by
    title: the dataset form's choice (shown only to the OPD's Operator Data, who may see them, and sysadmins)."""
    if owner_orgs is not None and not owner_orgs:
        return []
    query = model.Session.query(model.Package).filter(model.Package.type == KEGIATAN_TYPE,
                                                      model.Package.state == "active")
    if owner_orgs is not None:
        query = query.filter(model.Package.owner_org.in_(owner_orgs))
    return [{"value": package.id, "label": package.title, "owner_org": package.owner_org}
            for package in query.order_by(model.Package.title)]


def titles(ids: list[str]) -> dict[str, model.Package]:
    """id -> the activity, for facet labels (one query)."""
    if not ids:
        return {}
    rows = model.Session.query(model.Package).filter(model.Package.id.in_(ids),
                                                     model.Package.type == KEGIATAN_TYPE)
    return {package.id: package for package in rows}

