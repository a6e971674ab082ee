"""Several outputs on one ffmpeg command: the command as data, then its outputs checked with ffprobe."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from PIL import Image, ImageChops, ImageStat

from archive.media import commands, render
from archive.media.probe import inspect_media
from archive.media.profiles import (AUDIO_PROXY, IMAGE_POSTER, POSTER, VIDEO_PROXY, AudioProxyProfile, PosterProfile,
                                    VideoProxyProfile, spec_hash)
from archive.media.runner import MediaError
from tests.unit.media.test_commands import HD, _multitrack

TIMEOUT = 120


def test_poster_and_proxy_on_one_command_exactly():
    parts = [commands.output_part(POSTER, HD, "/w/poster/poster.jpg"),
             commands.output_part(VIDEO_PROXY, HD, "/w/proxy/proxy.mp4")]
    assert commands.one_decode_command("/in/master.mov", HD, parts) == [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-progress", "pipe:1", "-nostats",
        "-max_error_rate", "0.05", "-i", "file:/in/master.mov",
        "-filter_complex",
        "[0:v:0]split=2[s0][s1];"
        "[s0]trim=start=10.000,trim=end_frame=1,scale=1280:720:flags=bicubic:in_color_matrix=bt709:out_color_matrix=bt601"
        ":out_range=full,setsar=1,format=yuvj420p[v0];"
        "[s1]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p[v1]",
        "-map", "[v0]", "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "3", "-an", "-sn", "-dn", "-f", "image2",
        "-update", "1", "file:/w/poster/poster.jpg",
        "-map", "[v1]", "-map", "0:a:0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-g", "50", "-keyint_min", "50", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-colorspace", "bt709", "-color_range", "tv", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac:a:0", "2",
        "-disposition:a:0", "default", "-sn", "-dn", "-map_chapters", "-1", "-write_tmcd", "0",
        "-movflags", "+faststart", "-f", "mp4", "file:/w/proxy/proxy.mp4"]


def test_the_deinterlacer_runs_once_before_the_split_and_audio_is_mapped_per_output():
    probe = dataclasses.replace(_multitrack(), interlaced=True)
    small = VideoProxyProfile(name="small", max_width=320, max_height=180)
    parts = [commands.output_part(VIDEO_PROXY, probe, "a/proxy.mp4"), commands.output_part(small, probe, "b/small.mp4"),
             commands.output_part(POSTER, probe, "c/poster.jpg")]
    cmd = commands.one_decode_command("m.mov", probe, parts)
    graph = cmd[cmd.index("-filter_complex") + 1]
    assert graph.startswith("[0:0]yadif=mode=send_frame:deint=interlaced,split=3[s0][s1][s2];")
    assert graph.count("yadif") == 1 and graph.count("trim=start=") == 1
    maps = [cmd[i + 1] for i, a in enumerate(cmd) if a == "-map"]
    assert maps == ["[v0]", "0:1", "0:2", "[v1]", "0:1", "0:2", "[v2]"]
    # Per-output options follow their own maps: each proxy labels both tracks.
    first, second = cmd.index("file:a/proxy.mp4"), cmd.index("file:b/small.mp4")
    assert cmd[:first].count("language=tur") == 1 and cmd[first:second].count("language=tur") == 1
    assert "scale=320:180" in graph and "-filter_complex" not in cmd[cmd.index("-filter_complex") + 2:]


def test_one_output_keeps_the_simple_form():
    cmd = commands.one_decode_command("a", HD, [commands.output_part(VIDEO_PROXY, HD, "p.mp4")])
    assert "-filter_complex" not in cmd and cmd[cmd.index("-vf") + 1].startswith("scale=1280:720")
    audio = commands.one_decode_command("a", HD, [commands.output_part(AUDIO_PROXY, HD, "p.m4a")])
    assert "-vf" not in audio and "-filter_complex" not in audio and "-vn" in audio


def test_no_outputs_and_unknown_profiles_are_refused():
    with pytest.raises(ValueError):
        commands.one_decode_command("a", HD, [])
    with pytest.raises(ValueError, match="ImagePreviewProfile"):
        commands.output_part(IMAGE_POSTER, HD, "x.jpg")


def test_the_renderer_is_the_profiles_choice():
    assert render.renderer_for(VIDEO_PROXY) is render.renderer_for(POSTER) is render.RENDERERS["ffmpeg"]
    assert render.renderer_for(AUDIO_PROXY) is render.RENDERERS["ffmpeg"]
    assert render.renderer_for(IMAGE_POSTER) is render.RENDERERS["still"]

    @dataclasses.dataclass(frozen=True)
    class Elsewhere:
        renderer = "nowhere"
        name: str = "x"

    with pytest.raises(MediaError):
        render.renderer_for(Elsewhere())


def test_spec_hash_is_stable_and_sees_every_field_the_type_and_the_version(monkeypatch):
    assert spec_hash(VIDEO_PROXY) == spec_hash(VideoProxyProfile()) and len(spec_hash(POSTER)) == 64
    assert spec_hash(dataclasses.replace(VIDEO_PROXY, crf=24)) != spec_hash(VIDEO_PROXY)
    assert spec_hash(dataclasses.replace(POSTER, at_fraction=0.2)) != spec_hash(POSTER)
    assert spec_hash(IMAGE_POSTER) != spec_hash(POSTER)  # same name, size and type: another renderer
    code = "from archive.media.profiles import POSTER, spec_hash; print(spec_hash(POSTER))"
    other = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert other == spec_hash(POSTER)  # another process, another hash seed: the same hash
    before = spec_hash(POSTER)
    monkeypatch.setattr(PosterProfile, "version", PosterProfile.version + 1)
    assert spec_hash(POSTER) != before


# ---- run for real --------------------------------------------------------------------------

def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _streams(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                          str(path)], check=True, capture_output=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    """3 s 480x270 25 fps H.264 with a Turkish and an Azerbaijani AAC track."""
    out = tmp_path_factory.mktemp("one-decode") / "bilingual.mov"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=480x270:rate=25:duration=3",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3",
            "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=3",
            "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-metadata:s:a:0", "language=tur", "-metadata:s:a:1", "language=aze", str(out))
    return out


def test_one_command_writes_proxy_and_poster_and_reports_progress(bilingual, tmp_path):
    probe = inspect_media(str(bilingual), timeout=TIMEOUT)
    folders = {name: tmp_path / name for name in ("poster", "proxy")}
    for folder in folders.values():
        folder.mkdir()
    seen = []
    made = render.FfmpegRenderer().render([(POSTER, str(folders["poster"])), (VIDEO_PROXY, str(folders["proxy"]))],
                                          str(bilingual), probe=probe, timeout=TIMEOUT, on_progress=seen.append)
    assert made == {"poster": render.Made(480, 270), "proxy": render.Made(480, 270)}

    proxy = _streams(folders["proxy"] / "proxy.mp4")
    kinds = [(s["codec_type"], s["codec_name"]) for s in proxy["streams"]]
    assert kinds == [("video", "h264"), ("audio", "aac"), ("audio", "aac")]
    video = proxy["streams"][0]
    assert (video["width"], video["height"], video["pix_fmt"], video["avg_frame_rate"]) == (480, 270, "yuv420p", "25/1")
    assert abs(float(video["duration"]) - 3.0) <= 1 / 25  # within one frame
    assert int(video["nb_frames"]) == 75
    assert [s["tags"]["language"] for s in proxy["streams"][1:]] == ["tur", "aze"]

    poster = _streams(folders["poster"] / "poster.jpg")["streams"]
    assert [(s["codec_name"], s["width"], s["height"]) for s in poster] == [("mjpeg", 480, 270)]
    # The same frame the poster command alone (a seek to 0.3 s) takes.
    alone = tmp_path / "alone.jpg"
    render.render(POSTER, str(bilingual), str(alone), probe=probe, timeout=TIMEOUT)
    with Image.open(alone) as a, Image.open(folders["poster"] / "poster.jpg") as b:
        assert max(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) < 1.0

    assert all(0 <= f <= 1 for f in seen)  # reported at most once a second: a 3 s encode may say nothing


def test_progress_of_a_command_with_several_outputs(bilingual, tmp_path):
    """-progress speaks for the whole command: its out_time follows the longest output."""
    from archive.media.runner import run

    probe = inspect_media(str(bilingual), timeout=TIMEOUT)
    parts = [commands.output_part(POSTER, probe, str(tmp_path / "poster.jpg")),
             commands.output_part(VIDEO_PROXY, probe, str(tmp_path / "proxy.mp4"))]
    seen = []
    result = run(commands.one_decode_command(str(bilingual), probe, parts), timeout=TIMEOUT, duration=probe.duration,
                 on_progress=seen.append, progress_interval=0.0)
    assert result.progress is not None and result.progress.fraction(probe.duration) >= 0.95
    assert seen == sorted(seen)


def test_a_poster_past_the_last_frame_falls_back_to_the_first(bilingual, tmp_path):
    probe = dataclasses.replace(inspect_media(str(bilingual), timeout=TIMEOUT), duration=600.0)  # the container lies
    for name in ("poster", "proxy"):
        (tmp_path / name).mkdir()
    render.FfmpegRenderer().render([(POSTER, str(tmp_path / "poster")), (VIDEO_PROXY, str(tmp_path / "proxy"))],
                                   str(bilingual), probe=probe, timeout=TIMEOUT)
    with Image.open(tmp_path / "poster" / "poster.jpg") as im:
        assert im.size == (480, 270)


def test_audio_only_gets_every_track(bilingual, tmp_path):
    probe = dataclasses.replace(inspect_media(str(bilingual), timeout=TIMEOUT), video_codec=None)
    dst = tmp_path / "proxy.m4a"
    render.render(AudioProxyProfile(), str(bilingual), str(dst), probe=probe, timeout=TIMEOUT)
    streams = _streams(dst)["streams"]
    assert [(s["codec_type"], s["tags"]["language"]) for s in streams] == [("audio", "tur"), ("audio", "aze")]
