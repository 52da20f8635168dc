"""Demo content for a development portal: Kota Blitar's OPDs, one user per workflow role, a daftar elemen data
for this year and a handful of published example datasets (tables per kecamatan, with a chart), with the statistical
metadata BPS asks for: the activity behind them (MS-Keg) and a definition of every column (MS-Var).

Seeding goes through CKAN's actions and is idempotent: what exists is left as it is, so running it again neither
duplicates nor loses anything. OPDs, users and elements are made as the site user; the example datasets go through
the real workflow as the demo users: the Operator Data creates the activity and the dataset linked to it, uploads its
table, the load job runs (in this process when no worker took it), the operator defines its columns, then submit,
verification by the Verifikator OPD, verification and publication by the Walidata. They are marked as example data:
title prefix "Contoh", tag "contoh" and a note.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import io
import time
from typing import Callable, Iterable, Iterator

from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import adapters, config
from ckanext.satudata_blitar.metadata import ms_keg
from ckanext.satudata_blitar.site import site_context
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import transitions


@dataclasses.dataclass(frozen=True)
class Opd:
    name: str
    title: str


@dataclasses.dataclass(frozen=True)
class DemoUser:
    name: str
    fullname: str
    role: str
    opd: str | None
    capacity: str | None
    sysadmin: bool = False


OPDS: tuple[Opd, ...] = (
    Opd("diskominfotik", "Dinas Komunikasi, Informatika dan Statistik"),
    Opd("bappeda", "Badan Perencanaan Pembangunan Daerah"),
    Opd("dinas-pendidikan", "Dinas Pendidikan"),
    Opd("dinas-kesehatan", "Dinas Kesehatan"),
    Opd("dinas-sosial", "Dinas Sosial"),
    Opd("dispendukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
    Opd("bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah"),
    Opd("dinas-pupr", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    Opd("dinas-perhubungan", "Dinas Perhubungan"),
    Opd("dinas-lingkungan-hidup", "Dinas Lingkungan Hidup"),
    Opd("kecamatan-kepanjenkidul", "Kecamatan Kepanjenkidul"),
    Opd("kecamatan-sananwetan", "Kecamatan Sananwetan"),
    Opd("kecamatan-sukorejo", "Kecamatan Sukorejo"),
)

# One user per role of the SOP, with the CKAN capacity that holds the role (see roles.py).
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("operator-dinkes", "Operator Data Dinas Kesehatan", "Operator Data", "dinas-kesehatan", "editor"),
    DemoUser("verifikator-dinkes", "Verifikator Dinas Kesehatan", "Verifikator OPD", "dinas-kesehatan",
             "verifikator"),
    DemoUser("verifikator-kominfotik", "Verifikator Diskominfotik", "Verifikator Kominfotik",
             "diskominfotik", "verifikator_kominfotik"),
    DemoUser("walidata", "Walidata Kota Blitar", "Walidata", "diskominfotik", "walidata"),
    DemoUser("admin", "Administrator Portal", "Sysadmin", None, None, sysadmin=True),
)


# (OPD, nama, satuan, frekuensi, data prioritas, target month and day) of this year's demo daftar elemen data.
DEMO_ELEMENTS: tuple[tuple[str, str, str, str, bool, str], ...] = (
    ("dinas-kesehatan", "Jumlah Puskesmas", "unit", "tahunan", True, "03-31"),
    ("dinas-kesehatan", "Angka Kematian Bayi", "per 1.000 kelahiran hidup", "tahunan", True, "06-30"),
    ("dinas-kesehatan", "Cakupan Imunisasi Dasar Lengkap", "persen", "triwulanan", False, "12-31"),
    ("dinas-pendidikan", "Jumlah Sekolah Dasar", "unit", "tahunan", True, "06-30"),
    ("dinas-pendidikan", "Angka Partisipasi Murni SD", "persen", "tahunan", False, "09-30"),
    ("dispendukcapil", "Jumlah Penduduk menurut Kecamatan", "jiwa", "semesteran", True, "07-31"),
)


def _exists(action: str, name: str) -> bool:
    try:
        tk.get_action(action)(site_context(), {"id": name})
    except tk.ObjectNotFound:
        return False
    return True


def seed_opds(opds: Iterable[Opd] = OPDS) -> list[str]:
    """Creates the OPDs that do not exist yet; returns the names of those it created."""
    created = []
    for opd in opds:
        if not _exists("organization_show", opd.name):
            tk.get_action("organization_create")(site_context(), {"name": opd.name, "title": opd.title})
            created.append(opd.name)
    return created


def seed_users(users: Iterable[DemoUser] = DEMO_USERS) -> list[str]:
    """Creates missing demo users with their memberships; returns their names. Existing users are left alone."""
    created = []
    for user in users:
        if _exists("user_show", user.name):
            continue
        tk.get_action("user_create")(site_context(), {
            "name": user.name,
            "fullname": user.fullname,
            "email": f"{user.name}@satudata.blitarkota.go.id",
            "password": config.demo_password(),
        })
        if user.sysadmin:
            tk.get_action("user_patch")(site_context(), {"id": user.name, "sysadmin": True})
        if user.opd:
            tk.get_action("organization_member_create")(site_context(), {
                "id": user.opd, "username": user.name, "role": user.capacity,
            })
        created.append(user.name)
    return created


def seed_data_elements(year: int) -> list[str]:
    """Creates this year's demo daftar elemen data of the OPDs that have no list for the year yet; returns the
    names of the elements it created. A list someone has started is left alone."""
    created = []
    for opd in sorted({opd for opd, *_rest in DEMO_ELEMENTS}):
        if tk.get_action("satudata_data_element_list")(site_context(), {"tahun": year, "owner_org": opd}):
            continue
        for _opd, nama, satuan, frekuensi, prioritas, target in (e for e in DEMO_ELEMENTS if e[0] == opd):
            tk.get_action("satudata_data_element_create")(site_context(), {
                "tahun": year, "owner_org": opd, "nama": nama, "satuan": satuan, "frekuensi": frekuensi,
                "data_prioritas": prioritas, "tanggal_target": f"{year}-{target}"})
            created.append(nama)
    return created


KECAMATAN = ("Sananwetan", "Kepanjenkidul", "Sukorejo")
# The tables' headers as an OPD writes them (the value column's with its unit in parentheses, as BPS tables do): the
# DataStore's column ids, and what the table view and the Data Dictionary show.
KECAMATAN_HEADER, YEAR_HEADER = "Kecamatan", "Tahun"


@dataclasses.dataclass(frozen=True)
class DemoDataset:
    name: str
    title: str
    urusan: str
    definisi: str
    satuan: str
    column: str  # the value column's header
    # {tahun: (Sananwetan, Kepanjenkidul, Sukorejo)}
    values: dict[int, tuple[float, float, float]]
    xlsx: bool = False

    def rows(self) -> list[tuple[str, int, float]]:
        return [(kecamatan, year, value) for year, row in sorted(self.values.items())
                for kecamatan, value in zip(KECAMATAN, row)]


DEMO_OPD = "dinas-kesehatan"
DEMO_OPERATOR, DEMO_VERIFIKATOR, DEMO_WALIDATA = "operator-dinkes", "verifikator-dinkes", "walidata"
DEMO_TAG = "contoh"
DEMO_NOTE = ("**Data contoh** untuk portal pengembangan, bukan data resmi Kota Blitar. "
             "/ *Example data* for a development portal, not official Kota Blitar figures.")

# Plausible (invented) tables of Dinas Kesehatan per kecamatan, 2022-2024.
DEMO_DATASETS: tuple[DemoDataset, ...] = (
    DemoDataset("contoh-jumlah-tenaga-kesehatan-per-kecamatan",
                "Contoh: Jumlah Tenaga Kesehatan per Kecamatan", "kesehatan",
                "Banyaknya tenaga kesehatan yang bertugas di fasilitas kesehatan di kecamatan pada akhir tahun.",
                "orang", "Jumlah Tenaga Kesehatan (orang)",
                {2022: (412, 538, 297), 2023: (425, 551, 309), 2024: (431, 566, 318)}, xlsx=True),
    DemoDataset("contoh-cakupan-imunisasi-dasar-lengkap-per-kecamatan",
                "Contoh: Cakupan Imunisasi Dasar Lengkap per Kecamatan", "kesehatan",
                "Persentase bayi usia 0-11 bulan yang mendapat imunisasi dasar lengkap.",
                "persen", "Cakupan Imunisasi Dasar Lengkap (persen)",
                {2022: (91.4, 89.7, 93.1), 2023: (94.2, 92.8, 95.0), 2024: (96.1, 94.5, 96.8)}),
    DemoDataset("contoh-jumlah-kelahiran-hidup-per-kecamatan",
                "Contoh: Jumlah Kelahiran Hidup per Kecamatan", "kesehatan",
                "Banyaknya bayi lahir hidup yang tercatat di fasilitas kesehatan selama setahun.",
                "jiwa", "Jumlah Kelahiran Hidup (jiwa)",
                {2022: (702, 861, 548), 2023: (688, 842, 561), 2024: (675, 830, 552)}),
)

# The statistical activity behind the example tables (MS-Keg, metadata/ms_keg.py): every field its form asks for.
DEMO_ACTIVITY = {
    "type": ms_keg.KEGIATAN_TYPE, "name": "contoh-kompilasi-data-kesehatan-per-kecamatan",
    "title": "Contoh: Kompilasi Data Kesehatan per Kecamatan", "owner_org": DEMO_OPD,
    "tahun_kegiatan": 2024, "alamat_penyelenggara": "Kota Blitar (data contoh / example data)",
    "notes": DEMO_NOTE, "pj_unit": "Bidang Kesehatan Masyarakat", "pj_nama": "Operator Data Dinas Kesehatan",
    "latar_belakang": "Data contoh: kompilasi laporan fasilitas kesehatan untuk perencanaan.",
    "tujuan": "Menyajikan data kesehatan per kecamatan setiap tahun.", "jadwal_mulai": "2024-01-02",
    "kegiatan_dilakukan": "berulang", "frekuensi_kegiatan": "tahunan",
    "cara_pengumpulan_kegiatan": "kompilasi-produk-administrasi", "cakupan_wilayah": "Seluruh Kota Blitar",
    "jenis_rancangan_sampel": "tidak-ada", "pemeriksaan_kualitas": "Pemeriksaan kelengkapan laporan puskesmas.",
    "tahapan_pengolahan": "Rekapitulasi laporan bulanan menjadi angka tahunan per kecamatan.",
    "tingkat_penyajian": "kecamatan", "produk_tersedia": "Tabel di portal Satu Data Kota Blitar",
}
# The MS-Var of the example tables' columns the loader cannot know (it has described the kecamatan column and filled
# in names and types).
DEMO_COLUMN_MS_VAR = {
    "Tahun": {"definisi": "Tahun yang dicakup oleh nilai pada baris ini.", "satuan": "tahun"},
}

# The transitions from each state to Terbit, and which demo user makes them.
_TO_PUBLISHED = ((transitions.DRAF, "ajukan", DEMO_OPERATOR), (transitions.DIAJUKAN, "verifikasi_opd", DEMO_VERIFIKATOR),
                 (transitions.TERVERIFIKASI_OPD, "verifikasi_walidata", DEMO_WALIDATA),
                 (transitions.DISETUJUI, "terbitkan", DEMO_WALIDATA))


def _table_file(dataset: DemoDataset) -> FileStorage:
    header = (KECAMATAN_HEADER, YEAR_HEADER, dataset.column)
    if dataset.xlsx:
        import openpyxl
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Data"
        sheet.append(header)
        for row in dataset.rows():
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return FileStorage(io.BytesIO(out.getvalue()), f"{dataset.name}.xlsx", content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    lines = [",".join(header)] + [f"{k},{y},{v:g}" for k, y, v in dataset.rows()]
    return FileStorage(io.BytesIO(("\n".join(lines) + "\n").encode()), f"{dataset.name}.csv",
                       content_type="text/csv")


def _as(user: str) -> dict:
    return {"user": user, "ignore_auth": False}


def _run_queued_load(resource_id: str, timeout: float = 120) -> bool:
    """Waits until the upload check of the resource is done: a worker may take the load job; when none does (a
    first `make run` seeds before starting it; tests have none), the queued jobs run here, as CKAN's worker would."""
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = (upload_check.load(resource_id) or {}).get("state")
        if state not in (None, "pending"):
            break
        if not adapters.run_queued_jobs():
            time.sleep(0.5)
    return state in upload_check.ACCEPTED


def _ensure_chart(resource_id: str, dataset: DemoDataset) -> None:
    """A bar chart per kecamatan by year, unless the resource has a chart already (the load may add one)."""
    views = tk.get_action("resource_view_list")(site_context(), {"id": resource_id})
    if any(v["view_type"] == "satudata_chart" for v in views):
        return
    tk.get_action("resource_view_create")(_as(DEMO_OPERATOR), {
        "resource_id": resource_id, "view_type": "satudata_chart", "title": "Grafik",
        "x": KECAMATAN_HEADER, "y": dataset.column, "split": YEAR_HEADER, "kind": "bar"})


def seed_activity() -> str:
    """The example tables' statistical activity, created once; returns its id."""
    try:
        return tk.get_action("package_show")(site_context(), {"id": DEMO_ACTIVITY["name"]})["id"]
    except tk.ObjectNotFound:
        return tk.get_action("package_create")(_as(DEMO_OPERATOR), dict(DEMO_ACTIVITY))["id"]


def _define_columns(resource_id: str, dataset: DemoDataset) -> None:
    """The operator's step after the load: each column's definition (and unit) where it has none (MS-Var); what the
    loader filled in is kept."""
    fields = [f for f in tk.get_action("datastore_info")(site_context(), {"id": resource_id})["fields"]
              if not f["id"].startswith("_")]
    known = {**DEMO_COLUMN_MS_VAR, dataset.column: {"definisi": dataset.definisi, "satuan": dataset.satuan}}
    infos = [{**known.get(f["id"], {"definisi": f["id"]}),
              **{key: value for key, value in (f.get("info") or {}).items() if value}} for f in fields]
    if infos == [f.get("info") or {} for f in fields]:
        return
    tk.get_action("datastore_create")(_as(DEMO_OPERATOR), {
        "resource_id": resource_id, "force": True,
        "fields": [{"id": f["id"], "type": f["type"], "info": info} for f, info in zip(fields, infos)]})


def seed_dataset(dataset: DemoDataset) -> bool:
    """Takes one example dataset as far as Terbit; returns whether it created it. An existing one is moved on
    from where it stands (an earlier run stopped half-way), a withdrawn or returned one is left alone."""
    try:
        pkg = tk.get_action("package_show")(site_context(), {"id": dataset.name})
        created = False
    except tk.ObjectNotFound:
        pkg = tk.get_action("package_create")(_as(DEMO_OPERATOR), {
            "name": dataset.name, "title": dataset.title, "notes": DEMO_NOTE, "owner_org": DEMO_OPD,
            "tag_string": f"{DEMO_TAG},kecamatan", "urusan": dataset.urusan, "definisi": dataset.definisi,
            "satuan": dataset.satuan, "tahun_data_awal": min(dataset.values),
            "tahun_data_akhir": max(dataset.values), "frekuensi": "tahunan", "level_penyajian": "kecamatan",
            "sumber_data": "Dinas Kesehatan Kota Blitar (data contoh)",
            "cara_pengumpulan": "kompilasi-produk-administrasi", "sifat_data": "terbuka",
            ms_keg.FIELD: seed_activity()})
        created = True
    if not pkg.get("resources"):
        tk.get_action("resource_create")(_as(DEMO_OPERATOR), {
            "package_id": pkg["id"], "name": f"{dataset.title.removeprefix('Contoh: ')} "
                                             f"{min(dataset.values)}-{max(dataset.values)}",
            "format": "XLSX" if dataset.xlsx else "CSV", "upload": _table_file(dataset),
            "description": "Data contoh / example data."})
        pkg = tk.get_action("package_show")(site_context(), {"id": pkg["id"]})
    resource_id = pkg["resources"][0]["id"]
    if not _run_queued_load(resource_id):
        raise RuntimeError(f"the example table of {dataset.name} was not loaded")
    _define_columns(resource_id, dataset)
    _ensure_chart(resource_id, dataset)
    for state, transition, user in _TO_PUBLISHED:
        status = tk.get_action("package_show")(site_context(), {"id": pkg["id"]}).get("satudata_status")
        if status == state:
            tk.get_action("satudata_transition")(_as(user), {
                "id": pkg["id"], "transition": transition, "note": "Data contoh / example data."})
    return created


@contextlib.contextmanager
def _no_workflow_mail() -> Iterator[None]:
    """Nobody is told by e-mail about the example datasets' steps (they are not work waiting for anyone)."""
    key = "ckanext.satudata_blitar.notify_by_email"
    before = tk.config.get(key)
    tk.config[key] = False
    try:
        yield
    finally:
        tk.config[key] = before


def seed_datasets(datasets: Iterable[DemoDataset] = DEMO_DATASETS) -> list[str]:
    """Publishes the example datasets not there yet; returns the names of those it created."""
    with _no_workflow_mail():
        return [dataset.name for dataset in datasets if seed_dataset(dataset)]


def seed(report: Callable[[str], None] = lambda _msg: None) -> None:
    """Seeds OPDs, then users, then this year's daftar elemen data, reporting what it created."""
    for name in seed_opds():
        report(f"OPD dibuat / created: {name}")
    for name in seed_users():
        report(f"Pengguna dibuat / user created: {name}")
    for name in seed_data_elements(datetime.date.today().year):
        report(f"Elemen data dibuat / data element created: {name}")
    for name in seed_datasets():
        report(f"Dataset contoh diterbitkan / example dataset published: {name}")
