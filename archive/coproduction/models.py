"""Co-production: projects, their parties, budget, calendar and footage, exchange rates, the
confirmed ledger of contributions, and the joint working commission's meetings.

Money columns hold whole minor units of their currency (`archive.coproduction.money`), so
sums are exact on every database; ratios (shares, exchange rates) are decimal text.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, event)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from archive.db import Base, UTCDateTime, new_id, utcnow

PROJECT_KINDS = ("film", "series", "documentary", "programme_exchange", "event_coverage")
PROJECT_STATUSES = ("development", "production", "post_production", "delivered")
PARTY_ROLES = ("lead", "co_producer", "contributor")
CONTRIBUTION_KINDS = ("cash", "crew", "service", "footage", "rights")
# The records of a project's ledger: contributions (and their reversals), and the sign-off
# records that confirm, dispute or answer one.
ENTRY_TYPES = ("contribution", "confirmation", "dispute", "answer")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class DecimalText(TypeDecorator):
    """An exact decimal kept as text: SQLite has no decimal type, and a float is never money."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError("DecimalText takes a Decimal")
        return f"{value:f}"

    def process_result_value(self, value, dialect):
        return Decimal(value) if value is not None else None


class Project(Base):
    __tablename__ = "coproduction_projects"
    __table_args__ = (CheckConstraint(_in("kind", PROJECT_KINDS), name="kind"),
                      CheckConstraint(_in("status", PROJECT_STATUSES), name="status"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[dict] = mapped_column(JSON, nullable=False)  # {"tr", "az", "en"}, any may be absent
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="development")
    reporting_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # A key of archive.coproduction.rulesets.RULE_SETS, or None.
    rule_set: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The agreed value of a minute of archive footage, in minor units of the reporting currency.
    footage_rate_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    parties: Mapped[list["Party"]] = relationship(back_populates="project", order_by="Party.id",
                                                  cascade="all, delete-orphan")
    budget_lines: Mapped[list["BudgetLine"]] = relationship(order_by="BudgetLine.id", cascade="all, delete-orphan")
    milestones: Mapped[list["Milestone"]] = relationship(order_by="(Milestone.due, Milestone.id)",
                                                         cascade="all, delete-orphan")

    def display_title(self, lang: str | None = None) -> str:
        titles = self.title or {}
        for code in ([lang] if lang else []) + ["en", "tr", "az"]:
            if titles.get(code):
                return titles[code]
        return self.id


class Party(Base):
    """An organisation taking part in a project, its role and its agreed share (percent)."""

    __tablename__ = "coproduction_parties"
    __table_args__ = (UniqueConstraint("project_id", "organisation_id", name="uq_coproduction_parties_project_org"),
                      CheckConstraint(_in("role", PARTY_ROLES), name="role"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("coproduction_projects.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    share: Mapped[Decimal] = mapped_column(DecimalText, nullable=False)

    project: Mapped[Project] = relationship(back_populates="parties")
    organisation = relationship("Organisation", lazy="joined")


class BudgetLine(Base):
    __tablename__ = "coproduction_budget_lines"
    __table_args__ = (UniqueConstraint("project_id", "category", name="uq_coproduction_budget_lines_category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("coproduction_projects.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    category: Mapped[str] = mapped_column(String(100), nullable=False)
    planned_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)


class Milestone(Base):
    """A date in the commission's calendar for a project, owned by one party."""

    __tablename__ = "coproduction_milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("coproduction_projects.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    due: Mapped[date] = mapped_column(Date, nullable=False)
    owner_party_id: Mapped[int | None] = mapped_column(ForeignKey("coproduction_parties.id"), nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    owner = relationship("Party", lazy="joined")


class ProjectFootage(Base):
    """An archive asset (a master or a clip), or a segment of one, that belongs to a project's
    footage. `segment_in`/`segment_out` are timecodes as given (both or neither; a footage
    contribution's segment given with `in` alone has `segment_out` null: to the end);
    `segment_key` is "" for the whole asset and "IN/OUT" for a segment, so that the unique key
    holds (SQL never finds two NULLs equal)."""

    __tablename__ = "coproduction_footage"
    __table_args__ = (UniqueConstraint("project_id", "asset_id", "segment_key",
                                       name="uq_coproduction_footage_project_asset_segment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("coproduction_projects.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=False, index=True)
    segment_in: Mapped[str | None] = mapped_column(String(16), nullable=True)
    segment_out: Mapped[str | None] = mapped_column(String(16), nullable=True)
    segment_key: Mapped[str] = mapped_column(String(40), nullable=False, default="", server_default="")
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ExchangeRate(Base):
    """Units of the project's reporting currency per unit of `currency` on `date`, and where the
    figure comes from (e.g. "TCMB", "CBAR"): entered by hand or imported from CSV, never fetched."""

    __tablename__ = "coproduction_rates"
    __table_args__ = (UniqueConstraint("project_id", "currency", "date", name="uq_coproduction_rates_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("coproduction_projects.id", ondelete="CASCADE"),
                                            nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    rate: Mapped[Decimal] = mapped_column(DecimalText, nullable=False)
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class LedgerEntry(Base):
    """One record of a project's ledger; never changed or deleted once written.

    `seq` orders a project's records (1, 2, ...); each hashes its predecessor in the project
    (`archive.coproduction.ledger.LEDGER_CHAIN`). A `contribution` carries what a party put
    in, valued in its currency and converted to the reporting currency at the rate stored
    with it; a reversal is a contribution with `reverses_id` and the negated amounts.
    `confirmation`, `dispute` and `answer` records name the contribution (`target_id`).
    """

    __tablename__ = "coproduction_ledger"
    __table_args__ = (
        UniqueConstraint("project_id", "seq", name="uq_coproduction_ledger_seq"),
        UniqueConstraint("project_id", "prev_hash", name="uq_coproduction_ledger_prev_hash"),
        CheckConstraint(_in("type", ENTRY_TYPES), name="type"),
        CheckConstraint(f"kind IS NULL OR {_in('kind', CONTRIBUTION_KINDS)}", name="kind"),
        Index("ix_coproduction_ledger_target", "target_id", "type"),
        Index("ix_coproduction_ledger_project_type", "project_id", "type", "date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_id: Mapped[str] = mapped_column(ForeignKey("coproduction_projects.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    # The actor's organisation and its country when the record was written.
    actor_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), nullable=False)
    actor_country: Mapped[str] = mapped_column(String(2), nullable=False)
    # Contributions
    party_id: Mapped[int | None] = mapped_column(ForeignKey("coproduction_parties.id"), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    date: Mapped[date | None] = mapped_column(Date, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    # How the amount was valued: {"days", "day_rate", "person", "function", "nationality",
    # "element"} for crew, {"quantity", "unit_rate", "category"} for services, {"seconds",
    # "rate_per_minute"} for footage; None for a fixed amount.
    basis: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    budget_category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id"), nullable=True, index=True)
    segment: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # {"in", "out"} timecodes
    fx_rate: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    fx_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    fx_source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reporting_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reverses_id: Mapped[str | None] = mapped_column(ForeignKey("coproduction_ledger.id"), nullable=True,
                                                    unique=True)
    # Sign-off records
    target_id: Mapped[str | None] = mapped_column(ForeignKey("coproduction_ledger.id"), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)

    party = relationship("Party", lazy="joined")
    actor = relationship("User", lazy="joined")


class AppendOnly(RuntimeError):
    """Raised when code tries to change or delete a ledger record."""


@event.listens_for(LedgerEntry, "before_update")
def _no_update(_mapper, _conn, target):
    raise AppendOnly(f"ledger record {target.id} is append-only: correct it with a reversing entry")


@event.listens_for(LedgerEntry, "before_delete")
def _no_delete(_mapper, _conn, target):
    raise AppendOnly(f"ledger record {target.id} is append-only: correct it with a reversing entry")


class Meeting(Base):
    """A meeting of the joint working commission, held alternately in each country."""

    __tablename__ = "commission_meetings"
    __table_args__ = (CheckConstraint("host_country IN ('TR', 'AZ')", name="host_country"),
                      Index("ix_commission_meetings_date", "date"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    city: Mapped[str] = mapped_column(String(200), nullable=False)
    host_country: Mapped[str] = mapped_column(String(2), nullable=False)
    attendees: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # names, as written
    decisions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # texts, in order
    project_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    minutes_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    minutes_filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    minutes_content_type: Mapped[str | None] = mapped_column(String(127), nullable=True)
    minutes_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    minutes_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
