from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base, UTCDateTime, utcnow

# PREMIS eventOutcome values of a fixity check: the digest matched, it did not, or the blob
# was not in storage at all.
OUTCOMES = ("pass", "fail", "missing")
# What was checked: an asset's original, or one file of one of its renditions.
OBJECT_KINDS = ("original", "rendition")


class FixityCheck(Base):
    """One fixity check of one stored file, a PREMIS event (eventType "fixity check"): when
    (`at`, the eventDateTime), which object (`asset_id`, `kind`, `rendition`/`path` for a
    rendition file, its `blob_key`), the SHA-256 recorded when it was stored (`expected_sha256`)
    and the one found now (`actual_sha256`, None when missing), how many bytes were read, the
    outcome ("pass", "fail", "missing") and the agent that ran it ("ortak-scheduler",
    "ortak-cli:<user or host>"). Append-only: a later check adds a row."""

    __tablename__ = "fixity_checks"
    __table_args__ = (
        CheckConstraint("outcome IN ('pass', 'fail', 'missing')", name="outcome"),
        CheckConstraint("kind IN ('original', 'rendition')", name="kind"),
        Index("ix_fixity_checks_blob_key_at", "blob_key", "at"),
        Index("ix_fixity_checks_asset_at", "asset_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    rendition: Mapped[str | None] = mapped_column(String(32), nullable=True)
    path: Mapped[str | None] = mapped_column(String(255), nullable=True)
    blob_key: Mapped[str] = mapped_column(String(512), nullable=False)
    expected_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    actual_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expected_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    bytes_read: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    outcome: Mapped[str] = mapped_column(String(8), nullable=False)
    agent: Mapped[str] = mapped_column(String(200), nullable=False)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
