"""The contribution ledger: append-only, hash-chained per project, confirmed by the other side.

Every record (a contribution, its reversal, a confirmation, a dispute, an answer) is a new
row of `coproduction_ledger`, chained to the project's previous record by SHA-256 with
`archive.chain` (the usage log's mechanics), so the head hash printed on a commission report
proves the ledger it shows. Nothing is ever edited or deleted (the model refuses it too): a
mistake is corrected by a reversing entry, and every record writes an Event.

Two-party sign-off (the memorandum's equal responsibility): a contribution counts only once
a member of a party from the other country confirms it (403 `own_country` for one's own
country's entry). The confirmer may dispute it with a reason; the submitting party may
answer, and the confirmer then confirms or disputes again; or the submitting party reverses
it. A reversal takes the amounts of its entry negated, at the same rate, and needs no
confirmation: it cancels its entry in whichever bucket (confirmed or pending) the entry is.
A reversal cannot be reversed (409 `reversal_of_reversal`), nor an entry twice.

Statuses: `pending`, `disputed`, `answered`, `confirmed`, `reversed`, and `reversal`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from archive.assets.services import person_json
from archive.chain import ChainBreak, HashChain, iso, link_hash, plain_json
from archive.coproduction.entry_schemas import contribution_errors, reason_errors
from archive.coproduction.models import LedgerEntry, Project
from archive.coproduction.money import Money, money_text
from archive.coproduction.projects import (ProjectNotFound, get_project, link_contributed_footage, party_of,
                                           require_change, unlink_contributed_footage)
from archive.coproduction.rates import rate_for
from archive.coproduction.schemas import MAX_AMOUNT, MAX_MINOR, Checker, raise_errors
from archive.coproduction.valuation import value
from archive.db import new_id, utcnow
from archive.errors import Conflict, Forbidden, NotFound
from archive.events.services import record

STATUSES = ("pending", "disputed", "answered", "confirmed", "reversed", "reversal")
_OPTIONAL = ("party_id", "kind", "amount_minor", "currency", "description", "basis", "budget_category", "asset_id",
             "segment", "fx_source", "reporting_minor", "reverses_id", "target_id", "reason")


def entry_hash(e: LedgerEntry) -> str:
    """SHA-256 over the record's canonical form: every field but the hash itself."""
    doc: dict[str, Any] = {"id": e.id, "project_id": e.project_id, "seq": e.seq, "type": e.type, "at": iso(e.at),
                           "actor_id": e.actor_id, "actor_organisation_id": e.actor_organisation_id,
                           "actor_country": e.actor_country, "prev_hash": e.prev_hash}
    doc.update({k: getattr(e, k) for k in _OPTIONAL if getattr(e, k) is not None})
    for name in ("date", "fx_date"):
        if getattr(e, name) is not None:
            doc[name] = getattr(e, name).isoformat()
    if e.fx_rate is not None:
        doc["fx_rate"] = f"{e.fx_rate:f}"
    return link_hash(doc)


# Names the ledger's PostgreSQL advisory locks (the usage log's is 0x0A7A_0001).
LEDGER_CHAIN = HashChain(LedgerEntry, order=LedgerEntry.seq, scope=LedgerEntry.project_id, hash_of=entry_hash,
                         lock_class=0x0A7A_0002)


class ContributionNotFound(NotFound):
    code = "contribution_not_found"


def _append(session: Session, project: Project, actor, **fields: Any) -> LedgerEntry:
    """Lock the project's chain, then link a new record after its head (flushed)."""
    LEDGER_CHAIN.lock(session, project.id)
    last = session.scalar(select(func.max(LedgerEntry.seq)).where(LedgerEntry.project_id == project.id)) or 0
    entry = LedgerEntry(id=new_id(), project_id=project.id, seq=last + 1, at=utcnow(), actor_id=actor.id,
                        actor_organisation_id=actor.organisation_id, actor_country=actor.organisation.country,
                        **fields)
    LEDGER_CHAIN.seal(entry, LEDGER_CHAIN.head(session, project.id))
    session.add(entry)
    session.flush()
    return entry


def submit(session: Session, project: Project, data: Any, actor) -> LedgerEntry:
    """A contribution from the body of POST /api/v1/projects/{id}/contributions (see
    `entry_schemas`). 422 `invalid_contribution` with every field mistake (a zero or negative
    amount, an unknown currency or party, a footage asset of no party...), 422 `no_rate`
    when its currency has no rate for its date, 403 `not_your_party` for another party."""
    require_change(actor, project)
    cleaned, errors = contribution_errors(data)
    c = Checker(errors)
    party = None
    if cleaned.get("party"):
        party = next((p for p in project.parties if p.organisation.name == cleaned["party"]), None)
        if party is None:
            c.fail("party", "unknown_party", f"{cleaned['party']!r} is not a party of this project.",
                   choices=[p.organisation.name for p in project.parties])
    if cleaned.get("budget_category") and cleaned["budget_category"] not in {b.category for b in project.budget_lines}:
        c.fail("budget_category", "invalid_choice", "Not one of the project's budget lines.",
               choices=[b.category for b in project.budget_lines])
    valued = value(session, c, project, party, cleaned, actor) if cleaned.get("kind") else None
    if valued is not None and valued.money is None and not c.errors:
        c.fail("amount", "required", "amount and currency are required.")
    raise_errors("invalid_contribution", c.errors)
    if actor.role != "admin" and party.organisation_id != actor.organisation_id:
        raise Forbidden("You record contributions for your own organisation only.", code="not_your_party")
    money = valued.money
    rate = rate_for(session, project, money.currency, cleaned["date"])
    reporting = money.convert(rate.rate, project.reporting_currency)
    if max(abs(money.minor), abs(reporting.minor)) > MAX_MINOR:
        c.fail("amount", "out_of_range", "The amount is too large to be recorded.", min="0", max=str(MAX_AMOUNT))
        raise_errors("invalid_contribution", c.errors)
    entry = _append(session, project, actor, type="contribution", party_id=party.id, kind=cleaned["kind"],
                    amount_minor=money.minor, currency=money.currency, date=cleaned["date"],
                    description=cleaned["description"], basis=plain_json(valued.basis),
                    budget_category=cleaned["budget_category"], asset_id=valued.asset.id if valued.asset else None,
                    segment=plain_json(valued.segment), fx_rate=rate.rate, fx_date=rate.date, fx_source=rate.source,
                    reporting_minor=reporting.minor)
    if valued.asset is not None:
        link_contributed_footage(session, project, valued.asset, valued.segment, actor)
    record(session, actor_id=actor.id, action="contribution.submitted", subject_type="contribution",
           subject_id=entry.id, after=_event_view(entry))
    session.flush()
    return entry


def get_contribution(session: Session, entry_id: object, viewer) -> LedgerEntry:
    """A contribution (or reversal) `viewer` may see; 404 `contribution_not_found` otherwise."""
    entry = session.get(LedgerEntry, entry_id) if isinstance(entry_id, str) and len(entry_id) <= 64 else None
    if entry is None or entry.type != "contribution":
        raise ContributionNotFound("No such contribution.")
    try:
        get_project(session, entry.project_id, viewer)  # a party member or an admin
    except ProjectNotFound:
        raise ContributionNotFound("No such contribution.") from None
    return entry


def _project(session: Session, entry: LedgerEntry) -> Project:
    return session.get(Project, entry.project_id)


def status_of(session: Session, entry: LedgerEntry) -> str:
    if entry.reverses_id is not None:
        return "reversal"
    if session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)) is not None:
        return "reversed"
    types = list(session.scalars(select(LedgerEntry.type).where(LedgerEntry.target_id == entry.id)
                                 .order_by(LedgerEntry.seq)))
    return _status(types)


def _status(types: list[str]) -> str:
    if "confirmation" in types:
        return "confirmed"
    if not types:
        return "pending"
    return "disputed" if types[-1] == "dispute" else "answered"


# What an entry of each status is, as the end of "This entry ..." (English messages).
STATUS_PHRASES = {"pending": "is pending", "answered": "is answered", "confirmed": "is already confirmed",
                  "disputed": "is disputed", "reversed": "has been reversed", "reversal": "is a reversal"}


def _other_side(session: Session, entry: LedgerEntry, actor, verb: str):
    project = _project(session, entry)
    mine = party_of(actor, project)
    if mine is None or actor.role not in ("producer", "admin"):
        raise Forbidden(f"Only producers of a party of this project may {verb} its entries.", code="not_a_party")
    if mine.organisation.country == entry.party.organisation.country:
        raise Forbidden(f"An entry is confirmed or disputed by a party of the other country; this one is "
                        f"{entry.party.organisation.country}'s, as is your organisation.", code="own_country",
                        details={"country": entry.party.organisation.country})
    return project


def _locked_status(session: Session, project: Project, entry: LedgerEntry) -> str:
    LEDGER_CHAIN.lock(session, project.id)  # the state cannot change under us until we commit
    return status_of(session, entry)


def confirm(session: Session, entry: LedgerEntry, actor) -> LedgerEntry:
    project = _other_side(session, entry, actor, "confirm")
    status = _locked_status(session, project, entry)
    if status in ("confirmed", "reversed", "reversal"):
        raise Conflict(f"This entry {STATUS_PHRASES[status]}: there is nothing to confirm.", code=f"already_{status}"
                       if status == "confirmed" else "not_confirmable", details={"status": status})
    rec = _append(session, project, actor, type="confirmation", target_id=entry.id)
    record(session, actor_id=actor.id, action="contribution.confirmed", subject_type="contribution",
           subject_id=entry.id, after={"record": rec.id, "seq": rec.seq})
    return rec


def dispute(session: Session, entry: LedgerEntry, data: Any, actor) -> LedgerEntry:
    project = _other_side(session, entry, actor, "dispute")
    reason, errors = reason_errors(data, required=True)
    raise_errors("invalid_reason", errors)
    status = _locked_status(session, project, entry)
    if status not in ("pending", "answered"):
        raise Conflict(f"This entry {STATUS_PHRASES[status]}; only a pending or answered entry can be disputed.",
                       code="not_disputable", details={"status": status})
    rec = _append(session, project, actor, type="dispute", target_id=entry.id, reason=reason)
    record(session, actor_id=actor.id, action="contribution.disputed", subject_type="contribution",
           subject_id=entry.id, after={"record": rec.id, "reason": reason})
    return rec


def _own_side(session: Session, entry: LedgerEntry, actor, verb: str) -> Project:
    project = _project(session, entry)
    if actor.role not in ("producer", "admin") or actor.organisation_id != entry.party.organisation_id:
        raise Forbidden(f"Only the submitting party {verb} its entry.", code="not_your_party")
    return project


def answer(session: Session, entry: LedgerEntry, data: Any, actor) -> LedgerEntry:
    project = _own_side(session, entry, actor, "answers a dispute of")
    reason, errors = reason_errors(data, required=True)
    raise_errors("invalid_reason", errors)
    status = _locked_status(session, project, entry)
    if status != "disputed":
        raise Conflict(f"This entry is {status}: there is no dispute to answer.", code="not_disputed",
                       details={"status": status})
    rec = _append(session, project, actor, type="answer", target_id=entry.id, reason=reason)
    record(session, actor_id=actor.id, action="contribution.answered", subject_type="contribution",
           subject_id=entry.id, after={"record": rec.id, "reason": reason})
    return rec


def reverse(session: Session, entry: LedgerEntry, data: Any, actor) -> LedgerEntry:
    """A reversing entry for `entry` (today's date, its amounts negated at its rate)."""
    project = _own_side(session, entry, actor, "reverses")
    reason, errors = reason_errors(data, required=False)
    raise_errors("invalid_reason", errors)
    if entry.reverses_id is not None:
        raise Conflict("A reversal cannot be reversed: enter the contribution again.", code="reversal_of_reversal")
    status = _locked_status(session, project, entry)
    if status == "reversed":
        raise Conflict("This entry is reversed already.", code="already_reversed")
    rev = _append(session, project, actor, type="contribution", party_id=entry.party_id, kind=entry.kind,
                  amount_minor=-entry.amount_minor, currency=entry.currency,
                  date=datetime.now(timezone.utc).date(), description=reason, budget_category=entry.budget_category,
                  fx_rate=entry.fx_rate, fx_date=entry.fx_date, fx_source=entry.fx_source,
                  reporting_minor=-entry.reporting_minor, reverses_id=entry.id)
    record(session, actor_id=actor.id, action="contribution.reversed", subject_type="contribution",
           subject_id=entry.id, after={"reversal": rev.id, "reason": reason})
    record(session, actor_id=actor.id, action="contribution.submitted", subject_type="contribution",
           subject_id=rev.id, after=_event_view(rev))
    session.flush()
    unlink_contributed_footage(session, project, entry)
    return rev


def verify(session: Session, project: Project) -> ChainBreak | None:
    return LEDGER_CHAIN.verify(session, project.id)


def head(session: Session, project: Project) -> str:
    return LEDGER_CHAIN.head(session, project.id)


def count(session: Session, project: Project) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntry)
                          .where(LedgerEntry.project_id == project.id)) or 0


def _event_view(e: LedgerEntry) -> dict[str, Any]:
    return {"seq": e.seq, "party_id": e.party_id, "kind": e.kind, "amount_minor": e.amount_minor,
            "currency": e.currency, "date": e.date.isoformat() if e.date else None,
            "reporting_minor": e.reporting_minor, "reverses": e.reverses_id, "hash": e.hash}


def contributions(session: Session, project: Project, *, limit: int = 100, offset: int = 0,
                  viewer=None) -> tuple[int, list[dict[str, Any]]]:
    """(how many contributions, one page of their JSON), newest first, each with its sign-offs."""
    where = (LedgerEntry.project_id == project.id, LedgerEntry.type == "contribution")
    total = session.scalar(select(func.count()).select_from(LedgerEntry).where(*where)) or 0
    page = list(session.scalars(select(LedgerEntry).where(*where).order_by(LedgerEntry.seq.desc())
                                .limit(limit).offset(offset)))
    ids = [e.id for e in page]
    signoffs: dict[str, list[LedgerEntry]] = {}
    reversed_by: dict[str, str] = {}
    if ids:
        s = aliased(LedgerEntry)
        for rec in session.scalars(select(s).where(s.target_id.in_(ids)).order_by(s.seq)):
            signoffs.setdefault(rec.target_id, []).append(rec)
        reversed_by = dict(session.execute(select(LedgerEntry.reverses_id, LedgerEntry.id)
                                           .where(LedgerEntry.reverses_id.in_(ids))).all())
    rows = []
    for e in page:
        st = ("reversal" if e.reverses_id else "reversed" if e.id in reversed_by
              else _status([r.type for r in signoffs.get(e.id, [])]))
        rows.append(entry_json(e, project, st, signoffs.get(e.id, []), viewer, reversed_by.get(e.id)))
    return total, rows


def entry_json(e: LedgerEntry, project: Project, status: str, signoffs: list[LedgerEntry], viewer=None,
               reversed_by: str | None = None) -> dict[str, Any]:
    return {
        "id": e.id, "seq": e.seq, "project_id": e.project_id, "status": status,
        "party": e.party.organisation.name, "country": e.party.organisation.country, "kind": e.kind,
        "amount": money_text(e.amount_minor, e.currency), "currency": e.currency,
        "date": e.date.isoformat(), "description": e.description, "basis": e.basis,
        "budget_category": e.budget_category, "asset_id": e.asset_id,
        "in": (e.segment or {}).get("in"), "out": (e.segment or {}).get("out"),
        "fx": {"rate": f"{e.fx_rate:f}", "date": e.fx_date.isoformat(), "source": e.fx_source},
        "reporting_amount": money_text(e.reporting_minor, project.reporting_currency),
        "reporting_currency": project.reporting_currency,
        "reverses": e.reverses_id, "reversed_by": reversed_by,
        "submitted_by": person_json(e.actor, viewer), "submitted_at": e.at.isoformat(),
        "signoffs": [{"type": r.type, "by": person_json(r.actor, viewer), "country": r.actor_country,
                      "at": r.at.isoformat(), "reason": r.reason, "seq": r.seq} for r in signoffs],
        "hash": e.hash,
    }


def contribution_json(session: Session, e: LedgerEntry, viewer=None) -> dict[str, Any]:
    project = _project(session, e)
    signoffs = list(session.scalars(select(LedgerEntry).where(LedgerEntry.target_id == e.id)
                                    .order_by(LedgerEntry.seq)))
    reversed_by = session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == e.id))
    return entry_json(e, project, status_of(session, e), signoffs, viewer, reversed_by)


def amount_money(e: LedgerEntry) -> Money:
    return Money.of_minor(e.amount_minor, e.currency)
