"""The co-production pages' forms through the Flask client on the real database: creating a
project (party rows added and removed), its status, budget lines, milestones and footage,
each with good input and the bad input the API refuses, shown beside the fields in tr/az/en;
nothing stored when refused; who may use them follows the API's rules."""
from __future__ import annotations

import html as html_module
import re

import pytest
from sqlalchemy import func, select

from archive import db
from archive.coproduction.models import BudgetLine, Milestone, Party, Project, ProjectFootage
from archive.events.models import Event
from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, sides  # noqa: F401  (fixtures)
from tests.functional.test_coproduction_api import footage_asset
from tests.unit.web.conftest import csrf_from, log_in


def _browser(app, user_id: int, lang: str = "en"):
    from archive.accounts.models import User

    with app.app_context():
        email = db.session().get(User, user_id).email
    client = app.test_client()
    client.get(f"/lang/{lang}")
    assert log_in(client, email).status_code == 302
    return client


def _count(app, model, **where) -> int:
    with app.app_context():
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return db.session().scalar(q)


def _error_beside(html: str, control: str) -> str:
    """The error text shown beside a control (and the control says it is invalid)."""
    assert re.search(rf'id="{control}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*{control}-error',
                     html), f"{control} is not marked invalid"
    m = re.search(rf'<small id="{control}-error" class="error-text">([^<]*)</small>', html)
    assert m, f"no error beside {control}"
    return html_module.unescape(m.group(1))


def _project_form(page: str, **fields) -> dict:
    form = {"csrf_token": csrf_from(page), "title_tr": "Yeni Ortak Yapım", "title_az": "Yeni Birgə İstehsal",
            "title_en": "New Joint Production", "kind": "series", "status": "production",
            "reporting_currency": "eur", "rule_set": "", "footage_rate_per_minute": "90.00",
            "party-0-organisation": TR_ORG, "party-0-role": "lead", "party-0-share": "60",
            "party-1-organisation": AZ_ORG, "party-1-role": "co_producer", "party-1-share": "40"}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


# ---- a new project -------------------------------------------------------------------------

def test_a_producer_creates_a_project_through_the_form(app, sides):
    tr, _az = sides
    browser = _browser(app, tr.user_id, "en")
    assert 'href="/projects/new"' in browser.get("/projects").get_data(as_text=True)
    page = browser.get("/projects/new").get_data(as_text=True)
    assert 'id="p-party-1-share"' in page and f'<option value="{TR_ORG}" selected' in page
    resp = browser.post("/projects/new", data=_project_form(page))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.app_context():
        project = db.session().scalar(select(Project))
        assert project.title == {"tr": "Yeni Ortak Yapım", "az": "Yeni Birgə İstehsal", "en": "New Joint Production"}
        assert (project.kind, project.status, project.reporting_currency, project.footage_rate_minor) == \
            ("series", "production", "EUR", 9000)
        assert [(p.organisation.name, p.role, str(p.share)) for p in project.parties] == \
            [(TR_ORG, "lead", "60"), (AZ_ORG, "co_producer", "40")]
        assert resp.headers["Location"].endswith(f"/projects/{project.id}")
        events = db.session().scalars(select(Event.action).where(Event.subject_id == project.id)).all()
    assert events == ["project.created"]
    html = browser.get(resp.headers["Location"]).get_data(as_text=True)
    assert "The project is created." in html and f"A co-production of {TR_ORG} and {AZ_ORG}" in html


def test_party_rows_are_added_and_removed_without_storing_anything(app, sides):
    tr, _az = sides
    browser = _browser(app, tr.user_id, "tr")
    page = browser.get("/projects/new").get_data(as_text=True)
    added = browser.post("/projects/new", data=_project_form(page, row_action="add"))
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and 'id="p-party-2-organisation"' in html
    assert 'value="Yeni Ortak Yapım"' in html and 'value="60"' in html  # what was typed stays
    removed = browser.post("/projects/new", data=_project_form(page, row_action="remove-0", **{
        "party-2-organisation": "", "party-2-role": "co_producer", "party-2-share": ""}))
    html = removed.get_data(as_text=True)
    assert removed.status_code == 200 and 'id="p-party-2-organisation"' not in html
    assert f'<option value="{AZ_ORG}" selected' in html and f'<option value="{TR_ORG}" selected' not in html
    # A fully empty row is left out when the project is created.
    resp = browser.post("/projects/new", data=_project_form(page, **{
        "party-2-organisation": "", "party-2-role": "contributor", "party-2-share": ""}))
    assert resp.status_code == 302
    assert _count(app, Project) == 1 and _count(app, Party) == 2


@pytest.mark.parametrize("lang,sentence", [
    ("en", "The agreed shares add up to 90, not 100."),
    ("tr", "Kararlaştırılan payların toplamı 100 değil, 90."),
    ("az", "Razılaşdırılmış payların cəmi 100 deyil, 90."),
])
def test_shares_not_summing_to_100_are_refused_beside_the_parties(app, sides, lang, sentence):
    tr, _az = sides
    browser = _browser(app, tr.user_id, lang)
    page = browser.get("/projects/new").get_data(as_text=True)
    resp = browser.post("/projects/new", data=_project_form(page, **{"party-1-share": "30"}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert sentence in html and 'id="p-parties-error"' in html and sentence in _parties_error(html)
    assert 'value="30"' in html  # kept
    assert _count(app, Project) == 0 and _count(app, Party) == 0


def _parties_error(html: str) -> str:
    return re.search(r'<small id="p-parties-error" class="error-text">([^<]*)</small>', html).group(1)


def test_every_mistake_of_the_project_form_beside_its_field(app, sides):
    tr, _az = sides
    browser = _browser(app, tr.user_id, "en")
    page = browser.get("/projects/new").get_data(as_text=True)
    resp = browser.post("/projects/new", data=_project_form(
        page, title_tr="", title_az="", title_en="", reporting_currency="XYZ", footage_rate_per_minute="-5",
        **{"party-1-share": "abc", "party-1-role": "boss"}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "ISO 4217" in _error_beside(html, "p-reporting_currency")
    assert "more than zero" in _error_beside(html, "p-footage_rate_per_minute")
    assert "number written with digits" in _error_beside(html, "p-party-1-share")
    assert "must be one of" in _error_beside(html, "p-party-1-role")
    assert "Title" in re.search(r'<small id="p-title-error" class="error-text">([^<]*)</small>', html).group(1)
    assert html.count('href="#p-') >= 5  # the summary links to each field
    assert _count(app, Project) == 0


def test_one_country_only_and_a_project_of_other_organisations(app, sides, make_user):
    tr, _az = sides
    make_user("producer", "TR", org="Başka Kanal")
    make_user("producer", "AZ", org="Xəzər TV")
    browser = _browser(app, tr.user_id, "en")
    page = browser.get("/projects/new").get_data(as_text=True)
    resp = browser.post("/projects/new", data=_project_form(page, **{"party-1-organisation": "Başka Kanal"}))
    assert resp.status_code == 422 and "parties of both countries" in _parties_error(resp.get_data(as_text=True))
    # A producer may not create a project their organisation is not a party of (as the API).
    resp = browser.post("/projects/new", data=_project_form(page, **{"party-0-organisation": "Başka Kanal"},
                                                            **{"party-1-organisation": "Xəzər TV"}))
    assert resp.status_code == 403 and "Your organisation is not a party" in resp.get_data(as_text=True)
    assert _count(app, Project) == 0


def test_who_may_create_a_project(app, sides, make_user):
    tr, _az = sides
    broadcaster, _ = make_user("broadcaster", "TR", org=TR_ORG)
    viewer = _browser(app, broadcaster, "az")
    assert 'href="/projects/new"' not in viewer.get("/projects").get_data(as_text=True)
    assert viewer.get("/projects/new").status_code == 403
    page = _browser(app, tr.user_id).get("/projects/new").get_data(as_text=True)
    own_token = csrf_from(viewer.get("/projects").get_data(as_text=True))
    resp = viewer.post("/projects/new", data=_project_form(page) | {"csrf_token": own_token})
    assert resp.status_code == 403 and _count(app, Project) == 0
    # Logged out: to the login page; without the CSRF token: 400.
    assert app.test_client().get("/projects/new").status_code == 302
    assert app.test_client().post("/projects/new", data={}).status_code in (302, 400)
    browser = _browser(app, tr.user_id)
    form = _project_form(page)
    del form["csrf_token"]
    assert browser.post("/projects/new", data=form).status_code == 400 and _count(app, Project) == 0


def test_an_admin_creates_a_project_of_two_other_organisations(app, sides, make_user):
    admin, _ = make_user("admin", "TR", org="Ortak Yönetim")
    browser = _browser(app, admin)
    page = browser.get("/projects/new").get_data(as_text=True)
    resp = browser.post("/projects/new", data=_project_form(page))
    assert resp.status_code == 302 and _count(app, Project) == 1


# ---- the project page's small forms ----------------------------------------------------------

def _page(browser, coprod) -> str:
    return browser.get(f"/projects/{coprod.project_id}").get_data(as_text=True)


def test_status_form(app, coprod):
    browser = _browser(app, coprod.az.user_id, "az")
    page = _page(browser, coprod)
    resp = browser.post(f"/projects/{coprod.project_id}/status", data={"csrf_token": csrf_from(page),
                                                                         "status": "post_production"})
    assert resp.status_code == 302
    assert coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["status"] == "post_production"
    assert '<option value="post_production" selected' in _page(browser, coprod)
    bad = browser.post(f"/projects/{coprod.project_id}/status", data={"csrf_token": csrf_from(page),
                                                                        "status": "cancelled"})
    assert bad.status_code == 422
    assert _error_beside(bad.get_data(as_text=True), "s-status") == \
        "Vəziyyət bunlardan biri olmalıdır: İnkişaf, İstehsal, Post-prodakşn, Təhvil verildi."
    assert coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["status"] == "post_production"
    with app.app_context():
        assert db.session().scalars(select(Event.action).where(Event.action == "project.status_changed")).all() \
            == ["project.status_changed"]


@pytest.mark.parametrize("lang,sentence", [("en", "Amount must be more than zero."),
                                           ("tr", "Tutar sıfırdan büyük olmalı."),
                                           ("az", "Məbləğ sıfırdan böyük olmalıdır.")])
def test_budget_form_refuses_a_negative_planned_amount(app, coprod, lang, sentence):
    browser = _browser(app, coprod.tr.user_id, lang)
    page = _page(browser, coprod)
    before = _count(app, BudgetLine)
    bad = browser.post(f"/projects/{coprod.project_id}/budget", data={
        "csrf_token": csrf_from(page), "category": "Montaj", "amount": "-100.00", "currency": "AZN"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and _error_beside(html, "b-amount") == sentence
    assert 'value="Montaj"' in html and _count(app, BudgetLine) == before


def test_budget_form_good_and_unknown_currency(app, coprod):
    browser = _browser(app, coprod.tr.user_id, "en")
    page = _page(browser, coprod)
    bad = browser.post(f"/projects/{coprod.project_id}/budget", data={
        "csrf_token": csrf_from(page), "category": "Montaj", "amount": "100.00", "currency": "XYZ"})
    assert bad.status_code == 422 and "ISO 4217" in _error_beside(bad.get_data(as_text=True), "b-currency")
    dup = browser.post(f"/projects/{coprod.project_id}/budget", data={
        "csrf_token": csrf_from(page), "category": "Shooting", "amount": "1.00", "currency": "EUR"})
    assert dup.status_code == 422 and "exists already" in _error_beside(dup.get_data(as_text=True), "b-category")
    ok = browser.post(f"/projects/{coprod.project_id}/budget", data={
        "csrf_token": csrf_from(page), "category": "Montaj", "amount": "25000.50", "currency": "azn"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("#budget")
    budget = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["budget"]
    assert budget[-1] == {"id": budget[-1]["id"], "category": "Montaj", "planned": "25000.50", "currency": "AZN"}


def test_milestone_form_and_marking_done(app, coprod):
    browser = _browser(app, coprod.az.user_id, "en")
    page = _page(browser, coprod)
    bad = browser.post(f"/projects/{coprod.project_id}/milestones", data={
        "csrf_token": csrf_from(page), "title": "Montaj biter", "due": "2027-06-01", "owner": "Başka Kanal"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert _error_beside(html, "m-owner") == "The owner must be one of the project's parties."
    assert _count(app, Milestone) == 1
    bad = browser.post(f"/projects/{coprod.project_id}/milestones", data={
        "csrf_token": csrf_from(page), "title": "", "due": "2027-02-30"})
    html = bad.get_data(as_text=True)
    assert "Title is required." in _error_beside(html, "m-title") and "real date" in _error_beside(html, "m-due")
    ok = browser.post(f"/projects/{coprod.project_id}/milestones", data={
        "csrf_token": csrf_from(page), "title": "Montaj biter", "due": "2027-06-01", "owner": AZ_ORG})
    assert ok.status_code == 302
    milestones = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["milestones"]
    added = next(m for m in milestones if m["title"] == "Montaj biter")
    assert (added["owner"], added["done"]) == (AZ_ORG, False)
    page = _page(browser, coprod)
    assert f'/milestones/{added["id"]}/done' in page
    done = browser.post(f"/projects/{coprod.project_id}/milestones/{added['id']}/done",
                        data={"csrf_token": csrf_from(page), "done": "1"})
    assert done.status_code == 302
    milestones = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["milestones"]
    assert next(m for m in milestones if m["id"] == added["id"])["done"] is True
    forged = browser.post(f"/projects/{coprod.project_id}/milestones/{added['id']}/done",
                          data={"csrf_token": csrf_from(page), "done": "perhaps"})
    assert forged.status_code == 422
    assert browser.post(f"/projects/{coprod.project_id}/milestones/999999/done",
                        data={"csrf_token": csrf_from(page), "done": "1"}).status_code == 404


def test_footage_form_links_a_whole_asset_and_a_segment(app, coprod):
    asset = footage_asset(app, coprod.tr.user_id, duration=120.0)
    browser = _browser(app, coprod.tr.user_id, "en")
    page = _page(browser, coprod)
    resp = browser.post(f"/projects/{coprod.project_id}/footage", data={"csrf_token": csrf_from(page),
                                                                          "asset_id": asset})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#footage")
    resp = browser.post(f"/projects/{coprod.project_id}/footage", data={
        "csrf_token": csrf_from(page), "asset_id": asset, "in": "00:00:10:00", "out": "00:00:20:12"})
    assert resp.status_code == 302
    again = browser.post(f"/projects/{coprod.project_id}/footage", data={
        "csrf_token": csrf_from(page), "asset_id": asset, "in": "00:00:10:00", "out": "00:00:20:12"})
    assert again.status_code == 302 and _count(app, ProjectFootage) == 2  # linking twice changes nothing
    doc = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()
    assert doc["footage"] == [{"id": asset, "title": doc["footage"][0]["title"], "kind": doc["footage"][0]["kind"],
                               "whole": True, "segments": [{"in": "00:00:10:00", "out": "00:00:20:12"}]}]
    html = _page(browser, coprod)
    assert "00:00:10:00–00:00:20:12" in html
    # The asset page names the project once, with its credit.
    asset_page = browser.get(f"/assets/{asset}").get_data(as_text=True)
    assert asset_page.count(f'href="/projects/{coprod.project_id}"') == 1
    assert f"A co-production of {TR_ORG} and {AZ_ORG}" in asset_page


def test_footage_form_refuses_bad_segments_and_assets_of_no_party(app, coprod, make_user):
    outsider, _ = make_user("producer", "TR", org="Başka Kanal")
    foreign = footage_asset(app, outsider)
    asset = footage_asset(app, coprod.tr.user_id, duration=30.0, data=b"short" * 300)
    browser = _browser(app, coprod.tr.user_id, "tr")
    page = _page(browser, coprod)
    url = f"/projects/{coprod.project_id}/footage"
    resp = browser.post(url, data={"csrf_token": csrf_from(page), "asset_id": foreign})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "tarafı olmayan bir kuruluşa ait" in html
    resp = browser.post(url, data={"csrf_token": csrf_from(page), "asset_id": asset, "in": "1 dakika",
                                   "out": "00:00:40:00"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "00:01:30:12" in _error_beside(html, "f-in")
    resp = browser.post(url, data={"csrf_token": csrf_from(page), "asset_id": asset, "in": "00:00:10:00",
                                   "out": "00:00:40:00"})
    assert resp.status_code == 422 and _error_beside(resp.get_data(as_text=True), "f-out")
    resp = browser.post(url, data={"csrf_token": csrf_from(page), "asset_id": asset, "in": "00:00:10:00"})
    assert resp.status_code == 422 and _error_beside(resp.get_data(as_text=True), "f-out")
    resp = browser.post(url, data={"csrf_token": csrf_from(page), "asset_id": "no-such-asset"})
    assert resp.status_code == 422 or resp.status_code == 404
    assert _count(app, ProjectFootage) == 0


@pytest.mark.parametrize("path,data", [
    ("status", {"status": "delivered"}),
    ("budget", {"category": "Montaj", "amount": "1.00", "currency": "EUR"}),
    ("milestones", {"title": "X", "due": "2027-01-01"}),
    ("footage", {"asset_id": "x"}),
])
def test_the_small_forms_refuse_third_organisations_broadcasters_and_missing_csrf(app, coprod, make_user, path,
                                                                                   data):
    third, _ = make_user("producer", "AZ", org="Xəzər TV")
    broadcaster, _ = make_user("broadcaster", "AZ", org=AZ_ORG)
    party = _browser(app, coprod.tr.user_id)
    token = csrf_from(_page(party, coprod))
    before = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()
    outsider = _browser(app, third)
    token_o = csrf_from(outsider.get("/projects").get_data(as_text=True))
    assert outsider.post(f"/projects/{coprod.project_id}/{path}", data={"csrf_token": token_o, **data}).status_code \
        == 404
    viewer = _browser(app, broadcaster, "en")
    page = _page(viewer, coprod)
    assert 'id="budget-form"' not in page and 'id="status-form"' not in page  # nothing it may not use
    refused = viewer.post(f"/projects/{coprod.project_id}/{path}", data={"csrf_token": csrf_from(page), **data})
    assert refused.status_code == 403
    assert "Your account may not do this: recording co-production projects" in refused.get_data(as_text=True)
    assert party.post(f"/projects/{coprod.project_id}/{path}", data=data).status_code == 400
    assert party.post(f"/projects/{coprod.project_id}/{path}", data={"csrf_token": token[:-2], **data}).status_code \
        == 400
    assert coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json() == before


# ---- the same rules through the API ------------------------------------------------------------

def test_api_changes_the_status_and_links_segments(app, coprod):
    url = f"/api/v1/projects/{coprod.project_id}"
    resp = coprod.client.patch(url, json={"status": "delivered"}, headers=coprod.az.auth)
    assert resp.status_code == 200 and resp.get_json()["status"] == "delivered"
    assert coprod.client.patch(url, json=["production"], headers=coprod.tr.auth).status_code == 400
    for body in ({"status": "cancelled"}, {}, {"status": "production", "kind": "film"}):
        resp = coprod.client.patch(url, json=body, headers=coprod.tr.auth)
        assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "invalid_project", body
    asset = footage_asset(app, coprod.tr.user_id, duration=60.0)
    resp = coprod.post(f"{url}/footage", {"asset_id": asset, "in": "00:00:01.500", "out": "00:00:02:00"})
    assert resp.status_code == 201
    assert resp.get_json() == {"project_id": coprod.project_id, "asset_id": asset, "in": "00:00:01.500",
                               "out": "00:00:02:00"}
    for body, field, code in (({"asset_id": asset, "in": "00:00:01:00"}, "out", "required"),
                              ({"asset_id": asset, "in": "00:00:05:00", "out": "00:00:02:00"}, "out", "out_of_range"),
                              ({"asset_id": asset, "in": "00:00:01:30", "out": "00:00:02:00"}, "in",
                               "invalid_timecode"),  # frame 30 at 25 fps
                              ({"asset_id": asset, "in": 5, "out": 6}, "in", "invalid_timecode"),
                              ({"asset_id": asset, "note": "x"}, "note", "unknown_field"),
                              ({}, "asset_id", "required")):
        resp = coprod.post(f"{url}/footage", body)
        assert resp.status_code == 422, body
        errors = resp.get_json()["error"]["details"]["errors"]
        assert (errors[0]["field"], errors[0]["code"]) == (field, code), body
    assert coprod.post(f"{url}/footage", {"asset_id": "nope"}).status_code == 404
    assert _count(app, ProjectFootage) == 1
    with app.app_context():
        assert db.session().scalars(select(Event.action).where(Event.subject_id == coprod.project_id)
                                    .order_by(Event.id)).all()[-2:] == ["project.status_changed",
                                                                        "project.footage_added"]


def test_hostile_and_oversized_form_input_is_refused_not_a_500(app, sides):
    tr, _az = sides
    browser = _browser(app, tr.user_id, "en")
    page = browser.get("/projects/new").get_data(as_text=True)
    hostile = _project_form(page, title_tr="<script>alert(1)</script>" * 20, title_en="x" * 5000,
                            title_az="Nul\x00bayt", reporting_currency="€€€", kind="'; DROP TABLE x; --",
                            rule_set="../../etc/passwd", footage_rate_per_minute="1e400",
                            **{"party-0-share": "NaN", "party-1-share": "50" * 40, "party-99-organisation": "X",
                               "party-1-role": "lead\x00"})
    resp = browser.post("/projects/new", data=hostile)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "<script>alert(1)</script>" not in html
    assert "at most 300 characters" in _error_beside(html, "p-title-en")
    assert 'id="p-party-99' not in html and _count(app, Project) == 0
    # Removing a row that is not there redraws the form as it was; an action that is no row
    # action (junk, or none) submits it, and the shares (60 + 1) are refused beside the parties.
    resp = browser.post("/projects/new", data=_project_form(page, row_action="remove-99", **{"party-1-share": "1"}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and html.count("data-party-row=") == 2 and 'class="field-error"' not in html
    for action in ("remove-x", "add" * 100, ""):
        resp = browser.post("/projects/new", data=_project_form(page, row_action=action, **{"party-1-share": "1"}))
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422, action
        shares = re.search(r'id="p-parties-error"[^>]*>([^<]*)<', html)
        assert shares and shares.group(1).strip() == "The agreed shares add up to 61, not 100.", action
        assert html.count("data-party-row=") == 2, action
    assert _count(app, Project) == 0
    # Twenty rows at most, however many are sent.
    many = _project_form(page, **{f"party-{i}-organisation": f"Org {i}" for i in range(2, 40)},
                         **{f"party-{i}-share": "1" for i in range(2, 40)}, row_action="add")
    html = browser.post("/projects/new", data=many).get_data(as_text=True)
    assert html.count("data-party-row=") == 20 and 'id="add-party"' not in html


def test_the_contribution_and_rate_forms_show_their_errors_beside_the_fields(app, coprod):
    browser = _browser(app, coprod.tr.user_id, "az")
    page = _page(browser, coprod)
    bad = browser.post(f"/projects/{coprod.project_id}/contributions", data={
        "csrf_token": csrf_from(page), "party": TR_ORG, "kind": "crew", "currency": "TRY", "date": "2026-01-04",
        "crew_person": "Ayşe", "crew_function": "yönetmen", "crew_days": "-2", "crew_day_rate": "100.00",
        "crew_nationality": "XX", "crew_element": "director"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="form-errors"' in html  # the list at the top stays
    assert _error_beside(html, "c-days") == "Gün sıfırdan böyük olmalıdır."
    assert _error_beside(html, "c-nationality")
    assert '<option value="director" selected' in html  # what was chosen stays
    bad = browser.post(f"/projects/{coprod.project_id}/rates", data={
        "csrf_token": csrf_from(page), "currency": "XYZ", "date": "2026-01-04", "rate": "0.5", "source": "TCMB"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and _error_beside(html, "r-currency") and 'value="TCMB"' in html
    assert coprod.get(f"/api/v1/projects/{coprod.project_id}/rates").get_json()["items"] == []


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_a_refusal_on_a_coproduction_page_is_in_the_pages_language_only(app, sides, make_user, lang):
    """Trial finding (LOW, i18n): a refused co-production page printed the service's English
    sentence in small print under its translation ("Only producers and administrators may
    record co-production projects..." on a Turkish page)."""
    broadcaster = make_user("broadcaster", "TR", org=TR_ORG)
    page = _browser(app, broadcaster[0], lang).get("/projects/new")
    text = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "Only producers" not in text and "you are a broadcaster" not in text, text
    assert ("Hesabınız bunu yapamaz" if lang == "tr" else "Hesabınız bunu edə bilməz") in text
