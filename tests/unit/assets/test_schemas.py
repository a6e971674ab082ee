"""Metadata validation (archive.assets.schemas): every field error at once, in the agreed shape."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.assets.schemas import (FIELDS, RECORDED_MIN_YEAR, language_code, latest_recording_date, merge_metadata,
                                    metadata_errors, validate_metadata)
from archive.errors import ValidationError

TODAY = date(2026, 6, 15)


def errors(data, **kw):
    kw.setdefault("today", TODAY)
    _, found = metadata_errors(data, **kw)
    return [(e.field, e.code, e.params) for e in found]


def test_every_error_is_reported_at_once_in_the_agreed_shape():
    data = {"title": {"tr": "t" * 612, "de": "Titel"}, "genre": "opera", "keywords": "ok", "people": [1],
            "recorded": "2999", "languages": ["az", "xx", "qqq"], "country": "DE", "colour": "red"}
    with pytest.raises(ValidationError) as exc:
        validate_metadata(data, today=TODAY)
    err = exc.value
    assert err.status == 422 and err.code == "invalid_metadata"
    assert err.details["field"] == "colour"
    assert [(e["field"], e["code"], e["params"]) for e in err.details["errors"]] == [
        ("colour", "unknown_field", {"fields": ["colour"]}),
        ("title.tr", "too_long", {"limit": 500, "length": 612}),
        ("title.de", "unknown_language", {"language": "de"}),
        ("genre", "invalid_choice", {"choices": ["film", "tv", "folklore", "news", "documentary", "music", "other"]}),
        ("people", "not_text", {"index": 0}),
        ("recorded", "date_out_of_range", {"min": str(RECORDED_MIN_YEAR), "max": "2026-06-15"}),
        ("languages", "unknown_language_code", {"values": ["xx", "qqq"]}),
        ("country", "invalid_choice", {"choices": ["TR", "AZ"]}),
    ]
    for e in err.details["errors"]:
        assert set(e) == {"field", "code", "message", "params"} and e["message"].endswith(".")
    assert all(e["message"] in err.message for e in err.details["errors"])


@pytest.mark.parametrize("value, ok", [
    ("2026", True), ("2026-06", True), ("2026-06-15", True), (2026, True),
    ("2026-06-16", False), ("2026-07", False), ("2027", False), ("2999", False), (9999, False),
    ("1826", True), ("1825-12-31", False), ("1825", False), ("0001-01-01", False),
])
def test_recorded_is_within_the_calendar(value, ok):
    found = errors({"recorded": value})
    assert found == [] if ok else found == [("recorded", "date_out_of_range",
                                             {"min": "1826", "max": "2026-06-15"})], found


@pytest.mark.parametrize("value", ["1975-13", "1975-02-30", "2023-02-29", "75", "1975/06", "１９７５", "1975-6",
                                   "1975-06-21T10:00", True, 19750621, 1.5, [], {}])
def test_recorded_must_be_a_real_date(value):
    assert errors({"recorded": value}) == [("recorded", "invalid_date", {})]


def test_leap_days_and_removal():
    assert errors({"recorded": "2024-02-29"}) == []
    assert validate_metadata({"recorded": None}) == {"recorded": None}
    assert validate_metadata({"recorded": ""}) == {"recorded": None}


def test_today_is_the_earliest_time_zone_date():
    # 23:30 UTC on 14 June is already 15 June in Baku (UTC+4) and in Kiribati (UTC+14).
    assert latest_recording_date(datetime(2026, 6, 14, 23, 30, tzinfo=timezone.utc)) == date(2026, 6, 15)
    assert latest_recording_date(datetime(2026, 6, 14, 9, 59, tzinfo=timezone.utc)) == date(2026, 6, 14)
    assert latest_recording_date(datetime(2026, 6, 14, 10, 0, tzinfo=timezone.utc)) == date(2026, 6, 15)


@pytest.mark.parametrize("given_code, stored", [
    ("tr", "tr"), ("TR", "tr"), ("tur", "tr"), ("aze", "az"), ("AZ", "az"), ("azj", "azj"), ("azb", "azb"),
    ("ger", "de"), ("deu", "de"), ("fre", "fr"), ("crh", "crh"), ("gag", "gag"), ("zxx", "zxx"), ("und", "und"),
])
def test_language_codes_are_iso_639_and_normalised(given_code, stored):
    assert language_code(given_code) == stored
    assert validate_metadata({"languages": [given_code]}) == {"languages": [stored]}


@pytest.mark.parametrize("bad", ["xx", "qqq", "turkish", "t", "tr-TR", "tr_TR", "١٢", "ın", "", "trk"])
def test_unknown_language_codes_are_refused(bad):
    assert language_code(bad) is None


def test_languages_keep_order_and_drop_duplicates_after_normalising():
    assert validate_metadata({"languages": "tur, az, tr, AZE, en"}) == {"languages": ["tr", "az", "en"]}


@pytest.mark.parametrize("current, title, ok", [
    (None, {"tr": "Bakı"}, True),
    (None, {"tr": "", "az": "", "en": ""}, True),      # a form posting every language of an untitled asset
    (None, {"tr": "   "}, False),                      # only blanks typed: no title at all
    (None, {"tr": "\u3000\t\n"}, False),
    ({"title": {"tr": "Bakı"}}, {"tr": ""}, False),     # removing the last title
    ({"title": {"tr": "Bakı"}}, None, False),           # null removes every language
    ({"title": {"tr": "Bakı", "en": "Baku"}}, {"tr": ""}, True),
    ({"title": {"tr": "Bakı"}}, {"tr": " ", "en": "Baku"}, True),
    ({"title": {}}, None, True),                       # nothing to remove
])
def test_a_title_once_given_cannot_be_emptied(current, title, ok):
    found = errors({"title": title}, current=current or {})
    assert found == [] if ok else found == [("title", "empty_title", {})]


def test_null_removes_every_field_but_organisation_and_country():
    removable = {"title": None, "description": None, "genre": None, "keywords": None, "people": None,
                 "places": None, "recorded": None, "languages": None}
    clean = validate_metadata(removable)
    merged = merge_metadata({"title": {"tr": "a"}, "description": {"az": "b"}, "genre": "film", "keywords": ["k"],
                             "people": ["p"], "places": ["q"], "recorded": "1975", "languages": ["tr"]},
                            {k: v for k, v in clean.items() if k != "title"})
    assert merged == {"title": {"tr": "a"}, "description": {}}
    assert errors({"organisation": None}) == [("organisation", "not_text", {})]
    assert errors({"country": None})[0][:2] == ("country", "invalid_choice")


def test_list_items_are_checked():
    assert errors({"keywords": ["k" * 201]}) == [("keywords", "too_long", {"limit": 200, "length": 201, "index": 0})]
    assert errors({"places": ["a"] * 201}) == [("places", "not_a_list", {"max_items": 200})]
    assert errors({"people": {"a": 1}}) == [("people", "not_a_list", {"max_items": 200})]
    assert validate_metadata({"keywords": " saz , kaval,saz, "}) == {"keywords": ["saz", "kaval"]}


def test_not_an_object():
    for value in ([], "x", None, 5):
        assert errors(value) == [("metadata", "not_an_object", {})]
    assert errors({"title": ["x"]}) == [("title", "not_an_object", {})]
    assert errors({"title": {"tr": 5}}) == [("title.tr", "not_text", {})]


@given(st.dictionaries(st.sampled_from([*FIELDS, "other"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c,
                                                                                       max_size=3),
                                    max_leaves=6)))
def test_any_json_value_validates_or_is_a_422(data):
    try:
        validate_metadata(data, today=TODAY, current={"title": {"tr": "x"}})
    except ValidationError as exc:
        assert exc.status == 422 and exc.details["errors"]


@pytest.mark.parametrize("blank", ["   ", "\u200b", "\u00a0", "\u00ad", "\ufeff", "\u200e\u200f", "\t\n", " \u2028 "])
def test_a_title_that_only_looks_empty_is_empty(blank):
    with pytest.raises(ValidationError) as exc:
        validate_metadata({"title": {"tr": blank, "az": blank, "en": None}}, current={"title": {"tr": "Saz"}})
    assert [e["code"] for e in exc.value.details["errors"]] == ["empty_title"]


@pytest.mark.parametrize("raw, clean", [
    ("Ba\x00ku", "Baku"), ("\x07\x1b[31mRed\x1b[0m", "[31mRed[0m"), ("Şəki\u200b", "Şəki"),
    ("\u00adDədə Qorqud\u00ad", "Dədə Qorqud"), ("Line\nbreak\ttab", "Line break tab"),
    ("e\u0301", "\u00e9"),  # NFC
])
def test_control_and_invisible_characters_never_reach_a_title_or_a_list(raw, clean):
    out = validate_metadata({"title": {"tr": raw}, "people": [raw]})
    assert out["title"]["tr"] == clean and out["people"] == [clean]


def test_descriptions_keep_their_lines_but_lose_control_characters():
    out = validate_metadata({"description": {"az": "Birinci sətir\n\tİkinci sətir\x08\x17"}})
    assert out["description"]["az"] == "Birinci sətir\n\tİkinci sətir"
