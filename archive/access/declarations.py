"""The usage declaration a reader sends with a read of master-quality bytes.

API.md: query parameters `platform`, `territory`, `from`, `to`, `purpose`, `programme`, or
the same keys as `"declaration": {...}` in a JSON body. Stored, as cleaned here, in the
usage record; the rights policy decides on it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

from archive.errors import ValidationError, join_messages
from archive.rights.avails import is_territory
from archive.validation import disguise_error

# API.md's platforms.
PLATFORMS = ("linear_tv", "vod", "online_news", "social", "theatrical", "radio", "archive_internal")
FIELDS = ("platform", "territory", "from", "to", "purpose", "programme")
MAX_TEXT = 300


def _error(field: str, code: str, message: str, **params) -> dict:
    return {"field": field, "code": code, "message": message, "params": params}


def clean_declaration(raw: Any) -> dict | None:
    """The declaration with only known, valid keys; None when nothing was declared.

    Raises ValidationError (422, code invalid_declaration, details.errors: one entry per
    field with field/code/message/params) for unknown keys, non-text values, an unknown
    platform, a territory that is not ISO 3166-1 alpha-2 or WORLD, dates that are not
    YYYY-MM-DD, or `to` before `from`.
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValidationError("The declaration must be an object.", code="invalid_declaration",
                              details={"errors": [_error("declaration", "not_an_object", "must be an object")]})
    errors: list[dict] = []
    unknown = sorted(str(k)[:40] for k in raw if k not in FIELDS)
    if unknown:
        errors.append(_error("declaration", "unknown_field", f"unknown fields: {', '.join(unknown)}", fields=unknown))
    out: dict[str, str] = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            errors.append(_error(name, "not_text", f"{name} must be text"))
            continue
        value = value.strip()
        problem = disguise_error(name, value, multiline=False)
        if problem is not None:
            errors.append(_error(name, problem.code, problem.message, **problem.params))
            continue
        if len(value) > MAX_TEXT:
            errors.append(_error(name, "too_long", f"{name} is longer than {MAX_TEXT} characters",
                                 limit=MAX_TEXT, length=len(value)))
            continue
        if name == "platform" and value not in PLATFORMS:
            errors.append(_error(name, "invalid_choice", f"platform must be one of {', '.join(PLATFORMS)}",
                                 choices=list(PLATFORMS)))
            continue
        if name == "territory":
            value = value.upper()
            if not is_territory(value):  # the ISO 3166-1 list (pycountry), as avails and rights blocks
                errors.append(_error(name, "invalid_territory",
                                     "territory must be an ISO 3166-1 alpha-2 code or WORLD"))
                continue
        if name in ("from", "to"):
            try:
                date.fromisoformat(value)
            except ValueError:
                errors.append(_error(name, "invalid_date", f"{name} must be a date, YYYY-MM-DD"))
                continue
        out[name] = value
    if "from" in out and "to" in out and out["to"] < out["from"]:
        errors.append(_error("to", "window_reversed", "to is before from"))
    if errors:
        raise ValidationError("The usage declaration is not valid: "
                              + join_messages(f"{e['field']}: {e['message']}" for e in errors),
                              code="invalid_declaration", details={"errors": errors})
    return out or None


def declaration_from_query(args: Mapping[str, str]) -> dict | None:
    """The declaration carried as query parameters (absent keys are simply not declared)."""
    raw = {name: args.get(name) for name in FIELDS if args.get(name) not in (None, "")}
    return clean_declaration(raw) if raw else None


def read_declaration(args: Mapping[str, str], body: Any = None) -> dict | None:
    """The one reader of a usage declaration, wherever the client put it: the query
    parameters `args`, or `"declaration": {...}` in a JSON object `body` (None: no JSON body).

    Both at once is 422 `invalid_declaration` (`declared_twice`): which one counts would be
    a guess. Otherwise as `clean_declaration`.
    """
    in_query = any(args.get(name) not in (None, "") for name in FIELDS)
    in_body = isinstance(body, Mapping) and body.get("declaration") is not None
    if in_query and in_body:
        raise ValidationError("Declare the use once: in the query or in the body, not both.",
                              code="invalid_declaration",
                              details={"errors": [_error("declaration", "declared_twice",
                                                         "declared in the query and in the body")]})
    if in_body:
        return clean_declaration(body["declaration"])
    return declaration_from_query(args)


REQUIRED = FIELDS  # a master-quality read declares all of them (issue 7)


def earliest_today(now: datetime | None = None) -> date:
    """The earliest calendar day it is anywhere now (UTC-12): an air date before it is past
    everywhere."""
    now = now or datetime.now(timezone.utc)
    return (now.astimezone(timezone.utc) - timedelta(hours=12)).date()


def require_complete(declaration: dict, today: date | None = None) -> dict:
    """The cleaned `declaration` when every field is there and the air dates are not past.

    Raises ValidationError (422 `invalid_declaration`, details.errors) with `required` for
    each missing field and `date_in_past` {today} for a `from` (or `to`) before today
    (`earliest_today`).
    """
    today = today or earliest_today()
    errors = [_error(name, "required", f"{name} is required") for name in REQUIRED if not declaration.get(name)]
    for name in ("from", "to"):
        if declaration.get(name) and declaration[name] < today.isoformat():
            errors.append(_error(name, "date_in_past", f"{name} is in the past (today is {today.isoformat()})",
                                 today=today.isoformat()))
    if errors:
        raise ValidationError("The usage declaration is not complete: "
                              + join_messages(f"{e['field']}: {e['message']}" for e in errors),
                              code="invalid_declaration", details={"errors": errors})
    return declaration
