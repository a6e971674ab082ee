"""Exchange rates of a project: units of its reporting currency per unit of another currency.

Rates are filled in by hand (POST /api/v1/projects/{id}/rates) or imported from CSV
(`ortak coproduction rates`, columns currency,date,rate,source: the daily rates the central
banks publish, TCMB for the lira and CBAR for the manat). Nothing is fetched from the
network. A rate, once entered, is never changed: every entry keeps the rate it was converted
at, and a corrected figure for the same day is refused (409 `rate_exists`).

An entry dated D uses the rate of D, or failing that the latest one before D no older than
COPRODUCTION_RATE_MAX_AGE_DAYS (banks publish no rates at weekends and on holidays); with
none, the entry is refused with 422 `no_rate` {currency, date}. The reporting currency
itself converts at 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.config import settings
from archive.coproduction.models import ExchangeRate, Project
from archive.coproduction.projects import require_change
from archive.coproduction.schemas import Checker, raise_errors, rate_errors
from archive.errors import ApiError, Conflict
from archive.events.services import record

IDENTITY_SOURCE = "reporting currency"


@dataclass(frozen=True)
class Rate:
    rate: Decimal
    date: date
    source: str


def add_rate(session: Session, project: Project, data: Any, actor) -> ExchangeRate:
    """One rate from `{"currency", "date", "rate", "source"}`. 422 `invalid_rate` (every field
    mistake; the reporting currency itself), 409 `rate_exists` for a day that has one."""
    require_change(actor, project)
    cleaned, errors = rate_errors(data)
    if cleaned.get("currency") == project.reporting_currency:
        Checker(errors).fail("currency", "invalid_choice", f"{project.reporting_currency} is the reporting currency: "
                             "its rate is 1.", choices=[])
    raise_errors("invalid_rate", errors)
    existing = session.scalar(select(ExchangeRate).where(
        ExchangeRate.project_id == project.id, ExchangeRate.currency == cleaned["currency"],
        ExchangeRate.date == cleaned["date"]))
    if existing is not None:
        raise Conflict(f"A {cleaned['currency']} rate for {cleaned['date'].isoformat()} exists ({existing.rate:f}, "
                       f"{existing.source}); entries already use it.", code="rate_exists",
                       details={"id": existing.id, "rate": f"{existing.rate:f}"})
    row = ExchangeRate(project_id=project.id, created_by=actor.id, **cleaned)
    session.add(row)
    session.flush()
    record(session, actor_id=actor.id, action="project.rate_added", subject_type="project", subject_id=project.id,
           after=rate_json(row))
    return row


def rate_for(session: Session, project: Project, currency: str, on: date) -> Rate:
    """The rate an entry in `currency` dated `on` converts at; 422 `no_rate` without one."""
    if currency == project.reporting_currency:
        return Rate(Decimal(1), on, IDENTITY_SOURCE)
    oldest = on - timedelta(days=settings().COPRODUCTION_RATE_MAX_AGE_DAYS)
    row = session.scalar(select(ExchangeRate).where(
        ExchangeRate.project_id == project.id, ExchangeRate.currency == currency,
        ExchangeRate.date <= on, ExchangeRate.date >= oldest).order_by(ExchangeRate.date.desc()).limit(1))
    if row is None:
        raise ApiError(f"No {currency} → {project.reporting_currency} rate for {on.isoformat()} (or the "
                       f"{settings().COPRODUCTION_RATE_MAX_AGE_DAYS} days before it): enter the day's rate first.",
                       code="no_rate", status=422, details={"currency": currency, "date": on.isoformat(),
                                                            "reporting_currency": project.reporting_currency})
    return Rate(row.rate, row.date, row.source)


def latest_rate(session: Session, project: Project, currency: str) -> Rate | None:
    """The newest rate of `currency` (for planned budget figures, which have no date)."""
    if currency == project.reporting_currency:
        return Rate(Decimal(1), date.today(), IDENTITY_SOURCE)
    row = session.scalar(select(ExchangeRate).where(ExchangeRate.project_id == project.id,
                                                    ExchangeRate.currency == currency)
                         .order_by(ExchangeRate.date.desc()).limit(1))
    return Rate(row.rate, row.date, row.source) if row else None


def list_rates(session: Session, project: Project) -> list[ExchangeRate]:
    return list(session.scalars(select(ExchangeRate).where(ExchangeRate.project_id == project.id)
                                .order_by(ExchangeRate.date.desc(), ExchangeRate.currency)))


def rate_json(r: ExchangeRate) -> dict[str, Any]:
    return {"id": r.id, "currency": r.currency, "date": r.date.isoformat(), "rate": f"{r.rate:f}",
            "source": r.source}
