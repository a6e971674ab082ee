"""The steps of processing an asset: idempotent, each recorded on the asset, each re-runnable alone.

    probe → renditions → fingerprints → credentials → index

A step says what it depends on (`inputs`: the original's SHA-256, the profiles' hashes...),
whether what it made is still there (`is_current`), and how to run. `run_step` records it
on `asset.steps[name]`:

    {"status": "running" | "done" | "failed", "at": ISO-8601 UTC, "error": str | null,
     "inputs": SHA-256 hex of the inputs | null}

and skips a step that is `done` with the same inputs and whose outputs are current, so a
re-delivered task, a re-queued asset or an `ortak steps run` makes nothing twice; `force`
runs it anyway. A skipped step still gives later steps what they need (`load`: the probe
result from the stored technical metadata).

The record is made durable with `archive.db.checkpoint` when a step starts and ends: a run
lasts as long as the renditions take, and others read the record meanwhile.
"""
from __future__ import annotations

import abc
import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.events import services as events
from archive.media import images
from archive.media.container_types import same_type
from archive.media.probe import ProbeResult, inspect_media
from archive.media.profiles import renditions_for, spec_hash
from archive.provenance import credentials
from archive.provenance import services as provenance
from archive.renditions import services as renditions
from archive.renditions.models import Rendition
from archive.task_handles import INDEX_ASSET
from archive.transcripts import services as transcripts

MAX_ERROR = 2000
IMAGE_FORMATS = set(images.SUPPORTED)


@dataclass
class StepContext:
    """What the steps of one run share: the session and asset, the original as a local file
    (fetched once, on first use, and removed when the run ends), the kind and probe result
    the probe step found or loaded, `force` (run even what is current) and the step under way."""

    session: Session
    asset: Asset
    force: bool = False
    kind: str | None = None
    probe: ProbeResult | None = None
    running: str | None = None  # the step under way (named in a failure)
    _files: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _src: str | None = None

    def source(self) -> str:
        if self._src is None:
            self._src = self._files.enter_context(renditions.source_file(self.asset))
        return self._src

    def close(self) -> None:
        self._files.close()

    def __enter__(self) -> "StepContext":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class Step(abc.ABC):
    name: str
    version: int = 1  # bump when the step's code makes something else from the same inputs
    # Runs once the asset is ready (what it sends must see `ready`); the others make it ready.
    after_ready: bool = False

    def inputs(self, ctx: StepContext) -> dict[str, Any] | None:
        """What the step's outcome depends on; None: it runs every time."""
        return None

    def is_current(self, ctx: StepContext) -> bool:
        """Whether what the step made last time is still there."""
        return True

    def load(self, ctx: StepContext) -> None:
        """When skipped: give later steps what a run would have given them."""

    @abc.abstractmethod
    def run(self, ctx: StepContext) -> None:
        """Do the work; raise Rejected (the file's fault) or anything else (ours)."""


def digest(step: Step, inputs: dict[str, Any] | None) -> str | None:
    if inputs is None:
        return None
    text = json.dumps({"step": step.name, "version": step.version, "inputs": inputs}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class ProbeStep(Step):
    """ffprobe (or Pillow for images) and the decode check: the kind and technical metadata."""

    name = "probe"
    version = 2  # 2: the content type from the container (archive.media.container_types)

    def inputs(self, ctx: StepContext) -> dict[str, Any]:
        return {"original": ctx.asset.sha256}

    def is_current(self, ctx: StepContext) -> bool:
        return ctx.asset.kind is not None and ctx.asset.technical is not None

    def load(self, ctx: StepContext) -> None:
        ctx.kind = ctx.asset.kind
        ctx.probe = renditions.probe_from_technical(ctx.asset.technical)

    def run(self, ctx: StepContext) -> None:
        ctx.kind, ctx.probe, technical = inspect(ctx.source())
        ctx.asset.kind = ctx.kind
        ctx.asset.technical = technical
        follow_content(ctx.session, ctx.asset, technical)
        # Subtitles put while the length was not known (an upload's, `ortak import`'s sidecars)
        # get the check a PUT after this gets: one with a cue past the end is removed, said why.
        transcripts.check_against_length(ctx.session, ctx.asset)


CONTENT_TYPE_CORRECTED = "asset.content_type_corrected"


def follow_content(session: Session, asset: Asset, technical: dict) -> None:
    """Make the asset's `content_type` the type its bytes show once probed (`technical
    ["content_type"]`: the container ffprobe found, archive.media.container_types, or the
    image format Pillow found), not the one its name or its uploader declared: downloads
    serve it, C2PA signs and reads by it. When that changes it, the Event
    `asset.content_type_corrected` says so: before {"content_type": declared}, after
    {"content_type": found, "container": ffprobe's format_name or the image format}. A
    container the table does not name keeps the declared type, and so does a declared alias
    of the type found (`audio/x-wav` for `audio/wav`: container_types.same_type). Flushes
    nothing."""
    found = technical.get("content_type")
    if not isinstance(found, str) or not found or same_type(found, asset.content_type):
        return
    events.record(session, actor_id=None, action=CONTENT_TYPE_CORRECTED, subject_type="asset",
                  subject_id=asset.id, before={"content_type": asset.content_type},
                  after={"content_type": found, "container": technical.get("container")})
    asset.content_type = found


def inspect(src: str) -> tuple[str, ProbeResult | None, dict]:
    """kind, probe (audio/video only) and the technical metadata to store; Rejected if unusable."""
    fmt = images.identify(src)
    if fmt in IMAGE_FORMATS or fmt == "BOMB":
        info = images.inspect_image(src)
        return "image", None, info.to_dict()
    probe = inspect_media(src, timeout=float(current_app.config["PROBE_TIMEOUT"]))
    return probe.kind, probe, probe.to_dict()


class RenditionsStep(Step):
    """Every rendition of the asset's kind, made from one decode (`make_renditions`)."""

    name = "renditions"

    def inputs(self, ctx: StepContext) -> dict[str, Any]:
        return {"original": ctx.asset.sha256, "kind": ctx.kind,
                "profiles": {p.name: spec_hash(p) for p in renditions_for(ctx.kind or "", ctx.probe, watermark=preview_watermark(ctx.asset))}}

    def is_current(self, ctx: StepContext) -> bool:
        rows = {row.name: row for row in ctx.session.scalars(
            select(Rendition).where(Rendition.asset_id == ctx.asset.id))}
        return all(p.name in rows and renditions.is_current(ctx.session, rows[p.name], p)
                   for p in renditions_for(ctx.kind or "", ctx.probe, watermark=preview_watermark(ctx.asset)))

    def run(self, ctx: StepContext) -> None:
        renditions.make_renditions(ctx.session, ctx.asset, renditions_for(ctx.kind or "", ctx.probe, watermark=preview_watermark(ctx.asset)), ctx.source,
                                   probe=ctx.probe, force=ctx.force)


def preview_watermark(asset: Asset) -> str | None:
    """The text the asset's previews carry: its organisation's `preview_watermark`, or None."""
    organisation = asset.organisation
    return organisation.preview_watermark if organisation is not None else None


class FingerprintsStep(Step):
    """The video's perceptual hashes (made by the renditions' one decode, the `fingerprints`
    rendition) copied into the reverse clip search index table (`archive.provenance`)."""

    name = "fingerprints"

    def inputs(self, ctx: StepContext) -> dict[str, Any]:
        entry = provenance.fingerprint_file(ctx.session, ctx.asset.id)
        return {"fingerprints": entry.sha256 if entry is not None else None}

    def is_current(self, ctx: StepContext) -> bool:
        return provenance.fingerprint_file(ctx.session, ctx.asset.id) is None or \
            provenance.is_recorded(ctx.session, ctx.asset.id)

    def run(self, ctx: StepContext) -> None:
        provenance.record_fingerprints(ctx.session, ctx.asset)


class IndexStep(Step):
    """Send the asset to the search index (after the commit; the index is derived data,
    `ortak reindex` rebuilds it). Runs every time: an edit may have changed the document."""

    name = "index"
    after_ready = True

    def run(self, ctx: StepContext) -> None:
        INDEX_ASSET.send(ctx.session, ctx.asset.id)


class CredentialsStep(Step):
    """C2PA: read the manifest the original carries, and sign the downloadable renditions for
    the configured signer (`archive.provenance.credentials`). An invalid manifest is recorded,
    never a failure; a missing key leaves the renditions unsigned (noted on the asset)."""

    name = "credentials"

    def inputs(self, ctx: StepContext) -> dict[str, Any]:
        return credentials.step_inputs(ctx.session, ctx.asset)

    def is_current(self, ctx: StepContext) -> bool:
        return credentials.step_is_current(ctx.session, ctx.asset)

    def run(self, ctx: StepContext) -> None:
        credentials.read_master(ctx.session, ctx.asset, ctx.source())
        credentials.sign_renditions(ctx.session, ctx.asset, ctx.source())


PROBE, RENDITIONS, FINGERPRINTS, CREDENTIALS, INDEX = (ProbeStep(), RenditionsStep(), FingerprintsStep(),
                                                     CredentialsStep(), IndexStep())
STEPS: tuple[Step, ...] = (PROBE, RENDITIONS, FINGERPRINTS, CREDENTIALS, INDEX)
BY_NAME = {step.name: step for step in STEPS}


def run_step(ctx: StepContext, step: Step) -> bool:
    """Run `step` unless it is done, its inputs are unchanged and its outputs current (then
    `load` it); True when it ran. Records the step (see the module docstring) and
    checkpoints. Raises what the step raised, with `ctx.running` naming the step: the caller
    rolls back and records the failure with `record_failure`."""
    inputs = digest(step, step.inputs(ctx))
    last = (ctx.asset.steps or {}).get(step.name) or {}
    if (not ctx.force and inputs is not None and last.get("status") == "done" and last.get("inputs") == inputs
            and step.is_current(ctx)):
        step.load(ctx)
        return False
    ctx.running = step.name
    record(ctx.asset, step.name, "running", inputs=inputs)
    db.checkpoint(ctx.session)
    step.run(ctx)
    record(ctx.asset, step.name, "done", inputs=inputs)
    db.checkpoint(ctx.session)
    ctx.running = None
    return True


def record(asset: Asset, name: str, status: str, *, inputs: str | None = None, error: str | None = None) -> None:
    """Set `asset.steps[name]` (a new dict, so the JSON column sees the change). Flushes nothing."""
    steps = dict(asset.steps or {})
    steps[name] = {"status": status, "at": utcnow().isoformat(timespec="seconds"),
                   "error": error[:MAX_ERROR] if error else None, "inputs": inputs}
    asset.steps = steps


def record_failure(asset: Asset, name: str, error: str) -> None:
    """The step `name` failed with `error`; the inputs it ran with are kept."""
    inputs = ((asset.steps or {}).get(name) or {}).get("inputs")
    record(asset, name, "failed", inputs=inputs, error=error)
