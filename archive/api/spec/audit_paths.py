"""`paths` of the usage log (read only) and of notifications, with their schemas."""
from __future__ import annotations

from typing import Any

from archive.access.declarations import PLATFORMS
from archive.accounts.models import COUNTRIES
from archive.api.spec.components import error_response, json_content, nullable, schema
from archive.api.spec.paths import operation, page_parameters, response
from archive.assets.schemas import LANGS
from archive.notifications.services import MAX_IDS
from archive.notifications.views import api as notifications_api
from archive.notifications.webhooks import MAX_URL
from archive.rights import audit as rights_audit
from archive.usage.reports import CSV_COLUMNS, SCOPES, TOP_ASSETS
from archive.usage.views import api as usage_api

WRONG_ROLE = error_response("`wrong_role`: rights managers (their organisation's assets) and admins only.")


def _query(name: str, description: str, **schema_: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema_ or {"type": "string"}, "description": description}


def usage_filters() -> list[dict[str, Any]]:
    return [
        _query("asset", "One asset's uses: its id (an id that names no asset matches nothing; anything that "
               "cannot be an id answers 400).", type="string", format="uuid", maxLength=64),
        _query("org", "The organisation that used it, by name or id; 404 `organisation_not_found` when none.",
               type="string", maxLength=200),
        _query("country", "The using organisation's country.", type="string", enum=list(COUNTRIES)),
        _query("platform", "The platform declared with the use.", type="string", enum=list(PLATFORMS)),
        _query("from", "First day (UTC) of the uses, YYYY-MM-DD.", type="string", format="date"),
        _query("to", "Last day (UTC, included), YYYY-MM-DD; not before `from`.", type="string", format="date"),
        _query("scope", "Whose records, relative to the caller's organisation: `assets` the uses of its assets "
               "(a rights manager's default), `organisation` the uses it made of any organisation's assets, `both` "
               "either. Without it an admin reads every record.", type="string", enum=list(SCOPES)),
        _query("lang", "The language of asset titles.", type="string", enum=list(LANGS)),
    ]


def audit_schemas() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    return {
        "UsageRecord": {"type": "object", "required": ["id", "at", "asset", "organisation", "user", "action", "hash"],
                        "properties": {
                            "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
                            "asset": {"type": "object", "properties": {"id": {"type": "string"},
                                                                       "title": {"type": "string"}}},
                            "organisation": {"type": "object", "properties": {
                                "id": {"type": "integer"}, "name": {"type": "string"},
                                "country": {"type": "string", "enum": list(COUNTRIES)}}},
                            "user": {"type": "object"}, "action": {"type": "string"}, "rendition": {"type": "string"},
                            "declaration": nullable({"type": "object"}), "decision": nullable({"type": "string"}),
                            "reasons": nullable({"type": "array"}), "conditions": nullable({"type": "object"}),
                            "segment": nullable({"type": "object"}), "share_link_id": nullable({"type": "string"}),
                            "hash": {"type": "string"}}},
        "UsagePage": {"type": "object", "required": ["total", "page", "per_page", "items"], "properties": {
            "total": count, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "items": {"type": "array", "items": schema("UsageRecord")}}},
        "UsageSummary": {"type": "object", "properties": {
            "total": count,
            "by_month_country": {"type": "array", "items": {"type": "object", "properties": {
                "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, "country": {"type": "string"},
                "uses": count}}},
            "top_assets": {"type": "array", "maxItems": TOP_ASSETS, "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "uses": count}}},
            "platforms": {"type": "array", "items": {"type": "object", "properties": {
                "platform": nullable({"type": "string"}), "uses": count}}},
            "organisations": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "country": {"type": "string"},
                "uses": count}}}}},
        "ExpiringRights": {"type": "object", "required": ["days", "today", "items"], "properties": {
            "days": {"type": "integer"}, "today": {"type": "string", "format": "date"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "block": {"type": "integer"}, "asset": {"type": "object", "properties": {
                    "id": {"type": "string"}, "title": {"type": "string"}}},
                "licensees": {"type": "array", "items": {"type": "string"},
                              "description": "Organisation names, `country:XX`, `all members`."},
                "platforms": {"type": "array", "items": {"type": "string", "enum": list(PLATFORMS)}},
                "territories": {"type": "array", "items": {"type": "string"}},
                "exclude_territories": {"type": "array", "items": {"type": "string"}},
                "start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"},
                "days_left": count, "exclusive": {"type": "boolean"}, "contract": nullable({"type": "string"})}}}}},
        "OutsideRightsPage": {"type": "object", "required": ["total", "page", "per_page", "items"], "properties": {
            "total": count, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "usage_id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
                "asset": {"type": "object", "properties": {"id": {"type": "string"}, "title": {"type": "string"}}},
                "organisation": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "country": {"type": "string"}}},
                "declaration": {"type": "object"},
                "blocks": {"type": "array", "items": {"type": "integer"}},
                "problems": {"type": "array", "items": {"type": "string", "enum": list(rights_audit.PROBLEMS)}},
                "changed_blocks": {"type": "array", "items": {"type": "integer"}},
                "deleted_blocks": {"type": "array", "items": {"type": "integer"}},
                "uncovered": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                         "items": {"type": "string", "format": "date"}}},
                "restricting_blocks": {"type": "array", "items": {"type": "integer"}},
                "restricted": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                          "items": {"type": "string", "format": "date"}}}}}}}},
        "Notification": {"type": "object", "properties": {
            "id": {"type": "integer"}, "kind": {"type": "string"}, "subject": nullable({"type": "string"}),
            "params": {"type": "object"}, "message": {"type": "string"},
            "created": {"type": "string", "format": "date-time"}, "read": {"type": "boolean"},
            "read_at": nullable({"type": "string", "format": "date-time"})}},
        "Webhook": {"type": "object", "properties": {
            "url": {"type": "string", "maxLength": MAX_URL}, "active": {"type": "boolean"},
            "created": {"type": "string", "format": "date-time"}, "last_status": nullable({"type": "string"}),
            "last_attempt_at": nullable({"type": "string", "format": "date-time"}),
            "secret": {"type": "string", "description": "Only in the answer of PUT: 64 hex digits."}}},
    }


def audit_paths() -> dict[str, Any]:
    bad = {"400": response("BadRequest")}
    body_errors = {"400": response("BadRequest"), "413": response("BodyTooLarge"),
                   "415": response("UnsupportedMediaType")}
    no_org = {"404": error_response("`organisation_not_found`: `org` names no organisation.")}
    csv_text = "text/csv"
    return {
        "/api/v1/usage": {"get": operation(
            "usage", "listUsage",
            "The usage log, newest first: for a rights manager the uses of their organisation's assets (with "
            "`scope`, also or instead the uses their organisation made), for an admin every use. Read only: no route changes or deletes a record. `format=csv` streams every matching "
            f"record, oldest first, with the columns {', '.join(CSV_COLUMNS)} (a cell a spreadsheet would run as a "
            "formula starts with an apostrophe).",
            {"200": {"description": "One page of records, or the CSV.",
                     "content": {**json_content(schema("UsagePage")), csv_text: {"schema": {"type": "string"}}}},
             **bad, "403": WRONG_ROLE, **no_org},
            parameters=usage_filters() + page_parameters(usage_api.MAX_PAGE, usage_api.MAX_PER_PAGE, 50) + [
                _query("format", "json (default) or csv.", type="string", enum=list(usage_api.FORMATS))])},
        "/api/v1/usage/summary": {"get": operation(
            "usage", "usageSummary",
            "The audit charts' figures over the same records: uses per month per country, the most used assets, "
            "declared platforms, uses by organisation.",
            {"200": {"description": "The figures.", "content": json_content(schema("UsageSummary"))},
             **bad, "403": WRONG_ROLE, **no_org}, parameters=usage_filters())},
        "/api/v1/rights/expiring": {"get": operation(
            "usage", "listExpiringRights",
            "The grants whose window ends within `days` days from today (UTC; today included), soonest first: for a "
            "rights manager those on their organisation's assets, for an admin all. Restrictions are not listed (one "
            "that ends takes no right away). `format=csv` answers the columns "
            f"{', '.join(rights_audit.EXPIRING_CSV_COLUMNS)}.",
            {"200": {"description": "The grants, or the CSV.",
                     "content": {**json_content(schema("ExpiringRights")), csv_text: {"schema": {"type": "string"}}}},
             **bad, "403": WRONG_ROLE},
            parameters=[_query("days", "How many days ahead (default 30).", type="integer", minimum=0,
                               maximum=rights_audit.MAX_DAYS, default=30),
                        _query("format", "json (default) or csv.", type="string", enum=list(usage_api.FORMATS)),
                        _query("lang", "The language of asset titles.", type="string", enum=list(LANGS))])},
        "/api/v1/usage/outside-rights": {"get": operation(
            "usage", "listUsesOutsideRights",
            "Allowed uses outside the rights that cleared them, newest first: the declared air dates (`from`..`to`) "
            "are not covered by the current windows of the blocks named in the record's `cleared` reason "
            "(`outside_window`, with the days `uncovered`), or those blocks were changed (`block_changed`) or "
            "deleted (`block_deleted`) since the use, or a restriction of the asset, whenever made, now covers the "
            "use as declared (`restricted`, naming it in `restricting_blocks` and the days in `restricted`). "
            "A rights manager sees the uses of their organisation's assets, "
            "an admin all. `format=csv` answers every one, oldest first, with the columns "
            f"{', '.join(rights_audit.OUTSIDE_CSV_COLUMNS)}.",
            {"200": {"description": "One page, or the CSV.",
                     "content": {**json_content(schema("OutsideRightsPage")), csv_text: {"schema": {"type": "string"}}}},
             **bad, "403": WRONG_ROLE},
            parameters=page_parameters(usage_api.MAX_PAGE, usage_api.MAX_PER_PAGE, 50) + [
                _query("format", "json (default) or csv.", type="string", enum=list(usage_api.FORMATS)),
                _query("lang", "The language of asset titles.", type="string", enum=list(LANGS))])},
        "/api/v1/notifications": {"get": operation(
            "notifications", "listNotifications", "The caller's notifications, newest first, with how many are unread.",
            {"200": {"description": "One page.", "content": json_content({"type": "object", "properties": {
                "total": {"type": "integer"}, "unread": {"type": "integer"}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "items": {"type": "array", "items": schema("Notification")}}})},
             **bad},
            parameters=[_query("unread", "1: only the unread ones.", type="string",
                               enum=["1", "0", "true", "false", "yes", "no"])]
            + page_parameters(notifications_api.MAX_PAGE, notifications_api.MAX_PER_PAGE, 20))},
        "/api/v1/notifications/read": {"post": operation(
            "notifications", "markNotificationsRead",
            f'Mark the caller\'s notifications read: `{{"ids": [...]}}` (at most {MAX_IDS}) or `{{"all": true}}`. '
            "Ids of other users' notifications change nothing.",
            {"200": {"description": "How many changed, and how many are still unread.",
                     "content": json_content({"type": "object", "properties": {"marked": {"type": "integer"},
                                                                               "unread": {"type": "integer"}}})},
             **body_errors, "422": error_response("`invalid_notification_ids`.")},
            requestBody={"required": True, "content": json_content({"oneOf": [
                {"type": "object", "required": ["ids"], "additionalProperties": False, "properties": {
                    "ids": {"type": "array", "maxItems": MAX_IDS, "items": {"type": "integer", "minimum": 1}}}},
                {"type": "object", "required": ["all"], "additionalProperties": False,
                 "properties": {"all": {"const": True}}}]})})},
        "/api/v1/notifications/webhook": {
            "get": operation("notifications", "getWebhook", "The caller's organisation's webhook (without its secret).",
                             {"200": {"description": "The webhook.", "content": json_content(schema("Webhook"))},
                              "403": WRONG_ROLE, "404": error_response("`webhook_not_found`.")}),
            "put": operation(
                "notifications", "setWebhook",
                "Set (or replace) the organisation's webhook; the answer carries a new HMAC-SHA256 `secret`, shown "
                "this once. Deliveries are POSTs signed in `Ortak-Signature: t=UNIX,v1=HEX` (README).",
                {"200": {"description": "Set.", "content": json_content(schema("Webhook"))}, **body_errors,
                 "403": WRONG_ROLE, "422": error_response("`invalid_webhook_url`: http(s), a host, no credentials, "
                                                          f"no fragment, at most {MAX_URL} characters; a host "
                                                          "that is or resolves to a loopback, link-local, private, "
                                                          "multicast or unspecified address: reason "
                                                          "`private_address`; a host name whose lookup "
                                                          "takes longer than WEBHOOK_RESOLVE_SECONDS: "
                                                          "reason `resolve_timeout`.")},
                requestBody={"required": True, "content": json_content({
                    "type": "object", "required": ["url"], "additionalProperties": False,
                    "properties": {"url": {"type": "string", "format": "uri", "maxLength": MAX_URL}}})}),
            "delete": operation("notifications", "deleteWebhook", "Remove the organisation's webhook.",
                                {"204": {"description": "Removed."}, "403": WRONG_ROLE,
                                 "404": error_response("`webhook_not_found`.")}),
        },
    }
