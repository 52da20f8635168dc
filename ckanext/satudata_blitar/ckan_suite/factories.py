"""CKAN's factories made to create datasets the way our portal has them, without changing what a test asks for.

- `factories.Dataset` (type `dataset`) gets the BPS metadata our schema requires (Peraturan BPS 5/2020) when the
  test does not give it, and an OPD (a new organisation) when the test gives no `owner_org` at all: in our portal
  every dataset belongs to an OPD.
- A dataset the test creates public (CKAN's default, `private` not true) is published (state Terbit): in our portal
  only publication makes a dataset public, so this is the dataset a stock test expects.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.satudata_blitar.model import DatasetStatus
from ckanext.satudata_blitar.workflow import transitions

REQUIRED_METADATA = {
    "urusan": "kesehatan",
    "definisi": "Banyaknya penduduk yang tercatat pada akhir tahun.",
    "satuan": "jiwa",
    # Years in the past even for tests that freeze time (freezegun) in an earlier year.
    "tahun_data_awal": 2000,
    "tahun_data_akhir": 2004,
    "frekuensi": "tahunan",
    "sumber_data": "Dinas Kependudukan dan Pencatatan Sipil Kota Blitar",
    "cara_pengumpulan": "kompilasi-produk-administrasi",
    "sifat_data": "terbuka",
}

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
    if "owner_org" not in data_dict:
        data_dict["owner_org"] = ckan_factories.Organization()["id"]
    public = not tk.asbool(data_dict.get("private", False))
    result = _original_api_create(cls, data_dict)
    if public and result.get("owner_org") and result.get("state", "active") == "active":
        result = publish(result["id"])
    return result


def publish(package_id: str) -> dict[str, Any]:
    """The dataset as published: its workflow state set to Terbit (the workflow's transitions are our own suite's
    business; four of them per dataset would make this run far slower), then saved again, which makes it public
    through our chained package_update."""
    model.Session.execute(sa.update(DatasetStatus).where(DatasetStatus.package_id == package_id)
                          .values(state=transitions.TERBIT))
    model.Session.commit()
    site_user = helpers.call_action("get_site_user", context={"ignore_auth": True})["name"]
    return helpers.call_action("package_patch", context={"user": site_user}, id=package_id)


def install() -> None:
    ckan_factories.Dataset.api_create = classmethod(api_create)
