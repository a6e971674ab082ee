"""Hashes of a video stream's packets, read without decoding: what tells a stream-copied
clip (a cut or a re-wrap into another container) from a re-encoded one.

ffmpeg's `framemd5` muxer with `-c copy` writes one line per packet (stream, dts, pts,
duration, size, MD5 of its bytes). The bytes of one picture differ between containers for
H.264 and HEVC: MP4, MOV and Matroska carry length-prefixed NAL units with the parameter sets
in the header, MPEG-TS Annex B with start codes, and its muxer adds access-unit delimiters and
in-band parameter sets. `NORMALISE` turns every packet into Annex B and keeps its slice NAL
units alone (`h264_mp4toannexb` / `hevc_mp4toannexb` then `filter_units`), so the same picture
hashes alike in every container (measured on ffmpeg 5.1: a 8 s stream copy of an MP4 into MP4,
MOV, MKV and TS, and back from TS, found 200 of 200 packets). Other codecs (MPEG-2, ProRes,
DNxHD, FFV1, VP9, AV1) are hashed as they are: their packets do not depend on the container.

Nothing here runs a process (`archive.media.runner.run` does); the command is data.
"""
from __future__ import annotations

import collections
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

import certifi

from archive.media.commands import FFMPEG

# Bitstream filters that make a packet's bytes the same in every container, by codec
# (ffprobe's codec names). H.264 slice NAL units are types 1-5 (ITU-T H.264 table 7-1), HEVC
# VCL units 0-31 (ITU-T H.265 table 7-1): SEI, parameter sets, delimiters and filler go.
NORMALISE = {
    "h264": "h264_mp4toannexb,filter_units=pass_types=1-5",
    "hevc": "hevc_mp4toannexb,filter_units=pass_types=0-31",
}


@dataclass(frozen=True)
class Packet:
    """One packet's hash: `md5` (hex) of its (normalised) bytes and their `size` (bytes)."""

    md5: str
    size: int


def hash_command(source: str, *, codec: str, stream: int | None = None, start: float | None = None,
                 seconds: float | None = None, ca_file: str | None = None) -> list[str]:
    """The ffmpeg command printing the framemd5 of the video packets of `source` (a local
    path, passed as `file:`, or an http(s) URL) on stdout, without decoding them.

    `stream`: the input's stream index (default the first video stream). `start` (seconds):
    seek before reading (to the keyframe at or before it: `-ss` before `-i`); `seconds`: read
    no more than that much (input `-t`). `codec` picks the normalisation (`NORMALISE`).
    An https source's certificate is verified (`remote_input_options`) against `ca_file` (a PEM
    bundle; default certifi's)."""
    src = source if source.startswith(("http://", "https://")) else f"file:{source}"
    argv = [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", *remote_input_options(src, ca_file)]
    if start is not None and start > 0:
        argv += ["-ss", f"{start:.3f}"]
    if seconds is not None:
        argv += ["-t", f"{seconds:.3f}"]
    argv += ["-i", src, "-map", f"0:{stream}" if stream is not None else "0:v:0", "-c", "copy"]
    if codec in NORMALISE:
        argv += ["-bsf:v", NORMALISE[codec]]
    return argv + ["-f", "framemd5", "pipe:1"]


def remote_input_options(source: str, ca_file: str | None = None) -> list[str]:
    """ffmpeg input options that make it verify the server of an https `source` against
    `ca_file` (a PEM bundle; default certifi's, the bundle the S3 client trusts): ffmpeg's tls
    protocol does not verify the peer unless told (`-tls_verify`, default 0 in ffmpeg 5-7), and
    a signed URL is a credential. Nothing for a local path or plain http."""
    if not source.startswith("https://"):
        return []
    return ["-tls_verify", "1", "-ca_file", ca_file or certifi.where()]


@dataclass(frozen=True)
class Hashes:
    """A stream's packets in order, and the first and last instants they cover (seconds, in
    the timeline of the file read: a stream copy cut off a keyframe starts before 0)."""

    packets: list[Packet]
    first: float
    last: float


_TIMEBASE = re.compile(r"^#tb 0: (\d+)/(\d+)", re.M)


def parse_framemd5(text: str) -> Hashes:
    """framemd5 output → its packets (comment lines skipped). A line is `stream, dts, pts,
    duration, size, md5[, side data...]` with times in the `#tb 0:` time base. ValueError
    when a line is not one, or there is no time base or no packet."""
    tb = _TIMEBASE.search(text)
    if tb is None or not int(tb.group(2)):
        raise ValueError("framemd5 output without a time base")
    base = Fraction(int(tb.group(1)), int(tb.group(2)))
    out, first, last = [], None, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 6 or len(parts[5]) != 32:
            raise ValueError(f"not a framemd5 line: {line[:120]!r}")
        pts, length = int(parts[2]), int(parts[3])
        first = pts if first is None else min(first, pts)
        last = pts + length if last is None else max(last, pts + length)
        out.append(Packet(md5=parts[5].lower(), size=int(parts[4])))
    if not out:
        raise ValueError("no video packet")
    return Hashes(out, float(first * base), float(last * base))


@dataclass(frozen=True)
class Overlap:
    """How many of a query's packets are among a master's: `packets` of the query, `found`
    of them (each master packet counts once), and the same in bytes."""

    packets: int
    found: int
    bytes: int
    bytes_found: int

    @property
    def share(self) -> float:
        return self.found / self.packets if self.packets else 0.0

    @property
    def bytes_share(self) -> float:
        return self.bytes_found / self.bytes if self.bytes else 0.0


def overlap(query: Iterable[Packet], master: Iterable[Packet]) -> Overlap:
    """Count the query's packets found among the master's (a multiset: a packet the master
    has once is found once, so a run of tiny identical packets cannot all match one)."""
    query = list(query)
    left = collections.Counter(master)
    found = found_bytes = 0
    for p in query:
        if left[p] > 0:
            left[p] -= 1
            found += 1
            found_bytes += p.size
    return Overlap(packets=len(query), found=found, bytes=sum(p.size for p in query), bytes_found=found_bytes)
