"""The co-production web pages: the projects, a project's ledger and dashboard, the commission.

Forms post here (with the session's CSRF token); each calls one service and redirects, or
renders the page again with the mistakes in the page's language.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from archive import db
from archive.api.params import int_param
from archive.coproduction import commission, forms, ledger, pages, projects, rates
from archive.errors import ApiError, WrongRole
from archive.web.error_pages import error_page
from archive.web.headers import page_headers
from archive.web.pages import lang

bp = Blueprint("coproduction_pages", __name__, template_folder="../templates", static_folder="../static",
               static_url_path="/static/coproduction")
ACTIONS = ("confirm", "dispute", "answer", "reverse")
MAX_PAGE = 10_000


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    # Said in the page's language only (error_lines translates what the messages table knows,
    # and falls back to the service's English itself): never the English again in small print.
    lines = pages.error_lines(exc)
    return error_page(exc.status, lines[0] if lines else None, headers=exc.headers)


def _project_page(project_id: str, errors: list[str] | None = None, status: int = 200, form=None,
                  form_errors: dict | None = None):
    page = int_param("page", 1, 1, MAX_PAGE)
    data = pages.project_page(current_user, project_id, lang(), page=page)
    return render_template("coproduction/project.html", errors=errors or [], form=form or {},
                           form_errors=form_errors or {}, **data), status


def _client_mistake(exc: ApiError) -> bool:
    """A mistake the form shows beside its fields (a 404 or a server fault gets its page)."""
    return 400 <= exc.status < 500 and exc.status != 404


def _require_writer() -> None:
    """The API's role rule (`require_user("producer")`, admins pass): checked before anything."""
    if current_user.role not in ("producer", "admin"):
        raise WrongRole("coproduction", ("producer",), current_user.role)


def _small_form(project_id: str, name: str, change, anchor: str, done: str):
    """Send one of the project page's small forms to its service (`change(session, project,
    body)`); on a client mistake render the page again, with the errors beside the fields and
    what was typed kept, and store nothing."""
    _require_writer()
    session = db.session()
    project_row = projects.get_project(session, project_id, current_user)
    try:
        change(session, project_row, forms.small_body(name, request.form))
    except ApiError as exc:
        if not _client_mistake(exc):
            raise
        session.rollback()
        return _project_page(project_id, status=exc.status, form={name: request.form},
                             form_errors=forms.form_errors(name, exc, pages.error_entries(exc)))
    flash(done, "info")
    return redirect(url_for(".project", project_id=project_id) + anchor)


@bp.route("/projects")
@login_required
def project_list():
    return render_template("coproduction/projects.html", **pages.projects_page(current_user, lang()))


def _new_project_page(rows=None, form=None, form_errors=None, status: int = 200):
    return render_template("coproduction/new_project.html", form=form or {}, form_errors=form_errors or {},
                           **pages.new_project_page(current_user, rows)), status


@bp.route("/projects/new")
@login_required
def new_project():
    _require_writer()
    return _new_project_page()


@bp.route("/projects/new", methods=["POST"])
@login_required
def create_project():
    """Create a project, or (the "add a party" and "remove" buttons) show the form again with
    one party row more or less, storing nothing."""
    _require_writer()
    rows = forms.row_action(request.form, forms.party_rows(request.form, keep_empty=True))
    if rows is not None:
        return _new_project_page(rows, request.form)
    rows = forms.party_rows(request.form)
    session = db.session()
    try:
        created = projects.create_project(session, forms.project_body(request.form, rows), current_user)
    except ApiError as exc:
        if not _client_mistake(exc):
            raise
        session.rollback()
        return _new_project_page(rows or None, request.form,
                                 forms.form_errors("project", exc, pages.error_entries(exc)), exc.status)
    flash(_("The project is created."), "info")
    return redirect(url_for(".project", project_id=created.id))


@bp.route("/projects/<project_id>")
@login_required
def project(project_id: str):
    return _project_page(project_id)


@bp.route("/projects/<project_id>/status", methods=["POST"])
@login_required
def change_status(project_id: str):
    return _small_form(project_id, "status", lambda s, p, body: projects.set_status(s, p, body, current_user),
                       "", _("Status changed."))


@bp.route("/projects/<project_id>/budget", methods=["POST"])
@login_required
def add_budget_line(project_id: str):
    return _small_form(project_id, "budget", lambda s, p, body: projects.add_budget_line(s, p, body, current_user),
                       "#budget", _("Budget line added."))


@bp.route("/projects/<project_id>/milestones", methods=["POST"])
@login_required
def add_milestone(project_id: str):
    return _small_form(project_id, "milestone", lambda s, p, body: projects.add_milestone(s, p, body, current_user),
                       "#calendar", _("Milestone added."))


@bp.route("/projects/<project_id>/milestones/<int:milestone_id>/done", methods=["POST"])
@login_required
def milestone_done(project_id: str, milestone_id: int):
    # "1" and "0" are the form's true and false; anything else goes to the service as sent,
    # which refuses it as the API does.
    raw = request.form.get("done", "")
    done = {"1": True, "0": False}.get(raw, raw)
    return _small_form(project_id, "milestone",
                       lambda s, p, _body: projects.set_milestone_done(s, p, milestone_id, done, current_user),
                       "#calendar", _("Milestone done.") if done is True else _("Milestone open again."))


@bp.route("/projects/<project_id>/footage", methods=["POST"])
@login_required
def link_footage(project_id: str):
    return _small_form(project_id, "footage", lambda s, p, body: projects.link_footage(s, p, body, current_user),
                       "#footage", _("Footage linked."))


@bp.route("/projects/<project_id>/contributions", methods=["POST"])
@login_required
def contribute(project_id: str):
    session = db.session()
    project_row = projects.get_project(session, project_id, current_user)
    try:
        ledger.submit(session, project_row, pages.contribution_from_form(request.form), current_user)
    except ApiError as exc:
        if exc.status >= 500 or exc.status == 404:
            raise
        session.rollback()
        lines = pages.error_entries(exc)
        return _project_page(project_id, [text for _field, text in lines], exc.status, form=request.form,
                             form_errors=forms.form_errors("contribution", exc, lines))
    flash(_("The contribution is recorded; it counts once the other side confirms it."), "info")
    return redirect(url_for(".project", project_id=project_id) + "#ledger")


@bp.route("/projects/<project_id>/contributions/<entry_id>/<action>", methods=["POST"])
@login_required
def signoff(project_id: str, entry_id: str, action: str):
    if action not in ACTIONS:
        return error_page(404)
    session = db.session()
    entry = ledger.get_contribution(session, entry_id, current_user)
    if entry.project_id != project_id:
        return error_page(404)
    body = {"reason": request.form.get("reason", "")} if action in ("dispute", "answer") else (
        {"reason": request.form["reason"]} if request.form.get("reason") else None)
    try:
        if action == "confirm":
            ledger.confirm(session, entry, current_user)
        elif action == "reverse":
            ledger.reverse(session, entry, body, current_user)
        else:
            getattr(ledger, action)(session, entry, body, current_user)
    except ApiError as exc:
        if exc.status >= 500 or exc.status == 404:
            raise
        session.rollback()
        return _project_page(project_id, pages.error_lines(exc), exc.status)
    flash({"confirm": _("Confirmed."), "dispute": _("Disputed."), "answer": _("Answer recorded."),
           "reverse": _("Reversed.")}[action], "info")
    return redirect(url_for(".project", project_id=project_id) + "#ledger")


@bp.route("/projects/<project_id>/rates", methods=["POST"])
@login_required
def add_rate(project_id: str):
    session = db.session()
    project_row = projects.get_project(session, project_id, current_user)
    body = {k: request.form.get(k, "").strip() for k in ("currency", "date", "rate", "source")}
    body["currency"] = body["currency"].upper()
    try:
        rates.add_rate(session, project_row, body, current_user)
    except ApiError as exc:
        if exc.status >= 500 or exc.status == 404:
            raise
        session.rollback()
        lines = pages.error_entries(exc)
        return _project_page(project_id, [text for _field, text in lines], exc.status,
                             form={"rate": request.form}, form_errors=forms.form_errors("rate", exc, lines))
    flash(_("Rate added."), "info")
    return redirect(url_for(".project", project_id=project_id) + "#rates")


@bp.route("/commission")
@login_required
def commission_page():
    return render_template("coproduction/commission.html", errors=[], form={},
                           **pages.commission_page(current_user, lang()))


@bp.route("/commission", methods=["POST"])
@login_required
def add_meeting():
    session = db.session()
    lines = lambda name: [x.strip() for x in request.form.get(name, "").splitlines() if x.strip()]  # noqa: E731
    body = {"date": request.form.get("date", "").strip(), "city": request.form.get("city", "").strip(),
            "host_country": request.form.get("host_country", ""), "attendees": lines("attendees"),
            "decisions": lines("decisions"), "projects": request.form.getlist("projects")}
    try:
        if current_user.role not in ("producer", "admin"):
            raise WrongRole("coproduction", ("producer",), current_user.role)
        commission.create_meeting(session, body, current_user)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        session.rollback()
        return render_template("coproduction/commission.html", errors=pages.error_lines(exc), form=request.form,
                               **pages.commission_page(current_user, lang())), exc.status
    flash(_("Meeting recorded."), "info")
    return redirect(url_for(".commission_page"))
