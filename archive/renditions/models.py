from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base, UTCDateTime, utcnow

RENDITION_STATUSES = ("pending", "running", "ready", "failed")


class Rendition(Base):
    """A derived output of an asset: one row per (asset, profile name), so work is idempotent.

    Its files are RenditionFile rows (the manifest), one for a proxy or a poster, hundreds
    for an HLS ladder. `entry` is the path of the file a client opens first (`proxy.mp4`,
    `master.m3u8`); it is set once a make has completed, and stays while a re-make runs or
    after one failed, so the previous files keep being served. `file_count` and `size` are
    the number and bytes of its files, `sha256` and `content_type` the entry file's. `spec_hash` is
    `archive.media.profiles.spec_hash` of the profile the files were made with (NULL: not
    known, made before profiles were hashed; the next run of the renditions step re-makes
    it). `prefix` is the storage prefix of the current make (NULL for a file stored before
    prefixes, whose key is in its manifest row).

    While a make of an HLS ladder runs, what it has published so far (`archive.renditions.live`)
    is in `live_files`: `live_prefix` is where those files are stored (set from the first one
    published, so a failed or interrupted make can remove them), `live_entry` the path of the
    published master playlist (set once every rung and audio rendition has a segment). Both
    are NULL when no make publishes, and cleared when the make is installed or fails.
    """

    __tablename__ = "renditions"
    __table_args__ = (
        UniqueConstraint("asset_id", "name", name="uq_renditions_asset_name"),
        CheckConstraint("status IN ('pending', 'running', 'ready', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    spec_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    prefix: Mapped[str | None] = mapped_column(String(512), nullable=True)
    entry: Mapped[str | None] = mapped_column(String(255), nullable=True)
    file_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    content_type: Mapped[str | None] = mapped_column(String(127), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    live_prefix: Mapped[str | None] = mapped_column(String(512), nullable=True)
    live_entry: Mapped[str | None] = mapped_column(String(255), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    asset = relationship("Asset", back_populates="renditions")
    # Loaded on access only: an HLS ladder has hundreds of files, and the asset's JSON needs none.
    files: Mapped[list["RenditionFile"]] = relationship(
        back_populates="rendition", order_by="RenditionFile.path", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def available(self) -> bool:
        """A complete make exists whose files can be served (whatever runs now)."""
        return self.entry is not None

    @property
    def live(self) -> bool:
        """No complete make, and the running one has published a playable master playlist."""
        return self.entry is None and self.status == "running" and self.live_entry is not None


class _StoredFileColumns:
    """The columns of one stored file of a rendition: its path inside the rendition, blob key,
    size in bytes, SHA-256 and media type (shared by RenditionFile and RenditionLiveFile)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rendition_id: Mapped[int] = mapped_column(ForeignKey("renditions.id", ondelete="CASCADE"), nullable=False)
    path: Mapped[str] = mapped_column(String(255), nullable=False)
    blob_key: Mapped[str] = mapped_column(String(512), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content_type: Mapped[str] = mapped_column(String(127), nullable=False)


class RenditionFile(_StoredFileColumns, Base):
    """One file of a rendition's current make: where it is inside the rendition (`path`,
    '/'-separated, the same characters as a blob key), where it is stored (`blob_key`), its
    size in bytes, SHA-256 (the ETag it is served with) and media type.

    A table rather than a JSON list on the rendition: the file route reads one file of
    hundreds by (rendition, path) on every segment a player asks for, an indexed lookup.
    """

    __tablename__ = "rendition_files"
    __table_args__ = (UniqueConstraint("rendition_id", "path", name="uq_rendition_files_rendition_path"),)

    rendition = relationship("Rendition", back_populates="files")


class RenditionLiveFile(_StoredFileColumns, Base):
    """One file an in-progress make has published (`archive.renditions.live`): the same
    columns as RenditionFile. A segment or init section is stored once; a playlist is stored
    under a new key at each version and its row moved to it, so no stored blob changes."""

    __tablename__ = "rendition_live_files"
    __table_args__ = (UniqueConstraint("rendition_id", "path", name="uq_rendition_live_files_rendition_path"),)


CHUNK_STATUSES = ("pending", "running", "done", "failed")


class RenderChunk(Base):
    """One chunk of a chunked make (`archive.renditions.chunking`): a window of the original
    (`start`, `seconds`) whose pictures any worker may encode. `make` names the make it
    belongs to; `profiles` the renditions it is for. Claimed by setting `running` where it
    was `pending` (one UPDATE: one claimant); a worker other than the make's own stores its
    outputs under `key_prefix`. The rows and their files go when the make ends."""

    __tablename__ = "render_chunks"
    __table_args__ = (UniqueConstraint("make", "index", name="uq_render_chunks_make_index"),
                      CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    make: Mapped[str] = mapped_column(String(32), nullable=False)
    index: Mapped[int] = mapped_column(Integer, nullable=False)
    start: Mapped[float] = mapped_column(Float, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False)
    profiles: Mapped[list] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    worker: Mapped[str | None] = mapped_column(String(255), nullable=True)
    key_prefix: Mapped[str | None] = mapped_column(String(512), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
