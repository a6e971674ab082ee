"""Who sees whose e-mail address: the uploader and the actors of history are shown by name and
organisation to everyone, by address only to their own organisation and to admins."""
from __future__ import annotations

import re

import pytest

from archive import db
from archive.accounts import services as accounts
from archive.accounts.models import User
from tests.asset_factory import create_asset
from tests.unit.web.conftest import log_in

UPLOADER = "ayse@trt.example"


@pytest.fixture
def world(app, make_user):
    """An asset uploaded by a TRT producer (named or not), and a caller of each kind."""
    uploader, _ = make_user("producer", "TR", org="TRT", email=UPLOADER)
    callers = {
        "same org": make_user("broadcaster", "TR", org="TRT")[1],
        "other org": make_user("broadcaster", "AZ", org="AzTV")[1],
        "other org rights manager": make_user("rights_manager", "AZ", org="AzTV")[1],
        "admin elsewhere": make_user("admin", "AZ", org="Ortak AZ")[1],
    }
    aid = create_asset(app, uploader, meta={"title": {"tr": "Halay"}})
    return {"uploader": uploader, "asset": aid, "callers": callers}


def _name(app, user_id: int, name: str | None) -> None:
    with app.app_context():
        s = db.session()
        accounts.set_user_name(s, s.get(User, user_id), name)
        s.commit()


SEES_EMAIL = {"same org": True, "other org": False, "other org rights manager": False, "admin elsewhere": True}


@pytest.mark.parametrize("caller", list(SEES_EMAIL))
def test_asset_json_uploader(app, client, world, caller):
    _name(app, world["uploader"], "Ayşe Yılmaz")
    auth = {"Authorization": f"Bearer {world['callers'][caller]}"}
    doc = client.get(f"/api/v1/assets/{world['asset']}", headers=auth).get_json()
    expected_email = UPLOADER if SEES_EMAIL[caller] else None
    assert doc["uploader"]["name"] == "Ayşe Yılmaz"
    assert doc["uploader"]["organisation"]["name"] == "TRT" and doc["uploader"]["organisation"]["country"] == "TR"
    assert doc["uploader"]["email"] == expected_email
    listed = client.get("/api/v1/assets", headers=auth).get_json()["items"][0]
    assert listed["uploader"]["email"] == expected_email
    if not SEES_EMAIL[caller]:  # nothing else in the documents carries the address either
        for path in (f"/api/v1/assets/{world['asset']}", "/api/v1/assets", f"/api/v1/assets/{world['asset']}/history",
                     "/api/v1/search?q=Halay"):
            resp = client.get(path, headers=auth)
            assert resp.status_code == 200 and UPLOADER not in resp.get_data(as_text=True), path


@pytest.mark.parametrize("caller", list(SEES_EMAIL))
def test_history_actor(app, client, world, caller):
    auth_uploader = {"Authorization": f"Bearer {_token(app, world['uploader'])}"}
    assert client.patch(f"/api/v1/assets/{world['asset']}", json={"genre": "folklore"},
                        headers=auth_uploader).status_code == 200
    auth = {"Authorization": f"Bearer {world['callers'][caller]}"}
    events = client.get(f"/api/v1/assets/{world['asset']}/history", headers=auth).get_json()["events"]
    actor = events[-1]["actor"]
    assert actor["id"] == world["uploader"] and actor["name"] is None
    assert actor["organisation"]["name"] == "TRT"
    assert actor["email"] == (UPLOADER if SEES_EMAIL[caller] else None)


def _token(app, user_id: int) -> str:
    with app.app_context():
        s = db.session()
        token = accounts.create_token(s, s.get(User, user_id))
        s.commit()
        return token


@pytest.mark.parametrize("lang, fallback", [("tr", "bir TRT kullanıcısı"), ("az", "bir TRT istifadəçisi"),
                                            ("en", "a user of TRT")])
def test_asset_page_for_another_organisation(app, client, world, make_user, lang, fallback):
    make_user("broadcaster", "AZ", org="AzTV", email="rauf@aztv.example")
    assert log_in(client, "rauf@aztv.example").status_code == 302
    client.get(f"/lang/{lang}")
    html = client.get(f"/assets/{world['asset']}").get_data(as_text=True)
    assert UPLOADER not in html and "ayse" not in html
    assert fallback in html  # no name: "a user of TRT", in the page's language
    _name(app, world["uploader"], "Ayşe Yılmaz")
    html = client.get(f"/assets/{world['asset']}").get_data(as_text=True)
    assert "Ayşe Yılmaz (TRT)" in html and UPLOADER not in html


def test_asset_page_for_the_same_organisation_shows_the_address(app, client, world, make_user):
    make_user("rights_manager", "TR", org="TRT", email="hakan@trt.example")
    assert log_in(client, "hakan@trt.example").status_code == 302
    html = client.get(f"/assets/{world['asset']}").get_data(as_text=True)
    assert UPLOADER in re.sub(r"<[^>]+>", "", html)  # the address, wrapped only at its dots and @


def test_without_a_viewer_no_address_is_shown(app, world):
    from archive.assets import services
    from archive.assets.models import Asset

    with app.test_request_context():
        doc = services.asset_to_json(db.session().get(Asset, world["asset"]))
        assert doc["uploader"]["email"] is None and doc["uploader"]["organisation"]["name"] == "TRT"


def test_me_still_shows_the_callers_own_address(client, world):
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {world['callers']['other org']}"}).get_json()
    assert me["email"].endswith("@example.org")


# Every page that names a user names one without a name the same way (archive.web.present.person_name):
# "a user of TRT" in the page's language, never the organisation alone, never the e-mail address
# to those who may not see it.
UNNAMED = {"tr": "bir TRT kullanıcısı", "az": "bir TRT istifadəçisi", "en": "a user of TRT"}


def test_person_name_of_named_unnamed_and_nobody(app):
    from archive.web.present import person_name

    org = {"id": 1, "name": "TRT", "country": "TR"}
    with app.test_request_context():
        assert person_name({"name": "Ayşe Yılmaz", "organisation": org, "email": UPLOADER}) == "Ayşe Yılmaz (TRT)"
        assert person_name({"name": None, "organisation": org, "email": UPLOADER}) == UNNAMED["tr"]  # the default
        assert person_name(None) == "—"


def _in_a_week() -> str:
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) + timedelta(days=7)).isoformat()


@pytest.mark.parametrize("lang", list(UNNAMED))
def test_the_share_page_names_its_creator(app, client, make_user, lang):
    creator, token = make_user("producer", "TR", org="TRT", email=UPLOADER)
    asset = create_asset(app, creator, filename="halay.mp4", renditions={
        "proxy": {"data": b"proxy" * 100, "content_type": "video/mp4", "ext": ".mp4"}})
    made = client.post("/api/v1/shares", json={"asset_id": asset, "expires": _in_a_week()},
                       headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201, made.get_json()
    url = made.get_json()["url"].removeprefix("http://localhost")
    visitor = app.test_client()
    visitor.get(f"/lang/{lang}")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", visitor.get(url).get_data(as_text=True)))
    assert UNNAMED[lang] in text and UPLOADER not in text
    _name(app, creator, "Ayşe Yılmaz")
    text = re.sub(r"<[^>]+>", "", visitor.get(url).get_data(as_text=True))
    assert "Ayşe Yılmaz (TRT)" in text and UPLOADER not in text


def test_the_basket_page_names_its_members(app, client, make_user):
    owner, token = make_user("broadcaster", "TR", org="TRT", email="owner@trt.example")
    member, _ = make_user("broadcaster", "TR", org="TRT", email=UPLOADER)
    outsider, _ = make_user("broadcaster", "AZ", org="AzTV", email="rauf@aztv.example")
    h = {"Authorization": f"Bearer {token}"}
    basket = client.post("/api/v1/baskets", json={"name": "Sepet"}, headers=h).get_json()["id"]
    for who in (member, outsider):
        assert client.post(f"/api/v1/baskets/{basket}/members", json={"user": who, "access": "read"},
                           headers=h).status_code == 201
    assert log_in(client, "owner@trt.example").status_code == 302
    client.get("/lang/en")
    html = client.get(f"/baskets/{basket}").get_data(as_text=True)
    members = re.sub(r"<[^>]+>", "", re.search(r'<ul id="members">(.*?)</ul>', html, re.S).group(1))
    assert f"a user of TRT · {UPLOADER}" in members  # the same organisation sees the address
    assert "a user of AzTV · Can read" in members and "rauf@" not in members


def test_the_provenance_page_names_the_actors_of_history(app, client, world, make_user):
    auth_uploader = {"Authorization": f"Bearer {_token(app, world['uploader'])}"}
    assert client.patch(f"/api/v1/assets/{world['asset']}", json={"genre": "folklore"},
                        headers=auth_uploader).status_code == 200
    make_user("broadcaster", "AZ", org="AzTV", email="rauf@aztv.example")
    assert log_in(client, "rauf@aztv.example").status_code == 302
    client.get("/lang/az")
    html = client.get(f"/assets/{world['asset']}/provenance").get_data(as_text=True)
    history = re.sub(r"<[^>]+>", "", re.search(r'<ol class="history">(.*?)</ol>', html, re.S).group(1))
    assert UNNAMED["az"] in history and UPLOADER not in history
