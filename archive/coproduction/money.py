"""Money as a type: a `Decimal` amount with its ISO 4217 currency, never a float.

- Currencies are the ISO 4217 codes `pycountry` knows (3 capital letters); what a person may
  write a new amount in is narrower: a currency some territory pays in today (`is_tender`).
- Each currency's minor unit (its number of decimal places: TRY 2, AZN 2, JPY 0, KWD 3) comes
  from CLDR through Babel (`babel.numbers.get_currency_precision`).
- Amounts a person types may not carry more places than the currency has (`1000.005 TRY` is
  refused); amounts Ortak computes (days × day rate, a conversion) are rounded to the minor
  unit half away from zero (ROUND_HALF_UP, the commercial rounding of both countries' books).
- Stored as whole minor units (`to_minor`: 1000.00 TRY → 100000) so that SQL sums are exact on
  every database; JSON carries amounts as strings ("1000.00").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry
from babel import Locale
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies

# A decimal written plainly: digits, one optional point, an optional leading minus. No
# exponents, spaces, signs other than '-', thousands separators or non-ASCII digits.
_DECIMAL = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")
MAX_DIGITS = 18  # before the point
MAX_PLACES = 12  # after it


class MoneyError(ValueError):
    """An amount or currency that cannot be used; `code` says why (see `parse_decimal`)."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


def is_currency(code: object) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isascii() and code.isupper() \
        and pycountry.currencies.get(alpha_3=code) is not None


@lru_cache(maxsize=1)
def _tender_currencies(day: date) -> frozenset[str]:
    territories = (t for t in Locale("en").territories if len(t) == 2 and t.isalpha())
    return frozenset(c for t in territories for c in get_territory_currencies(t, day, tender=True))


def is_tender(code: object) -> bool:
    """Whether `code` is the ISO 4217 code of a currency some territory uses as legal tender
    today (CLDR's territory currencies, via Babel): so not `XXX` ("no currency"), `XTS`
    (testing), precious metals (`XAU`), fund codes or withdrawn currencies (`TRL`, `AZM`),
    which ISO 4217 lists but nobody pays in. What a new amount or project may be written in."""
    return is_currency(code) and code in _tender_currencies(date.today())


def exponent(currency: str) -> int:
    """The currency's minor unit: decimal places (CLDR via Babel)."""
    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def parse_decimal(raw: object, *, places: int | None = None) -> Decimal:
    """A decimal written as text ("1000.00"), exact; MoneyError with code:
    `not_a_decimal_string` (a JSON number or anything not plain digits: floats are never
    accepted), `too_large` {max} (more than MAX_DIGITS digits before the point: `max` is the
    largest such number), `too_precise` {places} (more decimal places than `places`, or than
    MAX_PLACES)."""
    plain = _DECIMAL.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if plain is None:
        raise MoneyError("not_a_decimal_string",
                         "Write the number as text with digits and at most one point, such as \"1000.00\".")
    if len(plain[1].lstrip("0")) > MAX_DIGITS:
        largest = "9" * MAX_DIGITS
        raise MoneyError("too_large", f"At most {MAX_DIGITS} digits before the point (up to {largest}).",
                         max=largest)
    value = Decimal(raw.strip())
    limit = MAX_PLACES if places is None else min(places, MAX_PLACES)
    if plain[2] is not None and len(plain[2]) > limit:
        raise MoneyError("too_precise", f"At most {limit} decimal places.", places=limit)
    return value


def round_to(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Whole minor units of an amount already at the currency's precision (or rounded to it)."""
    return int(round_to(amount, currency).scaleb(exponent(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(int(minor)).scaleb(-exponent(currency))


@dataclass(frozen=True)
class Money:
    """An amount in one currency, always at the currency's precision."""

    amount: Decimal
    currency: str

    def __post_init__(self):
        if not is_currency(self.currency):
            raise MoneyError("unknown_currency", f"{self.currency!r} is not an ISO 4217 currency code.")
        try:
            object.__setattr__(self, "amount", round_to(Decimal(self.amount), self.currency))
        except InvalidOperation as exc:
            raise MoneyError("not_a_decimal_string", "Not an amount.") from exc

    @classmethod
    def of_minor(cls, minor: int, currency: str) -> "Money":
        return cls(from_minor(minor, currency), currency)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def text(self) -> str:
        """The amount as JSON carries it: "1000.00" (the currency's places, no grouping)."""
        return f"{self.amount:f}"

    def convert(self, rate: Decimal, to: str) -> "Money":
        """This amount in `to` at `rate` (units of `to` per unit of this currency), rounded."""
        return Money(self.amount * rate, to)

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise MoneyError("currency_mismatch", f"Cannot add {other.currency} to {self.currency}.")
        return Money(self.amount + other.amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def format(self, locale: str) -> str:
        """For people, in a locale: "₺1.234,50" (tr), "1.234,50 ₼" (az), "€1,234.50" (en)."""
        return format_currency(self.amount, self.currency, locale=locale)


def money_text(minor: int | None, currency: str) -> str | None:
    """Minor units as the JSON string of the amount; None stays None."""
    return None if minor is None else Money.of_minor(minor, currency).text()
