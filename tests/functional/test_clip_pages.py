"""The clip export page (no browser): the marks, the declaration, the rights decision and the
credit line before the export; the export; the clip's page naming its source; the source's
page listing its clips; refusals and mistakes shown in the page's language with nothing made."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from archive import db
from archive.assets.models import Asset
from archive.ingest.pipeline import process_asset
from tests.clip_media import make_master
from tests.functional.test_clips_api import GRANT, USE, asset_count, make_source
from tests.functional.test_rights_pages import csrf, login


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    return make_master(tmp_path_factory.mktemp("clip-pages") / "pal.mp4", rate="25", seconds=3, gop=12)


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "AZ", org="İTV", email="p@itv.test"),
            "manager": make_user("rights_manager", "AZ", org="İTV", email="m@itv.test"),
            "trt": make_user("broadcaster", "TR", org="TRT", email="b@trt.test")}


@pytest.fixture
def source(app, client, people, master):
    # Its own bytes as the viewing copy: the player (and its Export clip control) shows.
    asset_id = make_source(app, people, master, renditions={"proxy": {"data": master.read_bytes(),
                                                                      "content_type": "video/mp4", "ext": ".mp4"}})
    resp = client.post(f"/api/v1/assets/{asset_id}/rights", json=GRANT,
                       headers={"Authorization": f"Bearer {people['manager'][1]}"})
    assert resp.status_code == 201
    return asset_id


def test_export_from_the_marks_shows_the_decision_and_credit_then_the_clip_names_its_source(app, client, people,
                                                                                            source):
    login(client, "b@trt.test")
    page = client.get(f"/assets/{source}?in=10:00:00:10&out=10:00:01:10").get_data(as_text=True)
    assert 'id="export-clip"' in page
    form = client.get(f"/assets/{source}/clip?in=10:00:00:10&out=10:00:01:10", headers={"Accept-Language": "tr"})
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and 'id="d-platform"' in html and 'value="10:00:00:10"' in html
    assert "Klip dışa aktar" in html or "Klibi" in html  # Turkish page
    checked = client.get(f"/assets/{source}/clip?" + urlencode({"in": "10:00:00:10", "out": "10:00:01:10",
                                                                  "mode": "fast", "checked": "1", **USE}))
    html = checked.get_data(as_text=True)
    assert 'data-outcome="allowed_with_conditions"' in html and "Kaynak: İTV" in html
    assert asset_count(app) == 1  # checking makes nothing
    before = asset_count(app)
    resp = client.post(f"/assets/{source}/clip", data={"csrf_token": csrf(html), "in": "10:00:00:10",
                                                       "out": "10:00:01:10", "mode": "fast", **USE})
    assert resp.status_code == 302
    clip_id = resp.headers["Location"].rsplit("/", 1)[1]
    assert asset_count(app) == before + 1
    with app.app_context():
        assert process_asset(clip_id) == "ready"
        assert db.session().get(Asset, clip_id).lineage["declaration"] == USE
    clip_page = client.get(f"/assets/{clip_id}").get_data(as_text=True)
    assert 'id="clip-source-link"' in clip_page and f"/assets/{source}?in=10:00:00:00" in clip_page
    source_page = client.get(f"/assets/{source}").get_data(as_text=True)
    assert f'href="/assets/{clip_id}"' in source_page and 'id="clip-list"' in source_page


def test_a_refused_export_and_bad_marks_are_shown_and_make_nothing(app, client, people, source):
    login(client, "b@trt.test")
    before = asset_count(app)
    denied = client.get(f"/assets/{source}/clip?" + urlencode({"in": "10:00:00:10", "out": "10:00:01:10",
                                                                 "checked": "1", **{**USE, "territory": "AZ"}}))
    html = denied.get_data(as_text=True)
    assert denied.status_code == 200 and 'data-outcome="denied"' in html and 'id="clip-export"' not in html
    bad = client.get(f"/assets/{source}/clip?" + urlencode({"in": "10:00:02:00", "out": "10:00:01:00",
                                                              "checked": "1", **USE}), headers={"Accept-Language": "az"})
    assert bad.status_code == 400 and 'id="clip-errors"' in bad.get_data(as_text=True)
    # Posting past the check: the gate refuses, the page says why, no clip is made.
    post = client.post(f"/assets/{source}/clip", data={"csrf_token": csrf(html), "in": "10:00:00:10",
                                                       "out": "10:00:01:10", **{**USE, "territory": "AZ"}})
    assert post.status_code == 403 and 'id="clip-errors"' in post.get_data(as_text=True)
    no_csrf = client.post(f"/assets/{source}/clip", data={"in": "10:00:00:10", "out": "10:00:01:10", **USE})
    assert no_csrf.status_code in (400, 403)
    assert asset_count(app) == before


def test_the_owner_needs_no_declaration_and_a_logged_out_visitor_is_sent_to_log_in(app, client, people, source):
    assert client.get(f"/assets/{source}/clip").status_code in (302, 401)
    login(client, "p@itv.test")
    html = client.get(f"/assets/{source}/clip?in=0&out=1&checked=1").get_data(as_text=True)
    assert 'id="d-platform"' not in html and 'data-outcome="allowed"' in html
