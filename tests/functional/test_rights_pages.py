"""The rights on the asset page, the rights editor's forms and the declaration page (no browser)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from archive import db
from archive.rights.models import Contract, RightsBlock
from tests.asset_factory import create_asset


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "AZ", org="İTV", email="p@itv.test"),
            "manager": make_user("rights_manager", "AZ", org="İTV", email="m@itv.test"),
            "trt": make_user("broadcaster", "TR", org="TRT", email="b@trt.test")}


def login(client, email):
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"email": email, "password": "correct horse battery",
                                       "csrf_token": csrf(page)})
    assert resp.status_code == 302


def csrf(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def asset(app, people):
    return create_asset(app, people["producer"][0], filename="Şəki.mp4")


def count(app, model):
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def test_a_rights_manager_adds_and_deletes_a_block_and_the_page_shows_grid_and_credit(app, client, people, asset):
    login(client, "m@itv.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert 'id="rights-form"' in html and 'id="no-rights"' in html
    form = {"csrf_token": csrf(html), "kind": "grant", "organisations": "TRT", "territories": "tr",
            "platforms": ["linear_tv", "vod"], "start": "2027-01-01", "end": "2027-12-31", "exclusive": "on",
            "credit_tr": "Kaynak: İTV", "credit_az": "Mənbə: İTV"}
    resp = client.post(f"/assets/{asset}/rights", data=form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#rights")
    html = client.get(f"/assets/{asset}", headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert 'data-kind="grant"' in html and "Kaynak: İTV" in html and 'id="avails-grid"' in html
    assert 'data-state="exclusive"' in html
    # A bad form is shown again with its mistakes; nothing is stored.
    bad = client.post(f"/assets/{asset}/rights", data={**form, "territories": "Narnia", "end": "2026-01-01",
                                                       "csrf_token": csrf(html)})
    assert bad.status_code == 422 and 'id="rights-errors"' in bad.get_data(as_text=True)
    assert count(app, RightsBlock) == 1
    [block_id] = re.findall(r'data-block="(\d+)"', html)
    assert client.post(f"/assets/{asset}/rights/{block_id}/delete",
                       data={"csrf_token": csrf(html)}).status_code == 302
    assert count(app, RightsBlock) == 0


def test_a_contract_with_its_document_is_recorded_from_the_page(app, client, people, asset):
    import io
    login(client, "m@itv.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    resp = client.post(f"/assets/{asset}/contracts", data={
        "csrf_token": csrf(html), "reference": "İTV-14", "signed": "2026-10-01",
        "document": (io.BytesIO(b"%PDF-1.4 contract"), "sozlesme.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert "İTV-14" in html and "sozlesme.pdf" in html
    assert count(app, Contract) == 1


@pytest.mark.parametrize("lang, sentence", [("tr", "Dosyanın içeriği, gönderildiği tür olan application/pdf değil"),
                                            ("az", "Faylın məzmunu göndərildiyi növ olan application/pdf deyil"),
                                            ("en", "is not application/pdf, the type it was sent as")])
def test_a_document_that_is_not_its_type_is_refused_on_the_page_in_its_language(app, client, people, asset,
                                                                               sample_video, lang, sentence):
    import io
    login(client, "m@itv.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    resp = client.post(f"/assets/{asset}/contracts", data={
        "csrf_token": csrf(html), "reference": "İTV-16",
        "document": (io.BytesIO(sample_video.read_bytes()[:4096]), "sozlesme.pdf", "application/pdf")},
        content_type="multipart/form-data", headers={"Accept-Language": lang})
    assert resp.status_code == 415
    assert sentence in resp.get_data(as_text=True).replace("&#39;", "'")
    assert count(app, Contract) == 0


def test_an_admin_records_a_contract_for_the_assets_organisation_not_their_own(app, client, people, asset,
                                                                              make_user):
    make_user("admin", "TR", org="Ortak", email="a@ortak.test")
    login(client, "a@ortak.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    resp = client.post(f"/assets/{asset}/contracts", data={"csrf_token": csrf(html), "reference": "İTV-15"})
    assert resp.status_code == 302
    with app.app_context():
        [contract] = db.session().scalars(select(Contract)).all()
        assert contract.licensor.name == "İTV"
    # İTV's rights manager has it, and the asset's editor offers it to the blocks it backs.
    client.post("/logout", data={"csrf_token": csrf(html)})
    login(client, "m@itv.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert "İTV-15" in html


def test_the_editor_offers_only_the_assets_organisation_contracts(app, client, people, asset, make_user):
    _uid, token = make_user("admin", "TR", org="Ortak", email="a@ortak.test")
    trt_manager = make_user("rights_manager", "TR", org="TRT")[1]
    assert client.post("/api/v1/contracts", json={"reference": "TRT-99"},
                       headers={"Authorization": f"Bearer {trt_manager}"}).status_code == 201
    login(client, "a@ortak.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert 'id="rights-form"' in html and "TRT-99" not in html


def test_others_see_rights_but_no_editor_and_cannot_post(app, client, people, asset):
    login(client, "b@trt.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert 'id="rights"' in html and 'id="rights-form"' not in html
    assert f'href="/assets/{asset}/declare"' in html
    assert client.post(f"/assets/{asset}/rights", data={"csrf_token": csrf(html), "kind": "grant"}).status_code == 403


def test_the_declaration_page_explains_a_refusal_and_links_a_cleared_download(app, client, people, asset):
    login(client, "m@itv.test")
    html = client.get(f"/assets/{asset}").get_data(as_text=True)
    client.post(f"/assets/{asset}/rights", data={
        "csrf_token": csrf(html), "kind": "grant", "organisations": "TRT", "territories": "TR",
        "platforms": ["linear_tv"], "start": "2027-01-01", "credit_tr": "Kaynak: İTV"})
    client.post("/logout", data={"csrf_token": csrf(html)})
    login(client, "b@trt.test")
    use = {"declared": "1", "platform": "linear_tv", "from": "2027-02-01", "to": "2027-02-28",
           "purpose": "haber", "programme": "Akşam Haberleri"}
    refused = client.get(f"/assets/{asset}/declare", query_string={**use, "territory": "AZ"},
                         headers={"Accept-Language": "tr"}).get_data(as_text=True)
    assert 'data-outcome="denied"' in refused and "AZ" in refused and 'id="download-original"' not in refused
    ok = client.get(f"/assets/{asset}/declare", query_string={**use, "territory": "TR"}).get_data(as_text=True)
    assert 'data-outcome="allowed_with_conditions"' in ok and "Kaynak: İTV" in ok
    link = re.search(r'id="download-original" href="([^"]+)"', ok).group(1).replace("&amp;", "&")
    resp = client.get(link)
    assert resp.status_code == 200 and resp.headers["Ortak-Access-Decision"] == "allowed_with_conditions"
    half = client.get(f"/assets/{asset}/declare", query_string={"declared": "1", "platform": "vod",
                                                                 "from": "2020-01-01"})
    assert half.status_code == 400 and 'id="declaration-errors"' in half.get_data(as_text=True)


def test_what_is_not_there_is_the_404_page_not_json(app, client, people, asset):
    login(client, "m@itv.test")
    token = csrf(client.get(f"/assets/{asset}").get_data(as_text=True))
    for resp in (client.post(f"/assets/{asset}/rights/2147483648/delete", data={"csrf_token": token}),
                 client.post(f"/assets/{asset}/rights/999/delete", data={"csrf_token": token}),
                 client.post("/assets/no-such-asset/rights", data={"csrf_token": token, "kind": "grant"}),
                 client.post("/assets/no-such-asset/contracts", data={"csrf_token": token, "reference": "X"}),
                 client.get("/assets/no-such-asset/declare")):
        assert resp.status_code == 404 and resp.mimetype == "text/html", resp.get_data(as_text=True)[:200]
    assert count(app, Contract) == 0
