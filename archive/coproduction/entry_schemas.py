"""The body of a contribution, a sign-off and a commission meeting (see `schemas` for the codes).

A contribution (API.md):
    {"party": "ORG NAME", "kind": "cash"|"crew"|"service"|"footage"|"rights",
     "amount": "1000.00", "currency": "TRY", "date": "2027-01-05", "description": "...",
     "asset_id"?, "in"?, "out"?, "budget_category"?,
     "crew"?: {"person", "function", "days": "12", "day_rate": "2500.00", "nationality": "TR",
               "element"?: "director"},
     "service"?: {"category": "studio"|"equipment"|"post_production"|"travel"|"other",
                  "quantity": "3", "unit"?: "day", "unit_rate": "1200.00", "country"?: "AZ",
                  "element"?: "shooting_location"}}

Valuation: `cash` and `rights` need `amount`; `crew` is days × day rate, `service` quantity ×
unit rate (or a fixed `amount` without a rate), `footage` the segment's duration × the
project's agreed rate per minute (or a fixed `amount`). When both an amount and a basis are
given they must agree (`amount_mismatch`). Crew entries carry the person's nationality.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from archive.assets.schemas import FieldError
from archive.coproduction.models import CONTRIBUTION_KINDS
from archive.coproduction.rulesets import ELEMENT_KEYS
from archive.coproduction.schemas import MAX_LIST, MAX_NAME, MAX_TEXT, SERVICE_CATEGORIES, Checker

CONTRIBUTION_FIELDS = ("party", "kind", "amount", "currency", "date", "description", "asset_id", "in", "out",
                       "budget_category", "crew", "service")
CREW_FIELDS = ("person", "function", "days", "day_rate", "nationality", "element")
SERVICE_FIELDS = ("category", "quantity", "unit", "unit_rate", "country", "element")
MAX_QUANTITY = Decimal(1_000_000)


def contribution_errors(data: Any) -> tuple[dict[str, Any], list[FieldError]]:
    c = Checker()
    if c.object(data, "", CONTRIBUTION_FIELDS, ("party", "kind", "date")) is None:
        return {}, c.errors
    kind = c.choice(data.get("kind"), "kind", CONTRIBUTION_KINDS)
    currency = c.currency(data.get("currency"), "currency")
    out: dict[str, Any] = {
        "party": c.text(data.get("party"), "party", MAX_NAME), "kind": kind, "currency": currency,
        "amount": c.amount(data.get("amount"), "amount", currency),
        "date": c.date(data.get("date"), "date"),
        "description": c.text(data.get("description"), "description", MAX_TEXT),
        "budget_category": c.text(data.get("budget_category"), "budget_category", 100),
        "asset_id": c.text(data.get("asset_id"), "asset_id", 64),
        "in": _timecode(c, data.get("in"), "in"), "out": _timecode(c, data.get("out"), "out"),
        "crew": None, "service": None,
    }
    if data.get("amount") is not None and currency is None and "currency" not in data:
        c.fail("currency", "required", "currency is required with an amount.")
    if kind in ("cash", "rights"):
        for name in ("amount", "currency"):
            if data.get(name) in (None, ""):
                c.fail(name, "required", f"{name} is required for a {kind} contribution.")
    if kind == "crew":
        out["crew"] = _crew(c, data.get("crew"), currency)
    elif data.get("crew") is not None:
        c.fail("crew", "unknown_field", "crew is only for crew contributions.", fields=["crew"])
    if kind == "service":
        out["service"] = _service(c, data.get("service"), currency)
        if data.get("service") is None and data.get("amount") is None:
            c.fail("amount", "required", "A service is valued by amount, or by quantity × unit rate in service.")
    elif data.get("service") is not None:
        c.fail("service", "unknown_field", "service is only for service contributions.", fields=["service"])
    if kind == "footage" and not data.get("asset_id"):
        c.fail("asset_id", "required", "A footage contribution names the archive asset (asset_id).")
    if kind != "footage" and (data.get("in") is not None or data.get("out") is not None):
        c.fail("in", "unknown_field", "in and out are only for footage contributions.", fields=["in", "out"])
    if (kind == "crew" or data.get("service") is not None) and currency is None and "currency" not in data:
        c.fail("currency", "required", "currency is required: the rates are in it.")
    return out, c.errors


def _timecode(c: Checker, value: Any, path: str) -> str | None:
    return c.timecode(value, path)


def _element(c: Checker, value: Any, path: str) -> str | None:
    if value is None:
        return None
    if value not in ELEMENT_KEYS:
        c.fail(path, "unknown_element", f"{path} must be one of {', '.join(ELEMENT_KEYS)}.", choices=list(ELEMENT_KEYS))
        return None
    return value


def _crew(c: Checker, value: Any, currency: str | None) -> dict[str, Any] | None:
    if c.object(value, "crew", CREW_FIELDS, ("person", "function", "days", "day_rate", "nationality")) is None:
        return None
    out = {"person": c.text(value.get("person"), "crew.person", MAX_NAME, required=True),
           "function": c.text(value.get("function"), "crew.function", 100, required=True),
           "days": c.decimal(value.get("days"), "crew.days", places=2, maximum=Decimal(10_000)),
           "day_rate": c.amount(value.get("day_rate"), "crew.day_rate", currency),
           "nationality": c.country(value.get("nationality"), "crew.nationality"),
           "element": _element(c, value.get("element"), "crew.element")}
    return out if all(out[k] is not None for k in ("person", "function", "days", "day_rate", "nationality")) else None


def _service(c: Checker, value: Any, currency: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if c.object(value, "service", SERVICE_FIELDS, ("category",)) is None:
        return None
    out = {"category": c.choice(value.get("category"), "service.category", SERVICE_CATEGORIES),
           "quantity": c.decimal(value.get("quantity"), "service.quantity", places=3, maximum=MAX_QUANTITY),
           "unit": c.text(value.get("unit"), "service.unit", 40),
           "unit_rate": c.amount(value.get("unit_rate"), "service.unit_rate", currency),
           "country": c.country(value.get("country"), "service.country"),
           "element": _element(c, value.get("element"), "service.element")}
    if (out["quantity"] is None) != (out["unit_rate"] is None) and not any(
            e.field.startswith("service.") for e in c.errors):
        c.fail("service.quantity", "required", "Give both quantity and unit_rate, or neither (a fixed amount).")
    return out


def reason_errors(data: Any, *, required: bool) -> tuple[str | None, list[FieldError]]:
    """The body of a dispute or an answer ({"reason"}), or of a reversal (reason optional)."""
    c = Checker()
    if data is None and not required:
        return None, []
    if c.object(data, "", ("reason",), ("reason",) if required else ()) is None:
        return None, c.errors
    return c.text(data.get("reason"), "reason", MAX_TEXT, required=required), c.errors


MEETING_FIELDS = ("date", "city", "host_country", "attendees", "decisions", "projects")


def meeting_errors(data: Any) -> tuple[dict[str, Any], list[FieldError]]:
    c = Checker()
    if c.object(data, "", MEETING_FIELDS, ("date", "city", "host_country")) is None:
        return {}, c.errors
    out = {"date": c.any_date(data.get("date"), "date"),
           "city": c.text(data.get("city"), "city", MAX_NAME, required=True),
           "host_country": c.choice(data.get("host_country"), "host_country", ("TR", "AZ")),
           "attendees": [], "decisions": [], "projects": []}
    for name, limit in (("attendees", MAX_NAME), ("decisions", MAX_TEXT), ("projects", 64)):
        items = c.items(data.get(name), name, MAX_LIST) or []
        for i, item in enumerate(items):
            text = c.text(item, f"{name}[{i}]", limit)
            if text and text not in out[name]:
                out[name].append(text)
    return out, c.errors


# The flat names of a contribution's fields in a form or a CSV row: the body's own names, and
# crew_<name> / service_<name> for the fields of `crew` and `service`.
FLAT_FIELDS = (*(f for f in CONTRIBUTION_FIELDS if f not in ("crew", "service")),
               *(f"crew_{f}" for f in CREW_FIELDS), *(f"service_{f}" for f in SERVICE_FIELDS))


def contribution_from_flat(row: Any) -> dict[str, Any]:
    """A contribution body from flat text fields (a web form, a CSV row): empty fields are left
    out, crew_*/service_* grouped into `crew`/`service`, codes upper-cased."""
    def get(name: str) -> str:
        value = row.get(name)
        return value.strip() if isinstance(value, str) else ""

    body: dict[str, Any] = {k: get(k) for k in CONTRIBUTION_FIELDS if k not in ("crew", "service") and get(k)}
    crew = {k: get(f"crew_{k}") for k in CREW_FIELDS if get(f"crew_{k}")}
    service = {k: get(f"service_{k}") for k in SERVICE_FIELDS if get(f"service_{k}")}
    for group, key in ((crew, "nationality"), (service, "country")):
        if key in group:
            group[key] = group[key].upper()
    if crew and body.get("kind") == "crew":
        body["crew"] = crew
    if service and body.get("kind") == "service":
        body["service"] = service
    if "currency" in body:
        body["currency"] = body["currency"].upper()
    return body
