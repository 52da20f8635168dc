"""The sections of the BPS statistical metadata form (Peraturan BPS 5/2020) that dataset fields are grouped in.

Every dataset field of schemas/dataset.yaml names its section in `group`; the sections' titles live here and
nowhere else. Anything that lays the metadata out by section (the dataset page, an export) uses `grouped_fields`.
"""
from __future__ import annotations

from typing import Any, Iterable

# Section key -> title, in the order of the BPS form.
GROUP_TITLES: dict[str, dict[str, str]] = {
    "umum": {"id": "Informasi Umum", "en": "General information"},
    "konsep": {"id": "Konsep dan Definisi", "en": "Concepts and definitions"},
    "periode": {"id": "Cakupan dan Periode", "en": "Coverage and period"},
    "sumber": {"id": "Sumber dan Pengumpulan Data", "en": "Source and collection"},
    "kontak": {"id": "Kontak dan Rilis", "en": "Contact and release"},
    # The blocks I–VIII of the MS-Keg form (schemas/kegiatan.yaml, a statistical activity).
    "penyelenggara": {"id": "I. Penyelenggara", "en": "I. Organiser"},
    "penanggung_jawab": {"id": "II. Penanggung Jawab", "en": "II. Person responsible"},
    "perencanaan": {"id": "III. Perencanaan dan Persiapan", "en": "III. Planning and schedule"},
    "desain": {"id": "IV. Desain Kegiatan", "en": "IV. Design"},
    "sampel": {"id": "V. Desain Sampel", "en": "V. Sample"},
    "kualitas": {"id": "VI. Pengumpulan Data dan Kualitas", "en": "VI. Collection and quality"},
    "pengolahan": {"id": "VII. Pengolahan dan Analisis", "en": "VII. Processing and analysis"},
    "diseminasi": {"id": "VIII. Diseminasi Hasil", "en": "VIII. Dissemination"},
}


def group_title(group: str) -> dict[str, str]:
    """The `{id, en}` title of a section; a section unknown here is titled with its key."""
    return GROUP_TITLES.get(group, {"id": group, "en": group})


def grouped_fields(fields: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Schema fields as (section key, fields) pairs: sections in the order the schema first uses them, fields in
    schema order within each. A field without a `group` belongs to the first section."""
    fields = list(fields)
    first = next((field["group"] for field in fields if field.get("group")), next(iter(GROUP_TITLES)))
    sections: dict[str, list[dict[str, Any]]] = {}
    for field in fields:
        sections.setdefault(field.get("group") or first, []).append(field)
    return list(sections.items())
