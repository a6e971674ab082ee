"""Free text with characters that disguise it (bidirectional overrides, embeddings, isolates and
other invisible format characters: archive.validation.disguise_error) is refused on every input
path with a 4xx naming the field and the characters; ZWNJ and ZWJ, which reorder nothing, pass."""
from __future__ import annotations

import pytest

from archive.validation import disguise_error, disguising_characters
from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, project_body, sides  # noqa: F401  (fixtures)
from tests.functional.test_error_entries import ctx  # noqa: F401  (the fixture: an İTV asset, its producer and rights manager)

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Halay gpj.exe" reads as "Halay exe.jpg"


@pytest.mark.parametrize("text, found", [
    ("Xalçaçılar", []), ("İSTANBUL ışık Şəki", []), ("satır\nsatır\tsekme", []),
    ("fa\u200cal", []), ("👨\u200d👩\u200d👧", []),  # ZWNJ (Perso-Arabic script), ZWJ (emoji) are allowed
    (f"Halay {RLO}gpj.exe", ["U+202E"]),
    ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069", ["U+202A", "U+202B", "U+202C", "U+202D", "U+2066"]),
    ("a\u200bb", ["U+200B"]), ("a\u200eb\u200f", ["U+200E", "U+200F"]), ("a\u00adb", ["U+00AD"]),
    ("a\ufeffb", ["U+FEFF"]), ("a\U000e0041b", ["U+E0041"]), ("a\x07b", ["U+0007"]), ("a\u061cb", ["U+061C"]),
    ("a\u2060b", ["U+2060"]),
])
def test_which_characters_disguise_text(text, found):
    assert disguising_characters(text) == found


def test_single_line_fields_also_refuse_line_breaks_and_the_error_names_the_field():
    assert disguising_characters("a\nb", multiline=False) == ["U+000A"]
    err = disguise_error("description", f"x{RLO}y")
    assert err.field == "description" and err.code == "forbidden_characters"
    assert err.params == {"characters": ["U+202E"]}
    assert "description" in err.message and "RIGHT-TO-LEFT OVERRIDE" in err.message


def _refused(resp, field):
    assert 400 <= resp.status_code < 500, resp.get_json()
    err = resp.get_json()["error"]
    entries = err["details"].get("errors") or [dict(err["details"], code=err["code"])]
    entry = next(e for e in entries if e.get("field") == field)
    assert entry["code"] == "forbidden_characters", entry
    assert "U+202E" in str(entry), entry
    return resp.status_code


def test_asset_marker_basket_rights_and_declaration_text_is_refused(client, ctx):
    a, h = ctx["asset"], ctx["producer"]
    assert _refused(client.patch(f"/api/v1/assets/{a}", json={"title": {"az": f"Halay {RLO}gpj.exe"}}, headers=h),
                    "title.az") == 422
    assert _refused(client.patch(f"/api/v1/assets/{a}", json={"title": {"tr": f"{RLO}gpj.exe"}}, headers=h),
                    "title.tr") == 422  # at the edge too: refused, not trimmed away quietly
    assert _refused(client.patch(f"/api/v1/assets/{a}", json={"description": {"en": f"line\n{RLO}x"}}, headers=h),
                    "description.en") == 422
    assert _refused(client.patch(f"/api/v1/assets/{a}", json={"keywords": ["halay", f"a{RLO}x"]}, headers=h),
                    "keywords") == 422
    assert _refused(client.post(f"/api/v1/assets/{a}/markers", json={"in": "00:00:01:00", "text": f"a{RLO}b"},
                                headers=h), "text") == 422
    assert _refused(client.post("/api/v1/baskets", json={"name": f"Sepet{RLO}"}, headers=h), "name") == 422
    grant = {"kind": "grant", "licensees": {"all_members": True}, "territories": ["AZ"], "platforms": ["vod"],
             "start": "2027-01-01", "conditions": {"credit": {"az": f"Mənbə: {RLO}VTİ"}}}
    assert _refused(client.post(f"/api/v1/assets/{a}/rights", json=grant, headers=ctx["manager"]),
                    "conditions.credit.az") == 422
    declared = client.get(f"/api/v1/assets/{a}/download?rendition=original&platform=vod&territory=AZ"
                          f"&from=2030-01-01&to=2030-01-02&purpose=news&programme=Xəbər{RLO}lər", headers=h)
    assert _refused(declared, "programme") == 422
    # nothing was stored, and text without them still passes
    assert client.get(f"/api/v1/assets/{a}", headers=h).get_json()["metadata"]["title"].get("az") != \
        f"Halay {RLO}gpj.exe"
    ok = client.patch(f"/api/v1/assets/{a}", json={"title": {"az": "Halay gpj.exe"}, "keywords": ["fa\u200cal"]},
                      headers=h)
    assert ok.status_code == 200, ok.get_json()


def test_transcript_cues_are_refused_with_their_line(client, ctx):
    srt = f"1\n00:00:00,000 --> 00:00:01,000\nSalam\n\n2\n00:00:01,000 --> 00:00:02,000\nXalq {RLO}mahnısı\n"
    resp = client.put(f"/api/v1/assets/{ctx['asset']}/transcripts/az", data=srt.encode(),
                      content_type="application/x-subrip", headers=ctx["producer"])
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_subtitles"
    assert err["details"]["reason"] == "forbidden_characters" and err["details"]["cue"] == 2
    assert err["details"]["characters"] == ["U+202E"] and err["details"]["line"] == 6


def test_a_co_production_description_is_refused(coprod):
    resp = coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "100.00", "currency": "EUR",
                              "date": "2026-01-04", "description": f"Ödeme {RLO}ysab"})
    assert _refused(resp, "description") == 422
