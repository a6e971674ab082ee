"""GET /api/v1/usage: the usage log for rights managers (their organisation's assets, and with
`scope` the uses their organisation made) and admins;
GET /api/v1/rights/expiring and /api/v1/usage/outside-rights (`archive.rights.audit`).

Read only: no route changes or deletes a usage record (the table refuses it too).
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, stream_with_context

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api.params import int_param, lang_param, str_param
from archive.db import utcnow
from archive.rights import audit as rights_audit
from archive.usage import reports
from archive.usage.views import usage_filter

bp = Blueprint("usage_api", __name__, url_prefix="/api/v1")
MAX_PAGE = 100_000
MAX_PER_PAGE = 500
FORMATS = ("json", "csv")


def _closing(lines, session):
    # The request's unit of work committed before the first byte; the rows are read after it
    # (by this session, whose request may have ended already), in a read transaction of their
    # own that ends with the stream, however it ends.
    try:
        yield from lines
    finally:
        session.close()


@bp.get("/usage")
@require_user("rights_manager")
def usage():
    f = usage_filter()
    fmt = str_param("format", choices=FORMATS) or "json"
    page = int_param("page", 1, 1, MAX_PAGE)
    per_page = int_param("per_page", 50, 1, MAX_PER_PAGE)
    session = db.session()
    if fmt == "csv":
        lines = reports.usage_csv(session, api_user(), f, lang_param())  # refusals raise here, before any byte
        return Response(stream_with_context(_closing(lines, session)), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="ortak-usage.csv"'})
    return jsonify(reports.usage_page(session, api_user(), f, page=page, per_page=per_page, lang=lang_param()))


@bp.get("/usage/summary")
@require_user("rights_manager")
def usage_summary():
    return jsonify(reports.summary(db.session(), api_user(), usage_filter(), lang_param()))


def _today():
    return utcnow().date()


@bp.get("/rights/expiring")
@require_user("rights_manager")
def rights_expiring():
    """Grants ending within `days` (0..3650, default 30) days; `format=csv` for the CSV."""
    days = int_param("days", 30, 0, rights_audit.MAX_DAYS)
    fmt = str_param("format", choices=FORMATS) or "json"
    data = rights_audit.expiring(db.session(), api_user(), days, _today(), lang_param())
    if fmt == "csv":
        return Response(rights_audit.expiring_csv(data), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="ortak-rights-expiring.csv"'})
    return jsonify(data)


@bp.get("/usage/outside-rights")
@require_user("rights_manager")
def usage_outside_rights():
    """Allowed uses outside the rights that cleared them; `format=csv` for the CSV."""
    fmt = str_param("format", choices=FORMATS) or "json"
    page = int_param("page", 1, 1, MAX_PAGE)
    per_page = int_param("per_page", 50, 1, MAX_PER_PAGE)
    session = db.session()
    if fmt == "csv":
        return Response(rights_audit.outside_rights_csv(session, api_user(), lang_param()), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="ortak-outside-rights.csv"'})
    return jsonify(rights_audit.outside_rights(session, api_user(), page=page, per_page=per_page, lang=lang_param()))
