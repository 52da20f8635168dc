"""One auth function per action of logic/action.py."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__: list[str] = []
