"""Bad input to the co-production API: every refusal is a 4xx in the error shape, and nothing is
stored half-way (no ledger record, no project, no Event, the chain's head unchanged)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from archive import db
from archive.coproduction.models import ExchangeRate, LedgerEntry, Party, Project
from archive.events.models import Event
from tests.coproduction_fixtures import AZ_ORG, TR_ORG, coprod, project_body, sides  # noqa: F401  (fixtures)
from tests.functional.test_coproduction_api import footage_asset

CASH = {"party": TR_ORG, "kind": "cash", "amount": "100.00", "currency": "EUR", "date": "2026-01-04"}


def counts(app) -> tuple[int, int, int, int]:
    with app.app_context():
        s = db.session()
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Project, LedgerEntry, Event, ExchangeRate))


def error(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.get_json())
    body = resp.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def field_codes(resp) -> dict[str, str]:
    return {e["field"]: e["code"] for e in resp.get_json()["error"]["details"]["errors"]}


def all_codes(resp) -> list[str]:
    return [e["code"] for e in resp.get_json()["error"]["details"]["errors"]]


@pytest.mark.parametrize("parties, code", [
    ([("TRT", "lead", "60"), ("İTV", "co_producer", "50")], "shares_not_100"),
    ([("TRT", "lead", "50"), ("İTV", "co_producer", "49.99")], "shares_not_100"),
    ([("TRT", "lead", "100")], "not_a_list"),
    ([("TRT", "lead", "50.001"), ("İTV", "co_producer", "49.999")], "too_precise"),
    ([("TRT", "lead", "150"), ("İTV", "co_producer", "-50")], "out_of_range"),
    ([("TRT", "lead", 50), ("İTV", "co_producer", 50)], "not_a_decimal_string"),
    ([("TRT", "lead", "50"), ("TRT", "co_producer", "50")], "duplicate"),
    ([("TRT", "boss", "50"), ("İTV", "co_producer", "50")], "invalid_choice"),
    ([("TRT", "lead", "50"), ("Nobody TV", "co_producer", "50")], "unknown_organisation"),
])
def test_a_project_whose_parties_do_not_add_up_is_refused_whole(app, client, sides, parties, code):
    tr, _az = sides
    body = project_body(parties=[{"organisation": o, "role": r, "share": s} for o, r, s in parties])
    before = counts(app)
    resp = client.post("/api/v1/projects", json=body, headers=tr.auth)
    error(resp, 422, "invalid_project")
    assert code in all_codes(resp), all_codes(resp)
    assert counts(app) == before


def test_a_bad_share_is_reported_alone_not_as_a_country_fault(client, sides):
    tr, _az = sides
    resp = client.post("/api/v1/projects", headers=tr.auth, json=project_body(parties=[
        {"organisation": AZ_ORG, "role": "lead", "share": "50.001"},
        {"organisation": TR_ORG, "role": "co_producer", "share": "50"}]))
    assert field_codes(resp) == {"parties[0].share": "too_precise"}


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "AZM"])
def test_a_project_in_no_real_currency_is_refused(client, sides, code):
    tr, _az = sides
    resp = client.post("/api/v1/projects", headers=tr.auth, json=project_body(reporting_currency=code))
    assert field_codes(resp) == {"reporting_currency": "unknown_currency"}


def test_a_party_without_a_share_is_refused(client, sides):
    tr, _az = sides
    resp = client.post("/api/v1/projects", headers=tr.auth, json=project_body(parties=[
        {"organisation": TR_ORG, "role": "lead", "share": "100"},
        {"organisation": AZ_ORG, "role": "contributor", "share": "0"}]))
    assert field_codes(resp) == {"parties[1].share": "not_positive"}


def test_a_project_of_one_country_is_refused(app, client, make_user, sides):
    tr, _az = sides
    make_user("producer", "TR", org="Kanal T")
    resp = client.post("/api/v1/projects", headers=tr.auth, json=project_body(parties=[
        {"organisation": TR_ORG, "role": "lead", "share": "50"}, {"organisation": "Kanal T", "role": "co_producer",
                                                                   "share": "50"}]))
    assert field_codes(resp) == {"parties": "one_country_only"}


def test_a_project_outside_its_rule_set_limits_is_refused(client, sides):
    tr, _az = sides
    resp = client.post("/api/v1/projects", headers=tr.auth, json=project_body(rule_set="coe_2017_bilateral", parties=[
        {"organisation": TR_ORG, "role": "lead", "share": "95"}, {"organisation": AZ_ORG, "role": "co_producer",
                                                                  "share": "5"}]))
    assert set(field_codes(resp).values()) == {"out_of_range"}


@pytest.mark.parametrize("body, field, code", [
    ({"amount": "0.00"}, "amount", "not_positive"),
    ({"amount": "-100.00"}, "amount", "not_positive"),
    ({"amount": 100.5}, "amount", "not_a_decimal_string"),
    ({"amount": "1e3"}, "amount", "not_a_decimal_string"),
    ({"amount": "100.001"}, "amount", "too_precise"),
    ({"amount": "1000000000001.00"}, "amount", "out_of_range"),
    ({"amount": "9" * 18}, "amount", "out_of_range"),
    ({"currency": "XYZ"}, "currency", "unknown_currency"),
    ({"currency": "try"}, "currency", "unknown_currency"),
    ({"currency": "XXX"}, "currency", "unknown_currency"),  # ISO 4217's "no currency"
    ({"currency": "XAU"}, "currency", "unknown_currency"),  # gold
    ({"currency": "TRL"}, "currency", "unknown_currency"),  # withdrawn in 2005
    ({"kind": "gift"}, "kind", "invalid_choice"),
    ({"party": "Nobody TV"}, "party", "unknown_party"),
    ({"date": "2026-02-30"}, "date", "invalid_date"),
    ({"date": "2999-01-01"}, "date", "date_in_future"),
    ({"date": "04.01.2026"}, "date", "invalid_date"),
    ({"description": "x" * 2001}, "description", "too_long"),
    ({"budget_category": "Catering"}, "budget_category", "invalid_choice"),
    ({"reverses": "abc"}, "reverses", "unknown_field"),
    ({"in": "00:00:01:00"}, "in", "unknown_field"),
])
def test_a_bad_contribution_is_refused_and_nothing_is_stored(app, coprod, body, field, code):
    before = counts(app)
    resp = coprod.contribute({**CASH, **body})
    error(resp, 422, "invalid_contribution")
    assert field_codes(resp).get(field) == code, field_codes(resp)
    assert counts(app) == before


def test_every_mistake_is_reported_at_once(coprod):
    resp = coprod.contribute({"party": "", "kind": "cash", "amount": "-1", "currency": "ABC", "date": "soon"})
    assert set(field_codes(resp).values()) >= {"not_positive", "unknown_currency", "invalid_date"}


def test_a_currency_without_a_rate_for_its_date_is_refused(app, coprod):
    coprod.rate("TRY", "2025-12-01", "0.0290")  # over a week before: too old to use
    before = counts(app)
    body = error(coprod.contribute({**CASH, "currency": "TRY"}), 422, "no_rate")
    assert body["details"] == {"currency": "TRY", "date": "2026-01-04", "reporting_currency": "EUR"}
    assert counts(app) == before


@pytest.mark.parametrize("rate, code", [
    ({"currency": "EUR"}, "invalid_choice"),  # the reporting currency is 1
    ({"currency": "XYZ"}, "unknown_currency"),
    ({"rate": "0"}, "not_positive"),
    ({"rate": "-0.03"}, "not_positive"),
    ({"rate": 0.027}, "not_a_decimal_string"),
    ({"date": "2999-01-01"}, "date_in_future"),
    ({"source": ""}, "required"),
])
def test_bad_rates_are_refused(app, coprod, rate, code):
    before = counts(app)
    resp = coprod.post(f"/api/v1/projects/{coprod.project_id}/rates",
                       {"currency": "TRY", "date": "2026-01-02", "rate": "0.0270", "source": "TCMB", **rate})
    error(resp, 422, "invalid_rate")
    assert code in field_codes(resp).values()
    assert counts(app) == before


def test_a_rate_is_never_replaced(coprod):
    assert coprod.rate("TRY", "2026-01-02", "0.0270").status_code == 201
    error(coprod.rate("TRY", "2026-01-02", "0.0300"), 409, "rate_exists")


def test_a_number_too_large_for_any_field_says_so_with_the_limit(coprod):
    resp = coprod.contribute({"party": AZ_ORG, "kind": "service", "currency": "AZN", "date": "2026-02-02",
                              "service": {"category": "studio", "quantity": "3", "unit": "day",
                                          "unit_rate": "99999999999999999999999999.99"}}, coprod.az)
    body = error(resp, 422, "invalid_contribution")
    [err] = [e for e in body["details"]["errors"] if e["field"] == "service.unit_rate"]
    assert err["code"] == "too_large" and err["params"] == {"max": "1000000000000"}, err


def test_confirming_ones_own_countrys_entry_is_refused(app, coprod):
    entry = coprod.contribute(CASH).get_json()["id"]
    before = counts(app)
    error(coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.tr), 403, "own_country")
    assert counts(app) == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/contributions/{id}", "/api/v1/projects/{project}/contributions/{id}",
                                  "/api/v1/projects/{project}/contributions"])
def test_no_route_edits_or_deletes_an_entry(app, coprod, method, path):
    entry = coprod.contribute(CASH).get_json()["id"]
    head = coprod.get(f"/api/v1/projects/{coprod.project_id}/ledger/verify").get_json()["head"]
    url = path.format(id=entry, project=coprod.project_id)
    resp = getattr(coprod.client, method)(url, json={**CASH, "amount": "999.00"}, headers=coprod.tr.auth)
    assert resp.status_code in (404, 405) and resp.get_json()["error"]["code"] in ("method_not_allowed", "not_found")
    after = coprod.get(f"/api/v1/projects/{coprod.project_id}/ledger/verify").get_json()
    assert after["head"] == head and after["intact"]
    assert coprod.get(f"/api/v1/contributions/{entry}").get_json()["amount"] == "100.00"


def test_footage_of_an_organisation_that_is_not_a_party_is_refused(app, coprod, make_user):
    outsider, _ = make_user("producer", "TR", org="Başka Kanal")
    asset = footage_asset(app, outsider)
    before = counts(app)
    resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": asset, "date": "2026-01-04"})
    error(resp, 422, "invalid_contribution")
    assert field_codes(resp) == {"asset_id": "asset_not_from_party"}
    assert counts(app) == before
    error(coprod.post(f"/api/v1/projects/{coprod.project_id}/footage", {"asset_id": asset}), 422,
          "asset_not_from_party")


def test_footage_of_the_other_party_or_past_its_end_is_refused(app, coprod):
    az_asset = footage_asset(app, coprod.az.user_id, duration=30.0)
    resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": az_asset, "date": "2026-01-04"})
    assert field_codes(resp) == {"asset_id": "asset_of_other_party"}
    mine = footage_asset(app, coprod.tr.user_id, duration=30.0)
    for seg, code in (({"in": "00:00:10:00", "out": "00:00:05:00"}, "out_of_range"),
                      ({"out": "00:01:00:00"}, "out_of_range"), ({"in": "00:00:01:30"}, "invalid_timecode"),
                      ({"in": "1:2:3"}, "invalid_timecode")):
        resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": mine, "date": "2026-01-04", **seg})
        assert code in field_codes(resp).values(), (seg, field_codes(resp))
    resp = coprod.contribute({"party": TR_ORG, "kind": "footage", "asset_id": "not-an-asset", "date": "2026-01-04"})
    assert field_codes(resp) == {"asset_id": "asset_not_found"}


def test_a_reversal_of_a_reversal_and_a_second_reversal_are_refused(app, coprod):
    entry = coprod.contribute(CASH).get_json()["id"]
    reversal = coprod.post(f"/api/v1/contributions/{entry}/reverse").get_json()["id"]
    before = counts(app)
    error(coprod.post(f"/api/v1/contributions/{reversal}/reverse"), 409, "reversal_of_reversal")
    error(coprod.post(f"/api/v1/contributions/{entry}/reverse"), 409, "already_reversed")
    error(coprod.post(f"/api/v1/contributions/{reversal}/confirm", side=coprod.az), 409, "not_confirmable")
    error(coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az), 409, "not_confirmable")
    assert counts(app) == before


def test_refusals_of_a_reversal_and_of_a_stranger_read_right(app, client, coprod, make_user):
    entry = coprod.contribute(CASH).get_json()["id"]
    reversal = coprod.post(f"/api/v1/contributions/{entry}/reverse").get_json()["id"]
    said = error(coprod.post(f"/api/v1/contributions/{reversal}/confirm", side=coprod.az), 409, "not_confirmable")
    assert said["message"] == "This entry is a reversal: there is nothing to confirm."
    said = error(coprod.post(f"/api/v1/contributions/{entry}/confirm", side=coprod.az), 409, "not_confirmable")
    assert said["message"] == "This entry has been reversed: there is nothing to confirm."
    said = error(coprod.post(f"/api/v1/contributions/{reversal}/dispute", {"reason": "Yanlış"}, side=coprod.az),
                 409, "not_disputable")
    assert said["message"].startswith("This entry is a reversal; ")
    _, stranger = make_user("admin", "TR", org="Ortak")  # sees every project, is a party of none
    for verb in ("confirm", "dispute"):
        said = error(client.post(f"/api/v1/contributions/{entry}/{verb}", json={"reason": "Yanlış"},
                                 headers={"Authorization": f"Bearer {stranger}"}), 403, "not_a_party")
        assert said["message"] == f"Only producers of a party of this project may {verb} its entries."


def test_a_dispute_needs_a_reason(coprod):
    entry = coprod.contribute(CASH).get_json()["id"]
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": 5}, {"reason": "x" * 2001}):
        error(coprod.post(f"/api/v1/contributions/{entry}/dispute", body, coprod.az), 422, "invalid_reason")


@pytest.mark.parametrize("raw, status, code", [
    (b"{", 400, "malformed_json"),
    (b'{"amount": "1.00", "amount": "2.00"}', 400, "malformed_json"),
    (b"[1, 2]", 400, "malformed_json"),
    (b'{"amount": NaN}', 400, "malformed_json"),
    (b"x" * (1024 * 1024 + 1), 413, "body_too_large"),
])
def test_malformed_and_oversized_bodies(app, coprod, raw, status, code):
    before = counts(app)
    resp = coprod.client.post(f"/api/v1/projects/{coprod.project_id}/contributions", data=raw,
                              headers={**coprod.tr.auth, "Content-Type": "application/json"})
    error(resp, status, code)
    assert counts(app) == before


def test_hostile_text_is_stored_as_text_or_refused_never_a_500(coprod):
    # Stored as the text it is (NUL bytes dropped, so a NUL alone is no description), read back the same.
    for text, stored in (("\x00", None), ("<script>alert(1)</script>", "<script>alert(1)</script>"),
                         ("' OR 1=1 --", "' OR 1=1 --"), ("𝕏" * 500, "𝕏" * 500), ("İı" * 900, "İı" * 900)):
        resp = coprod.contribute({**CASH, "description": text})
        assert resp.status_code == 201, (text[:10], resp.get_json())
        assert coprod.get(f"/api/v1/contributions/{resp.get_json()['id']}").get_json()["description"] == stored
    # A bidirectional override disguises text (archive.validation.disguise_error): refused.
    disguised = coprod.contribute({**CASH, "description": "\u202e"})
    assert disguised.status_code == 422 and field_codes(disguised) == {"description": "forbidden_characters"}
    too_long = coprod.contribute({**CASH, "description": "İı" * 1001})
    assert too_long.status_code == 422 and field_codes(too_long) == {"description": "too_long"}
    resp = coprod.contribute({**CASH, "party": {"$ne": None}})
    assert resp.status_code == 422 and field_codes(resp) == {"party": "not_text"}


def test_unauthorised_callers(app, client, coprod, make_user):
    entry = coprod.contribute(CASH).get_json()["id"]
    pid = coprod.project_id
    # No caller: 401.
    for method, path in (("get", f"/api/v1/projects/{pid}/parity"), ("post", f"/api/v1/projects/{pid}/contributions"),
                         ("post", f"/api/v1/contributions/{entry}/confirm"), ("get", "/api/v1/projects")):
        error(getattr(client, method)(path, json={}), 401, "unauthenticated")
    # A member of no party: the project does not exist for them.
    _, outsider = make_user("producer", "TR", org="Başka Kanal")
    auth = {"Authorization": f"Bearer {outsider}"}
    error(client.get(f"/api/v1/projects/{pid}/parity", headers=auth), 404, "project_not_found")
    error(client.get(f"/api/v1/contributions/{entry}", headers=auth), 404, "contribution_not_found")
    error(client.post(f"/api/v1/contributions/{entry}/confirm", headers=auth), 404, "contribution_not_found")
    error(client.get(f"/api/v1/projects/{pid}/report", headers=auth), 404, "project_not_found")
    assert client.get("/api/v1/projects", headers=auth).get_json()["items"] == []
    # A broadcaster of a party sees, but does not record or sign off.
    _, viewer = make_user("broadcaster", "AZ", org=AZ_ORG)
    auth = {"Authorization": f"Bearer {viewer}"}
    assert client.get(f"/api/v1/projects/{pid}/parity", headers=auth).status_code == 200
    error(client.post(f"/api/v1/contributions/{entry}/confirm", headers=auth), 403, "wrong_role")
    error(client.post(f"/api/v1/projects/{pid}/contributions", json=CASH, headers=auth), 403, "wrong_role")
    # A producer records for their own party only.
    before = counts(app)
    error(coprod.contribute({**CASH, "party": AZ_ORG}), 403, "not_your_party")
    # ... and a project their organisation is not part of is not theirs to create.
    _, stranger = make_user("producer", "AZ", org="Üçüncü TV")
    error(client.post("/api/v1/projects", json=project_body(), headers={"Authorization": f"Bearer {stranger}"}),
          403, "not_a_party")
    assert counts(app) == before


@pytest.mark.parametrize("query, code", [("format=docx", "invalid_parameter"), ("lang=de", "invalid_parameter"),
                                         ("page=0", "invalid_parameter"), ("per_page=100000", "invalid_parameter")])
def test_bad_parameters(coprod, query, code):
    path = (f"/api/v1/projects/{coprod.project_id}/contributions?{query}" if "page" in query
            else f"/api/v1/projects/{coprod.project_id}/report?{query}")
    error(coprod.get(path), 400, code)


def test_bad_meetings_and_minutes(app, coprod):
    resp = coprod.post("/api/v1/commission/meetings", {"date": "2026-02-30", "city": "", "host_country": "DE",
                                                       "projects": ["nope"]})
    error(resp, 422, "invalid_meeting")
    assert set(field_codes(resp).values()) >= {"invalid_date", "required", "invalid_choice", "project_not_found"}
    meeting = coprod.post("/api/v1/commission/meetings", {"date": "2026-02-01", "city": "Bakı",
                                                          "host_country": "AZ"}).get_json()["id"]
    url = f"/api/v1/commission/meetings/{meeting}/minutes"
    put = lambda data, ctype: coprod.client.put(url, data=data, headers={**coprod.tr.auth,  # noqa: E731
                                                                          "Content-Type": ctype})
    error(put(b"MZ\x90\x00", "application/x-msdownload"), 415, "unsupported_media_type")
    error(put(b"", "application/pdf"), 400, "empty_body")
    error(put(b"%PDF" + b"0" * (20 * 1024 * 1024), "application/pdf"), 413, "minutes_too_large")
    error(coprod.get(url), 404, "minutes_not_found")
    error(coprod.get("/api/v1/commission/meetings/nope/minutes"), 404, "meeting_not_found")


def test_milestones_and_budget_lines(coprod):
    pid = coprod.project_id
    resp = coprod.post(f"/api/v1/projects/{pid}/milestones", {"title": "Kurgu", "due": "2027-05-01", "owner": AZ_ORG})
    assert resp.status_code == 201
    mid = resp.get_json()["id"]
    done = coprod.client.patch(f"/api/v1/projects/{pid}/milestones/{mid}", json={"done": True}, headers=coprod.az.auth)
    assert done.status_code == 200 and done.get_json()["done"] is True
    error(coprod.client.patch(f"/api/v1/projects/{pid}/milestones/{mid}", json={"done": "yes"},
                              headers=coprod.az.auth), 422, "invalid_milestone")
    error(coprod.client.patch(f"/api/v1/projects/{pid}/milestones/999999", json={"done": True},
                              headers=coprod.az.auth), 404, "milestone_not_found")
    error(coprod.post(f"/api/v1/projects/{pid}/milestones", {"title": "x", "due": "2027-01-01", "owner": "Nobody"}),
          422, "invalid_milestone")
    error(coprod.post(f"/api/v1/projects/{pid}/budget", {"category": "Shooting", "amount": "1.00", "currency": "EUR"}),
          422, "invalid_budget_line")
    assert coprod.post(f"/api/v1/projects/{pid}/budget", {"category": "Music", "amount": "5000.00",
                                                          "currency": "AZN"}).status_code == 201


def test_the_parties_of_a_refused_project_are_not_left_behind(app, client, sides):
    tr, _az = sides
    client.post("/api/v1/projects", headers=tr.auth, json=project_body(kind="opera"))
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Party)) == 0


def test_each_mistake_is_listed_once(app, client, coprod, make_user):  # noqa: F811
    """An empty required text is caught by the object's required fields and by the text's own
    check: one mistake, one entry (trial finding F11)."""
    entry = coprod.contribute(CASH).get_json()["id"]
    _id, token = make_user("rights_manager", "AZ", org="İTV")
    manager = {"Authorization": f"Bearer {token}"}
    refusals = [
        (coprod.post(f"/api/v1/contributions/{entry}/dispute", {"reason": ""}, coprod.az), "reason"),
        (client.post("/api/v1/contracts", json={"reference": ""}, headers=manager), "reference"),
        (coprod.rate("USD", "2026-01-04", "1.10", source=""), "source"),
        (coprod.post("/api/v1/commission/meetings", {"date": "2026-02-01", "city": "", "host_country": "AZ"}), "city"),
    ]
    for resp, field in refusals:
        assert resp.status_code == 422, resp.get_json()
        body = resp.get_json()["error"]
        assert [(e["field"], e["code"]) for e in body["details"]["errors"]] == [(field, "required")], body
        assert body["message"].count("is required") == 1, body["message"]
