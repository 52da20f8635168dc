"""CKAN's factories made to create datasets the way our portal has them, without changing what a test asks for.

- `factories.Dataset` (type `dataset`) gets the BPS metadata our schema requires (Peraturan BPS 5/2020) when the
  test does not give it, and an OPD (a new organisation) when the test gives no `owner_org` at all: in our portal
  every dataset belongs to an OPD.
- CKAN's legacy `CreateTestData` datasets (written to the model directly) get the same, and an organisation a test
  creates through `helpers.call_action` without a title gets its name as title (an OPD's full name is required).
- A dataset the test creates public (CKAN's default, `private` not true) is published (state Terbit): in our portal
  only publication makes a dataset public, so this is the dataset a stock test expects.
"""
from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa

import ckan.lib.create_test_data as create_test_data
import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers
from ckanext.scheming.helpers import scheming_get_dataset_schema, scheming_get_organization_schema

from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.workflow import transitions

REQUIRED_METADATA = {
    "urusan": "kesehatan",
    "definisi": "Banyaknya penduduk yang tercatat pada akhir tahun.",
    "satuan": "jiwa",
    "frekuensi": "tahunan",
    "sumber_data": "Dinas Kependudukan dan Pencatatan Sipil Kota Blitar",
    "cara_pengumpulan": "kompilasi-produk-administrasi",
    "sifat_data": "terbuka",
}

# Years of data before every year CKAN's tests freeze time in (freezegun: 1987 at the earliest), since a year of data
# may not be in the future, also when a test edits in 2020 a dataset created today.
DATA_YEARS = {"tahun_data_awal": 1980, "tahun_data_akhir": 1985}

_original_api_create = ckan_factories.Dataset.api_create.__func__


def _ours(dataset_type: str) -> bool:
    """Whether our plugin is loaded and datasets of this type use our schema (scheming's tests load their own)."""
    if not plugins.plugin_loaded("satudata_blitar"):
        return False
    schema = scheming_get_dataset_schema(dataset_type)
    return bool(schema) and any(f["field_name"] == "urusan" for f in schema["dataset_fields"])


def api_create(cls, data_dict: dict[str, Any]) -> dict[str, Any]:
    if not _ours(data_dict.get("type") or "dataset"):
        return _original_api_create(cls, data_dict)
    for field, value in REQUIRED_METADATA.items():
        data_dict.setdefault(field, value)
    for field, year in DATA_YEARS.items():
        data_dict.setdefault(field, year)
    if "owner_org" not in data_dict:
        data_dict["owner_org"] = ckan_factories.Organization()["id"]
    public = not tk.asbool(data_dict.get("private", False))
    result = _original_api_create(cls, data_dict)
    if public and result.get("owner_org") and result.get("state", "active") == "active":
        result = publish(result["id"])
    # The dataset's objects may stay in the session's identity map until the garbage collector frees a reference
    # cycle (with our plugins loaded); a test that changes the rows with SQL (CKAN 2.11's bulk_update_delete) and then
    # reads them through the session would read these stale objects: reloaded from the database instead.
    model.Session.expire_all()
    return result


def publish(package_id: str) -> dict[str, Any]:
    """The dataset as published: its workflow state set to Terbit (the workflow's transitions are our own suite's
    business; four of them per dataset would make this run far slower), then saved again, which makes it public
    through our chained package_update."""
    if model.Session.get(DatasetStatus, package_id) is None:  # written to the model directly (CreateTestData)
        model.Session.add(DatasetStatus(package_id=package_id, state=transitions.TERBIT,
                                        changed_at=datetime.datetime.utcnow()))
    model.Session.execute(sa.update(DatasetStatus).where(DatasetStatus.package_id == package_id)
                          .values(state=transitions.TERBIT))
    model.Session.commit()
    site_user = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    return helpers.call_action("package_patch", context={"user": site_user}, id=package_id)


def ours(package_id: str) -> dict[str, Any]:
    """A dataset written to the model directly (CKAN's CreateTestData) made one of ours: the BPS metadata it lacks,
    an OPD, and published when it is public."""
    pkg = model.Package.get(package_id)
    if pkg is None or not _ours(pkg.type or "dataset"):
        return {}
    site_user = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    shown = helpers.call_action("package_show", context={"user": site_user}, id=pkg.id)
    patch = {field: value for field, value in REQUIRED_METADATA.items() if not shown.get(field)}
    patch.update({field: year for field, year in DATA_YEARS.items() if not shown.get(field)})
    if not shown.get("notes"):
        patch["notes"] = REQUIRED_METADATA["definisi"]
    if not shown.get("owner_org"):
        patch["owner_org"] = ckan_factories.Organization()["id"]
    public = not shown.get("private")
    result = helpers.call_action("package_patch", context={"user": site_user}, id=pkg.id, **patch)
    if public and result.get("state", "active") == "active":
        result = publish(result["id"])
    return result


_original_create_test_data = create_test_data.CreateTestData.create.__func__


def create_test_data_create(cls, *args: Any, **kwargs: Any) -> Any:
    """CKAN's legacy CreateTestData (the DataStore's older tests) writes `annakarenina` and `warandpeace` to the
    model directly, without what our schema requires: they are completed as any dataset of ours would be."""
    result = _original_create_test_data(cls, *args, **kwargs)
    model.Session.remove()
    for name in cls.pkg_names:
        ours(name)
    return result


_original_call_action = helpers.call_action


def _title_required(org_type: str) -> bool:
    """Whether our OPD schema is the organisation type's (its title, the OPD's full name, is required)."""
    if not plugins.plugin_loaded("satudata_blitar"):
        return False
    schema = scheming_get_organization_schema(org_type)
    return bool(schema) and any(f["field_name"] == "kode_opd" for f in schema["fields"])


def call_action(action_name: str, context: Any = None, **kwargs: Any) -> Any:
    """CKAN's helpers.call_action; an organisation a test creates without a title (CKAN does not require one; an
    OPD's full name is required in our portal) gets its name as title, as CKAN's factory gives one."""
    if action_name == "organization_create" and not kwargs.get("title") and _title_required(
            kwargs.get("type") or "organization"):
        kwargs["title"] = kwargs.get("name") or ""
    return _original_call_action(action_name, context, **kwargs)


def install() -> None:
    ckan_factories.Dataset.api_create = classmethod(api_create)
    helpers.call_action = call_action
    create_test_data.CreateTestData.create = classmethod(create_test_data_create)
