"""Kota Blitar's region codes (Kode Wilayah, Kepmendagri 300.2.2-2138/2025) as reference data, and forgiving matching.

Satu Data Indonesia's Kode Referensi: a kecamatan or kelurahan is named and coded one way in every OPD's table, so
tables can be joined. `kode_wilayah_blitar.csv` (beside this module; its source is in README.md) holds the kota,
its 3 kecamatan and 21 kelurahan with Kemendagri's dotted codes (35.72, 35.72.01, 35.72.01.1001) and, for the kota,
BPS's 4-digit code 3572.

- `match_name()` reads a name as people write it: case, spaces and punctuation do not matter, nor the prefixes
  "Kec.", "Kecamatan", "Kel.", "Kelurahan", "Desa", nor a name split in two ("Kepanjen Kidul" is Kepanjenkidul);
  a name one or two letters off is offered as a likely match (`CLOSE`), never taken for it.
- `by_code()` reads a code in Kemendagri's dotted form, the same digits without dots (3572011001, 357201) or BPS's
  4-digit kota code (3572).
- `consistent()`: a code and a name (or a kecamatan and a kelurahan) of the same row agree when one region is or
  contains the other.

No CKAN import: the upload check uses it in the worker, tests use it as it is.
"""
from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import re
import unicodedata
from pathlib import Path
from typing import Optional

DATA_FILE = Path(__file__).with_name("kode_wilayah_blitar.csv")
SOURCE = "Kepmendagri Nomor 300.2.2-2138 Tahun 2025"

KOTA, KECAMATAN, KELURAHAN = "kota", "kecamatan", "kelurahan"
LEVELS = (KOTA, KECAMATAN, KELURAHAN)

# How a name was matched: as written, forgivingly (case, spaces, prefix, split words) or only as a likely typo.
EXACT, FORGIVING, CLOSE = "exact", "forgiving", "close"

# Words written before a name that do not belong to it ("Kec. Sukorejo", "Desa/Kelurahan Sentul").
PREFIXES = frozenset({"kecamatan", "kec", "kelurahan", "kel", "kelu", "desa", "ds", "kalurahan"})
# How close a name must be to be offered as a likely match (difflib's ratio on the matching keys).
CLOSE_CUTOFF = 0.85

_DOTTED = re.compile(r"^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$")


@dataclasses.dataclass(frozen=True)
class Wilayah:
    kode: str           # Kemendagri's dotted code
    nama: str           # the official name
    tingkat: str        # kota | kecamatan | kelurahan
    kode_bps: str = ""  # BPS's code, where the reference file carries it (the kota: 3572)

    @property
    def kecamatan(self) -> Optional[str]:
        """The code of the kecamatan this region is or lies in (None for the kota)."""
        return ".".join(self.kode.split(".")[:3]) if self.tingkat != KOTA else None

    def contains(self, other: "Wilayah") -> bool:
        return other.kode == self.kode or other.kode.startswith(self.kode + ".")


@dataclasses.dataclass(frozen=True)
class Match:
    wilayah: Wilayah
    how: str            # EXACT | FORGIVING | CLOSE


@functools.lru_cache(maxsize=1)
def all_wilayah() -> tuple[Wilayah, ...]:
    with DATA_FILE.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return tuple(Wilayah(kode=r["kode"], nama=r["nama"], tingkat=r["tingkat"], kode_bps=r["kode_bps"] or "")
                     for r in rows)


@functools.lru_cache(maxsize=1)
def _by_code() -> dict[str, Wilayah]:
    return {w.kode: w for w in all_wilayah()}


@functools.lru_cache(maxsize=1)
def _by_key() -> dict[str, tuple[Wilayah, ...]]:
    found: dict[str, list[Wilayah]] = {}
    for w in all_wilayah():
        found.setdefault(name_key(w.nama), []).append(w)
    return {key: tuple(ws) for key, ws in found.items()}


def kecamatan_list() -> list[Wilayah]:
    return [w for w in all_wilayah() if w.tingkat == KECAMATAN]


def name_key(text: str) -> str:
    """A name as compared: letters and digits only, lower case, without the prefixes people write before it and
    without the spaces between its words ("Kec. Kepanjen Kidul" and "KEPANJENKIDUL" are both "kepanjenkidul")."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    words = re.sub(r"[\W_]+", " ", text).split()
    while len(words) > 1 and words[0] in PREFIXES:
        words = words[1:]
    return "".join(words)


def _allowed(wilayah: Wilayah, tingkat: Optional[str]) -> bool:
    """A kecamatan column takes kecamatan, a kelurahan column kelurahan; the kota (a row for the whole city) goes in
    either."""
    return tingkat is None or wilayah.tingkat in (tingkat, KOTA)


def match_name(text: object, tingkat: Optional[str] = None) -> Optional[Match]:
    """The region a name means, among those of `tingkat` (and the kota), or None. When a name is both a kecamatan
    and a kelurahan (Sukorejo, Sananwetan, Kepanjenkidul) and `tingkat` is None, the kecamatan."""
    if text is None or not str(text).strip():
        return None
    written = str(text)
    key = name_key(written)
    candidates = [w for w in _by_key().get(key, ()) if _allowed(w, tingkat)]
    if candidates:
        wilayah = min(candidates, key=lambda w: LEVELS.index(w.tingkat))
        return Match(wilayah, EXACT if written == wilayah.nama else FORGIVING)
    keys = [k for k, ws in _by_key().items() if any(_allowed(w, tingkat) for w in ws)]
    close = difflib.get_close_matches(key, keys, n=1, cutoff=CLOSE_CUTOFF) if len(key) > 3 else []
    if close:
        wilayah = min((w for w in _by_key()[close[0]] if _allowed(w, tingkat)),
                      key=lambda w: LEVELS.index(w.tingkat))
        return Match(wilayah, CLOSE)
    return None


def normalise_code(value: object) -> Optional[str]:
    """A code in Kemendagri's dotted form, from the dotted form, its digits without dots (4, 6 or 10 digits) or
    BPS's 4-digit kota code; None when the value has none of these shapes."""
    if value is None:
        return None
    text = re.sub(r"\s+", "", str(value))
    if text.endswith(".0") and text[:-2].isdigit():  # a whole number a spreadsheet stored as a decimal
        text = text[:-2]
    if _DOTTED.match(text):
        return text
    if text.isdigit() and len(text) in (4, 6, 10):
        parts = [text[0:2], text[2:4], text[4:6], text[6:10]]
        return ".".join(part for part in parts if part)
    return None


def by_code(value: object) -> Optional[Wilayah]:
    """The region of a code of Kota Blitar in any form `normalise_code` reads, or None."""
    code = normalise_code(value)
    return _by_code().get(code) if code else None


def looks_like_code(value: object) -> bool:
    """Whether a value is written as a region code (digits and dots), whatever region it names."""
    return value is not None and bool(re.fullmatch(r"[\d.\s]+", str(value))) and any(c.isdigit() for c in str(value))


def consistent(a: Wilayah, b: Wilayah) -> bool:
    """Two regions of one row agree when one is or contains the other (a kelurahan code beside its kecamatan's
    name, the kota's code beside any of its kecamatan)."""
    return a.contains(b) or b.contains(a)
