"""Cutting clips with ffmpeg (archive.media.clips) on masters with a burnt-in frame counter."""
from __future__ import annotations

from fractions import Fraction

import pytest

from archive.markers.timeline import Timeline
from archive.media import clips
from tests.clip_media import frame_hashes, make_master, streams

T = 60.0


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    d = tmp_path_factory.mktemp("clip-masters")
    return {"pal": make_master(d / "pal.mp4", rate="25", seconds=3, gop=12),
            "df": make_master(d / "df.mp4", rate="30000/1001", seconds=3, gop=15, timecode="00:59:59;28")}


def _timeline(path) -> Timeline:
    info = streams(path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return Timeline.of({"frame_rate": video["r_frame_rate"], "duration": float(info["format"]["duration"]),
                        "start_timecode": video.get("tags", {}).get("timecode")
                        or info["format"].get("tags", {}).get("timecode")}, "video")


@pytest.mark.parametrize("name,in_frame,out_frame", [("pal", 17, 53), ("df", 29, 61), ("pal", 0, 75)])
def test_an_accurate_clip_starts_and_ends_on_the_masters_frames_at_in_and_out(tmp_path, masters, name, in_frame,
                                                                               out_frame):
    src = masters[name]
    tl = _timeline(src)
    dst = tmp_path / "clip.mov"
    cut = clips.cut(str(src), str(dst), mode="accurate", in_frame=in_frame, out_frame=out_frame, rate=tl.rate,
                    timecode_at=tl.label, technical={"video_codec": "h264", "pix_fmt": "yuv420p"},
                    comment="test", timeout=T)
    assert (cut.actual_in, cut.actual_out, cut.frames) == (in_frame, out_frame, out_frame - in_frame)
    source, clip = frame_hashes(src), frame_hashes(dst)
    assert len(clip) == out_frame - in_frame
    assert clip[0] == source[in_frame] and clip[-1] == source[out_frame - 1]
    assert clip == source[in_frame:out_frame]  # every frame, lossless
    info = streams(dst)
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert [a["codec_name"] for a in audio] == ["pcm_s24le", "pcm_s24le"]  # every audio track kept
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"
    for a in audio:
        assert abs(float(a["duration"]) - (out_frame - in_frame) / float(tl.rate)) < 0.03
    # The clip's timecode continues the master's: drop-frame on the 29.97 master.
    tc = video.get("tags", {}).get("timecode") or info["format"].get("tags", {}).get("timecode")
    assert tc == tl.label(in_frame)


def test_the_drop_frame_masters_timecode_crosses_the_minute_with_dropped_labels(masters):
    tl = _timeline(masters["df"])
    assert tl.drop_frame and tl.label(0) == "00:59:59;28"
    assert tl.label(2) == "01:00:00;00"  # the tenth minute keeps ;00 and ;01
    assert tl.label(32) == "01:00:01;00" and tl.position("01:00:01;00") == 32


@pytest.mark.parametrize("in_frame,key", [(17, 12), (12, 12), (11, 0), (30, 24)])
def test_a_fast_clip_starts_on_the_keyframe_at_or_before_in_and_says_so(tmp_path, masters, in_frame, key):
    src = masters["pal"]
    tl = _timeline(src)
    dst = tmp_path / "fast.mov"
    cut = clips.cut(str(src), str(dst), mode="fast", in_frame=in_frame, out_frame=60, rate=tl.rate,
                    timecode_at=tl.label, technical={"video_codec": "h264"}, comment="t", timeout=T)
    assert cut.actual_in == key and cut.actual_out == 60
    source, clip = frame_hashes(src), frame_hashes(dst)
    assert clip == source[key:60]
    info = streams(dst)
    assert [s["codec_name"] for s in info["streams"] if s["codec_type"] != "data"] == ["h264", "aac", "aac"]


def test_the_mezzanine_for_codecs_without_their_own_encoder_is_lossless_h264_422_10_bit():
    assert clips.video_codec_args("mpeg2video", "yuv422p", None)[-1] == "yuv422p"
    assert clips.video_codec_args("dnxhd", "yuv422p10le", None)[-1] == "yuv422p10le"
    assert clips.video_codec_args("vc1", "gbrp", None) == ["-c:v", "libx264", "-preset", "medium", "-qp", "0",
                                                           "-pix_fmt", "yuv422p10le"]
    assert clips.video_codec_args("prores", "yuv422p10le", None)[:2] == ["-c:v", "prores_ks"]
    assert Fraction(1, 25) > clips.SEEK_BACK


@pytest.mark.parametrize("in_frame,out_frame", [(25, 100), (75, 199), (0, 50), (0, 200)])
def test_a_fast_clip_of_a_master_with_b_frames_never_ends_past_out(tmp_path_factory, tmp_path, in_frame, out_frame):
    """One keyframe in 8 s and B-frames: the stream copy starts on frame 0 and, stopped by time
    alone, used to copy the reference pictures past `out` too (out 100 came out 0..102)."""
    src = make_master(tmp_path_factory.getbasetemp() / "sparse-b.mp4", seconds=8, gop=250, bframes=3,
                      audio_tracks=1)
    tl = _timeline(src)
    assert clips.fast_span(str(src), in_frame, out_frame, tl.rate, timeout=T) == (0, out_frame)
    dst = tmp_path / "clip.mov"
    cut = clips.cut(str(src), str(dst), mode="fast", in_frame=in_frame, out_frame=out_frame, rate=tl.rate,
                    timecode_at=tl.label, technical={}, comment="test", timeout=T)
    assert cut.actual_in == 0 and out_frame - 3 <= cut.actual_out <= out_frame
    source, clip = frame_hashes(src), frame_hashes(dst)
    assert clip == source[:cut.actual_out]  # every picture decodes, none is past out
