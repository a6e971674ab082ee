from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.events.models import Event


def record(session: Session, *, actor_id: int | None, action: str, subject_type: str, subject_id: str,
           before: dict | None = None, after: dict | None = None) -> Event:
    ev = Event(actor_id=actor_id, action=action, subject_type=subject_type, subject_id=str(subject_id),
               before=before, after=after)
    session.add(ev)
    return ev


def history(session: Session, subject_type: str, subject_id: str) -> list[Event]:
    q = (select(Event).where(Event.subject_type == subject_type, Event.subject_id == str(subject_id))
         .order_by(Event.at.desc(), Event.id.desc()))
    return list(session.scalars(q))
