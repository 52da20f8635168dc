"""What every view answers with: files, refusals, action errors."""
from __future__ import annotations

import io
from typing import Any

from flask import send_file

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.files import workbooks


def file_language() -> str:
    """The language of a downloaded file: Indonesian (the SOP's) unless ?lang=en asks for English labels."""
    return workbooks.language(tk.request.args.get("lang", "id"))


def file_response(content: Any, filename: str, mimetype: str = workbooks.XLSX_MIMETYPE) -> Any:
    """A download of `content` (bytes or a file object)."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    return send_file(stream, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)


def refuse(message: str | None = None) -> Any:
    """Anonymous visitors log in; logged-in users without the right get 403 with the auth function's `message`."""
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=tk.request.full_path)
    return tk.abort(403, message or tk._("You may not do this"))


def error_text(error: tk.ValidationError) -> str:
    """A ValidationError's messages as one line, for a flash message or a 400 page."""
    return " ".join(message for messages in error.error_dict.values() for message in messages)
