"""Checks on an uploaded data file before anything parses it, and the neutralising of formula-like cells on export.

`check(path, extension, limits)` looks only at bytes it can bound: the file's size, its first bytes, the zip
directory (declared sizes and ratios, never decompressing a part whole), the head of each XML part, and the OLE2
directory names of a legacy .xls. It returns the real format ("xlsx", "xls", "ods", "csv") or raises `UnsafeFile`
with a plain English msgid (marked with N_, translated where it is shown) and its parameters.

This module imports nothing from CKAN: the parser runs it in a child process of its own (see tables/table_parser.py).
The metadata .xlsx import (metadata_xlsx.check_zip) applies the same zip rules to an in-memory workbook.
"""
from __future__ import annotations

import dataclasses
import os
import re
import zipfile
from typing import Any, Optional


def N_(message: str) -> str:
    """Marks a msgid for extraction; it is translated where the report is shown."""
    return message


ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A 10-column table needs about 15 parts; thousands of entries are a way to make the directory itself costly.
MAX_ZIP_ENTRIES = 10_000
# Parts this small may compress very well harmlessly (Excel's printer settings are zeros).
RATIO_CHECKED_FROM_BYTES = 1 << 20
XML_HEAD_BYTES = 64 * 1024
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject")
# OLE2 directory entries are UTF-16LE names; these are the VBA storages Excel and LibreOffice write.
XLS_MACRO_NAMES = tuple(name.encode("utf-16-le") for name in ("_VBA_PROJECT_CUR", "_VBA_PROJECT"))
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
EXTENSIONS = {"xlsx": "xlsx", "xlsm": "xlsx", "xls": "xls", "ods": "ods", "csv": "csv", "txt": "csv"}
LABELS = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods", "csv": ".csv"}


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one uploaded data file may cost; the defaults are config_declaration.yaml's."""
    max_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 400 * 1024 * 1024
    max_compression_ratio: int = 100
    max_rows: int = 1_000_000
    max_columns: int = 500
    max_cell_chars: int = 32_767
    parser_memory_mb: int = 2048
    parser_timeout: int = 600


class UnsafeFile(Exception):
    """A file that is refused before parsing: `msgid` (English, plain) formatted with `params`."""

    def __init__(self, code: str, msgid: str, **params: Any):
        super().__init__(msgid.format(**params))
        self.code = code
        self.msgid = msgid
        self.params = params


def extension_of(name: Optional[str]) -> str:
    """The lower-case extension of a file name or URL ('' when it has none)."""
    if not name:
        return ""
    name = name.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    return os.path.splitext(name)[1].lstrip(".").lower()


def check(path: str, extension: str, limits: Limits = Limits()) -> str:
    """The file's real format after the safety checks; raises UnsafeFile. `extension` is the name's, without dot."""
    expected = EXTENSIONS.get(extension.lower())
    size = os.path.getsize(path)
    if size == 0:
        raise UnsafeFile("empty", N_("The file is empty. Upload the file again."))
    if size > limits.max_bytes:
        raise UnsafeFile("too_large", N_("The file is larger than {limit} MB. Split the table into smaller files."),
                         limit=round(limits.max_bytes / 1024 / 1024, 1))
    with open(path, "rb") as f:
        head = f.read(8192)
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        actual = check_zip(path, limits)
    elif head.startswith(OLE2_MAGIC):
        actual = _check_ole2(path)
    elif head.startswith(b"PK"):
        raise UnsafeFile("damaged", N_("The file is damaged or incomplete. Save it again from Excel and upload it "
                                        "again."))
    else:
        actual = _check_text(head)
    if expected is None:
        raise UnsafeFile("unsupported_format",
                         N_("Files of type .{extension} cannot be loaded as a table. Save the table as .xlsx, .xls, "
                            ".ods or .csv."), extension=extension or "?")
    if actual != expected:
        raise UnsafeFile("wrong_extension",
                         N_("The file's name ends in .{extension} but its content is a {actual} file. Open it in "
                            "Excel and save it again as .{extension} (or rename it to {actual})."),
                         extension=extension, actual=LABELS[actual])
    return actual


def check_zip(source: Any, limits: Limits) -> str:
    """Checks a zip-based workbook (a path or a file object) from its directory and XML heads, before any parser
    sees it; returns "xlsx" or "ods" or raises UnsafeFile. Used for data files and for the metadata .xlsx."""
    damaged = UnsafeFile("damaged", N_("The file is damaged or incomplete. Save it again from Excel and upload it "
                                        "again."))
    try:
        archive = zipfile.ZipFile(source)
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise damaged from None
    with archive:
        if len(entries) > MAX_ZIP_ENTRIES:
            raise damaged
        names = {entry.filename.lower(): entry for entry in entries}
        actual = _zip_workbook_kind(names)
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise UnsafeFile("encrypted", N_("The workbook is protected with a password. Remove the password in "
                                              "Excel and upload it again."))
        _check_zip_sizes(entries, limits)
        macros = UnsafeFile("macros", N_("The workbook contains macros, which are not accepted. Save it as an "
                                         "Excel Workbook (.xlsx) without macros."))
        if any(name.endswith("vbaproject.bin") or name.startswith(("basic/", "scripts/")) for name in names):
            raise macros
        try:
            _check_zip_parts(archive, entries, names, actual, macros)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, RuntimeError):
            raise damaged from None
    return actual


def _zip_workbook_kind(names: dict[str, zipfile.ZipInfo]) -> str:
    """"xlsx" or "ods" from the archive's part names, or UnsafeFile (a binary workbook, another zip archive)."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and "content.xml" in names:
        return "ods"
    if "xl/workbook.bin" in names:
        raise UnsafeFile("xlsb", N_("Binary workbooks (.xlsb) are not accepted. Save the file as .xlsx."))
    raise UnsafeFile("not_a_spreadsheet", N_("The file is a zip archive, not a spreadsheet. Upload the "
                                              ".xlsx, .xls, .ods or .csv file itself."))


def _check_zip_sizes(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    """UnsafeFile when the workbook is too large once uncompressed or compressed like a zip bomb."""
    uncompressed = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries)
    if uncompressed > limits.max_uncompressed_bytes:
        raise UnsafeFile("zip_too_large", N_("The workbook is larger than {limit} MB once uncompressed. Split "
                                              "the table into smaller files."),
                         limit=round(limits.max_uncompressed_bytes / 1024 / 1024, 1))
    ratio = limits.max_compression_ratio
    if uncompressed > ratio * max(compressed, 1) or any(
            entry.file_size > RATIO_CHECKED_FROM_BYTES and entry.file_size > ratio * max(entry.compress_size, 1)
            for entry in entries):
        raise UnsafeFile("zip_bomb", N_("The workbook is compressed more than {ratio} times, which real tables "
                                         "never are; it is refused as a possible zip bomb."), ratio=ratio)


def _check_zip_parts(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], names: dict[str, zipfile.ZipInfo],
                     actual: str, macros: UnsafeFile) -> None:
    """The heads of the XML parts: an .ods's mimetype, no DOCTYPE or ENTITY declarations, no macro content types."""
    if actual == "ods":
        with archive.open(names["mimetype"]) as part:
            if part.read(100).strip() != ODS_MIMETYPE:
                raise UnsafeFile("not_a_spreadsheet", N_("The file is an OpenDocument file but not a "
                                                          "spreadsheet. Save the table as .ods or .xlsx."))
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(entry) as part:
            head = part.read(XML_HEAD_BYTES).upper()
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise UnsafeFile("xml_entities", N_("The workbook contains XML declarations (DOCTYPE or ENTITY) "
                                                "that spreadsheets never contain. Save it again from Excel."))
        if entry.filename == "[Content_Types].xml" and any(t in head.lower() for t in MACRO_CONTENT_TYPES):
            raise macros


def _check_ole2(path: str) -> str:
    """A legacy .xls (or another OLE2 file: .doc, .msg), by its directory's entry names: the first 4 MB of the file
    and the directory where the header says it is (xlwt and others write it after the streams: a .xls of more than
    4 MB has it past the first 4 MB)."""
    with open(path, "rb") as f:
        data = f.read(OLE2_READ_BYTES) + _ole2_directory(f)
    # A password-protected .xlsx is an OLE2 file holding the encrypted zip.
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise UnsafeFile("encrypted", N_("The workbook is protected with a password. Remove the password in Excel "
                                         "and upload it again."))
    if "Workbook".encode("utf-16-le") not in data and "Book".encode("utf-16-le") not in data:
        raise UnsafeFile("not_a_spreadsheet", N_("The file is an old Office file but not an Excel workbook. Save "
                                                  "the table as .xlsx or .csv."))
    if any(name in data for name in XLS_MACRO_NAMES):
        raise UnsafeFile("macros", N_("The workbook contains macros, which are not accepted. Save it as an Excel "
                                      "Workbook (.xlsx) without macros."))
    return "xls"


OLE2_READ_BYTES = 4 * 1024 * 1024
OLE2_LAST_SECTOR = 0xFFFFFFFA  # above: free, end of chain and the FAT's own markers


def _ole2_directory(f: Any, limit: int = OLE2_READ_BYTES) -> bytes:
    """The directory stream of an OLE2 file: its sectors from the header's first directory sector on, followed
    through the FAT (found through the header's DIFAT and the DIFAT sectors after it), at most `limit` bytes; b""
    when the header describes none."""
    def u32(block: bytes, at: int) -> int:
        return int.from_bytes(block[at:at + 4], "little")

    f.seek(0)
    header = f.read(512)
    if len(header) < 512 or int.from_bytes(header[0x1E:0x20], "little") not in (9, 12):
        return b""
    size = 1 << int.from_bytes(header[0x1E:0x20], "little")
    per_sector = size // 4

    def sector(number: int) -> bytes:
        f.seek((number + 1) * size)
        return f.read(size)

    difat = [u32(header, 0x4C + 4 * i) for i in range(109)]
    next_difat, fat_sectors = u32(header, 0x44), {}
    directory, seen, number = bytearray(), set(), u32(header, 0x30)
    while number <= OLE2_LAST_SECTOR and number not in seen and len(directory) < limit:
        seen.add(number)
        block = sector(number)
        if len(block) < size:
            break
        directory += block
        index = number // per_sector
        while index >= len(difat) and next_difat <= OLE2_LAST_SECTOR and len(difat) < limit // 4:
            more = sector(next_difat)
            difat += [u32(more, 4 * i) for i in range(per_sector - 1)]
            next_difat = u32(more, size - 4) if len(more) == size else OLE2_LAST_SECTOR + 1
        if index >= len(difat) or difat[index] > OLE2_LAST_SECTOR:
            break
        if difat[index] not in fat_sectors:
            fat_sectors[difat[index]] = sector(difat[index])
        number = u32(fat_sectors[difat[index]], 4 * (number % per_sector))
        if len(fat_sectors[difat[index]]) < size:
            break
    return bytes(directory)


_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _check_text(head: bytes) -> str:
    """What is not a zip or OLE2 file must be CSV text: no control bytes, no HTML or PDF passed off as a table."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        raise UnsafeFile("html_as_table", N_("The file is a web page (HTML or XML), not a spreadsheet, although "
                                             "its name says otherwise. Open it in Excel and save it as .xlsx."))
    if start.startswith(b"%pdf"):
        raise UnsafeFile("not_a_spreadsheet", N_("The file is a PDF, not a spreadsheet. Upload the table as .xlsx, "
                                                 ".xls, .ods or .csv."))
    if _BINARY.search(head):
        raise UnsafeFile("binary", N_("The file is not a spreadsheet or a text table. Upload the table as .xlsx, "
                                      ".xls, .ods or .csv."))
    return "csv"


# --- Formula-like cells on export ------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A value that starts like a formula but holds one sign, then only digits, spaces and number punctuation, computes
# and calls nothing: negative numbers (-5, -1.234,5, -12%), phone numbers (+62 342 801234) are left as they are.
# A second operator makes it arithmetic (-2+3, -2/3): formula-like.
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9 ().,]*%?$")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value)


def neutralise(value: Any) -> Any:
    """A value safe to put in a CSV cell that Excel or LibreOffice will open: formula-like text gets a leading '."""
    return "'" + value if is_formula_like(value) else value


def neutralise_csv_records(result: dict[str, Any], delimiter: str) -> dict[str, Any]:
    """datastore_search with records_format csv/tsv (what the DataStore's CSV/TSV dumps are made of): formula-like
    text in text columns gets a leading '. JSON output is left alone: it is data, not a spreadsheet."""
    import csv
    import io

    text = [i for i, field in enumerate(result.get("fields", [])) if field.get("type") == "text"]
    records = result.get("records")
    if not text or not records or not any(c in records for c in FORMULA_START):
        return result
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for row in csv.reader(io.StringIO(records), delimiter=delimiter):
        for i in text:
            if i < len(row):
                row[i] = neutralise(row[i])
        writer.writerow(row)
    result["records"] = out.getvalue()
    return result
