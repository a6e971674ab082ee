"""The four laws of the avails engine (issue 7), checked with hypothesis on random blocks.

1. Narrowing: if a request is allowed, every narrower request (sub-period, sub-territory,
   sub-segment) is allowed; put the other way round, widening a request never turns a denial
   into a grant. (Read literally, "narrowing a denied request never grants it" would forbid
   the issue's own example: January to March is denied when only January is granted, while
   January alone is allowed.)
2. Adding a restriction never turns a denial into a grant.
3. Adding a grant never turns a grant into a denial.
4. The decision does not depend on the order the blocks were created in.
"""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.rights.avails import (DENIED, GRANT, RESTRICTION, AvailsRequest, Block, Conditions, Holdback,
                                   Licensees, decide)

ORGS = {1: "AZ", 2: "TR", 3: "TR", 4: "AZ"}
TERRITORIES = ["TR", "AZ", "DE", "GE", "WORLD"]
PLATFORMS = ["linear_tv", "vod", "social"]
BASE = date(2027, 1, 1)
days = st.integers(0, 120).map(lambda n: BASE + timedelta(days=n))
seconds = st.integers(0, 20).map(float)


@st.composite
def segments(draw):
    if draw(st.booleans()):
        return None
    a, b = sorted(draw(st.lists(seconds, min_size=2, max_size=2, unique=True)))
    return (a, b)


@st.composite
def blocks(draw, kind=None):
    start = draw(days)
    end = draw(st.none() | days.filter(lambda d: d >= start))
    holdbacks = tuple(Holdback(draw(days), frozenset(draw(st.sets(st.sampled_from(PLATFORMS), max_size=1))),
                               frozenset(draw(st.sets(st.sampled_from(TERRITORIES[:-1]), max_size=1))))
                      for _ in range(draw(st.integers(0, 1))))
    conditions = Conditions(tuple(sorted(draw(st.dictionaries(st.sampled_from(["tr", "az"]),
                                                              st.sampled_from(["A", "B"]), max_size=2)).items())),
                            draw(st.none() | st.sampled_from([5.0, 10.0])), draw(st.booleans()), draw(st.booleans()))
    return Block(
        id=draw(st.integers(1, 10_000)),
        kind=kind or draw(st.sampled_from([GRANT, GRANT, RESTRICTION])),
        licensees=Licensees(frozenset(draw(st.sets(st.sampled_from(list(ORGS)), max_size=2))),
                            frozenset(draw(st.sets(st.sampled_from(["TR", "AZ"]), max_size=1))), draw(st.booleans())),
        territories=frozenset(draw(st.sets(st.sampled_from(TERRITORIES), min_size=1, max_size=3))),
        platforms=frozenset(draw(st.sets(st.sampled_from(PLATFORMS), min_size=1, max_size=2))),
        start=start, end=end,
        exclude_territories=frozenset(draw(st.sets(st.sampled_from(["DE", "GE"]), max_size=1))),
        exclusive=draw(st.booleans()), segment=draw(segments()), holdbacks=holdbacks, conditions=conditions)


@st.composite
def requests(draw):
    org = draw(st.sampled_from(list(ORGS)))
    start = draw(days)
    end = draw(days.filter(lambda d: d >= start))
    return AvailsRequest(org, ORGS[org], draw(st.sampled_from(PLATFORMS)), draw(st.sampled_from(TERRITORIES)),
                         start, end, draw(segments()), 20.0, draw(st.sampled_from([None, 4])), draw(st.booleans()))


@st.composite
def narrower(draw, r: AvailsRequest):
    start = draw(st.integers(0, (r.end - r.start).days).map(lambda n: r.start + timedelta(days=n)))
    end = draw(st.integers(0, (r.end - start).days).map(lambda n: start + timedelta(days=n)))
    territory = r.territory if r.territory != "WORLD" else draw(st.sampled_from(TERRITORIES))
    lo, hi = r.seg()
    segment = r.segment
    if draw(st.booleans()):
        a = draw(st.floats(lo, hi))
        b = draw(st.floats(a, hi))
        segment = (a, b) if b > a else r.segment
    return AvailsRequest(r.organisation, r.country, r.platform, territory, start, end, segment, r.duration,
                         r.asset_organisation, r.preview)


block_lists = st.lists(blocks(), max_size=8)
LAWS = settings(max_examples=120, deadline=None)


@LAWS
@given(st.data(), requests(), block_lists)
def test_narrowing_an_allowed_request_never_denies_it(data, request, bs):
    if decide(request, bs).outcome != DENIED:
        smaller = data.draw(narrower(request))
        assert decide(smaller, bs).outcome != DENIED, (smaller, decide(smaller, bs).reasons)


@LAWS
@given(requests(), block_lists, blocks(kind=RESTRICTION))
def test_adding_a_restriction_never_turns_a_denial_into_a_grant(request, bs, restriction):
    if decide(request, bs).outcome == DENIED:
        assert decide(request, bs + [restriction]).outcome == DENIED


@LAWS
@given(requests(), block_lists, blocks(kind=GRANT))
def test_adding_a_grant_never_turns_a_grant_into_a_denial(request, bs, grant):
    if decide(request, bs).outcome != DENIED:
        assert decide(request, bs + [grant]).outcome != DENIED


@LAWS
@given(requests(), block_lists, st.randoms(use_true_random=False))
def test_the_order_of_the_blocks_changes_nothing(request, bs, rnd):
    shuffled = list(bs)
    rnd.shuffle(shuffled)
    assert decide(request, shuffled) == decide(request, bs)


@LAWS
@given(requests(), block_lists)
def test_a_denial_always_says_why_and_a_grant_names_its_blocks(request, bs):
    d = decide(request, bs)
    assert d.reasons
    if d.outcome == DENIED:
        assert all(r["code"] != "cleared" for r in d.reasons)
    elif d.reasons[0]["code"] == "cleared":
        assert d.blocks and d.reasons[0]["blocks"] == d.blocks
