"""One error-entry shape on every 422 with `details.errors`: `{field, code, message, params}`,
and `details.field` naming the first (archive.validation)."""
from __future__ import annotations

import pytest

from tests.asset_factory import create_asset

SHAPE = {"field", "code", "message", "params"}


@pytest.fixture
def ctx(app, make_user):
    producer = make_user("producer", "AZ", org="İTV")
    manager = make_user("rights_manager", "AZ", org="İTV")
    asset = create_asset(app, producer[0], filename="halay.mp4")
    return {"asset": asset, "producer": {"Authorization": f"Bearer {producer[1]}"},
            "manager": {"Authorization": f"Bearer {manager[1]}"}}


def _entries(resp, code):
    assert resp.status_code == 422, resp.get_json()
    err = resp.get_json()["error"]
    assert err["code"] == code
    entries = err["details"]["errors"]
    assert entries and err["details"]["field"] == entries[0]["field"]
    for e in entries:
        assert SHAPE <= set(e) and isinstance(e["params"], dict), e
    return entries


def test_every_body_check_answers_in_one_entry_shape(client, ctx):
    a, h = ctx["asset"], ctx["producer"]
    basket = client.post("/api/v1/baskets", json={"name": "Sepet"}, headers=h).get_json()["id"]
    cases = [
        (client.post("/api/v1/baskets", json={"name": "x" * 500}, headers=h), "invalid_basket", "too_long",
         {"limit": 200}),
        (client.post(f"/api/v1/baskets/{basket}/items", json={"asset_id": a, "in": "00:00:01;00", "out": 2},
                     headers=h), "invalid_basket_item", "invalid_timecode", {"reason": "drop_frame_mismatch"}),
        (client.post("/api/v1/shares", json={"asset_id": a, "expires": "tomorrow", "colour": 1}, headers=h),
         "invalid_share", "unknown_field", {"fields": ["colour"]}),
        (client.post(f"/api/v1/assets/{a}/markers", json={"in": "00:00:09:00", "text": "son"}, headers=h),
         "invalid_marker", "out_of_range", {"max": "00:00:04:00", "max_seconds": 4.0}),
        (client.post(f"/api/v1/assets/{a}/rights", json={"kind": "grant", "colour": 1}, headers=ctx["manager"]),
         "invalid_rights_block", None, None),
    ]
    for resp, code, entry_code, params in cases:
        entries = _entries(resp, code)
        if entry_code:
            first = next(e for e in entries if e["code"] == entry_code)
            assert first["params"] == params, first
            # the entries of these APIs also keep their params at the top, as they first did
            assert all(first[k] == v for k, v in params.items())
