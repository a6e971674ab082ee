"""The checks the scheduler runs to raise notifications, as a registry.

A check is a function `(session, config, today) -> iterable of Finding`, registered by name:

    @check("rights_expiring")
    def rights_expiring(session, config, today):
        for block in ...:
            yield Finding(kind="rights_expiring", recipients=[...], dedupe_key=f"rights_expiring:{block.id}",
                          message="Rights on ... expire in 14 days.", subject=asset_id, params={...})

`run_checks` runs every registered check, each in a savepoint (one that fails is logged and
rolled back; the others still run), raises each finding's notification for its recipients
once per `dedupe_key` (`archive.notifications.services.raise_for`), then sends DELIVER_WEBHOOK
for what is new to an organisation with an active webhook: the receiver is called by that
task after this run's commit (STYLE.md 2 and 11), never while its transaction is open. Add a translation of a new `kind` to
`archive.web.messages.NOTIFICATIONS` (the English `message` is shown until then).

Registered here: `usage_log` (the usage log and its signed checkpoints do not verify →
every admin); `rights_expiring` (a grant ends within RIGHTS_EXPIRY_NOTICE_DAYS days → the
rights managers of the asset's organisation, once per block, end day and threshold);
`use_outside_rights` (an allowed use outside the rights that cleared it,
`archive.rights.audit` → the rights managers of the asset's organisation, once per record);
`fixity` (a stored original or rendition file no longer has its recorded SHA-256, or is missing,
`archive.provenance.fixity` → every admin, once per file, outcome and digest found).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.backends import storage
from archive.db import utcnow
from archive.notifications import services, webhooks
from archive.provenance import fixity
from archive.rights import audit as rights_audit
from archive.task_handles import DELIVER_WEBHOOK
from archive.usage import checkpoints

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """Something `recipients` should be told: `kind` names it (and its translation), `message`
    says it in English, `dedupe_key` makes it one notification per user however often it is
    found, `subject` is what it is about (an asset id...), `params` fill the translation."""

    kind: str
    recipients: Sequence[User]
    dedupe_key: str
    message: str
    subject: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[Session, Mapping[str, Any], date], Iterable[Finding]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register the decorated function as the check `name` (a name used twice is a TypeError)."""
    def register(fn: Check) -> Check:
        if name in CHECKS:
            raise TypeError(f"a notification check named {name!r} is registered already")
        CHECKS[name] = fn
        return fn

    return register


@dataclass
class RunReport:
    raised: int = 0
    deliveries_sent: int = 0  # DELIVER_WEBHOOK tasks sent (they leave at the commit)
    failed_checks: list[str] = field(default_factory=list)


def run_checks(session: Session, config: Mapping[str, Any], today: date | None = None,
               names: Sequence[str] | None = None) -> RunReport:
    """Run the checks `names` (default: all), raise their notifications and send a
    DELIVER_WEBHOOK for each new one (one per organisation and `dedupe_key`) to an organisation
    with an active webhook. Flushes; the caller commits (the notification task), and the
    commit sends the deliveries."""
    today = today or utcnow().date()
    report = RunReport()
    new = []
    for name in names or list(CHECKS):
        try:
            with session.begin_nested():
                findings = list(CHECKS[name](session, config, today))
                for f in findings:
                    new += services.raise_for(session, f.recipients, kind=f.kind, message=f.message,
                                              dedupe_key=f.dedupe_key, subject=f.subject, params=dict(f.params))
        except Exception:  # one broken check must not silence the others
            log.exception("notification check %s failed", name)
            report.failed_checks.append(name)
    report.raised = len(new)
    for notification_id in webhooks.to_deliver(session, new):
        DELIVER_WEBHOOK.send(session, notification_id)
        report.deliveries_sent += 1
    return report


@check("usage_log")
def usage_log(session: Session, config: Mapping[str, Any], today: date) -> Iterable[Finding]:
    """The usage log and its checkpoints must verify (`ortak audit verify`); else every admin is told."""
    problems, _walked, _signed = checkpoints.verify_log(session, storage(), checkpoints.public_key_of(config))
    if not problems:
        return []
    first = problems[0]
    admins = services.users_with_role(session, "admin")
    return [Finding(kind="usage_log_broken", recipients=admins,
                    dedupe_key=f"usage_log_broken:{first.kind}:{first.record_id}",
                    message=f"The usage log does not verify: {first.message}",
                    subject=str(first.record_id) if first.record_id is not None else None,
                    params={"problem": first.kind, "record": first.record_id, "problems": len(problems)})]


def _rights_managers(session: Session, organisation_id: int, cache: dict[int, list[User]]) -> list[User]:
    if organisation_id not in cache:
        cache[organisation_id] = services.users_with_role(session, "rights_manager", organisation_id)
    return cache[organisation_id]


@check("rights_expiring")
def rights_expiring(session: Session, config: Mapping[str, Any], today: date) -> Iterable[Finding]:
    """Each grant ending within RIGHTS_EXPIRY_NOTICE_DAYS days (`archive.rights.audit.expiring_blocks`)
    → the rights managers of its asset's organisation, once per block, end day and threshold
    (a later run, or a shorter countdown, raises nothing new; a grant extended and expiring
    again is told again)."""
    days = int(config["RIGHTS_EXPIRY_NOTICE_DAYS"])
    managers: dict[int, list[User]] = {}
    for block, asset in rights_audit.expiring_blocks(session, today, days):
        recipients = _rights_managers(session, asset.organisation_id, managers)
        if not recipients:
            continue
        left = (block.end_date - today).days
        yield Finding(kind="rights_expiring", recipients=recipients,
                      dedupe_key=f"rights_expiring:{block.id}:{block.end_date.isoformat()}:{days}",
                      message=f"The grant {block.id} on \u201c{asset.title()}\u201d ends on "
                              f"{block.end_date.isoformat()} (in {left} days).",
                      subject=asset.id, params={"block": block.id, "title": asset.title(),
                                                "end": block.end_date.isoformat(), "days_left": left,
                                                "days": days})


@check("use_outside_rights")
def use_outside_rights(session: Session, config: Mapping[str, Any], today: date) -> Iterable[Finding]:
    """Each allowed use outside the rights that cleared it (`archive.rights.audit.find_outside_rights`)
    → the rights managers of the asset's organisation, once per usage record."""
    managers: dict[int, list[User]] = {}
    for o in rights_audit.find_outside_rights(session):
        recipients = _rights_managers(session, o.asset.organisation_id, managers)
        if not recipients:
            continue
        problems = ", ".join(o.problems)
        yield Finding(kind="use_outside_rights", recipients=recipients,
                      dedupe_key=f"use_outside_rights:{o.record.id}",
                      message=f"Use {o.record.id} of \u201c{o.asset.title()}\u201d by {o.organisation.name} is "
                              f"outside the rights that cleared it ({problems}).",
                      subject=o.asset.id, params={"usage": o.record.id, "title": o.asset.title(),
                                                  "organisation": o.organisation.name, "problems": problems,
                                                  "blocks": list(o.blocks)})


@check("fixity")
def fixity_failures(session: Session, config: Mapping[str, Any], today: date) -> Iterable[Finding]:
    """Each stored file whose latest fixity check failed or found it missing
    (`archive.provenance.fixity.failures_to_tell`) → every admin, once per file, outcome and
    digest found (the same damage found again next cycle is not told twice; new damage is)."""
    failures = fixity.failures_to_tell(session)
    if not failures:
        return
    admins = services.users_with_role(session, "admin")
    for row, asset in failures:
        label = "original" if row.kind == "original" else f"{row.rendition}/{row.path}"
        title = asset.title() if asset is not None else row.asset_id
        key_digest = hashlib.sha256(row.blob_key.encode()).hexdigest()[:32]
        if row.outcome == "missing":
            message = (f"Fixity check: the {label} of \u201c{title}\u201d (asset {row.asset_id}) is missing from "
                       f"storage ({row.blob_key}).")
        else:
            message = (f"Fixity check failed: the {label} of \u201c{title}\u201d (asset {row.asset_id}, stored as "
                       f"{row.blob_key}) no longer has the SHA-256 recorded when it was stored "
                       f"(found {row.actual_sha256}).")
        yield Finding(kind=f"fixity_{row.outcome}", recipients=admins,
                      dedupe_key=f"fixity:{row.outcome}:{key_digest}:{row.actual_sha256 or '-'}",
                      message=message, subject=row.asset_id,
                      params={"object": label, "title": title, "asset": row.asset_id, "key": row.blob_key,
                              "expected": row.expected_sha256, "actual": row.actual_sha256, "check": row.id})
