"""Every stream of a file, as data: parse_probe on ffprobe JSON recorded from real files.

The JSON files in data/ are ffprobe's output (`-show_format -show_streams`) for masters made
with ffmpeg: a MOV with two AAC tracks (tur, aze; named in the handler box), a mov_text
subtitle and a tmcd track; a Matroska HLG master with FLAC (ger) and AC-3 5.1 (aze, forced)
tracks, an SRT subtitle and a font attachment; an m4a with cover art; an HEVC Main 10 PQ MP4.
"""
import json
from pathlib import Path

import pytest

from archive.media.probe import ProbeResult, parse_probe
from archive.media.streams import (AttachmentStream, AudioStream, DataStream, SubtitleStream, VideoStream,
                                   hdr_kind, parse_streams, stream_from_dict)
from archive.renditions.services import probe_from_technical

DATA = Path(__file__).parent / "data"


def recorded(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text("utf-8"))


def test_two_audio_tracks_subtitle_and_timecode():
    p = parse_probe(recorded("multitrack_mov"))
    assert [s.type for s in p.streams] == ["video", "audio", "audio", "subtitle", "data"]
    video, tur, aze, sub, tmcd = p.streams
    assert isinstance(video, VideoStream) and (video.codec, video.width, video.height) == ("h264", 320, 180)
    assert video.bit_depth == 8 and video.hdr is None and video.field_order == "progressive"
    assert isinstance(tur, AudioStream) and isinstance(aze, AudioStream)
    assert (tur.index, tur.codec, tur.channels, tur.channel_layout, tur.sample_rate) == (1, "aac", 2, "stereo", 48000)
    assert (aze.index, aze.codec, aze.channels, aze.channel_layout, aze.sample_rate) == (2, "aac", 1, "mono", 44100)
    assert (tur.language, tur.language_code, tur.title) == ("tur", "tr", "Türkçe dublaj")
    assert (aze.language, aze.language_code, aze.title) == ("aze", "az", "Azərbaycan dilində")
    assert tur.default and not aze.default and not tur.forced
    assert isinstance(sub, SubtitleStream) and (sub.codec, sub.language_code, sub.title) == ("mov_text", "tr", None)
    assert isinstance(tmcd, DataStream) and (tmcd.codec, tmcd.timecode) == ("tmcd", "10:00:00:00")
    # The flat keys other code reads are still the main video and the first audio track.
    assert (p.video_codec, p.width, p.audio_codec, p.audio_channels, p.audio_sample_rate) == ("h264", 320, "aac", 2, 48000)
    assert p.audio_tracks == 2 and p.start_timecode == "10:00:00:00" and p.kind == "video"
    assert p.audio_streams == (tur, aze) and p.video_stream == video


def test_matroska_titles_forced_track_subtitle_attachment_and_hlg():
    p = parse_probe(recorded("hlg_mkv_attachment"))
    video, ger, aze, sub, font = p.streams
    assert (video.codec, video.profile, video.pix_fmt, video.bit_depth) == ("hevc", "Main 10", "yuv420p10le", 10)
    assert (video.color_primaries, video.color_transfer, video.color_space, video.hdr) == \
           ("bt2020", "arib-std-b67", "bt2020nc", "hlg")
    assert p.hdr == "hlg" and p.color_transfer == "arib-std-b67" and p.bit_depth == 10
    assert (ger.codec, ger.language, ger.language_code, ger.title) == ("flac", "ger", "de", "Originalton")
    assert (aze.codec, aze.channels, aze.channel_layout, aze.forced) == ("ac3", 6, "5.1(side)", True)
    assert (sub.codec, sub.language_code, sub.title) == ("subrip", "az", "Altyazı")
    assert isinstance(font, AttachmentStream) and (font.filename, font.mimetype) == ("font.ttf", "font/ttf")


def test_cover_art_is_flagged_and_never_the_video():
    p = parse_probe(recorded("cover_art_m4a"))
    assert [s.type for s in p.streams] == ["audio", "video"]
    assert p.streams[1].cover_art and p.video_stream is None
    assert p.kind == "audio" and not p.has_video


def test_hdr10_pq_master():
    p = parse_probe(recorded("hdr10_pq_mp4"))
    assert (p.hdr, p.color_primaries, p.color_transfer, p.color_space, p.color_range) == \
           ("pq", "bt2020", "smpte2084", "bt2020nc", "tv")
    assert p.video_stream.profile == "Main 10" and p.video_stream.bit_depth == 10


@pytest.mark.parametrize("transfer, kind", [("smpte2084", "pq"), ("arib-std-b67", "hlg"), ("bt709", None),
                                            ("bt2020-10", None), (None, None), ("unknown", None)])
def test_hdr_is_the_transfer_function(transfer, kind):
    assert hdr_kind(transfer) == kind


def test_hdr_metadata_and_dolby_vision_side_data():
    (video,) = parse_streams([{
        "index": 0, "codec_type": "video", "codec_name": "hevc", "width": 3840, "height": 2160,
        "pix_fmt": "yuv420p10le", "color_transfer": "smpte2084", "color_primaries": "bt2020",
        "side_data_list": [
            {"side_data_type": "Mastering display metadata", "max_luminance": "10000000/10000",
             "min_luminance": "50/10000"},
            {"side_data_type": "Content light level metadata", "max_content": 1200, "max_average": 400},
            {"side_data_type": "DOVI configuration record", "dv_profile": 8, "dv_level": 6}]}])
    assert (video.max_luminance, video.max_cll, video.dolby_vision_profile) == (1000.0, 1200, 8)


def test_every_stream_survives_the_database_round_trip():
    for name in ("multitrack_mov", "hlg_mkv_attachment", "cover_art_m4a", "hdr10_pq_mp4"):
        p = parse_probe(recorded(name))
        stored = json.loads(json.dumps(p.to_dict()))  # what the JSON column gives back
        assert stored["streams"] and all("type" in s and "index" in s for s in stored["streams"])
        assert probe_from_technical(stored) == p, name


def test_a_record_from_before_streams_were_kept_still_rebuilds():
    old = {"container": "mov,mp4", "container_long": None, "duration": 4.0, "bit_rate": None, "video_codec": "h264",
           "width": 640, "height": 360, "audio_codec": "aac", "audio_channels": 2, "kind": "video",
           "decode_warnings": ["x"], "some_future_key": 1}
    p = probe_from_technical(old)
    assert p.streams == () and p.has_audio and p.decode_warnings == ("x",)
    assert probe_from_technical({"kind": "image", "width": 3}) is None
    assert probe_from_technical({"kind": "video"}) is None  # container etc. missing: not a probe record
    assert probe_from_technical("junk") is None


@pytest.mark.parametrize("bad", [None, 3, "x", {}, {"type": "video"}, {"type": "laser", "index": 1},
                                 {"type": "audio", "index": "1"}])
def test_stream_from_dict_refuses_what_is_not_a_stream(bad):
    assert stream_from_dict(bad) is None


def test_hostile_and_odd_stream_entries():
    streams = parse_streams([
        "not a dict", {"codec_type": "audio"},  # no index, no codec
        {"index": 7, "codec_type": "unknown", "codec_tag_string": "[0][0][0][0]"},
        {"index": 8, "codec_type": "audio", "codec_name": "pcm_s24le", "channels": "x",
         "tags": {"LANGUAGE": "  ", "TITLE": "t" * 5000 + "\n"}},
        {"index": 9, "codec_type": "subtitle", "codec_name": "dvb_teletext", "tags": {"language": "xx"},
         "disposition": {"hearing_impaired": 1}},
    ])
    assert [type(s) for s in streams] == [AudioStream, DataStream, AudioStream, SubtitleStream]
    assert streams[0].index == -1 and streams[0].codec is None
    assert streams[1].codec is None  # a tag of zero bytes is not a codec name
    assert streams[2].channels is None and streams[2].language is None and len(streams[2].title) == 500
    assert (streams[3].language, streams[3].language_code, streams[3].hearing_impaired) == ("xx", None, True)


def test_flat_keys_are_all_still_there():
    """Readers of `technical` (the page, the API's clients) keep every key they had."""
    keys = set(ProbeResult("mp4", None, 1.0, None).to_dict())
    assert {"container", "container_long", "duration", "bit_rate", "video_codec", "width", "height",
            "display_width", "display_height", "rotation", "frame_rate", "frame_rate_float", "pix_fmt",
            "interlaced", "audio_codec", "audio_channels", "audio_sample_rate", "start_timecode",
            "decode_warnings", "kind"} <= keys
    assert {"streams", "hdr", "color_primaries", "color_transfer", "color_space", "color_range", "bit_depth",
            "audio_tracks"} <= keys
