"""archive.assets.services called directly, against the migrated SQLite database."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from archive import db
from archive.accounts.models import User
from archive.assets import services
from archive.assets.models import Asset
from archive.errors import Forbidden, NotFound, ValidationError
from archive.events.models import Event
from tests.asset_factory import create_asset


@pytest.fixture
def ctx(app, producer):
    asset_id = create_asset(app, producer[0], filename="Bakı.mp4")
    with app.test_request_context():
        s = db.session()
        yield s, s.get(Asset, asset_id), s.get(User, producer[0])


@pytest.mark.parametrize("bad", [None, 42, "", "../../etc/passwd", "a" * 10_000, "\x00",
                                 "6F1C2B8E-0000-4000-8000-000000000000", "6f1c2b8e-0000-4000-8000-000000000000"])
def test_get_asset_refuses_what_is_not_an_asset(ctx, bad):
    s, _, _ = ctx
    with pytest.raises(NotFound) as exc:
        services.get_asset(s, bad)
    assert exc.value.code == "asset_not_found"
    assert len(exc.value.message) < 200


def test_display_title_falls_back_to_filename_then_follows_language(ctx):
    s, asset, user = ctx
    assert services.asset_to_json(asset)["title"] == "Bakı.mp4"
    services.update_metadata(s, asset, {"title": {"az": "Bakı gecələri", "tr": "Bakü geceleri"}}, user)
    assert services.asset_to_json(asset, "az")["title"] == "Bakı gecələri"
    assert services.asset_to_json(asset, "tr")["title"] == "Bakü geceleri"
    assert services.asset_to_json(asset, "en")["title"] == "Bakü geceleri"  # en absent: tr before az


def test_update_metadata_limits_come_from_config(app, ctx):
    s, asset, user = ctx
    app.config["MAX_TITLE_LENGTH"] = 10
    with pytest.raises(ValidationError) as exc:
        services.update_metadata(s, asset, {"title": {"tr": "x" * 11}}, user)
    assert exc.value.details["errors"][0]["params"] == {"limit": 10, "length": 11}


def test_update_metadata_removes_with_empty_values(ctx):
    s, asset, user = ctx
    services.update_metadata(s, asset, {"title": {"tr": "A", "en": "B"}, "people": ["Rəşid Behbudov"]}, user)
    services.update_metadata(s, asset, {"title": {"en": ""}, "people": []}, user)
    meta = services.asset_to_json(asset)["metadata"]
    assert meta["title"] == {"tr": "A"} and meta["people"] == []
    last = s.scalars(select(Event).order_by(Event.id.desc())).first()
    assert last.before == {"title": {"tr": "A", "en": "B"}, "people": ["Rəşid Behbudov"]}
    assert last.after == {"title": {"tr": "A"}, "people": None}


def test_edit_rights(ctx, make_user):
    """Producers and rights managers of the asset's organisation, and admins of any (issue 7)."""
    s, asset, user = ctx
    assert services.can_edit(user, asset)
    same = user.organisation.name
    for role, org, country, allowed in (
            ("broadcaster", same, "TR", False), ("producer", same, "TR", True), ("rights_manager", same, "TR", True),
            ("admin", same, "TR", True), ("producer", "İTV", "AZ", False), ("rights_manager", "İTV", "AZ", False),
            ("rights_manager", "TV8", "TR", False), ("admin", "Ortak", "AZ", True)):
        other = s.get(User, make_user(role, country, org=org)[0])
        assert services.can_edit(other, asset) is allowed, (role, org)
        if not allowed:
            with pytest.raises(Forbidden):
                services.update_metadata(s, asset, {"genre": "news"}, other)


def test_list_assets_rejects_unknown_status(ctx):
    s, _, _ = ctx
    with pytest.raises(ValidationError):
        services.list_assets(s, status="deleted")
    assert services.list_assets(s, status="ready")["total"] == 1
