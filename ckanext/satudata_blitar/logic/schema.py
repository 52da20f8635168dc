"""navl schemas for the actions of logic/action.py."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
