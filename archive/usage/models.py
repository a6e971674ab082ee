from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base, UTCDateTime, utcnow


class UsageRecord(Base):
    """Append-only: every use of master-quality bytes (and every refused attempt), one record
    per use as the access gate defines it (`archive.access.gate`). Each record hashes the one
    before it."""

    __tablename__ = "usage_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    rendition: Mapped[str] = mapped_column(String(32), nullable=False)
    declaration: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # What the access gate decided ("allowed", "allowed_with_conditions", "denied"), why, and
    # on which conditions; NULL on records written before the gate existed (they were reads).
    decision: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reasons: Mapped[list | None] = mapped_column(JSON, nullable=True)
    conditions: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The part of the asset read: {"in": seconds, "out": seconds}; NULL for the whole asset.
    segment: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The share link (archive.shares) the read came through; NULL for a reader's own reads.
    share_link_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    # Unique: two records chained onto the same predecessor would be a fork.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
