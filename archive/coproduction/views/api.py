"""The co-production JSON API (API.md "Co-production"; docs/api.md has every operation).

Projects, their rates, budget, calendar and footage; contributions and their sign-off;
the parity dashboard; the ledger's verification; the commission's plan report (PDF/XLSX);
the commission's meetings and minutes. A ledger entry is never edited or deleted: no route
takes PUT, PATCH or DELETE on a contribution (405).
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api.body import filename_header, json_body
from archive.api.params import int_param, lang_param, str_param
from archive.assets.services import get_asset
from archive.coproduction import commission, ledger, parity, projects, rates, reports
from archive.errors import ApiError
from archive.filenames import content_disposition

bp = Blueprint("coproduction", __name__, url_prefix="/api/v1")
WRITERS = ("producer",)  # admins pass every role check
MAX_PAGE = 10_000
MAX_PER_PAGE = 500


def _project(project_id: str):
    return projects.get_project(db.session(), project_id, api_user())


@bp.post("/projects")
@require_user(*WRITERS)
def create_project():
    project = projects.create_project(db.session(), json_body(), api_user())
    return jsonify({"id": project.id}), 201


@bp.get("/projects")
@require_user()
def list_projects():
    lang = lang_param()
    return jsonify({"items": [projects.project_json(p, lang) for p in projects.list_projects(db.session(), api_user())]})


@bp.get("/projects/<project_id>")
@require_user()
def get_project(project_id: str):
    session = db.session()
    project = _project(project_id)
    lang = lang_param()
    doc = projects.project_json(project, lang)
    doc["footage"] = projects.footage_doc(session, project, lang, api_user())
    return jsonify(doc)


@bp.patch("/projects/<project_id>")
@require_user(*WRITERS)
def change_project(project_id: str):
    project = projects.set_status(db.session(), _project(project_id), json_body(), api_user())
    return jsonify(projects.project_json(project, lang_param()))


@bp.post("/projects/<project_id>/rates")
@require_user(*WRITERS)
def add_rate(project_id: str):
    row = rates.add_rate(db.session(), _project(project_id), json_body(), api_user())
    return jsonify(rates.rate_json(row)), 201


@bp.get("/projects/<project_id>/rates")
@require_user()
def list_rates(project_id: str):
    return jsonify({"items": [rates.rate_json(r) for r in rates.list_rates(db.session(), _project(project_id))]})


@bp.post("/projects/<project_id>/budget")
@require_user(*WRITERS)
def add_budget_line(project_id: str):
    row = projects.add_budget_line(db.session(), _project(project_id), json_body(), api_user())
    return jsonify(projects.budget_json(row)), 201


@bp.post("/projects/<project_id>/milestones")
@require_user(*WRITERS)
def add_milestone(project_id: str):
    row = projects.add_milestone(db.session(), _project(project_id), json_body(), api_user())
    return jsonify(projects.milestone_json(row)), 201


@bp.patch("/projects/<project_id>/milestones/<int:milestone_id>")
@require_user(*WRITERS)
def change_milestone(project_id: str, milestone_id: int):
    body = json_body()
    if set(body) != {"done"}:
        raise ApiError("Send {\"done\": true|false}.", code="invalid_milestone", status=422,
                       details={"field": "done", "errors": [{"field": "done", "code": "required",
                                                             "message": "done is required, and only done.",
                                                             "params": {}}]})
    row = projects.set_milestone_done(db.session(), _project(project_id), milestone_id, body["done"], api_user())
    return jsonify(projects.milestone_json(row))


@bp.post("/projects/<project_id>/footage")
@require_user(*WRITERS)
def link_footage(project_id: str):
    row = projects.link_footage(db.session(), _project(project_id), json_body(), api_user())
    return jsonify(projects.footage_json(row)), 201


@bp.post("/projects/<project_id>/contributions")
@require_user(*WRITERS)
def submit_contribution(project_id: str):
    entry = ledger.submit(db.session(), _project(project_id), json_body(), api_user())
    return jsonify({"id": entry.id, "status": "pending", "seq": entry.seq, "hash": entry.hash}), 201


@bp.get("/projects/<project_id>/contributions")
@require_user()
def list_contributions(project_id: str):
    session = db.session()
    project = _project(project_id)
    page = int_param("page", 1, 1, MAX_PAGE)
    per_page = int_param("per_page", 100, 1, MAX_PER_PAGE)
    total, items = ledger.contributions(session, project, limit=per_page, offset=(page - 1) * per_page,
                                        viewer=api_user())
    return jsonify({"total": total, "page": page, "per_page": per_page, "head": ledger.head(session, project),
                    "items": items})


@bp.get("/contributions/<entry_id>")
@require_user()
def get_contribution(entry_id: str):
    session = db.session()
    return jsonify(ledger.contribution_json(session, ledger.get_contribution(session, entry_id, api_user()),
                                            api_user()))


def _signoff(entry_id: str, action):
    session = db.session()
    entry = ledger.get_contribution(session, entry_id, api_user())
    action(session, entry)
    return jsonify(ledger.contribution_json(session, entry, api_user()))


@bp.post("/contributions/<entry_id>/confirm")
@require_user(*WRITERS)
def confirm(entry_id: str):
    return _signoff(entry_id, lambda s, e: ledger.confirm(s, e, api_user()))


@bp.post("/contributions/<entry_id>/dispute")
@require_user(*WRITERS)
def dispute(entry_id: str):
    body = json_body()
    return _signoff(entry_id, lambda s, e: ledger.dispute(s, e, body, api_user()))


@bp.post("/contributions/<entry_id>/answer")
@require_user(*WRITERS)
def answer(entry_id: str):
    body = json_body()
    return _signoff(entry_id, lambda s, e: ledger.answer(s, e, body, api_user()))


@bp.post("/contributions/<entry_id>/reverse")
@require_user(*WRITERS)
def reverse(entry_id: str):
    session = db.session()
    body = json_body() if request.content_length else None
    entry = ledger.get_contribution(session, entry_id, api_user())
    rev = ledger.reverse(session, entry, body, api_user())
    return jsonify(ledger.contribution_json(session, rev, api_user())), 201


@bp.get("/projects/<project_id>/parity")
@require_user()
def project_parity(project_id: str):
    return jsonify(parity.dashboard(db.session(), _project(project_id)))


@bp.get("/projects/<project_id>/ledger/verify")
@require_user()
def verify_ledger(project_id: str):
    session = db.session()
    project = _project(project_id)
    broken = ledger.verify(session, project)
    return jsonify({"intact": broken is None, "entries": ledger.count(session, project),
                    "head": ledger.head(session, project),
                    "first_bad": {"id": broken.id, "reason": broken.reason} if broken else None})


@bp.get("/projects/<project_id>/report")
@require_user()
def report(project_id: str):
    session = db.session()
    project = _project(project_id)
    fmt = str_param("format", choices=reports.FORMATS) or "pdf"
    lang = lang_param() or "tr"
    made = reports.plan_report(session, project, fmt, lang, api_user())
    return Response(made.body, mimetype=made.content_type,
                    headers={"Content-Disposition": content_disposition(made.filename),
                             "Ortak-Ledger-Head": made.head})


@bp.get("/assets/<asset_id>/projects")
@require_user()
def asset_projects(asset_id: str):
    """The projects an asset's footage belongs to and their co-production credit (every member
    who may see the asset: another organisation's asset not ready yet is 404 asset_not_found)."""
    session = db.session()
    asset = get_asset(session, asset_id, viewer=api_user())
    lang = lang_param()
    return jsonify({"asset_id": asset.id, "projects": [
        {"id": p.id, "title": p.display_title(lang), "kind": p.kind,
         "credit": {"organisations": projects.credit(p), "text": projects.credit_sentence(projects.credit(p))},
         "visible": projects.can_view(api_user(), p)}
        for p in projects.projects_of_asset(session, asset.id)]})


def _meeting_json(session, meeting):
    """One meeting as its writer sees it: the visibility of its own projects only is asked."""
    visible = commission.visible_project_ids(session, api_user(), meeting.project_ids or [])
    return commission.meeting_json(meeting, visible=visible)


@bp.post("/commission/meetings")
@require_user(*WRITERS)
def create_meeting():
    session = db.session()
    meeting = commission.create_meeting(session, json_body(), api_user())
    return jsonify(_meeting_json(session, meeting)), 201


@bp.get("/commission/meetings")
@require_user()
def list_meetings():
    session = db.session()
    rows = commission.with_warnings(commission.meetings(session))
    visible = commission.visible_project_ids(session, api_user())
    return jsonify({"items": [commission.meeting_json(m, same, visible) for m, same in rows]})


@bp.put("/commission/meetings/<meeting_id>/minutes")
@require_user(*WRITERS)
def put_minutes(meeting_id: str):
    session = db.session()
    meeting = commission.get_meeting(session, meeting_id)
    commission.require_minutes_writer(session, meeting, api_user())  # before a byte of the body is read
    if request.content_length is not None and request.content_length > commission.MAX_MINUTES_BYTES:
        raise ApiError(f"Minutes are at most {commission.MAX_MINUTES_BYTES} bytes.", code="minutes_too_large",
                       status=413, details={"limit": commission.MAX_MINUTES_BYTES}, headers={"Connection": "close"})
    body = request.stream.read(commission.MAX_MINUTES_BYTES + 1)
    commission.store_minutes(session, meeting, body, request.mimetype or None,
                             filename_header("Ortak-Filename"), api_user())
    return jsonify(_meeting_json(session, meeting)), 201


@bp.get("/commission/meetings/<meeting_id>/minutes")
@require_user()
def get_minutes(meeting_id: str):
    meeting = commission.get_meeting(db.session(), meeting_id)
    chunks, size = commission.minutes_bytes(meeting)
    return Response(chunks, mimetype=meeting.minutes_content_type, direct_passthrough=True,
                    headers={"Content-Length": str(size),
                             "Content-Disposition": content_disposition(meeting.minutes_filename)})
