"""Notifications in the app: raise one for a user (once per `dedupe_key`), list them, mark them read.

Services flush; the caller (a request, the notification task) commits.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.db import utcnow
from archive.errors import ValidationError
from archive.notifications.models import Notification

MAX_IDS = 500
MAX_MESSAGE = 2000


def raise_for(session: Session, users: Iterable[User], *, kind: str, message: str, dedupe_key: str,
              subject: str | None = None, params: dict[str, Any] | None = None) -> list[Notification]:
    """One notification per user who has none with `dedupe_key` yet; the new ones (flushed)."""
    users = [u for u in users if u.active]
    if not users:
        return []
    have = set(session.scalars(select(Notification.user_id).where(
        Notification.dedupe_key == dedupe_key, Notification.user_id.in_([u.id for u in users]))))
    made = []
    for user in users:
        if user.id in have:
            continue
        n = Notification(user_id=user.id, organisation_id=user.organisation_id, kind=kind, subject=subject,
                         params=dict(params or {}), dedupe_key=dedupe_key[:200], message=message[:MAX_MESSAGE],
                         created_at=utcnow())
        session.add(n)
        made.append(n)
    session.flush()
    return made


def users_with_role(session: Session, role: str, organisation_id: int | None = None) -> list[User]:
    """The active users of `role` (of one organisation, or of all)."""
    q = select(User).where(User.role == role, User.active.is_(True))
    if organisation_id is not None:
        q = q.where(User.organisation_id == organisation_id)
    return list(session.scalars(q.order_by(User.id)).unique())


def notification_json(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "subject": n.subject, "params": n.params, "message": n.message,
            "created": n.created_at.isoformat(), "read": n.read_at is not None,
            "read_at": n.read_at.isoformat() if n.read_at else None}


def list_for(session: Session, user: User, *, unread_only: bool = False, page: int = 1,
             per_page: int = 20) -> tuple[list[Notification], int, int]:
    """(one page of the user's notifications, newest first; how many match; how many are unread)."""
    base = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        base = base.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    unread = unread_count(session, user)
    rows = list(session.scalars(base.order_by(Notification.created_at.desc(), Notification.id.desc())
                                .offset((page - 1) * per_page).limit(per_page)))
    return rows, total, unread


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user: User, ids: Sequence[int] | None) -> int:
    """Mark the user's notifications `ids` (None: all of them) read; how many changed. Ids of
    other users' notifications, or of none, change nothing (never an error: nothing to tell)."""
    q = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        if not ids:
            return 0
        q = q.where(Notification.id.in_(list(ids)))
    result = session.execute(q.values(read_at=utcnow()).execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):  # what the session holds reads the new state
        if isinstance(obj, Notification) and obj.user_id == user.id:
            session.expire(obj, ["read_at"])
    return result.rowcount or 0


def read_request(body: Any) -> list[int] | None:
    """The ids a mark-read body names: {"ids": [1, 2]} or {"all": true} (None: all).

    Raises ValidationError (422 invalid_notification_ids) for anything else.
    """
    def bad(message: str) -> ValidationError:
        return ValidationError(message, code="invalid_notification_ids", details={"field": "ids"})

    if not isinstance(body, dict) or set(body) - {"ids", "all"} or ("ids" in body) == ("all" in body):
        raise bad('Send {"ids": [notification ids]} or {"all": true}.')
    if "all" in body:
        if body["all"] is not True:
            raise bad('"all" must be true.')
        return None
    ids = body["ids"]
    if not isinstance(ids, list) or len(ids) > MAX_IDS or not all(
            type(i) is int and 0 < i < 2**63 for i in ids):
        raise bad(f'"ids" must be a list of at most {MAX_IDS} notification ids (positive whole numbers).')
    return ids
