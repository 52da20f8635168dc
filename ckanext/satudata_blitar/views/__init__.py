"""The satudata blueprint, one module per part of the SOP. Views call actions and template helpers and render
templates or files; every permission decision is an auth function's (logic/auth/)."""
from __future__ import annotations

from flask import Blueprint

satudata = Blueprint("satudata", __name__)

# Each module adds its routes to the blueprint.
from ckanext.satudata_blitar.views import (elements, guides, metadata, portal, reminders, reports,  # noqa: E402,F401
                                           requests, tables, workflow)

__all__ = ["satudata"]
