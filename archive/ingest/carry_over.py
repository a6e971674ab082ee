"""What people typed for an upload, carried to the asset that already held its bytes.

A tus upload's asset exists from its first request (status `uploading`): while the bytes
arrive its metadata is edited, transcripts are put, rights blocks (and markers) are added. When
the last byte shows the archive held those bytes already, that placeholder is removed
(`services.remove_placeholder`) and, before it goes, `carry_over` moves what it can to the
asset that holds the bytes, or to the uploader's organisation's holding of it, and reports the
rest; nothing typed is dropped unsaid. The rule is who may change what:

- The held asset is the uploader's organisation's own (`OWN_ASSET`): it gains what it lacks.
  Metadata: a title or description in a language it has none in, a field it has not set
  (`genre`, `recorded`), list items it lacks (`keywords`, `people`, `places`, `languages`,
  up to MAX_LIST); a different value where it has one is a conflict, not applied. Transcripts
  in a language it has none of move to it (the same file in a language it has is nothing new;
  another file there is a conflict; a cue past its end is refused as a PUT would). Rights
  blocks move unless the asset has the same block, or one is an exclusive grant it may not
  coexist with (`exclusive_conflict`), or the asset is full. Each move is the Event it would
  have been (`asset.metadata_changed`, `transcript.added`, `rights.block_created`, by whoever
  made it), and the clips of the asset inherit a moved block as they would a new one.
- Another organisation's asset (`HOLDING_ADDED`, `ALREADY_HELD`): only that organisation edits
  its metadata, transcripts and rights. The metadata goes to the uploader's organisation's
  holding (`AssetHolding.meta`: a new holding takes the metadata as it stands at the end of the
  upload, an existing one gains what it lacks, as above). Transcripts and rights blocks are
  NOT moved (a rights block says what its organisation grants of its own asset; it means
  nothing on another's): reported as not applied (`not_your_asset`) and kept whole in the
  Event.
- Markers are notes every member may add to any asset: they move to the held asset either way
  (an identical marker there is nothing new), up to MAX_MARKERS.

`carry_over` flushes and writes the Events; its `CarryOver` gives the report (`as_json`, for the
upload and the answers) and the content not applied (`kept`: cues of transcripts, whole rights
blocks, the values of fields) for the placeholder's `asset.upload_removed` Event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import Organisation, User
from archive.assets.models import Asset, AssetHolding
from archive.assets.schemas import LISTS, LOCALISED, MAX_LIST
from archive.assets.services import ROW_FIELDS  # the asset's row, not its metadata: never carried over
from archive.events import services as events
from archive.markers.services import MAX_MARKERS, markers_of
from archive.rights import avails, inherited
from archive.rights.services import MAX_BLOCKS_PER_ASSET, blocks_json, engine_block, list_blocks
from archive.task_handles import INDEX_ASSET
from archive.transcripts.services import length_ms, transcripts_of

# Why something typed was not applied (`not_applied[].reason`).
CONFLICT = "conflict"                      # the held asset (or the holding) has another value there
SAME_FILE = "same_file"                    # a transcript the held asset has already, the same file: nothing new
NOT_YOUR_ASSET = "not_your_asset"          # another organisation's asset: its own transcripts and rights
EXCLUSIVE_CONFLICT = "exclusive_conflict"  # an exclusive grant the held asset's grants exclude
TOO_MANY = "too_many"                      # the held asset has as many as it may (items, markers, blocks)
CUE_PAST_END = "cue_past_end"              # a transcript cue starting at or after the recording's end
REASONS = (CONFLICT, NOT_YOUR_ASSET, EXCLUSIVE_CONFLICT, TOO_MANY, CUE_PAST_END)


@dataclass
class CarryOver:
    """`applied` and `not_applied`: [{"what": "title" | "description" | a metadata field |
    "transcript" | "marker" | "rights_block", "to": "asset" | "holding", ...}] (a metadata field
    with `lang` and `value`, or `values` for a list; a transcript with `lang`, `filename`,
    `sha256`, `cues`; a marker with `text`; a rights block with its `id`, or `block` (API shape)
    when not applied; each not applied with `reason`, one of REASONS). `kept`: the content of
    what was not applied that the report only names (transcripts' cues), for the Event."""

    applied: list[dict[str, Any]] = field(default_factory=list)
    not_applied: list[dict[str, Any]] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"applied": self.applied, "not_applied": self.not_applied}

    def __bool__(self) -> bool:
        return bool(self.applied or self.not_applied)


def merge_typed(target: dict, typed: dict, to: str, report: CarryOver) -> dict:
    """`target` metadata (API shape) with what it lacks of `typed`; the rest reported as not
    applied (CONFLICT, or TOO_MANY past MAX_LIST items). Returns a new dict; ROW_FIELDS are
    left to the caller."""
    merged = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
              for k, v in (target or {}).items()}
    for name, value in (typed or {}).items():
        if name in ROW_FIELDS or value in (None, "", [], {}):
            continue
        if name in LOCALISED:
            texts = merged.setdefault(name, {})
            for lang, text in value.items():
                if not texts.get(lang):
                    texts[lang] = text
                    report.applied.append({"what": name, "to": to, "lang": lang, "value": text})
                elif texts[lang] != text:
                    report.not_applied.append({"what": name, "to": to, "lang": lang, "value": text,
                                               "reason": CONFLICT})
        elif isinstance(value, list) and (name in LISTS or name == "languages"):
            have = list(merged.get(name) or [])
            new = [v for v in dict.fromkeys(value) if v not in have]
            room = max(0, MAX_LIST - len(have))
            if new[:room]:
                merged[name] = have + new[:room]
                report.applied.append({"what": name, "to": to, "values": new[:room]})
            if new[room:]:
                report.not_applied.append({"what": name, "to": to, "values": new[room:], "reason": TOO_MANY})
        elif merged.get(name) in (None, ""):
            merged[name] = value
            report.applied.append({"what": name, "to": to, "value": value})
        elif merged[name] != value:
            report.not_applied.append({"what": name, "to": to, "value": value, "reason": CONFLICT})
    return {k: v for k, v in merged.items() if v not in ({}, [], None, "")}


def carry_over(session: Session, existing: Asset, uploader: User, *, meta: dict, placeholder: Asset | None,
               new_holding: bool = False, upload_id: str | None = None) -> CarryOver:
    """Carry the upload's metadata (`meta`: the placeholder's as it stands at the end, or what
    `ortak import` read) and, with `placeholder`, its transcripts, markers and rights blocks to
    `existing`, the asset that held the bytes, or to the uploader's organisation's holding of it
    (module docstring). Call after `services.record_copy` (which made or found the holding) and
    before the placeholder is removed. Writes the Events of each move and, when anything was
    carried or left, `asset.upload_merged` on `existing` (what was applied; for its own
    organisation, also what was not). `new_holding`: `record_copy` has just made the holding (from
    `meta`): all of it is reported as applied to the holding. Flushes; re-indexes `existing`
    after the commit."""
    report = CarryOver()
    own = existing.organisation_id == uploader.organisation_id
    if own:
        _metadata_to_asset(session, existing, uploader, meta, report)
    else:
        _metadata_to_holding(session, existing, uploader, meta, report, new=new_holding)
    if placeholder is not None:
        _transcripts(session, placeholder, existing, own, report)
        _markers(session, placeholder, existing, report)
        _rights_blocks(session, placeholder, existing, own, report)
    if report:
        events.record(session, actor_id=uploader.id, action="asset.upload_merged", subject_type="asset",
                      subject_id=existing.id,
                      after={"upload_id": upload_id, "placeholder_id": placeholder.id if placeholder else None,
                             "organisation": uploader.organisation.name, "applied": report.applied,
                             **({"not_applied": report.not_applied} if own else {})})
        INDEX_ASSET.send(session, existing.id)
    session.flush()
    return report


def _metadata_to_asset(session: Session, asset: Asset, uploader: User, meta: dict, report: CarryOver) -> None:
    before_applied = len(report.applied)
    merged = merge_typed(asset.meta or {}, meta, "asset", report)
    row = {"organisation": asset.organisation.name if asset.organisation else None, "country": asset.country}
    for name in ROW_FIELDS:
        if meta.get(name) not in (None, "") and meta[name] != row[name]:
            report.not_applied.append({"what": name, "to": "asset", "value": meta[name], "reason": CONFLICT})
    if len(report.applied) == before_applied:
        return
    current = asset.meta or {}
    changed = sorted(k for k in set(current) | set(merged) if current.get(k) != merged.get(k))
    events.record(session, actor_id=uploader.id, action="asset.metadata_changed", subject_type="asset",
                  subject_id=asset.id, before={k: current.get(k) for k in changed},
                  after={k: merged.get(k) for k in changed})
    asset.meta = merged  # a new dict: the JSON column is seen as changed


def _metadata_to_holding(session: Session, asset: Asset, uploader: User, meta: dict, report: CarryOver, *,
                         new: bool) -> None:
    holding = session.scalar(select(AssetHolding).where(AssetHolding.asset_id == asset.id,
                                                        AssetHolding.organisation_id == uploader.organisation_id))
    if holding is None:  # record_copy makes or finds it; nothing to hold the metadata otherwise
        return
    merged = merge_typed({} if new else holding.meta or {}, meta, "holding", report)
    for name in ROW_FIELDS:  # a holding's metadata is the contribution as sent: these are kept as such
        if meta.get(name) not in (None, "") and name not in merged:
            merged[name] = meta[name]
    if merged != (holding.meta or {}):
        holding.meta = merged


def transcript_outcome(held: dict, lang: str, sha256: str, own: bool) -> str | None:
    """What becomes of a transcript in `lang` (its file's `sha256`) that came with bytes the
    archive held already, for an asset with the transcripts `held` (language → Transcript) and
    `own` the uploader's organisation's: None (it is added), SAME_FILE (the asset holds that file
    in that language: nothing new), NOT_YOUR_ASSET or CONFLICT (another file in that language:
    not applied; replacing one is a `PUT` of its own). The rule of tus uploads
    (`carry_over`) and of `ortak import`'s sidecars alike."""
    if not own:
        return NOT_YOUR_ASSET
    if lang in held:
        return SAME_FILE if held[lang].sha256 == sha256 else CONFLICT
    return None


def _transcripts(session: Session, placeholder: Asset, existing: Asset, own: bool, report: CarryOver) -> None:
    held = {t.lang: t for t in transcripts_of(session, existing.id)}
    end = length_ms(existing)
    for t in transcripts_of(session, placeholder.id):
        entry = {"what": "transcript", "to": "asset", "lang": t.lang, "filename": t.filename, "sha256": t.sha256,
                 "cues": len(t.segments)}
        reason = transcript_outcome(held, t.lang, t.sha256, own)
        if reason == SAME_FILE:
            continue  # nothing new
        if reason is None and end is not None and any(s.start_ms >= end for s in t.segments):
            reason = CUE_PAST_END
        if reason is not None:
            report.not_applied.append({**entry, "reason": reason})
            report.kept.append({**entry, "format": t.format,
                                "segments": [[s.start_ms, s.end_ms, s.text] for s in t.segments]})
            continue
        t.asset_id = existing.id
        session.flush()
        report.applied.append({**entry, "id": t.id})
        events.record(session, actor_id=t.author_id, action="transcript.added", subject_type="asset",
                      subject_id=existing.id, after={"lang": t.lang, "format": t.format, "sha256": t.sha256,
                                                     "segments": len(t.segments), "filename": t.filename,
                                                     "from_upload_asset": placeholder.id})


def _markers(session: Session, placeholder: Asset, existing: Asset, report: CarryOver) -> None:
    held = markers_of(session, existing.id)
    same = {(m.in_frame, m.out_frame, m.rate, m.text) for m in held}
    room = MAX_MARKERS - len(held)
    for m in markers_of(session, placeholder.id):
        key = (m.in_frame, m.out_frame, m.rate, m.text)
        if key in same:
            continue
        entry = {"what": "marker", "to": "asset", "in_frame": m.in_frame, "out_frame": m.out_frame, "rate": m.rate,
                 "text": m.text}
        if room <= 0:
            report.not_applied.append({**entry, "reason": TOO_MANY})
            continue
        m.asset_id = existing.id
        session.flush()
        same.add(key)
        room -= 1
        report.applied.append({**entry, "id": m.id})
        events.record(session, actor_id=m.author_id, action="marker.added", subject_type="asset",
                      subject_id=existing.id, after={"marker": m.id, **{k: entry[k] for k in
                                                                        ("in_frame", "out_frame", "rate", "text")},
                                                     "from_upload_asset": placeholder.id})


def _same_block(a: dict, b: dict) -> bool:
    def shape(d: dict) -> dict:
        return {k: v for k, v in d.items() if k not in ("id", "asset_id")}
    return shape(a) == shape(b)


def _rights_blocks(session: Session, placeholder: Asset, existing: Asset, own: bool, report: CarryOver) -> None:
    typed = list_blocks(session, placeholder)
    if not typed:
        return
    country_of = {o.id: o.country for o in session.scalars(select(Organisation))}
    for block in typed:
        as_json = blocks_json(session, [block])[0]
        entry = {"what": "rights_block", "to": "asset"}
        if not own:
            report.not_applied.append({**entry, "block": as_json, "reason": NOT_YOUR_ASSET})
            continue
        held = list_blocks(session, existing)
        held_json = blocks_json(session, held)
        if any(_same_block(as_json, h) for h in held_json):
            continue  # the same grant or restriction is there
        if len(held) >= MAX_BLOCKS_PER_ASSET:
            report.not_applied.append({**entry, "block": as_json, "reason": TOO_MANY})
            continue
        conflicts = avails.exclusivity_conflicts(engine_block(block), [engine_block(h) for h in held], country_of)
        if conflicts:
            report.not_applied.append({**entry, "block": as_json, "reason": EXCLUSIVE_CONFLICT,
                                       "blocks": [c.id for c in conflicts]})
            continue
        block.asset_id = existing.id
        session.flush()
        report.applied.append({**entry, "id": block.id})
        events.record(session, actor_id=block.created_by, action="rights.block_created", subject_type="asset",
                      subject_id=existing.id, after={**blocks_json(session, [block])[0],
                                                     "from_upload_asset": placeholder.id})
        inherited.follow_created(session, existing, block, block.created_by)  # its clips get it, as any new block

