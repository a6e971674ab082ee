"""The baskets pages (issue 9 item 4): the list and a basket's page in tr, az and en, with its
items, the zip's state and the share forms; another user's private basket is not found."""
from __future__ import annotations

from tests.asset_factory import create_asset
from tests.functional.test_rights_pages import csrf


def _login(client, email):
    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"email": email, "password": "correct horse battery",
                                       "csrf_token": csrf(page)}).status_code == 302


def test_the_pages_in_three_languages(app, client, make_user):
    uid, token = make_user("broadcaster", "TR", org="TRT", email="b@trt.test")
    make_user("broadcaster", "TR", org="ATV", email="c@atv.test")
    h = {"Authorization": f"Bearer {token}"}
    asset = create_asset(app, uid, filename="Şəki.mp4", meta={"title": {"tr": "Şeki Sarayı"}})
    bid = client.post("/api/v1/baskets", json={"name": "Akşam haberleri"}, headers=h).get_json()["id"]
    assert client.post(f"/api/v1/baskets/{bid}/items", json={"asset_id": asset}, headers=h).status_code == 201
    _login(client, "b@trt.test")
    for lang, words in (("tr", ("Sepetler", "Paylaşım bağlantısı oluştur", "Zip dosyasını hazırla")),
                        ("az", ("Səbətlər", "Paylaşım keçidi yarat", "Zip faylını hazırla")),
                        ("en", ("Baskets", "Make a share link", "Build the zip"))):
        client.get(f"/lang/{lang}")
        listing = client.get("/baskets")
        assert listing.status_code == 200 and "Akşam haberleri" in listing.get_data(as_text=True)
        page = client.get(f"/baskets/{bid}").get_data(as_text=True)
        assert all(w in page for w in words) and "Şeki Sarayı" in page and 'data-zip=\'null\'' in page
    client.get("/logout")
    other = app.test_client()
    _login(other, "c@atv.test")
    assert other.get(f"/baskets/{bid}").status_code == 404
    assert other.get("/baskets/not-an-id").status_code == 404
    assert app.test_client().get("/baskets").status_code in (302, 401)


def test_the_zip_form_names_the_platforms_in_the_page_language(app, client, make_user):
    """The Platform menu shows the label table's names (archive.web.present), never the codes."""
    import re

    from archive.access.declarations import PLATFORMS
    uid, token = make_user("broadcaster", "AZ", org="AzTV", email="b@aztv.test")
    bid = client.post("/api/v1/baskets", json={"name": "Xəbərlər"},
                      headers={"Authorization": f"Bearer {token}"}).get_json()["id"]
    _login(client, "b@aztv.test")
    for lang, names in (("az", ("Xətti TV", "Tələb üzrə video")), ("tr", ("Doğrusal TV",)), ("en", ("Linear TV",))):
        client.get(f"/lang/{lang}")
        page = client.get(f"/baskets/{bid}").get_data(as_text=True)
        menu = re.search(r'<select id="z-platform">(.*?)</select>', page, re.S).group(1)
        shown = re.findall(r">([^<]*)</option>", menu)
        assert len(shown) == len(PLATFORMS) and all(n in shown for n in names), shown
        assert not set(shown) & set(PLATFORMS), shown
