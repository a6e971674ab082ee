"""One unit of work per request: committed on success before the body leaves, rolled back on an
error (unless the work is the point, as a recorded refusal is); views and services never commit."""
from __future__ import annotations

import ast
from pathlib import Path

from flask import Blueprint, Response
from sqlalchemy import select

from archive import db
from archive.errors import Conflict
from archive.events.models import Event
from archive.events.services import record

ROOT = Path(__file__).resolve().parents[2]


def _events(app) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session().scalars(select(Event).order_by(Event.id))]


def _probe_app(app):
    bp = Blueprint("uow_probe", __name__)

    @bp.get("/uow/ok")
    def ok():
        record(db.session(), actor_id=None, action="probe.ok", subject_type="probe", subject_id="1")
        return Response(iter([b"streamed"]), mimetype="text/plain")

    @bp.get("/uow/fail")
    def fail():
        record(db.session(), actor_id=None, action="probe.fail", subject_type="probe", subject_id="1")
        raise Conflict("no")

    @bp.get("/uow/kept")
    def kept():
        record(db.session(), actor_id=None, action="probe.kept", subject_type="probe", subject_id="1")
        db.keep_work()
        raise Conflict("refused, but recorded")

    app.register_blueprint(bp)
    return app.test_client()


def test_success_commits_and_errors_roll_back_unless_kept(app):
    client = _probe_app(app)
    assert client.get("/uow/ok").data == b"streamed"
    assert client.get("/uow/fail").status_code == 409
    assert client.get("/uow/kept").status_code == 409
    assert _events(app) == ["probe.ok", "probe.kept"]


def test_a_refused_download_is_recorded_through_the_kept_unit_of_work(app, client, auth, producer):
    from archive.access.policies import DENIED, AccessPolicy, PolicyDecision
    from archive.usage.models import UsageRecord
    from tests.asset_factory import create_asset

    class DenyAll(AccessPolicy):
        name = "deny_all"

        def decide(self, reader, request):
            return PolicyDecision(DENIED, [{"code": "no", "message": "No."}])

    asset = create_asset(app, producer[0])
    app.extensions["ortak.access_policy"] = DenyAll()
    assert client.get(f"/api/v1/assets/{asset}/download", headers=auth).status_code == 403
    with app.app_context():
        assert [r.decision for r in db.session().scalars(select(UsageRecord))] == ["denied"]


def _commit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_no_view_commits():
    views = [p for p in (ROOT / "archive").rglob("*.py")
             if p.name == "views.py" or p.parent.name in ("web", "views")]
    offenders = {str(p.relative_to(ROOT)): lines for p in views if (lines := _commit_calls(p))}
    assert offenders == {}, f"views commit; the request's unit of work does: {offenders}"


# The unit-of-work owners: the request (db.init_unit_of_work) and long operations' checkpoint
# (db.py), the task body (celery_factory), CLI commands (archive/cli*.py), and the scheduler
# lock, which holds its own connection.
OWNERS = {"archive/db.py", "archive/celery_factory.py", "archive/scheduler_lock.py"}


def _owner(path: str) -> bool:
    return path in OWNERS or (path.startswith("archive/cli") and path.endswith(".py"))


def test_services_never_commit():
    offenders = {str(p.relative_to(ROOT)): lines for p in (ROOT / "archive").rglob("*.py")
                 if not _owner(str(p.relative_to(ROOT))) and (lines := _commit_calls(p))}
    assert offenders == {}, f"only the unit of work's owner commits (or db.checkpoint): {offenders}"
