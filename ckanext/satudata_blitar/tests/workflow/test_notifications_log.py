"""Without an SMTP server (a development portal), a transition logs one line per mail it could not send, never a
traceback, and the transition stands."""
import logging
import socket

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar.workflow import notifications
from ckanext.satudata_blitar.workflow import transitions
from ckanext.satudata_blitar.tests import world as world_module


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_smtp_server_costs_one_log_line_per_mail(app, world, ckan_config, monkeypatch, caplog):
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{_closed_port()}")
    helpers.call_action("user_patch", context={"user": world.name("sysadmin")}, id=world.name("verifikator_opd"),
                        email="verifikator@blitarkota.go.id")
    dataset = world_module.dataset_in_state(world, transitions.DRAF, name="tanpa-smtp")
    # CKAN's logging set-up (fileConfig) disables the loggers that existed before it ran.
    monkeypatch.setattr(notifications.log, "disabled", False)
    caplog.set_level(logging.INFO, logger="ckanext.satudata_blitar")
    helpers.call_action("satudata_transition", context={"user": world.name("operator")}, id=dataset["id"],
                        transition="ajukan")
    assert transitions.current_state(dataset["id"]) == transitions.DIAJUKAN
    records = [r for r in caplog.records if r.name.startswith("ckanext.satudata_blitar")]
    assert records, "the failed mail is logged"
    for record in records:
        assert record.exc_info is None and record.exc_text is None
        assert "\n" not in record.getMessage()
        assert record.getMessage().startswith("Could not e-mail verifikator-opd about tanpa-smtp:")
