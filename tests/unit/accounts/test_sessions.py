"""Server-side sessions: a cookie is worth only its live row; logout, a password change and
disabling the account (or its organisation) end sessions, and the last two revoke tokens."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from archive import db
from archive.accounts import services
from archive.accounts.models import ApiToken, User, UserSession
from tests.unit.web.conftest import PASSWORD, csrf_from, log_in


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app, value: str):
    """A new client that only has a copy of the session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _logout(client):
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def _live_sessions(app, user_id: int) -> int:
    with app.app_context():
        return len(db.session().scalars(select(UserSession).where(UserSession.user_id == user_id,
                                                                  UserSession.ended_at.is_(None))).all())


def test_login_creates_a_session_row_keyed_by_a_digest(app, logged_in):
    client, uid = logged_in
    with app.app_context():
        row = db.session().scalars(select(UserSession).where(UserSession.user_id == uid)).one()
        assert len(row.id) == 64 and row.ended_at is None and row.ip == "127.0.0.1"
        assert row.id not in _cookie(client)  # the cookie holds the secret, the table its SHA-256


def test_a_cookie_replayed_after_logout_is_refused(app, logged_in):
    client, uid = logged_in
    stolen = _cookie(client)
    assert _replay(app, stolen).get("/").status_code == 200  # the copy works while the session lives
    _logout(client)
    thief = _replay(app, stolen)
    resp = thief.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    api = _replay(app, stolen).get("/api/v1/me")
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "unauthenticated"
    assert _live_sessions(app, uid) == 0


def test_a_dead_cookie_is_cleared_but_the_language_kept(app, logged_in):
    client, _uid = logged_in
    client.get("/lang/az")
    stolen = _cookie(client)
    _logout(client)
    thief = _replay(app, stolen)
    assert thief.get("/login").status_code == 200
    assert 'lang="az"' in thief.get("/login").get_data(as_text=True)


def test_forged_or_unknown_session_ids_are_refused(app, logged_in):
    client, uid = logged_in
    with app.app_context():
        db.session().execute(UserSession.__table__.delete())
        db.session().commit()
    assert client.get("/").status_code == 302


def test_password_change_in_one_session_ends_the_others_and_every_token(app, client, web_user, make_user):
    uid, email = web_user("producer")
    other = app.test_client()
    assert log_in(client, email).status_code == 302
    assert log_in(other, email).status_code == 302
    with app.app_context():
        s = db.session()
        token = services.create_token(s, s.get(User, uid))
        s.commit()
    page = client.get("/").get_data(as_text=True)
    resp = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "yepyeni parola"},
                       headers={"X-CSRFToken": csrf_from(page)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json() == {"sessions_ended": 2, "tokens_revoked": 2}  # make_user's token and this one
    assert other.get("/").status_code == 302  # the other browser is logged out
    assert client.get("/").status_code == 200  # the one that changed it got a new session
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _live_sessions(app, uid) == 1
    assert log_in(app.test_client(), email, PASSWORD).status_code == 401
    assert log_in(app.test_client(), email, "yepyeni parola").status_code == 302


def test_password_change_by_token_revokes_that_token_too(app, client, producer):
    resp = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "yepyeni parola"},
                       headers={"Authorization": f"Bearer {producer[1]}"})
    assert resp.status_code == 200 and resp.get_json()["tokens_revoked"] == 1
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {producer[1]}"}).status_code == 401


@pytest.mark.parametrize("body, status, code", [
    ({"current_password": "not it", "new_password": "yepyeni parola"}, 403, "wrong_password"),
    ({"current_password": PASSWORD, "new_password": "kısa"}, 422, "weak_password"),
    ({"current_password": PASSWORD, "new_password": " " * 12}, 422, "weak_password"),
    ({"current_password": PASSWORD, "new_password": "x" * 5000}, 422, "password_too_long"),
    ({"current_password": PASSWORD}, 422, "invalid_parameter"),
    ({"current_password": PASSWORD, "new_password": ["a list"]}, 422, "invalid_parameter"),
    ({"current_password": 12345678, "new_password": "yepyeni parola"}, 422, "invalid_parameter"),
    ([1, 2], 400, "malformed_json"),
])
def test_bad_password_changes_change_nothing(app, client, producer, body, status, code):
    auth = {"Authorization": f"Bearer {producer[1]}"}
    resp = client.post("/api/v1/me/password", json=body, headers=auth)
    assert resp.status_code == status and resp.get_json()["error"]["code"] == code
    assert client.get("/api/v1/me", headers=auth).status_code == 200  # the token still works


def test_password_change_needs_a_caller_and_csrf(app, client, logged_in):
    assert app.test_client().post("/api/v1/me/password", json={}).status_code == 401
    browser, _uid = logged_in
    resp = browser.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "yepyeni parola"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "csrf_failed"


def test_wrong_current_passwords_are_throttled(app_config, client, producer):
    auth = {"Authorization": f"Bearer {producer[1]}"}
    statuses = [client.post("/api/v1/me/password", json={"current_password": "guess", "new_password": "yepyeni parola"},
                            headers=auth).status_code for _ in range(6)]
    assert statuses == [403] * 5 + [429]


def test_disabling_a_user_ends_sessions_and_tokens(app, client, web_user):
    uid, email = web_user("producer")
    assert log_in(client, email).status_code == 302
    with app.app_context():
        s = db.session()
        user = s.get(User, uid)
        token = services.create_token(s, user)
        s.commit()
        assert services.set_user_active(s, user, False) == (1, 2)
        s.commit()
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert log_in(app.test_client(), email).status_code == 401
    with app.app_context():
        s = db.session()
        assert all(t.revoked for t in s.scalars(select(ApiToken).where(ApiToken.user_id == uid)))
        services.set_user_active(s, s.get(User, uid), True)
        s.commit()
    assert log_in(app.test_client(), email).status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401  # stays revoked


def test_disabling_an_organisation_locks_its_users_out_until_enabled(app, client, web_user, make_user):
    uid, email = web_user("broadcaster", "AZ")
    _other_uid, other_token = make_user("producer", "TR")
    with app.app_context():
        s = db.session()
        token = services.create_token(s, s.get(User, uid))
        s.commit()
    assert log_in(client, email).status_code == 302
    with app.app_context():
        services.set_organisation_active(db.session(), "Org AZ", False)
        db.session().commit()
    assert client.get("/").status_code == 302
    assert log_in(app.test_client(), email).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_token}"}).status_code == 200
    with app.app_context():
        services.set_organisation_active(db.session(), "Org AZ", True)
        db.session().commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert log_in(app.test_client(), email).status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app, logged_in):
    client, uid = logged_in

    def last_seen():
        with app.app_context():
            return db.session().scalars(select(UserSession).where(UserSession.user_id == uid)).one().last_seen_at

    first = last_seen()
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert last_seen() == first
    with app.app_context():
        db.session().execute(UserSession.__table__.update().values(last_seen_at=first - timedelta(minutes=2)))
        db.session().commit()
    client.get("/")
    assert last_seen() > first - timedelta(minutes=2)


def test_token_last_use_is_written_at_most_once_a_minute(app, client, producer):
    auth = {"Authorization": f"Bearer {producer[1]}"}
    writes = []

    from sqlalchemy import event

    engine = app.extensions["ortak.db"].engine

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert client.get("/api/v1/me", headers=auth).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(writes) == 1
    with app.app_context():
        row = db.session().scalars(select(ApiToken).where(ApiToken.user_id == producer[0])).one()
        assert row.last_used_at is not None
