"""CKAN's factories, extended with the metadata the Blitar schema requires."""
import factory

import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers

# Every required field of schemas/dataset.yaml except title, notes and owner_org, with valid values.
REQUIRED_METADATA = {
    "urusan": "kesehatan",
    "definisi": "Banyaknya penduduk yang tercatat pada akhir tahun.",
    "satuan": "jiwa",
    "tahun_data_awal": 2020,
    "tahun_data_akhir": 2024,
    "frekuensi": "tahunan",
    "sumber_data": "Dinas Kependudukan dan Pencatatan Sipil Kota Blitar",
    "cara_pengumpulan": "kompilasi-produk-administrasi",
    "sifat_data": "terbuka",
}


# A dataset with every required field filled; built with type() so factory_boy sees the fields as declarations.
Dataset = type("Dataset", (ckan_factories.Dataset,), {
    "owner_org": factory.LazyFunction(lambda: ckan_factories.Organization()["id"]),
    **REQUIRED_METADATA,
})


def published(dataset: dict) -> dict:
    """The dataset taken through the whole verification workflow by sysadmins (two: the second verification is
    someone else's): public, as visitors see it."""
    first, second = ckan_factories.Sysadmin(), ckan_factories.Sysadmin()
    for transition, sysadmin in (("ajukan", first), ("verifikasi_opd", first), ("verifikasi_walidata", second),
                                 ("terbitkan", second)):
        helpers.call_action("satudata_transition", context={"user": sysadmin["name"]}, id=dataset["id"],
                            transition=transition)
    return helpers.call_action("package_show", id=dataset["id"])
