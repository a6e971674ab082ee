"""ffmpeg command lines are data: checked here without running ffmpeg."""
import dataclasses

import pytest

from archive.media import commands
from archive.media.probe import ProbeResult, parse_probe
from archive.media.profiles import (AUDIO_PROXY, POSTER, VIDEO_PROXY, PosterProfile, VideoProxyProfile,
                                    profile_for, renditions_for)

HD = ProbeResult(container="mov,mp4", container_long=None, duration=100.0, bit_rate=None, video_codec="h264",
                 width=1920, height=1080, display_width=1920, display_height=1080, frame_rate="25/1",
                 frame_rate_float=25.0, audio_codec="pcm_s24le", audio_channels=6, audio_sample_rate=48000)


def _after(cmd, flag):
    return cmd[cmd.index(flag) + 1]


@pytest.mark.parametrize("size, box, expected", [
    ((1920, 1080), (1280, 720), (1280, 720)),
    ((640, 360), (1280, 720), (640, 360)),  # never upscaled
    ((1080, 1920), (1280, 720), (406, 720)),  # portrait phone video: height bounds it
    ((720, 576), (1280, 720), (720, 576)),
    ((1025, 577), (1280, 720), (1026, 578)),  # odd → even
    ((4096, 2160), (1280, 720), (1280, 676)),
    ((3, 1), (1280, 720), (4, 2)),
])
def test_fit_within_keeps_aspect_and_even(size, box, expected):
    assert commands.fit_within(*size, *box) == expected
    w, h = expected
    assert w % 2 == 0 and h % 2 == 0 and w <= max(box[0], 4) and h <= box[1]


def test_fit_within_rejects_nonsense():
    with pytest.raises(ValueError):
        commands.fit_within(0, 1080, 1280, 720)


def test_video_proxy_command_hd_with_surround_audio():
    cmd = commands.video_proxy_command("/in/master.mov", "/out/proxy.mp4", HD, VIDEO_PROXY)
    assert cmd[0] == "ffmpeg"
    assert cmd[-1] == "file:/out/proxy.mp4" and _after(cmd, "-i") == "file:/in/master.mov"
    assert cmd.index("-progress") < cmd.index("-i")  # a global option
    assert _after(cmd, "-progress") == "pipe:1" and "-nostdin" in cmd
    assert _after(cmd, "-vf") == "scale=1280:720:flags=bicubic,setsar=1,format=yuv420p"
    assert _after(cmd, "-c:v") == "libx264" and _after(cmd, "-pix_fmt") == "yuv420p"
    assert _after(cmd, "-movflags") == "+faststart"
    assert _after(cmd, "-c:a") == "aac" and _after(cmd, "-ac:a:0") == "2" and _after(cmd, "-ar") == "48000"
    assert _after(cmd, "-disposition:a:0") == "default"
    assert _after(cmd, "-g") == "50"  # a keyframe every 2 s at 25 fps
    # A record without `streams` (probed before every stream was kept): first video, first audio.
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-map"] == ["0:v:0", "0:a:0"]
    # Untagged HD: tagged as players would guess it.
    assert [_after(cmd, f) for f in ("-color_primaries", "-color_trc", "-colorspace", "-color_range")] == \
           ["bt709", "bt709", "bt709", "tv"]
    assert _after(cmd, "-f") == "mp4"


def test_video_proxy_without_audio_drops_it():
    silent = dataclasses.replace(HD, audio_codec=None, audio_channels=None, audio_sample_rate=None)
    cmd = commands.video_proxy_command("a", "b", silent, VIDEO_PROXY)
    assert "-an" in cmd and "-c:a" not in cmd
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-map"] == ["0:v:0"]


def test_video_proxy_rotated_anamorphic_interlaced():
    # A portrait phone clip: stored 1920x1080 with rotation 90 → displayed 1080x1920.
    phone = dataclasses.replace(HD, rotation=90, display_width=1080, display_height=1920,
                                frame_rate="30000/1001", interlaced=True)
    cmd = commands.video_proxy_command("a", "b", phone, VIDEO_PROXY)
    assert _after(cmd, "-vf") == "yadif=mode=send_frame:deint=interlaced,scale=406:720:flags=bicubic,setsar=1,format=yuv420p"
    assert _after(cmd, "-g") == "60"


def test_profile_is_data_and_frozen():
    smaller = VideoProxyProfile(max_width=640, max_height=360, crf=28)
    cmd = commands.video_proxy_command("a", "b", HD, smaller)
    assert "scale=640:360" in _after(cmd, "-vf") and _after(cmd, "-crf") == "28"
    with pytest.raises(dataclasses.FrozenInstanceError):
        VIDEO_PROXY.crf = 10


def test_paths_cannot_become_options_or_protocols():
    cmd = commands.video_proxy_command("-i evil", "concat:/etc/passwd|x", HD, VIDEO_PROXY)
    assert "file:-i evil" in cmd and cmd[-1] == "file:concat:/etc/passwd|x"
    assert commands.ffprobe_command("-x")[-1] == "file:-x"


def test_audio_proxy_command():
    cmd = commands.audio_proxy_command("in.wav", "out.m4a", HD, AUDIO_PROXY)
    assert "-vn" in cmd and _after(cmd, "-map") == "0:a:0"
    assert _after(cmd, "-ac:a:0") == "2"  # 5.1 down to stereo
    assert _after(cmd, "-c:a") == "aac" and _after(cmd, "-b:a") == AUDIO_PROXY.audio_bitrate
    assert _after(cmd, "-movflags") == "+faststart" and cmd[-1] == "file:out.m4a"


@pytest.mark.parametrize("duration, expected", [(100.0, 10.0), (4.0, 0.4), (None, 1.0), (0.0, 0.0), (0.05, 0.0)])
def test_poster_time(duration, expected):
    assert commands.poster_time(duration, POSTER) == pytest.approx(expected)


def test_poster_command_seeks_before_input():
    cmd = commands.poster_command("in.mp4", "poster.jpg", HD, POSTER)
    assert cmd.index("-ss") < cmd.index("-i") and _after(cmd, "-ss") == "10.000"
    assert _after(cmd, "-frames:v") == "1" and _after(cmd, "-c:v") == "mjpeg"
    assert _after(cmd, "-vf") == ("scale=1280:720:flags=bicubic:in_color_matrix=bt709:out_color_matrix=bt601"
                                  ":out_range=full,setsar=1,format=yuvj420p")  # JPEG is BT.601 full range
    assert "-progress" not in cmd  # one frame: nothing to report
    tiny = PosterProfile(max_width=320, max_height=320)
    assert "scale=320:180" in _after(commands.poster_command("a", "b", HD, tiny), "-vf")


def test_decode_check_command_head_and_tail():
    head = commands.decode_check_command("x.mp4", start=None, seconds=3.0, probe=HD)
    assert "-ss" not in head and _after(head, "-t") == "3.000" and head[-1] == "-"
    assert _after(head, "-f") == "null"
    tail = commands.decode_check_command("x.mp4", start=97.0, seconds=3.0, probe=HD)
    assert tail.index("-ss") < tail.index("-i") and _after(tail, "-ss") == "97.000"


def test_renditions_per_kind():
    assert [p.name for p in renditions_for("video")] == ["poster", "proxy", "hls", "storyboard", "waveform",
                                                         "fingerprints"]
    assert [p.name for p in renditions_for("audio")] == ["proxy", "waveform"] and renditions_for("audio")[0] is AUDIO_PROXY
    assert [p.name for p in renditions_for("image")] == ["poster"]
    assert renditions_for("other") == ()
    assert profile_for("audio", "proxy").ext == "m4a"
    with pytest.raises(KeyError):
        profile_for("image", "proxy")


# ---- every audio track ---------------------------------------------------------------------

def _maps(cmd):
    return [cmd[i + 1] for i, a in enumerate(cmd) if a == "-map"]


def _multitrack():
    from tests.unit.media.test_streams import recorded
    return parse_probe(recorded("multitrack_mov"))


def test_proxy_keeps_every_audio_track_with_language_title_and_one_default():
    probe = _multitrack()
    cmd = commands.video_proxy_command("m.mov", "p.mp4", probe, VIDEO_PROXY)
    assert _maps(cmd) == ["0:0", "0:1", "0:2"]  # picture and both tracks; no subtitle, no tmcd
    assert "-sn" in cmd and "-dn" in cmd and _after(cmd, "-write_tmcd") == "0"
    assert _after(cmd, "-c:a") == "aac"
    assert _after(cmd, "-ac:a:0") == "2" and _after(cmd, "-ac:a:1") == "1"  # mono stays mono
    metadata = [cmd[i + 1] for i, a in enumerate(cmd) if a.startswith("-metadata:s:a:")]
    assert metadata == ["language=tur", "title=Türkçe dublaj", "handler_name=Türkçe dublaj",
                        "language=aze", "title=Azərbaycan dilində", "handler_name=Azərbaycan dilində"]
    assert _after(cmd, "-disposition:a:0") == "default" and _after(cmd, "-disposition:a:1") == "0"


def test_audio_only_master_keeps_every_track_too():
    probe = dataclasses.replace(_multitrack(), video_codec=None)
    cmd = commands.audio_proxy_command("m.mov", "p.m4a", probe, AUDIO_PROXY)
    assert _maps(cmd) == ["0:1", "0:2"] and "-vn" in cmd
    assert _after(cmd, "-disposition:a:1") == "0"


def test_bibliographic_and_missing_languages_become_what_mp4_stores():
    probe = parse_probe({"format": {"format_name": "matroska,webm"}, "streams": [
        {"index": 0, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360},
        {"index": 1, "codec_type": "audio", "codec_name": "opus", "channels": 2, "tags": {"language": "ger"}},
        {"index": 2, "codec_type": "audio", "codec_name": "opus", "channels": 2},
        {"index": 3, "codec_type": "audio", "codec_name": "opus", "channels": 2, "tags": {"language": "klingon"}}]})
    cmd = commands.video_proxy_command("a", "b", probe, VIDEO_PROXY)
    languages = [cmd[i + 1] for i, a in enumerate(cmd) if a.startswith("-metadata:s:a:") and "language=" in cmd[i + 1]]
    assert languages == ["language=deu", "language=und", "language=und"]  # ISO/IEC 14496-12: ISO 639-2/T


def test_cover_art_first_and_undecodable_tracks_are_not_mapped():
    probe = parse_probe({"format": {"format_name": "mov,mp4"}, "streams": [
        {"index": 0, "codec_type": "video", "codec_name": "mjpeg", "width": 300, "height": 300,
         "disposition": {"attached_pic": 1}},
        {"index": 1, "codec_type": "video", "codec_name": "h264", "width": 640, "height": 360},
        {"index": 2, "codec_type": "audio", "codec_tag_string": "dol2"},  # no decoder here
        {"index": 3, "codec_type": "audio", "codec_name": "pcm_s24le", "channels": 1, "tags": {"title": "A\x00\nB"}}]})
    cmd = commands.video_proxy_command("a", "b", probe, VIDEO_PROXY)
    assert _maps(cmd) == ["0:1", "0:3"]
    assert "title=A  B" in cmd  # control characters do not reach the file
    check = commands.decode_check_command("a", start=None, seconds=3.0, probe=probe)
    assert _maps(check) == ["0:1", "0:3"]
    poster = commands.poster_command("a", "b", probe, POSTER)
    assert _maps(poster) == ["0:1"]


def test_no_decodable_audio_at_all():
    probe = parse_probe({"format": {"format_name": "mxf"}, "streams": [
        {"index": 0, "codec_type": "video", "codec_name": "mpeg2video", "width": 720, "height": 576},
        {"index": 1, "codec_type": "audio", "codec_tag_string": "dol2"}]})
    assert probe.has_audio  # the track is listed, and the flat key says so
    cmd = commands.video_proxy_command("a", "b", probe, VIDEO_PROXY)
    assert "-an" in cmd and _maps(cmd) == ["0:0"]
    with pytest.raises(ValueError):
        commands.audio_proxy_command("a", "b", dataclasses.replace(probe, video_codec=None), AUDIO_PROXY)
