"""Rights in the index: what is open today, by platform × territory × licensee, as tokens.

The archive decides (with its avails engine) which territories each kind of licensee may use
an asset in today, per platform, and hands the answer here as plain data; this module turns
it into the `cleared` keyword tokens of the search document and turns "cleared for me" into
a query over them. Both backends read the same tokens and the same query shape.

Licensee classes (the key of each token):

- `org:<id>`      an organisation that a rights block of the asset names (its exact answer);
- `country:<CC>`  any other organisation of a country a block names;
- `all`           any other organisation at all;
- `own:<id>`      the contributing organisation (it may always use its own assets).

An organisation a block names is marked `named|org:<id>` and a country `named|country:<CC>`,
so a broader class never answers for someone with an answer of their own (a restriction for
one organisation beats an all-members grant).

Territories, per class and platform, for the set S of territories cleared today out of the
universe U (every ISO 3166-1 alpha-2 code):

- S = U:            `K|P|WORLD`
- |S| >= |U| / 2:   `K|P|MOST` and `K|P|-T` for each T not in S (WORLD minus its exclusions)
- otherwise:        `K|P|T` for each T in S

so a class and platform never cost more than about |U| / 2 tokens, and the usual
grant (WORLD, or WORLD minus a few exclusions, or a few countries) only a handful.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Iterable, Mapping

WORLD = "WORLD"
MOST = "MOST"
ALL = "all"
MAX_CODE = 32
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@dataclass(frozen=True)
class ClearedFor:
    """Who asks and where: `organisation` (id, as text) of `country` (alpha-2), in
    `territory` (alpha-2 or WORLD), today. `platform` filters the hits to assets cleared
    on it (None: no filter); `platforms` are the ones the `cleared` facet counts."""

    organisation: str
    country: str
    territory: str
    platform: str | None = None
    platforms: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Alternative:
    """Matches a document holding any of `any_of` and none of `none_of`."""

    any_of: tuple[str, ...]
    none_of: tuple[str, ...] = ()


def org_class(org_id: object) -> str:
    return f"org:{org_id}"


def country_class(country: str) -> str:
    return f"country:{country}"


def own_token(org_id: object) -> str:
    return f"own:{org_id}"


def named_token(licensee_class: str) -> str:
    return f"named|{licensee_class}"


def document_tokens(*, owner: object | None, open_today: Mapping[str, Mapping[str, Collection[str]]],
                    named: Iterable[str], universe: Collection[str]) -> list[str]:
    """The `cleared` tokens of one asset, sorted.

    `owner`: the contributing organisation's id (None: none); `open_today`: licensee class
    (`org:<id>`, `country:<CC>`, `all`) → platform → the territories it is cleared in today;
    `named`: the classes the asset's blocks name (`org:<id>`, `country:<CC>`); `universe`:
    every territory code WORLD stands for.
    """
    out: set[str] = {named_token(k) for k in named}
    if owner is not None:
        out.add(own_token(owner))
    size = len(universe)
    for key, by_platform in open_today.items():
        for platform, territories in by_platform.items():
            cleared = set(territories) & set(universe)
            if not cleared:
                continue
            prefix = f"{key}|{platform}|"
            if len(cleared) == size:
                out.add(prefix + WORLD)
            elif 2 * len(cleared) >= size:
                out.add(prefix + MOST)
                out.update(prefix + "-" + t for t in universe if t not in cleared)
            else:
                out.update(prefix + t for t in cleared)
    return sorted(out)


def _territory(key: str, platform: str, territory: str, extra_none: tuple[str, ...]) -> list[Alternative]:
    prefix = f"{key}|{platform}|"
    if territory == WORLD:
        return [Alternative((prefix + WORLD,), extra_none)]
    return [Alternative((prefix + territory, prefix + WORLD), extra_none),
            Alternative((prefix + MOST,), (prefix + "-" + territory, *extra_none))]


def check(who: ClearedFor) -> None:
    """ValueError unless every value of `who` is a plain code (letters, digits, _ and -)."""
    for value in (who.organisation, who.country, who.territory, *((who.platform,) if who.platform else ()),
                  *who.platforms):
        if not isinstance(value, str) or not value or len(value) > MAX_CODE or not set(value) <= _SAFE:
            raise ValueError(f"not a plain code: {str(value)[:40]!r}")


def query(who: ClearedFor, platform: str) -> list[Alternative]:
    """The alternatives (OR-ed) that say `who` may use an asset on `platform` in their
    territory today (see the module docstring for the tokens). ValueError for a value that is
    no plain code (`check`)."""
    check(who)
    check(ClearedFor(who.organisation, who.country, who.territory, platform))
    org, country = org_class(who.organisation), country_class(who.country)
    return [Alternative((own_token(who.organisation),)),
            *_territory(org, platform, who.territory, ()),
            *_territory(country, platform, who.territory, (named_token(org),)),
            *_territory(ALL, platform, who.territory, (named_token(org), named_token(country)))]
