"""Fixtures for the web pages: a logged-in browser session through the Flask test client."""
from __future__ import annotations

import re

import pytest

PASSWORD = "correct horse battery"  # what tests/conftest.py make_user gives every user


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def log_in(client, email: str, password: str = PASSWORD):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def web_user(make_user):
    """web_user(role="producer", country="TR") -> (user_id, email), for logging in."""

    def _make(role: str = "producer", country: str = "TR", org: str | None = None):
        email = f"{role}-{country.lower()}-web@example.org"
        uid, _token = make_user(role, country, org=org, email=email)
        return uid, email

    return _make


@pytest.fixture
def logged_in(client, web_user):
    """A test client logged in as a producer; returns (client, user_id)."""
    uid, email = web_user("producer")
    resp = log_in(client, email)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client, uid
