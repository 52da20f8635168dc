"""`ckan satudata remind`: one mail per person and day, in their language, with links; verifiers get what is due
today or late, the Operator Data returned datasets and due data elements, the Walidata what is 2+ working days late
by OPD; nobody without an address or who opted out; a second run the same day and a dry run send nothing.

The day is Wednesday 9 December 2026, 01.00 UTC (the tests' portal zone), a working day:

    data-diajukan          Diajukan since Tue 8 Dec 09.00           due today (Wed 9)       -> verifikator-opd
    baru-diajukan          Diajukan since Wed 9 Dec 00.30           due Thu 10              -> nobody
    data-terverifikasi_opd Terverifikasi OPD since Mon 7 Dec 09.00  due Tue 8: 1 day late   -> kominfotik, walidata
    data-disetujui         Disetujui since Fri 4 Dec 09.00          due Mon 7: 2 days late  -> walidata (+ digest)
    data-perlu_perbaikan   returned                                                         -> operator
    element "Jumlah Puskesmas"  target Fri 11 Dec: due in 2 working days                    -> operator
    element "Jumlah Dokter"     target Fri 4 Dec: 3 working days late                       -> operator (+ digest)
    element "Jumlah Bidan"      target Thu 31 Dec: not yet                                  -> nobody
"""
from __future__ import annotations

import datetime
import email
import email.header

import freezegun
import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.cli import satudata
from ckanext.satudata_blitar.model import DatasetStatus, Reminder
from ckanext.satudata_blitar.tests import world as world_module
from ckanext.satudata_blitar.workflow import transitions

NOW = "2026-12-09 01:00"
TODAY = datetime.date(2026, 12, 9)
SITE = "http://test.ckan.net"
CHANGED = {
    "data-diajukan": datetime.datetime(2026, 12, 8, 9, 0),
    "baru-diajukan": datetime.datetime(2026, 12, 9, 0, 30),
    "data-terverifikasi_opd": datetime.datetime(2026, 12, 7, 9, 0),
    "data-disetujui": datetime.datetime(2026, 12, 4, 9, 0),
    "data-perlu_perbaikan": datetime.datetime(2026, 12, 8, 10, 0),
}
ELEMENTS = {"Jumlah Puskesmas": "2026-12-11", "Jumlah Dokter": "2026-12-04", "Jumlah Bidan": "2026-12-31"}


def _set_up(world):
    world_module.dataset_in_state(world, transitions.DIAJUKAN, name="baru-diajukan")
    for name, changed in CHANGED.items():
        model.Session.execute(sa.update(DatasetStatus).where(
            DatasetStatus.package_id == model.Package.get(name).id).values(changed_at=changed))
    model.Session.commit()
    walidata = {"user": world.name("walidata")}
    for nama, target in ELEMENTS.items():
        helpers.call_action("satudata_data_element_create", context=walidata, tahun=2026,
                            owner_org="dinas-kesehatan", nama=nama, tanggal_target=target)
    # A second Verifikator OPD of Dinas Kesehatan without an e-mail address.
    no_email = ckan_factories.User(name="verifikator-tanpa-surel")
    helpers.call_action("organization_member_create", id="dinas-kesehatan", username=no_email["name"],
                        role="verifikator")
    model.User.get(no_email["name"]).email = None
    model.Session.commit()
    # The Verifikator Kominfotik opted out; the Walidata reads English.
    helpers.call_action("satudata_reminder_settings_update", context={"user": world.name("verifikator_kominfotik")},
                        reminders=False)
    helpers.call_action("satudata_reminder_settings_update", context=walidata, reminders=True, language="en")


pytestmark = pytest.mark.world(states=[transitions.DIAJUKAN, transitions.TERVERIFIKASI_OPD, transitions.DISETUJUI,
                                       transitions.PERLU_PERBAIKAN], extend=_set_up)


def _remind(app, cli, *args):
    with freezegun.freeze_time(NOW, ignore=["jwt"]), app.flask_app.test_request_context():
        result = cli.invoke(satudata, ["remind", *args])
    return result


def _mails(mail_server) -> dict[str, dict]:
    """Recipient address -> {subject, body}."""
    mails = {}
    for _, _, to_addrs, raw in mail_server.get_smtp_messages():
        message = email.message_from_string(raw)
        body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        for to in [to_addrs] if isinstance(to_addrs, str) else to_addrs:
            assert to not in mails, f"two mails to {to}"
            mails[to] = {"subject": subject, "body": body}
    return mails


def _sent_rows():
    return model.Session.query(Reminder).count()


@pytest.fixture
def fresh(world):
    """Every test starts with no reminder sent."""
    model.Session.execute(sa.delete(Reminder.__table__))
    model.Session.commit()
    return world


def test_dry_run_prints_who_would_get_what_and_sends_nothing(app, cli, fresh, mail_server):
    result = _remind(app, cli, "--dry-run")
    assert result.exit_code == 0, result.output
    assert mail_server.get_smtp_messages() == []
    assert _sent_rows() == 0
    lines = {line.split()[0]: line for line in result.output.splitlines() if line and not line.startswith(" ")}
    assert "would send" in lines["verifikator-opd"] and "would send" in lines["operator"]
    assert "would send" in lines["walidata"]
    assert "opted out" in lines["verifikator-kominfotik"]
    assert "no e-mail address" in lines["verifikator-tanpa-surel"]
    assert "operator-other-opd" not in lines and "verifikator-other-opd" not in lines
    # The mails themselves are printed: subject and items.
    assert "[Satu Data Kota Blitar] Pengingat 9 Desember 2026" in result.output
    assert "Data Perlu_Perbaikan" in result.output or "data-perlu_perbaikan" in result.output
    assert "3 mail(s) would be sent" in result.output


def test_remind_sends_each_person_their_items_once_a_day(app, cli, fresh, world, mail_server):
    result = _remind(app, cli)
    assert result.exit_code == 0, result.output
    mails = _mails(mail_server)
    address = {viewer: world.users[viewer]["email"] for viewer in world.users}
    assert set(mails) == {address["verifikator_opd"], address["operator"], address["walidata"]}, result.output

    verifier = mails[address["verifikator_opd"]]
    assert verifier["subject"] == "[Satu Data Kota Blitar] Pengingat 9 Desember 2026"
    assert f"{SITE}/dataset/data-diajukan" in verifier["body"]
    assert "jatuh tempo hari ini" in verifier["body"]
    assert "baru-diajukan" not in verifier["body"]  # due tomorrow
    assert f"{SITE}/dasbor/pengingat" in verifier["body"] and "/en/" not in verifier["body"]

    operator = mails[address["operator"]]
    assert operator["subject"] == "[Satu Data Kota Blitar] Pengingat 9 Desember 2026"
    assert f"{SITE}/dataset/data-perlu_perbaikan" in operator["body"]
    assert "Jumlah Puskesmas" in operator["body"] and "Jumlah Dokter" in operator["body"]
    assert "Jumlah Bidan" not in operator["body"]
    assert f"{SITE}/elemen-data?tahun=2026&opd=dinas-kesehatan" in operator["body"]
    assert "terlambat 3 hari kerja" in operator["body"] or "3 hari kerja terlambat" in operator["body"]
    assert "data-diajukan" not in operator["body"]

    walidata = mails[address["walidata"]]
    assert walidata["subject"] == "[Satu Data Kota Blitar] Reminder for 9 December 2026", walidata["subject"]
    body = walidata["body"]
    assert f"{SITE}/dataset/data-terverifikasi_opd" in body and f"{SITE}/dataset/data-disetujui" in body
    assert "1 working day late" in body and "2 working days late" in body
    digest = body.split("Late by 2 working days or more, by OPD:")[1]
    assert "Dinas Kesehatan" in digest
    assert "data-disetujui" in digest and "Jumlah Dokter" in digest
    assert "data-terverifikasi_opd" not in digest and "Jumlah Puskesmas" not in digest
    assert "/en/" not in body

    # Recorded: the Walidata sees who got what today.
    sent = helpers.call_action("satudata_reminder_list", context={"user": world.name("walidata")},
                               day=TODAY.isoformat())
    assert [row["user_name"] for row in sent] == ["operator", "verifikator-opd", "walidata"]
    assert sent[2]["language"] == "en" and sent[2]["items"]["late_by_opd"] == ["dinas-kesehatan"]
    assert sorted(sent[0]["items"]["elements"]) and sent[1]["items"]["verify"] == ["data-diajukan"]

    # A second run the same day sends none.
    mail_server.clear_smtp_messages()
    again = _remind(app, cli)
    assert again.exit_code == 0, again.output
    assert mail_server.get_smtp_messages() == []
    assert "0 mail(s) sent, 3 already sent today" in again.output
    assert _sent_rows() == 3


def test_opted_out_and_addressless_people_get_nothing(app, cli, fresh, world, mail_server):
    _remind(app, cli)
    addresses = {to for _, _, to_addrs, _ in mail_server.get_smtp_messages()
                 for to in ([to_addrs] if isinstance(to_addrs, str) else to_addrs)}
    assert world.users["verifikator_kominfotik"]["email"] not in addresses
    assert not model.Session.query(Reminder).filter(Reminder.user_id.in_(
        [world.users["verifikator_kominfotik"]["id"], model.User.get("verifikator-tanpa-surel").id])).count()


def test_a_failed_mail_is_an_error_and_is_tried_again(app, cli, fresh, ckan_config, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPConnectError(421, "no")
    monkeypatch.setattr(smtplib, "SMTP", refuse)
    result = _remind(app, cli)
    assert result.exit_code == 1
    assert "FAILED" in result.output and "3 failed" in result.output
    assert _sent_rows() == 0  # the next run tries again


def test_nothing_is_sent_on_a_day_off(app, cli, fresh, mail_server):
    with freezegun.freeze_time("2026-12-12 01:00", ignore=["jwt"]), app.flask_app.test_request_context():
        result = cli.invoke(satudata, ["remind"])
    assert result.exit_code == 0, result.output
    assert "not a working day" in result.output
    assert mail_server.get_smtp_messages() == []


def test_the_settings_page_opts_out_and_back_in(app, world):
    browser = world_module.logged_in(app, world, "operator_other_opd")
    page = browser.get("/dasbor/pengingat")
    assert "Pengingat lewat surel" in page.body and 'name="reminders" checked' in page.body
    browser.post("/dasbor/pengingat", data={"_csrf_token": world_module.csrf_token(page.body), "language": "en"})
    shown = helpers.call_action("satudata_reminder_settings_show", context={"user": world.name("operator_other_opd")})
    assert shown["reminders"] is False and shown["language"] == "en"
    page = browser.get("/dasbor/pengingat")
    browser.post("/dasbor/pengingat", data={"_csrf_token": world_module.csrf_token(page.body), "reminders": "on",
                                            "language": ""})
    shown = helpers.call_action("satudata_reminder_settings_show", context={"user": world.name("operator_other_opd")})
    assert shown["reminders"] is True and shown["language"] == ""
    assert "/dasbor/pengingat" in browser.get("/dasbor").body


@pytest.mark.parametrize("action", ["satudata_reminder_settings_update", "satudata_reminder_settings_show"])
def test_only_oneself_changes_or_sees_ones_settings(world, action):
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action(action, context={"user": world.name("walidata"), "ignore_auth": False},
                            id=world.name("operator"), reminders=True)


@pytest.mark.parametrize("viewer", ["operator", "verifikator_opd", "verifikator_kominfotik"])
def test_only_the_walidata_sees_what_was_sent_and_only_sysadmins_send(world, viewer):
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("satudata_reminder_list", context={"user": world.name(viewer), "ignore_auth": False})
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("satudata_remind", context={"user": world.name(viewer), "ignore_auth": False})
