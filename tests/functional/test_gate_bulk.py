"""`check_reads` decides a basket's items in bulk (one rights query per 500 assets) exactly as
`check_read` decides each, and records what it records."""
from __future__ import annotations

from sqlalchemy import event, func, select

from archive import db
from archive.access.gate import check_read, check_reads
from archive.access.policies import MASTER, Reader, ReadRequest
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.usage.models import UsageRecord
from tests.asset_factory import create_asset
from tests.functional.test_baskets_api import GRANT, USE, assets, people  # noqa: F401 (fixtures)


def _requests(s, ids, declaration):
    out = []
    for n, asset_id in enumerate(ids):
        asset = s.get(Asset, asset_id)
        # a segment inside the master, one past its 4 s, and whole assets
        segment = {"in": 1.0, "out": 2.0} if n % 3 == 1 else {"in": 3.0, "out": 9.0} if n % 3 == 2 else None
        out.append(ReadRequest(asset=asset, what="original", quality=MASTER, segment=segment, declaration=declaration))
    return out


def test_bulk_decisions_equal_one_by_one_with_one_rights_query(app, client, people, assets):  # noqa: F811
    ungranted = create_asset(app, people["producer"]["id"], data=b"yok " * 100, filename="yok.mp4")
    own = create_asset(app, people["trt"]["id"], data=b"bizim " * 100, filename="bizim.mp4")
    ids = [assets["video"], assets["video"], assets["video"], assets["doc"], ungranted, own] * 20
    with app.app_context():
        s = db.session()
        reader = Reader.for_user(s.get(User, people["trt"]["id"]))
        for declaration in (USE, {**USE, "territory": "AZ"}, None):
            requests = _requests(s, ids, declaration)
            single = [check_read(s, reader, r, sends_bytes=False) for r in requests]
            statements = []

            def count(conn, cursor, statement, *args):
                if "rights_blocks" in statement:
                    statements.append(statement)

            bind = s.get_bind()
            event.listen(bind, "before_cursor_execute", count)
            try:
                bulk = check_reads(s, reader, requests, sends_bytes=False)
            finally:
                event.remove(bind, "before_cursor_execute", count)
            assert [(d.outcome, d.reasons, d.conditions, d.blocks) for d in bulk] == \
                [(d.outcome, d.reasons, d.conditions, d.blocks) for d in single]
            assert len(statements) == 1, statements  # 120 requests of 4 assets: one query
            outcomes = {d.outcome for d in bulk}
            assert "denied" in outcomes and (declaration is None or outcomes & {"allowed", "allowed_with_conditions"})
        # Refusals are kept in the usage log, once per read session, as check_read keeps them.
        refused = s.scalar(select(func.count()).select_from(UsageRecord).where(UsageRecord.decision == "denied"))
        assert refused > 0
        check_reads(s, reader, _requests(s, ids, USE), sends_bytes=False)
        assert s.scalar(select(func.count()).select_from(UsageRecord).where(UsageRecord.decision == "denied")) == refused
