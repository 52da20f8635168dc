"""Daily reminders and escalation by e-mail (`ckan satudata remind`, docs/reminders.md), and each person's setting.

What a person is reminded of comes from the functions the pages use, never from queries of our own: their
verification queue (satudata_verification_queue, due and late in working days), the daftar elemen data
(data_elements.listing, late in working days) and the Walidata's pipeline (pipeline.pipeline, late by OPD).
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import config
from ckanext.satudata_blitar.elements import data_elements
from ckanext.satudata_blitar.language import LANGUAGES
from ckanext.satudata_blitar.logic.context import user_of
from ckanext.satudata_blitar.reports import pipeline
from ckanext.satudata_blitar.requests import data_requests
from ckanext.satudata_blitar.workflow import reminders, roles
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.workflow import working_days

__all__: list[str] = ["satudata_remind", "satudata_reminder_list", "satudata_reminder_settings_show",
                      "satudata_reminder_settings_update"]

# What `satudata_remind` says of each person it considered.
SENT, WOULD_SEND, ALREADY_SENT, NO_EMAIL, OPTED_OUT, FAILED = (
    "sent", "would_send", "already_sent", "no_email", "opted_out", "failed")


def _validated(data_dict: dict[str, Any], schema: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _elements(today: datetime.date, calendar: working_days.Calendar, tz) -> list[dict[str, Any]]:
    """The elements not yet published with a target date, each with its `due_day` (the target, or the next working
    day after it) and `due_in` (working days from today to it), that are late or due within the notice."""
    notice = config.reminders_element_notice_days()
    found = []
    for element in data_elements.listing(None, None, tz):
        if element["status"] == data_elements.STATUS_TERBIT or not element["tanggal_target"]:
            continue
        target = datetime.date.fromisoformat(element["tanggal_target"])
        due_day = calendar.nth_working_day_after(target - datetime.timedelta(days=1), 1)
        due_in = calendar.working_days_after(today, due_day)
        if element["late"] or due_in <= notice:
            found.append({**element, "due_day": due_day.isoformat(), "due_in": due_in})
    return sorted(found, key=lambda e: (e["due_day"], e["nama"].lower()))


def _late_by_opd(elements: list[dict[str, Any]], now: datetime.datetime) -> list[dict[str, Any]]:
    """For the Walidata: per OPD, the datasets and elements at least `escalate_after_days` working days late."""
    days = config.reminders_escalate_after_days()
    opds: dict[str, dict[str, Any]] = {}

    def opd(owner_org: str, name: str, title: str) -> dict[str, Any]:
        return opds.setdefault(owner_org, {"id": owner_org, "name": name, "title": title, "datasets": [],
                                           "elements": []})

    for item in pipeline.pipeline(now)["overdue"]:
        if item["late_working_days"] >= days:
            opd(item["owner_org"], model.Group.get(item["owner_org"]).name, item["opd_title"])["datasets"].append(item)
    for element in elements:
        if element["late_days"] >= days:
            opd(element["owner_org"], element["opd_name"], element["opd_title"])["elements"].append(element)
    return sorted(opds.values(), key=lambda o: (-len(o["datasets"]) - len(o["elements"]), o["title"].lower()))


def _content(user: model.User, today: datetime.date, elements: list[dict[str, Any]],
             late_by_opd: list[dict[str, Any]]) -> dict[str, Any]:
    """What waits for the user: the sections of reminders.SECTIONS."""
    queue = tk.get_action("satudata_verification_queue")({"user": user.name}, {})
    held = roles.memberships(user)
    operator_opds = set(held.opds_with(roles.OPERATOR))
    return {
        reminders.VERIFY: [item for item in queue if item["due"] and item["due"] <= today.isoformat()],
        reminders.RETURNED: [item for item in queue if item["state"] == transitions.PERLU_PERBAIKAN],
        reminders.ELEMENTS: [element for element in elements if element["owner_org"] in operator_opds],
        reminders.LATE_BY_OPD: late_by_opd if roles.WALIDATA in held.portal else [],
        "escalate_after_days": config.reminders_escalate_after_days(),
        reminders.DATA_REQUESTS: data_requests.reminder_items(user),
    }


def _remind_schema() -> dict[str, Any]:
    return {"dry_run": [tk.get_validator("default")(False), tk.get_validator("boolean_validator")]}


def satudata_remind(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Send today's reminders: each verifier what waits for them and is due today or late, each Operator Data
    their returned datasets and their OPD's data elements due soon or late, the Walidata the datasets and elements
    late by `reminders.escalate_after_days` working days or more, by OPD. One mail per person and day, in their
    language; none to a person without an e-mail address or who opted out, and none on a day that is not a
    working day. Run daily (`ckan satudata remind`); running it again the same day sends nothing more.

    :param dry_run: only say who would get what (with each mail's subject and body); nothing is sent or recorded
    :type dry_run: bool
    :returns: ``{"day", "working_day", "recipients": [{"user", "status", "language", "subject", "items",
        "error", "body"?}]}``; status is sent, would_send, already_sent, no_email, opted_out or failed; only people
        with something to be reminded of are listed
    """
    data = _validated(data_dict, _remind_schema(), context)
    tk.check_access("satudata_remind", context, data)
    now, tz = datetime.datetime.utcnow(), config.portal_zone()
    today, calendar = working_days.local(now, tz).date(), working_days.current()
    result: dict[str, Any] = {"day": today.isoformat(), "working_day": calendar.is_working_day(today),
                              "recipients": []}
    if not result["working_day"]:
        return result
    elements = _elements(today, calendar, tz)
    late_by_opd = _late_by_opd(elements, now)
    for user in roles.workflow_people():
        content = _content(user, today, elements, late_by_opd)
        if not reminders.has_items(content):
            continue
        entry = {"user": user.name, "language": reminders.language_of(user), "items": reminders.summary(content),
                 "subject": None, "error": None}
        reason = reminders.why_not(user)
        if reason:
            entry["status"] = reason
        elif reminders.sent_on(user.id, today):
            entry["status"] = ALREADY_SENT
        elif data["dry_run"]:
            entry["subject"], entry["body"] = reminders.compose(user, content, today, entry["language"])
            entry["status"] = WOULD_SEND
        else:
            try:
                sent = reminders.send(user, content, today)
            except Exception as error:  # noqa: BLE001 - one failed mail must not stop the others
                entry.update(status=FAILED, error=" ".join(str(error).split()) or type(error).__name__)
            else:
                entry.update(status=SENT if sent else ALREADY_SENT, subject=sent.subject if sent else None)
        result["recipients"].append(entry)
    return result


@tk.side_effect_free
def satudata_reminder_list(context: dict[str, Any], data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The reminders sent on a day (the Walidata): who got one, when, in which language, with what subject, and
    what it listed (dataset names, element ids, OPD names per section).

    :param day: the day, YYYY-MM-DD (default: today in the portal's time zone)
    :rtype: list of dictionaries
    """
    data = _validated(data_dict, {"day": [tk.get_validator("ignore_missing"), tk.get_validator("isodate")]},
                      context)
    tk.check_access("satudata_reminder_list", context, data)
    day = data.get("day")
    day = day.date() if day else working_days.local(datetime.datetime.utcnow(), config.portal_zone()).date()
    return reminders.sent(day)


def _person(context: dict[str, Any], data_dict: dict[str, Any]) -> model.User:
    user = model.User.get(str(data_dict.get("id") or "")) if data_dict.get("id") else user_of(context)
    if user is None or user.state != "active":
        raise tk.ObjectNotFound(tk._("User not found"))
    return user


@tk.side_effect_free
def satudata_reminder_settings_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """A user's reminder settings (their own; sysadmins anyone's).

    :param id: the user's name or id (default: the current user)
    :returns: ``{"reminders": bool, "language": "" | "id" | "en", "email": bool}`` (``email``: whether the account
        has an address to send to)
    """
    tk.check_access("satudata_reminder_settings_show", context, data_dict)
    user = _person(context, data_dict)
    return {**reminders.settings(user), "email": bool((user.email or "").strip())}


def _settings_schema() -> dict[str, Any]:
    ignore_missing, unicode_safe = tk.get_validator("ignore_missing"), tk.get_validator("unicode_safe")
    return {"id": [ignore_missing, unicode_safe],
            "reminders": [tk.get_validator("not_missing"), tk.get_validator("boolean_validator")],
            "language": [tk.get_validator("default")(""), unicode_safe,
                         tk.get_validator("one_of")(["", *LANGUAGES])]}


def satudata_reminder_settings_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change a user's reminder settings (their own; sysadmins anyone's), kept in the user's ``plugin_extras``.

    :param id: the user's name or id (default: the current user)
    :param reminders: whether to receive the daily reminder mail
    :type reminders: bool
    :param language: the mail's language, ``id`` or ``en``; empty for the portal's (the default)
    :returns: the settings, as satudata_reminder_settings_show
    """
    data = _validated(data_dict, _settings_schema(), context)
    tk.check_access("satudata_reminder_settings_update", context, data)
    user = _person(context, data)
    reminders.save_settings(user, data["reminders"], data["language"])
    model.Session.commit()
    return {**reminders.settings(user), "email": bool((user.email or "").strip())}
