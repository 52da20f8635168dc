"""What an uploaded file is served and advertised as: the type the upload check established, never the client's.

A file is only ever one of the table types the check accepts (CSV, .xlsx, .xls, .ods); a file the check refused, or
has not checked yet, is `application/octet-stream`. The resource's `mimetype` field is not taken from the client
(`forget_client_mimetype`, on every write) and is shown as the established type (`advertise`, on every show), so
neither the API nor the pages nor CKAN's download ever say `text/html` for an uploaded file.

`excerpt()` is what the people of the workflow see of a refused file instead of opening it: its first lines as
text, or a hex dump of its first bytes, rendered escaped on the resource's upload check.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from ckanext.satudata_blitar.tables import upload_check

UNKNOWN = "application/octet-stream"
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
EXCERPT_LINES = 40
EXCERPT_LINE_CHARS = 200
EXCERPT_TEXT_BYTES = 16 * 1024
EXCERPT_HEX_BYTES = 256


def content_type(state: Optional[str], fmt: Optional[str]) -> str:
    """The type of a file whose check is in `state` and found it to be `fmt`."""
    if state not in upload_check.ACCEPTED:
        return UNKNOWN
    return CONTENT_TYPES.get((fmt or "").lower(), UNKNOWN)


def content_types(resource_ids: list[str]) -> dict[str, str]:
    """The established type of each resource's file (octet-stream for those never checked), remembered for the
    request with the check's state (upload_check.findings)."""
    return {rid: content_type(state, fmt) for rid, (state, fmt) in upload_check.findings(resource_ids).items()}


def advertise(pkg_dict: dict[str, Any], found: dict[str, tuple[Optional[str], Optional[str]]]) -> None:
    """IPackageController.after_dataset_show: each uploaded file's `mimetype` is the type the check established
    (`found`: the findings of the dataset's checks, upload_check.read_for_show)."""
    for res in pkg_dict.get("resources") or []:
        if res.get("url_type") == "upload" and res.get("id"):
            res["mimetype"] = content_type(*found[res["id"]])


def forget_client_mimetype(resource: dict[str, Any]) -> None:
    """On every resource write (the uploader is asked for each): an uploaded file's `mimetype` is never what the
    client sent or CKAN guessed from the file's name; it is stored empty and shown as the check established."""
    if resource.get("url_type") == "upload" or resource.get("upload"):
        resource["mimetype"] = None


def excerpt(path: str) -> dict[str, Any]:
    """The start of a stored file, to be shown as escaped text: {"kind": "text", "lines": [...]} when its first bytes
    are text, else {"kind": "hex", "lines": ["00000000  3c 73 76 67 ...  |<svg...|", ...]}."""
    with open(path, "rb") as f:
        head = f.read(EXCERPT_TEXT_BYTES)
    text = _as_text(head)
    if text is not None:
        lines = text.splitlines()[:EXCERPT_LINES]
        return {"kind": "text", "lines": [line[:EXCERPT_LINE_CHARS] + ("…" if len(line) > EXCERPT_LINE_CHARS else "")
                                          for line in lines]}
    return {"kind": "hex", "lines": _hex_dump(head[:EXCERPT_HEX_BYTES])}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _as_text(data: bytes) -> Optional[str]:
    """The bytes as text when they are text (UTF-8, or another 8-bit encoding shown with replacement marks)."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    if _CONTROL.search(text) or text.count("\ufffd") > max(3, len(text) // 100):
        return None
    return text


def _hex_dump(data: bytes) -> list[str]:
    lines = []
    for offset in range(0, len(data), 16):
        chunk = data[offset:offset + 16]
        hex_part = " ".join(f"{byte:02x}" for byte in chunk)
        shown = "".join(chr(byte) if 0x20 <= byte < 0x7f else "." for byte in chunk)
        lines.append(f"{offset:08x}  {hex_part:<47}  |{shown}|")
    return lines
