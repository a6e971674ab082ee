"""Projects: who may see and change them, creating one, its JSON, budget, calendar and footage.

Access: members of a party's organisation (any role) and admins see a project, its ledger and
its dashboard; others get 404 `project_not_found` (a project's existence is not theirs to
know), except the co-production credit on an asset page, which is public to every member.
Producers of a party (and admins) change it. Services flush; the caller commits.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import COUNTRIES, Organisation, User
from archive.assets.models import Asset, AssetHolding
from archive.assets.services import get_asset, refuse_uploading, visible_to
from archive.coproduction.models import BudgetLine, LedgerEntry, Milestone, Party, Project, ProjectFootage
from archive.coproduction.money import Money, money_text
from archive.coproduction.rulesets import RULE_SETS, share_limits_errors
from archive.coproduction.schemas import (Checker, budget_line, footage_link_errors, milestone, project_errors,
                                          raise_errors, status_errors)
from archive.coproduction.segments import segment_seconds
from archive.db import utcnow
from archive.errors import ApiError, Forbidden, NotFound
from archive.events.services import history, record
from archive.task_handles import INDEX_ASSET

WRITERS = ("producer", "admin")
MAX_ID = 64


class ProjectNotFound(NotFound):
    code = "project_not_found"


def party_of(user: User, project: Project) -> Party | None:
    return next((p for p in project.parties if p.organisation_id == user.organisation_id), None)


def can_view(user: User, project: Project) -> bool:
    return user.role == "admin" or party_of(user, project) is not None


def can_change(user: User, project: Project) -> bool:
    return user.role == "admin" or (user.role in WRITERS and party_of(user, project) is not None)


def get_project(session: Session, project_id: object, viewer: User) -> Project:
    """The project, or 404 `project_not_found` (also when `viewer` may not see it)."""
    project = session.get(Project, project_id) if isinstance(project_id, str) and len(project_id) <= MAX_ID else None
    if project is None or not can_view(viewer, project):
        raise ProjectNotFound("No such project.")
    return project


def require_change(user: User, project: Project) -> None:
    if not can_change(user, project):
        raise Forbidden("Only producers of a party organisation (and admins) change a project.", code="not_a_party")


def list_projects(session: Session, viewer: User) -> list[Project]:
    q = select(Project).order_by(Project.created_at.desc(), Project.id)
    if viewer.role != "admin":
        q = q.where(Project.id.in_(select(Party.project_id).where(Party.organisation_id == viewer.organisation_id)))
    return list(session.scalars(q))


def _organisations(session: Session, names: set[str]) -> dict[str, Organisation]:
    if not names:
        return {}
    return {o.name: o for o in session.scalars(select(Organisation).where(Organisation.name.in_(names)))}


def create_project(session: Session, data: Any, actor: User) -> Project:
    """A project from the body of POST /api/v1/projects (see `schemas.project_errors`).

    422 `invalid_project` listing every mistake (shares not summing to 100, parties of one
    country only, an unknown organisation, a share outside the rule set's limits...); 403
    `not_a_party` when a producer creates a project their organisation is not a party to.
    """
    cleaned, errors = project_errors(data, RULE_SETS)
    parties = cleaned.get("parties") or []
    named = cleaned.get("named_parties") or []  # every party, when each names its organisation well
    orgs = _organisations(session, {p["organisation"] for p in parties} | {p["organisation"] for p in named}
                          | {m["owner"] for m in cleaned.get("milestones") or [] if m["owner"]})
    c = Checker(errors)
    for p in named or parties:
        if p["organisation"] not in orgs:
            c.fail(f"{p['path']}.organisation", "unknown_organisation", f"No organisation named {p['organisation']!r}.")
    # Judged on every party (a party with a bad share still has its country), never on a part of them.
    if named and all(p["organisation"] in orgs for p in named) \
            and {orgs[p["organisation"]].country for p in named} != set(COUNTRIES):
        c.fail("parties", "one_country_only",
               "A joint project has parties of both countries (TR and AZ): each side confirms the other's entries.")
    rule_set = RULE_SETS.get(cleaned.get("rule_set") or "")
    for name, share in share_limits_errors(rule_set, {p["path"]: p["share"] for p in parties}):
        c.fail(f"{name}.share", "out_of_range", f"{name}.share {share} is outside the rule set's limits "
               f"{rule_set.min_share}-{rule_set.max_share}.", min=str(rule_set.min_share), max=str(rule_set.max_share))
    categories = [b["category"] for b in cleaned.get("budget") or []]
    for i, cat in enumerate(categories):
        if cat in categories[:i]:
            c.fail(f"budget[{i}].category", "duplicate", f"The budget line {cat!r} is given twice.")
    party_names = {p["organisation"] for p in parties}
    for m in cleaned.get("milestones") or []:
        if m["owner"] and m["owner"] not in party_names:
            c.fail(f"{m['path']}.owner", "unknown_organisation", f"{m['owner']!r} is not one of the parties.")
    raise_errors("invalid_project", c.errors)
    if actor.role != "admin" and actor.organisation_id not in {orgs[p["organisation"]].id for p in parties}:
        raise Forbidden("Your organisation is not one of the parties of this project.", code="not_a_party")

    currency = cleaned["reporting_currency"]
    project = Project(title=cleaned["title"], kind=cleaned["kind"], status=cleaned["status"],
                      reporting_currency=currency, rule_set=cleaned["rule_set"], created_by=actor.id,
                      footage_rate_minor=Money(cleaned["footage_rate"], currency).minor
                      if cleaned["footage_rate"] is not None else None)
    by_org = {}
    for p in parties:
        party = Party(organisation_id=orgs[p["organisation"]].id, role=p["role"], share=p["share"])
        project.parties.append(party)
        by_org[p["organisation"]] = party
    for b in cleaned["budget"]:
        project.budget_lines.append(BudgetLine(category=b["category"], planned_minor=Money(b["amount"], b["currency"]).minor,
                                               currency=b["currency"]))
    session.add(project)
    session.flush()
    for m in cleaned["milestones"]:
        project.milestones.append(Milestone(title=m["title"], due=m["due"], done=m["done"],
                                            owner_party_id=by_org[m["owner"]].id if m["owner"] else None,
                                            done_at=utcnow() if m["done"] else None))
    session.flush()
    record(session, actor_id=actor.id, action="project.created", subject_type="project", subject_id=project.id,
           after=project_json(project))
    return project


def add_budget_line(session: Session, project: Project, data: Any, actor: User) -> BudgetLine:
    require_change(actor, project)
    c = Checker()
    line = budget_line(c, data, "")
    if line and any(b.category == line["category"] for b in project.budget_lines):
        c.fail("category", "duplicate", f"The budget line {line['category']!r} exists.")
    raise_errors("invalid_budget_line", c.errors)
    row = BudgetLine(category=line["category"], planned_minor=Money(line["amount"], line["currency"]).minor,
                     currency=line["currency"])
    project.budget_lines.append(row)
    session.flush()
    record(session, actor_id=actor.id, action="project.budget_line_added", subject_type="project",
           subject_id=project.id, after=budget_json(row))
    return row


def add_milestone(session: Session, project: Project, data: Any, actor: User) -> Milestone:
    require_change(actor, project)
    c = Checker()
    m = milestone(c, data, "")
    owner = None
    if m and m["owner"]:
        owner = next((p for p in project.parties if p.organisation.name == m["owner"]), None)
        if owner is None:
            c.fail("owner", "unknown_organisation", f"{m['owner']!r} is not one of the parties.")
    raise_errors("invalid_milestone", c.errors)
    row = Milestone(title=m["title"], due=m["due"], done=m["done"], owner_party_id=owner.id if owner else None,
                    done_at=utcnow() if m["done"] else None)
    project.milestones.append(row)
    session.flush()
    record(session, actor_id=actor.id, action="project.milestone_added", subject_type="project",
           subject_id=project.id, after=milestone_json(row))
    return row


def set_milestone_done(session: Session, project: Project, milestone_id: int, done: Any, actor: User) -> Milestone:
    require_change(actor, project)
    row = next((m for m in project.milestones if m.id == milestone_id), None)
    if row is None:
        raise NotFound("No such milestone in this project.", code="milestone_not_found")
    if not isinstance(done, bool):
        c = Checker()
        c.fail("done", "invalid_choice", "done must be true or false.", choices=[True, False])
        raise_errors("invalid_milestone", c.errors)
    before = milestone_json(row)
    row.done, row.done_at = done, (utcnow() if done else None)
    session.flush()
    record(session, actor_id=actor.id, action="project.milestone_changed", subject_type="project",
           subject_id=project.id, before=before, after=milestone_json(row))
    return row


def asset_parties(session: Session, project: Project, asset: Asset) -> list[Party]:
    """The parties whose organisation owns the asset or holds a copy of it."""
    holders = {asset.organisation_id} | set(session.scalars(
        select(AssetHolding.organisation_id).where(AssetHolding.asset_id == asset.id)))
    return [p for p in project.parties if p.organisation_id in holders]


def link_footage(session: Session, project: Project, data: Any, actor: User) -> ProjectFootage:
    """Add an archive asset, or a segment of it, to the project's footage (idempotent); body
    {"asset_id", "in"?, "out"?} (`schemas.footage_link_errors`; timecodes as in
    `archive.coproduction.segments`). Re-indexes the asset so search can filter by project.
    404 `asset_not_found` (also for an asset `actor` may not see: `archive.assets.services.may_see`);
    422 `asset_not_from_party` when no party owns or holds it, 422 `invalid_footage` for a
    malformed body or a segment outside the asset; 409 `asset_uploading` for an asset whose upload
    has not finished."""
    require_change(actor, project)
    cleaned, errors = footage_link_errors(data)
    raise_errors("invalid_footage", errors)
    asset = get_asset(session, cleaned["asset_id"], viewer=actor)
    refuse_uploading(asset, "add it to a project's footage")
    if not asset_parties(session, project, asset):
        raise ApiError("The asset belongs to no party of this project.", code="asset_not_from_party", status=422,
                       details={"asset_id": asset.id})
    key = ""
    if cleaned["in"] is not None:
        c = Checker()
        segment_seconds(c, asset, cleaned["in"], cleaned["out"])
        raise_errors("invalid_footage", c.errors)
        key = f"{cleaned['in']}/{cleaned['out']}"
    row = session.scalar(select(ProjectFootage).where(ProjectFootage.project_id == project.id,
                                                      ProjectFootage.asset_id == asset.id,
                                                      ProjectFootage.segment_key == key))
    if row is None:
        row = ProjectFootage(project_id=project.id, asset_id=asset.id, segment_in=cleaned["in"],
                             segment_out=cleaned["out"], segment_key=key, added_by=actor.id)
        session.add(row)
        session.flush()
        record(session, actor_id=actor.id, action="project.footage_added", subject_type="project",
               subject_id=project.id, after=footage_json(row))
        INDEX_ASSET.send(session, asset.id)
    return row


def _segment_key(segment: dict | None) -> tuple[str | None, str | None, str]:
    """(in, out, segment_key) of a contribution's segment ({"in", "out"}, out None: to the end
    of the asset; `archive.coproduction.segments.segment_seconds`), ("", for the whole asset)."""
    if not segment:
        return None, None, ""
    start, end = segment.get("in"), segment.get("out")
    return start, end, f"{start}/{end or ''}"


def link_contributed_footage(session: Session, project: Project, asset: Asset, segment: dict | None,
                             actor: User) -> None:
    """Link what a footage contribution gives to the project's footage: its segment ({"in",
    "out"}, as `link_footage` with in/out: `whole` false), or the whole asset for a contribution
    without in/out. Idempotent; re-indexes the asset. The link writes no event of its own (the
    contribution's `contribution.submitted` says it), which is how `unlink_contributed_footage`
    tells it from a link made by `link_footage`."""
    start, end, key = _segment_key(segment)
    if session.scalar(select(ProjectFootage.id).where(ProjectFootage.project_id == project.id,
                                                      ProjectFootage.asset_id == asset.id,
                                                      ProjectFootage.segment_key == key)) is None:
        session.add(ProjectFootage(project_id=project.id, asset_id=asset.id, segment_in=start, segment_out=end,
                                   segment_key=key, added_by=actor.id))
        INDEX_ASSET.send(session, asset.id)


def unlink_contributed_footage(session: Session, project: Project, entry: LedgerEntry) -> bool:
    """After `entry` (a footage contribution) is reversed: remove the footage link it made
    (its asset, its segment) unless another contribution of the project still standing (not
    reversed) gives the same, or the link was made by `link_footage` (a `project.footage_added`
    event). True when a link was removed (the asset is re-indexed: search `project=` and
    GET /api/v1/assets/{id}/projects no longer name the project for it). Flushes."""
    if entry.asset_id is None:
        return False
    start, end, key = _segment_key(entry.segment)
    row = session.scalar(select(ProjectFootage).where(ProjectFootage.project_id == project.id,
                                                      ProjectFootage.asset_id == entry.asset_id,
                                                      ProjectFootage.segment_key == key))
    if row is None:
        return False
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.project_id == project.id,
                                                         LedgerEntry.reverses_id.is_not(None))
    standing = session.scalars(select(LedgerEntry).where(
        LedgerEntry.project_id == project.id, LedgerEntry.type == "contribution", LedgerEntry.id != entry.id,
        LedgerEntry.asset_id == entry.asset_id, LedgerEntry.reverses_id.is_(None),
        LedgerEntry.id.not_in(reversed_ids)))
    if any(_segment_key(other.segment)[2] == key for other in standing):
        return False
    linked = {"asset_id": entry.asset_id, "in": start, "out": end}
    if any(ev.action == "project.footage_added" and {k: (ev.after or {}).get(k) for k in linked} == linked
           for ev in history(session, "project", project.id)):
        return False
    session.delete(row)
    session.flush()
    INDEX_ASSET.send(session, entry.asset_id)
    return True


def footage_json(row: ProjectFootage) -> dict[str, Any]:
    return {"project_id": row.project_id, "asset_id": row.asset_id, "in": row.segment_in, "out": row.segment_out}


def footage_links(session: Session, project: Project, viewer: User | None = None) -> list[tuple[ProjectFootage, Asset]]:
    """The project's footage links and their assets, oldest first (a segment is a link of its own).
    With `viewer`, the assets they may see only (`archive.assets.services.visible_to`: another
    organisation's asset not ready yet is left out, as if it were not linked)."""
    q = (select(ProjectFootage, Asset).join(Asset, ProjectFootage.asset_id == Asset.id)
         .where(ProjectFootage.project_id == project.id).order_by(ProjectFootage.added_at, ProjectFootage.id))
    seen = visible_to(viewer)
    if seen is not None:
        q = q.where(seen)
    return [(link, asset) for link, asset in session.execute(q)]


def footage_doc(session: Session, project: Project, lang: str | None,
                viewer: User | None = None) -> list[dict[str, Any]]:
    """The project's footage for the API and the pages: one item per asset `viewer` may see
    (`footage_links`), oldest link first, {"id", "title", "kind", "whole": linked as a whole,
    "segments": [{"in", "out"}]}."""
    items: dict[str, dict[str, Any]] = {}
    for link, asset in footage_links(session, project, viewer):
        item = items.setdefault(asset.id, {"id": asset.id, "title": asset.title(lang), "kind": asset.kind,
                                           "whole": False, "segments": []})
        if link.segment_key:
            item["segments"].append({"in": link.segment_in, "out": link.segment_out})
        else:
            item["whole"] = True
    return list(items.values())


def set_status(session: Session, project: Project, data: Any, actor: User) -> Project:
    """Move the project to another status (body {"status"}, `schemas.status_errors`); 422
    `invalid_project` for an unknown status. Writes a `project.status_changed` event."""
    require_change(actor, project)
    status, errors = status_errors(data)
    raise_errors("invalid_project", errors)
    if status != project.status:
        before = project.status
        project.status = status
        session.flush()
        record(session, actor_id=actor.id, action="project.status_changed", subject_type="project",
               subject_id=project.id, before={"status": before}, after={"status": status})
    return project


def projects_of_asset(session: Session, asset_id: str) -> list[Project]:
    q = (select(Project).where(Project.id.in_(select(ProjectFootage.project_id)
                                              .where(ProjectFootage.asset_id == asset_id)))
         .order_by(Project.created_at, Project.id))
    return list(session.scalars(q))


def project_ids_of_asset(session: Session, asset_id: str) -> list[str]:
    return list(session.scalars(select(ProjectFootage.project_id).where(ProjectFootage.asset_id == asset_id)
                                .distinct().order_by(ProjectFootage.project_id)))


def titles(session: Session, ids: list[str], lang: str | None) -> dict[str, str]:
    """Project id → display title (a search facet's labels; the credit is public)."""
    ids = [i for i in ids if isinstance(i, str) and len(i) <= MAX_ID]
    if not ids:
        return {}
    return {p.id: p.display_title(lang) for p in session.scalars(select(Project).where(Project.id.in_(ids)))}


def credit(project: Project) -> list[str]:
    """The organisations a co-production credit names: leads first, then co-producers
    ("A co-production of TRT and İTV"); contributors are not credited as co-producers."""
    order = {"lead": 0, "co_producer": 1}
    named = sorted((p for p in project.parties if p.role in order), key=lambda p: (order[p.role], p.id))
    return [p.organisation.name for p in named]


def credit_sentence(names: list[str]) -> str:
    if not names:
        return ""
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"A co-production of {joined}"


def share_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def party_json(p: Party) -> dict[str, Any]:
    return {"id": p.id, "organisation": p.organisation.name, "organisation_id": p.organisation_id,
            "country": p.organisation.country, "role": p.role, "share": share_text(p.share)}


def budget_json(b: BudgetLine) -> dict[str, Any]:
    return {"id": b.id, "category": b.category, "planned": money_text(b.planned_minor, b.currency),
            "currency": b.currency}


def milestone_json(m: Milestone) -> dict[str, Any]:
    return {"id": m.id, "title": m.title, "due": m.due.isoformat(),
            "owner": m.owner.organisation.name if m.owner else None, "done": m.done,
            "done_at": m.done_at.isoformat() if m.done_at else None}


def project_json(project: Project, lang: str | None = None) -> dict[str, Any]:
    names = credit(project)
    return {
        "id": project.id, "title": dict(project.title or {}), "display_title": project.display_title(lang),
        "kind": project.kind, "status": project.status, "reporting_currency": project.reporting_currency,
        "rule_set": project.rule_set,
        "footage_rate_per_minute": money_text(project.footage_rate_minor, project.reporting_currency),
        "parties": [party_json(p) for p in project.parties],
        "budget": [budget_json(b) for b in project.budget_lines],
        "milestones": [milestone_json(m) for m in project.milestones],
        "credit": {"organisations": names, "text": credit_sentence(names)},
        "created": project.created_at.isoformat() if project.created_at else None,
    }
