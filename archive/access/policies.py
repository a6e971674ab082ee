"""Access policies: who may read what. The gate asks the configured one (`ACCESS_POLICY`).

A policy is pure: it sees the reader, the asset and the request, never the database
session, and answers with a PolicyDecision. The rights issue's avails engine is a policy.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Mapping

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
    key: str  # "user:<id>": what one read session is keyed by

    @classmethod
    def for_user(cls, user) -> "Reader":
        return cls(user=user, key=f"user:{user.id}")

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


POLICIES: dict[str, type[AccessPolicy]] = {"members": MembersMayRead}


def make_policy(config: Mapping[str, Any]) -> AccessPolicy:
    """The policy `ACCESS_POLICY` names; ValueError naming the setting otherwise."""
    name = config.get("ACCESS_POLICY") or "members"
    try:
        return POLICIES[name]()
    except KeyError:
        raise ValueError(f"ORTAK_ACCESS_POLICY: must be one of {', '.join(POLICIES)}, not {name!r}") from None
