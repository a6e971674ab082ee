"""Administrators of the platform's organisation (PLATFORM_ORGANISATION) see every basket for
audit, read-only; an administrator of another organisation does not see it at all."""
from __future__ import annotations

from datetime import date, timedelta

from tests.unit.web.conftest import log_in
from tests.functional.test_baskets_api import USE, _add, _basket, _error, assets, people  # noqa: F401 (fixtures)


def test_a_platform_admin_audits_any_basket_read_only(app, client, make_user, people, assets):  # noqa: F811
    h = people["trt"]["h"]
    bid = _basket(client, h)
    item = _add(client, bid, {"asset_id": assets["video"], "in": "10:00:01:00", "out": "10:00:02:00"}, h).get_json()
    platform = {"Authorization": f"Bearer {make_user('admin', 'TR', org='Ortak', email='platform-admin@ortak.example')[1]}"}
    seen = client.get(f"/api/v1/baskets/{bid}", headers=platform)
    assert seen.status_code == 200 and seen.get_json()["access"] == "audit"
    assert [i["id"] for i in seen.get_json()["items"]] == [item["id"]]
    browser = app.test_client()
    assert log_in(browser, "platform-admin@ortak.example").status_code == 302
    page = browser.get(f"/baskets/{bid}")
    assert page.status_code == 200 and 'id="basket-audit"' in page.get_data(as_text=True)
    assert 'id="zip-form"' not in page.get_data(as_text=True) and 'id="item-form"' not in page.get_data(as_text=True)
    for resp in (client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": assets["doc"]}, headers=platform),
                 client.delete(f"/api/v1/baskets/{bid}/items/{item['id']}", headers=platform),
                 client.post(f"/api/v1/baskets/{bid}/members", json={"user": "x@example.org", "access": "read"},
                             headers=platform),
                 client.post(f"/api/v1/baskets/{bid}/zip", json={"declaration": USE}, headers=platform),
                 client.get(f"/api/v1/baskets/{bid}/zip", headers=platform),
                 client.post("/api/v1/shares", json={"basket_id": bid, "expires": (date.today() + timedelta(days=7)).isoformat()}, headers=platform)):
        err = _error(resp, 403, "basket_read_only")
        assert err["details"]["access"] == "audit"
    assert client.get(f"/api/v1/baskets/{bid}", headers=h).get_json()["total"] == 1  # nothing changed
    # An admin of an organisation that is neither the owner's nor the platform's: no such basket.
    other = {"Authorization": f"Bearer {make_user('admin', 'AZ', org='AzTV')[1]}"}
    _error(client.get(f"/api/v1/baskets/{bid}", headers=other), 404, "basket_not_found")


def test_the_platform_organisation_is_a_setting(app, client, make_user, people, assets):  # noqa: F811
    bid = _basket(client, people["trt"]["h"])
    app.config["PLATFORM_ORGANISATION"] = "Platforma"
    try:
        ortak = {"Authorization": f"Bearer {make_user('admin', 'TR', org='Ortak')[1]}"}
        _error(client.get(f"/api/v1/baskets/{bid}", headers=ortak), 404, "basket_not_found")
        platforma = {"Authorization": f"Bearer {make_user('admin', 'AZ', org='Platforma')[1]}"}
        assert client.get(f"/api/v1/baskets/{bid}", headers=platforma).get_json()["access"] == "audit"
    finally:
        app.config["PLATFORM_ORGANISATION"] = "Ortak"
