"""Throttling of credential guessing: failed logins per account and per address, failed API
tokens per address.

Only failures count, so a person who logs in many times a day is never stopped. Before a
credential is checked, the counters are tested; when one is exhausted the attempt is refused
without checking it (the right password too) until the moving window has let an old failure
go. Counters live in Flask-Limiter's storage (`RATELIMIT_STORAGE_URL`: Redis, shared by every
process, or memory, one process) with its moving-window strategy.

Wrong share-link passwords count as failed logins do, per link and per address.

Settings: `LOGIN_FAILURES_PER_ACCOUNT` (5), `LOGIN_FAILURES_PER_ADDRESS` (20),
`TOKEN_FAILURES_PER_ADDRESS` (20), all per `LOGIN_FAILURE_WINDOW` seconds (900). The
address is the client's as Werkzeug sees it after ProxyFix (`TRUSTED_PROXIES`).

A storage that does not answer (Redis down) lets the attempt through and logs an error:
an outage of the counters must not lock every user and API client out.
"""
from __future__ import annotations

import hashlib
import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, RateLimitItemPerSecond

from archive.errors import ApiError

log = logging.getLogger(__name__)
EXTENSION = "ortak.limiter"
KEY_PREFIX = "ortak"


class Throttled(ApiError):
    """Too many recent failures; `retry_after` seconds until the next attempt may be checked."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int, scope: str):
        super().__init__(f"Too many failed attempts; try again in {retry_after} seconds.",
                         details={"retry_after": retry_after, "scope": scope},
                         headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after
        self.scope = scope


def init_throttle(app: Flask) -> None:
    limiter = Limiter(get_remote_address, storage_uri=app.config["RATELIMIT_STORAGE_URL"],
                      strategy="moving-window", key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", KEY_PREFIX),
                      headers_enabled=False)
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter


def _limit(setting: str) -> RateLimitItem:
    cfg = current_app.config
    return RateLimitItemPerSecond(int(cfg[setting]), int(cfg["LOGIN_FAILURE_WINDOW"]))


def _address() -> str:
    return request.remote_addr or "unknown"


def _account(email: str | None) -> str:
    # A digest: the counters' store need not hold e-mail addresses.
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _keys(kind: str, scope: str, value: str) -> tuple[str, ...]:
    return (current_app.config.get("RATELIMIT_KEY_PREFIX", KEY_PREFIX), f"{kind}-{scope}", value)


def _rules(kind: str, email: str | None) -> list[tuple[str, str, tuple[str, ...]]]:
    if kind == "login":
        return [("account", "LOGIN_FAILURES_PER_ACCOUNT", _keys(kind, "account", _account(email))),
                ("address", "LOGIN_FAILURES_PER_ADDRESS", _keys(kind, "address", _address()))]
    if kind == "share":  # wrong share-link passwords: per link, as per account, and per address
        return [("link", "LOGIN_FAILURES_PER_ACCOUNT", _keys(kind, "link", _account(email))),
                ("address", "LOGIN_FAILURES_PER_ADDRESS", _keys(kind, "address", _address()))]
    return [("address", "TOKEN_FAILURES_PER_ADDRESS", _keys(kind, "address", _address()))]


def _check(kind: str, email: str | None = None) -> None:
    strategy = current_app.extensions[EXTENSION].limiter
    for scope, setting, keys in _rules(kind, email):
        item = _limit(setting)
        try:
            if strategy.test(item, *keys):
                continue
            reset_at = strategy.get_window_stats(item, *keys).reset_time
        except Exception:  # the counters' store is down: see the module docstring
            log.error("login throttle storage failed; attempt not throttled", exc_info=True)
            return
        retry_after = max(1, math.ceil(reset_at - time.time()))
        log.warning("%s throttled by %s: retry after %d s", kind, scope, retry_after,
                    extra={"throttle": kind, "throttle_scope": scope, "address": _address(),
                           "account": (email or "")[:320] if kind == "login" else None,
                           "retry_after": retry_after, "limit": str(item)})
        raise Throttled(retry_after, scope)


def _fail(kind: str, email: str | None = None) -> None:
    strategy = current_app.extensions[EXTENSION].limiter
    try:
        for _scope, setting, keys in _rules(kind, email):
            strategy.hit(_limit(setting), *keys)
    except Exception:
        log.error("login throttle storage failed; failure not counted", exc_info=True)


def check_login(email: str | None) -> None:
    """Raise Throttled (429) when `email` or the caller's address has too many recent failed logins."""
    _check("login", email)


def login_failed(email: str | None) -> None:
    """Count one failed login against `email` and the caller's address."""
    _fail("login", email)


def check_token() -> None:
    """Raise Throttled (429) when the caller's address has sent too many invalid tokens lately."""
    _check("token")


def token_failed() -> None:
    _fail("token")


def check_share_password(link_id: str) -> None:
    """Raise Throttled (429) when the share link `link_id`, or the caller's address, has had
    too many wrong passwords lately (the login limits: per account for the link)."""
    _check("share", link_id)


def share_password_failed(link_id: str) -> None:
    _fail("share", link_id)
