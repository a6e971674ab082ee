"""Progressive publishing of an HLS ladder while its make runs (a broadcaster may start
watching before the make is complete).

ffmpeg writes each rung's and audio rendition's media playlist as an EVENT playlist and
rewrites it (by a rename) after every segment it completes (`commands.hls_muxer_options`):
a segment the playlist names is whole on disk. `LivePublisher.poll`, called from the make's
progress callback (the task's own thread, so its session is the task's), reads those
playlists with the `m3u8` package and publishes, per media playlist, in order:

1. the init section and every newly completed segment, each stored once under the make's
   live prefix (`<rendition prefix>-live/<path>`, a copy: ffmpeg's folder is stored whole
   when the make is complete);
2. an EVENT media playlist naming exactly the published segments, without `#EXT-X-ENDLIST`
   (RFC 8216 §4.3.3.5: EVENT playlists only grow), stored under a new key per version
   (`<live prefix>/v<NNNNNN>/<path>`) so no stored blob ever changes; the version it
   replaces is deleted one poll later (a player may be reading it);
3. once every media playlist has a published segment, the master playlist
   (`player_files.master_playlist`: rates from the segments made so far), and the
   rendition's `live_entry`.

Each poll that published something checkpoints (commits) its `RenditionLiveFile` rows, so
the file route serves them (`archive.assets.download`) and nothing else: a file not yet
published is not in the table (404). When the make is complete its VOD files are installed
by `archive.renditions.services` as for any make and the live rows go in the same commit;
the live prefix is deleted after it. A failed make removes both (`discard`).

Chunked makes (`archive.renditions.chunking`) encode the pictures as MP4 chunks (in
parallel, on any worker) and make the HLS outputs in the join, after the last chunk. So that
a long video plays before that, the first chunk, as soon as it is there, is made into HLS
segments alone (`archive.media.chunks.preview_command`: its pictures copied, the audio
encoded up to its end, the segments cut at the same instants as the join's) and published
with `preview` (all but each playlist's last segment, which the chunk's end may cut short);
the join's segments follow as ffmpeg completes them, from the first not yet published. Later
chunks are not published before the join: in order, the first is what a viewer needs first.
"""
from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from typing import Sequence

import m3u8
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive import db
from archive.backends import storage
from archive.media import commands, player_files
from archive.media.probe import ProbeResult
from archive.media.profiles import HlsProfile
from archive.media.runner import MediaError
from archive.renditions.files import content_type_for
from archive.renditions.models import Rendition, RenditionLiveFile
from archive.storage.interfaces import StorageError

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0  # seconds between looks at ffmpeg's playlists
PLAYLIST = "index.m3u8"
MASTER = "master.m3u8"


def live_prefix(prefix: str) -> str:
    """Where the in-progress make whose VOD files will go to `prefix` publishes."""
    return f"{prefix}-live"


def event_playlist(playlist: m3u8.M3U8, count: int, target_duration: int) -> str:
    """The EVENT media playlist of the first `count` segments of `playlist` (ffmpeg's),
    never ended, with `target_duration` (seconds, the same at every version: RFC 8216
    §6.2.1 forbids changing it)."""
    out = m3u8.M3U8(playlist.dumps())
    out.segments = m3u8.SegmentList(out.segments[:count])
    out.is_endlist = False
    out.playlist_type = "event"
    out.target_duration = target_duration
    return out.dumps()


class LivePublisher:
    """Publishes the completed segments of one HLS make whose files ffmpeg writes to
    `folder` (see the module docstring). `poll()` is cheap when nothing is new and never
    raises for what it cannot publish yet; a storage failure is logged and retried at the
    next poll (publishing is a preview: the make goes on)."""

    def __init__(self, session: Session, row: Rendition, profile: HlsProfile, probe: ProbeResult, folder: str,
                 prefix: str, interval: float = POLL_INTERVAL):
        self.session, self.row, self.profile, self.folder = session, row, profile, folder
        self.prefix = live_prefix(prefix)
        self.interval = interval
        self.rungs = commands.ladder(probe, profile)
        self.tracks = [t for _s, t in commands.audio_inputs(probe)]
        self.media = [rung.folder for rung in self.rungs] + [f"audio_{n}" for n in range(len(self.tracks))]
        self.published: dict[str, int] = {sub: 0 for sub in self.media}  # segments published per playlist
        self.target = max(1, int(math.ceil(float(profile.segment_seconds))))
        self.version = 0
        self._stale: list[str] = []  # playlist keys replaced at the previous poll
        self._last = 0.0

    def __call__(self, _fraction: float | None = None) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        try:
            self.poll()
        except (StorageError, OSError, MediaError, ValueError):
            log.warning("publishing the running HLS make of rendition %s failed; retried at the next poll",
                        self.row.id, exc_info=True)
            with contextlib.suppress(Exception):
                self.session.rollback()

    def poll(self, folder: str | None = None, *, hold_last: bool = False) -> bool:
        """Publish what ffmpeg completed in `folder` (the make's) since the last poll; True
        when something was. `hold_last` keeps each playlist's last segment back."""
        folder = folder or self.folder
        stale, self._stale = self._stale, []
        changed = False
        for sub in self.media:
            changed |= self._publish_media(folder, sub, hold_last)
        if changed and self.row.live_entry is None and all(self.published.values()):
            text = player_files.master_playlist(folder, self.rungs, self.tracks)
            self._put_playlist(MASTER, text)
            self.row.live_entry = MASTER
        if changed:
            db.checkpoint(self.session)
        for key in stale:
            with contextlib.suppress(StorageError):
                storage().delete(key)
        return changed

    def preview(self, folder: str) -> bool:
        """Publish the HLS outputs of a first chunk made alone into `folder`
        (`archive.media.chunks.preview_command`), each playlist's last segment held back (the
        chunk's end may cut its audio short); the join's own segments follow from there."""
        return self.poll(folder, hold_last=True)

    def _publish_media(self, folder: str, sub: str, hold_last: bool) -> bool:
        path = os.path.join(folder, sub, PLAYLIST)
        try:
            with open(path, encoding="utf-8") as fh:
                playlist = m3u8.loads(fh.read())
        except FileNotFoundError:
            return False  # ffmpeg has not completed a segment of it yet
        segments = list(playlist.segments)[:-1] if hold_last else list(playlist.segments)
        done = self.published[sub]
        if len(segments) <= done:
            return False
        if self.row.live_prefix is None:
            self.row.live_prefix = self.prefix  # before the first file: a failure finds them
            db.checkpoint(self.session)
        if done == 0:
            init = segments[0].init_section
            if init is not None and init.uri:
                self._put_file(folder, f"{sub}/{init.uri}")
        for segment in segments[done:]:
            self._put_file(folder, f"{sub}/{segment.uri}")
        self.published[sub] = len(segments)
        target = max(self.target, *(int(math.ceil(float(s.duration or 0))) for s in segments))
        self.target = target
        self._put_playlist(f"{sub}/{PLAYLIST}", event_playlist(playlist, len(segments), target))
        return True

    def _put_file(self, folder: str, path: str) -> None:
        local = os.path.join(folder, *path.split("/"))
        info = storage().put_file(f"{self.prefix}/{path}", local, content_type=content_type_for(path))
        self._row_for(path, info)

    def _put_playlist(self, path: str, text: str) -> None:
        self.version += 1
        # Beside the make's folders, never in them: the folder is stored whole at the end.
        scratch = os.path.join(os.path.dirname(os.path.abspath(self.folder)), f".live-{self.version:06d}.m3u8")
        with open(scratch, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            info = storage().put_file(f"{self.prefix}/v{self.version:06d}/{path}", scratch,
                                      content_type=content_type_for(path))
        finally:
            with contextlib.suppress(OSError):
                os.remove(scratch)
        old = self._row_for(path, info)
        if old is not None:
            self._stale.append(old)

    def _row_for(self, path: str, info) -> str | None:
        """Insert or move the row of `path` to the stored `info`; the key it had, if any."""
        found = self.session.scalar(select(RenditionLiveFile).where(RenditionLiveFile.rendition_id == self.row.id,
                                                                    RenditionLiveFile.path == path))
        if found is None:
            self.session.add(RenditionLiveFile(rendition_id=self.row.id, path=path, blob_key=info.key,
                                               size=info.size, sha256=info.sha256,
                                               content_type=content_type_for(path)))
            return None
        old = found.blob_key
        found.blob_key, found.size, found.sha256 = info.key, info.size, info.sha256
        return old if old != info.key else None


def clear(session: Session, rows: Sequence[Rendition]) -> list[str]:
    """Forget what in-progress makes of `rows` published (rows of `RenditionLiveFile`,
    `live_prefix`, `live_entry`); flushes. The prefixes to delete once that is committed."""
    prefixes = [row.live_prefix for row in rows if row.live_prefix]
    withdraw(session, rows)
    for row in rows:
        row.live_prefix = None
    session.flush()
    return prefixes


def withdraw(session: Session, rows: Sequence[Rendition]) -> None:
    """Stop serving what the makes of `rows` published (a make whose worker died: the sweeper,
    `archive.ingest.recovery`): their `RenditionLiveFile` rows and `live_entry` go; flushes.
    `live_prefix` stays, so the next make of the row deletes the files (`clear`)."""
    ids = [row.id for row in rows if row.id is not None]
    if ids:
        session.execute(delete(RenditionLiveFile).where(RenditionLiveFile.rendition_id.in_(ids))
                        .execution_options(synchronize_session=False))
    for row in rows:
        row.live_entry = None
    session.flush()


def delete_prefixes(prefixes: Sequence[str]) -> None:
    """Remove published files no row names any more (best effort: they only cost space)."""
    for prefix in prefixes:
        try:
            storage().delete_prefix(prefix)
        except StorageError:
            log.warning("could not delete the published files under %s", prefix, exc_info=True)
