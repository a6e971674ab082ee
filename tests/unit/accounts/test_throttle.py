"""Throttling of credential guessing: the web login form per account and per address, bearer
tokens per address; memory storage and a real Redis (127.0.0.1:6379)."""
from __future__ import annotations

import logging
import socket
import time
import uuid

import pytest

from tests.unit.web.conftest import PASSWORD, csrf_from

WINDOW = 2  # seconds; the defaults are 900


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LOGIN_FAILURE_WINDOW": WINDOW, "LOGIN_FAILURES_PER_ACCOUNT": 5,
            "LOGIN_FAILURES_PER_ADDRESS": 12, "TOKEN_FAILURES_PER_ADDRESS": 4}


def _poster(client, address="198.51.100.7"):
    """post(email, password) from `address`, reusing one CSRF token as a script would."""
    env = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/login", environ_base=env).get_data(as_text=True))

    def post(email, password):
        return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                           environ_base=env)

    return post


def _wait_out(resp) -> None:
    time.sleep(int(resp.headers["Retry-After"]) + 0.2)


def _fifty_wrong_then_right(app, client, email):
    post = _poster(client)
    statuses = [post(email, f"wrong password {i}").status_code for i in range(50)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    refused = post(email, PASSWORD)
    assert refused.status_code == 429, "the right password must not pass while throttled"
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW
    assert client.get("/").status_code == 302  # not logged in
    _wait_out(refused)
    assert post(email, PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_fifty_wrong_passwords_are_throttled_until_the_window_passes(app, client, web_user):
    _uid, email = web_user("producer")
    _fifty_wrong_then_right(app, client, email)


@pytest.mark.redis
def test_counters_in_redis_are_shared_between_processes(app_config, web_user, make_user):
    """Two apps (two server processes) on one Redis see the same failures."""
    from archive import create_app

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    # Database 0 with a key prefix of its own: the worker tests claim empty databases 8..15,
    # and these keys expire with the window.
    cfg = {**app_config, "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
           "RATELIMIT_KEY_PREFIX": f"ortak-test-{uuid.uuid4().hex}"}
    first, second = create_app(cfg), create_app(cfg)
    try:
        assert "Redis" in type(first.extensions["ortak.limiter"].storage).__name__
        _uid, email = web_user("producer")
        post_first = _poster(first.test_client())
        assert [post_first(email, "wrong password").status_code for _ in range(3)] == [401] * 3
        post_second = _poster(second.test_client())
        assert [post_second(email, "wrong password").status_code for _ in range(3)] == [401, 401, 429]
        refused = post_second(email, PASSWORD)
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        _wait_out(refused)
        assert post_first(email, PASSWORD).status_code == 302
    finally:
        first.extensions["ortak.db"].dispose()
        second.extensions["ortak.db"].dispose()


def test_the_address_limit_covers_other_accounts(app, client, make_user):
    emails = [f"u{i}@example.org" for i in range(4)]
    for email in emails:
        make_user("producer", email=email)
    post = _poster(client, "203.0.113.5")
    # 12 failures spread over accounts, none of which reaches its own limit of 5...
    for i in range(12):
        assert post(emails[i % 3], "wrong password").status_code == 401
    # ...then a fourth account, never tried, is refused from this address, right password or not.
    resp = post(emails[3], PASSWORD)
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    # Another address is not affected.
    assert _poster(app.test_client(), "203.0.113.6")(emails[3], PASSWORD).status_code == 302


def test_successful_logins_do_not_count(app, web_user):
    _uid, email = web_user("producer")
    for _ in range(8):  # more than the account limit
        client = app.test_client()
        assert _poster(client)(email, PASSWORD).status_code == 302


def test_unknown_accounts_are_throttled_like_known_ones(client):
    post = _poster(client)
    statuses = [post("nobody@example.org", "guess").status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2


@pytest.mark.parametrize("lang, text", [
    ("tr", "Çok fazla başarısız deneme"),
    ("az", "Həddindən çox uğursuz cəhd"),
    ("en", "Too many failed attempts"),
])
def test_the_throttled_page_is_translated(client, web_user, lang, text):
    _uid, email = web_user("producer")
    client.get(f"/lang/{lang}")
    post = _poster(client)
    for _ in range(5):
        post(email, "wrong password")
    resp = post(email, "wrong password")
    assert resp.status_code == 429 and "Retry-After" in resp.headers
    html = resp.get_data(as_text=True)
    assert text in html and 'role="alert"' in html


def test_throttling_is_logged_as_a_structured_warning(client, web_user, caplog):
    _uid, email = web_user("producer")
    post = _poster(client, "192.0.2.44")
    for _ in range(5):
        post(email, "wrong password")
    with caplog.at_level(logging.WARNING, logger="archive.accounts.throttle"):
        post(email, "wrong password")
    records = [r for r in caplog.records if r.name == "archive.accounts.throttle"]
    assert len(records) == 1
    rec = records[0]
    assert rec.levelno == logging.WARNING
    assert (rec.throttle, rec.throttle_scope, rec.address, rec.account) == ("login", "account", "192.0.2.44", email)
    assert 1 <= rec.retry_after <= WINDOW


# ---- bearer tokens -------------------------------------------------------------------------

def test_invalid_bearer_tokens_are_throttled_per_address(app, client, producer):
    env = {"REMOTE_ADDR": "198.51.100.9"}
    bad = {"Authorization": "Bearer ortak_not-a-real-token"}
    statuses = [client.get("/api/v1/me", headers=bad, environ_base=env).status_code for _ in range(6)]
    assert statuses == [401] * 4 + [429] * 2
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {producer[1]}"}, environ_base=env)
    assert resp.status_code == 429
    body = resp.get_json()
    assert body["error"]["code"] == "too_many_attempts" and body["error"]["details"]["scope"] == "address"
    assert 1 <= int(resp.headers["Retry-After"]) <= WINDOW
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    # Other addresses carry on; this one again after the window.
    other = client.get("/api/v1/me", headers={"Authorization": f"Bearer {producer[1]}"},
                       environ_base={"REMOTE_ADDR": "198.51.100.10"})
    assert other.status_code == 200
    _wait_out(resp)
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {producer[1]}"}, environ_base=env)
    assert ok.status_code == 200


def test_good_tokens_do_not_count(client, producer):
    for _ in range(10):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {producer[1]}"}).status_code == 200


@pytest.mark.parametrize("header", ["Bearer ", "Bearer " + "x" * 5000, "Bearer ortak_\x00"])
def test_malformed_tokens_count_as_failures(client, header):
    statuses = [client.get("/api/v1/assets", headers={"Authorization": header}).status_code for _ in range(5)]
    assert statuses == [401] * 4 + [429]


def test_a_dead_counter_store_lets_logins_through(app_config, web_user, caplog):
    """Redis down: logins still work (and the outage is logged), nobody is locked out."""
    from archive import create_app

    app = create_app({**app_config, "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:1/0"})
    try:
        _uid, email = web_user("producer")
        with caplog.at_level(logging.ERROR, logger="archive.accounts.throttle"):
            assert _poster(app.test_client())(email, PASSWORD).status_code == 302
        assert any("storage failed" in r.getMessage() for r in caplog.records)
    finally:
        app.extensions["ortak.db"].dispose()
