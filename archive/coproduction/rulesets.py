"""Co-production rules as data: share limits per party, and a creative-elements points table.

A project may name one rule set (`Project.rule_set`, a key of RULE_SETS). Its limits are
checked when a project is created (an agreed share outside them is refused) and shown on
the dashboard against the confirmed shares; its points table, when it has one, is scored
from the crew and service entries that name an `element`.

The treaty rule sets follow the Council of Europe Convention on Cinematographic
Co-production (revised), Rotterdam, 30 January 2017, CETS No. 220: the minimum and maximum
contribution of each co-producer (its article on the proportions of contributions, Article 9
in the numbering we worked from) and the table of creative elements and their points in its
Appendix II, with the number of points a work needs to qualify.

TO BE CHECKED: the text of CETS No. 220 and of its Appendix II could not be reached from the
machine this was written on. The numbers below are those of the Appendix II table of the 1992
Convention (ETS No. 147: 19 points, 15 needed, first/second/third roles scored by days
worked), which the revision is understood to keep, and the revised minimum and maximum
contributions (5 % and 80 % multilateral, 10 % and 90 % bilateral) as recalled; secondary
sources agree on 15 of 19 points and on the 10 % / 5 % minimums. Each figure must be checked
against the official text before a project's qualification is relied on; until then every
rule set here says so (`checked = False`) and the pages show it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Element:
    key: str
    group: str  # creative | performing | technical
    points: int
    # Who holds it: a person ("nationality") or a place ("country" where the work was done).
    holder: str = "person"


@dataclass(frozen=True)
class RuleSet:
    key: str
    name: str
    citation: str
    min_share: Decimal | None
    max_share: Decimal | None
    elements: tuple[Element, ...] = ()
    points_needed: int | None = None
    checked: bool = False
    note: str = ""
    countries_needed: int = 2
    element_keys: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "element_keys", tuple(e.key for e in self.elements))

    @property
    def points_total(self) -> int:
        return sum(e.points for e in self.elements)

    def element(self, key: str) -> Element | None:
        return next((e for e in self.elements if e.key == key), None)


_CETS_220_APPENDIX_II = (
    Element("director", "creative", 3),
    Element("scriptwriter", "creative", 3),
    Element("composer", "creative", 1),
    Element("first_role", "performing", 3),
    Element("second_role", "performing", 2),
    Element("third_role", "performing", 1),
    Element("cinematographer", "technical", 1),
    Element("sound_recordist", "technical", 1),
    Element("editor", "technical", 1),
    Element("production_designer", "technical", 1),
    Element("shooting_location", "technical", 1, holder="place"),
    Element("post_production_location", "technical", 1, holder="place"),
)

_TO_BE_CHECKED = ("Values to be checked against the official text of CETS No. 220 (its article on the "
                  "proportions of contributions and Appendix II), which could not be consulted when this "
                  "table was written.")

RULE_SETS: dict[str, RuleSet] = {r.key: r for r in (
    RuleSet("coe_2017_bilateral", "Council of Europe Convention on Cinematographic Co-production (revised), "
            "bilateral", "CETS No. 220 (Rotterdam, 30.01.2017), Article 9 and Appendix II",
            Decimal("10"), Decimal("90"), _CETS_220_APPENDIX_II, 15, checked=False, note=_TO_BE_CHECKED),
    RuleSet("coe_2017_multilateral", "Council of Europe Convention on Cinematographic Co-production (revised), "
            "multilateral", "CETS No. 220 (Rotterdam, 30.01.2017), Article 9 and Appendix II",
            Decimal("5"), Decimal("80"), _CETS_220_APPENDIX_II, 15, checked=False, note=_TO_BE_CHECKED),
)}

ELEMENT_KEYS = tuple(dict.fromkeys(e.key for r in RULE_SETS.values() for e in r.elements))


def share_limits_errors(rule_set: RuleSet | None, shares: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """(party, share) for each share outside the rule set's limits; [] without limits."""
    if rule_set is None:
        return []
    out = []
    for party, share in shares.items():
        if (rule_set.min_share is not None and share < rule_set.min_share) or \
                (rule_set.max_share is not None and share > rule_set.max_share):
            out.append((party, share))
    return out


def score(rule_set: RuleSet, holders: dict[str, list[str]], countries: tuple[str, ...]) -> dict:
    """The points table scored from who holds each element.

    `holders` maps an element key to the countries of its holders (the nationality of each
    person, the country of each place), one entry per confirmed contribution naming the
    element. An element's points are split equally among its holders (two scriptwriters of
    two countries: 1.5 points each); points held by a country outside `countries` (the
    parties' countries) do not count towards qualification.

    Returns {"elements": [{key, group, points, holders, by_country}], "by_country": {country:
    points}, "points": points of `countries`, "total": the table's total, "needed",
    "qualifies": bool, "checked": bool}; points as Decimal.
    """
    by_country: dict[str, Decimal] = {}
    rows = []
    for element in rule_set.elements:
        held = holders.get(element.key) or []
        split: dict[str, Decimal] = {}
        for country in held:
            split[country] = split.get(country, Decimal(0)) + Decimal(element.points) / len(held)
        for country, points in split.items():
            by_country[country] = by_country.get(country, Decimal(0)) + points
        rows.append({"key": element.key, "group": element.group, "points": element.points, "holder": element.holder,
                     "holders": list(held), "by_country": split})
    counted = sum((p for c, p in by_country.items() if c in countries), Decimal(0))
    return {"elements": rows, "by_country": by_country, "points": counted, "total": rule_set.points_total,
            "needed": rule_set.points_needed,
            "qualifies": rule_set.points_needed is not None and counted >= rule_set.points_needed,
            "checked": rule_set.checked}
