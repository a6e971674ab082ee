"""The one integer parser (archive.api.params.parse_int), as data and as properties.

Python's own notions of "digit" disagree with each other (`"²".isdigit()` is True and
`int("²")` raises; `int("١٢")` is 12; `int(" 7 ")`, `int("+7")`, `int("1_0")` all work), so
the properties pin the rule down: a value is accepted exactly when it is ASCII digits whose
number lies in the bounds, and nothing ever raises anything but a 400 ParameterError.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive.api.params import ParameterError, parse_int

LO, HI = 1, 1000
ASCII_DIGITS = re.compile(r"[0-9]+")


def parse(raw):
    return parse_int(raw, name="page", default=7, lo=LO, hi=HI)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
@example("²")
@example("１")
@example("٣")
@example("⁵")
@example("𝟙")
@example("+5")
@example("-5")
@example(" 5")
@example("5 ")
@example("5\n")
@example("1_0")
@example("0x10")
@example("1e3")
@example("5.0")
@example("1" + "0" * 30)
@example("0" * 30 + "1")
def test_accepts_exactly_ascii_digits_in_bounds(raw):
    expected = int(raw) if raw and ASCII_DIGITS.fullmatch(raw) and len(raw) <= 18 and LO <= int(raw) <= HI else None
    try:
        value = parse(raw)
    except ParameterError as exc:
        assert expected is None, raw
        assert exc.status == 400 and exc.code == "invalid_parameter"
        assert exc.details == {"parameter": "page", "min": LO, "max": HI}
        return
    assert value == expected and type(value) is int


@given(st.integers(min_value=LO, max_value=HI))
def test_every_number_in_bounds_round_trips(n):
    assert parse(str(n)) == n
    assert parse(str(n).zfill(6)) == n  # leading zeros are still the number


@given(st.one_of(st.integers(max_value=LO - 1), st.integers(min_value=HI + 1, max_value=10**40)))
def test_every_number_out_of_bounds_is_refused(n):
    with pytest.raises(ParameterError):
        parse(str(n))


def test_absent_is_the_default_and_empty_is_no_number():
    assert parse(None) == 7
    with pytest.raises(ParameterError):
        parse("")


def test_a_huge_digit_string_is_refused_without_converting_it():
    with pytest.raises(ParameterError):
        parse("9" * 1_000_000)  # int() of this would raise ValueError past 4300 digits
