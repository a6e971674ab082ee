"""Content credentials (C2PA) kept for assets: what a master carried at ingest, and the signed
copies of renditions Ortak hands out (`archive.provenance.credentials`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base, UTCDateTime, utcnow

STATES = ("absent", "valid", "trusted", "invalid", "unsupported", "unverified")


class ContentCredential(Base):
    """The C2PA manifest store an asset's original carried, as read at ingest: `state` (see
    `archive.media.credentials`), `reason` when invalid or unsupported, and `manifests` (the
    chain, newest first, each a `ManifestSummary` as a dict), and `renditions`: which of its
    renditions are handed out signed, and why not (an HLS ladder cannot be). One row per asset;
    `sha256` is the original it was read from."""

    __tablename__ = "content_credentials"
    __table_args__ = (
        CheckConstraint("state IN ('absent', 'valid', 'trusted', 'invalid', 'unsupported', 'unverified')",
                        name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, unique=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    failures: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    manifests: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    # The downloadable renditions and whether their hand-out copy carries Ortak's manifest:
    # {name: {"state": "signed" | "no_signer" | "not_writable" | "signing_failed", "reason"?}}.
    renditions: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class SignedRendition(Base):
    """A rendition file Ortak signed for hand-out: derived data, made once per (asset,
    rendition, the rendition file's SHA-256, signer certificate fingerprint) and kept, so a
    download serves the same bytes (and ETag, and Range) every time. `blob_key`, `sha256` and
    `size` are of the signed file."""

    __tablename__ = "signed_renditions"
    __table_args__ = (
        UniqueConstraint("asset_id", "rendition", "source_sha256", "signer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    rendition: Mapped[str] = mapped_column(String(64), nullable=False)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    signer: Mapped[str] = mapped_column(String(64), nullable=False)
    blob_key: Mapped[str] = mapped_column(String(512), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class SignerCertificate(Base):
    """A certificate this archive has signed hand-outs with (`archive.provenance.credentials.
    remember_signer`), kept after its key is rotated: an export signed with it that comes back
    still names its source (`credentials.declared_source`). `fingerprint` is the SHA-256 of the
    certificate's DER (`SigningIdentity.fingerprint`); `common_name` and `serial_number` (decimal)
    are how a manifest names its signer (`archive.media.credentials.signer_names`); `chain_pem`
    the chain it signed with; `first_used_at` when it first signed here."""

    __tablename__ = "signer_certificates"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    common_name: Mapped[str] = mapped_column(String(255), nullable=False)
    serial_number: Mapped[str] = mapped_column(String(64), nullable=False)
    chain_pem: Mapped[str] = mapped_column(Text, nullable=False)
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
