"""Login sessions the server can end. Each login gets a random token, kept in the session and in Redis with the
user's id, a fingerprint of their password hash and the login time. A request whose session holds no token, an
unknown one (the session logged out, expired or idle), another user's, or a fingerprint of an older password hash
(the password changed) is logged out before anything runs. So a copied session cookie stops working at logout,
after `session.idle_timeout` without requests, `session.max_age` after the login, and when the password changes
(CKAN's edit form, password reset, `ckan user setpass`, the API); the session that changed it stays logged in.
Flask-Login's "remember me" cookie brings no token, so it never logs anyone in."""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from typing import Any

import flask
from redis.exceptions import RedisError

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.satudata_blitar import config

log = logging.getLogger(__name__)

SESSION_KEY = "_satudata_login"
UNAVAILABLE = "satudata.session_unavailable"


def _key(token: str) -> str:
    return f"{tk.config['ckan.site_id']}:satudata:login-session:{token}"


def _fingerprint(user: model.User) -> str:
    return hashlib.sha256((user.password or "").encode()).hexdigest()


def logged_in(sender: Any, user: model.User, **kwargs: Any) -> None:
    """A login (Flask-Login's user_logged_in signal): a new token for this session."""
    token = secrets.token_urlsafe(32)
    record = {"user": user.id, "password": _fingerprint(user), "since": int(time.time())}
    connect_to_redis().set(_key(token), json.dumps(record), ex=config.session_idle_timeout())
    flask.session[SESSION_KEY] = token


def is_valid(user: model.User) -> bool:
    """Whether this request's session is a live login of `user`; a live one's idle time starts again."""
    token = flask.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return False
    redis = connect_to_redis()
    try:
        raw = redis.get(_key(token))
    except RedisError:  # the tokens are out of reach: nobody is logged in by a session meanwhile
        return False
    if raw is None:
        return False
    record = json.loads(raw)
    if (record.get("user") != user.id or record.get("password") != _fingerprint(user)
            or time.time() - record.get("since", 0) > config.session_max_age()):
        redis.delete(_key(token))
        return False
    redis.expire(_key(token), config.session_idle_timeout())
    return True


def restamp(user: model.User) -> None:
    """`user`'s password changed: if this request's session is theirs, it stays logged in (their others end)."""
    if not flask.has_request_context() or not tk.current_user.is_authenticated or tk.current_user.id != user.id:
        return
    token = flask.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return
    redis = connect_to_redis()
    raw = redis.get(_key(token))
    if raw is None:
        return
    record = json.loads(raw)
    if record.get("user") == user.id:
        record["password"] = _fingerprint(user)
        redis.set(_key(token), json.dumps(record), keepttl=True)


def logged_out(sender: Any, **kwargs: Any) -> None:
    """A logout (Flask-Login's user_logged_out signal, also sent when check_request logs out): the token is
    deleted, and a session kept on the server (SESSION_TYPE = redis) gets a new id, its old one deleted, so the old
    cookie names nothing."""
    token = flask.session.pop(SESSION_KEY, None)
    if isinstance(token, str) and token:
        connect_to_redis().delete(_key(token))
    regenerate = getattr(flask.current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(flask.session)


def check_request() -> None:
    """Before every request (IAuthenticator.identify): a session that is not a live login is logged out, so CKAN
    sees an anonymous visitor. API tokens are not sessions; CKAN's test-only REMOTE_USER (`testing = true`) skips
    the login altogether and is left to it."""
    user = tk.current_user
    if not user.is_authenticated or flask.g.get("login_via_auth_header"):
        return
    if tk.config.get("testing") and "REMOTE_USER" in tk.request.environ:
        return
    if not is_valid(user):
        tk.logout_user()


def survive_redis_outage(app: flask.Flask) -> None:
    """Sessions are kept in Redis (SESSION_TYPE = redis). While Redis is down no session can be read or stored:
    every request would end in a 500 at its very start. Instead a request then goes on with a fresh session that is
    never stored: a browser is an anonymous visitor until Redis is back, and API tokens, which are no sessions, keep
    working (an upload through one is kept and its load queued later: tests/test_faults.py)."""
    interface = app.session_interface
    if not hasattr(interface, "session_class"):  # cookie sessions need no store
        return
    open_session, save_session = interface.open_session, interface.save_session

    def open_without_store(app_: flask.Flask, request: Any) -> Any:
        try:
            return open_session(app_, request)
        except RedisError as error:
            log.warning("Sessions cannot be read (Redis): %s", error)
            request.environ[UNAVAILABLE] = True
            return interface.session_class(sid=interface._generate_sid(interface.sid_length),
                                           permanent=interface.permanent)

    def save_unless_unavailable(app_: flask.Flask, session: Any, response: Any) -> None:
        if flask.request.environ.get(UNAVAILABLE):
            return
        try:
            save_session(app_, session, response)
        except RedisError as error:
            log.warning("A session could not be stored (Redis): %s", error)

    interface.open_session = open_without_store
    interface.save_session = save_unless_unavailable
