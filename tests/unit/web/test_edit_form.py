"""The edit form: every field error next to its field, in the page's language; after a save the
"Saved." status sits beside the form and is where the page puts the focus."""
from __future__ import annotations

import re

import pytest

from archive import db
from archive.assets import services as asset_services
from archive.assets.models import Asset
from archive.errors import ValidationError
from tests.asset_factory import create_asset
from tests.unit.web.conftest import csrf_from

AGREED = ValidationError("Metadata is not valid.", code="invalid_metadata", details={"field": "title.tr", "errors": [
    {"field": "title.tr", "code": "too_long", "message": "title.tr is longer than 500 characters.",
     "params": {"limit": 500, "length": 612}},
    {"field": "description.az", "code": "not_text", "message": "description.az must be text.", "params": {}},
    {"field": "recorded", "code": "date_out_of_range", "message": "recorded must lie between 1850 and 2026.",
     "params": {"min": "1850", "max": "2026"}},
    {"field": "languages", "code": "unknown_language_code", "message": "Unknown language codes: xx.",
     "params": {"values": ["xx"]}},
    {"field": "places", "code": "a_code_from_the_future", "message": "places: a new rule.", "params": {}},
    {"field": "colour", "code": "unknown_field", "message": "Unknown metadata fields: colour.",
     "params": {"fields": ["colour"]}},
]})


def _post(client, aid, lang="tr", **fields):
    token = csrf_from(client.get(f"/assets/{aid}").get_data(as_text=True))
    data = {"csrf_token": token, "genre": "", **fields}
    return client.post(f"/assets/{aid}", data=data, headers={"Accept-Language": lang})


def _error_of(html: str, control: str) -> str:
    m = re.search(rf'<small id="{control}-error" class="error-text">([^<]*)</small>', html)
    return m.group(1) if m else ""


@pytest.mark.parametrize("lang, title_error, recorded_error", [
    ("tr", "Başlık (tr) en fazla 500 karakter olabilir (şu an 612).", "Kayıt tarihi 1850 ile 2026 arasında olmalıdır."),
    ("az", "Başlıq (tr) ən çox 500 simvol ola bilər (hazırda 612).", "Qeydə alınma tarixi 1850 ilə 2026 arasında olmalıdır."),
    ("en", "Title (tr) can be at most 500 characters long (it has 612).", "Recorded must lie between 1850 and 2026."),
])
def test_every_error_of_the_agreed_shape_is_shown_at_its_field(app, logged_in, monkeypatch, lang, title_error,
                                                                recorded_error):
    """The service is made to answer the agreed shape (validate_metadata collecting every error)."""
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Aynı"}})

    def refuse(*_args, **_kwargs):
        raise AGREED

    monkeypatch.setattr(asset_services, "validate_metadata", refuse)
    resp = _post(client, aid, lang, title_tr="x" * 612)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert _error_of(html, "title_tr") == title_error
    assert _error_of(html, "recorded") == recorded_error
    assert _error_of(html, "description_az") and _error_of(html, "languages").endswith(": xx.")
    assert _error_of(html, "places") == "places: a new rule."  # unknown code: the English sentence
    for control in ("title_tr", "description_az", "recorded", "languages", "places"):
        assert re.search(rf'id="{control}"[^>]*aria-invalid="true"', html) or \
            re.search(rf'aria-invalid="true"[^>]*id="{control}"', html), control
        assert f'{control}-error' in html
    # One summary with all six, linking each to its field; it takes the focus on load.
    summary = html[html.index('id="edit-errors"'):html.index("</ul>", html.index('id="edit-errors"'))]
    assert summary.count("<li>") == 6 and 'href="#title_tr"' in summary and "data-focus-on-load" in html
    assert ("colour" in summary) and 'href="#colour"' not in summary  # no field of that name: text only
    with app.app_context():
        assert db.session().get(Asset, aid).meta == {"title": {"tr": "Aynı"}}


def test_the_real_service_reports_every_error_and_each_is_translated(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Aynı"}})
    resp = _post(client, aid, "tr", title_tr="x" * 612, recorded="1975-13", languages="xx")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert _error_of(html, "title_tr") == "Başlık (tr) en fazla 500 karakter olabilir (şu an 612)."
    assert _error_of(html, "recorded").startswith("Kayıt tarihi ")
    assert _error_of(html, "languages").startswith("Konuşulan diller")


def test_the_real_service_error_is_shown_at_its_field_today(app, logged_in):
    """Whatever the service reports (one error or all), the first one is at its field."""
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Aynı"}})
    resp = _post(client, aid, "tr", title_tr="Aynı", recorded="1975-13")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and _error_of(html, "recorded")
    assert 'id="edit-errors"' in html


def test_form_level_errors_are_listed_too(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid)
    resp = _post(client, aid, "en", genre="<script>")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and _error_of(html, "genre") and 'href="#genre"' in html
    assert "<script>" not in html.split("</head>", 1)[1].replace('<script src="/static/web/asset.js" defer></script>', "")


def test_saved_status_is_beside_the_form_and_takes_the_focus(app, logged_in):
    client, uid = logged_in
    aid = create_asset(app, uid, meta={"title": {"tr": "Eski"}})
    resp = _post(client, aid, "tr", title_tr="Yeni")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/assets/{aid}#save-status")
    html = client.get(f"/assets/{aid}").get_data(as_text=True)
    section = html[html.index('id="metadata"'):]
    assert re.search(r'<p class="notice notice-success focus-target" role="status" id="save-status" '
                     r'tabindex="-1" data-focus-on-load>Kaydedildi\.</p>', section)
    assert html.count("Kaydedildi.") == 1  # not also at the top of the page
    assert "Kaydedildi." not in client.get(f"/assets/{aid}").get_data(as_text=True)  # said once
