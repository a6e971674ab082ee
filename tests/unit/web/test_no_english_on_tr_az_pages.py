"""The tr and az pages say in their language what the services record in English or as codes:
an export that went out without content credentials (history and credentials lists), the
renditions named as the renditions table names them, a rejection's reason, the co-production
rule sets, and WORLD in the avails grid."""
from __future__ import annotations

from html import unescape

import pytest

from archive import db
from archive.assets.models import Asset
from archive.media.probe import explain_ffprobe_failure
from archive.provenance import credentials
from archive.provenance.credential_models import ContentCredential
from tests.asset_factory import create_asset
from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, project_body, sides  # noqa: F401  (fixtures)
from tests.unit.web.conftest import log_in

# The services' English of an unsigned hand-out (archive.provenance.credentials).
ENGLISH = ("no C2PA signing certificate is configured", "HLS segments are not signed", "C2PA cannot be written")
WORLD_WORD = {"tr": "Dünya", "az": "Dünya"}


def _browser(app, email: str, lang: str):
    client = app.test_client()
    client.get(f"/lang/{lang}")
    assert log_in(client, email).status_code == 302
    return client


def _text(html: str, start: str, end: str) -> str:
    part = html[html.index(start):]
    return unescape(part[:part.index(end)])


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_an_unsigned_export_and_unsigned_renditions_in_the_page_language(app, make_user, lang):
    uid, _tok = make_user("producer", "TR", email=f"cc-{lang}@example.org")
    aid = create_asset(app, uid, renditions={"proxy": {"data": b"mp4 bytes", "content_type": "video/mp4"},
                                             "poster": {"data": b"jpeg bytes", "content_type": "image/jpeg",
                                                        "ext": ".jpg"},
                                             "hls": {"files": {"index.m3u8": b"#EXTM3U\n", "a.ts": b"ts"}}})
    with app.app_context():  # the default install: no signer; a clip and a basket item go out unsigned
        s = db.session()
        asset = s.get(Asset, aid)
        assert credentials.signer_status()[0] is None
        s.add(ContentCredential(asset_id=aid, sha256=asset.sha256, state="absent"))  # the original was read
        credentials.sign_renditions(s, asset, "/nonexistent")
        for export, name in ((f"clip:{'c' * 8}", "clip.mov"), (f"basket:{'b' * 8}", "item.mxf")):
            assert not credentials.sign_export(s, asset, "/nonexistent", "/nonexistent", name=name, export=export,
                                               actions=[], details={}, master_path=None, actor_id=uid)
        # As recorded before the reason had a code: the same fixed sentence, no `detail`.
        credentials.note_unsigned(s, asset, f"clip:{'d' * 8}", credentials.NO_SIGNER,
                                  credentials.NOT_CONFIGURED_REASON, uid)
        s.commit()
    html = _browser(app, f"cc-{lang}@example.org", lang).get(f"/assets/{aid}").get_data(as_text=True)
    section = _text(html, 'id="credentials"', "</section>")
    history = _text(html, 'id="history-h"', "</section>")
    for shown in (section, history):
        for english in ENGLISH:
            assert english not in shown, (english, shown)
        # Raw names: the rendition names, the export's "clip:" prefix, the field keys, the codes.
        for raw in ("hls:", "proxy:", "poster:", "clip:", "basket:", ">export<", ">reason<", "no_signer",
                    "not_configured", "not_writable"):
            assert raw not in shown, (raw, shown)
    assert ("İzleme kopyası (MP4)" if lang == "tr" else "Baxış nüsxəsi (MP4)") in section
    assert "Klip cccccccc" in section and "Klip cccccccc" in history and "Klip dddddddd" in section
    assert ("Sepet bbbbbbbb" if lang == "tr" else "Səbət bbbbbbbb") in section


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_a_missing_mp4_index_has_its_own_sentence_and_no_english(app, make_user, lang):
    uid, _tok = make_user("producer", "TR", email=f"rj-{lang}@example.org")
    aid = create_asset(app, uid, status="rejected")
    rejected = explain_ffprobe_failure("[mov,mp4] moov atom not found\nfilm.mp4: Invalid data found", mp4_boxes=True)
    assert rejected.code == "index_missing"
    with app.app_context():
        asset = db.session().get(Asset, aid)
        asset.error_code, asset.error = rejected.code, rejected.reason
        db.session().commit()
    html = _browser(app, f"rj-{lang}@example.org", lang).get(f"/assets/{aid}").get_data(as_text=True)
    block = _text(html, 'id="rejection"', "</div>")
    assert ("MP4/MOV dizini yok" if lang == "tr" else "MP4/MOV indeksi yoxdur") in block, block
    assert "moov" not in block and "The file is incomplete" not in block and 'lang="en"' not in block


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_rule_sets_and_world_in_the_page_language(app, coprod, make_user, lang):
    from tests.unit.web.test_coproduction_pages import _email

    browser = _browser(app, _email(app, coprod.tr.user_id), lang)
    new = browser.get("/projects/new").get_data(as_text=True)
    assert "Council of Europe" not in new and ("Avrupa Konseyi" if lang == "tr" else "Avropa Şurası") in new
    resp = coprod.client.post("/api/v1/projects", json=project_body(rule_set="coe_2017_bilateral"),
                              headers=coprod.tr.auth)
    assert resp.status_code == 201, resp.get_json()
    page = browser.get(f"/projects/{resp.get_json()['id']}").get_data(as_text=True)
    rules = _text(page, 'id="rules"', "</section>")
    assert "Council of Europe" not in rules and ("iki taraflı" if lang == "tr" else "ikitərəfli") in rules

    _uid, tok = make_user("rights_manager", "TR", org=TR_ORG, email=f"rm-{lang}@example.org")
    aid = create_asset(app, _uid)
    block = {"kind": "grant", "licensees": {"organisations": [AZ_ORG], "countries": [], "all_members": False},
             "territories": ["WORLD"], "exclude_territories": [], "platforms": ["linear_tv"],
             "start": "2027-01-01", "end": "2027-12-31", "exclusive": False, "segment": None, "conditions": {}}
    resp = app.test_client().post(f"/api/v1/assets/{aid}/rights", json=block, headers={"Authorization": f"Bearer {tok}"})
    assert resp.status_code == 201, resp.get_json()
    html = _browser(app, f"rm-{lang}@example.org", lang).get(f"/assets/{aid}").get_data(as_text=True)
    rights = _text(html, 'id="rights"', "</section>")
    assert f'<th scope="row">{WORLD_WORD[lang]}</th>' in rights and 'data-territory="WORLD"' in rights
    assert ">WORLD<" not in rights and "WORLD −" not in rights
    history = _text(html, 'id="history-h"', "</section>")  # the block's creation, its fields
    assert "WORLD" not in history and WORLD_WORD[lang] in history
    # Its fields by their labels and its values in words, not the API's keys and Python values.
    for raw in ("exclude_territories", "all_members", "licensees", "linear_tv", "False", "grant"):
        assert raw not in history, raw
    assert ("Lisans sahipleri" if lang == "tr" else "Lisenziyaçılar") in history


def test_a_clip_cut_unsigned_says_so_on_its_own_asset(app, client, make_user):
    # A newcomer cut a clip before configuring a signer: the master's history said
    # `credentials.not_signed` for `clip:<id>`, but the clip's own content_credentials was
    # `absent` with no unsigned export, and its page said only "No content credentials".
    uid, token = make_user("producer", "TR", email="cc-clip@example.org")
    master_id = create_asset(app, uid)
    clip_id = create_asset(app, uid, data=b"the clip's own bytes\n" * 64, filename="clip.mov")
    with app.app_context():
        s = db.session()
        master, clip = s.get(Asset, master_id), s.get(Asset, clip_id)
        clip.source_id, clip.lineage = master_id, {"source_id": master_id, "in": "00:00:01:00", "out": "00:00:02:00"}
        credentials.note_unsigned(s, master, f"clip:{clip_id}", credentials.NO_SIGNER,
                                  credentials.NOT_CONFIGURED_REASON, uid, detail=credentials.NOT_CONFIGURED)
        credentials.note_unsigned(s, master, f"clip:{'e' * 8}", credentials.NO_SIGNER,
                                  credentials.NOT_CONFIGURED_REASON, uid, detail=credentials.NOT_CONFIGURED)
        s.commit()
    doc = client.get(f"/api/v1/assets/{clip_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    unsigned = doc["content_credentials"]["unsigned_exports"]
    assert [u["export"] for u in unsigned] == [f"clip:{clip_id}"], unsigned
    assert unsigned[0]["reason_code"] == credentials.NO_SIGNER and unsigned[0]["detail"] == credentials.NOT_CONFIGURED
