"""`paths` and schemas of the basket operations (`/api/v1/baskets`)."""
from __future__ import annotations

from typing import Any

from archive.api.spec.components import error_response, json_content, nullable, ref, schema
from archive.api.spec.markers import TIMECODE
from archive.api.spec.paths import declaration_parameters, operation, page_parameters, response
from archive.baskets.schemas import MAX_NAME, MAX_SECONDS
from archive.baskets.services import MAX_ID, MAX_ITEMS, MAX_MEMBERS, MAX_PER_PAGE, PER_PAGE
from archive.baskets.views import MAX_PAGE

BODY_ERRORS = {"400": response("BadRequest"), "413": response("BodyTooLarge"),
               "415": response("UnsupportedMediaType")}
NOT_FOUND = error_response("`basket_not_found`: no such basket, or one the caller may not see (another user's "
                           "private basket is not told apart from none).")
READ_ONLY = error_response("`basket_read_only`: the caller sees the basket but may not do this (changing items "
                           "needs `edit` access; sharing is the owner's).")
POSITION = {"oneOf": [TIMECODE, {"type": "number", "minimum": 0, "maximum": MAX_SECONDS,
                                 "description": "Seconds from the master's first frame (`in` rounded down to its "
                                                "frame, `out` up)."}]}
ZIP_READ = ("The basket's ready zip (any who see the basket). A zip of originals is a master-quality read of "
            "every item: the one who asked for it reads it under the declaration it was built with (nothing "
            "recorded again); anyone else, or that one declaring another use, declares theirs in the query "
            "(each item recorded as their use). One `Range` (`bytes=a-b`, `bytes=a-`, `bytes=-n`) is answered "
            "206, with `If-Range` against the ETag (the zip's SHA-256) so a download that broke off resumes; "
            "several ranges or another unit give the whole zip. A `HEAD` answers the headers the `GET` would "
            "have, without the bytes and without a usage record.")


def schemas() -> dict[str, Any]:
    zip_state = {
        "type": "object", "required": ["status", "progress", "error", "size", "sha256", "requested", "download"],
        "properties": {"status": {"enum": ["queued", "building", "ready", "failed"]},
                       "progress": {"type": "number", "minimum": 0, "maximum": 1},
                       "error": {"type": ["string", "null"]}, "size": {"type": ["integer", "null"]},
                       "sha256": {"type": ["string", "null"]},
                       "requested": {"type": ["string", "null"], "format": "date-time"},
                       "download": {"type": ["string", "null"],
                                    "description": "`GET` it for the zip, once `status` is `ready`."}}}
    item = {
        "type": "object", "required": ["id", "asset_id", "title", "status", "in", "out", "in_seconds", "out_seconds"],
        "description": "An item whose asset the caller may not see (another organisation's asset that is not "
                       "ready) has `status` `unavailable` and `title` null.",
        "properties": {"id": {"type": "integer"}, "asset_id": {"type": "string"}, "title": {"type": ["string", "null"]},
                       "status": {"type": "string", "description": "The asset's status, or `unavailable`."},
                       "in": {"type": ["string", "null"]},
                       "out": {"type": ["string", "null"]}, "in_seconds": {"type": ["number", "null"]},
                       "out_seconds": {"type": ["number", "null"]},
                       "added": {"type": ["string", "null"], "format": "date-time"}}}
    return {
        "BasketZip": zip_state,
        "BasketItem": item,
        "BasketNew": {"type": "object", "required": ["name"], "additionalProperties": False,
                      "properties": {"name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME}}},
        "BasketItemNew": {
            "type": "object", "required": ["asset_id"], "additionalProperties": False,
            "description": "A whole asset (no `in`/`out`), or a segment (both), checked against the asset's frame "
                           "rate, start timecode and duration.",
            "properties": {"asset_id": {"type": "string"}, "in": POSITION, "out": POSITION}},
        "BasketMemberNew": {"type": "object", "required": ["user"], "additionalProperties": False,
                            "properties": {"user": {"oneOf": [{"type": "string", "maxLength": 320},
                                                              {"type": "integer"}],
                                                    "description": "An e-mail address or a user id."},
                                           "access": {"enum": ["read", "edit"], "default": "read"}}},
        "Basket": {
            "type": "object",
            "required": ["id", "name", "owner", "access", "total", "page", "per_page", "pages", "items", "members",
                         "zip"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "owner": nullable(schema("Person")),
                           "access": {"enum": ["owner", "edit", "read"]}, "created": {"type": "string"},
                           "total": {"type": "integer", "maximum": MAX_ITEMS}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "pages": {"type": "integer"},
                           "items": {"type": "array", "items": schema("BasketItem")},
                           "members": {"type": "array", "items": {"type": "object"}},
                           "zip": nullable(schema("BasketZip"))}},
    }


def basket_paths() -> dict[str, Any]:
    basket_id = {"name": "basket_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 36}}
    item_id = {"name": "item_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
    user_id = {"name": "user_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
    invalid_item = error_response(
        "`invalid_basket_item`: `details.errors` has one `{field, code, message}` per mistake: `unknown_field`, "
        "`required`, `invalid_timecode` (with `reason`), `invalid_seconds`, `out_of_range`, `out_before_in`, "
        "`segment_without_pair`, `no_timeline`.")
    zip_file = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
    zip_headers = {"ETag": ref("headers", "ETag"), "Accept-Ranges": ref("headers", "AcceptRanges"),
                   "Content-Disposition": ref("headers", "ContentDisposition")}
    zip_answers = {
        "200": {"description": "The whole zip.", "headers": zip_headers, "content": zip_file},
        "206": {"description": "The requested range.", "content": zip_file, "headers": {
            **zip_headers, "Content-Range": {"schema": {"type": "string", "examples": ["bytes 0-1023/4096"]}}}},
        "403": error_response("`declaration_required`: a member other than the one who asked for the zip (or that "
                              "one declaring another use) declares theirs; `rights_denied`: the rights refuse one "
                              "item or more (`details.refused`, `details.items` `[{item, asset_id, reasons}]`); the "
                              "refusals are in the usage log."),
        "404": NOT_FOUND, "409": error_response("`zip_not_ready`."),
        "416": {"description": "`range_not_satisfiable`; `Content-Range: bytes */SIZE`.",
                "headers": {"Content-Range": {"schema": {"type": "string"}}}, "content": json_content(schema("Error"))},
        "422": error_response("`invalid_declaration` (malformed, incomplete or past)."),
    }
    zip_parameters = [
        *declaration_parameters(),
        {"name": "Range", "in": "header", "schema": {"type": "string", "examples": ["bytes=1048576-"]}},
        {"name": "If-Range", "in": "header", "schema": {"type": "string"},
         "description": "The zip's ETag: the Range applies only to that zip (one built again is another)."},
    ]
    return {
        "/api/v1/baskets": {
            "get": operation("baskets", "listBaskets", "The caller's baskets and those shared with them.",
                             {"200": {"description": "`{\"baskets\": [{id, name, access, items, created, zip}]}`.",
                                      "content": json_content({"type": "object"})}}),
            "post": operation("baskets", "createBasket", "Create a basket.",
                              {"201": {"description": "`{\"id\", \"name\"}`.", "content": json_content({"type": "object"})},
                               **BODY_ERRORS, "422": error_response("`invalid_basket`: the name is missing, empty, "
                                                                    f"over {MAX_NAME} characters or has control "
                                                                    "characters.")},
                              requestBody={"required": True, "content": json_content(schema("BasketNew"))}),
        },
        "/api/v1/baskets/{basket_id}": {
            "parameters": [basket_id],
            "get": operation("baskets", "getBasket", "The basket, one page of its items (in the order added) and "
                             "the state of its zip.",
                             {"200": {"description": "The basket.", "content": json_content(schema("Basket"))},
                              "400": response("BadRequest"), "404": NOT_FOUND},
                             parameters=[*page_parameters(MAX_PAGE, MAX_PER_PAGE, PER_PAGE),
                                         ref("parameters", "Lang")]),
        },
        "/api/v1/baskets/{basket_id}/items": {
            "parameters": [basket_id],
            "post": operation("baskets", "addBasketItem", f"Add an asset or a segment of it (at most {MAX_ITEMS} "
                              "items a basket).",
                              {"201": {"description": "The item.", "content": json_content(schema("BasketItem"))},
                               "403": READ_ONLY, "404": error_response("`basket_not_found` or `asset_not_found`."),
                               "409": error_response("`basket_full`, or `asset_uploading`: the asset's upload has "
                                                     "not finished (`details.upload`: its progress)."),
                               "422": invalid_item, **BODY_ERRORS},
                              requestBody={"required": True, "content": json_content(schema("BasketItemNew"))}),
        },
        "/api/v1/baskets/{basket_id}/items/{item_id}": {
            "parameters": [basket_id, item_id],
            "delete": operation("baskets", "removeBasketItem", "Remove an item.",
                                {"204": {"description": "Removed."}, "403": READ_ONLY,
                                 "404": error_response("`basket_not_found` or `basket_item_not_found`.")}),
        },
        "/api/v1/baskets/{basket_id}/members": {
            "parameters": [basket_id],
            "post": operation("baskets", "shareBasket", f"Share the basket with a user for reading or editing (the "
                              f"owner; at most {MAX_MEMBERS} users). Sharing again changes the access.",
                              {"201": {"description": "`{\"user_id\", \"access\"}`.",
                                       "content": json_content({"type": "object"})},
                               "403": READ_ONLY, "404": error_response("`basket_not_found` or `user_not_found` (no active user "
                                                                     "by that id, or by an e-mail address the caller may see: "
                                                                     "their organisation's, any for an admin)."),
                               "409": error_response("`basket_owner` (the owner has it), `too_many_members`."),
                               "422": error_response("`invalid_basket_member`."), **BODY_ERRORS},
                              requestBody={"required": True, "content": json_content(schema("BasketMemberNew"))}),
        },
        "/api/v1/baskets/{basket_id}/members/{user_id}": {
            "parameters": [basket_id, user_id],
            "delete": operation("baskets", "unshareBasket", "Stop sharing the basket with a user (the owner).",
                                {"204": {"description": "Removed."}, "403": READ_ONLY,
                                 "404": error_response("`basket_not_found` or `basket_member_not_found`.")}),
        },
        "/api/v1/baskets/{basket_id}/zip": {
            "parameters": [basket_id],
            "post": operation(
                "baskets", "zipBasket",
                "Ask for the zip of the basket's originals (a segment cut by stream copy from the keyframe "
                "when the rights clear that span, else frame-exact; the manifest's `cut` says which), built by a worker and "
                "streamed to storage (ZIP64, stored), with `manifest.json` and `manifest.csv`. A master-quality "
                "read of every item: the usage declaration comes as query parameters or as `{\"declaration\": "
                "{...}}`; each item passes the access gate, and each use is recorded when the worker reads it.",
                {"202": {"description": "`{\"id\", \"zip\"}`: queued; follow `GET /api/v1/baskets/{basket_id}`.",
                         "content": json_content({"type": "object"})},
                 "403": error_response("`declaration_required`; `rights_denied`: the rights refuse one item or "
                                       "more, nothing is built: `details.refused` (how many) and `details.items` "
                                       "`[{item, asset_id, reasons}]`; the refusals are in the usage log."),
                 "404": NOT_FOUND,
                 "409": error_response("`basket_empty`, `zip_in_progress`, `fixity_failed` (an item's original "
                                       "failed its latest fixity check: `details.item`, `file`, `expected_sha256`, "
                                       "`actual_sha256`...)."),
                 "422": error_response("`invalid_declaration` (malformed, incomplete or past), `invalid_body`."),
                 **BODY_ERRORS},
                parameters=declaration_parameters(),
                requestBody={"required": False, "content": json_content({
                    "type": "object", "additionalProperties": False,
                    "properties": {"declaration": {"type": "object"}}})}),
            "get": operation("baskets", "downloadBasketZip", ZIP_READ, zip_answers, parameters=zip_parameters),
        },
    }


def share_paths() -> dict[str, Any]:
    from archive.shares.services import MAX_DOWNLOADS, MAX_LIFETIME, MAX_PASSWORD, MIN_PASSWORD, PREVIEWS
    body = {
        "type": "object", "required": ["expires"], "additionalProperties": False,
        "description": "Exactly one of `basket_id` (the basket's owner) and `asset_id`.",
        "properties": {
            "basket_id": {"type": "string"}, "asset_id": {"type": "string"},
            "expires": {"type": "string", "examples": ["2027-01-31", "2027-01-31T18:00:00+03:00"],
                        "description": f"ISO 8601: a date (to its end, UTC) or a date-time with its offset; in the "
                                       f"future, at most {MAX_LIFETIME.days} days ahead."},
            "password": {"type": "string", "minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD},
            "max_downloads": {"type": "integer", "minimum": 1, "maximum": MAX_DOWNLOADS},
            "renditions": {"type": "array", "items": {"type": "string", "pattern": "^[a-z0-9_]{1,32}$"},
                           "default": PREVIEWS,
                           "description": "What a visitor may take; `original` (a master-quality read through "
                                          "the gate, with a usage declaration) only when named. A basket link "
                                          "with `original` also gives the basket's ready zip. Each name is "
                                          "`original` or a rendition: the asset's (one it has or its kind gets) "
                                          "for an asset link, one Ortak makes for a basket link; another is 422 "
                                          "`invalid_share`, entry `unknown_rendition` (`names`, `choices`). "
                                          "Without it, an asset link shares the previews the asset has."},
            "declaration": {**schema("UsageDeclaration"),
                            "description": "With `original` only: the usage declaration every master-quality read "
                                           "through the link (originals and the basket's zip) is checked and "
                                           "recorded with, fixed at the link's creation; a visitor declares no "
                                           "other (422 `invalid_declaration`, entry `declared_by_link`). Without "
                                           "it, a visitor declares the use in the query, for the zip as for an "
                                           "original; the declaration the zip was built with never applies."}}}
    return {
        "/api/v1/shares": {
            "post": operation(
                "baskets", "createShare",
                "A link to a basket or an asset that opens without an account (`url`, `/s/TOKEN`) until it "
                "expires or is revoked (then 410). `max_downloads` bounds downloads (the original, the zip, a "
                "rendition asked for with `?download=1` or other than the previews `poster` and `proxy`; then "
                "410 `share_exhausted`), never viewing the page and its previews. Only the token's SHA-256 "
                "is stored; the token is shown once, in `url`. Every use is a read by the link's creator through "
                "the access gate, recorded in the usage log with the link's id.",
                {"201": {"description": "`{\"id\", \"url\", \"basket_id\", \"asset_id\", \"expires\", \"revoked\", "
                                        "\"password\", \"max_downloads\", \"downloads\", \"renditions\", "
                                        "\"declaration\"}`.",
                         "content": json_content({"type": "object", "required": ["id", "url"]})},
                 "403": READ_ONLY, "404": error_response("`basket_not_found`, `asset_not_found`."),
                 "409": error_response("`asset_uploading`: the asset's upload has not finished (`details.upload`: "
                                       "its progress)."),
                 "422": error_response("`invalid_share`: `details.errors` (`unknown_field`, `one_subject`, "
                                       "`required`, `invalid_datetime`, `no_offset`, `in_the_past`, `too_far`, "
                                       "`invalid_password`, `invalid_number`, `invalid_renditions`, "
                                       "`unknown_rendition`, `declaration_without_original`); "
                                       "`invalid_declaration`."),
                 **BODY_ERRORS},
                requestBody={"required": True, "content": json_content(body)}),
        },
        "/api/v1/shares/{share_id}": {
            "parameters": [{"name": "share_id", "in": "path", "required": True,
                            "schema": {"type": "string", "maxLength": 36}}],
            "delete": operation("baskets", "revokeShare", "Revoke a link (its creator, or an administrator of the "
                                "creator's organisation); revoking again is no error.",
                                {"204": {"description": "Revoked: the link answers 410."},
                                 "404": error_response("`share_not_found`.")}),
        },
    }
