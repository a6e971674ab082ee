"""The one JSON body reader (archive.api.body): hostile structure is a 400, never a 500."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.api.body import MAX_DEPTH, MalformedJson, parse_json


def reason(data) -> str:
    with pytest.raises(MalformedJson) as err:
        parse_json(data)
    assert err.value.status == 400 and err.value.code == "malformed_json"
    return err.value.details["reason"]


@pytest.mark.parametrize("data, expected", [
    (b"[" * 1000 + b"]" * 1000, "too_deep"),
    (b"[" * 100_000, "too_deep"),
    (b"{" * 1000, "too_deep"),
    (b'{"a":' * 1000 + b"1" + b"}" * 1000, "too_deep"),
    (b'{"title": {"tr": ' + b"[" * 500 + b"]" * 500 + b"}}", "too_deep"),  # deep inside valid metadata
    (b'{"genre": NaN}', "not_finite"),
    (b'{"genre": Infinity}', "not_finite"),
    (b'{"genre": -Infinity}', "not_finite"),
    (b'{"recorded": 1e999}', "not_finite"),
    (b'{"recorded": -1e999}', "not_finite"),
    (b'{"recorded": ' + b"9" * 5000 + b"}", "number_too_long"),
    (b'{"recorded": 0.' + b"0" * 5000 + b"1}", "number_too_long"),
    (b'{"genre": "film", "genre": "news"}', "duplicate_key"),
    (b'{"title": {"tr": "a", "tr": "b"}}', "duplicate_key"),
    (b'{"title": {"tr": "\\ud800"}}', "invalid_unicode"),
    (b'{"\\udfff": 1}', "invalid_unicode"),
    (b'["\\ud83d"]', "invalid_unicode"),
    (b"\xff\xfe{}", "encoding"),
    (b'{"a": "\xc3"}', "encoding"),
    (b"", "syntax"),
    (b"{not json", "syntax"),
    (b'{"a": 1,}', "syntax"),
    (b"'single'", "syntax"),
])
def test_hostile_bodies_are_refused_with_a_reason(data, expected):
    assert reason(data) == expected


def test_brackets_inside_strings_do_not_count_as_depth():
    assert parse_json(json.dumps({"title": {"tr": "[" * 10_000 + "{" * 10_000}})) == {
        "title": {"tr": "[" * 10_000 + "{" * 10_000}}


def test_nesting_up_to_the_limit_parses():
    value = parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []


def test_a_pair_of_surrogates_is_one_character():
    assert parse_json(b'{"t": "\\ud83c\\udfac"}') == {"t": "🎬"}
    assert parse_json("\ufeff{}".encode()) == {}  # a UTF-8 byte order mark is ignored


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_ordinary_json_reads_back_as_the_standard_library_reads_it(value):
    text = json.dumps(value)
    if depth(value) > MAX_DEPTH:
        assert reason(text.encode()) == "too_deep"
    else:
        assert parse_json(text.encode()) == json.loads(text)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_are_refused_with_a_400(data):
    try:
        parse_json(data)
    except MalformedJson:
        pass
