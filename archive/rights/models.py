from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from archive.db import Base, UTCDateTime, new_id, utcnow


class Contract(Base):
    """A licence agreement: who licensed (the licensor organisation), its reference and the
    day it was signed; its documents are blobs (`ContractDocument`). Rights blocks cite it."""

    __tablename__ = "rights_contracts"
    __table_args__ = (UniqueConstraint("licensor_id", "reference", name="uq_rights_contracts_reference"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    licensor_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    reference: Mapped[str] = mapped_column(String(200), nullable=False)
    signed: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    licensor = relationship("Organisation", lazy="joined")
    documents: Mapped[list["ContractDocument"]] = relationship(
        order_by="ContractDocument.id", cascade="all, delete-orphan", passive_deletes=True)


class ContractDocument(Base):
    """A signed copy, an annex...: stored once in BlobStorage under `blob_key`."""

    __tablename__ = "rights_contract_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("rights_contracts.id", ondelete="CASCADE"), nullable=False,
                                             index=True)
    blob_key: Mapped[str] = mapped_column(String(512), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(127), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class RightsBlock(Base):
    """A grant or a restriction on an asset, or on a timecoded segment of it.

    Columns hold the API's shape (`archive.rights.schemas`): licensee organisations by id,
    country and territory codes (ISO 3166-1 alpha-2, `WORLD`), platforms, the window (both
    days included; no end: open), exclusivity, holdbacks [{"not_before", "platforms",
    "territories"}], conditions {"credit": {lang: text}, "max_clip_seconds", "no_modification",
    "preview_only"}. The segment is kept as sent (`segment`, timecodes) and in seconds
    (`segment_in`, `segment_out`) for the engine.
    """

    __tablename__ = "rights_blocks"
    __table_args__ = (
        CheckConstraint("kind IN ('grant', 'restriction')", name="kind"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="window"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    contract_id: Mapped[str | None] = mapped_column(ForeignKey("rights_contracts.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    licensee_organisations: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    licensee_countries: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    all_members: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    territories: Mapped[list] = mapped_column(JSON, nullable=False)
    exclude_territories: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    platforms: Mapped[list] = mapped_column(JSON, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    exclusive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    segment: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    segment_in: Mapped[float | None] = mapped_column(Float, nullable=True)
    segment_out: Mapped[float | None] = mapped_column(Float, nullable=True)
    holdbacks: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    conditions: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    contract = relationship("Contract", lazy="joined")
