"""E-mail on each step of a data request, in each recipient's language (their reminder setting, else the
portal's): to the requester on every step someone else made, to the OPD's Operator Data and Verifikator OPD when
the request reaches their OPD (routed, or a follow-up question), to the Walidata when a request arrives or comes
back for routing. A mail that cannot be sent is logged; it never undoes the recorded step."""
from __future__ import annotations

import logging

from flask_babel import force_locale

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.language import formats
from ckanext.satudata_blitar.requests import data_requests as flow
from ckanext.satudata_blitar.requests.model import DataRequest
from ckanext.satudata_blitar.workflow import reminders, roles

log = logging.getLogger(__name__)

# event -> who besides the requester is told: "walidata" or "opd".
STAFF = {"ajukan": "walidata", "kembalikan": "walidata", "teruskan": "opd", "tanya_lanjut": "opd"}


def recipients(request: DataRequest, event: str) -> list[model.User]:
    actor_is_requester = event in ("ajukan", "tanya_lanjut") or (
        event == "tutup" and flow.events(request.id)[-1].actor_id == request.user_id)
    people: dict[str, model.User] = {}
    requester = model.User.get(request.user_id) if request.user_id else None
    if requester and (not actor_is_requester or event == "ajukan"):
        people[requester.id] = requester
    staff = STAFF.get(event)
    if staff == "opd" and not request.owner_org:
        staff = "walidata"
    if staff == "walidata":
        people.update({user.id: user for user in roles.users_with_role(roles.WALIDATA, None)})
    elif staff == "opd":
        people.update({user.id: user for role in (roles.OPERATOR, roles.VERIFIKATOR_OPD)
                       for user in roles.users_with_role(role, request.owner_org)})
    return [user for user in people.values() if (user.email or "").strip() and user.state == "active"]


def message(request: DataRequest, event: str, user: model.User, lang: str) -> tuple[str, str]:
    with force_locale(lang):
        state = flow.state_label(request.state)
        subject = tk._("[Satu Data Kota Blitar] Data request #{number}: {state}").format(number=request.id,
                                                                                         state=state)
        timer = flow.timer(request)
        opd = flow.opd(request.owner_org)
        lines = [tk._('Data request #{number} "{title}"').format(number=request.id, title=request.title),
                 flow.event_label(event) + ".",
                 tk._("Status: {state}").format(state=state)]
        if opd:
            lines.append(tk._("OPD: {opd}").format(opd=opd["title"]))
        last = flow.events(request.id)[-1]
        if last.note:
            lines.append(tk._("Note: {note}").format(note=last.note))
        if request.package_id and request.state == flow.TERPENUHI:
            package = model.Package.get(request.package_id)
            lines.append(tk._("Dataset: {url}").format(url=tk.url_for(
                "dataset.read", id=package.name, _external=True, locale="default")))
        if timer and timer.open:
            lines.append(tk._("Answer due by: {date}").format(date=formats.satudata_date(timer.due, lang)))
        lines += ["", tk.url_for("satudata.data_request", id=request.id, _external=True, locale="default")]
    return subject, "\n".join(lines)


def request_changed(request: DataRequest, event: str) -> None:
    if not config.notify_by_email():
        return
    for user in recipients(request, event):
        subject, body = message(request, event, user, reminders.language_of(user))
        try:
            tk.mail_user(user, subject, body)
        except Exception as error:  # noqa: BLE001 - a mail problem must not undo the recorded step
            log.warning("Could not e-mail %s about data request %s: %s", user.name, request.id,
                        " ".join(str(error).split()) or type(error).__name__)
