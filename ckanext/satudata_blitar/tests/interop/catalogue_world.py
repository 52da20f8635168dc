"""The catalogue tests' world: datasets with every metadata field, withdrawn, with a pending revision."""
import io

from werkzeug.datastructures import FileStorage

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.tests import factories
from ckanext.satudata_blitar.tests.factories import ACTIVITY_FIELDS, REQUIRED_METADATA

# Every field of schemas/dataset.yaml filled.
FULL_METADATA = {
    **REQUIRED_METADATA,
    "konsep": "Penduduk adalah semua orang yang berdomisili di Kota Blitar.",
    "ukuran": "jumlah",
    "metode_perhitungan": "Jumlah penduduk laki-laki ditambah perempuan.",
    "interpretasi": "Semakin besar nilainya, semakin banyak penduduk.",
    "klasifikasi": "menurut kecamatan",
    "level_penyajian": "kecamatan",
    "jadwal_pemutakhiran": "2026-12-31",
    "data_prioritas": "ya",
    "data_prioritas_tahun": 2024,
    "kode_referensi": "3572.DK.01",
    "ms_keg_id": "12345",
    "ms_ind_id": "67890",
    "kontak_nama": "Seksi Statistik Dinas Kesehatan",
    "kontak_email": "statistik@blitarkota.go.id",
    "kontak_telepon": "(0342) 801234",
    "tanggal_rilis": "2025-03-01",
    "tag_string": "penduduk,kesehatan",
    "license_id": "cc-by",
}


def full_dataset(world, name: str, state: str, **changes) -> dict:
    """A dataset of Dinas Kesehatan with every metadata field and a DataStore table, moved to `state`."""
    operator = {"user": world.name("operator")}
    body = {**world_module._body(world, name), **FULL_METADATA, "title": f"Jumlah Penduduk {name}", **changes}
    dataset = helpers.call_action("package_create", context=operator, **body)
    resource = helpers.call_action(
        "resource_create", context=operator, package_id=dataset["id"], name="Data 2024", format="CSV",
        upload=FileStorage(io.BytesIO(b"kecamatan,jumlah\nSukorejo,7\n"), "data.csv", content_type="text/csv"))
    # Accepted by the upload check, as the worker records it: only checked data goes on in the workflow.
    upload_check.save(resource["id"], {"format": "csv", "rows": 1, "issues": []})
    helpers.call_action("datastore_create", context={"user": world.name("sysadmin")}, resource_id=resource["id"],
                        force=True, **factories.table())
    for transition, actor in world_module.PATHS[state]:
        helpers.call_action("satudata_transition", context={"user": world.name(actor)}, id=dataset["id"],
                            transition=transition, note="Catatan uji")
    return helpers.call_action("package_show", id=dataset["id"])


def withdraw(world, dataset: dict) -> dict:
    helpers.call_action("satudata_transition", context={"user": world.name("walidata")}, id=dataset["id"],
                        transition="tarik", note="Ditarik untuk diperbaiki")
    return helpers.call_action("package_show", id=dataset["id"])


def extend_catalogue_world(world) -> None:
    """The world's dataset in each state, plus: a withdrawn one, a published one with a pending revision (the
    revision submitted), and a fully filled published one with a DataStore table.
    For `pytestmark = pytest.mark.world(extend=extend_catalogue_world)`."""
    world.datasets["ditarik"] = withdraw(world, full_dataset(world, "data-ditarik", "terbit"))
    live = full_dataset(world, "data-direvisi", "terbit")
    revision = helpers.call_action("satudata_revision_create", context={"user": world.name("operator")},
                                   id=live["id"])
    helpers.call_action("satudata_transition", context={"user": world.name("operator")}, id=revision["id"],
                        transition="ajukan")
    world.datasets["direvisi"] = helpers.call_action("package_show", id=live["id"])
    world.datasets["revisi"] = helpers.call_action("package_show", id=revision["id"])
    # The fully filled one links a statistical activity (MS-Keg); a draft links another, unpublished one.
    for name in ("survei-penduduk", "survei-belum-terbit"):
        helpers.call_action("package_create", context={"user": world.name("operator")}, type="kegiatan-statistik",
                            name=name, title=name.replace("-", " ").title(),
                            owner_org=world.orgs["dinas-kesehatan"]["id"], **ACTIVITY_FIELDS)
    world.datasets["lengkap"] = full_dataset(world, "data-lengkap", "terbit", ms_keg_id="survei-penduduk")
    full_dataset(world, "data-kegiatan-draf", "draf", ms_keg_id="survei-belum-terbit")
