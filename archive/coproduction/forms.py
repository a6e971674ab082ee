"""The co-production pages' forms: flat form fields → the API's JSON bodies, and the API's
field errors → the form controls they belong to.

The forms carry no rule of their own: each body goes to the service the API calls
(`projects.create_project`, `set_status`, `add_budget_line`, `add_milestone`,
`set_milestone_done`, `link_footage`), which checks it (`archive.coproduction.schemas`), so a
page and the API refuse the same input with the same codes. Empty fields are left out of the
body (the service then says what is required), codes are upper-cased, and text is passed as
typed.

Control ids: `p-…` the new project, `s-status` the status, `b-…` a budget line, `m-…` a
milestone, `f-…` footage; `<prefix>-<field>` for a body field, `p-title-<lang>` for a title,
`p-party-<row>-<field>` for a party row (rows are numbered as sent, so `parties[1].share`
is `p-party-1-share`).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from archive.assets.schemas import LANGS
from archive.coproduction.schemas import MAX_PARTIES
from archive.errors import ApiError

PARTY_FIELDS = ("organisation", "role", "share")
PROJECT_FIELDS = ("kind", "status", "reporting_currency", "rule_set", "footage_rate_per_minute")
# The flat form of each small form: its control prefix and the body fields it sends.
FORMS = {"status": ("s", ("status",)), "budget": ("b", ("category", "amount", "currency")),
         "milestone": ("m", ("title", "due", "owner")), "footage": ("f", ("asset_id", "in", "out"))}
# The contribution and rate forms predate the prefix rule: their controls by field path.
CONTROL_IDS = {
    "contribution": {"party": "c-party", "kind": "c-kind", "amount": "c-amount", "currency": "c-currency",
                     "date": "c-date", "budget_category": "c-budget", "description": "c-description",
                     "asset_id": "c-asset", "in": "c-in", "out": "c-out", "crew": "c-person",
                     "crew.person": "c-person", "crew.function": "c-function", "crew.days": "c-days",
                     "crew.day_rate": "c-dayrate", "crew.nationality": "c-nationality",
                     "crew.element": "c-element", "service": "c-category", "service.category": "c-category",
                     "service.quantity": "c-quantity", "service.unit_rate": "c-unitrate",
                     "service.country": "c-scountry"},
    "rate": {"currency": "r-currency", "date": "r-date", "rate": "r-rate", "source": "r-source"},
}
ROW_ACTION = re.compile(r"^(add|remove-([0-9]{1,2}))$")


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def party_rows(form: Mapping[str, Any], *, keep_empty: bool = False) -> list[dict[str, str]]:
    """The party rows as typed, in row order: [{"organisation", "role", "share"}]; a row with
    nothing typed in it is left out unless `keep_empty` (a row just added)."""
    rows = []
    for i in range(MAX_PARTIES):
        if not any(f"party-{i}-{f}" in form for f in PARTY_FIELDS):
            continue
        row = {f: _text(form, f"party-{i}-{f}") for f in PARTY_FIELDS}
        if keep_empty or row["organisation"] or row["share"]:
            rows.append(row)
    return rows


def row_action(form: Mapping[str, Any], rows: list[dict[str, str]]) -> list[dict[str, str]] | None:
    """The rows after an "add a party" or "remove this party" button, or None when the form was
    sent to be saved. At most MAX_PARTIES rows, at least one."""
    match = ROW_ACTION.match(_text(form, "row_action"))
    if match is None:
        return None
    rows = list(rows)
    if match.group(1) == "add":
        if len(rows) < MAX_PARTIES:
            rows.append({"organisation": "", "role": "co_producer", "share": ""})
    elif int(match.group(2)) < len(rows) and len(rows) > 1:
        del rows[int(match.group(2))]
    return rows


def project_body(form: Mapping[str, Any], rows: list[dict[str, str]]) -> dict[str, Any]:
    """The body of POST /api/v1/projects from the new-project form and its non-empty rows."""
    body: dict[str, Any] = {"title": {lang: _text(form, f"title_{lang}") for lang in LANGS
                                      if _text(form, f"title_{lang}")}}
    for name in PROJECT_FIELDS:
        if _text(form, name):
            body[name] = _text(form, name)
    if "reporting_currency" in body:
        body["reporting_currency"] = body["reporting_currency"].upper()
    body["parties"] = [{k: v for k, v in row.items() if v} for row in rows]
    return body


def small_body(name: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The body of one of the small forms (FORMS): its fields that are not empty."""
    _prefix, fields = FORMS[name]
    body = {f: _text(form, f) for f in fields if _text(form, f)}
    if "currency" in body:
        body["currency"] = body["currency"].upper()
    return body


def target(form_name: str, path: str | None) -> str | None:
    """The id of the control an error's field path belongs to, or None (the form as a whole)."""
    parts = [p for p in re.split(r"[.\[\]]", path or "") if p]
    if not parts:
        return None
    if form_name in CONTROL_IDS:
        return CONTROL_IDS[form_name].get(".".join(parts[:2])) or CONTROL_IDS[form_name].get(parts[0])
    if form_name == "project":
        if parts[0] == "title":
            return f"p-title-{parts[1]}" if len(parts) > 1 and parts[1] in LANGS else "p-title"
        if parts[0] == "parties":
            if len(parts) > 1 and parts[1].isdigit():
                field = parts[2] if len(parts) > 2 and parts[2] in PARTY_FIELDS else "organisation"
                return f"p-party-{parts[1]}-{field}"
            return "p-parties"
        return f"p-{parts[0]}" if parts[0] in PROJECT_FIELDS else None
    prefix, fields = FORMS[form_name]
    return f"{prefix}-{parts[0]}" if parts[0] in fields else None


def form_errors(form_name: str, exc: ApiError, lines: list[tuple[str | None, str]]) -> dict[str, Any]:
    """{"form": form_name, "by_field": {control id: [text]}, "summary": [{"target", "text"}]}
    from the translated (field path, sentence) pairs of `exc` (`pages.error_entries`)."""
    by_field: dict[str, list[str]] = {}
    summary = []
    for path, text in lines:
        control = target(form_name, path)
        summary.append({"target": control, "text": text})
        if control:
            by_field.setdefault(control, []).append(text)
    return {"form": form_name, "status": exc.status, "by_field": by_field, "summary": summary}
