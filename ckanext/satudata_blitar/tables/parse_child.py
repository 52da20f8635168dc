"""The table parser (table_parser.py) run in a child process with the upload limits: a hostile file costs bounded
memory and time, and the worker stays small. The child imports no CKAN module.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import resource as os_resource
import subprocess
import sys
from typing import Any, Optional

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.files import safety as file_safety

log = logging.getLogger(__name__)


def limits() -> file_safety.Limits:
    return file_safety.Limits(
        max_bytes=config.upload_max_bytes(),
        max_uncompressed_bytes=config.upload_max_uncompressed_bytes(),
        max_compression_ratio=config.upload_max_compression_ratio(),
        max_rows=config.upload_max_rows(),
        max_columns=config.upload_max_columns(),
        max_cell_chars=config.upload_max_cell_chars(),
        parser_memory_mb=config.upload_parser_memory_mb(),
        parser_timeout=config.upload_parser_timeout(),
    )


def parse_in_child(path: str, extension: str, out_csv: Optional[str], lim: file_safety.Limits) -> dict[str, Any]:
    """table_parser.parse() in a child process with an address-space limit and a timeout; the Result as a dict."""
    memory = lim.parser_memory_mb * 1024 * 1024

    def _limit() -> None:
        os_resource.setrlimit(os_resource.RLIMIT_AS, (memory, memory))

    command = [sys.executable, "-m", "ckanext.satudata_blitar.tables.table_parser", path, extension, out_csv or "",
               json.dumps(dataclasses.asdict(lim))]
    try:
        done = subprocess.run(command, capture_output=True, timeout=lim.parser_timeout, preexec_fn=_limit,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        return _failed("parser_timeout", file_safety.N_(
            "Reading the file took longer than {limit} seconds. Split the table into smaller files."),
            limit=lim.parser_timeout)
    if done.returncode == 0:
        try:
            return json.loads(done.stdout)
        except ValueError:
            pass
    if done.returncode < 0 or any(sign in done.stderr for sign in (b"MemoryError", b"Cannot allocate memory",
                                                                   b"failed to map segment")):
        return _failed("parser_memory", file_safety.N_(
            "Reading the file needs more than {limit} MB of memory. Split the table into smaller files."),
            limit=lim.parser_memory_mb)
    log.error("The spreadsheet parser failed on %s: %s", path, done.stderr[-2000:].decode("utf-8", "replace"))
    return _failed("damaged", file_safety.N_(
        "The file could not be read ({detail}). Save it again from Excel and upload it again."),
        detail="parser error")


def _failed(code: str, msgid: str, **params: Any) -> dict[str, Any]:
    return {"format": "", "sheet": None, "header_row": None, "columns": [], "rows": 0, "stats": {},
            "issues": [{"severity": "error", "code": code, "msgid": msgid, "params": params, "sheet": None,
                        "row": None, "column": None, "value": None}]}
