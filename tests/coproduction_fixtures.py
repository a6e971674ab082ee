"""Fixtures for co-production tests: two broadcasters of two countries, a project between them."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

TR_ORG, AZ_ORG = "TRT", "İTV"


@dataclass
class Side:
    user_id: int
    token: str
    org: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Coproduction:
    tr: Side
    az: Side
    project_id: str
    client: object

    def post(self, path: str, body=None, side: Side | None = None, **kw):
        return self.client.post(path, json=body, headers=(side or self.tr).auth, **kw)

    def get(self, path: str, side: Side | None = None, **kw):
        return self.client.get(path, headers=(side or self.tr).auth, **kw)

    def contribute(self, body: dict, side: Side | None = None):
        return self.post(f"/api/v1/projects/{self.project_id}/contributions", body, side)

    def rate(self, currency: str, date: str, rate: str, source: str = "TCMB", side: Side | None = None):
        return self.post(f"/api/v1/projects/{self.project_id}/rates",
                         {"currency": currency, "date": date, "rate": rate, "source": source}, side)

    def parity(self, side: Side | None = None) -> dict:
        resp = self.get(f"/api/v1/projects/{self.project_id}/parity", side)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()


def project_body(**extra) -> dict:
    body = {"title": {"tr": "Ortak Belgesel", "az": "Birgə Sənədli Film", "en": "Joint Documentary"},
            "kind": "documentary", "reporting_currency": "EUR",
            "parties": [{"organisation": TR_ORG, "role": "lead", "share": "50"},
                        {"organisation": AZ_ORG, "role": "co_producer", "share": "50"}]}
    body.update(extra)
    return body


@pytest.fixture
def sides(make_user) -> tuple[Side, Side]:
    tr_id, tr_tok = make_user("producer", "TR", org=TR_ORG)
    az_id, az_tok = make_user("producer", "AZ", org=AZ_ORG)
    return Side(tr_id, tr_tok, TR_ORG), Side(az_id, az_tok, AZ_ORG)


@pytest.fixture
def coprod(client, sides) -> Coproduction:
    tr, az = sides
    resp = client.post("/api/v1/projects", json=project_body(
        footage_rate_per_minute="120.00",
        budget=[{"category": "Shooting", "amount": "40000.00", "currency": "EUR"},
                {"category": "Post-production", "amount": "500000.00", "currency": "TRY"}],
        milestones=[{"title": "Shooting starts", "due": "2027-03-01", "owner": TR_ORG}]), headers=tr.auth)
    assert resp.status_code == 201, resp.get_json()
    return Coproduction(tr, az, resp.get_json()["id"], client)
