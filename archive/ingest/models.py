from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base, UTCDateTime, new_id, utcnow


UPLOAD_STATUSES = ("open", "complete", "duplicate", "aborted")


class Upload(Base):
    """A tus upload in progress. Bytes are staged under UPLOAD_DIR/<id> until complete."""

    __tablename__ = "uploads"
    __table_args__ = (CheckConstraint("status IN ('open', 'complete', 'duplicate', 'aborted')", name="status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    length: Mapped[int] = mapped_column(BigInteger, nullable=False)
    offset: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    upload_metadata: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The asset the upload links: its own, made at creation in status `uploading`, or for a
    # duplicate the asset that already held the bytes. NULL once a terminated or expired
    # upload's asset was removed.
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id"), nullable=True)
    # The id of the asset made at creation, kept after that row is removed (a duplicate, a
    # termination, expiry) so the id still answers with the reason.
    placeholder_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    # For a duplicate: "added" (the uploader's organisation now holds a copy), "already_held",
    # or "own_asset" (the asset is the uploader's organisation's own).
    holding: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
