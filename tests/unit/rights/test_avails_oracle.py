"""The engine against the rules read literally: every requested day × territory × piece of the
segment, each asked of every block (an oracle too slow for use, obviously right)."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.rights.avails import DENIED, GRANT, RESTRICTION, AvailsRequest, _holdback_start, decide
from tests.unit.rights.test_avails_laws import block_lists, requests


def oracle(request: AvailsRequest, blocks) -> bool:
    if request.organisation == request.asset_organisation:
        return True
    lo, hi = request.seg()
    cuts = sorted({lo, hi} | {p for b in blocks for p in b.seg() if lo < p < hi})
    day = request.start
    while day <= request.end:
        for t in request.territory_set():
            for s0 in cuts[:-1]:
                here = [b for b in blocks if request.platform in b.platforms
                        and b.licensees.include(request.organisation, request.country)
                        and b.start <= day < b.stop() and t in b.territory_set() and b.seg()[0] <= s0 < b.seg()[1]]
                if any(b.kind == RESTRICTION for b in here):
                    return False
                if not any(b.kind == GRANT and (request.preview or not b.conditions.preview_only)
                           and (b.conditions.max_clip_seconds is None or hi - lo <= b.conditions.max_clip_seconds)
                           and _holdback_start(b, request.platform, t) <= day for b in here):
                    return False
        day += timedelta(days=1)
    return True


def short(r: AvailsRequest) -> AvailsRequest:
    return AvailsRequest(r.organisation, r.country, r.platform, r.territory, r.start,
                         min(r.end, r.start + timedelta(days=20)), r.segment, r.duration, r.asset_organisation,
                         r.preview)


@settings(max_examples=100, deadline=None)
@given(requests().map(short), block_lists)
def test_the_engine_decides_as_the_rules_read_literally(request, bs):
    assert (decide(request, bs).outcome != DENIED) == oracle(request, bs)


@settings(max_examples=40, deadline=None)
@given(st.data(), block_lists)
def test_a_denial_names_a_part_the_oracle_also_refuses(data, bs):
    request = short(data.draw(requests()))
    d = decide(request, bs)
    missing = [r for r in d.reasons if r["code"] in ("not_covered", "restricted", "held_back")]
    for reason in missing:
        period = reason["scope"]["periods"][0]
        territory = reason["scope"]["territories"][0]
        probe = AvailsRequest(request.organisation, request.country, request.platform,
                              territory if territory != "WORLD" else request.territory,
                              request.start.fromisoformat(period["from"]), request.start.fromisoformat(period["from"]),
                              request.segment, request.duration, request.asset_organisation, request.preview)
        if "segments" not in reason["scope"] or request.segment is not None:
            assert not oracle(probe, bs), (reason, probe)
