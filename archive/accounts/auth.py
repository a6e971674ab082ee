"""Who is calling: an API token (Authorization: Bearer) or a browser session.

Browser sessions carry CSRF protection (Flask-WTF): unsafe requests authenticated by
the session cookie must send the token (form field or X-CSRFToken header). Requests
authenticated by a bearer token carry no cookie and need none.
"""
from __future__ import annotations

import functools

from flask import Flask, g, jsonify, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from archive import db
from archive.accounts import services
from archive.accounts.models import User
from archive.errors import Forbidden, Unauthorised, error_body

csrf = CSRFProtect()
login_manager = LoginManager()


def init_auth(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _csrf_for_sessions, not for bearer calls
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "web.login"

    @login_manager.user_loader
    def _load(user_id: str):
        user = db.session().get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None

    @app.before_request
    def _csrf_for_sessions():
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return
        if not current_user.is_authenticated:
            return  # no ambient authority to abuse; forms without a session validate their own token
        csrf.protect()

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        # Returned, not raised: an exception raised inside an error handler becomes a 500.
        resp = jsonify(error_body("csrf_failed", exc.description))
        resp.status_code = 400
        return resp


def api_user() -> User | None:
    """The caller, from a bearer token or the session; cached for the request."""
    if "api_user" in g:
        return g.api_user
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = services.user_for_token(db.session(), header[7:].strip())
        if user is not None:
            db.session().commit()
    elif current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    g.api_user = user
    return user


def require_user(*roles: str):
    """Decorator: 401 without a caller, 403 when the caller's role is not in `roles` (admins pass)."""

    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            user = api_user()
            if user is None:
                raise Unauthorised("Log in or send an API token (Authorization: Bearer ...).",
                                   headers={"WWW-Authenticate": 'Bearer realm="ortak"'})
            if roles and user.role not in roles and user.role != "admin":
                raise Forbidden(f"This needs the role {' or '.join(roles)}; you are {user.role}.",
                                code="wrong_role")
            return view(*args, **kwargs)

        return inner

    return wrap
