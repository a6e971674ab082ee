"""Who is calling: an API token (Authorization: Bearer) or a browser session.

Browser sessions carry CSRF protection (Flask-WTF): unsafe requests authenticated by
the session cookie must send the token (form field or X-CSRFToken header). Requests
authenticated by a bearer token carry no cookie and need none.

A browser session is only as good as its server-side row (`archive.accounts.sessions`):
the cookie's signature alone no longer logs anyone in. Invalid bearer tokens are counted
per address and throttled (`archive.accounts.throttle`).
"""
from __future__ import annotations

import functools

from flask import Flask, g, jsonify, request, session
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from archive import db
from archive.accounts import services, sessions, throttle
from archive.accounts.models import User
from archive.errors import Forbidden, Unauthorised, WrongRole, error_body

csrf = CSRFProtect()
login_manager = LoginManager()
# What survives a login or logout in the cookie session: the chosen page language.
KEPT_ON_LOGIN = ("lang",)


def init_auth(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _csrf_for_sessions, not for bearer calls
    app.session_interface = sessions.SessionInterface()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    throttle.init_throttle(app)

    @login_manager.user_loader
    def _load(user_id: str):
        row = sessions.lookup(db.session(), session.get(sessions.SESSION_KEY))
        if row is None or str(row.user_id) != user_id or not row.user.is_active:
            return None
        g.user_session = row
        return row.user

    @app.before_request
    def _check_session():
        # Runs first, while the request's database session is still clean: the session row is
        # looked up now (not lazily mid-view); its touch commits with the request.
        if "_user_id" not in session or (request.endpoint or "").endswith("static"):
            return
        if not current_user.is_authenticated:
            _reset_cookie_session()  # ended or unknown: drop the dead login from the cookie
            return
        row = g.get("user_session")
        if row is not None:
            sessions.touch(row)

    @app.before_request
    def _csrf_for_sessions():
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if bearer_token(request.headers.get("Authorization")) is not None:
            return  # a token call: the session is not used (api_user), so there is nothing to forge
        if not current_user.is_authenticated:
            return  # no ambient authority to abuse; forms without a session validate their own token
        csrf.protect()

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        # Returned, not raised: an exception raised inside an error handler becomes a 500.
        resp = jsonify(error_body("csrf_failed", exc.description))
        resp.status_code = 400
        return resp


def _reset_cookie_session() -> None:
    kept = {k: session[k] for k in KEPT_ON_LOGIN if k in session}
    session.clear()
    session.update(kept)


def log_in(user: User) -> None:
    """Start a server-side session for `user` in this browser (the caller commits)."""
    _reset_cookie_session()  # nothing from before the login carries over but the language
    session[sessions.SESSION_KEY] = sessions.start(db.session(), user.id, ip=request.remote_addr,
                                                   user_agent=request.user_agent.string)
    login_user(user)


def log_out() -> None:
    """End this browser's session row and forget the login (the caller commits)."""
    sessions.end(db.session(), session.get(sessions.SESSION_KEY))
    logout_user()
    _reset_cookie_session()


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header, or None for another scheme or
    none. The scheme is matched without regard to case, as RFC 9110 section 11.1 and RFC 6750
    section 2.1 say (`bearer TOKEN` is the same); the token is what follows, stripped."""
    scheme, _, token = (header or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def api_user() -> User | None:
    """The caller, from a bearer token or the session; cached for the request.

    Raises Throttled (429) when the caller's address sent too many invalid tokens lately.
    """
    if "api_user" in g:
        return g.api_user
    user = None
    token = bearer_token(request.headers.get("Authorization"))
    if token is not None:
        throttle.check_token()
        s = db.session()
        user = services.user_for_token(s, token)
        if user is None:
            throttle.token_failed()
        # The token's last use (written at most once a minute) commits with the request.
    elif current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    g.api_user = user
    return user


# What a role-guarded view does, by the package it belongs to: the `action` of its `wrong_role`.
_ACTIONS_BY_MODULE = (("archive.ingest.", "upload"), ("archive.coproduction.", "coproduction"),
                      ("archive.rights.", "rights"), ("archive.usage.", "usage_log"),
                      ("archive.notifications.", "notifications"), ("archive.provenance.", "fixity"),
                      ("archive.api.", "avails_export"))


def require_user(*roles: str, action: str | None = None):
    """Decorator: 401 without a caller, 403 `wrong_role` (archive.errors.WrongRole, naming the
    action refused and the roles that may do it) when the caller's role is not in `roles`
    (admins pass). `action`: a key of archive.errors.ROLE_ACTIONS; by default the view's package's."""

    def wrap(view):
        refused = action or next((a for prefix, a in _ACTIONS_BY_MODULE if view.__module__.startswith(prefix)),
                                 "other")

        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = api_user()
            if user is None:
                raise Unauthorised("Log in or send an API token (Authorization: Bearer ...).",
                                   headers={"WWW-Authenticate": 'Bearer realm="ortak"'})
            if roles and user.role not in roles and user.role != "admin":
                raise WrongRole(refused, roles, user.role)
            return view(*args, **kwargs)

        return inner

    return wrap
