"""The co-production pages: the project's dashboard, ledger and forms, the commission, in tr/az/en."""
from __future__ import annotations

import json
import re

import pytest

from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, project_body, sides  # noqa: F401  (fixtures)
from tests.unit.web.conftest import csrf_from, log_in

SENTENCES = {"tr": ("Ortak yapımlar", "Defter", "Katkı kaydet"), "az": ("Birgə istehsallar", "Kitab", "Töhfəni qeydə al"),
             "en": ("Co-productions", "Ledger", "Record a contribution")}


def _browser(app, email: str, lang: str = "tr"):
    client = app.test_client()
    client.get(f"/lang/{lang}")
    assert log_in(client, email).status_code == 302
    return client


def _email(app, user_id: int) -> str:
    from archive import db
    from archive.accounts.models import User

    with app.app_context():
        return db.session().get(User, user_id).email


# How each language writes a percentage (CLDR): the sign before the number in Turkish.
SHARE_100 = {"tr": "%100,00", "az": "100,00%", "en": "100.00%"}
RATE = {"tr": "× 0,027 (", "az": "× 0,027 (", "en": "× 0.027 ("}


@pytest.mark.parametrize("lang", ["tr", "az", "en"])
def test_the_project_page_in_every_language(app, coprod, lang):
    coprod.rate("TRY", "2026-01-02", "0.0270")
    entry = coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "100000.00", "currency": "TRY",
                               "date": "2026-01-04"}).get_json()["id"]
    coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az)
    browser = _browser(app, _email(app, coprod.tr.user_id), lang)
    html = browser.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
    for sentence in SENTENCES[lang]:
        assert sentence in html, sentence
    assert re.search(r'data-country="TR">.*?data-role="share">' + re.escape(SHARE_100[lang]) + "<", html, re.S)
    assert RATE[lang] in html  # the exchange rate of a TRY entry, as the language writes a number
    chart = json.loads(re.search(r"data-chart='([^']+)'", html).group(1).replace("&#34;", '"'))
    assert chart["months"] == ["2026-01"] and chart["countries"][0]["confirmed"] == [2700.0]
    assert "vendor/chart.umd.min.js" in html and "parity.js" in html
    listing = browser.get("/projects").get_data(as_text=True)
    assert "Ortak Belgesel" in listing or "Birgə Sənədli Film" in listing or "Joint Documentary" in listing
    assert {"tr": "%50,00", "az": "50,00%", "en": "50.00%"}[lang] in listing  # each party's agreed share


def test_recording_confirming_and_disputing_through_the_forms(app, coprod):
    coprod.rate("TRY", "2026-01-02", "0.0270")
    tr = _browser(app, _email(app, coprod.tr.user_id), "en")
    page = tr.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
    resp = tr.post(f"/projects/{coprod.project_id}/contributions", data={
        "csrf_token": csrf_from(page), "party": TR_ORG, "kind": "cash", "amount": "1000.00", "currency": "try",
        "date": "2026-01-04", "description": "Form"})
    assert resp.status_code == 302
    bad = tr.post(f"/projects/{coprod.project_id}/contributions", data={
        "csrf_token": csrf_from(page), "party": TR_ORG, "kind": "cash", "amount": "-5", "currency": "XYZ",
        "date": "2026-01-04"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Nothing was recorded" in html
    assert "Amount must be more than zero." in html and "ISO 4217" in html
    assert 'value="-5"' in html  # what was typed stays in the form

    items = coprod.get(f"/api/v1/projects/{coprod.project_id}/contributions").get_json()["items"]
    entry = items[0]["id"]
    az = _browser(app, _email(app, coprod.az.user_id), "az")
    page = az.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
    assert 'data-action="confirm"' in page
    resp = az.post(f"/projects/{coprod.project_id}/contributions/{entry}/dispute",
                   data={"csrf_token": csrf_from(page), "reason": "Dekont yok"})
    assert resp.status_code == 302
    assert coprod.get(f"/api/v1/contributions/{entry}").get_json()["status"] == "disputed"
    # The TR side sees no confirm button on its own entry, and a forged post is refused in the page's language.
    page = tr.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
    assert 'data-action="confirm"' not in page and 'data-action="answer"' in page
    forged = tr.post(f"/projects/{coprod.project_id}/contributions/{entry}/confirm",
                     data={"csrf_token": csrf_from(page)})
    assert forged.status_code == 403 and "other country" in forged.get_data(as_text=True)
    missing = tr.post(f"/projects/{coprod.project_id}/contributions/{entry}/confirm", data={})
    assert missing.status_code == 400  # no CSRF token


def test_commission_page_warns_and_records(app, coprod):
    tr = _browser(app, _email(app, coprod.tr.user_id), "tr")
    page = tr.get("/commission").get_data(as_text=True)
    for date, host in (("2026-03-01", "TR"), ("2026-04-01", "TR")):
        resp = tr.post("/commission", data={"csrf_token": csrf_from(page), "date": date, "city": "Ankara",
                                            "host_country": host, "attendees": "Ayşe\nRəşad",
                                            "decisions": "Bütçe onaylandı", "projects": coprod.project_id})
        assert resp.status_code == 302
    html = tr.get("/commission").get_data(as_text=True)
    assert html.count("Önceki toplantının ev sahibi de bu ülkeydi") == 1
    bad = tr.post("/commission", data={"csrf_token": csrf_from(page), "date": "yarın", "city": "",
                                       "host_country": "XX"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Tarih YYYY-AA-GG biçiminde gerçek bir tarih olmalı." in text
    assert "Şehir gerekli." in text


def test_pages_of_a_project_one_may_not_see(app, coprod, make_user):
    make_user("producer", "TR", org="Başka Kanal", email="outsider@example.org")
    outsider = _browser(app, "outsider@example.org", "en")
    assert outsider.get(f"/projects/{coprod.project_id}").status_code == 404
    assert outsider.get("/projects/nope").status_code == 404
    assert outsider.get(f"/projects/{coprod.project_id}?page=abc").status_code in (400, 404)
    assert "takes part in no co-production" in outsider.get("/projects").get_data(as_text=True)
    assert app.test_client().get(f"/projects/{coprod.project_id}").status_code == 302  # to the login


@pytest.mark.parametrize("lang,credit,title", [("tr", f"{TR_ORG} ve {AZ_ORG} ortak yapımı", "Ortak Belgesel"),
                                                ("az", f"{TR_ORG} və {AZ_ORG} birgə istehsalı", "Birgə Sənədli Film"),
                                                ("en", f"A co-production of {TR_ORG} and {AZ_ORG}",
                                                 "Joint Documentary")])
def test_the_asset_page_shows_its_projects_and_credit(app, coprod, make_user, lang, credit, title):
    from tests.functional.test_coproduction_api import footage_asset

    asset = footage_asset(app, coprod.tr.user_id)
    coprod.post(f"/api/v1/projects/{coprod.project_id}/footage", {"asset_id": asset})
    html = _browser(app, _email(app, coprod.az.user_id), lang).get(f"/assets/{asset}").get_data(as_text=True)
    assert credit in html and title in html and f'href="/projects/{coprod.project_id}"' in html
    # A member of no party sees the credit (it is public) but no link to a project it may not open.
    make_user("broadcaster", "TR", org="Başka Kanal", email=f"viewer-{lang}@example.org")
    html = _browser(app, f"viewer-{lang}@example.org", lang).get(f"/assets/{asset}").get_data(as_text=True)
    assert credit in html and title in html and f'href="/projects/{coprod.project_id}"' not in html


def test_a_long_ledger_is_verified_on_demand_not_on_every_view(app, coprod, monkeypatch):
    from archive.coproduction import pages

    coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "1.00", "currency": "EUR", "date": "2026-01-04"})
    browser = _browser(app, _email(app, coprod.tr.user_id), "en")
    assert "verified intact" in browser.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
    monkeypatch.setattr(pages, "VERIFY_ON_PAGE_MAX", 0)
    monkeypatch.setattr(pages.ledger, "verify", lambda *a: pytest.fail("verified on a page view"))
    html = browser.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
    assert f"/api/v1/projects/{coprod.project_id}/ledger/verify" in html and "Verify the chain" in html
