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
    (BMFF, None, "mjpeg", ("pcm_s16le",), "video/quicktime"),  # no ftyp: a QuickTime file from before it
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
    ("w64", None, None, ("pcm_s16le",), None),  # Wave64 is no RIFF WAVE
])
def test_container_to_mime_type(fmt, brand, video, audio, expected):
    assert content_type_for(fmt, brand, video, audio) == expected


def test_parse_probe_keeps_the_brand_and_the_type():
    probe = parse_probe({"format": {"format_name": BMFF, "duration": "2.0", "tags": {"major_brand": "qt  "}},
                         "streams": [{"index": 0, "codec_type": "video", "codec_name": "h264", "width": 64,
                                      "height": 48}]})
    assert probe.major_brand == "qt" and probe.content_type == "video/quicktime"
    assert probe.to_dict()["content_type"] == "video/quicktime"


def test_a_quicktime_file_without_an_ftyp_box_is_quicktime_not_mp4(tmp_path):
    """QuickTime files written before the `ftyp` box existed (an archive's old .mov) start with
    `moov`, `mdat`, `wide` or `free`: ffprobe gives them no major_brand. ISO BMFF makes the box
    mandatory (ISO/IEC 14496-12 §4.3), so a file without one is no MP4."""
    import subprocess

    from archive.media.probe import ffprobe

    made = tmp_path / "made.mov"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=160x120:rate=25:duration=1", "-c:v", "mjpeg", "-f", "mov", str(made)], check=True)
    data = bytearray(made.read_bytes())
    at = data.index(b"ftyp")
    data[at:at + 4] = b"free"  # the box is skipped as padding, as in a file that never had one
    old = tmp_path / "old.mov"
    old.write_bytes(bytes(data))
    probe = parse_probe(ffprobe(str(old), timeout=30))
    assert probe.container == BMFF and probe.major_brand is None
    assert probe.content_type == "video/quicktime"
