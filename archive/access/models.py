from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base, UTCDateTime, utcnow


class ReadSession(Base):
    """The open use a reader is making of one thing of one asset (see `archive.access.gate`).

    Not part of the usage log: it only remembers which usage record the requests of an
    ongoing read belong to, so 40 Range requests of one download are one use. Mutable by
    design; the log itself never is.
    """

    __tablename__ = "read_sessions"
    __table_args__ = (UniqueConstraint("principal", "asset_id", "what", "outcome", "declaration_digest",
                                       name="uq_read_sessions_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(String(64), nullable=False)  # "user:<id>" (share links later)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    what: Mapped[str] = mapped_column(String(32), nullable=False)  # "original" or a rendition name
    outcome: Mapped[str] = mapped_column(String(32), nullable=False)  # the decision
    # SHA-256 of the action, declaration and segment (`archive.access.gate._digest`)
    declaration_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    usage_record_id: Mapped[int] = mapped_column(ForeignKey("usage_records.id"), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
