from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base, UTCDateTime, utcnow


class Notification(Base):
    """One thing one user should know (`kind`, with `params` to say it in any language: see
    `archive.web.messages.NOTIFICATIONS`). `dedupe_key` makes a check that finds the same thing
    every day raise it once per user."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe"),
                      Index("ix_notifications_user_read", "user_id", "read_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    # What it is about: an asset id, a record id... (None: the archive as a whole).
    subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    params: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # In English: the webhook's text, and the page's when the kind has no translation.
    message: Mapped[str] = mapped_column(String(2000), nullable=False)
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OrganisationWebhook(Base):
    """Where an organisation wants its notifications POSTed, signed with HMAC-SHA256 by `secret`
    (`archive.notifications.webhooks`)."""

    __tablename__ = "organisation_webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 unique=True, nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    secret: Mapped[str] = mapped_column(String(128), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # How the last delivery went ("200", "timeout", "connection refused"...), and when.
    last_status: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
