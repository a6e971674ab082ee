from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base, UTCDateTime, new_id, utcnow

ZIP_STATUSES = ("queued", "building", "ready", "failed")
ACCESS = ("read", "edit")


class Basket(Base):
    """A user's named collection of assets and segments of assets. Its owner and the users it
    is shared with (`BasketMember`) see it; the owner and `edit` members change it.

    The zip of its items (`zip_*`): one at a time, built by a worker and streamed to storage
    under `zip_key`; `zip_status` NULL (never asked), queued, building, ready or failed.
    `zip_declaration` is the usage declaration the zip was asked with (every item passed the
    access gate with it), `zip_requester_id` who asked."""

    __tablename__ = "baskets"
    __table_args__ = (
        CheckConstraint("zip_status IS NULL OR zip_status IN ('queued', 'building', 'ready', 'failed')",
                        name="zip_status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    zip_status: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    zip_progress: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    zip_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    zip_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    zip_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    zip_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    zip_declaration: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    zip_requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    zip_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The build's heartbeat: set when asked, when a worker starts and at each progress commit
    # (every PROGRESS_EVERY seconds), so the sweeper (archive.ingest.recovery) tells a build
    # whose worker died from one that is only slow or waiting.
    zip_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")


class BasketItem(Base):
    """One item of a basket: a whole asset (`in_frame` NULL), or the segment from `in_frame`
    to `out_frame` (exclusive) counted from the master's first frame at `rate` ("25/1"), as
    the markers count (`archive.markers.models.Marker`)."""

    __tablename__ = "basket_items"
    __table_args__ = (
        CheckConstraint("in_frame IS NULL OR in_frame >= 0", name="in_frame"),
        CheckConstraint("(in_frame IS NULL AND out_frame IS NULL) OR (in_frame IS NOT NULL AND out_frame > in_frame)",
                        name="segment"),
        Index("ix_basket_items_basket_id_id", "basket_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    basket_id: Mapped[str] = mapped_column(ForeignKey("baskets.id", ondelete="CASCADE"), nullable=False)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    in_frame: Mapped[int | None] = mapped_column(Integer, nullable=True)
    out_frame: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rate: Mapped[str | None] = mapped_column(String(32), nullable=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    asset = relationship("Asset", lazy="joined")


class BasketMember(Base):
    """A user a basket is shared with: `access` "read" (see it, zip it) or "edit" (add and
    remove items too)."""

    __tablename__ = "basket_members"
    __table_args__ = (
        CheckConstraint("access IN ('read', 'edit')", name="access"),
        UniqueConstraint("basket_id", "user_id", name="basket_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    basket_id: Mapped[str] = mapped_column(ForeignKey("baskets.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    access: Mapped[str] = mapped_column(String(8), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User", lazy="joined")
