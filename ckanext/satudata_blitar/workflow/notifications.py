"""E-mail to the next actor on each workflow transition, and to the operators on a return (SMTP: CKAN's smtp.*).

A mail is written in the portal's language (ckan.locale_default), dates as the pages write them ("1 Desember 2026,
13.20 WIB"): it goes to other people than the one whose request (maybe in /en/) made the transition.
A mail that cannot be sent is logged; it never undoes a transition that has been recorded.
"""
from __future__ import annotations

import logging
from typing import Any

from flask_babel import force_locale

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.language import formats
from ckanext.satudata_blitar.workflow import roles
from ckanext.satudata_blitar.workflow import transitions

log = logging.getLogger(__name__)

def recipients(transition: transitions.Transition, owner_org: str | None) -> list[model.User]:
    """The people who act next (transitions.next_roles), with an e-mail address."""
    users = {user.id: user for role in sorted(transitions.next_roles(transition))
             for user in roles.users_with_role(role, owner_org)}
    return [user for user in users.values() if user.email]


def _message(package: model.Package, event: dict[str, Any]) -> tuple[str, str]:
    lang = tk.config["ckan.locale_default"]
    with force_locale(lang):
        state = transitions.state_label(event["to_state"])
        role = roles.role_label(event["actor_role"]) if event.get("actor_role") else event["actor_role_label"]
        url = tk.url_for("dataset.read", id=package.name, _external=True, locale="default")
        subject = tk._("[Satu Data Kota Blitar] {title}: {state}").format(title=package.title, state=state)
        lines = [
            tk._('The dataset "{title}" is now {state}.').format(title=package.title, state=state),
            tk._("By: {name} ({role})").format(name=event["actor_display_name"], role=role),
        ]
        if event.get("created_at"):
            lines.append(tk._("When: {time}").format(time=formats.satudata_datetime(event["created_at"], lang)))
        if event.get("note"):
            lines.append(tk._("Note: {note}").format(note=event["note"]))
        lines += ["", url, "", tk._("Your verification list: {url}").format(
            url=tk.url_for("satudata.verification", _external=True, locale="default"))]
    return subject, "\n".join(lines)


def transition_made(package_id: str, event: dict[str, Any]) -> None:
    if not config.notify_by_email():
        return
    package = model.Package.get(package_id)
    subject, body = _message(package, event)
    for user in recipients(transitions.TRANSITIONS[event["transition"]], package.owner_org):
        try:
            tk.mail_user(user, subject, body)
        except Exception as error:  # noqa: BLE001 - a mail problem must not undo the recorded transition
            # One line per mail, no traceback: a portal without an SMTP server (development) would fill its log.
            log.warning("Could not e-mail %s about %s: %s", user.name, package.name,
                        " ".join(str(error).split()) or type(error).__name__)
