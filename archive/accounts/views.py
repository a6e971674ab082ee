"""The caller's own account: changing the password (JSON API)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, session

from archive import db
from archive.accounts import services, throttle
from archive.accounts.auth import api_user, bearer_token, log_in, require_user
from archive.accounts.sessions import SESSION_KEY
from archive.api.body import json_body
from archive.errors import Forbidden, ValidationError

bp = Blueprint("accounts", __name__, url_prefix="/api/v1/me")


@bp.post("/password")
@require_user()
def change_password():
    """`{"current_password", "new_password"}` → 200 `{"sessions_ended", "tokens_revoked"}`.

    Every browser session and API token of the user ends, the one making the request too;
    a browser that made it is given a new session, so that the person stays logged in there.
    Wrong current passwords count as failed logins (429 with Retry-After past the limit).
    """
    body = json_body()
    current, new = body.get("current_password"), body.get("new_password")
    for field, value in (("current_password", current), ("new_password", new)):
        if not isinstance(value, str) or not value:
            raise ValidationError(f"{field} is required (a string).", code="invalid_parameter",
                                  details={"field": field})
    user = api_user()
    s = db.session()
    # A bearer call may carry a cookie too; only a browser session that authenticated is renewed.
    from_browser = bearer_token(request.headers.get("Authorization")) is None and SESSION_KEY in session
    throttle.check_login(user.email)
    if services.authenticate(s, user.email, current) is None:
        throttle.login_failed(user.email)
        raise Forbidden("The current password is wrong.", code="wrong_password")
    ended, revoked = services.set_password(s, user, new)
    if from_browser:
        log_in(user)
    return jsonify({"sessions_ended": ended, "tokens_revoked": revoked})
