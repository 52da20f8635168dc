"""Daily reminders by e-mail (`ckan satudata remind`, docs/reminders.md): one mail per person and day that lists
what waits for them, in their language; the sends recorded in `satudata_reminder`.

What goes into a mail is gathered by the action `satudata_remind` (logic/action/reminders.py) from the verification
queue, the daftar elemen data and the pipeline; this module keeps each person's settings (in the user's
`plugin_extras`), writes the mail and sends it once a day through CKAN's mailer, as notifications.py does.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.dialects import postgresql

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import language
from ckanext.satudata_blitar.language import formats
from ckanext.satudata_blitar.model import Reminder
from ckanext.satudata_blitar.workflow import transitions

log = logging.getLogger(__name__)

# The user's plugin_extras key for our settings ({"reminders": bool, "language": "id" | "en" | ""}).
EXTRAS_KEY = "satudata_blitar"

# The sections of a reminder, in the mail's order: what each person may find in it.
VERIFY, RETURNED, ELEMENTS, LATE_BY_OPD = "verify", "returned", "elements", "late_by_opd"
DATA_REQUESTS = "data_requests"  # requests/data_requests.py: reminder_items
SECTIONS = (VERIFY, RETURNED, ELEMENTS, LATE_BY_OPD, DATA_REQUESTS)

R = Reminder.__table__


# --- settings -------------------------------------------------------------------------------------------------

def settings(user: model.User) -> dict[str, Any]:
    """The user's reminder settings: `reminders` (true unless they opted out) and `language` ("" for the
    portal's)."""
    extras = (user.plugin_extras or {}).get(EXTRAS_KEY) or {}
    lang = extras.get("language")
    return {"reminders": extras.get("reminders", True) is not False,
            "language": lang if lang in language.LANGUAGES else ""}


def save_settings(user: model.User, reminders: bool, lang: str) -> None:
    """Stores the settings in the user's plugin_extras, keeping whatever else is there; the caller commits."""
    extras = dict(user.plugin_extras or {})
    extras[EXTRAS_KEY] = {**(extras.get(EXTRAS_KEY) or {}), "reminders": bool(reminders), "language": lang or ""}
    user.plugin_extras = extras  # a new dict: SQLAlchemy sees the change of the JSON column


def language_of(user: model.User) -> str:
    """The language the user reads mail in: their setting, else the portal's (ckan.locale_default)."""
    lang = settings(user)["language"] or tk.config["ckan.locale_default"]
    return lang if lang in language.LANGUAGES else language.LANGUAGES[0]


def why_not(user: model.User) -> str | None:
    """Why the user gets no reminder whatever waits ("no_email", "opted_out"), or None."""
    if not (user.email or "").strip():
        return "no_email"
    if not settings(user)["reminders"]:
        return "opted_out"
    return None


# --- the mail -------------------------------------------------------------------------------------------------

def _url(endpoint: str, **values: Any) -> str:
    return tk.url_for(endpoint, _external=True, locale="default", **values)


def _late(days: int) -> str:
    return tk.ungettext("{n} working day late", "{n} working days late", days).format(n=days)


def _dataset_line(item: dict[str, Any], today: datetime.date, lang: str) -> list[str]:
    if item.get("late_working_days"):
        when = _late(item["late_working_days"])
    elif item.get("due") == today.isoformat():
        when = tk._("due today")
    else:
        when = tk._("since {date}").format(date=formats.satudata_date(item["since"], lang))
    return [f"- {item['title']} ({transitions.state_label(item['state'])}): {when}",
            f"  {_url('dataset.read', id=item['name'])}"]


def _element_line(element: dict[str, Any], lang: str, with_opd: bool = False) -> list[str]:
    if element["late_days"]:
        when = _late(element["late_days"])
    elif element["due_in"] == 0:
        when = tk._("due today")
    else:
        when = tk.ungettext("due in {n} working day ({date})", "due in {n} working days ({date})",
                            element["due_in"]).format(n=element["due_in"],
                                                      date=formats.satudata_date(element["due_day"], lang))
    opd = f", {element['opd_title']}" if with_opd else ""
    return [f"- {element['nama']} ({element['tahun']}{opd}): {when}",
            f"  {_url('satudata.data_elements', tahun=element['tahun'], opd=element['opd_name'])}"]


def compose(user: model.User, content: dict[str, Any], today: datetime.date, lang: str) -> tuple[str, str]:
    """The subject and body of a reminder in `lang`. `content` has the sections of SECTIONS (logic/action/
    reminders.py says what each holds)."""
    with force_locale(lang):
        date = formats.satudata_date(today, lang)
        subject = tk._("[Satu Data Kota Blitar] Reminder for {date}").format(date=date)
        lines = [tk._("Hello {name},").format(name=user.display_name), "",
                 tk._("This is what waits for you on the Satu Data Kota Blitar portal today, {date}.").format(
                     date=date)]
        if content.get(VERIFY):
            lines += ["", tk._("To verify or publish, due today or late:")]
            for item in content[VERIFY]:
                lines += _dataset_line(item, today, lang)
        if content.get(RETURNED):
            lines += ["", tk._("Returned to you for revision:")]
            for item in content[RETURNED]:
                lines += _dataset_line(item, today, lang)
        if content.get(ELEMENTS):
            lines += ["", tk._("Data elements of the daftar elemen data not yet published, due soon or late:")]
            for element in content[ELEMENTS]:
                lines += _element_line(element, lang)
        if content.get(LATE_BY_OPD):
            lines += ["", tk._("Late by {n} working days or more, by OPD:").format(n=content["escalate_after_days"])]
            for opd in content[LATE_BY_OPD]:
                lines += ["", f"{opd['title']}:"]
                for item in opd["datasets"]:
                    lines += _dataset_line(item, today, lang)
                for element in opd["elements"]:
                    lines += _element_line(element, lang)
        if content.get(DATA_REQUESTS):
            lines += ["", tk._("Data requests to answer, due soon or late:")]
            for item in content[DATA_REQUESTS]:
                when = (_late(item["late_by"]) if item["late_by"] else
                        tk._("due {date}").format(date=formats.satudata_date(item["due_date"], lang)))
                lines += [f"- #{item['id']} {item['title']}: {when}",
                          f"  {_url('satudata.data_request', id=item['id'])}"]
        lines += ["", tk._("Your tasks: {url}").format(url=_url("satudata.dashboard")),
                  tk._("Your verification list: {url}").format(url=_url("satudata.verification")),
                  tk._("To stop these reminders or choose their language: {url}").format(
                      url=_url("satudata.reminder_settings"))]
    return subject, "\n".join(lines)


def summary(content: dict[str, Any]) -> dict[str, list[str]]:
    """What a reminder listed, as recorded: dataset names and element ids per section."""
    return {
        VERIFY: [item["name"] for item in content.get(VERIFY, [])],
        RETURNED: [item["name"] for item in content.get(RETURNED, [])],
        ELEMENTS: [element["id"] for element in content.get(ELEMENTS, [])],
        LATE_BY_OPD: [opd["name"] for opd in content.get(LATE_BY_OPD, [])],
        DATA_REQUESTS: [item["id"] for item in content.get(DATA_REQUESTS, [])],
    }


def has_items(content: dict[str, Any]) -> bool:
    return any(content.get(section) for section in SECTIONS)


# --- sending once a day ---------------------------------------------------------------------------------------

def sent_on(user_id: str, day: datetime.date) -> bool:
    return model.Session.execute(sa.select(R.c.id).where(R.c.user_id == user_id, R.c.day == day)).first() is not None


def send(user: model.User, content: dict[str, Any], today: datetime.date) -> Reminder | None:
    """Sends the day's reminder to `user` unless one was sent already (None then). The row is claimed and committed
    before the mail goes out, so two runs at once send one mail; a mail that fails removes its row again (committed)
    and raises, so the next run tries again."""
    lang = language_of(user)
    subject, body = compose(user, content, today, lang)
    claimed = model.Session.execute(
        postgresql.insert(R).values(user_id=user.id, day=today, sent_at=datetime.datetime.utcnow(), language=lang,
                                    subject=subject, items=summary(content))
        .on_conflict_do_nothing(constraint="satudata_reminder_user_day").returning(R.c.id)).scalar()
    model.Session.commit()
    if claimed is None:
        return None
    try:
        tk.mail_user(user, subject, body)
    except Exception:
        model.Session.execute(sa.delete(R).where(R.c.id == claimed))
        model.Session.commit()
        raise
    return model.Session.get(Reminder, claimed)


def sent(day: datetime.date) -> list[dict[str, Any]]:
    """The reminders sent on a day, by user name: who (no e-mail address), when, in which language, what."""
    rows = (model.Session.query(Reminder, model.User.name, model.User.fullname)
            .join(model.User, model.User.id == Reminder.user_id)
            .filter(Reminder.day == day).order_by(model.User.name))
    return [{"user_name": name, "user_fullname": fullname, "day": reminder.day.isoformat(),
             "sent_at": reminder.sent_at.isoformat(), "language": reminder.language, "subject": reminder.subject,
             "items": reminder.items} for reminder, name, fullname in rows]
