"""Baskets JSON API: `/api/v1/baskets` (list, create), `/{id}` (items paged, zip state),
`/{id}/items` (add, remove), `/{id}/members` (share with users), `/{id}/zip` (ask, download)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from archive import db
from archive.access.declarations import declaration_from_query
from archive.accounts.auth import api_user, require_user
from archive.api.body import json_body
from archive.api.params import int_param, lang_param
from archive.baskets import services
from archive.baskets.zip_answer import zip_response
from archive.validation import entry, raise_entries

bp = Blueprint("baskets", __name__, url_prefix="/api/v1/baskets")
MAX_PAGE = 100_000


@bp.get("")
@require_user()
def list_baskets():
    return jsonify({"baskets": services.list_baskets(db.session(), api_user())})


@bp.post("")
@require_user()
def create_basket():
    basket = services.create_basket(db.session(), json_body(), api_user())
    return jsonify({"id": basket.id, "name": basket.name}), 201


@bp.get("/<basket_id>")
@require_user()
def get_basket(basket_id: str):
    session = db.session()
    basket = services.get_basket(session, basket_id, api_user())
    page = int_param("page", 1, 1, MAX_PAGE)
    per_page = int_param("per_page", services.PER_PAGE, 1, services.MAX_PER_PAGE)
    return jsonify(services.basket_json(session, basket, api_user(), page=page, per_page=per_page,
                                        lang=lang_param()))


@bp.post("/<basket_id>/items")
@require_user()
def add_item(basket_id: str):
    session = db.session()
    basket = services.get_basket(session, basket_id, api_user(), need="edit")
    item = services.add_item(session, basket, json_body(), api_user())
    return jsonify(services.item_json(item)), 201


@bp.delete("/<basket_id>/items/<int:item_id>")
@require_user()
def remove_item(basket_id: str, item_id: int):
    session = db.session()
    basket = services.get_basket(session, basket_id, api_user(), need="edit")
    services.remove_item(session, basket, services.get_item(session, basket, item_id), api_user())
    return "", 204


@bp.post("/<basket_id>/members")
@require_user()
def share(basket_id: str):
    session = db.session()
    basket = services.get_basket(session, basket_id, api_user(), need="share")
    member = services.share_with(session, basket, json_body(), api_user())
    return jsonify({"user_id": member.user_id, "access": member.access}), 201


@bp.delete("/<basket_id>/members/<int:user_id>")
@require_user()
def unshare(basket_id: str, user_id: int):
    session = db.session()
    basket = services.get_basket(session, basket_id, api_user(), need="share")
    services.unshare(session, basket, user_id, api_user())
    return "", 204


def _zip_declaration():
    """The declaration from a JSON body `{"declaration": {...}}`, else from the query."""
    if request.content_length or request.is_json:
        body = json_body()
        unknown = sorted(str(k)[:40] for k in body if k != "declaration")
        if unknown:
            raise_entries("invalid_body", "body", [entry("body", "unknown_field", f"unknown fields: {', '.join(unknown)}",
                                                         fields=unknown)])
        if body.get("declaration") is not None:
            return body["declaration"]
    return declaration_from_query(request.args)


@bp.post("/<basket_id>/zip")
@require_user()
def request_zip(basket_id: str):
    session = db.session()
    basket = services.get_basket(session, basket_id, api_user(), need="zip")
    basket = services.request_zip(session, basket, _zip_declaration(), api_user())
    return jsonify({"id": basket.id, "zip": services.zip_json(basket, api_user())}), 202


@bp.route("/<basket_id>/zip", methods=["GET", "HEAD"])
@require_user()
def download_zip(basket_id: str):
    """The basket's ready zip (`services.prepare_member_zip`): whole or one Range, HEAD its
    headers (no use recorded)."""
    session = db.session()
    basket = services.get_basket(session, basket_id, api_user(), need="zip")
    head = request.method == "HEAD"
    z = services.prepare_member_zip(session, basket, api_user(), declaration_from_query(request.args),
                                    range_header=request.headers.get("Range"),
                                    if_range=request.headers.get("If-Range"), head=head)
    return zip_response(z, head=head, headers={"Cache-Control": "private, no-store"})
