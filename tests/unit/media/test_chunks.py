"""Long media in chunks: the plan and the commands as data, then a chunked make compared with a
single pass of the same source (a burnt-in frame counter and a beep every second)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess

import m3u8
import pytest

from archive.media import chunks, commands, render
from archive.media.probe import inspect_media
from archive.media.profiles import HLS, POSTER, STORYBOARD, VIDEO_PROXY, WAVEFORM, renditions_for
from tests.unit.media.test_player_renditions import _probe

TIMEOUT = 120
ALL = (POSTER, VIDEO_PROXY, HLS, STORYBOARD, WAVEFORM)
OWN_PROXY = (POSTER, dataclasses.replace(VIDEO_PROXY, from_ladder=False), HLS, STORYBOARD, WAVEFORM)


def test_chunks_are_whole_segments_and_the_last_takes_the_rest():
    assert chunks.chunk_length(300, ALL) == 300 and chunks.chunk_length(2, ALL) == 6
    assert chunks.chunk_length(301, ALL) == 306
    assert chunks.plan(13, 2, ALL) == [chunks.Chunk(0, 0, 6), chunks.Chunk(1, 6, 6), chunks.Chunk(2, 12, 1)]
    assert chunks.plan(12, 2, ALL) == [chunks.Chunk(0, 0, 6), chunks.Chunk(1, 6, 6)]
    ten_hours = chunks.plan(36000, 300, ALL)
    assert len(ten_hours) == 120 and max(c.seconds for c in ten_hours) == 300
    assert sum(c.seconds for c in ten_hours) == 36000


def test_only_pictures_longer_than_a_chunk_are_chunked():
    probe = _probe(1920, 1080, duration=36000, audio=("tur",))
    assert chunks.chunked(probe, ALL, 300)
    assert not chunks.chunked(_probe(1920, 1080, duration=300, audio=("tur",)), ALL, 300)
    assert not chunks.chunked(probe, (POSTER, STORYBOARD), 300)  # nothing worth spreading
    audio_only = dataclasses.replace(_probe(1920, 1080, duration=36000, audio=("tur",)), video_codec=None)
    assert not chunks.chunked(audio_only, ALL, 300)


def test_a_chunk_reads_its_window_once_and_writes_pictures_only():
    probe = _probe(1920, 1080, duration=36000, audio=("tur", "aze"))
    chunk = chunks.Chunk(7, 2100.0, 300.0)
    cmd = chunks.chunk_command("/m.mov", probe, ALL, chunk, "/c/7")
    assert cmd[cmd.index("-ss") + 1] == "2100.000" and cmd[cmd.index("-t") + 1] == "300.000"
    assert cmd.index("-t") < cmd.index("-i") and cmd.count("-i") == 1
    targets = [a for a in cmd if a.startswith("file:/c/")]
    # the proxy is the 720p rung's stream: no chunk of its own (the poster is at 3600 s)
    assert targets == ["file:/c/7/1080p.mp4", "file:/c/7/720p.mp4", "file:/c/7/480p.mp4",
                       "file:/c/7/360p.mp4", "file:/c/7/thumbs/thumb_%05d.jpg"]
    assert [cmd[i + 1] for i, a in enumerate(cmd) if a == "-map"] == [f"[v{k}]" for k in range(5)]  # no audio
    own = chunks.chunk_command("/m.mov", probe, OWN_PROXY, chunk, "/c/7")
    assert [a for a in own if a.startswith("file:/c/")][:2] == ["file:/c/7/proxy.mp4", "file:/c/7/1080p.mp4"]
    assert cmd[cmd.index("-start_number") + 1] == "35"  # thumbnails numbered by 60 s bucket of source time (10 h: one a minute)
    poster_chunk = chunks.chunk_command("/m.mov", probe, ALL, chunks.Chunk(12, 3600.0, 300.0), "/c/12")
    assert "file:/c/12/poster.jpg" in poster_chunk and "trim=start=0.000" in " ".join(poster_chunk)


def test_the_join_copies_pictures_and_encodes_audio_from_the_source():
    probe = _probe(1280, 720, duration=900, audio=("tur", "aze"))
    folders = {p.name: f"/w/{p.name}" for p in ALL}
    argv, scripts, pipes = chunks.join_command("/m.mov", probe, ALL, ["/c/0", "/c/1"], folders, "/s")
    assert sorted(scripts) == ["/s/360p.mp4.ffconcat", "/s/480p.mp4.ffconcat", "/s/720p.mp4.ffconcat"]
    assert argv.count("-i") == 4 and argv.count("copy") == 3 and "libx264" not in argv and argv.count("aac") == 1
    maps = [argv[i + 1] for i, a in enumerate(argv) if a == "-map"]
    # the 720p rung with both tracks (one tee: rung, proxy, audio renditions), the rungs, the waveform pipes
    assert maps == ["0:v:0", "3:1", "3:2", "1:v:0", "2:v:0", "3:1", "3:2"]
    tee = argv[argv.index("tee") + 1].split("|")
    assert [slave.rsplit("]", 1)[1] for slave in tee] == [
        "file:/w/hls/720p/index.m3u8", "file:/w/proxy/proxy.mp4", "file:/w/hls/audio_0/index.m3u8",
        "file:/w/hls/audio_1/index.m3u8"]
    assert [p.target for p in pipes] == ["/s/pcm_0", "/s/pcm_1"]
    # a proxy of its own: its chunks joined apart, its audio encoded apart
    argv, scripts, pipes = chunks.join_command("/m.mov", probe, OWN_PROXY, ["/c/0", "/c/1"], folders, "/s")
    assert sorted(scripts) == ["/s/360p.mp4.ffconcat", "/s/480p.mp4.ffconcat", "/s/720p.mp4.ffconcat",
                               "/s/proxy.mp4.ffconcat"]
    assert scripts["/s/720p.mp4.ffconcat"] == "ffconcat version 1.0\nfile '/c/0/720p.mp4'\nfile '/c/1/720p.mp4'\n"
    assert argv.count("-i") == 5 and argv[argv.index("file:/m.mov") - 1] == "-i"
    assert argv.count("copy") == 4 and "libx264" not in argv  # no picture is encoded again
    maps = [argv[i + 1] for i, a in enumerate(argv) if a == "-map"]
    # proxy (picture + both tracks), the rungs, the HLS audio renditions, the waveform pipes
    assert maps == ["0:v:0", "4:1", "4:2", "1:v:0", "2:v:0", "3:v:0", "4:1", "4:2", "4:1", "4:2"]
    assert [p.target for p in pipes] == ["/s/pcm_0", "/s/pcm_1"]


# ---- run for real --------------------------------------------------------------------------

def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _lines(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()


def _make(src, out, **options):
    probe = inspect_media(str(src), timeout=TIMEOUT)
    jobs = []
    for profile in renditions_for(probe.kind, probe):
        (out / profile.name).mkdir(parents=True)
        jobs.append((profile, str(out / profile.name)))
    return render.RENDERERS["ffmpeg"].render(jobs, str(src), probe=probe, timeout=TIMEOUT, **options)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """13 s, 25 fps, a burnt-in frame number and a 1 kHz beep every second; made in one pass
    and in 6 s chunks (CHUNK_SECONDS=2 rounds up to one segment), two at a time."""
    root = tmp_path_factory.mktemp("chunks")
    src = root / "counter.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=192x108:rate=25:duration=13,drawtext=fontfile="
            f"{commands.WATERMARK_FONT}:text='%{{frame_num}}':fontsize=40:fontcolor=white:box=1:boxcolor=black:x=10:y=30",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:beep_factor=4:duration=13",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", str(src))
    single, chunked = root / "single", root / "chunked"
    _make(src, single)
    _make(src, chunked, chunk_seconds=2, parallel=2)
    return src, single, chunked


def _frames(path):
    """(pts, key) of every video frame."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                          "frame=pts_time,key_frame", "-of", "json", str(path)], check=True, capture_output=True).stdout
    return [(f["pts_time"], f["key_frame"]) for f in json.loads(out)["frames"]]


def _audio_md5(path):
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "s16le", "-"],
                         check=True, capture_output=True).stdout
    return hashlib.md5(out).hexdigest()


def _min_psnr(a, b, shift=0):
    graph = f"[1:v]trim=start_frame={shift},setpts=PTS-STARTPTS[b];[0:v][b]psnr=stats_file=-" if shift else \
        "[0:v][1:v]psnr=stats_file=-"
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(a), "-i", str(b), "-lavfi", graph,
                          "-f", "null", "-"], check=True, capture_output=True, text=True).stdout
    values = [float(f.split(":")[1]) for line in out.splitlines() for f in line.split() if f.startswith("psnr_y:")]
    return min(values)


def test_chunked_matches_single_pass_in_duration_frames_and_sync(made):
    src, single, chunked = made
    # the same frames at the same instants, keyframes at the same places, as many as the source has
    assert _frames(chunked / "proxy" / "proxy.mp4") == _frames(single / "proxy" / "proxy.mp4")
    assert len(_frames(chunked / "proxy" / "proxy.mp4")) == 325
    # the same pictures (the frame number is burnt in: a frame off would show): and the test
    # would see it, since the same comparison one frame apart fails
    assert _min_psnr(single / "proxy" / "proxy.mp4", chunked / "proxy" / "proxy.mp4") > 32
    assert _min_psnr(single / "proxy" / "proxy.mp4", chunked / "proxy" / "proxy.mp4", shift=1) < 25
    # the sound is the single pass's, sample for sample: A/V sync is the source's
    assert _audio_md5(chunked / "proxy" / "proxy.mp4") == _audio_md5(single / "proxy" / "proxy.mp4")
    for name in ("proxy/proxy.mp4",):
        a, b = (json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_format", "-of", "json", str(d / name)],
                                          check=True, capture_output=True).stdout)["format"]["duration"]
                for d in (single, chunked))
        assert a == b
    # HLS: the same segments, each starting on a keyframe; the same master (but the measured rates)
    for d in (single, chunked):
        rung = m3u8.load(str(d / "hls" / "108p" / "index.m3u8"))
        assert [s.duration for s in rung.segments] == [6.0, 6.0, 1.0]
    sm, cm = (m3u8.load(str(d / "hls" / "master.m3u8")) for d in (single, chunked))
    assert [p.stream_info.resolution for p in cm.playlists] == [p.stream_info.resolution for p in sm.playlists]
    assert [m.language for m in cm.media] == [m.language for m in sm.media] == [None]
    init = (chunked / "hls" / "108p" / "init.mp4").read_bytes()
    first = chunked / "first.mp4"
    first.write_bytes(init + (chunked / "hls" / "108p" / "seg_00001.m4s").read_bytes())
    assert _frames(first)[0][1] == 1 and sum(key for _t, key in _frames(first)) == 3  # 6 s: three 2 s GOPs
    # storyboard and waveform: identical files
    assert (chunked / "storyboard" / "storyboard.vtt").read_text() == (single / "storyboard" / "storyboard.vtt").read_text()
    assert (chunked / "waveform" / "waveform.json").read_bytes() == (single / "waveform" / "waveform.json").read_bytes()
    assert (chunked / "poster" / "poster.jpg").stat().st_size > 0


def test_a_chunk_that_fails_fails_the_render_and_leaves_no_scratch(made, tmp_path, monkeypatch):
    src, _single, _chunked = made
    real = chunks.chunk_parts

    def broken(profiles, probe, chunk, folder):
        parts = real(profiles, probe, chunk, folder)
        if chunk.index == 1:
            parts[0] = parts[0].__class__(**{**parts[0].__dict__, "args": ("-c:v", "no-such-encoder",
                                                                             *parts[0].args[2:])})
        return parts

    monkeypatch.setattr(chunks, "chunk_parts", broken)
    from archive.media.runner import CommandFailed
    with pytest.raises(CommandFailed, match="no-such-encoder"):
        _make(src, tmp_path / "out", chunk_seconds=2, parallel=2)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".scratch-")]
