"""`ortak audit verify`: exit 0 on an intact usage log, 1 naming the first bad record."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.usage.services import record_usage
from tests.asset_factory import create_asset


@pytest.fixture
def audit(ortak_cli):
    # The command builds its own app from the environment, as it does for a user.
    return lambda: ortak_cli("audit", "verify")


def _records(app, user_id, n=3):
    asset_id = create_asset(app, user_id)
    with app.app_context():
        s = db.session()
        ids = []
        for _ in range(n):
            ids.append(record_usage(s, s.get(User, user_id), s.get(Asset, asset_id), "download", "original").id)
            s.commit()
    return ids


def test_intact_log_exits_0(app, producer, audit):
    _records(app, producer[0])
    r = audit()
    assert r.exit_code == 0, r.output
    assert "intact" in r.output


def test_empty_log_exits_0(app, audit):
    assert audit().exit_code == 0


def test_tampered_log_exits_1_naming_the_record(app, producer, audit):
    ids = _records(app, producer[0])
    with app.app_context():
        s = db.session()
        s.execute(text("UPDATE usage_records SET action = 'clip' WHERE id = :id"), {"id": ids[1]})
        s.commit()
    r = audit()
    assert r.exit_code == 1
    assert f"record {ids[1]}" in r.output
