"""The satudata blueprint: views call actions and render templates; permission checks live in logic/auth.py."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

satudata = Blueprint("satudata", __name__)
