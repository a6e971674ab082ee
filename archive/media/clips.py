"""Cutting a segment of a master with ffmpeg: `fast` (stream copy) and `accurate` (re-encode).

Positions are frames from the master's first frame at its frame rate (`rate`); the file's
own timestamps may start later than 0 (MPEG-TS, MXF), so every seek adds the container's
`start_time`.

- `fast`: stream copy from the keyframe at or before `in` (`keyframe_at_or_before`, from the
  packets' key flags) to `out`; nothing is re-encoded, so the clip starts on that keyframe
  and the clip reports the ACTUAL in and out it got (`Cut.actual_in`, `Cut.actual_out`,
  from the clip's own video packets). It never ends past `out`: the video is the longest run
  of the master's packets in decode order, from that keyframe, whose pictures all come before
  `out` (`fast_packets`, copied with `-frames:v`), so a master with B-frames, whose decode
  order runs ahead of its display order, ends a few frames before `out` rather than after it
  (a time limit alone copied the reference pictures past `out` too). The span a fast cut may
  deliver is therefore known before it is made: `fast_span`, the keyframe to `out`, what the
  rights are asked about; a cut that would go outside it raises ClipError.
- `accurate`: frame-exact: the decoder seeks to just before `in` (ffmpeg's accurate seek
  drops every frame before it) and the video encoder takes exactly `out - in` frames, so the
  first and last frames are those of the master at `in` and `out - 1`. Master quality:
  H.264 masters are re-encoded to lossless H.264 (`libx264 -qp 0`, the source's pixel
  format, High 4:4:4 Predictive), HEVC to lossless HEVC (`libx265 lossless=1`) where that
  encoder exists, ProRes to ProRes (`prores_ks`, the source's profile); anything else to the
  documented mezzanine, lossless H.264 in the source's pixel format (4:2:0, 4:2:2 or 4:4:4,
  8 or 10 bit). Every audio track is kept, as 24-bit PCM (`pcm_s24le`, lossless), cut to the
  same length.
Both write QuickTime (`.mov`) with the master's timecode at the clip's first frame, its
tags, and a `comment` naming the clip, so no two clips have the same bytes.
"""
from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass
from fractions import Fraction

from archive.media.runner import run

LOSSLESS_H264_PIX_FMTS = ("yuv420p", "yuvj420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le",
                          "yuv444p10le", "nv12")
MEZZANINE_PIX_FMT = "yuv422p10le"
PRORES_PROFILES = {"Proxy": "0", "LT": "1", "Standard": "2", "HQ": "3", "4444": "4", "4444 XQ": "5"}
SEEK_BACK = 0.0001  # seconds before a frame's time: the seek lands on it whatever the rounding


class ClipError(Exception):
    """The master cannot be cut as asked (no keyframe, an empty result); not the client's fault."""


@dataclass(frozen=True)
class Cut:
    """What a cut made: the actual first frame and the frame after the last, as frames of the
    master, and the video frames the clip holds."""

    actual_in: int
    actual_out: int
    frames: int


@functools.lru_cache(maxsize=None)
def has_encoder(name: str) -> bool:
    """Whether this ffmpeg has the encoder `name`."""
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, check=False).stdout
    return any(line.split()[1:2] == [name] for line in out.splitlines() if line.startswith(" "))


def start_time(path: str, *, timeout: float) -> Fraction:
    """The container's first timestamp in seconds (0 for most MP4/MOV)."""
    out = run(["ffprobe", "-v", "error", "-show_entries", "format=start_time", "-of", "json", path],
              timeout=timeout, capture_stdout=True).stdout
    value = (json.loads(out or b"{}").get("format") or {}).get("start_time")
    try:
        return max(Fraction(value), Fraction(0)) if value not in (None, "N/A") else Fraction(0)
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def _seconds(value: Fraction | float) -> str:
    return f"{float(value):.6f}"


def video_packets(path: str, *, timeout: float, read_from: float | None = None,
                  read_to: float | None = None) -> list[tuple[Fraction, bool]]:
    """(pts in seconds, is a keyframe) of the first video stream's packets, in pts order, read
    between `read_from` (the demuxer seeks to the keyframe before it) and `read_to`."""
    argv = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
            "-of", "json"]
    if read_from is not None or read_to is not None:
        start = _seconds(max(0.0, read_from)) if read_from is not None else ""
        end = _seconds(read_to) if read_to is not None else ""
        argv += ["-read_intervals", f"{start}%{end}"]
    out = run(argv + [path], timeout=timeout, capture_stdout=True).stdout
    packets = []
    for p in json.loads(out or b"{}").get("packets") or []:
        pts = p.get("pts_time")
        if pts in (None, "N/A"):
            continue
        packets.append((Fraction(pts), "K" in (p.get("flags") or "")))
    return sorted(packets)


def decode_order_packets(path: str, *, timeout: float, read_from: float,
                         read_to: float) -> list[tuple[Fraction, bool]]:
    """(pts in seconds, is a keyframe) of the first video stream's packets in the order the
    demuxer hands them out (decode order: what a stream copy copies), read between `read_from`
    (the demuxer seeks to the keyframe at or before it) and `read_to`."""
    argv = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
            "-read_intervals", f"{_seconds(max(0.0, read_from))}%{_seconds(read_to)}", "-of", "json", path]
    out = run(argv, timeout=timeout, capture_stdout=True).stdout
    return [(Fraction(p["pts_time"]), "K" in (p.get("flags") or ""))
            for p in json.loads(out or b"{}").get("packets") or [] if p.get("pts_time") not in (None, "N/A")]


def fast_packets(path: str, key_frame: int, out_frame: int, rate: Fraction, origin: Fraction, *,
                 timeout: float) -> tuple[int, int, int]:
    """(first frame, the frame after the last, video packets) of the fast cut from the keyframe
    `key_frame` that ends before `out_frame`: the longest run of packets in decode order from
    that keyframe whose pictures are all before `out_frame`. Raises ClipError when there is
    none (no keyframe where expected)."""
    start, stop = origin + Fraction(key_frame) / rate, origin + Fraction(out_frame) / rate
    half = Fraction(1, 2) / rate
    packets = decode_order_packets(path, timeout=timeout, read_from=float(start), read_to=float(stop) + 2)
    first = next((i for i, (pts, key) in enumerate(packets) if key and abs(pts - start) < half), None)
    if first is None:
        raise ClipError(f"no keyframe at frame {key_frame}")
    frames = []
    for pts, _ in packets[first:]:
        if pts >= stop - half:
            break
        frames.append(round((pts - origin) * rate))
    if not frames:
        raise ClipError("the cut would hold no video frame")
    return min(frames), max(frames) + 1, len(frames)


def fast_span(path: str, in_frame: int, out_frame: int, rate: Fraction, *, timeout: float) -> tuple[int, int]:
    """(first frame, the frame after the last) that a fast cut of `in_frame`..`out_frame` may
    deliver: from the keyframe at or before `in_frame` to `out_frame` (the cut may end a few
    frames earlier, never later). Reads at most a minute of packets before `in_frame`."""
    origin = start_time(path, timeout=timeout)
    return keyframe_at_or_before(path, in_frame, rate, origin, timeout=timeout), out_frame


def keyframe_at_or_before(path: str, frame: int, rate: Fraction, origin: Fraction, *, timeout: float) -> int:
    """The master's frame number of the keyframe at or before `frame`. Reads the packets of
    a window before it (widened back to the start when that window holds no keyframe)."""
    at = origin + Fraction(frame) / rate
    for back in (60, None):
        read_from = float(at) - back if back is not None else None
        keys = [pts for pts, key in video_packets(path, timeout=timeout, read_from=read_from,
                                                   read_to=float(at) + 1)
                if key and pts <= at + Fraction(1, 2) / rate]
        if keys:
            return max(0, round((max(keys) - origin) * rate))
    raise ClipError(f"no keyframe at or before frame {frame}")


def fast_command(src: str, dst: str, *, key_frame: int, out_frame: int, rate: Fraction, origin: Fraction,
                 timecode: str, comment: str, video_packets: int | None = None) -> list[str]:
    """ffmpeg, stream copy from the keyframe `key_frame` up to `out_frame` (exclusive); with
    `video_packets`, no more video packets than that (`fast_packets`)."""
    start = origin + Fraction(key_frame) / rate
    length = Fraction(out_frame - key_frame) / rate
    limit = ["-frames:v", str(video_packets)] if video_packets is not None else []
    return ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-v", "error", "-ss", _seconds(start), "-i", src,
            "-t", _seconds(length), *limit, "-map", "0:v:0", "-map", "0:a?", "-c", "copy", "-map_metadata", "0",
            "-avoid_negative_ts", "make_zero", "-timecode", timecode, "-metadata", f"comment={comment}",
            "-progress", "pipe:1", "-f", "mov", dst]


def video_codec_args(codec: str | None, pix_fmt: str | None, profile: str | None) -> list[str]:
    """The encoder and its options for an accurate cut of a master in `codec` (see the module
    docstring for the choice)."""
    if codec == "hevc" and has_encoder("libx265"):
        return ["-c:v", "libx265", "-preset", "medium", "-x265-params", "lossless=1:log-level=error",
                "-pix_fmt", pix_fmt or "yuv420p"]
    if codec == "prores" and has_encoder("prores_ks"):
        return ["-c:v", "prores_ks", "-profile:v", PRORES_PROFILES.get(profile or "", "3"),
                "-pix_fmt", pix_fmt if pix_fmt in ("yuv422p10le", "yuv444p10le", "yuva444p10le") else "yuv422p10le"]
    keep = pix_fmt if pix_fmt in LOSSLESS_H264_PIX_FMTS else MEZZANINE_PIX_FMT
    return ["-c:v", "libx264", "-preset", "medium", "-qp", "0", "-pix_fmt", keep]


def accurate_command(src: str, dst: str, *, in_frame: int, out_frame: int, rate: Fraction, origin: Fraction,
                     video: list[str], timecode: str, comment: str) -> list[str]:
    """ffmpeg, decoding from just before `in_frame` and encoding exactly `out_frame - in_frame`
    frames; every audio track as PCM of the same length (`atrim`)."""
    start = max(Fraction(0), origin + Fraction(in_frame) / rate - Fraction(SEEK_BACK))
    frames = out_frame - in_frame
    length = Fraction(frames) / rate
    return ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-v", "error", "-ss", _seconds(start), "-i", src,
            "-map", "0:v:0", "-map", "0:a?", "-frames:v", str(frames), *video,
            # Each audio track cut to the clip's length to the sample (not `-t`, which would also
            # stop the video early at a gap in the master's timestamps).
            "-af", f"atrim=duration={_seconds(length)}", "-c:a", "pcm_s24le", "-map_metadata", "0", "-timecode", timecode,
            "-metadata", f"comment={comment}", "-progress", "pipe:1", "-f", "mov", dst]


def cut(src: str, dst: str, *, mode: str, in_frame: int, out_frame: int, rate: Fraction, timecode_at,
        technical: dict, comment: str, timeout: float, on_progress=None) -> Cut:
    """Cut `src` to `dst` (see the module docstring); `timecode_at(frame)` gives the master's
    timecode label at a frame. Raises ClipError, or the runner's CommandFailed/CommandTimeout."""
    origin = start_time(src, timeout=timeout)
    if mode == "fast":
        first = keyframe_at_or_before(src, in_frame, rate, origin, timeout=timeout)
        _, _, count = fast_packets(src, first, out_frame, rate, origin, timeout=timeout)
        argv = fast_command(src, dst, key_frame=first, out_frame=out_frame, rate=rate, origin=origin,
                            timecode=timecode_at(first), comment=comment, video_packets=count)
    else:
        first = in_frame
        argv = accurate_command(src, dst, in_frame=in_frame, out_frame=out_frame, rate=rate, origin=origin,
                                video=video_codec_args(technical.get("video_codec"), technical.get("pix_fmt"),
                                                       technical.get("video_profile")),
                                timecode=timecode_at(first), comment=comment)
    duration = float(Fraction(out_frame - first) / rate)
    run(argv, timeout=timeout, duration=duration, on_progress=on_progress)
    packets = video_packets(dst, timeout=timeout)
    if not packets:
        raise ClipError("the cut holds no video frame")
    frames = len(packets)
    # The last picture shown, counted from the first (a copied run may skip a picture).
    end = first + max(frames, round((packets[-1][0] - packets[0][0]) * rate) + 1)
    if end > out_frame:
        raise ClipError(f"the cut ends at frame {end}, past {out_frame}")
    return Cut(first, end, frames)
