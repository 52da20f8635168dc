"""Region columns of an uploaded table, checked against the Kode Wilayah reference (reference/wilayah.py).

Run by the load job after the parser (load_job.run), on the typed CSV the parser wrote, before the report is saved:

- A column of kecamatan/kelurahan **names** is recognised by its header ("Kecamatan", "Kec.", "Desa/Kelurahan",
  "Wilayah", ...) when at least half of its distinct values are names of Kota Blitar, or without such a header when
  all of them are (at least two). A column of **codes** by a header with "kode"/"kd" and a region word ("Kode
  Wilayah", "Kode Kelurahan", "kode_wilayah") or, without one, when all of its distinct values are codes of Kota
  Blitar.
- Each name written otherwise than the decree writes it ("Kec. Sukorejo", "Kepanjen Kidul", "Sananwetan ") is a
  warning with the official name, once per distinct value with its number of rows; a name a letter or two off is a
  warning with the likely name; a name not in the list is a note. A code that is not Kota Blitar's is a warning; so
  is a code that contradicts the row's name, and a kelurahan put in another kecamatan.
- A table with names and no code column gets a last column `kode_wilayah` (Kemendagri's dotted code of each row's
  finest recognised name: kelurahan before kecamatan; empty where the name is not recognised). The uploaded file is
  never changed; the uploaded columns keep their places.
- When the OPD chose to store official names (`official_names`, asked from the report), the recognised name
  columns are written with the official names in the DataStore table, and the report notes it.
- A recognised name column and the added `kode_wilayah` come described (MS-Var) by the loader: the portal knows
  what they hold.
- The kecamatan the table covers go into the report (`wilayah`), for the search index (`index_kecamatan`).
"""
from __future__ import annotations

import csv
import os
import re
from typing import Any, Iterator, Optional

from ckanext.satudata_blitar.files.safety import N_
from ckanext.satudata_blitar.reference import wilayah as ref
from ckanext.satudata_blitar.tables import upload_check
from ckanext.satudata_blitar.workflow import transitions

CODE_COLUMN = "kode_wilayah"
# The Solr field of the kecamatan facet: CKAN's multi-valued string field `vocab_*` (its schema copies it into the
# full text, so a search for "Sukorejo" finds the tables of Sukorejo); no change to the Solr schema is needed.
KECAMATAN_FIELD = "vocab_kecamatan"
CODE_LABEL = "Kode Wilayah"
# The added column's MS-Var (metadata/ms_var.py), in the portal's data language: the loader knows what it wrote.
CODE_COLUMN_MS_VAR = {
    "definisi": "Kode wilayah Kemendagri (Kepmendagri 300.2.2-2138/2025) dari kecamatan atau kelurahan pada baris "
                "ini, ditambahkan oleh portal agar tabel dapat digabung dengan tabel OPD lain.",
    "referensi_pemilihan": "Kepmendagri 300.2.2-2138/2025 tentang kode dan data wilayah administrasi pemerintahan",
    "tipe_data": "kode",
}
# A recognised column of names gets its MS-Var from the loader too: its `tingkat_wilayah` (set here) says which
# regions it names.
NAME_COLUMN_KEY = "tingkat_wilayah"


def column_ms_var(column: dict[str, Any]) -> dict[str, str]:
    """What the portal knows of a column of the parser's result (datastore_copy.define_table lays it over what the
    header says): the MS-Var of the added `kode_wilayah`, of a column recognised as names of Kota Blitar's kecamatan
    or kelurahan, or nothing."""
    if column["id"] == CODE_COLUMN:
        return CODE_COLUMN_MS_VAR
    tingkat = column.get(NAME_COLUMN_KEY)
    if not tingkat:
        return {}
    return {
        "definisi": f"Nama {tingkat} di Kota Blitar yang menjadi wilayah data pada baris ini.",
        "referensi_pemilihan": CODE_COLUMN_MS_VAR["referensi_pemilihan"],
        "klasifikasi_isian": f"Nama {tingkat} menurut Kepmendagri 300.2.2-2138/2025",
        "tipe_data": "teks",
    }


# A column with more distinct values than this is not a column of Kota Blitar's 25 regions (however spelt).
MAX_DISTINCT = 500
# Issues of one kind reported per column (the report keeps 300 issues in all).
MAX_ISSUES_PER_COLUMN = 20

KELURAHAN_WORDS = frozenset({"kelurahan", "kel", "desa", "ds"})
KECAMATAN_WORDS = frozenset({"kecamatan", "kec"})
REGION_WORDS = frozenset({"wilayah", "wil", "kemendagri", "bps"})
CODE_WORDS = frozenset({"kode", "kd"})

NAME_UNOFFICIAL = N_('"{value}" ({count} rows) is written {official} in the Kepmendagri list of region codes '
                     '(kode wilayah {kode}). Write the official name so that this table can be joined with other '
                     "OPDs' tables.")
NAME_CLOSE = N_('"{value}" ({count} rows) is not the name of a kecamatan or kelurahan of Kota Blitar: is it '
                "{official} (kode wilayah {kode})? Correct it; until then these rows have no kode wilayah.")
NAME_UNKNOWN = N_('"{value}" ({count} rows) is not the name of a kecamatan or kelurahan of Kota Blitar in the '
                  "Kepmendagri list of region codes.")
CODE_UNKNOWN = N_('The code "{value}" ({count} rows) is not a region code of Kota Blitar in the Kepmendagri list '
                  "(kecamatan 35.72.01, kelurahan 35.72.01.1001, or the same digits without dots).")
CODE_CONTRADICTS = N_('The code {code} is {code_name}, but {count} rows give it beside "{value}" ({official}, '
                      "kode wilayah {kode}). Correct the code or the name.")
KELURAHAN_ELSEWHERE = N_("Kelurahan {kelurahan} lies in Kecamatan {kecamatan}, but {count} rows put it beside "
                         '"{value}". Correct the kecamatan or the kelurahan.')
CODED = N_("The column kode_wilayah was added: the Kepmendagri code of the region in column {source} of each row "
           "({coded} of {rows} rows), so that this table can be joined with other OPDs' tables.")
STORED_OFFICIAL = N_('"{value}" ({count} rows) is stored as {official}, its name in the Kepmendagri list, as the '
                     "OPD chose.")


def _words(label: str) -> set[str]:
    return set(re.sub(r"[\W_]+", " ", str(label).casefold()).split())


def header_hint(column: dict[str, Any]) -> Optional[tuple[str, Optional[str]]]:
    """("code" | "name", tingkat or None) from a column's header, or None when the header names no region."""
    words = _words(column.get("label") or "") | _words(column.get("id") or "")
    tingkat = ref.KELURAHAN if words & KELURAHAN_WORDS else ref.KECAMATAN if words & KECAMATAN_WORDS else None
    if words & CODE_WORDS:
        return ("code", tingkat) if tingkat or words & REGION_WORDS else None
    if tingkat or words & {"wilayah"}:
        return "name", tingkat
    return None


def _issue(severity: str, kind: str, msgid: str, column: dict[str, Any], value: Any = None, /,
           **params: Any) -> dict[str, Any]:
    return {"severity": severity, "code": kind, "msgid": msgid, "params": {"value": value, **params},
            "sheet": None, "row": None, "column": column.get("letter") or column["id"],
            "value": None if value is None else str(value)}


def _rows(path: str) -> Iterator[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.reader(f)


def _is_region(value: str) -> bool:
    """A value a column without a region header must hold throughout to be taken for a region column."""
    found = ref.match_name(value)
    return bool(ref.by_code(value) or (found and found.how != ref.CLOSE))


def _distinct(path: str, indexes: list[int], strict: set[int]) -> dict[int, dict[str, int]]:
    """value -> rows, for each of the given columns; a column past MAX_DISTINCT values is dropped, and so is a
    column of `strict` (no region header) at its first value that is no region's name or code, so that a table
    without region columns is read no further than its first rows."""
    counts: dict[int, dict[str, int]] = {i: {} for i in indexes}
    for row in _rows(path):
        for i in list(counts):
            value = row[i] if i < len(row) else ""
            if value == "":
                continue
            seen = counts[i]
            if value not in seen and (len(seen) >= MAX_DISTINCT or (i in strict and not _is_region(value))):
                del counts[i]
                continue
            seen[value] = seen.get(value, 0) + 1
        if not counts:
            break
    return counts


class _Column:
    """A recognised region column: its place, its role, its level, and what each distinct value means."""

    def __init__(self, index: int, column: dict[str, Any], role: str, tingkat: Optional[str],
                 counts: dict[str, int]):
        self.index, self.column, self.role, self.tingkat, self.counts = index, column, role, tingkat, counts
        self.meaning: dict[str, Optional[ref.Match]] = {}
        for value in counts:
            if role == "code":
                found = ref.by_code(value)
                self.meaning[value] = ref.Match(found, ref.EXACT) if found else None
            else:
                self.meaning[value] = ref.match_name(value, tingkat)

    def region(self, value: str) -> Optional[ref.Wilayah]:
        """The region a row's value surely means (not a likely typo)."""
        found = self.meaning.get(value)
        return found.wilayah if found and found.how != ref.CLOSE else None


def _level_from_values(counts: dict[str, int]) -> str:
    """A name column without a level in its header holds kelurahan when some name is only a kelurahan's."""
    for value in counts:
        if ref.match_name(value, ref.KECAMATAN) is None and ref.match_name(value, ref.KELURAHAN) is not None:
            return ref.KELURAHAN
    return ref.KECAMATAN


def recognise(columns: list[dict[str, Any]], path: str) -> list[_Column]:
    """The region columns of a typed CSV (see the module's docstring for the rules)."""
    hints = {i: header_hint(c) for i, c in enumerate(columns)}
    candidates = [i for i, c in enumerate(columns)
                  if c.get("type") in ("text", "integer") or (hints[i] and hints[i][0] == "code")]
    if not candidates:
        return []
    counts = _distinct(path, candidates, strict={i for i in candidates if not hints[i]})
    found = []
    for i, seen in counts.items():
        if not seen:
            continue
        column, hint = columns[i], hints[i]
        as_code = [v for v in seen if ref.by_code(v)]
        if (hint and hint[0] == "code" and len(as_code) * 2 >= len(seen)) \
                or (not hint and len(seen) >= 2 and len(as_code) == len(seen)):
            found.append(_Column(i, column, "code", hint[1] if hint else None, seen))
            continue
        if column.get("type") != "text" or (hint and hint[0] == "code"):
            continue
        tingkat = hint[1] if hint else None
        matched = [v for v in seen if ref.match_name(v, tingkat)]
        if hint and len(matched) * 2 >= len(seen) or not hint and len(seen) >= 2 and all(
                (m := ref.match_name(v, tingkat)) and m.how != ref.CLOSE for v in seen):
            found.append(_Column(i, column, "name", tingkat or _level_from_values(seen), seen))
    return found


def _name_issues(col: _Column, official_names: bool) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    kinds: dict[str, int] = {}

    def add(issue: dict[str, Any]) -> None:
        kinds[issue["code"]] = kinds.get(issue["code"], 0) + 1
        if kinds[issue["code"]] <= MAX_ISSUES_PER_COLUMN:
            issues.append(issue)

    for value, count in sorted(col.counts.items()):
        found = col.meaning[value]
        if found is None:
            add(_issue("note", "wilayah_name_unknown", NAME_UNKNOWN, col.column, value, count=count))
        elif found.how == ref.CLOSE:
            add(_issue("warning", "wilayah_name_close", NAME_CLOSE, col.column, value, count=count,
                       official=found.wilayah.nama, kode=found.wilayah.kode))
        elif found.how == ref.FORGIVING:
            if official_names:
                add(_issue("note", "wilayah_name_stored_official", STORED_OFFICIAL, col.column, value, count=count,
                           official=found.wilayah.nama, kode=found.wilayah.kode))
            else:
                add(_issue("warning", "wilayah_name_unofficial", NAME_UNOFFICIAL, col.column, value, count=count,
                           official=found.wilayah.nama, kode=found.wilayah.kode))
    return issues


def _code_issues(col: _Column) -> list[dict[str, Any]]:
    unknown = [(value, count) for value, count in sorted(col.counts.items()) if col.meaning[value] is None]
    return [_issue("warning", "wilayah_code_unknown", CODE_UNKNOWN, col.column, value, count=count)
            for value, count in unknown[:MAX_ISSUES_PER_COLUMN]]


def _pairs(names: list[_Column], codes: list[_Column]) -> list[tuple[_Column, _Column]]:
    """The pairs of columns whose values must agree in each row: each code column with each name column, and a
    kecamatan name column with a kelurahan name column."""
    pairs = [(code, name) for code in codes for name in names]
    pairs += [(kec, kel) for kec in names if kec.tingkat == ref.KECAMATAN
              for kel in names if kel.tingkat == ref.KELURAHAN]
    return pairs


def check(result: dict[str, Any], csv_path: Optional[str], official_names: bool = False) -> dict[str, Any]:
    """The parser's result with the region issues, the `kode_wilayah` column (the CSV rewritten) and the
    `wilayah` summary added; unchanged when the file was refused or has no region column."""
    columns = result.get("columns") or []
    if not csv_path or not columns or not os.path.exists(csv_path) \
            or any(issue["severity"] == "error" for issue in result.get("issues", [])):
        return result
    found = recognise(columns, csv_path)
    if not found:
        return result
    names = [c for c in found if c.role == "name"]
    codes = [c for c in found if c.role == "code"]
    for col in names:
        col.column[NAME_COLUMN_KEY] = col.tingkat
    issues: list[dict[str, Any]] = []
    for col in names:
        issues += _name_issues(col, official_names)
    for col in codes:
        issues += _code_issues(col)

    rows = _Rows(found, names, _pairs(names, codes), official_names,
                 add_code=bool(names) and not codes and not any(c["id"] == CODE_COLUMN for c in columns))
    rows.read(csv_path)
    issues += _disagreement_issues(rows.disagreements, found)
    if rows.add_code:
        source = rows.finest[0].column
        columns.append({"id": CODE_COLUMN, "label": CODE_LABEL, "letter": "", "type": "text", "pg_type": "text",
                        "locale": "id"})
        issues.append(_issue("note", "wilayah_coded", CODED, {"id": CODE_COLUMN},
                             source=source.get("label") or source["id"], coded=rows.coded, rows=rows.count))
    result["issues"] = result.get("issues", []) + issues
    result["wilayah"] = {
        "kecamatan": sorted(rows.kecamatan),
        "columns": [{"id": c.column["id"], "role": c.role, "tingkat": c.tingkat} for c in found],
        "unofficial_names": sum(1 for c in names for m in c.meaning.values() if m and m.how == ref.FORGIVING),
        "official_names": official_names,
    }
    return result


class _Rows:
    """One pass over the typed CSV's rows: the kecamatan they cover and the pairs of columns that disagree; the CSV
    rewritten with a kode_wilayah column (`add_code`) and/or the official names (`official_names`) where needed."""

    def __init__(self, found: list[_Column], names: list[_Column], pairs: list[tuple[_Column, _Column]],
                 official_names: bool, add_code: bool) -> None:
        self.found, self.names, self.pairs = found, names, pairs
        self.official_names, self.add_code = official_names, add_code
        # the column whose region a row's kode_wilayah is: kelurahan before kecamatan
        self.finest = sorted(names, key=lambda c: 0 if c.tingkat == ref.KELURAHAN else 1)
        self.rewrite = add_code or (official_names and any(
            m and m.how == ref.FORGIVING for c in names for m in c.meaning.values()))
        self.disagreements: dict[tuple[int, int, str, str], int] = {}
        self.kecamatan: set[str] = set()
        self.coded = self.count = 0

    def read(self, csv_path: str) -> None:
        out_path = csv_path + ".wilayah"
        out = open(out_path, "w", newline="", encoding="utf-8") if self.rewrite else None
        # what a row means depends only on its values in the region columns: judged once per distinct combination
        places = sorted({c.index for c in self.found})
        judged: dict[tuple[str, ...], tuple[list[tuple[int, int, str, str]], Optional[str], list[tuple[int, str]]]] = {}
        try:
            writer = csv.writer(out, lineterminator="\n") if out else None
            for row in _rows(csv_path):
                self.count += 1
                key = tuple([row[i] for i in places])
                known = judged.get(key)
                if known is None:
                    known = judged[key] = self._judged(row)
                disagreements, code, names = known
                for pair in disagreements:
                    self.disagreements[pair] = self.disagreements.get(pair, 0) + 1
                if writer is not None:
                    if self.add_code:
                        self.coded += code is not None
                        row.append(code or "")
                    for index, name in names:
                        row[index] = name
                    writer.writerow(row)
        finally:
            if out:
                out.close()
        if out:
            os.replace(out_path, csv_path)

    def _judged(self, row: list[str]) -> tuple[list[tuple[int, int, str, str]], Optional[str], list[tuple[int, str]]]:
        """One combination of region values: its kecamatan (tallied), the pairs of columns that disagree, the
        kode_wilayah of the finest recognised region and the official names to write."""
        for col in self.found:
            region = col.region(row[col.index])
            if region and region.kecamatan:
                self.kecamatan.add(region.kecamatan)
        disagreements = []
        for a, b in self.pairs:
            first, second = a.region(row[a.index]), b.region(row[b.index])
            if first and second and not ref.consistent(first, second):
                disagreements.append((a.index, b.index, row[a.index], row[b.index]))
        region = next((r for c in self.finest if (r := c.region(row[c.index]))), None) if self.add_code else None
        names = []
        if self.official_names:
            for col in self.names:
                match = col.meaning.get(row[col.index])
                if match and match.how == ref.FORGIVING:
                    names.append((col.index, match.wilayah.nama))
        return disagreements, region.kode if region else None, names


def _disagreement_issues(disagreements: dict[tuple[int, int, str, str], int], found: list[_Column]
                         ) -> list[dict[str, Any]]:
    """A warning per pair of values that name different regions in one row (a code and a name, a kelurahan outside
    its kecamatan), at most MAX_ISSUES_PER_COLUMN."""
    issues = []
    by_index = {c.index: c for c in found}
    for (a_index, b_index, a_value, b_value), count in sorted(disagreements.items())[:MAX_ISSUES_PER_COLUMN]:
        a, b = by_index[a_index], by_index[b_index]
        first, second = a.region(a_value), b.region(b_value)
        if a.role == "code":
            issues.append(_issue("warning", "wilayah_code_contradicts", CODE_CONTRADICTS, a.column, b_value,
                                 count=count, code=first.kode, code_name=first.nama, official=second.nama,
                                 kode=second.kode))
        else:
            parent = ref.by_code(second.kecamatan)
            issues.append(_issue("warning", "wilayah_kelurahan_elsewhere", KELURAHAN_ELSEWHERE, b.column, a_value,
                                 count=count, kelurahan=second.nama, kecamatan=parent.nama if parent else ""))
    return issues


def index_kecamatan(pkg_dict: dict[str, Any], covered: Optional[set[str]] = None) -> dict[str, Any]:
    """IPackageController.before_dataset_index: the official names of the kecamatan a published (Terbit, public)
    dataset's accepted tables cover, for the Kecamatan facet and search. Nothing for any other state: the index of a
    dataset not published tells nobody what its tables hold (docs/security.md). `covered`: the codes package_show
    has just read for this index (upload_check.read_for_show), else they are read here."""
    pkg_dict.pop(KECAMATAN_FIELD, None)
    if pkg_dict.get("satudata_status") != transitions.TERBIT or pkg_dict.get("private") \
            or pkg_dict.get("state", "active") != "active":
        return pkg_dict
    if covered is None:
        covered = upload_check.kecamatan_of_dataset(pkg_dict["id"])
    names = sorted({region.nama for code in covered if (region := ref.by_code(code))})
    if names:
        pkg_dict[KECAMATAN_FIELD] = names
    return pkg_dict
