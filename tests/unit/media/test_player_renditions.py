"""The player's renditions (HLS ladder, storyboard, waveform) with the proxy and poster on ONE
ffmpeg command: the command as data, then the outputs checked with ffprobe and the m3u8 parser."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess

import m3u8
import pytest
from PIL import Image

from archive.media import commands, player_files, render
from archive.media.probe import inspect_media, parse_probe
from archive.media.profiles import (AUDIO_PROXY, HLS, POSTER, STORYBOARD, VIDEO_PROXY, WAVEFORM, HlsProfile,
                                    StoryboardProfile, WaveformProfile, renditions_for, spec_hash)
from archive.media.runner import CommandFailed
from tests.unit.media.test_commands import HD, _multitrack

TIMEOUT = 120


def _probe(width, height, *, duration=100.0, audio=()):
    streams = [{"index": 0, "codec_type": "video", "codec_name": "h264", "width": width, "height": height,
                "r_frame_rate": "25/1", "avg_frame_rate": "25/1"}]
    for n, language in enumerate(audio, start=1):
        streams.append({"index": n, "codec_type": "audio", "codec_name": "aac", "channels": 2, "sample_rate": "48000",
                        "tags": {"language": language} if language else {}})
    return parse_probe({"format": {"format_name": "mov,mp4", "duration": str(duration)}, "streams": streams})


# ---- as data -------------------------------------------------------------------------------

@pytest.mark.parametrize("size, expected", [
    ((1920, 1080), [(1080, 1920, 1080), (720, 1280, 720), (480, 854, 480), (360, 640, 360)]),
    ((1280, 720), [(720, 1280, 720), (480, 854, 480), (360, 640, 360)]),
    ((720, 576), [(480, 600, 480), (360, 450, 360)]),  # 4:3 PAL: never above the source
    ((320, 180), [(180, 320, 180)]),  # below the smallest rung: one rung at its own size
    ((1080, 1920), [(1080, 608, 1080), (720, 406, 720), (480, 270, 480), (360, 202, 360)]),  # portrait
])
def test_the_ladder_never_goes_above_the_source(size, expected):
    rungs = commands.ladder(_probe(*size), HLS)
    assert [(r.lines, r.width, r.height) for r in rungs] == expected
    assert all(r.folder == f"{r.lines}p" for r in rungs)


def test_one_command_for_every_rendition_decodes_once_and_splits():
    probe = _probe(1920, 1080, audio=("tur", "aze"))
    parts = [part for profile in (POSTER, VIDEO_PROXY, HLS, STORYBOARD, WAVEFORM)
             for part in commands.output_parts(profile, probe, f"/w/{profile.name}", "/s")]
    cmd = commands.one_decode_command("/in/m.mov", probe, parts)
    assert cmd.count("-i") == 1 and cmd.count("-filter_complex") == 1
    graph = cmd[cmd.index("-filter_complex") + 1]
    # poster, proxy, four rungs, storyboard: seven copies of one decoded picture
    assert graph.startswith("[0:0]split=7[s0][s1][s2][s3][s4][s5][s6];")
    assert cmd[cmd.index("-progress") + 1] == "pipe:1" and cmd.index("-progress") < cmd.index("-i")
    targets = [a for a in cmd if a.startswith("file:/w/") or a.startswith("file:/s/")]
    assert targets == ["file:/w/poster/poster.jpg", "file:/w/proxy/proxy.mp4",
                       "file:/w/hls/1080p/seg_%05d.m4s", "file:/w/hls/1080p/index.m3u8",
                       "file:/w/hls/720p/seg_%05d.m4s", "file:/w/hls/720p/index.m3u8",
                       "file:/w/hls/480p/seg_%05d.m4s", "file:/w/hls/480p/index.m3u8",
                       "file:/w/hls/360p/seg_%05d.m4s", "file:/w/hls/360p/index.m3u8",
                       "file:/w/hls/audio_0/seg_%05d.m4s", "file:/w/hls/audio_0/index.m3u8",
                       "file:/w/hls/audio_1/seg_%05d.m4s", "file:/w/hls/audio_1/index.m3u8",
                       "file:/s/thumb_%05d.jpg", "file:/s/pcm_0", "file:/s/pcm_1"]
    # every rung: keyframes forced on the same 2 s grid (segments of 6 s are cut on it), no
    # scene-cut keyframes, capped rate
    assert cmd.count("expr:gte(t,n_forced*2)") == 4 and cmd.count("-sc_threshold") == 4
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-g"] == ["50"] * 5
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-maxrate:v"] == ["6000k", "3000k", "1500k", "800k"]
    assert cmd.count("-hls_time") == 6 and cmd[cmd.index("-hls_segment_type") + 1] == "fmp4"
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-metadata:s:a:0"] == ["language=tur", "language=tur", "language=aze"]  # proxy, audio_0, audio_1
    assert "[s6]select='if(isnan(prev_t),1,gt(floor((t+0.000)/1),floor((prev_t+0.000)/1)))',scale=160:90" in graph


def _jobs(*profiles):
    return [(profile, f"/w/{profile.name}") for profile in profiles]


def test_the_proxy_is_the_720p_rung_and_audio_is_encoded_once():
    probe = _probe(1920, 1080, audio=("tur", "aze"))
    parts, own = commands.planned_parts(_jobs(POSTER, VIDEO_PROXY, HLS, STORYBOARD, WAVEFORM), probe, "/s")
    cmd = commands.one_decode_command("/in/m.mov", probe, parts)
    graph = cmd[cmd.index("-filter_complex") + 1]
    # poster, 720p (proxy too), 1080p, 480p, 360p, storyboard: six copies, four x264 encodes;
    # outputs: poster, the tee, three rungs, thumbnails, two PCM pipes
    assert graph.startswith("[0:0]split=6[s0][s1][s2][s3][s4][s5];")
    assert cmd.count("libx264") == 4 and cmd.count("aac") == 1 and cmd.count("-f") == 8  # outputs
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-maxrate:v"] == ["3000k", "6000k", "1500k", "800k"]
    tee = cmd[cmd.index("tee") + 1]
    slaves = tee.split("|")
    assert slaves == [
        "[select=v:f=hls:hls_time=6:hls_playlist_type=event:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4"
        ":hls_flags=independent_segments:hls_segment_filename=file\\\\:/w/hls/720p/seg_%05d.m4s]"
        "file:/w/hls/720p/index.m3u8",
        "[f=mp4:write_tmcd=0:movflags=+faststart]file:/w/proxy/proxy.mp4",
        "[select=a\\\\:0:f=hls:hls_time=6:hls_playlist_type=event:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4"
        ":hls_flags=independent_segments:hls_segment_filename=file\\\\:/w/hls/audio_0/seg_%05d.m4s]"
        "file:/w/hls/audio_0/index.m3u8",
        "[select=a\\\\:1:f=hls:hls_time=6:hls_playlist_type=event:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4"
        ":hls_flags=independent_segments:hls_segment_filename=file\\\\:/w/hls/audio_1/seg_%05d.m4s]"
        "file:/w/hls/audio_1/index.m3u8"]
    at = cmd.index("tee")
    shared = cmd[cmd.index("[v1]"):at]
    assert shared[:6] == ["[v1]", "-map", "0:1", "-map", "0:2", "-c:v"]
    assert ["-flags", "+global_header"] == shared[shared.index("-flags"):shared.index("-flags") + 2]
    assert "file:/w/hls/720p/index.m3u8" not in cmd and "file:/w/proxy/proxy.mp4" not in cmd
    assert own["proxy"] == [commands.OutputPart("/w/proxy/proxy.mp4", size=(1280, 720))]
    assert [p.target for p in own["hls"]][1] == "/w/hls/720p/index.m3u8"


@pytest.mark.parametrize("proxy, share", [
    (VIDEO_PROXY, True),
    (dataclasses.replace(VIDEO_PROXY, from_ladder=False), False),
    (dataclasses.replace(VIDEO_PROXY, crf=20), False),
    (dataclasses.replace(VIDEO_PROXY, keyframe_seconds=1.0), False),
    (dataclasses.replace(VIDEO_PROXY, max_height=540, max_width=960), False),  # no 540p rung
    (dataclasses.replace(VIDEO_PROXY, audio_bitrate="96k"), False),
    (dataclasses.replace(VIDEO_PROXY, watermark="PREVIEW"), False),
])
def test_the_proxy_shares_a_rung_only_when_it_is_the_same_encode(proxy, share):
    probe = _probe(1920, 1080, audio=("tur",))
    parts, _own = commands.planned_parts(_jobs(proxy, HLS), probe, "/s")
    cmd = commands.one_decode_command("/in/m.mov", probe, parts)
    assert ("tee" in cmd) is share and cmd.count("libx264") == (4 if share else 5)
    silent = _probe(1920, 1080)  # no audio: the audio settings do not matter
    parts, _own = commands.planned_parts(_jobs(dataclasses.replace(proxy, audio_bitrate="96k"), HLS), silent, "/s")
    assert ("tee" in commands.one_decode_command("/in/m.mov", silent, parts)) is (share or proxy.audio_bitrate == "96k")


def test_tee_names_are_escaped_for_both_of_its_parsers():
    url = commands.tee_url([([("select", "a:0"), ("hls_segment_filename", "file:/a b/x'y]z|w")], "/p|q/i.m3u8"),
                            ([("f", "mp4")], "/o.mp4")])
    assert url == ("[select=a\\\\:0:hls_segment_filename=file\\\\:/a b/x\\\\\\'y\\\\]z\\|w]file:/p\\|q/i.m3u8"
                   "|[f=mp4]file:/o.mp4")


def test_storyboard_interval_grows_with_the_duration():
    assert [STORYBOARD.interval_for(d) for d in (0, 3, 600, 601, 3600, 36000, 10**7)] == [1, 1, 1, 2, 10, 60, 300]
    cues = player_files.storyboard_cues(3, 10, 25.0, (160, 90), columns=2, rows=1)
    assert cues == [(0, 10, "sprite_0.jpg#xywh=0,0,160,90"), (10, 20, "sprite_0.jpg#xywh=160,0,160,90"),
                    (20, 25.0, "sprite_1.jpg#xywh=0,0,160,90")]


def test_waveform_resolution_keeps_long_media_small():
    assert WAVEFORM.samples_per_pixel(3, 48000) == 256
    ten_hours = WAVEFORM.samples_per_pixel(36000, 48000)
    assert 36000 * 48000 / ten_hours <= WAVEFORM.max_points


def test_audio_names_are_the_languages_own_and_unique():
    probe = _probe(640, 360, audio=("tur", "aze", "tur", None))
    names = player_files.audio_names(probe.audio_streams)
    assert names == [("tr", "Türkçe 1"), ("az", "Azərbaycan"), ("tr", "Türkçe 3"), (None, "Audio 4")]


def test_renditions_follow_the_streams():
    assert [p.name for p in renditions_for("video", _probe(640, 360, audio=("tur",)))] == \
           ["poster", "proxy", "hls", "storyboard", "waveform", "fingerprints"]
    assert [p.name for p in renditions_for("video", _probe(640, 360))] == ["poster", "proxy", "hls", "storyboard",
                                                                           "fingerprints"]
    audio_only = dataclasses.replace(_multitrack(), video_codec=None)
    assert [p.name for p in renditions_for("audio", audio_only)] == ["proxy", "waveform"]
    with pytest.raises(ValueError, match="picture"):
        commands.output_parts(HLS, audio_only, "/w", "/s")
    with pytest.raises(ValueError, match="audio"):
        commands.output_parts(WAVEFORM, _probe(640, 360), "/w", "/s")


def test_the_spec_hash_sees_the_new_profiles_fields():
    assert spec_hash(HLS) != spec_hash(dataclasses.replace(HLS, segment_seconds=4))
    assert spec_hash(STORYBOARD) != spec_hash(dataclasses.replace(STORYBOARD, tile_width=120))
    assert spec_hash(WAVEFORM) != spec_hash(dataclasses.replace(WAVEFORM, bits=16))


# ---- run for real --------------------------------------------------------------------------

def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
                          str(path)], check=True, capture_output=True).stdout
    return json.loads(out)


def _elementary(path, stream):
    """MD5 of a stream's packets as an elementary stream (H.264 Annex B, AAC in ADTS)."""
    fmt = ["-bsf:v", "h264_mp4toannexb", "-f", "h264"] if stream == "v" else ["-f", "adts"]
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path),
                          "-map", f"0:{stream}", "-c", "copy", *fmt, "-"], check=True, capture_output=True).stdout
    assert out
    return hashlib.md5(out).hexdigest()


def _make(src, out, profiles=None):
    probe = inspect_media(str(src), timeout=TIMEOUT)
    profiles = profiles or [p for p in renditions_for(probe.kind, probe) if p.renderer == "ffmpeg"]
    jobs = []
    for profile in profiles:
        folder = out / profile.name
        folder.mkdir(parents=True)
        jobs.append((profile, str(folder)))
    made = render.RENDERERS["ffmpeg"].render(jobs, str(src), probe=probe, timeout=TIMEOUT)
    return probe, made


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    root = tmp_path_factory.mktemp("player")
    six = root / "six.mkv"
    langs = ["tur", "aze", "eng", "rus", "deu", "fra"]
    inputs = []
    for n in range(6):
        inputs += ["-f", "lavfi", "-i", f"sine=frequency={300 + 100 * n}:sample_rate=48000:duration=13"]
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=192x108:rate=10:duration=13", *inputs,
            *[a for n in range(7) for a in ("-map", str(n))], "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-g", "10", "-c:a", "aac",
            *[a for n, lang in enumerate(langs) for a in (f"-metadata:s:a:{n}", f"language={lang}")], str(six))
    silent = root / "silent.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2", "-c:v", "libx264",
            "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(silent))
    sound = root / "sound.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=2", "-c:a", "aac", str(sound))
    one = root / "one.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-f", "lavfi", "-i",
            "sine=frequency=440:sample_rate=48000:duration=0.04", "-frames:v", "1", "-c:v", "libx264",
            "-pix_fmt", "yuv420p", "-c:a", "aac", str(one))
    return {"six": six, "silent": silent, "sound": sound, "one": one, "root": root}


@pytest.fixture(scope="module")
def six_made(media):
    out = media["root"] / "six-out"
    probe, made = _make(media["six"], out)
    return probe, made, out


def test_every_rendition_from_one_run_with_six_audio_tracks(six_made):
    probe, made, out = six_made
    assert set(made) == {"poster", "proxy", "hls", "storyboard", "waveform", "fingerprints"}
    master = m3u8.load(str(out / "hls" / "master.m3u8"))
    assert master.is_variant and len(master.playlists) == 1
    variant = master.playlists[0].stream_info
    assert variant.resolution == (192, 108) and variant.bandwidth > 0 and variant.audio == "audio"
    assert variant.codecs.startswith("avc1.64") and variant.codecs.endswith(",mp4a.40.2")
    audio = [m for m in master.media if m.type == "AUDIO"]
    assert [m.language for m in audio] == ["tr", "az", "en", "ru", "de", "fr"]
    assert [m.uri for m in audio] == [f"audio_{n}/index.m3u8" for n in range(6)]
    assert [m.default for m in audio] == ["YES"] + ["NO"] * 5 and {m.group_id for m in audio} == {"audio"}
    assert audio[0].name == "Türkçe" and len({m.name for m in audio}) == 6
    # 13 s in 6 s segments: 3 per playlist, each segment starting on a keyframe
    rung = m3u8.load(str(out / "hls" / master.playlists[0].uri))
    assert [round(s.duration, 3) for s in rung.segments] == [6.0, 6.0, 1.0]
    assert rung.segment_map[0].uri == "init.mp4" and rung.is_endlist
    for n in range(6):
        track = m3u8.load(str(out / "hls" / f"audio_{n}" / "index.m3u8"))
        assert len(track.segments) == 3 and abs(sum(s.duration for s in track.segments) - 13) <= 0.1  # one frame at 10 fps
    # each segment decodes on its own (init + segment) to 6 s of picture, within one frame
    folder = out / "hls" / master.playlists[0].uri.split("/")[0]
    joined = folder.parent / "first.mp4"
    joined.write_bytes((folder / "init.mp4").read_bytes() + (folder / "seg_00000.m4s").read_bytes())
    info = _ffprobe(joined)
    assert info["streams"][0]["codec_name"] == "h264"
    assert abs(float(info["format"]["duration"]) - 6.0) <= 0.1 + 1e-9
    # the proxy keeps all six tracks; the poster is a JPEG
    proxy = _ffprobe(out / "proxy" / "proxy.mp4")
    assert [s["codec_name"] for s in proxy["streams"]] == ["h264"] + ["aac"] * 6
    assert abs(float(proxy["format"]["duration"]) - 13.0) <= 0.1
    assert [s["tags"]["language"] for s in proxy["streams"][1:]] == ["tur", "aze", "eng", "rus", "deu", "fra"]
    # the proxy's picture is the rung's encode and its sound the audio renditions', byte for byte
    assert _elementary(out / "proxy" / "proxy.mp4", "v") == _elementary(folder / "index.m3u8", "v")
    for n in (0, 5):
        assert _elementary(out / "proxy" / "proxy.mp4", f"a:{n}") == \
            _elementary(out / "hls" / f"audio_{n}" / "index.m3u8", "a")
    # storyboard: 13 thumbnails at 1 s on one sheet of 10 columns (2 rows used), cues to the end
    vtt = (out / "storyboard" / "storyboard.vtt").read_text().split("\n")
    assert vtt[0] == "WEBVTT"
    cues = [line for line in vtt if "#xywh=" in line]
    assert len(cues) == 13 and cues[-1] == "sprite_0.jpg#xywh=320,90,160,90"
    assert "00:00:12.000 --> 00:00:13.000" in vtt
    assert sorted(os.listdir(out / "storyboard")) == ["sprite_0.jpg", "storyboard.vtt"]
    with Image.open(out / "storyboard" / "sprite_0.jpg") as sheet:
        assert sheet.size == (1600, 180)
    # waveform: one file per track, audiowaveform version 2, about 13 s of 48 kHz each
    names = sorted(os.listdir(out / "waveform"))
    assert names == ["waveform.json"] + [f"waveform_{n}.json" for n in range(1, 6)]
    for name in names:
        doc = json.loads((out / "waveform" / name).read_text())
        assert doc["version"] == 2 and doc["channels"] == 1 and doc["bits"] == 8
        assert doc["length"] * 2 == len(doc["data"]) and abs(doc["length"] * 256 / 48000 - 13) < 0.1
        assert all(-128 <= v <= 127 for v in doc["data"]) and max(doc["data"]) > 10


def test_no_audio_gets_a_ladder_without_audio_and_no_waveform(media, tmp_path):
    probe, made = _make(media["silent"], tmp_path)
    assert set(made) == {"poster", "proxy", "hls", "storyboard", "fingerprints"}
    master = m3u8.load(str(tmp_path / "hls" / "master.m3u8"))
    assert not master.media and master.playlists[0].stream_info.codecs.startswith("avc1.")
    assert "," not in master.playlists[0].stream_info.codecs and master.playlists[0].stream_info.audio is None


def test_audio_only_gets_the_proxy_and_the_waveform_only(media, tmp_path):
    probe, made = _make(media["sound"], tmp_path)
    assert set(made) == {"proxy", "waveform"}
    doc = json.loads((tmp_path / "waveform" / "waveform.json").read_text())
    assert doc["sample_rate"] == 44100 and abs(doc["length"] * 256 / 44100 - 2) < 0.1


def test_a_one_frame_video_gets_every_rendition(media, tmp_path):
    probe, made = _make(media["one"], tmp_path)
    assert set(made) >= {"poster", "proxy", "hls", "storyboard"}
    rung = m3u8.load(str(tmp_path / "hls" / "90p" / "index.m3u8"))
    assert len(rung.segments) == 1
    assert len([line for line in (tmp_path / "storyboard" / "storyboard.vtt").read_text().split("\n")
                if "#xywh=" in line]) == 1


@pytest.fixture(scope="module")
def corrupt(media):
    """The six-track source with its middle third overwritten: probe passes on the head,
    decoding fails part-way."""
    good = media["root"] / "bilingual.mov"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=192x108:rate=25:duration=3", "-f", "lavfi", "-i",
            "sine=frequency=440:sample_rate=48000:duration=3", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-c:a", "aac", str(good))
    data = bytearray(good.read_bytes())
    third = len(data) // 3
    data[third:2 * third] = bytes((i * 131 + 7) % 256 for i in range(third))
    bad = media["root"] / "bad.mov"
    bad.write_bytes(bytes(data))
    return good, bad


def test_a_source_failing_mid_encode_raises_ffmpegs_reason(corrupt, tmp_path):
    good, bad = corrupt
    probe = inspect_media(str(good), timeout=TIMEOUT)
    jobs = []
    for profile in renditions_for("video", probe):
        (tmp_path / profile.name).mkdir()
        jobs.append((profile, str(tmp_path / profile.name)))
    with pytest.raises(CommandFailed) as failed:
        render.RENDERERS["ffmpeg"].render(jobs, str(bad), probe=probe, timeout=TIMEOUT)
    assert failed.value.returncode == 69 and "Invalid data" in str(failed.value)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".scratch-")]


def test_hdr_is_tone_mapped_in_every_preview_picture():
    probe = parse_probe({"format": {"format_name": "mov,mp4", "duration": "60"}, "streams": [
        {"index": 0, "codec_type": "video", "codec_name": "hevc", "width": 3840, "height": 2160,
         "r_frame_rate": "25/1", "pix_fmt": "yuv420p10le", "color_transfer": "smpte2084",
         "color_primaries": "bt2020", "color_space": "bt2020nc"}]})
    parts = [part for profile in (POSTER, VIDEO_PROXY, HLS, STORYBOARD)
             for part in commands.output_parts(profile, probe, f"/w/{profile.name}", "/s")]
    chains = [chain for part in parts for chain in part.video]
    assert len(chains) == 7 and all("tonemap=mobius" in chain for chain in chains)
    rungs = [p for p in parts if "/hls/" in p.target]
    assert all(p.args[p.args.index("-color_trc") + 1] == "bt709" for p in rungs)
