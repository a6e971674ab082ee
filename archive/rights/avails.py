"""The avails engine: may organisation O use asset A (segment in..out) on platform P in
territory T from D1 to D2?  One pure function, `decide`: no database, no Flask, no clock.

    decision = decide(AvailsRequest(...), blocks)   # blocks: the asset's RightsBlocks
    decision.outcome  # "allowed" | "allowed_with_conditions" | "denied"

The rules (README "Rights and avails" says the same for people):

1. The contributing organisation may always use its own assets (`own_asset`): no block
   is consulted. (Admins pass at the access gate, `archive.rights.policy`, not here.)
2. A block applies to the request when its licensees name the requesting organisation,
   the organisation's country, or all members; its platforms include the requested one;
   and it overlaps the requested period, territory and segment.
3. The requested scope is the product period × territory × segment, `WORLD` meaning every
   ISO 3166-1 country, no segment meaning the whole asset. It is cut into cells at every
   boundary of an applicable block. A cell is:
   - `restricted` when a restriction applies to it (a restriction beats any grant of the
     same scope, whoever created which first);
   - `cleared` when a grant covers it: its window (start..end, both days included; no end:
     open), its territories minus its exclusions, its segment, and no holdback of the grant
     for this platform/territory is still in force (a holdback moves the grant's start to
     its `not_before` day); a `preview_only` grant clears previews only; a grant with
     `max_clip_seconds` does not clear a requested segment longer than that;
   - `limited` when no grant clears it but a grant covers it that may not clear this
     request (preview only, or a clip limit shorter than the segment asked): it is named by
     that grant's reason (`preview_only`, `clip_too_long`), never as not covered;
   - `missing` otherwise.
   Allowed only when EVERY cell is cleared; otherwise denied, with one reason per kind of
   failure naming the part of the scope it concerns (periods, territories, segment).
4. The conditions of an allowed use are those of every grant that cleared a cell, merged so
   that all are honoured: every credit line per language, the shortest maximum clip length,
   no modification if any grant says so. With conditions, the outcome is
   `allowed_with_conditions`.
5. Exclusivity is kept when blocks are created (`exclusivity_conflicts`): an exclusive
   grant may not overlap an exclusive grant to other licensees. The engine itself needs no
   special case for it.
6. Nothing depends on the order of `blocks`: outputs are sorted.

These rules make four laws hold (tests/unit/rights/test_avails_laws.py checks them with
hypothesis): narrowing a request never turns a denial into a grant; adding a restriction
never turns a denial into a grant; adding a grant never turns a grant into a denial; the
order of the blocks does not change the decision.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Hashable, Iterable, Sequence

import pycountry

from archive.validation import day_after

ALLOWED = "allowed"
ALLOWED_WITH_CONDITIONS = "allowed_with_conditions"
DENIED = "denied"
GRANT = "grant"
RESTRICTION = "restriction"
KINDS = (GRANT, RESTRICTION)
PLATFORMS = ("linear_tv", "vod", "online_news", "social", "theatrical", "radio", "archive_internal")
WORLD = "WORLD"
# One day past the last representable day: the end of an open window, as a half-open bound.
_OPEN_END = date.max
_MAX_LISTED = 12  # territories named one by one in a reason before "and N more"


@functools.cache
def all_territories() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code pycountry knows (what `WORLD` means)."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_territory(code: str) -> bool:
    return code == WORLD or code in all_territories()


@dataclass(frozen=True)
class Holdback:
    """The grant does not clear `platforms` (empty: all of the grant's) in `territories`
    (empty: all of the grant's) before the day `not_before`."""

    not_before: date
    platforms: frozenset[str] = frozenset()
    territories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Licensees:
    organisations: frozenset[Hashable] = frozenset()  # organisation ids
    countries: frozenset[str] = frozenset()
    all_members: bool = False

    def include(self, organisation: Hashable, country: str) -> bool:
        return self.all_members or organisation in self.organisations or country in self.countries

    def within(self, other: "Licensees", country_of: dict) -> bool:
        """Whether everyone these licensees name is also named by `other` (`country_of`:
        organisation id → its country, to see an organisation inside a licensed country)."""
        if other.all_members:
            return True
        if self.all_members:
            return False
        return self.countries <= other.countries and all(
            o in other.organisations or country_of.get(o) in other.countries for o in self.organisations)


@dataclass(frozen=True)
class Conditions:
    credit: tuple[tuple[str, str], ...] = ()  # (language, credit line), sorted
    max_clip_seconds: float | None = None
    no_modification: bool = False
    preview_only: bool = False

    def as_json(self) -> dict:
        out: dict[str, Any] = {}
        if self.credit:
            out["credit"] = dict(self.credit)
        if self.max_clip_seconds is not None:
            out["max_clip_seconds"] = self.max_clip_seconds
        if self.no_modification:
            out["no_modification"] = True
        if self.preview_only:
            out["preview_only"] = True
        return out


@dataclass(frozen=True)
class Block:
    """One rights block as the engine sees it. `end` is the last day included (None: open);
    `segment` (in, out) in seconds, half-open, None for the whole asset."""

    id: Hashable
    kind: str
    licensees: Licensees
    territories: frozenset[str]
    platforms: frozenset[str]
    start: date
    end: date | None = None
    exclude_territories: frozenset[str] = frozenset()
    exclusive: bool = False
    segment: tuple[float, float] | None = None
    holdbacks: tuple[Holdback, ...] = ()
    conditions: Conditions = Conditions()

    def territory_set(self) -> frozenset[str]:
        codes = all_territories() if WORLD in self.territories else self.territories
        return frozenset(codes - self.exclude_territories)

    def stop(self) -> date:
        """The first day past the window (half-open)."""
        return _OPEN_END if self.end is None else day_after(self.end)

    def seg(self) -> tuple[float, float]:
        return self.segment if self.segment is not None else (-math.inf, math.inf)


@dataclass(frozen=True)
class AvailsRequest:
    """`organisation` (id) of `country` asks to use the asset on `platform` in `territory`
    (alpha-2 or WORLD) from `start` to `end` (days included), the `segment` (in, out) in
    seconds or the whole asset (`duration` seconds; None: unknown). `asset_organisation` is
    the contributing organisation; `preview` asks for a preview rather than master bytes."""

    organisation: Hashable
    country: str
    platform: str
    territory: str
    start: date
    end: date
    segment: tuple[float, float] | None = None
    duration: float | None = None
    asset_organisation: Hashable | None = None
    preview: bool = False
    # The master's timecode at a point given in seconds from its first frame (e.g.
    # `Timeline.label_at`); with it, a reason's segments carry `in_timecode`/`out_timecode`
    # and its message says them, as the clip form, the rights table and the player do.
    timecode: Callable[[float], str] | None = field(default=None, compare=False)

    def territory_set(self) -> frozenset[str]:
        return all_territories() if self.territory == WORLD else frozenset({self.territory})

    def seg(self) -> tuple[float, float]:
        if self.segment is not None:
            return self.segment
        return (0.0, self.duration if self.duration is not None else math.inf)


@dataclass(frozen=True)
class AvailsDecision:
    outcome: str
    reasons: list[dict] = field(default_factory=list)
    conditions: dict = field(default_factory=dict)
    blocks: list = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.outcome != DENIED

    def as_json(self) -> dict:
        return {"decision": self.outcome, "reasons": self.reasons, "conditions": self.conditions,
                "blocks": self.blocks}


# ---- helpers -------------------------------------------------------------------------------

def _id_order(block_id: Hashable) -> tuple:
    """Sort key of block ids of any hashable type (the engine does not fix one), mixed types apart."""
    return str(type(block_id)), block_id


def _sorted_ids(ids: Iterable[Hashable]) -> list:
    return sorted(set(ids), key=_id_order)


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merge(intervals: Iterable[tuple]) -> list[tuple]:
    out: list[list] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [tuple(i) for i in out]


def _period_text(lo: date, hi: date) -> dict:
    return {"from": lo.isoformat(), "to": None if hi == _OPEN_END else (hi - timedelta(days=1)).isoformat()}


def _territory_text(codes: set[str], requested: frozenset[str]) -> list[str]:
    if codes == set(requested) and len(requested) > 1:
        return [WORLD]
    return sorted(codes)


def _clock(seconds: float) -> str:
    if math.isinf(seconds):
        return "end"
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}" + (
        f".{round((seconds - whole) * 1000):03d}" if seconds != whole else "")


def _seconds_number(seconds: float) -> float | int | None:
    """A length for people and JSON: whole seconds as an int, else to the millisecond."""
    if math.isinf(seconds):
        return None
    value = round(seconds, 3)
    return int(value) if value == int(value) else value


def _scope(periods, territories, segments, whole_segment, show_segments: bool,
           timecode: Callable[[float], str] | None = None) -> dict:
    scope: dict[str, Any] = {"periods": [_period_text(lo, hi) for lo, hi in _merge(periods)],
                             "territories": territories}
    segs = _merge(segments)
    if show_segments or segs != [whole_segment]:
        scope["segments"] = [_segment_json(lo, hi, timecode) for lo, hi in segs]
    return scope


def _segment_json(lo: float, hi: float, timecode: Callable[[float], str] | None) -> dict:
    """{"in", "out"} seconds (out null: open), and with `timecode` the master's timecodes there."""
    out = {"in": lo, "out": None if math.isinf(hi) else hi}
    if timecode is not None:
        out["in_timecode"] = timecode(lo) if math.isfinite(lo) else None
        out["out_timecode"] = timecode(hi) if math.isfinite(hi) else None
    return out


def _scope_text(scope: dict) -> str:
    periods = ", ".join(f"{p['from']}..{p['to'] or 'open'}" for p in scope["periods"])
    terr = scope["territories"]
    terr_text = ", ".join(terr[:_MAX_LISTED]) + (f" and {len(terr) - _MAX_LISTED} more" if len(terr) > _MAX_LISTED else "")
    text = f"{periods} in {terr_text}"
    if "segments" in scope:
        text += " for " + ", ".join(f"{_segment_text(s, 'in', s['in'])}-{_segment_text(s, 'out', s['out'])}"
                                   for s in scope["segments"])
    return text


def _segment_text(segment: dict, end: str, seconds: float | None) -> str:
    """One end of a scope's segment: the master's timecode when known, else the clock."""
    label = segment.get(f"{end}_timecode")
    if label:
        return label
    return _clock(seconds if seconds is not None else math.inf)


def _windows_outside(request: AvailsRequest, blocks: Sequence[Block], missing: list) -> list[dict]:
    """The grants that would clear the `missing` cells (the part no grant clears: ((first day,
    day after the last), territories, (in, out))) but for their window: [{"block", "from",
    "to" (ISO days, `to` the last day included), "state": "ended" (the window closed before the
    first missing day) or "not_started" (it opens after the last one)}], by block id. What a
    `not_covered` reason adds, so that an expired right is named, not only missed."""
    first = min(cell[0][0] for cell in missing)
    last = max(cell[0][1] for cell in missing)
    territories = frozenset().union(*(cell[1] for cell in missing))
    segments = [cell[2] for cell in missing]
    out = []
    for b in blocks:
        if b.kind != GRANT or request.platform not in b.platforms \
                or not b.licensees.include(request.organisation, request.country) \
                or not (b.territory_set() & territories) or not any(_overlap(b.seg(), s) for s in segments):
            continue
        if b.stop() <= first:
            state = "ended"
        elif b.start >= last:
            state = "not_started"
        else:
            continue
        out.append({"block": b.id, **_period_text(b.start, b.stop()), "state": state})
    return sorted(out, key=lambda w: _id_order(w["block"]))


def _window_text(window: dict) -> str:
    if window["state"] == "ended":
        return f"Grant {window['block']} ended on {window['to']}."
    return f"Grant {window['block']} starts on {window['from']}."


def _holdback_start(block: Block, platform: str, territory: str) -> date:
    start = block.start
    for h in block.holdbacks:
        if (not h.platforms or platform in h.platforms) and (not h.territories or territory in h.territories):
            start = max(start, h.not_before)
    return start


def merge_conditions(conditions: Iterable[Conditions]) -> Conditions:
    """Every credit line per language (distinct lines joined with " / ", sorted), the shortest
    maximum clip length, no modification if any says so; preview_only if any."""
    credit: dict[str, set[str]] = {}
    clip: float | None = None
    no_mod = preview = False
    for c in conditions:
        for lang, line in c.credit:
            credit.setdefault(lang, set()).add(line)
        if c.max_clip_seconds is not None:
            clip = c.max_clip_seconds if clip is None else min(clip, c.max_clip_seconds)
        no_mod = no_mod or c.no_modification
        preview = preview or c.preview_only
    return Conditions(tuple(sorted((lang, " / ".join(sorted(lines))) for lang, lines in credit.items())),
                      clip, no_mod, preview)


# ---- the decision --------------------------------------------------------------------------

def decide(request: AvailsRequest, blocks: Sequence[Block]) -> AvailsDecision:
    """The decision for `request` given every rights block of the asset (module docstring).

    Pure and total for well-formed input (dates in order, known codes: the schemas check
    them). Reasons are {"code", "message", ...}: `own_asset`, `restricted` {blocks, scope},
    `not_covered` {scope, windows?: the grants that would answer but for their window,
    `_windows_outside`}, `held_back` {blocks, scope}, `preview_only` {blocks, scope} and
    `clip_too_long` {blocks, scope, max_clip_seconds (the limit), clip_seconds (the length
    asked; null when the asset's length is unknown)}: the part those grants cover but may not
    clear (never repeated as `not_covered`), `cleared` {blocks}. A `scope` is
    {"periods": [{"from", "to"}], "territories": [...], "segments"?: [{"in", "out"}]} (seconds
    from the first frame; with `request.timecode` also "in_timecode" and "out_timecode", the
    master's timecodes there, which the message then gives instead of the seconds).
    """
    if request.asset_organisation is not None and request.organisation == request.asset_organisation:
        return AvailsDecision(ALLOWED, [{"code": "own_asset", "message": "Your organisation contributed this asset; "
                                         "it may always use it."}])
    # Half-open [start, day after end). The calendar has no day after 9999-12-31: a window
    # reaching it ends at date.max, and one that starts there is checked from the day before
    # (never an empty window, which every block would cover).
    want_period = (min(request.start, date.max - timedelta(days=1)), day_after(request.end))
    want_seg = request.seg()
    want_terr = request.territory_set()
    seg_len = want_seg[1] - want_seg[0]

    applicable: list[tuple[Block, frozenset[str]]] = []
    for b in blocks:
        if request.platform not in b.platforms or not b.licensees.include(request.organisation, request.country):
            continue
        if not _overlap((b.start, b.stop()), want_period) or not _overlap(b.seg(), want_seg):
            continue
        terr = b.territory_set() & want_terr
        if terr:
            applicable.append((b, terr))

    # Reasons a grant is out, whatever the cell: preview-only (for master use), too short a clip limit.
    unusable: dict[str, list[Block]] = {"preview_only": [], "clip_too_long": []}
    usable: list[tuple[Block, frozenset[str]]] = []
    for b, terr in applicable:
        if b.kind == GRANT and b.conditions.preview_only and not request.preview:
            unusable["preview_only"].append(b)
        elif b.kind == GRANT and b.conditions.max_clip_seconds is not None and seg_len > b.conditions.max_clip_seconds:
            unusable["clip_too_long"].append(b)
        else:
            usable.append((b, terr))

    # Cells: date and segment boundaries of every applicable block; territories grouped by
    # which blocks name them (one group per distinct signature).
    days = {want_period[0], want_period[1]}
    points = {want_seg[0], want_seg[1]}
    for b, _ in applicable:
        days.update(d for d in (b.start, b.stop()) if want_period[0] < d < want_period[1])
        for h in b.holdbacks:
            if want_period[0] < h.not_before < want_period[1]:
                days.add(h.not_before)
        points.update(p for p in b.seg() if want_seg[0] < p < want_seg[1])
    day_cuts, seg_cuts = sorted(days), sorted(points)
    groups: dict[tuple, set[str]] = {}
    usable_ids = {id(b) for b, _ in usable}
    holdback_terr = {t for b, _ in usable for h in b.holdbacks for t in h.territories}
    for t in want_terr:
        sig = tuple(i for i, (b, terr) in enumerate(applicable) if t in terr) + (("hb", t) if t in holdback_terr else ())
        groups.setdefault(sig, set()).add(t)

    restricted: dict[Hashable, list] = {}
    held: dict[Hashable, list] = {}
    unusable_code = {id(b): code for code, bs in unusable.items() for b in bs}
    unusable_cells: dict[str, dict[Hashable, list]] = {code: {} for code in unusable}
    missing: list = []
    cleared_by: set = set()
    deciding_conditions: list[Conditions] = []
    for sig, terrs in groups.items():
        rep = min(terrs)
        members = [applicable[i] for i in sig if isinstance(i, int)]
        restrictions = [b for b, _ in members if b.kind == RESTRICTION]
        grants = [b for b, _ in members if b.kind == GRANT and id(b) in usable_ids]
        for d0, d1 in zip(day_cuts, day_cuts[1:]):
            day_r = [b for b in restrictions if b.start <= d0 < b.stop()]
            day_g = [b for b in grants if b.start <= d0 < b.stop()]
            for s0, s1 in zip(seg_cuts, seg_cuts[1:]):
                cell = ((d0, d1), terrs, (s0, s1))
                hit = [b for b in day_r if b.seg()[0] <= s0 < b.seg()[1]]
                if hit:
                    for b in hit:
                        restricted.setdefault(b.id, []).append(cell)
                    continue
                covering = [b for b in day_g if b.seg()[0] <= s0 < b.seg()[1]]
                live = [b for b in covering if _holdback_start(b, request.platform, rep) <= d0]
                if live:
                    cleared_by.update(b.id for b in live)
                    deciding_conditions.extend(b.conditions for b in live)
                elif covering:
                    for b in covering:
                        held.setdefault(b.id, []).append(cell)
                else:
                    # A grant that covers the cell but may not clear this request (preview
                    # only, too short a clip limit) names the cell: it is covered, not missing.
                    limiting = [b for b, _ in members if b.kind == GRANT and id(b) not in usable_ids
                                and b.start <= d0 < b.stop() and b.seg()[0] <= s0 < b.seg()[1]]
                    for b in limiting:
                        unusable_cells[unusable_code[id(b)]].setdefault(b.id, []).append(cell)
                    if not limiting:
                        missing.append(cell)

    whole = want_seg

    def scope_of(cells) -> dict:
        terr: set[str] = set()
        for _, t, _ in cells:
            terr |= t
        return _scope([c[0] for c in cells], _territory_text(terr, want_terr), [c[2] for c in cells], whole,
                      request.segment is not None, request.timecode)

    what = f"{request.platform}"
    reasons: list[dict] = []
    for bid in _sorted_ids(restricted):
        scope = scope_of(restricted[bid])
        reasons.append({"code": "restricted", "blocks": [bid], "scope": scope,
                        "message": f"Restriction {bid} forbids {what} use for {_scope_text(scope)}."})
    held_ids = _sorted_ids(held)
    if held_ids:
        scope = scope_of([c for bid in held_ids for c in held[bid]])
        reasons.append({"code": "held_back", "blocks": held_ids, "scope": scope,
                        "message": f"A holdback keeps {what} use back for {_scope_text(scope)}."})
    for code in ("preview_only", "clip_too_long"):
        cells = unusable_cells[code]
        if not cells:
            continue
        ids = _sorted_ids(cells)
        scope = scope_of([c for bid in ids for c in cells[bid]])
        grants = f"{'Grant' if len(ids) == 1 else 'Grants'} {', '.join(map(str, ids))}"
        if code == "preview_only":
            reasons.append({"code": code, "blocks": ids, "scope": scope,
                            "message": f"{grants} {'clears' if len(ids) == 1 else 'clear'} previews only, "
                                       f"not {what} use of the master, for {_scope_text(scope)}."})
            continue
        limit = min(b.conditions.max_clip_seconds for b in unusable[code] if b.id in cells)
        asked = _seconds_number(seg_len)
        reasons.append({"code": code, "blocks": ids, "scope": scope, "max_clip_seconds": limit,
                        "clip_seconds": asked,
                        "message": f"{grants} {'allows' if len(ids) == 1 else 'allow'} clips of at most "
                                   f"{_seconds_number(limit)} s; "
                                   + (f"this one is {asked} s" if asked is not None else "the asset's length is unknown")
                                   + f" ({_scope_text(scope)})."})
    if missing:
        scope = scope_of(missing)
        windows = _windows_outside(request, blocks, missing)
        reason = {"code": "not_covered", "scope": scope,
                  "message": f"No grant clears {what} use for {_scope_text(scope)}."
                             + "".join(f" {_window_text(w)}" for w in windows)}
        if windows:
            reason["windows"] = windows
        reasons.append(reason)
    if reasons:
        decided = _sorted_ids(list(restricted) + held_ids) or _sorted_ids(cleared_by)
        return AvailsDecision(DENIED, reasons, {}, decided)
    ids = _sorted_ids(cleared_by)
    conditions = merge_conditions(deciding_conditions).as_json()
    reasons = [{"code": "cleared", "blocks": ids,
                "message": f"Cleared for {what} use by {'grant' if len(ids) == 1 else 'grants'} {', '.join(map(str, ids))}."}]
    return AvailsDecision(ALLOWED_WITH_CONDITIONS if conditions else ALLOWED, reasons, conditions, ids)


# ---- exclusivity, checked when a block is created ------------------------------------------

def overlaps(a: Block, b: Block) -> bool:
    """Whether two blocks share some platform, territory, day and part of the asset."""
    return bool(a.platforms & b.platforms) and _overlap((a.start, a.stop()), (b.start, b.stop())) \
        and _overlap(a.seg(), b.seg()) and bool(a.territory_set() & b.territory_set())


def exclusivity_conflicts(new: Block, existing: Iterable[Block], country_of: dict) -> list[Block]:
    """The existing exclusive grants `new` may not coexist with, oldest first as given: both
    exclusive grants, overlapping (`overlaps`), to licensees that are not the same
    (`country_of`: organisation id → country, see `Licensees.within`)."""
    if new.kind != GRANT or not new.exclusive:
        return []
    out = []
    for b in existing:
        if b.id == new.id or b.kind != GRANT or not b.exclusive or not overlaps(new, b):
            continue
        same = new.licensees.within(b.licensees, country_of) and b.licensees.within(new.licensees, country_of)
        if not same:
            out.append(b)
    return out
