"""CKAN's factories, extended with the metadata the Blitar schema requires."""
import factory

import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.metadata import ms_var

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


# Every field of schemas/kegiatan.yaml but title, name and owner_org, with valid values.
ACTIVITY_FIELDS = {
    "tahun_kegiatan": 2025,
    "alamat_penyelenggara": "Jl. Sudanco Supriyadi No. 17, Kota Blitar",
    "notes": "Survei tahunan kepuasan masyarakat atas layanan kesehatan.",
    "pj_unit": "Bidang Pelayanan Kesehatan",
    "pj_nama": "Sri Wahyuni",
    "pj_jabatan": "Kepala Seksi",
    "pj_email": "pelayanan@blitarkota.go.id",
    "pj_telepon": "(0342) 801234",
    "latar_belakang": "Mengukur kepuasan masyarakat.",
    "tujuan": "Menyediakan indeks kepuasan masyarakat per puskesmas.",
    "jadwal_mulai": "2025-02-01",
    "jadwal_selesai": "2025-11-30",
    "jadwal_rincian": "Perencanaan Januari, pengumpulan Maret–April, diseminasi Juni.",
    "kegiatan_dilakukan": "berulang",
    "frekuensi_kegiatan": "tahunan",
    "cara_pengumpulan_kegiatan": "survei",
    "cakupan_wilayah": "Seluruh Kota Blitar",
    "metode_pengumpulan": "Wawancara",
    "unit_pengumpulan": "Individu",
    "jenis_rancangan_sampel": "probability",
    "metode_pemilihan_sampel": "Systematic sampling",
    "kerangka_sampel": "Daftar kunjungan puskesmas",
    "ukuran_sampel": "400 responden",
    "uji_coba": "ya",
    "pemeriksaan_kualitas": "Supervisi dan pemeriksaan ulang 5% kuesioner.",
    "petugas_pengumpulan": "Staf dinas",
    "tahapan_pengolahan": "Penyuntingan, entri data, validasi.",
    "metode_analisis": "Deskriptif",
    "tingkat_penyajian": "kecamatan",
    "produk_tersedia": "Tabel di portal Satu Data",
    "rencana_rilis": "2025-12-15",
}


def table(**changes) -> dict:
    """The fields and records of a small DataStore table (kecamatan, jumlah) whose MS-Var is complete enough to
    submit (metadata/completeness.py): datastore_create(resource_id=…, force=True, **table())."""
    fields = [
        {"id": "kecamatan", "type": "text",
         "info": {"nama_variabel": "Kecamatan", "definisi": "Kecamatan di Kota Blitar.", "tipe_data": "teks"}},
        {"id": "jumlah", "type": "int4",
         "info": {"nama_variabel": "Jumlah", "definisi": "Banyaknya penduduk pada akhir tahun.", "satuan": "jiwa",
                  "tipe_data": "bilangan_bulat"}},
    ]
    return {"fields": fields, "records": [{"kecamatan": "Sukorejo", "jumlah": 7}], **changes}


def described_fields(fields: list[dict]) -> list[dict]:
    """A table's own fields (datastore_info's) as the Data Dictionary form saves them once the operator has
    described them (MS-Var): a definition for each column without one, a unit for numeric ones; what the loader
    filled in is kept. datastore_create(resource_id=…, force=True, fields=…)."""
    return [{"id": f["id"], "type": f["type"],
             "info": {"definisi": f"Definisi kolom {f['id']}.", **({"satuan": "jiwa"} if ms_var.is_numeric(f) else {}),
                      **{key: value for key, value in (f.get("info") or {}).items() if value}}}
            for f in ms_var.columns(fields)]


def describe_columns(resource_id: str, user: str) -> None:
    """The operator's step after a load: the table's columns described (described_fields); only then can the
    dataset be submitted (metadata/completeness.py)."""
    fields = helpers.call_action("datastore_info", id=resource_id)["fields"]
    if ms_var.missing(fields):
        helpers.call_action("datastore_create", context={"user": user}, resource_id=resource_id, force=True,
                            fields=described_fields(fields))


def describe_tables(dataset_id: str, user: str) -> None:
    """describe_columns() of each of the dataset's tables loaded into the DataStore."""
    for resource in helpers.call_action("package_show", id=dataset_id)["resources"]:
        if resource.get("datastore_active"):
            describe_columns(resource["id"], user)


# A dataset with every required field filled; built with type() so factory_boy sees the fields as declarations.
Dataset = type("Dataset", (ckan_factories.Dataset,), {
    "owner_org": factory.LazyFunction(lambda: ckan_factories.Organization()["id"]),
    **REQUIRED_METADATA,
})


def with_loaded_data(dataset: dict) -> dict:
    """The dataset's first resource (a linked CSV is added when it has none) read and accepted by the upload check,
    as the worker records it after loading the file: only a dataset with loaded data can be submitted."""
    from ckanext.satudata_blitar.tables import upload_check
    resources = helpers.call_action("package_show", id=dataset["id"])["resources"]
    site_user = helpers.call_action("get_site_user")["name"]
    resource = resources[0] if resources else helpers.call_action(
        "resource_create", context={"user": site_user}, package_id=dataset["id"], name="Data", format="CSV",
        url="https://example.org/data.csv")
    upload_check.save(resource["id"], {"format": "csv", "rows": 1, "issues": []})
    return dataset


def published(dataset: dict) -> dict:
    """The dataset taken through the whole verification workflow by sysadmins (two: the second verification is
    someone else's): public, as visitors see it."""
    with_loaded_data(dataset)
    first, second = ckan_factories.Sysadmin(), ckan_factories.Sysadmin()
    describe_tables(dataset["id"], first["name"])
    for transition, sysadmin in (("ajukan", first), ("verifikasi_opd", first), ("verifikasi_walidata", second),
                                 ("terbitkan", second)):
        helpers.call_action("satudata_transition", context={"user": sysadmin["name"]}, id=dataset["id"],
                            transition=transition)
    return helpers.call_action("package_show", id=dataset["id"])
