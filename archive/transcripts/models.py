from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base, UTCDateTime, utcnow


class Transcript(Base):
    """The subtitles or transcript of an asset in one language (`lang`, ISO 639-1/3 code), as
    read from a file in `format` ("srt" or "vtt"). Uploading another file in the same
    language replaces it (its segments and all); each change is an Event on the asset
    (`transcript.added`, `transcript.replaced`, `transcript.removed`)."""

    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("asset_id", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False)
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    format: Mapped[str] = mapped_column(String(8), nullable=False)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    segments = relationship("TranscriptSegment", order_by="TranscriptSegment.position",
                            cascade="all, delete-orphan", passive_deletes=True, lazy="selectin")


class TranscriptSegment(Base):
    """One cue: `text` shown from `start_ms` to `end_ms` (milliseconds from the media's first
    frame, as the subtitle file gives them), `position` its order in the file (0-based)."""

    __tablename__ = "transcript_segments"
    __table_args__ = (
        CheckConstraint("start_ms >= 0", name="start_ms"),
        CheckConstraint("end_ms >= start_ms", name="end_after_start"),
        Index("ix_transcript_segments_transcript", "transcript_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    start_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    end_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
