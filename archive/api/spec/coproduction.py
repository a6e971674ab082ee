"""The co-production part of the OpenAPI document: paths and schemas, from the constants the
co-production services check with (kinds, roles, statuses, limits, rule sets)."""
from __future__ import annotations

from typing import Any

from archive.accounts.models import COUNTRIES
from archive.api.spec.components import error_response, json_content, nullable, ref, schema
from archive.assets.schemas import LANGS
from archive.coproduction.commission import MAX_MINUTES_BYTES, MINUTES_TYPES
from archive.coproduction.entry_schemas import CREW_FIELDS, SERVICE_FIELDS
from archive.coproduction.ledger import STATUSES as ENTRY_STATUSES
from archive.coproduction.models import CONTRIBUTION_KINDS, PARTY_ROLES, PROJECT_KINDS, PROJECT_STATUSES
from archive.coproduction.reports import CONTENT_TYPES
from archive.coproduction.rulesets import ELEMENT_KEYS, RULE_SETS
from archive.coproduction.schemas import (MAX_AMOUNT, MAX_NAME, MAX_PARTIES, MAX_RATE, MAX_TEXT, MAX_TITLE,
                                          SERVICE_CATEGORIES, TIMECODE_PATTERN)
from archive.coproduction.views.api import MAX_PAGE, MAX_PER_PAGE

MONEY = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "examples": ["1000.00"],
         "description": "An exact decimal amount as text (never a JSON number), at the currency's minor unit."}
AMOUNT_IN = {"type": "string", "pattern": r"^[0-9]{1,13}(\.[0-9]{1,3})?$", "examples": ["1000.00"],
             "description": f"A positive decimal as text, at most {MAX_AMOUNT:f} and no more places than the "
                            "currency's minor unit (TRY, AZN, EUR: 2; JPY: 0). A JSON number is refused "
                            "(`not_a_decimal_string`); more than 18 digits before the point is `too_large` "
                            "{max}."}
SHARE = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$", "examples": ["50", "33.33"],
         "description": "Percent, more than 0 (a share of 0 is `not_positive`), at most two places."}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["TRY", "AZN", "EUR"],
            "description": "ISO 4217; an unknown code is refused (`unknown_currency`)."}
DATE = {"type": "string", "format": "date"}
PERCENT_OUT = {"type": ["string", "null"], "description": "Percent with two places; null when nothing is confirmed."}
TEXT = {"type": "string"}


def _obj(required: list[str], properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties, **extra}


def schemas() -> dict[str, Any]:
    kinds_money = _obj(["confirmed", "pending"], {"confirmed": MONEY, "pending": MONEY})
    by_kind = {"type": "object", "properties": {k: kinds_money for k in CONTRIBUTION_KINDS}}
    party = _obj(["id", "organisation", "country", "role", "share"], {
        "id": {"type": "integer"}, "organisation": TEXT, "organisation_id": {"type": "integer"},
        "country": {"enum": list(COUNTRIES)}, "role": {"enum": list(PARTY_ROLES)}, "share": SHARE})
    person = nullable(schema("Person"))
    return {
        "ProjectNew": _obj(["title", "kind", "reporting_currency", "parties"], {
            "title": {"type": "object", "additionalProperties": False, "minProperties": 1,
                      "properties": {lang: {"type": "string", "maxLength": MAX_TITLE} for lang in LANGS}},
            "kind": {"enum": list(PROJECT_KINDS)}, "status": {"enum": list(PROJECT_STATUSES)},
            "reporting_currency": CURRENCY,
            "rule_set": {"enum": [*RULE_SETS, None], "description": "Limits checked on the agreed shares and shown "
                                                                     "on the dashboard."},
            "footage_rate_per_minute": {**AMOUNT_IN, "description": "The agreed value of a minute of archive "
                                                                     "footage, in the reporting currency."},
            "parties": {"type": "array", "minItems": 2, "maxItems": MAX_PARTIES, "items": _obj(
                ["organisation", "role", "share"], {"organisation": {"type": "string", "maxLength": MAX_NAME},
                                                    "role": {"enum": list(PARTY_ROLES)}, "share": SHARE},
                additionalProperties=False),
                "description": "Organisations of both countries; the shares add up to 100."},
            "budget": {"type": "array", "items": ref("schemas", "BudgetLineNew")},
            "milestones": {"type": "array", "items": ref("schemas", "MilestoneNew")}}, additionalProperties=False),
        "BudgetLineNew": _obj(["category", "amount", "currency"], {
            "category": {"type": "string", "maxLength": 100}, "amount": AMOUNT_IN, "currency": CURRENCY},
            additionalProperties=False),
        "MilestoneNew": _obj(["title", "due"], {
            "title": {"type": "string", "maxLength": MAX_TITLE}, "due": DATE,
            "owner": {"type": "string", "description": "The name of a party's organisation."},
            "done": {"type": "boolean"}}, additionalProperties=False),
        "Party": party,
        "BudgetLine": _obj(["id", "category", "planned", "currency"], {
            "id": {"type": "integer"}, "category": TEXT, "planned": MONEY, "currency": CURRENCY}),
        "Milestone": _obj(["id", "title", "due", "owner", "done", "done_at"], {
            "id": {"type": "integer"}, "title": TEXT, "due": DATE, "owner": {"type": ["string", "null"]},
            "done": {"type": "boolean"}, "done_at": {"type": ["string", "null"], "format": "date-time"}}),
        "Project": _obj(["id", "title", "display_title", "kind", "status", "reporting_currency", "rule_set",
                         "footage_rate_per_minute", "parties", "budget", "milestones", "credit"], {
            "id": {"type": "string"}, "title": {"type": "object"}, "display_title": TEXT,
            "kind": {"enum": list(PROJECT_KINDS)}, "status": {"enum": list(PROJECT_STATUSES)},
            "reporting_currency": CURRENCY, "rule_set": {"enum": [*RULE_SETS, None]},
            "footage_rate_per_minute": {**MONEY, "type": ["string", "null"]},
            "parties": {"type": "array", "items": schema("Party")},
            "budget": {"type": "array", "items": schema("BudgetLine")},
            "milestones": {"type": "array", "items": schema("Milestone")},
            "credit": _obj(["organisations", "text"], {"organisations": {"type": "array", "items": TEXT},
                                                       "text": TEXT}),
            "footage": {"type": "array", "items": schema("FootageItem"), "description": "GET of one project only."},
            "created": {"type": ["string", "null"], "format": "date-time"}}),
        "FootageItem": _obj(["id", "title", "kind", "whole", "segments"], {
            "id": {"type": "string"}, "title": {"type": ["string", "null"]}, "kind": {"type": ["string", "null"]},
            "whole": {"type": "boolean", "description": "The whole asset is linked."},
            "segments": {"type": "array", "items": _obj(["in", "out"], {"in": TEXT, "out": TEXT}),
                         "description": "Segments of the asset linked on their own."}}),
        "FootageLinkNew": _obj(["asset_id"], {
            "asset_id": {"type": "string"},
            "in": {"type": "string", "pattern": TIMECODE_PATTERN, "examples": ["00:00:01:00"],
                   "description": "With out: a segment of the asset (HH:MM:SS:FF or HH:MM:SS.fff)."},
            "out": {"type": "string", "pattern": TIMECODE_PATTERN, "examples": ["00:00:05:00"]}},
            additionalProperties=False),
        "FootageLink": _obj(["project_id", "asset_id", "in", "out"], {
            "project_id": {"type": "string"}, "asset_id": {"type": "string"},
            "in": {"type": ["string", "null"]}, "out": {"type": ["string", "null"]}}),
        "ProjectChange": _obj(["status"], {"status": {"enum": list(PROJECT_STATUSES)}}, additionalProperties=False),
        "Rate": _obj(["id", "currency", "date", "rate", "source"], {
            "id": {"type": "integer"}, "currency": CURRENCY, "date": DATE, "rate": MONEY, "source": TEXT}),
        "RateNew": _obj(["currency", "date", "rate", "source"], {
            "currency": CURRENCY, "date": DATE,
            "rate": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,10})?$", "examples": ["0.0270"],
                     "description": f"Units of the reporting currency per unit of `currency`, more than 0 and at "
                                    f"most {MAX_RATE:f}."},
            "source": {"type": "string", "minLength": 1, "maxLength": MAX_NAME, "examples": ["TCMB", "CBAR"]}},
            additionalProperties=False),
        "ContributionNew": _obj(["party", "kind", "date"], {
            "party": {"type": "string", "maxLength": MAX_NAME}, "kind": {"enum": list(CONTRIBUTION_KINDS)},
            "amount": AMOUNT_IN, "currency": CURRENCY, "date": {**DATE, "description": "Not in the future."},
            "description": {"type": "string", "maxLength": MAX_TEXT}, "asset_id": {"type": "string"},
            "in": {"type": "string", "pattern": TIMECODE_PATTERN}, "out": {"type": "string", "pattern": TIMECODE_PATTERN},
            "budget_category": {"type": "string"},
            "crew": {"type": "object", "properties": {f: {"type": "string"} for f in CREW_FIELDS},
                     "description": f"person, function, days, day_rate, nationality (ISO 3166-1), element "
                                    f"({', '.join(ELEMENT_KEYS)})."},
            "service": {"type": "object", "properties": {f: {"type": "string"} for f in SERVICE_FIELDS},
                        "description": f"category ({', '.join(SERVICE_CATEGORIES)}), quantity, unit, unit_rate, "
                                       "country, element."}}, additionalProperties=False),
        "Contribution": _obj(["id", "seq", "status", "party", "country", "kind", "amount", "currency", "date",
                              "fx", "reporting_amount", "reporting_currency", "signoffs", "hash"], {
            "id": TEXT, "seq": {"type": "integer"}, "project_id": TEXT, "status": {"enum": list(ENTRY_STATUSES)},
            "party": TEXT, "country": {"enum": list(COUNTRIES)}, "kind": {"enum": list(CONTRIBUTION_KINDS)},
            "amount": MONEY, "currency": CURRENCY, "date": DATE, "description": {"type": ["string", "null"]},
            "basis": {"type": ["object", "null"]}, "budget_category": {"type": ["string", "null"]},
            "asset_id": {"type": ["string", "null"]}, "in": {"type": ["string", "null"]},
            "out": {"type": ["string", "null"]},
            "fx": _obj(["rate", "date", "source"], {"rate": MONEY, "date": DATE, "source": TEXT}),
            "reporting_amount": MONEY, "reporting_currency": CURRENCY,
            "reverses": {"type": ["string", "null"]}, "reversed_by": {"type": ["string", "null"]},
            "submitted_by": person, "submitted_at": {"type": "string", "format": "date-time"},
            "signoffs": {"type": "array", "items": _obj(["type", "country", "at"], {
                "type": {"enum": ["confirmation", "dispute", "answer"]}, "by": person,
                "country": {"enum": list(COUNTRIES)}, "at": {"type": "string", "format": "date-time"},
                "reason": {"type": ["string", "null"]}, "seq": {"type": "integer"}})},
            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}),
        "ContributionPage": _obj(["total", "page", "per_page", "head", "items"], {
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "head": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "items": {"type": "array", "items": schema("Contribution")}}),
        "ParityParty": _obj(["organisation", "country", "agreed_share", "confirmed", "pending", "confirmed_share"], {
            "organisation": TEXT, "country": {"enum": list(COUNTRIES)}, "role": {"enum": list(PARTY_ROLES)},
            "agreed_share": SHARE, "confirmed": MONEY, "pending": MONEY, "confirmed_share": PERCENT_OUT,
            "to_restore": MONEY, "by_kind": by_kind}),
        "Parity": _obj(["reporting_currency", "parties"], {
            "project_id": TEXT, "reporting_currency": CURRENCY,
            "parties": {"type": "array", "items": schema("ParityParty")},
            "countries": {"type": "array", "items": _obj(["country", "agreed_share", "confirmed", "pending"], {
                "country": {"enum": list(COUNTRIES)}, "agreed_share": SHARE, "confirmed": MONEY, "pending": MONEY,
                "confirmed_share": PERCENT_OUT, "to_restore": MONEY, "by_kind": by_kind})},
            "totals": _obj(["confirmed", "pending"], {"confirmed": MONEY, "pending": MONEY}),
            "timeline": {"type": "array", "items": {"type": "object"},
                         "description": "Per month (YYYY-MM): confirmed and pending per country, the cumulative "
                                        "confirmed amount and share per country, and the agreed share."},
            "budget": {"type": "array", "items": {"type": "object"},
                       "description": "Per budget line: planned (its currency and converted at the newest rate), "
                                      "confirmed and pending contributions booked to it."},
            "rules": {"type": ["object", "null"], "description": "The rule set: limits per party and, for treaty "
                                                                 "rule sets, the creative-elements points."},
            "ledger": _obj(["entries", "head"], {"entries": {"type": "integer"}, "head": TEXT})}),
        "LedgerVerification": _obj(["intact", "entries", "head", "first_bad"], {
            "intact": {"type": "boolean"}, "entries": {"type": "integer"}, "head": TEXT,
            "first_bad": nullable(_obj(["id", "reason"], {"id": TEXT, "reason": TEXT}))}),
        "Meeting": _obj(["id", "date", "city", "host_country", "attendees", "decisions", "projects", "minutes"], {
            "id": TEXT, "date": DATE, "city": TEXT, "host_country": {"enum": list(COUNTRIES)},
            "attendees": {"type": "array", "items": TEXT}, "decisions": {"type": "array", "items": TEXT},
            "projects": {"type": "array", "items": TEXT}, "minutes": {"type": ["object", "null"]},
            "same_host_as_previous": {"type": ["boolean", "null"]}, "warning": {"type": ["string", "null"]}}),
        "MeetingNew": _obj(["date", "city", "host_country"], {
            "date": DATE, "city": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
            "host_country": {"enum": list(COUNTRIES)},
            "attendees": {"type": "array", "items": {"type": "string"}},
            "decisions": {"type": "array", "items": {"type": "string"}},
            "projects": {"type": "array", "items": {"type": "string"}}}, additionalProperties=False),
    }
