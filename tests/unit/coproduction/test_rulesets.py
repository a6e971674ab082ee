"""Co-production rules as data: share limits and the creative-elements points table."""
from __future__ import annotations

from decimal import Decimal

from archive.coproduction.parity import restore
from archive.coproduction.rulesets import RULE_SETS, score, share_limits_errors

BILATERAL = RULE_SETS["coe_2017_bilateral"]


def test_the_treaty_table_cites_its_source_and_says_it_is_to_be_checked():
    for rule_set in RULE_SETS.values():
        assert "CETS No. 220" in rule_set.citation and "Appendix II" in rule_set.citation
        assert rule_set.checked is False and "checked" in rule_set.note
    assert BILATERAL.points_total == 19 and BILATERAL.points_needed == 15
    assert {e.group for e in BILATERAL.elements} == {"creative", "performing", "technical"}


def test_share_limits():
    assert share_limits_errors(None, {"a": Decimal(1)}) == []
    assert share_limits_errors(BILATERAL, {"a": Decimal(50), "b": Decimal(50)}) == []
    assert share_limits_errors(BILATERAL, {"a": Decimal("95"), "b": Decimal("5")}) == [("a", Decimal(95)),
                                                                                      ("b", Decimal(5))]


def test_points_per_country_and_qualification():
    holders = {"director": ["TR"], "scriptwriter": ["AZ", "TR"], "composer": ["AZ"], "first_role": ["AZ"],
               "second_role": ["TR"], "third_role": ["US"], "cinematographer": ["TR"], "sound_recordist": ["AZ"],
               "editor": ["AZ"], "shooting_location": ["AZ"]}
    result = score(BILATERAL, holders, ("AZ", "TR"))
    assert result["by_country"]["TR"] == Decimal("3") + Decimal("1.5") + 2 + 1
    assert result["by_country"]["AZ"] == Decimal("1.5") + 1 + 3 + 1 + 1 + 1
    assert result["by_country"]["US"] == 1
    assert result["points"] == Decimal("16") and result["qualifies"] is True
    assert score(BILATERAL, {"director": ["TR"]}, ("AZ", "TR"))["qualifies"] is False


def test_what_each_side_adds_to_restore_the_agreed_split():
    # 60/40 agreed; A confirmed 300, B 100: the smallest total keeping 60/40 with A's 300 is 500.
    assert restore({"A": 30000, "B": 10000}, {"A": Decimal(60), "B": Decimal(40)}) == {"A": 0, "B": 10000}
    assert restore({"A": 0, "B": 0}, {"A": Decimal(50), "B": Decimal(50)}) == {"A": 0, "B": 0}
    assert restore({"A": 100, "B": 300}, {"A": Decimal(50), "B": Decimal(50)}) == {"A": 200, "B": 0}
    # A zero share never owes anything, and its contributions do not set the target.
    assert restore({"A": 100, "B": 0, "C": 999}, {"A": Decimal(50), "B": Decimal(50), "C": Decimal(0)}) == \
        {"A": 0, "B": 100, "C": 0}
