"""The joint working commission: its meetings, held alternately in each country.

A meeting has a date, a city, a host country (TR or AZ), its attendees, its decisions (in
order), the projects it dealt with, and optionally its minutes as a file (PDF, a scan...),
kept in the blob store. Listing the meetings marks each one hosted by the same country as
the meeting before it (`same_host_as_previous`, with a warning), since the memorandum has
the commission alternate between the two countries.

Who: every member sees the meetings; producers and admins record them; the minutes of a
meeting are uploaded once (a second upload is refused: 409 `minutes_exist`), by the
organisation that recorded it or an admin (403 `not_meeting_recorder`).
"""
from __future__ import annotations

import hashlib
import io
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.coproduction.entry_schemas import meeting_errors
from archive.coproduction.models import Meeting, Party, Project
from archive.coproduction.schemas import Checker, raise_errors
from archive.content_types import refuse_other_content
from archive.errors import ApiError, Conflict, Forbidden, NotFound
from archive.events.services import record
from archive.filenames import safe_filename
from archive.backends import storage
from archive.storage.interfaces import BlobNotFound, StorageError

MAX_MINUTES_BYTES = 20 * 1024 * 1024
MINUTES_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "application/vnd.oasis.opendocument.text", "text/plain", "image/jpeg", "image/png")


def visible_project_ids(session: Session, viewer, ids: Iterable[str] | None = None) -> set[str]:
    """The ids (of `ids`, or of every project) of the projects `viewer` may see
    (`archive.coproduction.projects.can_view`: admins all, anyone else their organisation's)."""
    q = select(Project.id)
    if ids is not None:
        q = q.where(Project.id.in_(list(ids)))
    if viewer.role != "admin":
        q = q.where(Project.id.in_(select(Party.project_id).where(Party.organisation_id == viewer.organisation_id)))
    return set(session.scalars(q))


def create_meeting(session: Session, data: Any, actor) -> Meeting:
    """A meeting from {"date", "city", "host_country", "attendees"?, "decisions"?, "projects"?}
    (projects: ids the caller may see; another's is `project_not_found`, as an unknown id).
    422 `invalid_meeting` listing every mistake."""
    cleaned, errors = meeting_errors(data)
    c = Checker(errors)
    known = visible_project_ids(session, actor, cleaned.get("projects") or [])
    for i, pid in enumerate(cleaned.get("projects") or []):
        if pid not in known:  # a project the actor may not see is not there for them
            c.fail(f"projects[{i}]", "project_not_found", "No such project.")
    raise_errors("invalid_meeting", c.errors)
    meeting = Meeting(date=cleaned["date"], city=cleaned["city"], host_country=cleaned["host_country"],
                      attendees=cleaned["attendees"], decisions=cleaned["decisions"], project_ids=cleaned["projects"],
                      created_by=actor.id)
    session.add(meeting)
    session.flush()
    record(session, actor_id=actor.id, action="meeting.recorded", subject_type="meeting", subject_id=meeting.id,
           after={"date": meeting.date.isoformat(), "city": meeting.city, "host_country": meeting.host_country})
    return meeting


def get_meeting(session: Session, meeting_id: object) -> Meeting:
    meeting = session.get(Meeting, meeting_id) if isinstance(meeting_id, str) and len(meeting_id) <= 64 else None
    if meeting is None:
        raise NotFound("No such meeting.", code="meeting_not_found")
    return meeting


def meetings(session: Session, project_id: str | None = None) -> list[Meeting]:
    """Meetings in date order (oldest first); those that dealt with `project_id` when given."""
    rows = list(session.scalars(select(Meeting).order_by(Meeting.date, Meeting.created_at, Meeting.id)))
    if project_id is not None:
        rows = [m for m in rows if project_id in (m.project_ids or [])]
    return rows


def with_warnings(rows: list[Meeting]) -> list[tuple[Meeting, bool]]:
    """Each meeting of the whole sequence and whether its host is the previous meeting's."""
    out, previous = [], None
    for m in rows:
        out.append((m, previous is not None and previous.host_country == m.host_country))
        previous = m
    return out


def require_minutes_writer(session: Session, meeting: Meeting, actor) -> None:
    """403 `not_meeting_recorder` unless `actor` is an admin or of the organisation whose
    member recorded the meeting: the minutes are stored once, so no other organisation may
    put a file there first."""
    if actor.role == "admin":
        return
    recorder = session.get(User, meeting.created_by)
    if recorder is None or recorder.organisation_id != actor.organisation_id:
        raise Forbidden("Only the organisation that recorded the meeting (or an administrator) stores its minutes.",
                        code="not_meeting_recorder")


def store_minutes(session: Session, meeting: Meeting, body: bytes, content_type: str | None,
                  filename: str | None, actor) -> Meeting:
    """Keep the meeting's minutes file (`filename` as sent, decoded by the view; None:
    `minutes-<date>`). 409 `minutes_exist`; 413 `minutes_too_large`; 415
    `unsupported_media_type` (PDF, DOCX, ODT, plain text, JPEG or PNG) or
    `content_type_mismatch` (the bytes are of another type); 400 `empty_body`; 403
    `not_meeting_recorder` (`require_minutes_writer`)."""
    require_minutes_writer(session, meeting, actor)
    if meeting.minutes_key:
        raise Conflict("The minutes of this meeting are stored already.", code="minutes_exist")
    if len(body) > MAX_MINUTES_BYTES:
        raise ApiError(f"Minutes are at most {MAX_MINUTES_BYTES} bytes.", code="minutes_too_large", status=413,
                       details={"limit": MAX_MINUTES_BYTES})
    if content_type not in MINUTES_TYPES:
        raise ApiError(f"Send the minutes as one of {', '.join(MINUTES_TYPES)}.", code="unsupported_media_type",
                       status=415, details={"accepted": list(MINUTES_TYPES)})
    if not body:
        raise ApiError("The body is empty: send the minutes file.", code="empty_body", status=400)
    refuse_other_content(body, content_type)
    digest = hashlib.sha256(body).hexdigest()
    key = f"commission/minutes/{meeting.id}/{digest}"
    try:
        storage().put_stream(key, io.BytesIO(body), length=len(body), content_type=content_type)
    except StorageError as exc:
        raise ApiError("The minutes could not be stored; try again.", code="storage_failed", status=503) from exc
    meeting.minutes_key, meeting.minutes_size, meeting.minutes_sha256 = key, len(body), digest
    meeting.minutes_content_type = content_type
    meeting.minutes_filename = safe_filename(filename) if filename else f"minutes-{meeting.date.isoformat()}"
    session.flush()
    record(session, actor_id=actor.id, action="meeting.minutes_added", subject_type="meeting", subject_id=meeting.id,
           after={"filename": meeting.minutes_filename, "size": len(body), "sha256": digest})
    return meeting


def minutes_bytes(meeting: Meeting):
    """(iterator of the minutes' bytes, size); 404 `minutes_not_found` when there are none."""
    if not meeting.minutes_key:
        raise NotFound("This meeting has no minutes file.", code="minutes_not_found")
    try:
        storage().stat(meeting.minutes_key)
    except BlobNotFound as exc:
        raise NotFound("The minutes file is missing from the store.", code="blob_missing") from exc
    return storage().open_range(meeting.minutes_key), meeting.minutes_size


def meeting_json(m: Meeting, same_host: bool | None = None, visible: set[str] | None = None) -> dict[str, Any]:
    """The meeting as the API shows it; `projects` only those in `visible` (the reader's,
    `visible_project_ids`) when given: every member reads the commission's meetings, a
    project's id only its parties and admins."""
    return {"id": m.id, "date": m.date.isoformat(), "city": m.city, "host_country": m.host_country,
            "attendees": list(m.attendees or []), "decisions": list(m.decisions or []),
            "projects": [p for p in m.project_ids or [] if visible is None or p in visible],
            "minutes": {"filename": m.minutes_filename, "size": m.minutes_size, "sha256": m.minutes_sha256,
                        "content_type": m.minutes_content_type,
                        "url": f"/api/v1/commission/meetings/{m.id}/minutes"} if m.minutes_key else None,
            "same_host_as_previous": same_host,
            "warning": ("The previous meeting was also hosted by this country; the commission meets "
                        "alternately in each country.") if same_host else None}
