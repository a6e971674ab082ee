"""The avails grid of an asset: platform × territory × period, each cell open, exclusive to
someone, restricted, or not cleared. Pure (the engine's Blocks in, JSON out).

    {"platforms": [...], "territories": ["AZ", "TR", "WORLD"], "periods": [{"from", "to"}],
     "cells": {platform: {territory: [{"state", "licensees", "blocks", "segment"}...]}}}

One entry per period in each cell list. `WORLD` stands for every country no block names by
itself. States: `restricted` (a restriction of the whole asset applies, to its licensees),
`exclusive` (an exclusive grant: `licensees` says to whom), `open` (grants to
`licensees`), `none` (nothing cleared). `segment` is true when a block of the cell covers
only part of the asset. Holdbacks are not drawn; the engine applies them.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, Iterable

from archive.rights.avails import GRANT, PLATFORMS, RESTRICTION, WORLD, Block

MAX_PERIODS = 200


def _covers(block: Block, territory: str) -> bool:
    if territory == WORLD:
        return WORLD in block.territories
    return territory not in block.exclude_territories and (territory in block.territories or WORLD in block.territories)


def licensee_labels(block: Block, org_name: Callable[[object], str]) -> list[str]:
    lic = block.licensees
    if lic.all_members:
        return ["*"]
    return sorted(org_name(o) for o in lic.organisations) + sorted(lic.countries)


def avails_grid(blocks: Iterable[Block], org_name: Callable[[object], str]) -> dict:
    blocks = list(blocks)
    platforms = [p for p in PLATFORMS if any(p in b.platforms for b in blocks)]
    named = sorted({t for b in blocks for t in b.territories | b.exclude_territories if t != WORLD})
    territories = named + ([WORLD] if any(WORLD in b.territories for b in blocks) else [])
    cuts = sorted({b.start for b in blocks} | {b.stop() for b in blocks})[:MAX_PERIODS + 1]
    periods = [(a, b) for a, b in zip(cuts, cuts[1:])]
    cells: dict = {}
    for p in platforms:
        row = cells.setdefault(p, {})
        for t in territories:
            out = []
            for d0, _ in periods:
                live = [b for b in blocks if p in b.platforms and _covers(b, t) and b.start <= d0 < b.stop()]
                restr = [b for b in live if b.kind == RESTRICTION and b.segment is None]
                grants = [b for b in live if b.kind == GRANT]
                if restr:
                    state, chosen = "restricted", restr
                elif any(b.exclusive for b in grants):
                    state, chosen = "exclusive", [b for b in grants if b.exclusive]
                elif grants:
                    state, chosen = "open", grants
                else:
                    state, chosen = "none", [b for b in live if b.kind == RESTRICTION]
                out.append({"state": state,
                            "licensees": sorted({x for b in chosen for x in licensee_labels(b, org_name)}),
                            "blocks": sorted(b.id for b in chosen),
                            "segment": any(b.segment is not None for b in chosen)})
            row[t] = out
    return {"platforms": platforms, "territories": territories,
            "periods": [{"from": a.isoformat(), "to": None if b == date.max else (b - timedelta(days=1)).isoformat()}
                        for a, b in periods],
            "cells": cells}
