from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base, UTCDateTime, utcnow


class Marker(Base):
    """A timecoded note on an asset: from frame `in_frame` (to `out_frame`, exclusive, when it
    spans a range) of the master, counted from its first frame at `rate` (the master's frame
    rate, "25/1", "30000/1001"), so the note stays on its frame whatever timecode it is shown
    in. Every change is also an Event on the asset (`marker.added`, `.changed`, `.removed`).
    """

    __tablename__ = "markers"
    __table_args__ = (
        CheckConstraint("in_frame >= 0", name="in_frame"),
        CheckConstraint("out_frame IS NULL OR out_frame > in_frame", name="out_after_in"),
        Index("ix_markers_asset_in", "asset_id", "in_frame"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False)
    in_frame: Mapped[int] = mapped_column(Integer, nullable=False)
    out_frame: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rate: Mapped[str] = mapped_column(String(32), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    author = relationship("User", lazy="joined")
