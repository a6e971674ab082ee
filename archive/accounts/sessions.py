"""Server-side browser sessions.

The signed session cookie carries a random secret (`SESSION_KEY`); the `user_sessions` row
is keyed by its SHA-256, so a copy of the table cannot be replayed as cookies. Every request
with a session cookie looks its row up: a row that is ended (logout, password change, the
account or its organisation disabled) or missing makes the cookie worthless, even though its
signature is still good. `last_seen_at` is written at most once a minute.

The cookie itself is `HttpOnly`, `SameSite=Lax`, and `Secure` whenever the request reached
the service over https, directly or through a trusted proxy (`TRUSTED_PROXIES`).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import update
from sqlalchemy.orm import Session

from archive.accounts.models import UserSession
from archive.db import utcnow

SESSION_KEY = "sid"
TOUCH_EVERY = timedelta(minutes=1)
_MAX_SECRET = 100


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, `Secure` whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(session: Session, user_id: int, *, ip: str | None, user_agent: str | None) -> str:
    """Create a session row for `user_id`; returns the secret to put in the cookie."""
    secret = secrets.token_urlsafe(32)
    session.add(UserSession(id=_digest(secret), user_id=user_id, ip=(ip or None) and ip[:45],
                            user_agent=(user_agent or None) and user_agent[:300]))
    session.flush()
    return secret


def lookup(session: Session, secret: object) -> UserSession | None:
    """The live session row for a cookie's secret; None when missing, malformed or ended."""
    if not isinstance(secret, str) or not secret or len(secret) > _MAX_SECRET:
        return None
    row = session.get(UserSession, _digest(secret))
    if row is None or row.ended_at is not None:
        return None
    return row


def touch(row: UserSession) -> bool:
    """Move `last_seen_at` on when it is a minute old or more; True when the row changed."""
    now = utcnow()
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    return True


def end(session: Session, secret: object) -> None:
    row = lookup(session, secret)
    if row is not None:
        row.ended_at = utcnow()
        session.flush()


def end_all(session: Session, user_ids) -> int:
    """End every live session of these users; returns how many were ended."""
    ids = list(user_ids)
    if not ids:
        return 0
    result = session.execute(update(UserSession)
                             .where(UserSession.user_id.in_(ids), UserSession.ended_at.is_(None))
                             .values(ended_at=utcnow())
                             .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0
