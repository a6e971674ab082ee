"""The one gate every read of an asset's bytes goes through.

    decision = check_read(session, reader, request, sends_bytes=...)
    decision.raise_if_denied()  # 403 rights_denied with the reasons; the refusal is kept
    ... hand out the bytes ...  # the request's unit of work commits before the first byte

`check_read` asks the configured policy (`archive.access.policies`), then makes sure one
usage record covers the read when it is a use: every refused attempt, and every
master-quality read that sends bytes. Previews that are allowed leave no record.

What counts as ONE use: a read session, that is the requests of one reader for the same
thing (`what`) of the same asset, by the same action (a download, a bag for deposit, a clip:
two actions are always two uses), with the same declaration, segment and outcome, with no
gap longer than `READ_WINDOW_SECONDS` (default 30 min) between two of them. The first
request of a session appends the usage record; later ones only keep the session open
(`read_sessions.last_seen_at`, refreshed at most once a minute). So a video player or a
download manager reading a master in 40 Range requests, from whatever byte each starts,
is one use; the same file taken again for another programme, or after a long pause, is
another. HEAD and 304 answers send no bytes and are no use. A share link's reads
(`Reader.merges_reads` False) are never merged: each that is a use is a record of its own,
a continued download too, so the log keeps every take by a visitor without an account.

Deciding and recording happen under the usage log's append lock, so two parallel Range
requests of one player open one session, not two; the record and the caller's other
writes (a clip row, say) commit together or not at all.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.access.models import ReadSession
from archive.access.policies import DENIED, MASTER, AccessPolicy, PolicyDecision, Reader, ReadRequest
from archive.config import settings
from archive.db import keep_work, utcnow
from archive.errors import Forbidden
from archive.rights.services import engine_blocks, engine_blocks_of
from archive.usage.services import lock_chain, record_usage

TOUCH_EVERY = timedelta(seconds=60)


class AccessDenied(Forbidden):
    code = "rights_denied"


@dataclass(frozen=True)
class Decision:
    """The policy's decision, plus the usage record that covers this read (None when the
    read is no use) and whether this request opened it."""

    outcome: str
    reasons: list[dict] = field(default_factory=list)
    conditions: dict = field(default_factory=dict)
    blocks: list = field(default_factory=list)
    usage_record_id: int | None = None
    new_use: bool = False

    @property
    def allowed(self) -> bool:
        return self.outcome != DENIED

    def raise_if_denied(self) -> None:
        """AccessDenied (403, code rights_denied, details.reasons) when the read is refused; the
        request's unit of work is kept, so the refusal's usage record is committed."""
        if not self.allowed:
            keep_work()
            first = self.reasons[0]["message"] if self.reasons else "You may not read this."
            # No declaration is its own refusal: the client has something to send.
            code = "declaration_required" if self.reasons and self.reasons[0]["code"] == "declaration_required" \
                else AccessDenied.code
            raise AccessDenied(first, code=code, details={"reasons": self.reasons, "conditions": self.conditions,
                                                          "blocks": self.blocks})

    def as_json(self) -> dict:
        return {"decision": self.outcome, "reasons": self.reasons, "conditions": self.conditions,
                "blocks": self.blocks}


def policy() -> AccessPolicy:
    return current_app.extensions["ortak.access_policy"]


def check_read(session: Session, reader: Reader, request: ReadRequest, *, sends_bytes: bool = True) -> Decision:
    """Decide `request` for `reader` and record it when it is a use (see the module docstring).

    Flushes; never commits and never raises for a refusal (the caller calls
    `raise_if_denied`, which keeps the unit of work so the refused attempt is recorded).
    """
    request, decision = _decide(session, reader, request)
    return _conclude(session, reader, request, decision, sends_bytes)


def _decide(session: Session, reader: Reader, request: ReadRequest) -> tuple[ReadRequest, Decision]:
    """(the request with the asset's rights when the policy wants them, the policy's decision):
    nothing recorded, nothing flushed."""
    decider = policy()
    if decider.wants_rights(reader, request):
        request = replace(request, rights=engine_blocks(session, request.asset.id))
    return request, decider.decide(reader, request)


def would_allow(session: Session, reader: Reader, request: ReadRequest) -> bool:
    """Whether the policy would allow `request` for `reader`, asked without recording anything:
    for a caller choosing between ways of serving one read (a fast cut's wider span or the
    exact one) before it reads through `check_read`, which records. Never flushes."""
    return _decide(session, reader, request)[1].allowed


def check_reads(session: Session, reader: Reader, requests: Sequence[ReadRequest], *,
                sends_bytes: bool = True, all_or_nothing: bool = False) -> list[Decision]:
    """`check_read` of many requests of one reader (a basket's items), in their order: the
    rights blocks of all their assets are loaded in one query per 500 assets, not one per
    request, and the policy (pure) decides each. Records what `check_read` records;
    `all_or_nothing` (one file made of them all, a zip): when any is refused, the refusals
    alone are recorded, no use of the others. Flushes."""
    decider = policy()
    wanted = [decider.wants_rights(reader, r) for r in requests]
    blocks = engine_blocks_of(session, (r.asset.id for r, w in zip(requests, wanted) if w))
    decided = []
    for request, want in zip(requests, wanted):
        if want:
            request = replace(request, rights=blocks[request.asset.id])
        decided.append((request, decider.decide(reader, request)))
    if all_or_nothing and any(verdict.outcome == DENIED for _request, verdict in decided):
        sends_bytes = False
    return [_conclude(session, reader, request, verdict, sends_bytes) for request, verdict in decided]


def _conclude(session: Session, reader: Reader, request: ReadRequest, verdict: PolicyDecision,
              sends_bytes: bool) -> Decision:
    usage_id, new = None, False
    if verdict.outcome == DENIED or (request.quality == MASTER and sends_bytes):
        usage_id, new = _record_once(session, reader, request, verdict)
    return Decision(verdict.outcome, list(verdict.reasons), dict(verdict.conditions), list(verdict.blocks),
                    usage_id, new)


def _digest(request: ReadRequest) -> str:
    """The hex SHA-256 of the parts of a read session's key that have no column of their own:
    the action, the declaration and the segment (`read_sessions.declaration_digest`)."""
    doc = {"action": request.action, "declaration": request.declaration, "segment": request.segment}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _record_once(session: Session, reader: Reader, request: ReadRequest, verdict: PolicyDecision) -> tuple[int, bool]:
    lock_chain(session)  # serialises concurrent requests of one read as well as appends
    now = utcnow()
    if not reader.merges_reads:
        rec = record_usage(session, reader.user, request.asset, request.action, request.what, request.declaration,
                           decision=verdict.outcome, reasons=verdict.reasons or None,
                           conditions=verdict.conditions or None, segment=request.segment,
                           share_link_id=reader.share_link_id)
        session.flush()
        return rec.id, True
    key = dict(principal=reader.key, asset_id=request.asset.id, what=request.what, outcome=verdict.outcome,
               declaration_digest=_digest(request))
    row = session.scalar(select(ReadSession).filter_by(**key))
    window = timedelta(seconds=settings().READ_WINDOW_SECONDS)
    if row is not None and row.last_seen_at >= now - window:
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            session.flush()
        return row.usage_record_id, False
    rec = record_usage(session, reader.user, request.asset, request.action, request.what, request.declaration,
                       decision=verdict.outcome, reasons=verdict.reasons or None,
                       conditions=verdict.conditions or None, segment=request.segment,
                       share_link_id=reader.share_link_id)
    if row is None:
        session.add(ReadSession(**key, usage_record_id=rec.id, opened_at=now, last_seen_at=now))
    else:
        row.usage_record_id, row.opened_at, row.last_seen_at = rec.id, now, now
    session.flush()
    return rec.id, True
