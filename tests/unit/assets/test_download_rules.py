"""The pure rules of a download: Range parsing, validators, file names, content types."""
from __future__ import annotations

import pytest

from archive.assets.download import (ByteRange, Unsatisfiable, can_inline, clean_content_type, if_range_allows,
                                     none_match, parse_range)

SIZE = 1000


@pytest.mark.parametrize("header, expected", [
    ("bytes=0-99", ByteRange(0, 99)),
    ("bytes=500-", ByteRange(500, 999)),
    ("bytes=-100", ByteRange(900, 999)),
    ("bytes=-5000", ByteRange(0, 999)),  # a suffix longer than the file is the whole file
    ("bytes=990-5000", ByteRange(990, 999)),  # the end is clamped
    ("bytes=999-999", ByteRange(999, 999)),
    ("BYTES = 1 - 2", ByteRange(1, 2)),
])
def test_single_ranges(header, expected):
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize("header", [
    None, "", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=1-2-3", "bytes=5-1", "items=0-1",
    "bytes=0-1,5-6", "bytes=0-99, 200-299", "bytes=0x10-20", "bytes=1.5-2", "bytes=" + "9" * 300,
    "bytes=\x000-1", "bytes=-1-", "bytes=\u0661-\u0662", "bytes=\uff11-", "bytes=-\u0663", "bytes=\xb2-",
])
def test_malformed_or_multiple_ranges_mean_the_whole_file(header):
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize("header, size", [("bytes=1000-", 1000), ("bytes=5000-6000", 1000), ("bytes=-0", 1000),
                                          ("bytes=0-", 0), ("bytes=-1", 0)])
def test_unsatisfiable(header, size):
    with pytest.raises(Unsatisfiable):
        parse_range(header, size)


def test_if_none_match_is_weak():
    tag = '"abc"'
    assert none_match('"abc"', tag) and none_match('W/"abc"', tag) and none_match('"x", "abc"', tag)
    assert none_match("*", tag)
    assert not none_match('"abd"', tag) and not none_match(None, tag) and not none_match('"abc"', None)


def test_if_range_is_strong_and_dates_never_match():
    tag = '"abc"'
    assert if_range_allows(None, tag)
    assert if_range_allows('"abc"', tag)
    assert not if_range_allows('W/"abc"', tag)
    assert not if_range_allows('"old"', tag)
    assert not if_range_allows("Wed, 21 Oct 2015 07:28:00 GMT", tag)


@pytest.mark.parametrize("raw, clean", [
    ("video/mp4", "video/mp4"), ("Video/MP4; codecs=avc1", "video/mp4"), (None, "application/octet-stream"),
    ("text/html\r\nX-Evil: 1", "application/octet-stream"), ("nonsense", "application/octet-stream"),
])
def test_clean_content_type(raw, clean):
    assert clean_content_type(raw) == clean


def test_only_media_is_inline():
    assert can_inline("video/mp4") and can_inline("image/jpeg") and can_inline("audio/mpeg")
    assert not can_inline("text/html") and not can_inline("image/svg+xml") and not can_inline("application/pdf")
