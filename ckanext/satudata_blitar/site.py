"""The site acting: the CLI, background jobs and demo seeding call actions as CKAN's site user."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def site_context() -> dict[str, Any]:
    """A context for actions made by the portal itself, not by a person (the site user is a sysadmin)."""
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
