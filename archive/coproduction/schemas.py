"""The shapes the co-production API takes, checked field by field (every mistake at once).

Each `*_errors` function returns (cleaned values, [FieldError]); the services add the errors
only the database can find (an unknown organisation, a missing rate) and raise one
ValidationError (422) with `details.errors` [{field, code, message, params}] and
`details.field` (the first). Field codes, beside those of asset metadata (`not_text`,
`too_long` {limit, length}, `not_an_object`, `invalid_choice` {choices}, `unknown_field`
{fields}, `invalid_date`, `not_a_list` {max_items}):
`required`, `unknown_currency`, `not_a_decimal_string` (amounts are strings, never JSON
numbers), `too_large` {max} (a plain decimal with more digits than any field takes: `max`
is the field's limit), `too_precise` {places}, `not_positive` (also a party's share of 0),
`out_of_range` {min, max},
`date_in_future` {max}, `shares_not_100` {total}, `one_country_only`, `duplicate`,
`unknown_organisation`, `unknown_element` {choices}, `unknown_country`, `invalid_timecode`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from archive.assets.schemas import FieldError
from archive.coproduction.models import PARTY_ROLES, PROJECT_KINDS, PROJECT_STATUSES
from archive.coproduction.money import MoneyError, exponent, is_tender, parse_decimal
from archive.validation import MIN_DATE, TIMECODE_PATTERN, raise_errors  # noqa: F401  (used by the co-production modules)
from archive.validation import Checker as BaseChecker

MAX_TITLE = 300
MAX_TEXT = 2000
MAX_NAME = 200
MAX_PARTIES = 20
MAX_BUDGET_LINES = 200
MAX_MILESTONES = 500
MAX_LIST = 100
SHARE_PLACES = 2
SERVICE_CATEGORIES = ("studio", "equipment", "post_production", "travel", "other")
# Bounds that keep every amount, product and sum exact in a 64-bit column: an amount typed is at
# most a trillion units, a rate at most a million, and what is stored at most MAX_MINOR.
MAX_AMOUNT = Decimal(10) ** 12
MAX_RATE = Decimal(10) ** 6
MAX_MINOR = 10 ** 16


class Checker(BaseChecker):
    """The shared Checker (`archive.validation.Checker`) with the co-production's money."""

    def currency(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not is_tender(value):
            self.fail(path, "unknown_currency", f"{path} must be the ISO 4217 code of a currency in use, such as "
                      "TRY, AZN, EUR.")
            return None
        return value

    def decimal(self, value: Any, path: str, *, places: int, positive: bool = True,
                maximum: Decimal | None = None) -> Decimal | None:
        if value is None:
            return None
        try:
            number = parse_decimal(value, places=places)
        except MoneyError as exc:
            if exc.code == "too_large" and maximum is not None:  # the field's own limit, not the parser's
                self.fail(path, "too_large", f"{path} must be at most {maximum}.", max=str(maximum))
            else:
                self.fail(path, exc.code, f"{path}: {exc}", **exc.params)
            return None
        if positive and number <= 0:
            self.fail(path, "not_positive", f"{path} must be more than zero.")
            return None
        if maximum is not None and number > maximum:
            self.fail(path, "out_of_range", f"{path} must be at most {maximum}.", min="0", max=str(maximum))
            return None
        return number

    def amount(self, value: Any, path: str, currency: str | None) -> Decimal | None:
        """A positive amount with no more places than the currency's minor unit, at most MAX_AMOUNT."""
        return self.decimal(value, path, places=exponent(currency) if currency else 12, maximum=MAX_AMOUNT)


PROJECT_FIELDS = ("title", "kind", "status", "reporting_currency", "rule_set", "footage_rate_per_minute",
                  "parties", "budget", "milestones")


def project_errors(data: Any, rule_sets: Iterable[str]) -> tuple[dict[str, Any], list[FieldError]]:
    """A new project's body; parties' organisations are names, checked by the service."""
    c = Checker()
    if c.object(data, "", PROJECT_FIELDS, ("title", "kind", "reporting_currency", "parties")) is None:
        return {}, c.errors
    currency = c.currency(data.get("reporting_currency"), "reporting_currency")
    parties, named_parties = parties_errors(c, data.get("parties"))
    out: dict[str, Any] = {
        "title": c.localised(data["title"], "title", MAX_TITLE) if "title" in data else None,
        "kind": c.choice(data.get("kind"), "kind", PROJECT_KINDS),
        "status": c.choice(data.get("status"), "status", PROJECT_STATUSES) or "development",
        "reporting_currency": currency,
        "rule_set": c.choice(data.get("rule_set"), "rule_set", tuple(rule_sets)),
        "footage_rate": c.amount(data.get("footage_rate_per_minute"), "footage_rate_per_minute", currency),
        "parties": parties,
        "named_parties": named_parties,
        "budget": [b for b in (budget_line(c, item, f"budget[{i}]")
                               for i, item in enumerate(c.items(data.get("budget"), "budget", MAX_BUDGET_LINES) or []))
                   if b],
        "milestones": [m for m in (milestone(c, item, f"milestones[{i}]") for i, item in
                                   enumerate(c.items(data.get("milestones"), "milestones", MAX_MILESTONES) or []))
                       if m],
    }
    return out, c.errors


def parties_errors(c: Checker, value: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """(the parties whose every field is right, {"organisation", "path"} of every party whose
    organisation name is right): the service judges organisations and countries on the second,
    so a party's bad share does not make it vanish from the country check. A share is more than
    0 (`not_positive`: an organisation with no share is not a party) and at most 100."""
    items = c.items(value, "parties", MAX_PARTIES)
    if items is None:
        return [], []
    if len(items) < 2 and value is not None:
        c.fail("parties", "not_a_list", "A co-production needs at least two parties.", max_items=MAX_PARTIES)
    out, named, names, total = [], [], set(), Decimal(0)
    for i, item in enumerate(items):
        path = f"parties[{i}]"
        if c.object(item, path, ("organisation", "role", "share"), ("organisation", "role", "share")) is None:
            continue
        name = c.text(item.get("organisation"), f"{path}.organisation", MAX_NAME)
        role = c.choice(item.get("role"), f"{path}.role", PARTY_ROLES)
        share = c.decimal(item.get("share"), f"{path}.share", places=SHARE_PLACES, positive=False,
                          maximum=Decimal(100))
        if share is not None and share < 0:
            c.fail(f"{path}.share", "out_of_range", f"{path}.share must be from 0 to 100.", min="0", max="100")
            share = None
        elif share is not None and share == 0:
            c.fail(f"{path}.share", "not_positive", f"{path}.share must be more than 0: an organisation with no "
                   "share of the project is not a party.")
            share = None
        if name and name in names:
            c.fail(f"{path}.organisation", "duplicate", f"{name} is named twice among the parties.")
        names.add(name)
        if name:
            named.append({"organisation": name, "path": path})
        if share is not None:
            total += share
        if name and role and share is not None:
            out.append({"organisation": name, "role": role, "share": share, "path": path})
    if out and len(out) == len(items) and total != 100:
        c.fail("parties", "shares_not_100", f"The agreed shares add up to {total}, not 100.", total=f"{total}")
    return out, named if len(named) == len(items) else []


def budget_line(c: Checker, item: Any, path: str) -> dict[str, Any] | None:
    if c.object(item, path, ("category", "amount", "currency"), ("category", "amount", "currency")) is None:
        return None
    currency = c.currency(item.get("currency"), f"{path}.currency")
    category = c.text(item.get("category"), f"{path}.category", 100, required=True)
    amount = c.amount(item.get("amount"), f"{path}.amount", currency)
    if category and currency and amount is not None:
        return {"category": category, "amount": amount, "currency": currency}
    return None


def milestone(c: Checker, item: Any, path: str) -> dict[str, Any] | None:
    if c.object(item, path, ("title", "due", "owner", "done"), ("title", "due")) is None:
        return None
    title = c.text(item.get("title"), f"{path}.title", MAX_TITLE, required=True)
    due = c.any_date(item.get("due"), f"{path}.due")
    owner = c.text(item.get("owner"), f"{path}.owner", MAX_NAME)
    done = item.get("done", False)
    if not isinstance(done, bool):
        c.fail(f"{path}.done", "invalid_choice", f"{path}.done must be true or false.", choices=[True, False])
        return None
    if title and due:
        return {"title": title, "due": due, "owner": owner, "done": done, "path": path}
    return None


def status_errors(data: Any) -> tuple[str | None, list[FieldError]]:
    """The body of PATCH /api/v1/projects/{id}: {"status": one of PROJECT_STATUSES}."""
    c = Checker()
    if c.object(data, "", ("status",), ("status",)) is None:
        return None, c.errors
    return c.choice(data.get("status"), "status", PROJECT_STATUSES), c.errors


FOOTAGE_FIELDS = ("asset_id", "in", "out")


def footage_link_errors(data: Any) -> tuple[dict[str, Any], list[FieldError]]:
    """The body of POST /api/v1/projects/{id}/footage: {"asset_id", "in"?, "out"?}; a segment
    names both positions, the whole asset neither."""
    c = Checker()
    if c.object(data, "", FOOTAGE_FIELDS, ("asset_id",)) is None:
        return {}, c.errors
    out = {"asset_id": c.text(data.get("asset_id"), "asset_id", 64),
           "in": c.timecode(data.get("in"), "in"), "out": c.timecode(data.get("out"), "out")}
    for name, other in (("in", "out"), ("out", "in")):
        if data.get(name) is None and data.get(other) is not None:
            c.fail(name, "required", f"A segment names both in and out ({name} is missing).")
    return out, c.errors


RATE_FIELDS = ("currency", "date", "rate", "source")
RATE_PLACES = 10


def rate_errors(data: Any) -> tuple[dict[str, Any], list[FieldError]]:
    c = Checker()
    if c.object(data, "", RATE_FIELDS, RATE_FIELDS) is None:
        return {}, c.errors
    out = {"currency": c.currency(data.get("currency"), "currency"),
           "date": c.date(data.get("date"), "date"),
           "rate": c.decimal(data.get("rate"), "rate", places=RATE_PLACES, maximum=MAX_RATE),
           "source": c.text(data.get("source"), "source", MAX_NAME, required=True)}
    return out, c.errors
