"""Notifications: the caller's in-app list and marking read; the organisation's webhook."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from archive import db
from archive.accounts.auth import api_user, require_user
from archive.api.body import json_body
from archive.api.params import flag_param, int_param
from archive.notifications import services, webhooks

bp = Blueprint("notifications_api", __name__, url_prefix="/api/v1/notifications")
MAX_PAGE = 100_000
MAX_PER_PAGE = 100


@bp.get("")
@require_user()
def list_notifications():
    unread_only = flag_param("unread")
    page = int_param("page", 1, 1, MAX_PAGE)
    per_page = int_param("per_page", 20, 1, MAX_PER_PAGE)
    rows, total, unread = services.list_for(db.session(), api_user(), unread_only=unread_only, page=page,
                                            per_page=per_page)
    return jsonify({"total": total, "unread": unread, "page": page, "per_page": per_page,
                    "items": [services.notification_json(n) for n in rows]})


@bp.post("/read")
@require_user()
def mark_read():
    ids = services.read_request(json_body())
    marked = services.mark_read(db.session(), api_user(), ids)
    return jsonify({"marked": marked, "unread": services.unread_count(db.session(), api_user())})


@bp.get("/webhook")
@require_user("rights_manager")
def get_webhook():
    return jsonify(webhooks.webhook_json(webhooks.get_webhook(db.session(), api_user().organisation_id)))


@bp.put("/webhook")
@require_user("rights_manager")
def put_webhook():
    row, secret = webhooks.set_webhook(db.session(), api_user().organisation, json_body(),
                                       allow_private=bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]),
                                       resolve_timeout=float(current_app.config["WEBHOOK_RESOLVE_SECONDS"]))
    # The secret is shown here only: the receiver keeps it to check Ortak-Signature.
    return jsonify({**webhooks.webhook_json(row), "secret": secret})


@bp.delete("/webhook")
@require_user("rights_manager")
def delete_webhook():
    webhooks.delete_webhook(db.session(), api_user().organisation_id)
    return "", 204
