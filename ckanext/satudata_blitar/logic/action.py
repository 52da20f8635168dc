"""Our actions, prefixed satudata_."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__: list[str] = []
