"""The rights policy at the access gate (issue 7 item 4): a master read needs a declared use
the avails engine clears; its decision, declaration and conditions go into the usage record."""
from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from archive import create_app, db
from archive.config import ConfigError
from archive.usage.models import UsageRecord
from archive.usage.services import verify_chain
from tests.asset_factory import create_asset

DATA = b"master bytes " * 500
PROXY = b"proxy " * 100
USE = {"platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
       "purpose": "broadcast", "programme": "Halk Müziği Saati"}


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "AZ", org="İTV"), "manager": make_user("rights_manager", "AZ", org="İTV"),
            "trt": make_user("broadcaster", "TR", org="TRT"), "atv": make_user("broadcaster", "TR", org="ATV"),
            "admin": make_user("admin", "TR", org="Ortak")}


def H(people, who):
    return {"Authorization": f"Bearer {people[who][1]}"}


@pytest.fixture
def asset(app, client, people):
    asset_id = create_asset(app, people["producer"][0], data=DATA, filename="folklor.mp4", renditions={
        "proxy": {"data": PROXY, "content_type": "video/mp4", "ext": ".mp4"}})
    for body in ({"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"],
                  "platforms": ["linear_tv"], "start": "2027-01-01", "end": "2027-12-31",
                  "conditions": {"credit": {"tr": "Kaynak: İTV", "az": "Mənbə: İTV"}}},
                 {"kind": "restriction", "licensees": {"all_members": True}, "territories": ["WORLD"],
                  "platforms": ["social"], "start": "2000-01-01", "end": None}):
        assert client.post(f"/api/v1/assets/{asset_id}/rights", json=body, headers=H(people, "manager")).status_code == 201
    return asset_id


def dl(asset_id, **params):
    return f"/api/v1/assets/{asset_id}/download" + (f"?{urlencode(params)}" if params else "")


def records(app):
    with app.app_context():
        return list(db.session().scalars(select(UsageRecord).order_by(UsageRecord.id)))


def test_a_cleared_declared_use_downloads_with_its_credit_line_and_is_recorded(app, client, people, asset):
    resp = client.get(dl(asset, **USE), headers=H(people, "trt"))
    assert resp.status_code == 200 and resp.data == DATA
    assert resp.headers["Ortak-Access-Decision"] == "allowed_with_conditions"
    conditions = json.loads(resp.headers["Ortak-Access-Conditions"])
    assert conditions == {"credit": {"az": "Mənbə: İTV", "tr": "Kaynak: İTV"}}
    [rec] = records(app)
    assert rec.decision == "allowed_with_conditions" and rec.declaration == USE and rec.conditions == conditions
    assert rec.reasons[0]["code"] == "cleared"


def test_a_use_outside_the_rights_is_403_with_every_reason_and_the_refusal_is_recorded(app, client, people, asset):
    resp = client.get(dl(asset, **{**USE, "territory": "AZ"}), headers=H(people, "trt"))
    assert resp.status_code == 403
    err = resp.get_json()["error"]
    assert err["code"] == "rights_denied"
    assert [r["code"] for r in err["details"]["reasons"]] == ["not_covered"]
    assert err["details"]["reasons"][0]["scope"]["territories"] == ["AZ"]
    social = client.get(dl(asset, **{**USE, "platform": "social"}), headers=H(people, "trt")).get_json()["error"]
    assert social["details"]["reasons"][0]["code"] == "restricted"
    other = client.get(dl(asset, **USE), headers=H(people, "atv"))
    assert other.status_code == 403
    recs = records(app)
    assert [r.decision for r in recs] == ["denied"] * 3 and recs[0].declaration["territory"] == "AZ"
    with app.app_context():
        assert verify_chain(db.session()) is None


def test_no_declaration_is_403_declaration_required_and_recorded(app, client, people, asset):
    resp = client.get(dl(asset), headers=H(people, "trt"))
    assert resp.status_code == 403
    err = resp.get_json()["error"]
    assert err["code"] == "declaration_required"
    assert err["details"]["reasons"][0]["missing"] == ["platform", "territory", "from", "to", "purpose", "programme"]
    [rec] = records(app)
    assert rec.decision == "denied" and rec.declaration is None


@pytest.mark.parametrize("change, errors", [
    ({"purpose": None, "programme": None}, [("purpose", "required"), ("programme", "required")]),
    ({"to": None}, [("to", "required")]),
    ({"from": "2020-01-01"}, [("from", "date_in_past")]),
    ({"from": (date.today() - timedelta(days=3)).isoformat(), "to": (date.today() - timedelta(days=2)).isoformat()},
     [("from", "date_in_past"), ("to", "date_in_past")]),
])
def test_a_half_declaration_or_past_air_dates_are_422_and_record_nothing(app, client, people, asset, change, errors):
    params = {k: v for k, v in {**USE, **change}.items() if v is not None}
    resp = client.get(dl(asset, **params), headers=H(people, "trt"))
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["code"] == "invalid_declaration"
    assert [(e["field"], e["code"]) for e in err["details"]["errors"]] == errors
    assert records(app) == []


def test_the_contributing_organisation_and_admins_read_without_rights_and_are_recorded(app, client, people, asset):
    assert client.get(dl(asset), headers=H(people, "producer")).status_code == 200
    assert client.get(dl(asset, **{**USE, "platform": "social"}), headers=H(people, "admin")).status_code == 200
    own, admin = records(app)
    assert own.decision == "allowed" and own.reasons[0]["code"] == "own_asset"
    assert admin.decision == "allowed" and admin.reasons[0]["code"] == "admin" and admin.declaration["platform"] == "social"


def test_previews_need_no_declaration_by_default(app, client, people, asset):
    resp = client.get(dl(asset, rendition="proxy"), headers=H(people, "atv"))
    assert resp.status_code == 200 and resp.data == PROXY
    assert records(app) == []


@pytest.fixture
def licensee_previews(app_config):
    return {**app_config, "RIGHTS_PREVIEW": "licensees"}


def test_previews_for_licensees_only_when_configured(app, people, asset, licensee_previews):
    strict = create_app(licensee_previews)
    try:
        c = strict.test_client()
        # TRT's grant opens in 2027; until then nobody but İTV and admins may look.
        assert c.get(dl(asset, rendition="proxy"), headers=H(people, "atv")).status_code == 403
        assert c.get(dl(asset, rendition="proxy"), headers=H(people, "producer")).status_code == 200
        policy = strict.extensions["ortak.access_policy"]
        policy._today = lambda: date(2027, 6, 1)
        assert c.get(dl(asset, rendition="proxy"), headers=H(people, "trt")).status_code == 200
        assert c.get(dl(asset, rendition="proxy"), headers=H(people, "atv")).status_code == 403
    finally:
        strict.extensions["ortak.db"].dispose()


def test_an_unknown_preview_rule_is_a_config_error_naming_the_setting(app_config):
    with pytest.raises(ConfigError, match="ORTAK_RIGHTS_PREVIEW"):
        create_app({**app_config, "RIGHTS_PREVIEW": "everyone"})


def test_a_use_after_the_grant_expired_is_refused_naming_the_grant_and_its_last_day(app, client, people, asset):
    # The trial's finding: past the grant's window the refusal said only "No grant clears…".
    late = {**USE, "from": "2028-02-01", "to": "2028-02-28"}
    resp = client.get(dl(asset, **late), headers=H(people, "trt"))
    assert resp.status_code == 403
    [reason] = resp.get_json()["error"]["details"]["reasons"]
    grant_id = client.get(f"/api/v1/assets/{asset}/rights", headers=H(people, "trt")).get_json()["items"][0]["id"]
    assert reason["code"] == "not_covered"
    assert reason["windows"] == [{"block": grant_id, "from": "2027-01-01", "to": "2027-12-31", "state": "ended"}]
    assert reason["message"].endswith(f"Grant {grant_id} ended on 2027-12-31.")
    [rec] = records(app)
    assert rec.decision == "denied" and rec.reasons[0]["windows"][0]["state"] == "ended"
