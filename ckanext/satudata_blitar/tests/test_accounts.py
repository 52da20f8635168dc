"""Accounts and sessions (accounts/, logic/auth/accounts.py, views/accounts.py; docs/security.md, "Accounts and
sessions"): login throttling per account and per client address, equal work for unknown accounts, accounts seen
only by their owner, the Walidata and sysadmins, sessions that end at logout, password change, idleness and age,
and logout by POST only. Every login goes through the real form with its CSRF token."""
from __future__ import annotations

import json
import time
from urllib.parse import urlparse
from unittest import mock

import pytest
from passlib.hash import pbkdf2_sha512

import ckan.tests.factories as ckan_factories
import ckan.tests.helpers as helpers
from ckan.common import config
from ckan.lib.redis import connect_to_redis

from ckanext.satudata_blitar.accounts import throttle
from ckanext.satudata_blitar.tests import world as world_module

PASSWORD = world_module.PASSWORD
NEW_PASSWORD = "Sandi-Baru-Blitar-2027"
WRONG = "bukan-sandinya"


@pytest.fixture(autouse=True)
def _no_failures_counted():
    throttle.forget_all()
    yield
    throttle.forget_all()


def citizen(**kwargs):
    """An account anyone can register: no OPD, no role."""
    return ckan_factories.UserWithToken(password=PASSWORD, **kwargs)


@pytest.fixture(scope="module")
def people(reset_db, migrate_db_for):
    """A citizen, an Operator Data, the Walidata and a sysadmin, with API tokens."""
    with world_module.building(reset_db, migrate_db_for):
        ckan_factories.Organization(name="diskominfotik")
        ckan_factories.Organization(name="dinas-kesehatan")
        users = {"citizen": citizen(name="warga"), "operator": citizen(name="operator-uji"),
                 "walidata": citizen(name="walidata-uji"),
                 "sysadmin": ckan_factories.SysadminWithToken(name="admin-uji", password=PASSWORD)}
        helpers.call_action("organization_member_create", id="dinas-kesehatan", username="operator-uji",
                            role="editor")
        helpers.call_action("organization_member_create", id="diskominfotik", username="walidata-uji",
                            role="walidata")
        yield users


def log_in(app, login, password=PASSWORD, browser=None, address=None, **form):
    browser = browser or app.test_client()
    environ = {"REMOTE_ADDR": address} if address else {}
    page = browser.get("/user/login", environ_base=environ)
    return browser, browser.post("/user/login", environ_base=environ, follow_redirects=False, data={
        "login": login, "password": password, "_csrf_token": world_module.csrf_token(page.body), **form})


def is_logged_in(browser) -> bool:
    response = browser.get("/dashboard/datasets", follow_redirects=False)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def cookie(browser, name):
    """The test client speaks to ckan.site_url's host."""
    return browser.get_cookie(name, domain=urlparse(config["ckan.site_url"]).hostname)


def browser_with(app, cookies: dict[str, str]):
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value, domain=urlparse(config["ckan.site_url"]).hostname)
    return browser


def log_out(browser):
    page = browser.get("/user/_logout")
    return browser.post("/user/_logout", data={"_csrf_token": world_module.csrf_token(page.body)},
                        follow_redirects=False)


# --- throttling -----------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("people")
def test_twelve_wrong_passwords_lock_the_account_even_for_the_right_one(app):
    user = citizen()
    answers = [log_in(app, user["name"], WRONG)[1].status_code for _ in range(12)]
    assert answers == [200] * 5 + [429] * 7
    browser, response = log_in(app, user["name"])
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal. Tunggu 15 menit" in response.body
    assert not is_logged_in(browser)
    # By e-mail it is the same account, and locked too.
    assert log_in(app, user["email"])[1].status_code == 429


@pytest.mark.usefixtures("people")
def test_a_successful_login_clears_the_accounts_count(app):
    user = citizen()
    for _ in range(2):
        for _ in range(4):
            assert log_in(app, user["name"], WRONG)[1].status_code == 200
        browser, response = log_in(app, user["name"])
        assert response.status_code == 302 and is_logged_in(browser)
    # Counted again from zero: the fifth failure after the last success locks.
    answers = [log_in(app, user["name"], WRONG)[1].status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


@pytest.mark.usefixtures("people")
def test_unknown_accounts_lock_as_known_ones_do(app):
    answers = [log_in(app, "tidak-ada-akun-ini", WRONG)[1].status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


@pytest.mark.usefixtures("people")
def test_an_address_that_guesses_many_accounts_is_locked(app):
    user = citizen()
    for number in range(20):
        assert log_in(app, f"tebakan-{number}", WRONG, address="10.0.0.7")[1].status_code == 200
    browser, response = log_in(app, user["name"], address="10.0.0.7")
    assert response.status_code == 429 and not is_logged_in(browser)
    # The same account from another address logs in: the lock is the address's.
    browser, response = log_in(app, user["name"], address="10.0.0.8")
    assert response.status_code == 302 and is_logged_in(browser)


@pytest.mark.usefixtures("people")
@pytest.mark.ckan_config("ckanext.satudata_blitar.login.trusted_proxies", "1")
def test_behind_a_proxy_the_address_is_the_one_the_proxy_wrote(app):
    user = citizen()
    for number in range(20):
        # A client writing its own X-Forwarded-For entries before the proxy's does not get a new address.
        headers = {"X-Forwarded-For": f"192.0.2.{number}, 203.0.113.9"}
        browser = app.test_client()
        page = browser.get("/user/login")
        assert browser.post("/user/login", headers=headers, follow_redirects=False, data={
            "login": f"tebakan-{number}", "password": WRONG,
            "_csrf_token": world_module.csrf_token(page.body)}).status_code == 200
    browser = app.test_client()
    page = browser.get("/user/login")
    response = browser.post("/user/login", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
                            follow_redirects=False, data={
        "login": user["name"], "password": PASSWORD, "_csrf_token": world_module.csrf_token(page.body)})
    assert response.status_code == 429


@pytest.mark.usefixtures("people")
def test_the_old_password_check_of_the_edit_form_is_counted_and_locked(app):
    user = citizen()
    browser, _ = log_in(app, user["name"])
    for _ in range(5):
        form = browser.get(f"/user/edit/{user['name']}")
        browser.post(f"/user/edit/{user['name']}", data={
            "_csrf_token": world_module.csrf_token(form.body), "name": user["name"], "email": user["email"],
            "old_password": WRONG, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "save": ""})
    assert log_in(app, user["name"])[1].status_code == 429


@pytest.mark.usefixtures("people")
def test_an_unknown_account_costs_a_password_check_as_a_known_one_does(app):
    user = citizen()
    for login, checks in (("tidak-ada-akun-ini", 1), (user["name"], 1)):
        with mock.patch.object(pbkdf2_sha512, "verify", wraps=pbkdf2_sha512.verify) as verify:
            assert log_in(app, login, WRONG)[1].status_code == 200
        assert verify.call_count == checks, login


# --- who sees accounts ----------------------------------------------------------------------------------------------

VIEWERS = ["anonymous", "citizen", "operator", "walidata", "sysadmin"]
MAY_SEE_EVERYONE = {"walidata", "sysadmin"}


def _headers(people, viewer):
    return {"Authorization": people[viewer]["token"]} if viewer != "anonymous" else {}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_list_of_accounts_is_for_the_walidata_and_sysadmins(app, people, viewer):
    expected = 200 if viewer in MAY_SEE_EVERYONE else 403
    headers = _headers(people, viewer)
    assert app.get("/api/3/action/user_list", headers=headers, status=expected)
    assert app.get("/api/2/util/user/autocomplete?q=war", headers=headers, status=expected)
    page = app.get("/user/", headers=headers, status=expected)
    if expected == 200:
        assert "warga" in page.body


@pytest.mark.parametrize("viewer", VIEWERS)
def test_an_opds_accounts_are_listed_only_to_the_walidata_and_sysadmins(app, people, viewer):
    headers = _headers(people, viewer)
    shown = app.get("/api/3/action/organization_show?id=dinas-kesehatan", headers=headers, status=200).json
    assert ("users" in shown["result"]) == (viewer in MAY_SEE_EVERYONE)


def test_an_opd_shown_to_a_visitor_costs_no_query_per_member(people):
    """Every dataset page shows its OPD: for a visitor CKAN does not build the member list we would drop (one query
    per member for the count of datasets they created)."""
    def queries():
        with world_module.sql_statements() as found:
            shown = helpers.call_action("organization_show", context={"user": "", "ignore_auth": False},
                                        id=organization["id"])
        assert "users" not in shown
        return len(found)

    organization = ckan_factories.Organization()
    alone = queries()
    for _ in range(4):
        helpers.call_action("member_create", id=organization["id"], object=ckan_factories.User()["id"],
                            object_type="user", capacity="member")
    assert queries() == alone


@pytest.mark.parametrize("viewer", VIEWERS)
def test_an_account_is_seen_by_its_owner_the_walidata_and_sysadmins(app, people, viewer):
    headers = _headers(people, viewer)
    expected = 200 if viewer in MAY_SEE_EVERYONE else 403
    shown = app.get("/api/3/action/user_show?id=warga", headers=headers, status=200 if viewer == "citizen" else expected)
    if viewer in MAY_SEE_EVERYONE | {"citizen"}:
        assert "last_active" in shown.json["result"]
    for path in ("/user/warga", "/user/activity/warga", "/user/warga/organizations"):
        app.get(path, headers=headers, status=200 if viewer == "citizen" else expected)
    # An account that does not exist is refused alike: names cannot be probed.
    missing = 404 if viewer in MAY_SEE_EVERYONE else 403
    app.get("/api/3/action/user_show?id=tidak-ada", headers=headers, status=missing)
    app.get("/user/tidak-ada", headers=headers, status=missing)
    if viewer != "anonymous":  # everyone sees their own account, by name and by id
        own = people[viewer]
        app.get(f"/api/3/action/user_show?id={own['id']}", headers=headers, status=200)
        app.get(f"/user/{own['name']}", headers=headers, status=200)


# --- sessions -------------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("people")
def test_a_session_cookie_copied_before_logout_does_not_work_after_it(app):
    user = citizen()
    browser, _ = log_in(app, user["name"])
    copied = browser_with(app, {"ckan": cookie(browser, "ckan").value})
    assert is_logged_in(copied)
    assert log_out(browser).status_code == 302
    assert not is_logged_in(browser)
    assert not is_logged_in(browser_with(app, {"ckan": cookie(copied, "ckan").value}))


@pytest.mark.usefixtures("people")
def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app):
    user = citizen()
    here, _ = log_in(app, user["name"])
    elsewhere, _ = log_in(app, user["name"])
    form = here.get(f"/user/edit/{user['name']}")
    response = here.post(f"/user/edit/{user['name']}", data={
        "_csrf_token": world_module.csrf_token(form.body), "name": user["name"], "email": user["email"],
        "old_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "save": ""},
        follow_redirects=False)
    assert response.status_code == 302, response.body
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)


def test_a_password_set_by_someone_else_ends_every_session_of_the_account(app, people):
    user = citizen()
    browser, _ = log_in(app, user["name"])
    helpers.call_action("user_patch", context={"user": people["sysadmin"]["name"]}, id=user["id"],
                        password=NEW_PASSWORD)
    assert not is_logged_in(browser)
    assert is_logged_in(log_in(app, user["name"], NEW_PASSWORD)[0])


@pytest.mark.usefixtures("people")
def test_remember_me_cookie_alone_logs_nobody_in(app):
    user = citizen()
    browser, _ = log_in(app, user["name"], remember="63072000")
    remember = cookie(browser, "remember_token")
    assert remember is not None
    assert not is_logged_in(browser_with(app, {"remember_token": remember.value}))


@pytest.mark.usefixtures("people")
def test_a_session_ends_after_its_maximum_age_and_idles_out(app):
    user = citizen()
    browser, _ = log_in(app, user["name"])
    assert is_logged_in(browser)
    redis = connect_to_redis()
    [key] = [k for k in redis.scan_iter("*:satudata:login-session:*")
             if json.loads(redis.get(k))["user"] == user["id"]]
    assert 0 < redis.ttl(key) <= 1800  # idle timeout: each request starts it again
    record = json.loads(redis.get(key))
    redis.set(key, json.dumps({**record, "since": int(time.time()) - 43201}), keepttl=True)
    assert not is_logged_in(browser)


# --- logout by POST -------------------------------------------------------------------------------------------------

@pytest.mark.usefixtures("people")
def test_logout_takes_a_post_with_the_forms_csrf_token(app):
    user = citizen()
    browser, _ = log_in(app, user["name"])
    page = browser.get("/user/_logout")
    assert page.status_code == 200 and 'method="post"' in page.body
    assert is_logged_in(browser)
    assert browser.post("/user/_logout", follow_redirects=False).status_code == 400  # no CSRF token
    assert is_logged_in(browser)
    assert log_out(browser).status_code == 302
    assert not is_logged_in(browser)
