"""The language of the API's display titles (archive.api.params.lang_param), one negotiation
for every route that chooses a title: `?lang=`, else the caller's saved locale, else the
request's Accept-Language, else the reader's default (Asset.title: en, tr, az)."""
from __future__ import annotations

import csv
import io

import pytest

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.backends import search_backend
from archive.indexing import index_asset
from archive.usage.services import record_usage
from tests.asset_factory import create_asset

TITLES = {"tr": "Alay töreni", "az": "Alayın mərasimi"}


@pytest.fixture
def aztv(app, make_user):
    """An AzTV rights manager without a saved locale, AzTV's asset titled in tr and az, indexed,
    and one use of it."""
    uid, token = make_user("rights_manager", "AZ", org="AzTV", email="rm@aztv.test")
    asset = create_asset(app, uid, meta={"title": dict(TITLES)})
    with app.app_context():
        s = db.session()
        assert s.get(User, uid).locale is None
        index_asset(s, search_backend(), asset)
        record_usage(s, s.get(User, uid), s.get(Asset, asset), "download", "original",
                     {"platform": "vod", "territory": "AZ", "purpose": "arxiv"}, decision="allowed")
        s.commit()
    return {"uid": uid, "asset": asset, "h": {"Authorization": f"Bearer {token}"}}


def _titles(client, aztv, **headers) -> dict[str, str]:
    """The title each route gives, with these headers."""
    h = {**aztv["h"], **headers}
    one = client.get(f"/api/v1/assets/{aztv['asset']}", headers=h).get_json()["title"]
    listed = client.get("/api/v1/assets", headers=h).get_json()["items"][0]["title"]
    hits = client.get("/api/v1/search", query_string={"q": "alay"}, headers=h).get_json()["hits"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/usage?format=csv", headers=h)
                                           .get_data(as_text=True))))
    return {"asset": one, "list": listed, "search": hits[0]["title"], "usage_csv": rows[0]["asset_title"]}


def _set_locale(app, uid, locale):
    with app.app_context():
        s = db.session()
        s.get(User, uid).locale = locale
        s.commit()


@pytest.mark.parametrize("accept,expected", [("az", "az"), ("az-AZ,az;q=0.9,en;q=0.5", "az"), ("tr", "tr"),
                                             ("de", "tr")])
def test_accept_language_chooses_the_title_without_a_saved_locale(client, aztv, accept, expected):
    # "de" names none of tr/az/en: the default, the first of en, tr, az the asset has (tr).
    assert _titles(client, aztv, **{"Accept-Language": accept}) == dict.fromkeys(
        ("asset", "list", "search", "usage_csv"), TITLES[expected])


def test_the_explicit_lang_comes_first_then_the_saved_locale(app, client, aztv):
    h = {**aztv["h"], "Accept-Language": "az"}
    assert client.get(f"/api/v1/assets/{aztv['asset']}?lang=tr", headers=h).get_json()["title"] == TITLES["tr"]
    _set_locale(app, aztv["uid"], "tr")
    assert set(_titles(client, aztv, **{"Accept-Language": "az"}).values()) == {TITLES["tr"]}
    assert client.get(f"/api/v1/assets/{aztv['asset']}?lang=az", headers=h).get_json()["title"] == TITLES["az"]
    assert client.get(f"/api/v1/assets/{aztv['asset']}?lang=de", headers=h).status_code == 400
