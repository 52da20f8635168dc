"""Demo content for a development portal: Kota Blitar's OPDs, one user per workflow role and a daftar elemen data
for this year.

Seeding goes through CKAN's actions as the site user and is idempotent: what exists is left as it is, so running
it again neither duplicates nor loses anything.
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Callable, Iterable

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.site import site_context


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


def seed(report: Callable[[str], None] = lambda _msg: None) -> None:
    """Seeds OPDs, then users, then this year's daftar elemen data, reporting what it created."""
    for name in seed_opds():
        report(f"OPD dibuat / created: {name}")
    for name in seed_users():
        report(f"Pengguna dibuat / user created: {name}")
    for name in seed_data_elements(datetime.date.today().year):
        report(f"Elemen data dibuat / data element created: {name}")
