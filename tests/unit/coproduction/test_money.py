"""Money as a type: Decimal with an ISO 4217 code and the currency's minor unit, never float."""
from __future__ import annotations

from decimal import Decimal

import pytest

from archive.coproduction.money import Money, MoneyError, exponent, from_minor, is_currency, parse_decimal, to_minor


@pytest.mark.parametrize("code, places", [("TRY", 2), ("AZN", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)])
def test_minor_units_come_from_cldr(code, places):
    assert exponent(code) == places
    assert Money(Decimal("1.5"), code).text() == {0: "2", 2: "1.50", 3: "1.500"}[places]


@pytest.mark.parametrize("code", ["TRY", "AZN", "USD", "EUR"])
def test_known_currencies(code):
    assert is_currency(code)


@pytest.mark.parametrize("code", ["try", "ZZZ", "TL", "EURO", "", None, 978, "TR Y", "ТRY"])
def test_unknown_currencies(code):
    assert not is_currency(code)
    if isinstance(code, str) and code:
        with pytest.raises(MoneyError) as exc:
            Money(Decimal(1), code)
        assert exc.value.code == "unknown_currency"


@pytest.mark.parametrize("raw", [1000.5, 1000, "1e3", "1,000.00", " ", "+5", "١٠٠", "1.2.3", "0x10", "NaN",
                                 "Infinity", "1000.", ".5", None, True, ["1"]])
def test_amounts_are_plain_decimal_strings_never_floats(raw):
    with pytest.raises(MoneyError) as exc:
        parse_decimal(raw)
    assert exc.value.code == "not_a_decimal_string"


@pytest.mark.parametrize("raw", ["9" * 19, "99999999999999999999999999.99", "-" + "1" * 30])
def test_a_plain_decimal_with_too_many_digits_is_too_large_not_malformed(raw):
    with pytest.raises(MoneyError) as exc:
        parse_decimal(raw)
    assert exc.value.code == "too_large" and exc.value.params == {"max": "9" * 18}


def test_amounts_beyond_the_minor_unit_are_refused_not_rounded():
    assert parse_decimal("1000.50", places=2) == Decimal("1000.50")
    with pytest.raises(MoneyError) as exc:
        parse_decimal("1000.505", places=2)
    assert exc.value.code == "too_precise" and exc.value.params == {"places": 2}
    with pytest.raises(MoneyError):
        parse_decimal("10.5", places=0)


def test_computed_amounts_round_half_up_at_the_minor_unit():
    assert Money(Decimal("0.005"), "EUR").text() == "0.01"
    assert Money(Decimal("-0.005"), "EUR").text() == "-0.01"
    assert Money(Decimal("2.5"), "JPY").text() == "3"
    assert Money(Decimal("1.0005"), "KWD").text() == "1.001"
    # 100 000 TRY at 0.0270 EUR/TRY
    assert Money(Decimal("100000.00"), "TRY").convert(Decimal("0.0270"), "EUR") == Money(Decimal("2700"), "EUR")
    # 0.1 + 0.2 is exact here
    assert (Money(Decimal("0.1"), "EUR") + Money(Decimal("0.2"), "EUR")).text() == "0.30"


def test_minor_units_round_trip_exactly():
    for code, text in (("TRY", "123456789012.34"), ("JPY", "987654321"), ("KWD", "-1.001")):
        amount = Decimal(text)
        assert from_minor(to_minor(amount, code), code) == amount
    assert Money(Decimal("1000.00"), "TRY").minor == 100000


def test_adding_two_currencies_is_refused():
    with pytest.raises(MoneyError) as exc:
        Money(Decimal(1), "TRY") + Money(Decimal(1), "AZN")
    assert exc.value.code == "currency_mismatch"


def test_amounts_are_formatted_per_locale():
    assert Money(Decimal("1234.5"), "TRY").format("tr") == "₺1.234,50"
    assert Money(Decimal("1234.5"), "AZN").format("az") == "1.234,50\xa0₼"
    assert Money(Decimal("1234.5"), "EUR").format("en") == "€1,234.50"
