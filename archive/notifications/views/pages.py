"""The notifications page: the user's notifications, newest first, read and unread."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from archive import db
from archive.api.params import int_param
from archive.notifications import services
from archive.web import messages
from archive.web.headers import page_headers

bp = Blueprint("notification_pages", __name__)
PER_PAGE = 20
MAX_PAGE = 10_000


@bp.after_request
def _headers(resp):
    return page_headers(resp)


@bp.route("/notifications")
@login_required
def notifications():
    page = int_param("page", 1, 1, MAX_PAGE)
    rows, total, unread = services.list_for(db.session(), current_user, page=page, per_page=PER_PAGE)
    items = [{**services.notification_json(n), "text": messages.notification(n.kind, n.params, n.message)}
             for n in rows]
    pages = max(1, -(-total // PER_PAGE))
    return render_template("notifications.html", items=items, total=total, unread=unread, page=page, pages=pages,
                           prev_url=f"?page={page - 1}" if page > 1 else None,
                           next_url=f"?page={page + 1}" if page < pages else None)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    raw = request.form.get("id", "")
    if raw == "all":
        ids = None
    elif raw.isascii() and raw.isdigit() and len(raw) < 19:
        ids = [int(raw)]
    else:
        return redirect(url_for(".notifications"))
    services.mark_read(db.session(), current_user, ids)
    flash(_("Marked as read."), "info")
    return redirect(url_for(".notifications"))
