"""Access policies: who may read what. The gate asks the configured one (`ACCESS_POLICY`).

A policy is pure: it sees the reader, the asset and the request, never the database
session, and answers with a PolicyDecision. The rights issue's avails engine is a policy.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Mapping

from archive.markers.timeline import Timeline, media_seconds
from archive.rights import avails

ALLOWED = "allowed"
ALLOWED_WITH_CONDITIONS = "allowed_with_conditions"
DENIED = "denied"
OUTCOMES = (ALLOWED, ALLOWED_WITH_CONDITIONS, DENIED)
# How good the bytes are: a master-quality read is a use of the asset and needs the gate's
# usage record; a preview (proxy, poster, storyboard) is looking, not using.
MASTER = "master"
PREVIEW = "preview"


@dataclass(frozen=True)
class Reader:
    """Who reads: a user today; a share link carries its creator as `user` and its own key."""

    user: Any  # archive.accounts.models.User
    key: str  # "user:<id>" (or "share:<link id>"): what one read session is keyed by
    share_link_id: str | None = None  # the share link a visitor reads through (`user` is its creator)
    # Whether the requests of one read session share one usage record (archive.access.gate).
    # A share link's visitors have no account to tell them apart, and a continued download is
    # a take of its own: each of their reads that is a use gets its own record.
    merges_reads: bool = True

    @classmethod
    def for_user(cls, user) -> "Reader":
        return cls(user=user, key=f"user:{user.id}")

    @classmethod
    def for_share_link(cls, link) -> "Reader":
        """A visitor of a share link: reads as the link's creator, recorded against the link."""
        return cls(user=link.creator, key=f"share:{link.id}", share_link_id=link.id, merges_reads=False)

    @property
    def organisation_id(self) -> int:
        return self.user.organisation_id


@dataclass(frozen=True)
class ReadRequest:
    """What is asked for: `what` ("original" or a rendition name) of `asset`, at `quality`,
    optionally a segment {"in": s, "out": s} in seconds, with the reader's usage declaration."""

    asset: Any  # archive.assets.models.Asset
    what: str
    quality: str = MASTER
    action: str = "download"
    segment: dict | None = None
    declaration: dict | None = None
    # The asset's rights blocks as the avails engine sees them; the gate loads them for a
    # policy that `needs_rights`, so the policy itself never touches the database.
    rights: tuple = ()


@dataclass(frozen=True)
class PolicyDecision:
    """`outcome` is one of OUTCOMES; `reasons` are {"code", "message"} dicts a person and a
    client can read; `conditions` what the use must honour (credit line...); `blocks` the ids
    of the rights blocks that decided it."""

    outcome: str
    reasons: list[dict] = field(default_factory=list)
    conditions: dict = field(default_factory=dict)
    blocks: list = field(default_factory=list)

    def __post_init__(self):
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")

    @property
    def allowed(self) -> bool:
        return self.outcome != DENIED


class AccessPolicy(abc.ABC):
    name: str
    needs_rights: bool = False

    def __init__(self, config: Mapping[str, Any] | None = None):
        self.config = dict(config or {})

    def wants_rights(self, reader: Reader, request: "ReadRequest") -> bool:
        """Whether the gate should load the asset's rights blocks for `reader`'s request."""
        return self.needs_rights

    @abc.abstractmethod
    def decide(self, reader: Reader, request: ReadRequest) -> PolicyDecision:
        """The decision for `request`; never raises for a refusal (that is a DENIED decision)."""


class MembersMayRead(AccessPolicy):
    """Every active member of the platform may read every asset (the rule before rights)."""

    name = "members"

    def decide(self, reader: Reader, request: ReadRequest) -> PolicyDecision:
        if not getattr(reader.user, "active", False):
            return PolicyDecision(DENIED, [{"code": "account_disabled", "message": "This account is disabled."}])
        return PolicyDecision(ALLOWED)


DECLARED = ("platform", "territory", "from", "to", "purpose", "programme")


class RightsPolicy(AccessPolicy):
    """The rights decide (README "Rights and avails"): admins read everything and the
    contributing organisation its own assets (both still recorded by the gate); previews
    follow `RIGHTS_PREVIEW`; any other master-quality read needs a complete usage
    declaration (else `declaration_required`) and the avails engine's grant for the reader's
    organisation, on the declared platform, territory and days, for the segment read."""

    name = "rights"
    needs_rights = True

    def __init__(self, config: Mapping[str, Any] | None = None, today=None):
        super().__init__(config)
        self.preview_rule = self.config.get("RIGHTS_PREVIEW") or "members"
        self._today = today or (lambda: datetime.now(timezone.utc).date())

    def wants_rights(self, reader: Reader, request: ReadRequest) -> bool:
        # Previews open to every member (the default) need no blocks: an HLS player's many
        # segment requests cost no extra query. Nor do the readers `decide` lets through
        # before it looks at blocks: admins and the contributing organisation.
        user = reader.user
        if getattr(user, "role", None) == "admin" or request.asset.organisation_id == getattr(user, "organisation_id", None):
            return False
        return request.quality == MASTER or self.preview_rule != "members"

    def decide(self, reader: Reader, request: ReadRequest) -> PolicyDecision:
        user = reader.user
        if not getattr(user, "active", False):
            return PolicyDecision(DENIED, [{"code": "account_disabled", "message": "This account is disabled."}])
        if user.role == "admin":
            return PolicyDecision(ALLOWED, [{"code": "admin", "message": "Administrators may read every asset."}])
        asset = request.asset
        if asset.organisation_id == user.organisation_id:
            return PolicyDecision(ALLOWED, [{"code": "own_asset", "message": "Your organisation contributed this "
                                             "asset; it may always use it."}])
        if request.quality == PREVIEW:
            return self._preview(user, request)
        declaration = request.declaration or {}
        missing = [k for k in DECLARED if not declaration.get(k)]
        if missing:
            return PolicyDecision(DENIED, [{"code": "declaration_required", "missing": missing,
                                            "message": "Declare the use first: " + ", ".join(missing) + "."}])
        org = user.organisation
        segment = (float(request.segment["in"]), float(request.segment["out"])) if request.segment else None
        ask = avails.AvailsRequest(org.id, org.country, declaration["platform"], declaration["territory"],
                                   date.fromisoformat(declaration["from"]), date.fromisoformat(declaration["to"]),
                                   segment, media_seconds(asset.technical, asset.kind),
                                   asset.organisation_id, timecode=_timecode_of(asset))
        d = avails.decide(ask, request.rights)
        return PolicyDecision(d.outcome, d.reasons, d.conditions, d.blocks)

    def _preview(self, user, request: ReadRequest) -> PolicyDecision:
        if self.preview_rule == "members":
            return PolicyDecision(ALLOWED)
        today = self._today()
        org = user.organisation
        named = [b for b in request.rights if b.kind == avails.GRANT and b.licensees.include(org.id, org.country)
                 and b.start <= today and (b.end is None or today <= b.end)]
        if named:
            return PolicyDecision(ALLOWED, blocks=sorted(b.id for b in named))
        return PolicyDecision(DENIED, [{"code": "not_a_licensee", "message": "Previews of this asset are for its "
                                        "licensees: no grant names your organisation today."}])


def _timecode_of(asset):
    """The master's timecode at a point in seconds (refusals name segments as the clip form
    and the player do), or None for an asset without a timeline."""
    timeline = Timeline.of(asset.technical, asset.kind)
    return timeline.label_at if timeline is not None else None


POLICIES: dict[str, type[AccessPolicy]] = {"members": MembersMayRead, "rights": RightsPolicy}


def make_policy(config: Mapping[str, Any]) -> AccessPolicy:
    """The policy `ACCESS_POLICY` names; ValueError naming the setting otherwise."""
    name = config.get("ACCESS_POLICY") or "rights"
    try:
        return POLICIES[name](config)
    except KeyError:
        raise ValueError(f"ORTAK_ACCESS_POLICY: must be one of {', '.join(POLICIES)}, not {name!r}") from None
