"""Share-link pages `/s/<token>` for scripts (Accept: application/json): the link as JSON and
every refusal in the API's error shape with its code (unknown, revoked, expired, exhausted,
password needed, wrong password, stale form, throttled), while browsers keep the translated
pages; and the declaration recorded at the link's creation is the one its master-quality reads
(zip and originals) are checked and recorded with."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from archive import db
from archive.shares.models import ShareLink
from archive.usage.models import UsageRecord
from tests.functional.test_baskets_api import USE, _build
from tests.functional.test_share_links import _csrf, _fresh, _share, asset, people  # noqa: F401  (fixtures)

JSON = {"Accept": "application/json"}


def _json_error(resp, status, code):
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.mimetype == "application/json", resp.mimetype
    err = resp.get_json()["error"]
    assert err["code"] == code and err["message"] and isinstance(err["details"], dict), err
    return err


def test_a_script_reads_the_link_and_its_refusals_as_json(app, client, people, asset):
    h = people["trt"]["h"]
    visitor = _fresh(app)
    share, url = _share(client, h, asset_id=asset, max_downloads=1)
    doc = visitor.get(url, headers=JSON)
    assert doc.status_code == 200 and doc.mimetype == "application/json"
    body = doc.get_json()
    assert body["id"] == share["id"] and body["asset_id"] == asset and body["renditions"] == ["poster", "proxy"]
    assert body["items"][0]["asset_id"] == asset and body["zip"] is None and body["declaration"] is None
    # HTML for a browser, as before
    assert visitor.get(url).mimetype == "text/html"

    _json_error(visitor.get("/s/" + "A" * 43, headers=JSON), 404, "share_not_found")
    _json_error(visitor.get("/s/x", headers=JSON), 404, "share_not_found")
    _json_error(visitor.get(f"{url}/assets/{asset}/original", headers=JSON), 403, "rendition_not_shared")
    assert visitor.get(f"{url}/assets/{asset}/proxy?download=1").status_code == 200
    # Exhausted: the page is still there (no download); a download is refused.
    assert visitor.get(url, headers=JSON).get_json()["downloads_left"] == 0
    _json_error(visitor.get(f"{url}/assets/{asset}/proxy?download=1", headers=JSON), 410, "share_exhausted")

    share, url = _share(client, h, asset_id=asset)
    client.delete(f"/api/v1/shares/{share['id']}", headers=h)
    _json_error(visitor.get(url, headers=JSON), 410, "share_revoked")
    _json_error(visitor.get(f"{url}/zip", headers=JSON), 410, "share_revoked")

    share, url = _share(client, h, asset_id=asset)
    with app.app_context():
        db.session().execute(update(ShareLink).where(ShareLink.id == share["id"])
                             .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.session().commit()
    assert _json_error(visitor.get(url, headers=JSON), 410, "share_expired")["details"]["expired"]
    # Browsers still get the page in their language.
    for lang, words in (("tr", "süresi doldu"), ("az", "müddəti"), ("en", "has expired")):
        visitor.get(f"/lang/{lang}")
        page = visitor.get(url)
        assert page.status_code == 410 and page.mimetype == "text/html" and words in page.get_data(as_text=True)


def test_password_links_answer_scripts_in_json(app, client, people, asset):
    share, url = _share(client, people["trt"]["h"], asset_id=asset, password="gizli parola 1975")
    visitor = _fresh(app)
    err = _json_error(visitor.get(url, headers=JSON), 401, "share_password_required")
    token = err["details"]["csrf_token"]
    _json_error(visitor.get(f"{url}/assets/{asset}/proxy", headers=JSON), 401, "share_password_required")
    _json_error(visitor.post(url, data={"password": "yanlış parola"}, headers=JSON), 400, "csrf_failed")
    _json_error(visitor.post(url, data={"password": "yanlış parola", "csrf_token": token}, headers=JSON), 401,
                "share_password_wrong")
    ok = visitor.post(url, data={"password": "gizli parola 1975", "csrf_token": token}, headers=JSON)
    assert ok.status_code == 303
    assert visitor.get(url, headers=JSON).get_json()["id"] == share["id"]
    # The form for browsers works as before and names a wrong password on the page.
    browser = _fresh(app)
    page = browser.get(url)
    wrong = browser.post(url, data={"password": "yanlış parola", "csrf_token": _csrf(page)})
    assert wrong.status_code == 401 and wrong.mimetype == "text/html"
    # Over the throttle: 429 in JSON (two wrong passwords counted already).
    guesser = _fresh(app)
    token = _json_error(guesser.get(url, headers=JSON), 401, "share_password_required")["details"]["csrf_token"]
    for _ in range(app.config["LOGIN_FAILURES_PER_ACCOUNT"] - 2):
        _json_error(guesser.post(url, data={"password": "tahmin", "csrf_token": token}, headers=JSON), 401,
                    "share_password_wrong")
    throttled = guesser.post(url, data={"password": "gizli parola 1975", "csrf_token": token}, headers=JSON)
    _json_error(throttled, 429, throttled.get_json()["error"]["code"])
    assert "Retry-After" in throttled.headers


def test_the_declaration_recorded_at_the_links_creation_is_the_one_that_applies(app, client, people, asset):
    h = people["trt"]["h"]
    bid = client.post("/api/v1/baskets", json={"name": "Reel"}, headers=h).get_json()["id"]
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": asset}, headers=h).status_code == 201
    # The zip is built for another use (a different programme) than the link declares.
    zip_use = {**USE, "programme": "Başka Program"}
    assert client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": zip_use}, headers=h).status_code == 202
    assert _build(app, bid) == "ready"
    declared, url = _share(client, h, basket_id=bid, renditions=["original"], declaration=USE)
    undeclared, url2 = _share(client, h, basket_id=bid, renditions=["original"])
    visitor = _fresh(app)
    assert visitor.get(url, headers=JSON).get_json()["declaration"] == USE
    assert visitor.get(f"{url}/zip").status_code == 200
    q = "&".join(f"{k}={v}" for k, v in zip_use.items())
    err = _json_error(visitor.get(f"{url}/zip?{q}", headers=JSON), 422, "invalid_declaration")
    assert err["details"]["errors"][0]["code"] == "declared_by_link"
    # A link made without a declaration never borrows the zip's: its visitor declares, or is refused.
    refused = _json_error(visitor.get(f"{url2}/zip", headers=JSON), 403, "rights_denied")
    assert "declaration_required" in str(refused["details"]["reasons"])
    assert visitor.get(f"{url2}/zip?{q}").status_code == 200
    with app.app_context():
        recs = {r.share_link_id: r.declaration for r in db.session().scalars(
            select(UsageRecord).where(UsageRecord.decision != "denied"))}
    assert recs[declared["id"]] == USE and recs[undeclared["id"]] == zip_use
    # A declaration belongs to a link that shares originals.
    bad = client.post("/api/v1/shares", json={"basket_id": bid, "expires": declared["expires"], "declaration": USE},
                      headers=h)
    assert bad.status_code == 422 and bad.get_json()["error"]["details"]["errors"][0]["code"] == \
        "declaration_without_original"
    bad = client.post("/api/v1/shares", json={"basket_id": bid, "expires": declared["expires"],
                                              "renditions": ["original"], "declaration": {"platform": "moon"}},
                      headers=h)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_declaration"
