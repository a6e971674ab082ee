from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from archive.accounts.names import name_key
from archive.db import Base, UTCDateTime, utcnow

COUNTRIES = ("TR", "AZ")
ROLES = ("producer", "broadcaster", "rights_manager", "admin")


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("country IN ('TR', 'AZ')", name="country"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    # The name as it is compared (archive.accounts.names.name_key: case, Turkish i's, NFC),
    # set whenever `name` is; unique. NULL only for a name that clashed with an older
    # organisation's when migration 0022 came (it named them: rename one to fill it).
    name_key: Mapped[str | None] = mapped_column(String(600), unique=True, index=True, nullable=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    # A disabled organisation's users cannot log in and their API tokens are refused;
    # its assets stay in the archive.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Text burned into the previews (proxy, poster, HLS, storyboard) of its assets, never the
    # originals; None: no watermark. `ortak org watermark` sets it (accounts.services).
    preview_watermark: Mapped[str | None] = mapped_column(String(120), nullable=True)

    @validates("name")
    def _keyed(self, _key: str, name: str) -> str:
        self.name_key = name_key(name)
        return name


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('producer', 'broadcaster', 'rights_manager', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    # What other organisations see instead of the e-mail address (None: "a user of <org>").
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    locale: Mapped[str | None] = mapped_column(String(5), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    # Flask-Login
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and self.organisation.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(Base):
    """Only the SHA-256 of a token is stored; the token is shown once when created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(Base):
    """One browser login. The signed session cookie carries a random secret; only its SHA-256
    is stored here. Logging out, a password change or disabling the account sets `ended_at`,
    after which a replayed cookie is refused (checked on every request)."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's secret
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)

    user: Mapped[User] = relationship(lazy="joined")
