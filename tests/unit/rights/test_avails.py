"""The avails engine on the issue's own examples (archive/rights/avails.py)."""
from __future__ import annotations

from datetime import date

from archive.rights.avails import (ALLOWED, ALLOWED_WITH_CONDITIONS, DENIED, GRANT, RESTRICTION, AvailsRequest,
                                   Block, Conditions, Holdback, Licensees, decide, exclusivity_conflicts)

ITV, TRT, ATV = 1, 2, 3  # İTV (AZ) contributed the folklore film; TRT and ATV are Turkish channels
COUNTRY = {ITV: "AZ", TRT: "TR", ATV: "TR"}
D = date.fromisoformat


def block(id, kind=GRANT, *, orgs=(), countries=(), all_members=False, territories=("TR",), exclude=(),
          platforms=("linear_tv",), start="2027-01-01", end=None, exclusive=False, segment=None,
          holdbacks=(), credit=(), max_clip=None, preview_only=False, no_modification=False):
    return Block(id, kind, Licensees(frozenset(orgs), frozenset(countries), all_members), frozenset(territories),
                 frozenset(platforms), D(start), D(end) if end else None, frozenset(exclude), exclusive, segment,
                 tuple(holdbacks), Conditions(tuple(sorted(credit)), max_clip, no_modification, preview_only))


def ask(org=TRT, platform="linear_tv", territory="TR", start="2027-03-01", end="2027-03-31", segment=None,
        duration=600.0, preview=False):
    return AvailsRequest(org, COUNTRY[org], platform, territory, D(start), D(end), segment, duration, ITV, preview)


# The folklore film of the issue: linear TV in Türkiye until 2028 for Turkish members, always
# credited; online use in Azerbaijan only; never social; exclusive to TRT in its first year.
FOLKLORE = [
    block(1, countries=["TR"], start="2028-01-01", end="2028-12-31", credit=[("tr", "Kaynak: İTV")]),
    block(2, orgs=[TRT], start="2027-01-01", end="2027-12-31", exclusive=True, credit=[("tr", "Kaynak: İTV")]),
    block(3, all_members=True, territories=["AZ"], platforms=["online_news", "vod"], start="2027-01-01"),
    block(4, RESTRICTION, all_members=True, territories=["WORLD"], platforms=["social"], start="2000-01-01"),
]


def test_the_exclusive_licensee_is_cleared_with_its_credit_line():
    d = decide(ask(TRT), FOLKLORE)
    assert d.outcome == ALLOWED_WITH_CONDITIONS
    assert d.conditions == {"credit": {"tr": "Kaynak: İTV"}} and d.blocks == [2]


def test_another_turkish_channel_is_not_cleared_in_the_exclusive_year_and_is_told_which_part_is_missing():
    d = decide(ask(ATV, start="2027-12-01", end="2028-01-31"), FOLKLORE)
    assert d.outcome == DENIED
    [reason] = d.reasons
    assert reason["code"] == "not_covered"
    assert reason["scope"]["periods"] == [{"from": "2027-12-01", "to": "2027-12-31"}]
    assert reason["scope"]["territories"] == ["TR"]
    assert d.blocks == [1]  # the grant that cleared the rest


def test_a_grant_for_january_does_not_clear_january_to_march():
    blocks = [block(9, countries=["TR"], start="2027-01-01", end="2027-01-31")]
    assert decide(ask(start="2027-01-05", end="2027-01-20"), blocks).outcome == ALLOWED
    d = decide(ask(start="2027-01-01", end="2027-03-31"), blocks)
    assert d.outcome == DENIED
    assert d.reasons[0]["scope"]["periods"] == [{"from": "2027-02-01", "to": "2027-03-31"}]


def test_social_is_never_cleared_and_the_restriction_is_named():
    blocks = FOLKLORE + [block(5, all_members=True, territories=["WORLD"], platforms=["social"])]
    d = decide(ask(TRT, platform="social"), blocks)
    assert d.outcome == DENIED and d.blocks == [4]
    assert [r["code"] for r in d.reasons] == ["restricted"]
    assert d.reasons[0]["scope"]["territories"] == ["TR"]


def test_online_in_azerbaijan_only():
    assert decide(ask(TRT, platform="vod", territory="AZ"), FOLKLORE).outcome == ALLOWED
    d = decide(ask(TRT, platform="vod", territory="WORLD"), FOLKLORE)
    assert d.outcome == DENIED
    missing = d.reasons[-1]["scope"]["territories"]
    assert "AZ" not in missing and "TR" in missing and len(missing) > 200


def test_the_contributing_organisation_may_always_use_its_own_asset():
    d = decide(ask(ITV, platform="social"), FOLKLORE)
    assert d.outcome == ALLOWED and d.reasons[0]["code"] == "own_asset"


def test_world_minus_exclusions():
    blocks = [block(1, all_members=True, territories=["WORLD"], exclude=["AM"])]
    assert decide(ask(territory="DE"), blocks).outcome == ALLOWED
    d = decide(ask(territory="AM"), blocks)
    assert d.outcome == DENIED and d.reasons[0]["scope"]["territories"] == ["AM"]
    d = decide(ask(territory="WORLD"), blocks)
    assert d.reasons[0]["scope"]["territories"] == ["AM"]


def test_a_holdback_moves_the_start_for_its_platform_and_territory():
    hb = Holdback(D("2027-06-01"), frozenset({"linear_tv"}), frozenset({"AZ"}))
    blocks = [block(1, all_members=True, territories=["TR", "AZ"], holdbacks=[hb])]
    assert decide(ask(territory="TR", start="2027-03-01", end="2027-03-31"), blocks).outcome == ALLOWED
    d = decide(ask(territory="AZ", start="2027-05-01", end="2027-06-30"), blocks)
    assert d.outcome == DENIED and d.reasons[0]["code"] == "held_back"
    assert d.reasons[0]["scope"]["periods"] == [{"from": "2027-05-01", "to": "2027-05-31"}]
    assert decide(ask(territory="AZ", start="2027-06-01", end="2027-06-30"), blocks).outcome == ALLOWED


def test_segments_restrictions_and_clip_lengths():
    blocks = [block(1, all_members=True, max_clip=60, credit=[("az", "Mənbə: İTV"), ("tr", "Kaynak: İTV")]),
              block(2, RESTRICTION, all_members=True, segment=(120.0, 180.0))]
    d = decide(ask(segment=(10.0, 40.0)), blocks)
    assert d.outcome == ALLOWED_WITH_CONDITIONS
    assert d.conditions == {"credit": {"az": "Mənbə: İTV", "tr": "Kaynak: İTV"}, "max_clip_seconds": 60}
    d = decide(ask(segment=(150.0, 170.0)), blocks)
    assert d.outcome == DENIED and d.reasons[0]["scope"]["segments"] == [{"in": 150.0, "out": 170.0}]
    d = decide(ask(segment=(0.0, 90.0)), blocks)
    # Grant 1 covers 0-90 s but limits clips: that span is too long a clip, not "not covered".
    assert [r["code"] for r in d.reasons] == ["clip_too_long"]
    assert d.reasons[0]["max_clip_seconds"] == 60 and d.reasons[0]["clip_seconds"] == 90
    assert "at most 60 s" in d.reasons[0]["message"] and "this one is 90 s" in d.reasons[0]["message"]


def test_a_span_a_grant_covers_but_limits_by_clip_length_is_not_called_not_covered():
    # The trial's master: 12.012 s; grant 1 covers it all with clips of at most 5 s, grant 2
    # clears 8.008-10.01 without a limit. The whole asset is asked.
    blocks = [block(1, all_members=True, max_clip=5), block(2, all_members=True, segment=(8.008, 10.01))]
    d = decide(ask(duration=12.012), blocks)
    assert d.outcome == DENIED
    assert [r["code"] for r in d.reasons] == ["clip_too_long"]
    reason = d.reasons[0]
    assert reason["blocks"] == [1] and reason["max_clip_seconds"] == 5 and reason["clip_seconds"] == 12.012
    assert reason["scope"]["segments"] == [{"in": 0.0, "out": 8.008}, {"in": 10.01, "out": 12.012}]
    # A 7 s clip under the same grant: the message gives the limit and the length asked.
    d = decide(ask(segment=(0.0, 7.0)), [block(1, all_members=True, max_clip=5)])
    assert [r["code"] for r in d.reasons] == ["clip_too_long"]
    assert "at most 5 s" in d.reasons[0]["message"] and "this one is 7 s" in d.reasons[0]["message"]
    # What no grant covers at all is still not covered, beside the limited part.
    d = decide(ask(duration=12.012), [block(1, all_members=True, max_clip=5, segment=(0.0, 6.0))])
    assert [r["code"] for r in d.reasons] == ["clip_too_long", "not_covered"]
    assert d.reasons[1]["scope"]["segments"] == [{"in": 6.0, "out": 12.012}]


def test_a_preview_only_grant_clears_previews_but_not_masters():
    blocks = [block(1, all_members=True, preview_only=True)]
    assert decide(ask(preview=True), blocks).outcome == ALLOWED_WITH_CONDITIONS
    d = decide(ask(), blocks)
    # What the grant covers is covered, for previews: named by preview_only alone.
    assert [r["code"] for r in d.reasons] == ["preview_only"]
    assert d.reasons[0]["scope"]["territories"] == ["TR"]


def test_conditions_of_every_clearing_grant_are_honoured():
    blocks = [block(1, all_members=True, end="2027-03-15", credit=[("tr", "A")], max_clip=90),
              block(2, orgs=[TRT], start="2027-03-10", credit=[("tr", "B"), ("en", "B")], no_modification=True,
                    max_clip=30)]
    d = decide(ask(segment=(0.0, 20.0)), blocks)
    assert d.conditions == {"credit": {"en": "B", "tr": "A / B"}, "max_clip_seconds": 30, "no_modification": True}
    assert d.blocks == [1, 2]


def test_exclusive_grants_to_two_licensees_conflict_but_not_to_the_same_one():
    first = block(1, orgs=[TRT], exclusive=True, end="2027-12-31")
    other = block(2, orgs=[ATV], exclusive=True, start="2027-06-01")
    assert exclusivity_conflicts(other, [first], COUNTRY) == [first]
    later = block(3, orgs=[ATV], exclusive=True, start="2028-01-01")
    assert exclusivity_conflicts(later, [first], COUNTRY) == []
    same = block(4, orgs=[TRT], exclusive=True, start="2027-06-01")
    assert exclusivity_conflicts(same, [first], COUNTRY) == []
    elsewhere = block(5, orgs=[ATV], exclusive=True, territories=["AZ"])
    assert exclusivity_conflicts(elsewhere, [first], COUNTRY) == []
    by_country = block(6, countries=["TR"], exclusive=True)  # TR names ATV too
    assert exclusivity_conflicts(by_country, [first], COUNTRY) == [first]


def test_an_expired_grant_and_one_not_started_are_named_beside_the_missing_part():
    # The trial's finding: a download after the grant's window said only "No grant clears…".
    blocks = [block(4, countries=["TR"], start="2024-01-01", end="2024-12-31"),
              block(5, countries=["TR"], start="2027-06-01", end="2027-12-31"),
              block(6, countries=["TR"], platforms=["vod"], start="2020-01-01", end="2020-12-31"),
              block(7, countries=["AZ"], territories=["AZ"], start="2020-01-01", end="2020-12-31")]
    d = decide(ask(start="2027-03-01", end="2027-03-31"), blocks)
    assert d.outcome == DENIED
    [reason] = d.reasons
    assert reason["code"] == "not_covered"
    assert reason["windows"] == [{"block": 4, "from": "2024-01-01", "to": "2024-12-31", "state": "ended"},
                                 {"block": 5, "from": "2027-06-01", "to": "2027-12-31", "state": "not_started"}]
    assert reason["message"].endswith("Grant 4 ended on 2024-12-31. Grant 5 starts on 2027-06-01.")


def test_a_grant_that_ended_within_the_period_is_named_for_the_part_after_it():
    blocks = [block(9, countries=["TR"], start="2027-01-01", end="2027-01-31")]
    d = decide(ask(start="2027-01-01", end="2027-03-31"), blocks)
    [reason] = d.reasons
    assert reason["windows"] == [{"block": 9, "from": "2027-01-01", "to": "2027-01-31", "state": "ended"}]


def test_the_exclusive_year_names_the_grant_that_starts_after_it():
    d = decide(ask(ATV, start="2027-12-01", end="2028-01-31"), FOLKLORE)
    [reason] = d.reasons
    assert reason["windows"] == [{"block": 1, "from": "2028-01-01", "to": "2028-12-31", "state": "not_started"}]


def test_a_use_no_grant_ever_covers_has_no_windows():
    d = decide(ask(platform="vod"), FOLKLORE)  # vod is granted in Azerbaijan only
    [reason] = d.reasons
    assert reason["code"] == "not_covered" and "windows" not in reason
