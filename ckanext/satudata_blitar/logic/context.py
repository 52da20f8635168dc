"""What actions and auth functions ask of their context: who is acting, and the context for the actions they call."""
from __future__ import annotations

from typing import Any

import ckan.model as model

from ckanext.satudata_blitar.workflow import roles


def user_of(context: dict[str, Any]) -> model.User | None:
    """The user an action or auth function runs for; None for an anonymous visitor."""
    return roles.as_user(context.get("auth_user_obj") or context.get("user"))


def inner_context(context: dict[str, Any]) -> dict[str, Any]:
    """A fresh context for the actions an action calls, as the same user."""
    return {"user": context["user"], "ignore_auth": context.get("ignore_auth", False)}
