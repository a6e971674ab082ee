"""Log in, log out, the login redirect, CSRF on the forms, and role checks on the pages."""
from __future__ import annotations

import pytest

from tests.asset_factory import create_asset
from tests.unit.web.conftest import PASSWORD, csrf_from, log_in


@pytest.mark.parametrize("path", ["/", "/upload", "/assets/00000000-0000-4000-8000-000000000000", "/?q=film"])
def test_pages_need_login(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=")


def test_login_page_renders_with_csrf_field(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'type="password"' in html
    assert "Content-Security-Policy" in resp.headers


def test_login_success_goes_to_next(client, web_user):
    _uid, email = web_user("producer")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login?next=/upload", data={"email": email.upper(), "password": PASSWORD,
                                                    "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"] == "/upload"
    assert client.get("/upload").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(client, web_user, target):
    _uid, email = web_user("producer")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", query_string={"next": target},
                       data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_wrong_password_and_unknown_user_get_the_same_message(client, web_user):
    _uid, email = web_user("producer")
    wrong = log_in(client, email, "not the password")
    unknown = log_in(client, "nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    msg = "E-posta adresi ya da parola yanlış."
    assert msg in wrong.get_data(as_text=True) and msg in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still logged out


def test_login_without_csrf_token_is_refused(client, web_user):
    _uid, email = web_user("producer")
    client.get("/login")
    resp = client.post("/login", data={"email": email, "password": PASSWORD})
    assert resp.status_code == 400
    assert client.get("/").status_code == 302


def test_login_with_empty_fields_is_a_400_not_a_500(client):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert resp.status_code == 400


def test_logout_needs_post_with_csrf(logged_in):
    client, _uid = logged_in
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={})  # no token: refused, still logged in
    assert client.get("/").status_code == 200
    token = csrf_from(client.get("/").get_data(as_text=True))
    resp = client.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 302
    assert client.get("/").status_code == 302


def test_metadata_form_without_csrf_is_refused(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Eski"}})
    resp = client.post(f"/assets/{aid}", data={"title_tr": "Yeni", "genre": "", "country": "TR"})
    assert resp.status_code == 400
    assert "Eski" in client.get(f"/assets/{aid}").get_data(as_text=True)


def test_broadcaster_sees_no_upload_and_no_edit(app, client, web_user):
    producer_id, _ = web_user("producer")
    aid = create_asset(app, producer_id, meta={"title": {"tr": "Belgesel"}})
    _bid, email = web_user("broadcaster")
    assert log_in(client, email).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert 'href="/upload"' not in home
    assert client.get("/upload").status_code == 403
    page = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert 'id="metadata"' not in page
    token = csrf_from(page)
    resp = client.post(f"/assets/{aid}", data={"csrf_token": token, "title_tr": "Değişti", "genre": ""})
    assert resp.status_code == 403
    assert "Değişti" not in client.get(f"/assets/{aid}").get_data(as_text=True)


def test_only_admins_get_organisation_and_country_fields(app, client, web_user):
    producer_id, producer_email = web_user("producer")
    aid = create_asset(app, producer_id)
    log_in(client, producer_email)
    assert 'name="organisation"' not in client.get(f"/assets/{aid}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    _aid, admin_email = web_user("admin")
    log_in(client, admin_email)
    page = client.get(f"/assets/{aid}").get_data(as_text=True)
    assert 'name="organisation"' in page and 'name="country"' in page
