"""Is a looked-up clip's picture the master's own bits? A cut or a re-wrap made by stream copy
(`ffmpeg -ss 10 -t 8 -i master.mp4 -c copy clip.mkv`) carries the master's video packets
unchanged: the lookup answers it `remuxed`, not `re_encoded` (`services.edits`).

How: the video packets of the clip and of the master's original over the span the match
places the clip at are hashed without decoding (`archive.media.packets`: framemd5 of a stream
copy, H.264/HEVC normalised to their slice NAL units so that MP4, MOV, MKV and MPEG-TS carry
the same bytes). The clip is `remuxed` when at least REMUX_SHARE of its packets, and of its
packet bytes, are among the master's, and it has at least MIN_PACKETS of them (a multiset:
each master packet counts once; the bytes keep a run of tiny identical "nothing moved"
packets of a re-encoded still picture from passing alone).

Bounded: only for the first CANDIDATES matches, only when the clip's video codec is the
master's (`assets.technical`), the clip read whole up to LOOKUP_REMUX_SECONDS (a longer one:
that many seconds from where the match starts), the master from a little before the clip's
first packet to a little after its last (`-ss` before `-i`: a seek, not a read of all that
comes before), both within LOOKUP_REMUX_TIMEOUT together. Any failure (the original missing,
unreadable, remote without a URL, ffmpeg's error or timeout) is logged and answers None:
the lookup then says `re_encoded`, as before, and never fails because of this check.

A remote original (S3) is read through the store's `internal_url`: signed for S3_ENDPOINT,
the address the archive reaches the store at, not S3_PUBLIC_ENDPOINT's (a presigned URL for
browsers, which need not resolve from in here). ffmpeg reads it with range requests: the
header, the index (an MP4's may sit at the end), then from the span's keyframe on (measured on
SeaweedFS, a 6 s span of a 16 s master: 1.2 of its 3.0 MB read by ffmpeg). The URL is a
credential while it lasts: a failed read is logged without its query string, and an https
store's certificate is verified (against S3_CA_FILE, else certifi's bundle, as the S3 client
does; ffmpeg on its own would not: `packets.remote_input_options`).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from archive.assets.models import Asset
from archive.backends import storage
from archive.media import packets
from archive.media.probe import ProbeResult
from archive.media.runner import run
from archive.provenance.matching import Candidate

log = logging.getLogger(__name__)

CANDIDATES = 2  # the best match and one tied with it: the others are less likely the source
REMUX_SHARE = 0.9  # of the clip's packets, and of their bytes, found among the master's
MIN_PACKETS = 5  # fewer say nothing
MARGIN = 1.5  # seconds read around the master span the match places the clip at (its in/out are ±0.25 s)
PRESIGN_SECONDS = 600


@dataclass(frozen=True)
class Settings:
    """`seconds`: the most of a clip read (0: no check); `timeout`: the most one check may
    take (seconds), both hashes together; `ca_file`: the PEM bundle an https original's server
    is verified against (S3_CA_FILE; None: certifi's, as the S3 client)."""

    seconds: float
    timeout: float
    ca_file: str | None = None


@dataclass(frozen=True)
class Check:
    """The outcome of one check: the overlap (`packets.Overlap`), whether the clip was read
    only in part (`sampled`), and the verdict."""

    overlap: packets.Overlap
    sampled: bool

    @property
    def remuxed(self) -> bool:
        o = self.overlap
        return o.packets >= MIN_PACKETS and o.share >= REMUX_SHARE and o.bytes_share >= REMUX_SHARE

    def to_json(self) -> dict:
        o = self.overlap
        return {"compared": o.packets, "found": o.found, "bytes_found": round(o.bytes_share, 3),
                "sampled": self.sampled}


class Checker:
    """Checks the matches of one lookup of the clip at `path` (probed as `probe`); the clip's
    packets are hashed once for every candidate. `source(asset)` says where ffmpeg reads a
    master's original (default `original_source`: the store's path or URL)."""

    def __init__(self, path: str, probe: ProbeResult, wanted: Settings,
                 source: Callable[[Asset], str] | None = None):
        self.path, self.probe, self.wanted = path, probe, wanted
        self.source = source or original_source
        self._query: dict[tuple, packets.Hashes] = {}

    def applies(self, c: Candidate, asset: Asset) -> bool:
        """The check can say something: it is on, the clip's codec is the master's, the master
        has an original."""
        master = (asset.technical or {}).get("video_codec")
        return bool(self.wanted.seconds > 0 and master and master == self.probe.video_codec
                    and asset.original_key and self.probe.video_stream is not None)

    def check(self, c: Candidate, asset: Asset) -> Check | None:
        """The check of the clip against `asset` where `c` places it; None when it does not
        apply (`applies`) or failed (logged: the caller says `re_encoded`)."""
        if not self.applies(c, asset):
            return None
        try:
            return self._check(c, asset)
        except Exception:  # the check only ever upgrades an answer: any failure leaves it as it was
            log.warning("remux check of the lookup against asset %s failed; answered as re-encoded", asset.id,
                        exc_info=True)
            return None

    def _check(self, c: Candidate, asset: Asset) -> Check:
        deadline = time.monotonic() + self.wanted.timeout
        duration = float(self.probe.duration or 0.0)
        sampled = duration > self.wanted.seconds
        start = max(0.0, c.query_in) if sampled else 0.0
        key = (start, sampled)
        if key not in self._query:
            argv = packets.hash_command(self.path, codec=self.probe.video_codec, stream=self.probe.video_stream.index,
                                        start=start, seconds=self.wanted.seconds if sampled else None)
            self._query[key] = _hashes(argv, deadline)
        query = self._query[key]
        # Where the clip's first and last packets sit in the master (seconds).
        m_first = c.offset + c.speed * (start + query.first) - MARGIN
        m_last = c.offset + c.speed * (start + query.last) + MARGIN
        master = ProbeResult.from_dict(asset.technical)
        stream = master.video_stream.index if master.video_stream is not None else None
        start_m = max(0.0, m_first)
        # A remote original's signed URL: a failure says it without its signature
        # (`archive.media.runner.CommandFailed`).
        argv = packets.hash_command(self.source(asset), codec=master.video_codec, stream=stream, start=start_m,
                                    seconds=m_last - start_m, ca_file=self.wanted.ca_file)
        found = _hashes(argv, deadline)
        return Check(packets.overlap(query.packets, found.packets), sampled)


def _hashes(argv: list[str], deadline: float) -> packets.Hashes:
    """Run a `packets.hash_command` within what is left until `deadline` (monotonic seconds)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the remux check ran out of time")
    return packets.parse_framemd5(run(argv, timeout=left, capture_stdout=True).stdout.decode())


def original_source(asset: Asset) -> str:
    """What ffmpeg reads the asset's original from: its local path, else a short-lived URL
    for the store's internal address (`BlobStorage.internal_url`, PRESIGN_SECONDS; ffmpeg
    seeks over HTTP with ranges, so mostly the span is fetched). ValueError when the store
    offers neither."""
    store = storage()
    path = store.local_path(asset.original_key)
    if path is not None:
        return path
    url = store.internal_url(asset.original_key, expires=PRESIGN_SECONDS)
    if url is None:
        raise ValueError("the original is neither local nor reachable by URL")
    return url
