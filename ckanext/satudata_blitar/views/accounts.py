"""The login and logout pages' parts of the accounts' rules (accounts/): a locked login is refused with a message
to wait, and logging out takes a POST with the form's CSRF token (a link or an image on another site cannot log
anyone out). Called through IAuthenticator.login and .logout (plugins/) before CKAN's own views."""
from __future__ import annotations

from typing import Any

import flask

import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar.accounts import throttle


def refuse_locked_login() -> Any:
    """A login sent while its account or the client's address is locked: the login page again, 429, saying how
    long to wait; the password is not checked."""
    if tk.request.method != "POST" or tk.current_user.is_authenticated:
        return None
    wait = throttle.seconds_locked(tk.request.form.get("login"), throttle.client_address())
    if not wait:
        return None
    tk.h.flash_error(tk._("Too many failed logins. Wait {minutes} minutes, then try again.").format(
        minutes=throttle.minutes(wait)))
    return flask.make_response(tk.render("user/login.html", {}), 429)


def logout_by_post_only() -> Any:
    """GET /user/_logout logs nobody out: it asks, with a form that POSTs (CKAN checks its CSRF token)."""
    if tk.request.method == "POST" or not tk.current_user.is_authenticated:
        return None
    return tk.render("satudata/accounts/logout.html", {"came_from": tk.request.args.get("came_from", "")})
