from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base, UTCDateTime, new_id, utcnow


class ShareLink(Base):
    """A link to a basket or to an asset that opens without an account until `expires_at`,
    its revocation, or its `max_downloads`th download. Only the SHA-256 of its token is kept
    (`token_hash`), and the password's hash (`archive.accounts.passwords`). `renditions`:
    what it lets a visitor take ("proxy", "poster"... and "original", a master-quality read,
    only when named). Every use is a read by its creator through the access gate, recorded in
    the usage log with the link's id."""

    __tablename__ = "share_links"
    __table_args__ = (
        CheckConstraint("(basket_id IS NULL) <> (asset_id IS NULL)", name="one_subject"),
        CheckConstraint("max_downloads IS NULL OR max_downloads > 0", name="max_downloads"),
        CheckConstraint("downloads >= 0", name="downloads"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    basket_id: Mapped[str | None] = mapped_column(ForeignKey("baskets.id", ondelete="CASCADE"), nullable=True,
                                                  index=True)
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=True,
                                                 index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    max_downloads: Mapped[int | None] = mapped_column(Integer, nullable=True)
    downloads: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # When the last counted download started (None: none yet); a read that continues a file
    # is served uncounted only within SHARE_CONTINUATION_SECONDS of it (services.continues).
    last_download_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    renditions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    creator = relationship("User", lazy="joined")
