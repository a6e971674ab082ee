"""The co-production API end to end: a project between a TR and an AZ broadcaster, its rates,
contributions of every kind, two-country sign-off, reversals, the parity dashboard and the
ledger's chain, through the HTTP API on the real database."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from sqlalchemy import func, select

from archive import db
from archive.assets.models import Asset
from archive.coproduction.models import LedgerEntry, ProjectFootage
from archive.events.models import Event
from tests.asset_factory import create_asset
from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, project_body, sides  # noqa: F401  (fixtures)


def footage_asset(app, user_id: int, *, duration: float = 120.0, frame_rate: str | None = "25/1",
                  lineage: dict | None = None, data: bytes | None = None, start_timecode: str | None = None) -> str:
    asset_id = create_asset(app, user_id, data or f"clip {user_id} {duration} {lineage}".encode() * 50)
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        asset.technical = {"duration": duration, **({"frame_rate": frame_rate} if frame_rate else {}),
                           **({"start_timecode": start_timecode} if start_timecode else {})}
        asset.lineage = lineage
        s.commit()
    return asset_id


def test_a_project_is_created_with_its_parties_budget_and_calendar(coprod):
    doc = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()
    assert doc["title"]["az"] == "Birgə Sənədli Film" and doc["kind"] == "documentary"
    assert [(p["organisation"], p["country"], p["role"], p["share"]) for p in doc["parties"]] == \
        [(TR_ORG, "TR", "lead", "50.00"), (AZ_ORG, "AZ", "co_producer", "50.00")]
    assert doc["footage_rate_per_minute"] == "120.00" and doc["reporting_currency"] == "EUR"
    assert [(b["category"], b["planned"], b["currency"]) for b in doc["budget"]] == \
        [("Shooting", "40000.00", "EUR"), ("Post-production", "500000.00", "TRY")]
    assert doc["milestones"][0]["owner"] == TR_ORG and doc["credit"]["text"] == f"A co-production of {TR_ORG} and {AZ_ORG}"
    assert coprod.get("/api/v1/projects", coprod.az).get_json()["items"][0]["id"] == coprod.project_id


def test_cash_in_try_counts_once_the_other_country_confirms(app, coprod):
    assert coprod.rate("TRY", "2026-01-02", "0.0270").status_code == 201
    resp = coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "100000.00", "currency": "TRY",
                              "date": "2026-01-04", "description": "Birinci taksit"})
    assert resp.status_code == 201 and resp.get_json()["status"] == "pending"
    entry = resp.get_json()["id"]
    board = coprod.parity()
    tr = board["parties"][0]
    assert (tr["confirmed"], tr["pending"], tr["confirmed_share"]) == ("0.00", "2700.00", None)
    doc = coprod.get(f"/api/v1/contributions/{entry}").get_json()
    assert doc["fx"] == {"rate": "0.0270", "date": "2026-01-02", "source": "TCMB"}  # the day before: a weekend
    assert doc["reporting_amount"] == "2700.00" and doc["amount"] == "100000.00"

    resp = coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az)
    assert resp.status_code == 200 and resp.get_json()["status"] == "confirmed"
    assert resp.get_json()["signoffs"][0]["country"] == "AZ"
    board = coprod.parity()
    assert board["reporting_currency"] == "EUR"
    assert [(p["organisation"], p["country"], p["agreed_share"], p["confirmed"], p["pending"], p["confirmed_share"])
            for p in board["parties"]] == [(TR_ORG, "TR", "50.00", "2700.00", "0.00", "100.00"),
                                           (AZ_ORG, "AZ", "50.00", "0.00", "0.00", "0.00")]
    assert [(c["country"], c["to_restore"]) for c in board["countries"]] == [("TR", "0.00"), ("AZ", "2700.00")]
    assert board["parties"][0]["by_kind"]["cash"] == {"confirmed": "2700.00", "pending": "0.00"}
    assert board["timeline"] == [{"month": "2026-01", "countries": {
        "TR": {"confirmed": "2700.00", "pending": "0.00"}, "AZ": {"confirmed": "0.00", "pending": "0.00"}},
        "cumulative": {"TR": "2700.00", "AZ": "0.00"}, "cumulative_share": {"TR": "100.00", "AZ": "0.00"},
        "agreed_share": {"TR": "50.00", "AZ": "50.00"}}]
    with app.app_context():
        actions = [e.action for e in db.session().scalars(select(Event).where(Event.subject_type == "contribution"))]
    assert actions == ["contribution.submitted", "contribution.confirmed"]


def test_footage_from_a_clip_is_valued_at_the_agreed_rate_per_minute(app, coprod):
    master = footage_asset(app, coprod.tr.user_id, duration=600.0)
    clip = footage_asset(app, coprod.tr.user_id, duration=90.0, lineage={"source_id": master, "in": 10, "out": 100})
    resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": clip, "date": "2026-01-10",
                              "in": "00:00:10:00", "out": "00:01:25:12"})
    assert resp.status_code == 201, resp.get_json()
    doc = coprod.get(f"/api/v1/contributions/{resp.get_json()['id']}").get_json()
    # 75.48 s at 120.00 EUR a minute = 150.96 EUR, in the reporting currency at 1.
    assert doc["basis"] == {"seconds": "75.480", "rate_per_minute": "120.00"}
    assert (doc["amount"], doc["currency"], doc["reporting_amount"]) == ("150.96", "EUR", "150.96")
    assert (doc["in"], doc["out"]) == ("00:00:10:00", "00:01:25:12")
    with app.app_context():
        assert db.session().scalar(select(ProjectFootage.asset_id)) == clip
    doc = coprod.get(f"/api/v1/assets/{clip}/projects", coprod.az).get_json()
    assert doc["projects"][0]["id"] == coprod.project_id and doc["projects"][0]["credit"]["organisations"] == \
        [TR_ORG, AZ_ORG]


def test_footage_timecodes_are_the_masters_with_its_start_and_drop_frame_counting(app, coprod):
    # Segments are read as markers and clips read them: 01:00:00;00 is the master's first frame.
    master = footage_asset(app, coprod.tr.user_id, duration=600.0, frame_rate="30000/1001",
                           start_timecode="01:00:00;00")
    resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": master, "date": "2026-01-10",
                              "in": "01:00:00;00", "out": "01:01:00;02"})
    assert resp.status_code == 201, resp.get_json()
    doc = coprod.get(f"/api/v1/contributions/{resp.get_json()['id']}").get_json()
    # 1800 frames at 30000/1001 = 60.06 s; at 120.00 EUR a minute = 120.12 EUR.
    assert doc["basis"] == {"seconds": "60.060", "rate_per_minute": "120.00"}
    assert doc["amount"] == "120.12"
    for seg, reason in (({"in": "01:00:00;00", "out": "01:01:00;01"}, "dropped_label"),
                        ({"in": "01:00:00:00", "out": "01:01:00;02"}, "drop_frame_mismatch")):
        bad = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": master, "date": "2026-01-10", **seg})
        entries = bad.get_json()["error"]["details"]["errors"]
        assert bad.status_code == 422 and [(e["code"], e["params"]["reason"]) for e in entries] == [
            ("invalid_timecode", reason)]


def test_crew_days_times_day_rate_with_nationality_and_a_service_in_kind(coprod):
    coprod.rate("AZN", "2026-02-02", "0.5400", "CBAR", side=coprod.az)
    resp = coprod.contribute({"party": AZ_ORG, "kind": "crew", "currency": "AZN", "date": "2026-02-02",
                              "crew": {"person": "Rəşad Məmmədov", "function": "operator", "days": "12",
                                       "day_rate": "250.00", "nationality": "AZ", "element": "cinematographer"}},
                             coprod.az)
    assert resp.status_code == 201, resp.get_json()
    doc = coprod.get(f"/api/v1/contributions/{resp.get_json()['id']}", coprod.az).get_json()
    assert (doc["amount"], doc["reporting_amount"]) == ("3000.00", "1620.00")
    assert doc["basis"]["nationality"] == "AZ" and doc["basis"]["element"] == "cinematographer"
    resp = coprod.contribute({"party": AZ_ORG, "kind": "service", "currency": "AZN", "date": "2026-02-02",
                              "service": {"category": "studio", "quantity": "3", "unit": "day",
                                          "unit_rate": "1200.50"}}, coprod.az)
    assert resp.status_code == 201
    doc = coprod.get(f"/api/v1/contributions/{resp.get_json()['id']}", coprod.az).get_json()
    assert (doc["amount"], doc["reporting_amount"]) == ("3601.50", "1944.81")
    mismatch = coprod.contribute({"party": AZ_ORG, "kind": "crew", "currency": "AZN", "date": "2026-02-02",
                                  "amount": "1.00", "crew": {"person": "X", "function": "y", "days": "2",
                                                             "day_rate": "10.00", "nationality": "AZ"}}, coprod.az)
    assert mismatch.status_code == 422
    assert mismatch.get_json()["error"]["details"]["errors"][0]["code"] == "amount_mismatch"


def test_dispute_answer_confirm_and_reversal(coprod):
    coprod.rate("TRY", "2026-01-04", "0.0270")
    entry = coprod.contribute({"party": TR_ORG, "kind": "rights", "amount": "10000.00", "currency": "TRY",
                               "date": "2026-01-04", "description": "Yayın hakkı"}).get_json()["id"]
    resp = coprod.post(f"/api/v1/contributions/{entry}/dispute", {"reason": "Lisans süresi belirtilmemiş"}, coprod.az)
    assert resp.status_code == 200 and resp.get_json()["status"] == "disputed"
    assert coprod.post(f"/api/v1/contributions/{entry}/answer", {"reason": "x"}, coprod.az).status_code == 403
    resp = coprod.post(f"/api/v1/contributions/{entry}/answer", {"reason": "Süre 5 yıl"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "answered"
    assert coprod.post(f"/api/v1/contributions/{entry}/answer", {"reason": "again"}).get_json()["error"]["code"] == \
        "not_disputed"
    assert coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az).get_json()["status"] == "confirmed"
    assert coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az).get_json()["error"]["code"] == \
        "already_confirmed"
    assert coprod.parity()["totals"] == {"confirmed": "270.00", "pending": "0.00"}

    resp = coprod.post(f"/api/v1/contributions/{entry}/reverse", {"reason": "Yanlış kalem"})
    assert resp.status_code == 201
    reversal = resp.get_json()
    assert (reversal["status"], reversal["amount"], reversal["reporting_amount"], reversal["reverses"]) == \
        ("reversal", "-10000.00", "-270.00", entry)
    assert coprod.get(f"/api/v1/contributions/{entry}").get_json()["status"] == "reversed"
    assert coprod.parity()["totals"] == {"confirmed": "0.00", "pending": "0.00"}
    listing = coprod.get(f"/api/v1/projects/{coprod.project_id}/contributions").get_json()
    assert [i["status"] for i in listing["items"]] == ["reversal", "reversed"] and listing["total"] == 2
    verify = coprod.get(f"/api/v1/projects/{coprod.project_id}/ledger/verify").get_json()
    # contribution, dispute, answer, confirmation, reversal
    assert verify == {"intact": True, "entries": 5, "head": listing["head"], "first_bad": None}


def test_only_the_other_country_signs_off(coprod, make_user):
    coprod.rate("TRY", "2026-01-04", "0.0270")
    entry = coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "5.00", "currency": "TRY",
                               "date": "2026-01-04"}).get_json()["id"]
    # A second TR organisation in the project would still be TR: the rule is by country, not organisation.
    for verb in ("confirm", "dispute"):
        resp = coprod.post(f"/api/v1/contributions/{entry}/{verb}", {"reason": "r"}, coprod.tr)
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "own_country"
    assert coprod.get(f"/api/v1/contributions/{entry}").get_json()["signoffs"] == []


def test_budget_lines_against_confirmed_actuals(coprod):
    coprod.rate("TRY", "2026-01-04", "0.0270")
    entry = coprod.contribute({"party": TR_ORG, "kind": "service", "amount": "200000.00", "currency": "TRY",
                               "date": "2026-01-04", "budget_category": "Post-production",
                               "service": {"category": "post_production"}}).get_json()["id"]
    coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az)
    budget = {b["category"]: b for b in coprod.parity()["budget"]}
    assert budget["Post-production"]["planned_reporting"] == "13500.00"  # at the newest TRY rate
    assert budget["Post-production"]["actual"] == "5400.00" and budget["Shooting"]["actual"] == "0.00"
    assert budget["Shooting"]["rate"]["source"] == "reporting currency"


def test_treaty_rule_set_points_from_confirmed_crew(client, sides):
    tr, az = sides
    resp = client.post("/api/v1/projects", json=project_body(rule_set="coe_2017_bilateral"), headers=tr.auth)
    assert resp.status_code == 201, resp.get_json()
    pid = resp.get_json()["id"]
    body = {"party": TR_ORG, "kind": "crew", "currency": "EUR", "date": "2026-01-04",
            "crew": {"person": "Ayşe", "function": "yönetmen", "days": "30", "day_rate": "500.00",
                     "nationality": "TR", "element": "director"}}
    entry = client.post(f"/api/v1/projects/{pid}/contributions", json=body, headers=tr.auth).get_json()["id"]
    rules = client.get(f"/api/v1/projects/{pid}/parity", headers=tr.auth).get_json()["rules"]
    assert rules["points"]["points"] == "0" and rules["checked"] is False and "CETS No. 220" in rules["citation"]
    client.post(f"/api/v1/contributions/{entry}/confirm", headers=az.auth)
    rules = client.get(f"/api/v1/projects/{pid}/parity", headers=tr.auth).get_json()["rules"]
    assert rules["points"]["by_country"] == {"TR": "3"} and rules["points"]["qualifies"] is False
    assert rules["points"]["needed"] == 15 and rules["points"]["total"] == 19
    assert [(x["organisation"], x["confirmed_share"], x["within"]) for x in rules["limits"]] == \
        [(TR_ORG, "100.00", False), (AZ_ORG, "0.00", False)]


def test_the_chain_names_a_tampered_or_deleted_record(app, coprod):
    coprod.rate("TRY", "2026-01-04", "0.0270")
    ids = [coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": f"{n}.00", "currency": "TRY",
                              "date": "2026-01-04"}).get_json()["id"] for n in (10, 20, 30)]
    path = f"/api/v1/projects/{coprod.project_id}/ledger/verify"
    assert coprod.get(path).get_json()["intact"] is True
    with app.app_context():
        s = db.session()
        # Behind the service's back: raise an amount (SQL, not the ORM, which refuses any update).
        s.execute(LedgerEntry.__table__.update().where(LedgerEntry.id == ids[1]).values(amount_minor=999999))
        s.commit()
    bad = coprod.get(path).get_json()
    assert bad["intact"] is False and bad["first_bad"]["id"] == ids[1] and "altered" in bad["first_bad"]["reason"]
    with app.app_context():
        s = db.session()
        s.execute(LedgerEntry.__table__.update().where(LedgerEntry.id == ids[1]).values(amount_minor=2000))
        s.execute(LedgerEntry.__table__.delete().where(LedgerEntry.id == ids[0]))
        s.commit()
    bad = coprod.get(path).get_json()
    assert bad["first_bad"]["id"] == ids[1] and "deleted" in bad["first_bad"]["reason"]


def test_chains_of_two_projects_are_independent(client, sides, coprod):
    tr, _az = sides
    other = client.post("/api/v1/projects", json=project_body(), headers=tr.auth).get_json()["id"]
    for pid in (coprod.project_id, other, coprod.project_id):
        client.post(f"/api/v1/projects/{pid}/contributions", headers=tr.auth, json={
            "party": TR_ORG, "kind": "cash", "amount": "1.00", "currency": "EUR", "date": "2026-01-04"})
    for pid, n in ((coprod.project_id, 2), (other, 1)):
        doc = client.get(f"/api/v1/projects/{pid}/ledger/verify", headers=tr.auth).get_json()
        assert doc["intact"] and doc["entries"] == n


def test_reports_carry_the_head_hash_and_the_confirmed_totals(app, coprod):
    import subprocess
    from io import BytesIO

    from openpyxl import load_workbook

    coprod.rate("TRY", "2026-01-04", "0.0270")
    entry = coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "100000.00", "currency": "TRY",
                               "date": "2026-01-04"}).get_json()["id"]
    coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az)
    head = coprod.get(f"/api/v1/projects/{coprod.project_id}/ledger/verify").get_json()["head"]
    texts = {}
    slugs = {"tr": "ortak-belgesel", "az": "birge-senedli-film", "en": "joint-documentary"}
    for lang in ("tr", "az", "en"):
        resp = coprod.get(f"/api/v1/projects/{coprod.project_id}/report?format=pdf&lang={lang}")
        assert resp.status_code == 200 and resp.mimetype == "application/pdf" and resp.headers["Ortak-Ledger-Head"] == head
        assert f"ortak-plan-{slugs[lang]}-{lang}.pdf" in resp.headers["Content-Disposition"]
        texts[lang] = subprocess.run(["pdftotext", "-layout", "-", "-"], input=resp.data, capture_output=True,
                                     check=True).stdout.decode()
        assert head in texts[lang]
    assert "2.700,00" in texts["tr"] and "2,700.00" in texts["en"]
    assert "Commission plan report" in texts["en"] and "Commission plan report" not in texts["tr"]
    resp = coprod.get(f"/api/v1/projects/{coprod.project_id}/report?format=xlsx&lang=az")
    book = load_workbook(BytesIO(resp.data))
    assert any(head in [str(c.value) for c in row] for row in book.worksheets[0].iter_rows())
    contributions = book.worksheets[2]
    values = [[c.value for c in row] for row in contributions.iter_rows(min_row=2)]
    assert values[0][2] == TR_ORG and Decimal(str(values[0][8])) == Decimal("2700.00")
    assert contributions.cell(row=2, column=9).number_format == "#,##0.00########"


def test_commission_meetings_warn_when_one_country_hosts_twice_in_a_row(coprod):
    for date, city, host in (("2026-03-01", "Ankara", "TR"), ("2026-06-01", "Bakı", "AZ"),
                             ("2026-09-01", "Gəncə", "AZ")):
        resp = coprod.post("/api/v1/commission/meetings", {
            "date": date, "city": city, "host_country": host, "attendees": ["Ayşe Yılmaz", "Rəşad Məmmədov"],
            "decisions": ["Bütçe onaylandı"], "projects": [coprod.project_id]})
        assert resp.status_code == 201, resp.get_json()
    items = coprod.get("/api/v1/commission/meetings", coprod.az).get_json()["items"]
    assert [(m["city"], m["same_host_as_previous"]) for m in items] == [("Ankara", False), ("Bakı", False),
                                                                       ("Gəncə", True)]
    assert items[2]["warning"]
    meeting = items[0]["id"]
    pdf = b"%PDF-1.4 minutes of the meeting"
    resp = coprod.client.put(f"/api/v1/commission/meetings/{meeting}/minutes", data=pdf,
                             headers={**coprod.tr.auth, "Content-Type": "application/pdf",
                                      "Ortak-Filename": "tutanak.pdf"})
    assert resp.status_code == 201 and resp.get_json()["minutes"]["filename"] == "tutanak.pdf"
    got = coprod.get(f"/api/v1/commission/meetings/{meeting}/minutes", coprod.az)
    assert got.status_code == 200 and got.data == pdf and got.mimetype == "application/pdf"
    again = coprod.client.put(f"/api/v1/commission/meetings/{meeting}/minutes", data=pdf,
                              headers={**coprod.tr.auth, "Content-Type": "application/pdf"})
    assert again.status_code == 409


def test_ledger_records_are_append_only_in_the_model_too(app, coprod):
    import pytest

    from archive.coproduction.models import AppendOnly

    coprod.contribute({"party": TR_ORG, "kind": "cash", "amount": "1.00", "currency": "EUR", "date": "2026-01-04"})
    with app.app_context():
        s = db.session()
        entry = s.scalar(select(LedgerEntry))
        entry.amount_minor = 5
        with pytest.raises(AppendOnly):
            s.flush()
        s.rollback()
        entry = s.scalar(select(LedgerEntry))
        s.delete(entry)
        with pytest.raises(AppendOnly):
            s.flush()
        s.rollback()
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_search_filters_by_project(app, coprod):
    from archive.indexing import index_asset
    from archive.backends import search_backend

    inside = footage_asset(app, coprod.tr.user_id)
    outside = footage_asset(app, coprod.tr.user_id, duration=33.0)
    assert coprod.post(f"/api/v1/projects/{coprod.project_id}/footage", {"asset_id": inside}).status_code == 201
    with app.app_context():
        for asset_id in (inside, outside):
            index_asset(db.session(), search_backend(), asset_id)
    found = coprod.get(f"/api/v1/search?project={coprod.project_id}").get_json()
    assert [h["id"] for h in found["hits"]] == [inside]
    assert coprod.get("/api/v1/search").get_json()["facets"]["project"] == {coprod.project_id: 1}
    assert coprod.get("/api/v1/search?project=not-a-uuid").status_code == 400
    page = app.test_client()
    from tests.unit.web.conftest import log_in

    with app.app_context():
        from archive.accounts.models import User

        email = db.session().get(User, coprod.tr.user_id).email
    log_in(page, email)
    html = page.get(f"/?project={coprod.project_id}").get_data(as_text=True)
    assert "Ortak Belgesel" in html  # the facet's value is shown by the project's title


def test_a_footage_contribution_links_its_segment_and_its_reversal_unlinks_it(app, coprod):
    """A contribution of 10 s of an asset links those 10 s (`whole` false), not the asset; its
    reversal removes the link it made, so search `project=` and the asset's projects no longer
    name the project. A link made by POST …/footage stays after a contribution is reversed."""
    from archive.backends import search_backend
    from archive.indexing import index_asset

    master = footage_asset(app, coprod.az.user_id, duration=32.0)
    kept = footage_asset(app, coprod.az.user_id, duration=40.0)
    segment = {"party": AZ_ORG, "kind": "footage", "date": "2026-01-10", "in": "00:00:02:00", "out": "00:00:12:00",
               "description": "Arxiv görüntüsü"}
    entry = coprod.contribute({**segment, "asset_id": master}, coprod.az)
    assert entry.status_code == 201, entry.get_json()
    footage = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["footage"]
    assert footage == [{"id": master, "title": footage[0]["title"], "kind": "video", "whole": False,
                        "segments": [{"in": "00:00:02:00", "out": "00:00:12:00"}]}]
    # The same segment linked by hand stays when the contribution of `kept` is reversed.
    assert coprod.post(f"/api/v1/projects/{coprod.project_id}/footage",
                       {"asset_id": kept, "in": "00:00:02:00", "out": "00:00:12:00"}, coprod.az).status_code == 201
    other = coprod.contribute({**segment, "asset_id": kept}, coprod.az).get_json()["id"]

    def indexed_hits():
        with app.app_context():
            for asset_id in (master, kept):
                index_asset(db.session(), search_backend(), asset_id)
        return {h["id"] for h in coprod.get(f"/api/v1/search?project={coprod.project_id}").get_json()["hits"]}

    assert indexed_hits() == {master, kept}
    for done in (entry.get_json()["id"], other):
        assert coprod.post(f"/api/v1/contributions/{done}/reverse", {"reason": "yanlış seqment"},
                           coprod.az).status_code == 201
    footage = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["footage"]
    assert [(f["id"], f["whole"], f["segments"]) for f in footage] == \
        [(kept, False, [{"in": "00:00:02:00", "out": "00:00:12:00"}])]
    assert coprod.get(f"/api/v1/assets/{master}/projects", coprod.az).get_json()["projects"] == []
    assert coprod.get(f"/api/v1/assets/{kept}/projects", coprod.az).get_json()["projects"][0]["id"] == \
        coprod.project_id
    assert indexed_hits() == {kept}


def test_a_footage_contribution_from_in_to_the_end_links_an_open_segment(app, coprod):
    """Only `in` given: the segment runs to the asset's end; the link says `out` null and the
    project page shows it open-ended, not "None"."""
    from tests.unit.web.conftest import log_in
    from tests.unit.web.test_coproduction_pages import _email

    master = footage_asset(app, coprod.tr.user_id, duration=32.0)
    resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": master, "date": "2026-01-10",
                              "in": "00:00:30:00"})
    assert resp.status_code == 201, resp.get_json()
    footage = coprod.get(f"/api/v1/projects/{coprod.project_id}").get_json()["footage"]
    assert [(f["id"], f["whole"], f["segments"]) for f in footage] == [(master, False, [{"in": "00:00:30:00",
                                                                                          "out": None}])]
    browser = app.test_client()
    assert log_in(browser, _email(app, coprod.tr.user_id)).status_code == 302
    page = browser.get(f"/projects/{coprod.project_id}").get_data(as_text=True)
    assert '<span class="mono" data-role="segment">· 00:00:30:00–…</span>' in page and "None" not in page


def test_a_meeting_names_only_projects_its_recorder_and_its_reader_may_see(coprod, make_user):
    """Trial finding (HIGH, across organisations): a producer of no party could file a meeting,
    with decisions of their own, on another organisations' project (it then showed in that
    project's plan report), and the meetings' list named every project to every member."""
    outsider = make_user("producer", "AZ", org="ATV")
    outside = {"Authorization": f"Bearer {outsider[1]}"}
    meeting = {"date": "2026-12-20", "city": "Bakı", "host_country": "AZ", "attendees": ["X"],
               "decisions": ["Büdcə ləğv edildi"], "projects": [coprod.project_id]}
    resp = coprod.client.post("/api/v1/commission/meetings", json=meeting, headers=outside)
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_meeting" and error["details"]["field"] == "projects[0]"
    # the same answer as for an id that names no project: nothing tells the project exists
    unknown = coprod.client.post("/api/v1/commission/meetings", json={**meeting, "projects": ["0" * 32]},
                                 headers=outside).get_json()["error"]
    assert unknown["details"]["errors"][0]["code"] == error["details"]["errors"][0]["code"] == "project_not_found"
    report = coprod.get(f"/api/v1/projects/{coprod.project_id}/report?format=xlsx&lang=en")
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.data))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
    assert "Bakı" not in cells and "Büdcə ləğv edildi" not in cells
    # a party files it; the outsider sees the meeting (the commission's) but not the project's id
    assert coprod.post("/api/v1/commission/meetings", {**meeting, "decisions": ["Bütçe onaylandı"]}).status_code == 201
    [seen] = coprod.client.get("/api/v1/commission/meetings", headers=outside).get_json()["items"]
    assert seen["decisions"] == ["Bütçe onaylandı"] and seen["projects"] == []
    [party_view] = coprod.get("/api/v1/commission/meetings", coprod.az).get_json()["items"]
    assert party_view["projects"] == [coprod.project_id]


def test_a_meetings_minutes_are_stored_by_its_recorders_organisation_or_an_admin(coprod, make_user):
    """Trial finding (MED, across organisations): minutes are stored once, and any producer of
    any organisation could store them first for a meeting another organisation recorded, so
    that the recorder could never put the real minutes there."""
    outsider = make_user("producer", "AZ", org="ATV")
    resp = coprod.post("/api/v1/commission/meetings", {"date": "2026-12-21", "city": "Ankara", "host_country": "TR",
                                                       "attendees": ["Ayşe"], "decisions": ["Karar"]})
    assert resp.status_code == 201, resp.get_json()
    url = f"/api/v1/commission/meetings/{resp.get_json()['id']}/minutes"
    for who in ({"Authorization": f"Bearer {outsider[1]}"}, coprod.az.auth):
        squat = coprod.client.put(url, data=b"sahte tutanak", headers={**who, "Content-Type": "text/plain"})
        assert squat.status_code == 403 and squat.get_json()["error"]["code"] == "not_meeting_recorder"
    assert coprod.get(url).status_code == 404  # nothing was stored
    colleague = make_user("producer", "TR", org=TR_ORG)
    stored = coprod.client.put(url, data=b"Tutanak", headers={"Authorization": f"Bearer {colleague[1]}",
                                                              "Content-Type": "text/plain"})
    assert stored.status_code == 201, stored.get_json()
    assert coprod.get(url, coprod.az).data == b"Tutanak"


def test_a_plan_report_names_its_maker_without_their_email(coprod):
    """Trial 2026-12-01: the plan report, which goes to the other parties, named a maker
    without a display name by their e-mail address. It says "a user of ORGANISATION"."""
    report = coprod.get(f"/api/v1/projects/{coprod.project_id}/report?format=xlsx&lang=en")
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.data))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert not [c for c in cells if "@" in c]
    assert f"a user of {coprod.tr.org}" in cells
