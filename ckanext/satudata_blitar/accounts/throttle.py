"""Failed logins are counted in Redis, per account and per client address, within a window
(`ckanext.satudata_blitar.login.*`); past the limit every login of that account or from that address is refused,
the right password included, until the window has passed. A known and an unknown account cost the same: an
unknown or inactive account's password is checked against a dummy hash, so neither the answer nor its time tells
whether an account exists."""
from __future__ import annotations

import functools
import hashlib
import math
import secrets
from typing import Any

from passlib.hash import pbkdf2_sha512

import flask

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.satudata_blitar import config


def _prefix() -> str:
    return f"{tk.config['ckan.site_id']}:satudata:login-failures"


def account_of(login: Any) -> model.User | None:
    """The account a login form names (user name or e-mail, as CKAN's default_authenticate looks it up)."""
    if not isinstance(login, str) or not login:
        return None
    return model.User.by_name(login) or model.User.by_email(login)


def _account_key(login: Any) -> str:
    """One counter per account whether it is named by user name or e-mail; unknown names get theirs too, so that
    an unknown account locks like a known one. Names are hashed: no login text is stored."""
    user = account_of(login)
    if user is not None:
        return f"{_prefix()}:account:{user.id}"
    digest = hashlib.sha256(str(login or "").strip().lower().encode()).hexdigest()
    return f"{_prefix()}:name:{digest}"


def _address_key(address: str) -> str:
    return f"{_prefix()}:address:{address}"


def client_address() -> str:
    """The client's address: the connection's, or with `login.trusted_proxies` = N the Nth address from the end of
    X-Forwarded-For (the one the nearest trusted proxy wrote; a client may put anything before it)."""
    request = tk.request
    proxies = config.login_trusted_proxies()
    if proxies > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.remote_addr or "unknown"


def seconds_locked(login: Any, address: str) -> int:
    """0 while the account and the address may still try; otherwise the seconds until the longer lock ends."""
    redis = connect_to_redis()
    window = config.login_failure_window()
    waits = []
    for key, limit in ((_account_key(login), config.login_max_failures_per_account()),
                       (_address_key(address), config.login_max_failures_per_address())):
        count = redis.get(key)
        if count is not None and int(count) >= limit:
            ttl = redis.ttl(key)
            waits.append(ttl if ttl and ttl > 0 else window)
    return max(waits, default=0)


def authenticate(identity: dict[str, Any]) -> model.AnonymousUser | None:
    """IAuthenticator.authenticate, before CKAN's default_authenticate: a locked account or address is refused
    (CKAN then checks no password); an unknown or inactive account, whose password CKAN would not check, costs a
    check against the dummy hash. Otherwise CKAN checks the password (and sends failed_login when it is wrong)."""
    if "login" not in identity or "password" not in identity or not flask.has_request_context():
        return None
    if seconds_locked(identity["login"], client_address()):
        return model.AnonymousUser()
    user = account_of(identity["login"])
    if user is None or not user.is_active:
        spend_a_password_check(identity["password"])
    return None


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def record_failure(login: Any, address: str) -> None:
    """One more failed login for the account and the address; each counter's window starts at its first failure."""
    redis = connect_to_redis()
    window = config.login_failure_window()
    with redis.pipeline() as pipe:
        for key in (_account_key(login), _address_key(address)):
            pipe.incr(key)
            pipe.expire(key, window, nx=True)
        pipe.execute()


def login_failed(login: Any, **kwargs: Any) -> None:
    """CKAN's failed_login signal (sent with the login as given)."""
    if flask.has_request_context():
        record_failure(login, client_address())


def login_succeeded(sender: Any, user: model.User, **kwargs: Any) -> None:
    """Flask-Login's user_logged_in signal: the account's count is cleared (not the address's: one good account
    must not reset the count of an address that guesses others)."""
    connect_to_redis().delete(f"{_prefix()}:account:{user.id}")


def forget_all() -> None:
    """Every counter of this site (tests)."""
    redis = connect_to_redis()
    keys = list(redis.scan_iter(f"{_prefix()}:*"))
    if keys:
        redis.delete(*keys)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password with CKAN's algorithm and cost (model.User._set_password)."""
    return pbkdf2_sha512.hash(secrets.token_urlsafe(16))


def spend_a_password_check(password: Any) -> None:
    """Verifies the password against the dummy hash: what checking a real account's password costs (CKAN checks
    no hash for an empty password, so neither does this)."""
    if password:
        pbkdf2_sha512.verify(str(password), _dummy_hash())
