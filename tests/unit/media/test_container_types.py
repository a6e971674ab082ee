"""The container → MIME type table (archive.media.container_types) and parse_probe's use of it."""
from __future__ import annotations

import pytest

from archive.media.container_types import content_type_for
from archive.media.probe import parse_probe

BMFF = "mov,mp4,m4a,3gp,3g2,mj2"


@pytest.mark.parametrize("fmt,brand,video,audio,expected", [
    ("mpegts", None, "h264", ("aac",), "video/mp2t"),
    (BMFF, "isom", "h264", ("aac",), "video/mp4"),
    (BMFF, "qt  ", "prores", ("pcm_s24le",), "video/quicktime"),
    (BMFF, "M4A ", None, ("aac",), "audio/mp4"),
    (BMFF, "isom", None, ("aac",), "audio/mp4"),
    (BMFF, "3gp5", "h263", ("amr_nb",), "video/3gpp"),
    ("matroska,webm", None, "vp9", ("opus",), "video/webm"),
    ("matroska,webm", None, "h264", ("aac",), "video/x-matroska"),
    ("matroska,webm", None, None, ("flac",), "audio/x-matroska"),
    ("mxf", None, "mpeg2video", ("pcm_s24le",), "application/mxf"),
    ("wav", None, None, ("pcm_s16le",), "audio/wav"),
    ("flac", None, None, ("flac",), "audio/flac"),
    ("mp3", None, None, ("mp3",), "audio/mpeg"),
    ("ogg", None, "theora", ("vorbis",), "video/ogg"),
    ("ogg", None, None, ("vorbis",), "audio/ogg"),
    ("gxf", None, "mpeg2video", (), None),
])
def test_container_to_mime_type(fmt, brand, video, audio, expected):
    assert content_type_for(fmt, brand, video, audio) == expected


def test_parse_probe_keeps_the_brand_and_the_type():
    probe = parse_probe({"format": {"format_name": BMFF, "duration": "2.0", "tags": {"major_brand": "qt  "}},
                         "streams": [{"index": 0, "codec_type": "video", "codec_name": "h264", "width": 64,
                                      "height": 48}]})
    assert probe.major_brand == "qt" and probe.content_type == "video/quicktime"
    assert probe.to_dict()["content_type"] == "video/quicktime"
