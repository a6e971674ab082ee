"""Renditions in the agreed file layout, made by running ffmpeg directly on a tiny lavfi source,
and registered on an asset through the storage's `put_tree` and the manifest rows.

The layout (what the rendition pipeline writes; relative URIs inside playlists):
- `hls`: `master.m3u8`; video rungs `{height}p/index.m3u8` with `{height}p/init.mp4` and fMP4
  segments; audio renditions `audio_{n}/index.m3u8` (GROUP-ID "audio", LANGUAGE and NAME
  from the track, the first DEFAULT=YES);
- `storyboard`: `storyboard.vtt` with `sprite_{k}.jpg#xywh=x,y,w,h`;
- `waveform`: `waveform.json` (BBC audiowaveform JSON) for the first audio track,
  `waveform_{n}.json` for the others;
- `proxy` (`proxy.mp4`) and `poster` (`poster.jpg`) as before.

The source: 3 s of 320x180 testsrc2 at 25 fps with two audio tracks, Turkish (440 Hz) and
Azerbaijani (660 Hz, louder in its second half, so its waveform differs); two rungs, 180p and
120p, in 1 s segments.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.renditions.files import content_type_for
from archive.renditions.models import Rendition, RenditionFile

SECONDS = 3
FPS = 25
RUNGS = (180, 120)
TRACKS = (("tur", "tr", "Türkçe"), ("aze", "az", "Azərbaycanca"))
TILE = (80, 45)  # storyboard tile size
TECHNICAL = {"kind": "video", "duration": float(SECONDS), "frame_rate": f"{FPS}/1", "width": 320, "height": 180,
             "start_timecode": "10:00:00:00", "video_codec": "h264", "audio_codec": "aac"}
PROFILE_ENTRIES = {"hls": "master.m3u8", "storyboard": "storyboard.vtt", "waveform": "waveform.json",
                   "proxy": "proxy.mp4", "poster": "poster.jpg"}


def _ffmpeg(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120, cwd=cwd)


def _sources() -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size=320x180:rate={FPS}:duration={SECONDS}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={SECONDS}",
            "-f", "lavfi", "-i", f"aevalsrc='0.2*sin(2*PI*660*t)*(1+3*gte(t,1.5))':s=48000:d={SECONDS}"]


def make_hls(out: Path) -> None:
    out.mkdir(parents=True)
    split = ";".join([f"[0:v]split={len(RUNGS)}" + "".join(f"[s{i}]" for i in range(len(RUNGS)))]
                     + [f"[s{i}]scale=-2:{h}[v{i}]" for i, h in enumerate(RUNGS)])
    streams = " ".join([f"v:{i},agroup:audio,name:{h}p" for i, h in enumerate(RUNGS)]
                       + [f"a:{n},agroup:audio,language:{iso},name:audio_{n}" + (",default:yes" if n == 0 else "")
                          for n, (iso, _, _) in enumerate(TRACKS)])
    args = [*_sources(), "-filter_complex", split]
    for i in range(len(RUNGS)):
        args += ["-map", f"[v{i}]"]
    args += ["-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-g", str(FPS), "-keyint_min", str(FPS), "-sc_threshold", "0", "-b:v:0", "300k", "-b:v:1", "100k",
             "-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
             "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4", "-master_pl_name", "master.m3u8",
             "-var_stream_map", streams, "-hls_segment_filename", "%v/seg_%03d.m4s", "%v/index.m3u8"]
    _ffmpeg(*args, cwd=out)
    # ffmpeg numbers the init files (init_0.mp4...) and names groups and tracks its own way:
    # bring them to the agreed layout.
    for playlist in out.glob("*/index.m3u8"):
        text = playlist.read_text()
        init = re.search(r'#EXT-X-MAP:URI="([^"]+)"', text).group(1)
        (playlist.parent / init).rename(playlist.parent / "init.mp4")
        playlist.write_text(text.replace(f'URI="{init}"', 'URI="init.mp4"'))
    master = out / "master.m3u8"
    text = master.read_text().replace('GROUP-ID="group_audio"', 'GROUP-ID="audio"').replace(
        'AUDIO="group_audio"', 'AUDIO="audio"')
    for n, (iso, bcp47, name) in enumerate(TRACKS):
        text = re.sub(rf'NAME="[^"]*",(DEFAULT=\w+),LANGUAGE="{iso}"', f'NAME="{name}",\\1,LANGUAGE="{bcp47}"', text)
    master.write_text(text)


def make_storyboard(out: Path) -> None:
    out.mkdir(parents=True)
    w, h = TILE
    _ffmpeg(*_sources()[:4], "-vf", f"fps=1,scale={w}:{h},tile={SECONDS}x1", "-frames:v", "1", "-q:v", "5",
            str(out / "sprite_0.jpg"))
    cues = ["WEBVTT", ""]
    for k in range(SECONDS):
        cues += [f"00:00:{k:02d}.000 --> 00:00:{k + 1:02d}.000", f"sprite_0.jpg#xywh={k * w},0,{w},{h}", ""]
    (out / "storyboard.vtt").write_text("\n".join(cues))


def _peaks(pcm: bytes, sample_rate: int, samples_per_pixel: int) -> dict:
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm[: len(pcm) // 2 * 2])
    data = []
    for i in range(0, len(samples), samples_per_pixel):
        chunk = samples[i:i + samples_per_pixel]
        data += [max(-128, min(127, min(chunk) >> 8)), max(-128, min(127, max(chunk) >> 8))]
    return {"version": 2, "channels": 1, "sample_rate": sample_rate, "samples_per_pixel": samples_per_pixel,
            "bits": 8, "length": len(data) // 2, "data": data}


def make_waveform(out: Path) -> None:
    out.mkdir(parents=True)
    sources = _sources()
    for n in range(len(TRACKS)):
        pcm = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", *sources, "-map", f"{n + 1}:a",
                              "-ac", "1", "-ar", "48000", "-f", "s16le", "-"], check=True, capture_output=True,
                             timeout=60).stdout
        name = "waveform.json" if n == 0 else f"waveform_{n}.json"
        (out / name).write_text(json.dumps(_peaks(pcm, 48000, 480)))


def make_proxy_and_poster(proxy: Path, poster: Path) -> None:
    proxy.mkdir(parents=True)
    poster.mkdir(parents=True)
    _ffmpeg(*_sources()[:8], "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", str(proxy / "proxy.mp4"))
    _ffmpeg(*_sources()[:4], "-frames:v", "1", str(poster / "poster.jpg"))


def make_all(base: Path) -> dict[str, Path]:
    """Every rendition in its own folder under `base`: {name: folder}."""
    dirs = {name: base / name for name in PROFILE_ENTRIES}
    make_hls(dirs["hls"])
    make_storyboard(dirs["storyboard"])
    make_waveform(dirs["waveform"])
    make_proxy_and_poster(dirs["proxy"], dirs["poster"])
    return dirs


def register(app, asset_id: str, dirs: dict[str, Path], names=None, *, technical: dict | None = None) -> None:
    """Store each folder under a rendition prefix with `put_tree` and write its manifest, as a
    completed make leaves it; set the asset's technical metadata (frame rate, start timecode)."""
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        asset.technical = dict(technical or TECHNICAL)
        for name in names or dirs:
            folder = dirs[name]
            row = s.query(Rendition).filter_by(asset_id=asset_id, name=name).one_or_none()
            if row is None:
                row = Rendition(asset_id=asset_id, name=name, status="ready", progress=1.0)
                s.add(row)
                s.flush()
            prefix = f"renditions/{asset_id}/{name}/fixture-{row.id}"
            infos = storage().put_tree(prefix, folder, content_type=content_type_for)
            files = {info.key[len(prefix) + 1:]: info for info in infos}
            for path, info in files.items():
                s.add(RenditionFile(rendition_id=row.id, path=path, blob_key=info.key, size=info.size,
                                    sha256=info.sha256, content_type=content_type_for(path)))
            entry = PROFILE_ENTRIES[name]
            row.status, row.progress, row.prefix, row.entry = "ready", 1.0, prefix, entry
            row.file_count, row.size = len(files), sum(i.size for i in infos)
            row.sha256, row.content_type = files[entry].sha256, content_type_for(entry)
        s.commit()


def build_cached(cache: Path) -> dict[str, Path]:
    """make_all once per cache folder (a session's temporary folder)."""
    marker = cache / ".done"
    if not marker.exists():
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        make_all(cache)
        marker.write_text(hashlib.sha256(b"done").hexdigest())
    return {name: cache / name for name in PROFILE_ENTRIES}
