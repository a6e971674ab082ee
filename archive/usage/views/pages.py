"""The audit page for rights managers (their organisation's assets, and with `scope` the uses
their organisation made) and admins: usage by asset,
organisation, country, platform and period, with charts, the records and a CSV export."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from archive import db
from archive.api.params import int_param
from archive.db import utcnow
from archive.errors import ApiError, WrongRole
from archive.rights import audit as rights_audit
from archive.usage import reports
from archive.usage.views import usage_filter
from archive.web import messages
from archive.web.error_pages import error_page
from archive.web.forms import COUNTRY_LABELS
from archive.web.headers import page_headers
from archive.web.pages import lang
from archive.web.present import PLATFORM_LABELS

bp = Blueprint("audit_pages", __name__)
PER_PAGE = 50
MAX_PAGE = 10_000
FILTERS = ("scope", "asset", "org", "country", "platform", "from", "to")
SCOPE_LABELS = {"assets": _l("Of our organisation's assets"), "organisation": _l("Made by our organisation"),
                "both": _l("Both")}
DECISION_LABELS = {"allowed": _l("Allowed"), "allowed_with_conditions": _l("Allowed with conditions"),
                   "denied": _l("Refused")}
PROBLEM_LABELS = {rights_audit.OUTSIDE_WINDOW: _l("Air dates outside the window"),
                  rights_audit.BLOCK_CHANGED: _l("Block changed since"),
                  rights_audit.BLOCK_DELETED: _l("Block deleted since"),
                  rights_audit.RESTRICTED: _l("A restriction now covers it")}


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    if exc.code in messages.API_ERRORS:  # said in the page's language (wrong_role: the action and roles)
        return error_page(exc.status, messages.api_error(exc.code, exc.message, exc.status, exc.details),
                          headers=exc.headers)
    return error_page(exc.status, exc.message if exc.status == 400 else None, detail=exc.message,
                      headers=exc.headers)


@bp.route("/audit")
@login_required
def audit():
    if current_user.role not in reports.AUDIT_ROLES:
        raise WrongRole("usage_log", reports.AUDIT_ROLES, current_user.role)
    if any(request.args.get(k) == "" for k in request.args):  # a form's "all" leaves empty fields
        kept = [(k, v) for k, v in request.args.items(multi=True) if v != ""]
        return redirect(request.path + ("?" + urlencode(kept) if kept else ""))
    f = usage_filter()
    page = int_param("page", 1, 1, MAX_PAGE)
    session = db.session()
    data = reports.usage_page(session, current_user, f, page=page, per_page=PER_PAGE, lang=lang())
    figures = reports.summary(session, current_user, f, lang())
    days = int_param("days", 30, 0, rights_audit.MAX_DAYS)
    expiring = rights_audit.expiring(session, current_user, days, utcnow().date(), lang())
    outside = rights_audit.outside_rights(session, current_user, per_page=PER_PAGE, lang=lang())
    given = [(k, request.args[k]) for k in FILTERS if request.args.get(k)]
    pages = max(1, -(-data["total"] // PER_PAGE))
    chart = {"months": sorted({r["month"] for r in figures["by_month_country"]}),
             "countries": [{"code": c, "label": str(COUNTRY_LABELS.get(c, c)),
                            "uses": [next((r["uses"] for r in figures["by_month_country"]
                                           if r["month"] == m and r["country"] == c), 0)
                                     for m in sorted({r["month"] for r in figures["by_month_country"]})]}
                           for c in sorted({r["country"] for r in figures["by_month_country"]})],
             "top": {"labels": [a["title"] for a in figures["top_assets"]],
                     "uses": [a["uses"] for a in figures["top_assets"]]},
             "platforms": {"labels": [str(PLATFORM_LABELS.get(p["platform"], p["platform"] or _l("None declared")))
                                      for p in figures["platforms"]],
                           "uses": [p["uses"] for p in figures["platforms"]]},
             "labels": {"uses": str(_l("Uses"))}}
    return render_template(
        "audit.html", records=data["items"], total=data["total"], page=page, pages=pages, figures=figures,
        chart=chart, filters=dict(given), platforms=PLATFORM_LABELS, countries=COUNTRY_LABELS,
        decisions=DECISION_LABELS, days=days, expiring=expiring["items"], outside=outside,
        problems=PROBLEM_LABELS, scopes=SCOPE_LABELS,
        expiring_csv_url="/api/v1/rights/expiring?" + urlencode([("days", days), ("format", "csv"), ("lang", lang())]),
        outside_csv_url="/api/v1/usage/outside-rights?" + urlencode([("format", "csv"), ("lang", lang())]),
        csv_url="/api/v1/usage?" + urlencode(given + [("format", "csv"), ("lang", lang())]),
        prev_url="?" + urlencode(given + [("page", page - 1)]) if page > 1 else None,
        next_url="?" + urlencode(given + [("page", page + 1)]) if page < pages else None)
