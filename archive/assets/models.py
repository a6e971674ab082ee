from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base, UTCDateTime, new_id, utcnow

STATUSES = ("uploading", "processing", "ready", "rejected", "failed")
GENRES = ("film", "tv", "folklore", "news", "documentary", "music", "other")
KINDS = ("video", "audio", "image", "other")


class Asset(Base):
    """One master file and what is known of it.

    The original is stored once per SHA-256 (content-addressed key); derived files
    are Rendition rows. `meta` holds the editable metadata in the API's shape. A tus upload
    makes its asset at creation in status `uploading`, with no `sha256` or `original_key`
    (NULL) until its last byte is stored (`archive.ingest.services`).
    """

    __tablename__ = "assets"
    __table_args__ = (
        CheckConstraint("status IN ('uploading', 'processing', 'ready', 'rejected', 'failed')", name="status"),
        Index("ix_assets_status_updated", "status", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="processing")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Machine-readable reason of `error` (a rejection or failure code), so pages can translate it.
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str | None] = mapped_column(String(127), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # NULL while the asset is `uploading` (its bytes are still arriving; no original yet).
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    original_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    meta: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    technical: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # Clips and other derived masters: {"source_id", "in", "out", "actual_in", "actual_out", "mode"}
    lineage: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # A clip's source asset (its lineage's `source_id`, as a column so a source lists its clips).
    source_id: Mapped[str | None] = mapped_column(
        ForeignKey("assets.id", ondelete="SET NULL"), nullable=True, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    # The processing steps and how each last ended (`archive.ingest.steps`):
    # {"probe": {"status": "done", "at": ISO-8601, "error": null, "inputs": sha256 hex}, ...}
    steps: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # Set when processing starts, for the sweeper.
    processing_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    renditions: Mapped[list["Rendition"]] = relationship(  # noqa: F821
        back_populates="asset", order_by="Rendition.name", cascade="all, delete-orphan")
    organisation = relationship("Organisation", lazy="joined")
    uploader = relationship("User", lazy="joined")
    # Other organisations holding a copy of the same bytes, oldest first.
    holdings: Mapped[list["AssetHolding"]] = relationship(
        order_by="(AssetHolding.created_at, AssetHolding.id)", cascade="all, delete-orphan", passive_deletes=True)

    def title(self, lang: str | None = None) -> str:
        titles = (self.meta or {}).get("title") or {}
        if lang and titles.get(lang):
            return titles[lang]
        for code in ("en", "tr", "az"):
            if titles.get(code):
                return titles[code]
        return self.filename


class AssetHolding(Base):
    """Another organisation that holds a copy of an asset's original.

    The archive stores identical bytes once (one Asset per SHA-256). When a second
    organisation uploads a file the archive already holds, it is recorded here as also
    holding a copy, with the file name and metadata it sent kept as its contribution.
    """

    __tablename__ = "asset_holdings"
    __table_args__ = (UniqueConstraint("asset_id", "organisation_id", name="uq_asset_holdings_asset_org"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    meta: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organisation = relationship("Organisation", lazy="joined")
    uploader = relationship("User", lazy="joined")


from archive.renditions.models import Rendition  # noqa: E402,F401  (mapper registry)
