"""Headers of every response (registered on the whole app by plugins/): the portal's Content-Security-Policy and
framing, sniffing and referrer rules; uploaded files served as attachments of the type the upload check
established, in a sandbox; nothing that is not public kept by a cache.

Flask runs after_request hooks in reverse order of registration, so this runs before CKAN's own
(ckan_after_request), which sets `Cache-Control: public` on every response that rendered no template (the API, file
downloads) unless the request is marked `__no_cache__`; a private response is marked so, and CKAN then adds
`private` to our `no-store`.
"""
from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from werkzeug.http import parse_options_header

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.tables import served_files

# An uploaded file, whatever it holds, is never a page of the portal: no script, no plugin, no form, no frame.
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'"
# Pages that show a resource view in the dataset page's iframe: CKAN's datatables_view template passes the table's
# columns to its script in an inline <script> (see docs/security.md), so script-src also allows inline scripts there.
INLINE_SCRIPT_ENDPOINTS = ("_resource.view",)
FILE_STATUSES = (200, 206, 304)
# The Walidata's monitoring reports (/laporan, /en/laporan, ...), whoever asks.
PRIVATE_SECTIONS = ("laporan",)


def secure_response(response: Any) -> Any:
    request = tk.request
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    endpoint = request.endpoint or ""
    if endpoint.endswith("_resource.download") and response.status_code in FILE_STATUSES \
            and (request.view_args or {}).get("resource_id"):
        _as_uploaded_file(response, request.view_args["resource_id"])
    elif "Content-Security-Policy" not in headers:
        policy = config.content_security_policy()
        if policy and endpoint.endswith(INLINE_SCRIPT_ENDPOINTS):
            policy = _with_inline_scripts(policy)
        if policy:
            headers["Content-Security-Policy"] = policy
    if _private(request):
        response.cache_control.public = False
        response.cache_control.max_age = None
        response.cache_control.private = True
        response.cache_control.no_store = True
        request.environ["__no_cache__"] = True
    return response


def _as_uploaded_file(response: Any, resource_id: str) -> None:
    """CKAN's download of an uploaded file: the type the check established (not the resource's `mimetype`, which a
    client could set), always an attachment, never sniffed, in a sandbox if a browser renders it all the same."""
    response.headers["Content-Type"] = served_files.content_types([resource_id])[resource_id]
    _, options = parse_options_header(response.headers.get("Content-Disposition", ""))
    name = (tk.request.view_args or {}).get("filename") or options.get("filename") or resource_id
    response.headers.pop("Content-Disposition", None)
    response.headers.set("Content-Disposition", "attachment", **_filename(name))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY


def _filename(name: str) -> dict[str, str]:
    """Content-Disposition's filename parameters, as Flask's send_file writes them (ASCII, and UTF-8 if needed)."""
    name = name.replace("\r", "").replace("\n", "").replace('"', "")
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple or "file", "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")}
    return {"filename": name}


def _with_inline_scripts(policy: str) -> str:
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    for i, directive in enumerate(directives):
        if directive.split()[0].lower() == "script-src" and "'unsafe-inline'" not in directive:
            directives[i] = directive + " 'unsafe-inline'"
    return "; ".join(directives)


def _private(request: Any) -> bool:
    """Not for shared caches: whatever a logged-in user or an API token is answered (a token's request can see what
    the public cannot), and the Walidata's reports."""
    token_header = tk.config.get("apitoken_header_name") or "Authorization"
    return bool(tk.current_user and tk.current_user.is_authenticated) \
        or any(request.headers.get(name) for name in {token_header, "Authorization", "X-CKAN-API-Key"}) \
        or any(section in PRIVATE_SECTIONS for section in request.path.split("/")[1:3])
