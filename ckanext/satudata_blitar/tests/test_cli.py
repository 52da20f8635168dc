import datetime

import pytest

import ckan.tests.helpers as helpers

from ckanext.satudata_blitar import demo
from ckanext.satudata_blitar.cli import satudata

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def test_satudata_group_has_help(cli):
    result = cli.invoke(satudata, ["--help"])
    assert result.exit_code == 0, result.output
    assert "demo" in result.output


def test_demo_seeds_every_opd_and_role_and_is_idempotent(cli):
    first = cli.invoke(satudata, ["demo"])
    assert first.exit_code == 0, first.output
    second = cli.invoke(satudata, ["demo"])
    assert second.exit_code == 0, second.output

    orgs = helpers.call_action("organization_list")
    assert sorted(orgs) == sorted(opd.name for opd in demo.OPDS)
    users = {u["name"] for u in helpers.call_action("user_list")}
    assert {u.name for u in demo.DEMO_USERS} <= users
    # The second run created nothing and still printed every login.
    assert "created" not in second.output
    for user in demo.DEMO_USERS:
        assert user.name in second.output

    members = helpers.call_action("member_list", id="dinas-kesehatan", object_type="user")
    names = {helpers.call_action("user_show", id=uid)["name"]: role for uid, _type, role in members}
    demo_roles = {name: role for name, role in names.items() if name in {u.name for u in demo.DEMO_USERS}}
    assert demo_roles == {"operator-dinkes": "Operator Data", "verifikator-dinkes": "Verifikator OPD"}
    assert helpers.call_action("user_show", id="admin")["sysadmin"] is True
    elements = helpers.call_action("satudata_data_element_list", tahun=datetime.date.today().year)
    assert sorted((e["opd_name"], e["nama"]) for e in elements) == sorted(
        (opd, nama) for opd, nama, *_rest in demo.DEMO_ELEMENTS)
