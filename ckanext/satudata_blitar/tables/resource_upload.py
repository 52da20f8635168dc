"""Uploaded files on a full or unwritable disk: CKAN's own ResourceUpload, but a failed write is a clear message to
the operator (a ValidationError on the upload field, before CKAN commits the resource) and leaves no partial file.

CKAN writes the upload to `<path>~` and renames it; an OSError there (disk full, read-only or missing folder, no
permission) reaches the user as a 500 and may leave the `~` file behind. Registered as IUploader.get_resource_uploader
(plugins/); other uploads (images) stay with CKAN.
"""
from __future__ import annotations

import errno
import logging
import os
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.adapters import ResourceUploadBase
from ckanext.satudata_blitar.files.safety import N_
from ckanext.satudata_blitar.tables import served_files

log = logging.getLogger(__name__)

DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
DISK_FULL_MSG = N_("The file could not be saved: the portal's storage is full. Nothing was saved; please tell the "
                   "portal's administrator and try again later.")
UNWRITABLE_MSG = N_("The file could not be saved: the portal's storage cannot be written to right now. Nothing was "
                    "saved; please tell the portal's administrator and try again later.")


class SafeResourceUpload(ResourceUploadBase):
    def __init__(self, resource: dict[str, Any]) -> None:
        served_files.forget_client_mimetype(resource)
        super().__init__(resource)
        if resource.get("url_type") == "upload":
            self.mimetype = None  # CKAN's guess from the file's name or bytes is not what the check established

    def upload(self, id: str, max_size: int = 10) -> None:
        try:
            return super().upload(id, max_size)
        except OSError as error:
            if self.filename and self.storage_path:
                with _ignored():
                    os.remove(self.get_path(id) + "~")
            log.error("Could not store the upload of resource %s: %s", id, error)
            message = DISK_FULL_MSG if error.errno in DISK_FULL else UNWRITABLE_MSG
            raise tk.ValidationError({"upload": [tk._(message)]})


class _ignored:
    def __enter__(self):
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> bool:
        return kind is not None and issubclass(kind, (OSError, tk.ValidationError, TypeError))
