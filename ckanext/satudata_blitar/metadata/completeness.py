"""Is the statistical metadata complete enough to submit? One check per BPS form, in a list.

Each check names its form (MS-Var, …) and returns, for a dataset, what is missing in words (an empty list: the
form is complete). tables/submission.py refuses `ajukan` while an enforced check finds something missing (none is
while `ckanext.satudata_blitar.completeness.enforce` is off, during the migration of old data; MS-Keg's only with
`ckanext.satudata_blitar.ms_keg.required`); the verifiers' queue and the dataset's workflow panel show every check's
result. A further form adds its check to CHECKS.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters, config
from ckanext.satudata_blitar.language import N_
from ckanext.satudata_blitar.metadata import ms_keg, ms_var
from ckanext.satudata_blitar.site import site_context


@dataclasses.dataclass(frozen=True)
class Check:
    form: str                                        # a short code: ms_var, ms_keg, …
    title: str                                       # an English msgid, translated when shown
    # what is missing, each in words (translated), from the dataset and its tables loaded into the DataStore
    missing: Callable[[model.Package, list[model.Resource]], list[str]]
    # whether what is missing refuses `ajukan` (else it is only shown)
    enforced: Callable[[], bool] = lambda: True


def loaded_tables(package_ids: list[str]) -> dict[str, list[model.Resource]]:
    """Each dataset's active resources loaded into the DataStore, in one query for any number of datasets."""
    found: dict[str, list[model.Resource]] = {package_id: [] for package_id in package_ids}
    if not package_ids:
        return found
    rows = (model.Session.query(model.Resource)
            .filter(model.Resource.package_id.in_(package_ids), model.Resource.state == "active")
            .order_by(model.Resource.package_id, model.Resource.position))
    for resource in rows:
        if tk.asbool((resource.extras or {}).get("datastore_active")):
            found[resource.package_id].append(resource)
    return found


def table_fields(resource_id: str) -> list[dict[str, Any]]:
    """A DataStore table's fields with their Data Dictionary (datastore_info, as the portal)."""
    try:
        return tk.get_action("datastore_info")(site_context(), {"id": resource_id}).get("fields", [])
    except (tk.ObjectNotFound, KeyError):
        return []


def ms_var_missing(package: model.Package, tables: list[model.Resource]) -> list[str]:
    """Each column of a loaded table without its definisi (and satuan, for a numeric column)."""
    found = []
    for resource in tables:
        for column, keys in ms_var.missing(table_fields(resource.id)):
            found.append(tk._("{table}, column “{column}”: {missing}").format(
                table=f"“{resource.name or resource.id}”", column=column,
                missing=", ".join(ms_var.label(key).lower() for key in keys)))
    return found


def tables_missing_ms_var(package_id: str) -> list[model.Resource]:
    """The dataset's loaded tables with a column whose MS-Var lacks a required element."""
    return [resource for resource in loaded_tables([package_id])[package_id]
            if ms_var.missing(table_fields(resource.id))]


CHECKS: list[Check] = [
    Check("ms_keg", N_("MS-Keg (the statistical activity)"), lambda package, _tables: ms_keg.ms_keg_missing(package),
          config.ms_keg_required),
    Check("ms_var", N_("MS-Var (the table's variables)"), ms_var_missing),
]


def report(package: model.Package, tables: list[model.Resource] | None = None) -> list[dict[str, Any]]:
    """Every check's result for a dataset: form, title (translated), complete, missing. `tables`: its loaded
    tables when already known (reports())."""
    if package.type == ms_keg.KEGIATAN_TYPE:
        return []  # an activity is the MS-Keg form itself, checked with the datasets that link it
    tables = loaded_tables([package.id])[package.id] if tables is None else tables
    results = []
    for check in CHECKS:
        missing = check.missing(package, tables)
        results.append({"form": check.form, "title": tk._(check.title), "complete": not missing,
                        "missing": missing})
    return results


def reports(packages: list[model.Package]) -> dict[str, list[dict[str, Any]]]:
    """report() of many datasets (the verifiers' queue): their loaded tables, and their extras, in one query each."""
    adapters.load_extras(packages)
    tables = loaded_tables([package.id for package in packages])
    return {package.id: report(package, tables[package.id]) for package in packages}


def report_of(package_id: str) -> list[dict[str, Any]]:
    package = model.Package.get(package_id)
    return report(package) if package else []


def refusal(package: model.Package) -> str | None:
    """Why the dataset's metadata is not complete enough to submit it, with the list of what is missing; None when
    it is, or when the Walidata relaxed the rule (`completeness.enforce` off)."""
    if not config.completeness_enforce():
        return None
    enforced = {check.form for check in CHECKS if check.enforced()}
    lines = [f"{result['title']}: {item}" for result in report(package)
             if result["form"] in enforced for item in result["missing"]]
    if not lines:
        return None
    return tk._("Complete the statistical metadata first. Missing: {missing}").format(missing="; ".join(lines))
