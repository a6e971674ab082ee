"""The rights tokens of the search index answer exactly what the avails engine answers.

For random blocks, a random day, organisation, platform and territory: "may this
organisation use the whole asset there today" asked of the engine (`avails.decide`) and
asked of the tokens (`archive.rights.cleared` → `search.cleared.document_tokens`, matched
with `search.cleared.query` as both backends match it) must agree.
"""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.rights.avails import (GRANT, RESTRICTION, WORLD, AvailsRequest, Block, Licensees, all_territories,
                                   decide)
from archive.rights.cleared import open_today, territory_groups
from search.cleared import MOST, ClearedFor, document_tokens, query
from tests.unit.rights.test_avails_laws import BASE, ORGS, PLATFORMS, TERRITORIES, blocks, days

ASKERS = {**ORGS, 5: "TR", 6: "AZ"}  # 5 and 6 are named by no block
DURATION = 20.0


def matches(tokens: set[str], alternatives) -> bool:
    return any(set(a.any_of) & tokens and not set(a.none_of) & tokens for a in alternatives)


def tokens_of(bs, owner, today) -> set[str]:
    cleared, named = open_today(bs, owner=owner, duration=DURATION, country_of=ORGS, today=today)
    return set(document_tokens(owner=owner, open_today=cleared, named=named, universe=all_territories()))


@settings(max_examples=200, deadline=None)
@given(bs=st.lists(blocks(), max_size=5), today=days, org=st.sampled_from(list(ASKERS)),
       platform=st.sampled_from(PLATFORMS), territory=st.sampled_from(TERRITORIES + ["FR"]),
       owner=st.sampled_from([None, 4]))
def test_tokens_answer_as_the_engine(bs, today, org, platform, territory, owner):
    tokens = tokens_of(bs, owner, today)
    engine = decide(AvailsRequest(org, ASKERS[org], platform, territory, today, today, None, DURATION, owner),
                    bs).allowed
    who = ClearedFor(str(org), ASKERS[org], territory)
    assert matches(tokens, query(who, platform)) == engine


def block(kind=GRANT, **over):
    values = dict(id=1, kind=kind, licensees=Licensees(all_members=True), territories=frozenset({WORLD}),
                  platforms=frozenset({"vod"}), start=BASE, end=None)
    values.update(over)
    return Block(**values)


def test_world_minus_exclusions_is_compact():
    bs = [block(exclude_territories=frozenset({"AM", "IR"}))]
    tokens = tokens_of(bs, None, BASE)
    assert tokens == {f"all|vod|{MOST}", "all|vod|-AM", "all|vod|-IR"}
    assert tokens_of([block()], None, BASE) == {"all|vod|WORLD"}
    few = tokens_of([block(territories=frozenset({"TR", "AZ"}), licensees=Licensees(countries=frozenset({"TR"})))],
                    7, BASE)
    assert few == {"own:7", "named|country:TR", "country:TR|vod|AZ", "country:TR|vod|TR"}


def test_window_edges():
    bs = [block(start=BASE + timedelta(days=1), end=BASE + timedelta(days=2))]
    assert tokens_of(bs, None, BASE) == set()
    assert tokens_of(bs, None, BASE + timedelta(days=1)) == {"all|vod|WORLD"}
    assert tokens_of(bs, None, BASE + timedelta(days=2)) == {"all|vod|WORLD"}
    assert tokens_of(bs, None, BASE + timedelta(days=3)) == set()


def test_a_restriction_for_one_organisation_is_kept_from_the_broad_grant():
    bs = [block(), block(id=2, kind=RESTRICTION, licensees=Licensees(organisations=frozenset({3})))]
    tokens = tokens_of(bs, None, BASE)
    assert "named|org:3" in tokens and not any(t.startswith("org:3|") for t in tokens)
    assert not matches(tokens, query(ClearedFor("3", "TR", "TR"), "vod"))
    assert matches(tokens, query(ClearedFor("2", "TR", "TR"), "vod"))


def test_territories_are_grouped_by_how_blocks_treat_them():
    groups = territory_groups([block(territories=frozenset({"TR", "AZ"})), block(id=2, territories=frozenset({WORLD}),
                                                                                exclude_territories=frozenset({"AZ"}))])
    assert sorted(sorted(g) for g in groups if len(g) == 1) == [["AZ"], ["TR"]]
    assert sum(map(len, groups)) == len(all_territories())


def test_many_blocks_many_territories_stay_bounded():
    """40 blocks to 40 organisations, each over its own 100 countries: at most |U|/2 + 1 tokens a class."""
    codes = sorted(all_territories())
    bs = [block(id=i, licensees=Licensees(organisations=frozenset({100 + i})), platforms=frozenset({"vod", "radio"}),
                territories=frozenset(codes[i:i + 100])) for i in range(40)]
    tokens = tokens_of(bs, None, BASE)
    per_class = {}
    for t in tokens:
        per_class.setdefault(t.split("|")[0] + t.split("|")[1], 0)
        per_class[t.split("|")[0] + t.split("|")[1]] += 1
    assert max(per_class.values()) <= len(codes) // 2 + 1
