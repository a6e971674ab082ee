"""What is open today, for the search index: the avails engine asked, for one day, for every
kind of licensee, platform and territory the blocks of an asset can tell apart.

Pure (the engine's Blocks in, plain data out); `archive.indexing` reads the rows and hands
the result to `search.cleared.document_tokens`.

Kinds of licensee: every organisation a block names (asked with its own id and country),
any other organisation of each country a block names (`country:<CC>`), and any other
organisation at all (`all`). Territories that every block treats alike (the same blocks
cover them, the same holdbacks name them) get one answer, asked once for one of them: the
engine's answer for a single territory depends on nothing else.
"""
from __future__ import annotations

from datetime import date
from typing import Hashable, Mapping, Sequence

from archive.rights import avails
from search.cleared import ALL, country_class, org_class

# Stand-ins that no block can name: organisation ids are integers, countries two letters.
_NOBODY = "-nobody-"
_NOWHERE = "-"


def territory_groups(blocks: Sequence[avails.Block]) -> list[frozenset[str]]:
    """Every ISO territory, grouped by how the blocks treat it."""
    sets = [b.territory_set() for b in blocks]
    held = [h.territories for b in blocks for h in b.holdbacks]
    groups: dict[tuple, set[str]] = {}
    for t in avails.all_territories():
        sig = tuple(t in s for s in sets) + tuple(t in h for h in held)
        groups.setdefault(sig, set()).add(t)
    return [frozenset(g) for g in groups.values()]


def open_today(blocks: Sequence[avails.Block], *, owner: Hashable | None, duration: float | None,
               country_of: Mapping[Hashable, str], today: date) -> tuple[dict[str, dict[str, set[str]]], set[str]]:
    """(licensee class → platform → territories cleared on `today` for the whole asset,
    the classes the blocks name), for `search.cleared.document_tokens`.

    `owner`: the contributing organisation's id; `duration`: the asset's length in seconds
    (None: unknown); `country_of`: organisation id → its country, for the organisations the
    blocks name (one missing is asked as of no country).
    """
    if not blocks:
        return {}, set()
    named_orgs = sorted({o for b in blocks for o in b.licensees.organisations}, key=str)
    named_countries = sorted({c for b in blocks for c in b.licensees.countries})
    classes: list[tuple[str, Hashable, str]] = [(org_class(o), o, country_of.get(o, _NOWHERE)) for o in named_orgs]
    classes += [(country_class(c), _NOBODY, c) for c in named_countries]
    classes.append((ALL, _NOBODY, _NOWHERE))
    # Only a grant clears: platforms no grant names are never open.
    platforms = [p for p in avails.PLATFORMS if any(b.kind == avails.GRANT and p in b.platforms for b in blocks)]
    groups = territory_groups(blocks) if platforms else []
    out: dict[str, dict[str, set[str]]] = {}
    for key, org, country in classes:
        if owner is not None and org == owner:
            continue  # its own asset: the `own:` token answers for it
        for platform in platforms:
            cleared: set[str] = set()
            for group in groups:
                request = avails.AvailsRequest(org, country, platform, min(group), today, today, None, duration,
                                               owner, False)
                if avails.decide(request, blocks).allowed:
                    cleared |= group
            if cleared:
                out.setdefault(key, {})[platform] = cleared
    named = {org_class(o) for o in named_orgs} | {country_class(c) for c in named_countries}
    return out, named
