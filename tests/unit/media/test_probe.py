"""ffprobe on real files made with ffmpeg, and parse_probe on ffprobe JSON as data."""
import subprocess

import pytest

from archive.media.probe import Rejected, inspect_media, parse_probe

TIMEOUT = 60


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def audio_only(tmp_path_factory):
    out = tmp_path_factory.mktemp("probe") / "tone.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=2", "-c:a", "aac", str(out))
    return out


@pytest.fixture(scope="module")
def truncated_faststart(sample_video, tmp_path_factory):
    """moov first (faststart), then cut: the index is there, the media data is not."""
    d = tmp_path_factory.mktemp("probe")
    full = d / "faststart.mp4"
    _ffmpeg("-i", str(sample_video), "-c", "copy", "-movflags", "+faststart", str(full))
    cut = d / "cut.mp4"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    return cut


def test_sample_video(sample_video):
    p = inspect_media(str(sample_video), timeout=TIMEOUT)
    assert p.kind == "video" and "mp4" in p.container
    assert p.duration == pytest.approx(4.0, abs=0.1)
    assert (p.video_codec, p.width, p.height) == ("h264", 640, 360)
    assert (p.frame_rate, p.frame_rate_float) == ("25/1", 25.0)
    assert (p.audio_codec, p.audio_channels, p.audio_sample_rate) == ("aac", 2, 48000)
    assert p.start_timecode == "10:00:00:00"
    assert p.bit_rate and p.bit_rate > 0
    assert p.decode_warnings == ()
    assert p.to_dict()["kind"] == "video"


def test_audio_only(audio_only):
    p = inspect_media(str(audio_only), timeout=TIMEOUT)
    assert p.kind == "audio" and not p.has_video
    assert (p.audio_codec, p.audio_channels, p.audio_sample_rate) == ("aac", 1, 44100)
    assert p.width is None and p.frame_rate is None


def test_zero_byte_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(Rejected) as info:
        inspect_media(str(empty), timeout=TIMEOUT)
    assert info.value.code == "empty" and "empty" in info.value.reason


def test_truncated_video_missing_moov(truncated_video):
    with pytest.raises(Rejected) as info:
        inspect_media(str(truncated_video), timeout=TIMEOUT)
    assert info.value.code == "index_missing"
    assert "incomplete" in info.value.reason and "moov" in info.value.reason


def test_truncated_after_index_is_caught_by_decoding(truncated_faststart):
    with pytest.raises(Rejected) as info:
        inspect_media(str(truncated_faststart), timeout=TIMEOUT)
    assert info.value.code == "truncated" and "incomplete" in info.value.reason


def test_text_named_mp4_is_not_media(not_media):
    with pytest.raises(Rejected) as info:
        inspect_media(str(not_media), timeout=TIMEOUT)
    assert info.value.code == "not_media"
    assert "not an audio, video or image file" in info.value.reason


def test_random_bytes_are_not_media(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(Rejected) as info:
        inspect_media(str(junk), timeout=TIMEOUT)
    assert info.value.code in ("not_media", "no_streams")


def test_hostile_file_name(sample_video, tmp_path):
    odd = tmp_path / "-i concat:x|y.mp4"
    odd.write_bytes(sample_video.read_bytes())
    assert inspect_media(str(odd), timeout=TIMEOUT).kind == "video"


def test_parse_probe_rotation_sar_and_tags():
    data = {
        "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "12.5", "bit_rate": "900000",
                   "tags": {"timecode": "01:00:00;00"}},
        "streams": [
            {"codec_type": "video", "codec_name": "mjpeg", "width": 300, "height": 300,
             "disposition": {"attached_pic": 1}},
            {"codec_type": "video", "codec_name": "h264", "width": 1440, "height": 1080,
             "sample_aspect_ratio": "4:3", "avg_frame_rate": "30000/1001", "field_order": "tt",
             "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]},
            {"codec_type": "audio", "codec_name": "pcm_s16le", "channels": 2, "sample_rate": "48000"},
        ],
    }
    p = parse_probe(data)
    assert p.video_codec == "h264"  # cover art is not the video
    assert (p.display_width, p.display_height, p.rotation) == (1080, 1920, 270)
    assert p.frame_rate == "30000/1001" and p.frame_rate_float == pytest.approx(29.97)
    assert p.interlaced and p.start_timecode == "01:00:00;00"
    assert p.duration == 12.5 and p.bit_rate == 900000


def test_parse_probe_missing_everything():
    p = parse_probe({})
    assert p.container == "unknown" and p.duration is None and not p.has_video and not p.has_audio


def test_a_master_whose_audio_has_no_decoder_here_is_rejected_as_such(tmp_path):
    """Only undecodable tracks: 'unsupported_codec', not 'corrupt' (the file is not damaged)."""
    from archive.media.probe import _check_decoders

    audio_only = parse_probe({"format": {"format_name": "mov,mp4"}, "streams": [
        {"index": 0, "codec_type": "audio", "codec_tag_string": "dol2"}]})
    with pytest.raises(Rejected) as info:
        _check_decoders(audio_only)
    assert info.value.code == "unsupported_codec" and "'dol2'" in info.value.reason
    video = parse_probe({"format": {"format_name": "mov,mp4"}, "streams": [
        {"index": 0, "codec_type": "video", "codec_tag_string": "apcx", "width": 8, "height": 8},
        {"index": 1, "codec_type": "audio", "codec_name": "aac"}]})
    with pytest.raises(Rejected) as info:
        _check_decoders(video)
    assert info.value.code == "unsupported_codec"
    mixed = parse_probe({"format": {"format_name": "mov,mp4"}, "streams": [
        {"index": 0, "codec_type": "audio", "codec_tag_string": "dol2"},
        {"index": 1, "codec_type": "audio", "codec_name": "aac"}]})
    _check_decoders(mixed)  # one track plays: the file is fine, the other is listed


def test_every_audio_track_is_decode_checked(tmp_path):
    """A master with two tracks goes through inspect_media whole: both listed, both decoded."""
    master = tmp_path / "two.mka"
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-f", "lavfi", "-i", "sine=frequency=300:duration=1",
            "-map", "0:a", "-map", "1:a", "-c:a", "flac", "-metadata:s:a:0", "language=tur",
            "-metadata:s:a:1", "language=aze", str(master))
    p = inspect_media(str(master), timeout=TIMEOUT)
    assert p.kind == "audio" and p.audio_tracks == 2
    assert [t.language_code for t in p.audio_streams] == ["tr", "az"]
