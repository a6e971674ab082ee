"""The clip export page: the marks from the player, the usage declaration (the rights
declaration's own fields), the rights decision and credit line BEFORE the export, then the
export itself (`archive.clips.services.request_clip`) and the clip's page with its progress.

Every sentence is in the page's language (`archive.web.messages` by code).
"""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.orm import Session

from archive.access.declarations import FIELDS as DECLARATION_FIELDS
from archive.access.declarations import clean_declaration, require_complete
from archive.access.gate import policy
from archive.access.policies import MASTER, Reader, ReadRequest
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.clips import services
from archive.clips.schemas import MODES, clean_clip
from archive.errors import ApiError, Conflict
from archive.provenance.fixity import require_sound
from archive.rights import pages as rights_pages
from archive.rights.avails import PLATFORMS
from archive.rights.services import engine_blocks

CLIP_FIELDS = ("in", "out", "mode")


def _point(value: str | None) -> Any:
    """A form's in/out: a timecode as typed, or seconds when it is a plain number."""
    value = (value or "").strip()
    try:
        return float(value) if value and all(c.isdigit() or c == "." for c in value) else value or None
    except ValueError:
        return value


def body_from_form(form: Mapping[str, str], with_declaration: bool) -> dict[str, Any]:
    """The API's body from the page's fields."""
    body: dict[str, Any] = {"in": _point(form.get("in")), "out": _point(form.get("out")),
                            "mode": form.get("mode") or "accurate"}
    if with_declaration:
        body["declaration"] = {k: form.get(k) for k in DECLARATION_FIELDS if form.get(k) not in (None, "")}
    return body


def export_page(session: Session, user: User, source: Asset, args: Mapping[str, str], lang: str) -> dict[str, Any]:
    """The form (marks, mode, declaration when another organisation's master needs one) and,
    once checked (`checked=1`), its mistakes or the decision: reasons, credit line, conditions.
    Nothing is recorded: the decision is the policy's answer, asked without the gate's record."""
    needs = rights_pages.needs_declaration(user, source)
    values = {k: args.get(k) for k in (*CLIP_FIELDS, *DECLARATION_FIELDS) if args.get(k) not in (None, "")}
    values.setdefault("mode", "accurate")
    page: dict[str, Any] = {
        "source": {"id": source.id, "title": source.title(lang), "filename": source.filename},
        "values": values, "needs_declaration": needs, "modes": MODES,
        "platforms": [(p, str(rights_pages.PLATFORM_LABELS[p])) for p in PLATFORMS],
        "errors": [], "decision": None, "ready": False,
    }
    try:
        timeline = services.clip_timeline(source)
    except ApiError as exc:
        page["errors"] = rights_pages.error_lines(exc)
        return page
    page["timeline"] = {"start": timeline.label(0), "end": timeline.label(timeline.frames or 0),
                        "drop_frame": timeline.drop_frame}
    if not args.get("checked"):
        return page
    body = body_from_form(args, needs)
    errors: list[str] = []
    clip = declaration = None
    try:
        clip = clean_clip({k: v for k, v in body.items() if k != "declaration"}, timeline)
    except ApiError as exc:
        errors += rights_pages.error_lines(exc)
    if needs:
        try:
            declaration = require_complete(clean_declaration(body.get("declaration")) or {})
        except ApiError as exc:
            errors += rights_pages.error_lines(exc)
    if errors or clip is None:
        page["errors"] = errors
        return page
    try:  # what the export will refuse, said before it is asked: a damaged master, unreadable keyframes
        require_sound(session, source)
        first, end = services.delivered_frames(source, timeline, clip)
    except ApiError as exc:
        page["errors"] = rights_pages.error_lines(exc)
        return page
    # Decided as the export decides: on the span the clip delivers (a fast clip's from its keyframe).
    rights = engine_blocks(session, source.id)

    def decide(segment: dict):
        return policy().decide(Reader.for_user(user), ReadRequest(
            asset=source, what="clip", quality=MASTER, action="clip", segment=segment, declaration=declaration,
            rights=rights))

    verdict = decide(services.seconds_of(timeline, first, end))
    if not verdict.allowed and first != clip.in_frame and decide(services.segment_of(timeline, clip)).allowed:
        page["errors"] = rights_pages.error_lines(Conflict("A fast clip's lead-in is not cleared.",
                                                           code="fast_cut_not_cleared"))
    page["decision"] = {"outcome": verdict.outcome, "allowed": verdict.allowed,
                        "reasons": [rights_pages.reason_text(r) for r in verdict.reasons],
                        "credit": (verdict.conditions or {}).get("credit") or {},
                        "conditions": verdict.conditions or {}}
    page["clip"] = {"in": timeline.label(clip.in_frame), "out": timeline.label(clip.out_frame),
                    "seconds": round(timeline.seconds(clip.out_frame - clip.in_frame), 3), "mode": clip.mode}
    page["ready"] = verdict.allowed
    return page


def source_link(session: Session, clip: Asset, lang: str) -> dict[str, Any] | None:
    """For a clip's page: its source's id and title and the marks of the segment it came from
    (the actual ones once cut), for a link that opens the source's player there."""
    lineage = clip.lineage or {}
    source_id = lineage.get("source_id")
    if not source_id:
        return None
    source = session.get(Asset, source_id)
    return {"id": source_id, "title": source.title(lang) if source is not None else None,
            "in": lineage.get("actual_in") or lineage.get("in"), "out": lineage.get("actual_out") or lineage.get("out"),
            "mode": lineage.get("mode")}


def clips_list(session: Session, source: Asset, lang: str, viewer=None) -> list[dict[str, Any]]:
    """The clips of `source` that `viewer` may see (`services.clips_of`), as clip JSON."""
    return [services.clip_json(c, lang) for c in services.clips_of(session, source, viewer=viewer)]
