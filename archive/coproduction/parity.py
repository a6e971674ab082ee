"""The parity dashboard: does each side carry its agreed share? (GET /api/v1/projects/{id}/parity)

All figures are in the project's reporting currency, each entry converted at the rate
stored with it. `confirmed` counts contributions a party of the other country confirmed;
`pending` the rest (pending, disputed, answered). A reversal cancels its entry in the same
bucket. One SQL aggregate (per party, kind, month and bucket) feeds every figure:

- per party and per country: confirmed and pending by kind, the confirmed share against the
  agreed share, and `to_restore`: what each would have to add (confirmed) so that the agreed
  split holds again. With agreed shares s_i (percent) and confirmed totals c_i, the smallest
  total that restores the split is T = max(c_i × 100 / s_i); each adds s_i × T / 100 − c_i
  (the side furthest ahead adds nothing);
- the budget: each line's planned amount (converted at the newest rate of its currency) against
  the confirmed and pending contributions booked to it;
- over time: confirmed and pending per month per country, and the cumulative confirmed share
  of each country against its agreed line;
- the rule set's limits and, for treaty rule sets, the creative-elements points per country.
Money is returned as strings ("1000.00"), shares as percent strings with two places.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select
from sqlalchemy.orm import Session, aliased

from archive.accounts.models import COUNTRIES
from archive.coproduction import ledger
from archive.coproduction.models import CONTRIBUTION_KINDS, LedgerEntry, Project
from archive.coproduction.money import Money, money_text
from archive.coproduction.projects import share_text
from archive.coproduction.rates import latest_rate
from archive.coproduction.rulesets import RULE_SETS, score

HUNDRED = Decimal(100)


def aggregate(session: Session, project_id: str) -> list[tuple[int, str, str, bool, int]]:
    """(party_id, kind, month "YYYY-MM", confirmed, reporting minor units) summed per group."""
    e, conf = LedgerEntry, aliased(LedgerEntry)
    confirmed = case((conf.id.is_(None), 0), else_=1)
    month = func.substr(cast(e.date, String), 1, 7)
    q = (select(e.party_id, e.kind, month, confirmed, func.sum(e.reporting_minor))
         .select_from(e)
         .outerjoin(conf, and_(conf.target_id == func.coalesce(e.reverses_id, e.id), conf.type == "confirmation"))
         .where(e.project_id == project_id, e.type == "contribution")
         .group_by(e.party_id, e.kind, month, confirmed))
    return [(p, k, m, bool(c), int(s or 0)) for p, k, m, c, s in session.execute(q)]


def share(part: int, whole: int) -> str | None:
    if whole == 0:
        return None
    return share_text(Decimal(part) * HUNDRED / Decimal(whole))


def restore(confirmed: dict[Any, int], agreed: dict[Any, Decimal]) -> dict[Any, int]:
    """Minor units each key must add so confirmed totals follow the agreed split (see module doc)."""
    ratios = [Decimal(confirmed.get(k, 0)) * HUNDRED / s for k, s in agreed.items() if s > 0]
    target = max(ratios, default=Decimal(0))
    out = {}
    for k, s in agreed.items():
        need = (s * target / HUNDRED - confirmed.get(k, 0)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        out[k] = max(int(need), 0) if s > 0 else 0
    return out


def _by_kind(rows, pick) -> dict[str, dict[str, int]]:
    out = {k: {"confirmed": 0, "pending": 0} for k in CONTRIBUTION_KINDS}
    for party_id, kind, _month, confirmed, minor in rows:
        if pick(party_id):
            out[kind]["confirmed" if confirmed else "pending"] += minor
    return out


def dashboard(session: Session, project: Project) -> dict[str, Any]:
    cur = project.reporting_currency
    text = lambda minor: money_text(minor, cur)  # noqa: E731
    rows = aggregate(session, project.id)
    parties = list(project.parties)
    country_of = {p.id: p.organisation.country for p in parties}
    conf, pend = defaultdict(int), defaultdict(int)
    for party_id, _kind, _month, confirmed, minor in rows:
        (conf if confirmed else pend)[party_id] += minor
    total_conf = sum(conf.values())
    agreed = {p.id: p.share for p in parties}
    restore_party = restore(conf, agreed)
    countries = sorted({country_of[p.id] for p in parties}, key=lambda c: COUNTRIES.index(c) if c in COUNTRIES else 9)
    c_conf = {c: sum(conf[p.id] for p in parties if country_of[p.id] == c) for c in countries}
    c_pend = {c: sum(pend[p.id] for p in parties if country_of[p.id] == c) for c in countries}
    c_agreed = {c: sum((p.share for p in parties if country_of[p.id] == c), Decimal(0)) for c in countries}
    restore_country = restore(c_conf, c_agreed)

    def kinds(pick):
        return {k: {"confirmed": text(v["confirmed"]), "pending": text(v["pending"])}
                for k, v in _by_kind(rows, pick).items()}

    out: dict[str, Any] = {
        "project_id": project.id,
        "reporting_currency": cur,
        "parties": [{"organisation": p.organisation.name, "country": p.organisation.country, "role": p.role,
                     "agreed_share": share_text(p.share), "confirmed": text(conf[p.id]), "pending": text(pend[p.id]),
                     "confirmed_share": share(conf[p.id], total_conf), "to_restore": text(restore_party[p.id]),
                     "by_kind": kinds(lambda pid, p=p: pid == p.id)} for p in parties],
        "countries": [{"country": c, "agreed_share": share_text(c_agreed[c]), "confirmed": text(c_conf[c]),
                       "pending": text(c_pend[c]), "confirmed_share": share(c_conf[c], total_conf),
                       "to_restore": text(restore_country[c]),
                       "by_kind": kinds(lambda pid, c=c: country_of.get(pid) == c)} for c in countries],
        "totals": {"confirmed": text(total_conf), "pending": text(sum(pend.values()))},
        "timeline": timeline(rows, country_of, countries, c_agreed, text),
        "budget": budget(session, project, text),
        "rules": rules(session, project, parties, conf, total_conf),
        "ledger": {"entries": ledger.count(session, project), "head": ledger.head(session, project)},
    }
    return out


def timeline(rows, country_of, countries, agreed, text) -> list[dict[str, Any]]:
    months = sorted({m for _p, _k, m, _c, _s in rows})
    per: dict[str, dict[str, dict[str, int]]] = {m: {c: {"confirmed": 0, "pending": 0} for c in countries}
                                                 for m in months}
    for party_id, _kind, month, confirmed, minor in rows:
        per[month][country_of[party_id]]["confirmed" if confirmed else "pending"] += minor
    running = {c: 0 for c in countries}
    out = []
    for m in months:
        for c in countries:
            running[c] += per[m][c]["confirmed"]
        whole = sum(running.values())
        out.append({"month": m,
                    "countries": {c: {k: text(v) for k, v in per[m][c].items()} for c in countries},
                    "cumulative": {c: text(running[c]) for c in countries},
                    "cumulative_share": {c: share(running[c], whole) for c in countries},
                    "agreed_share": {c: share_text(agreed[c]) for c in countries}})
    return out


def budget(session: Session, project: Project, text) -> list[dict[str, Any]]:
    e, conf = LedgerEntry, aliased(LedgerEntry)
    confirmed = case((conf.id.is_(None), 0), else_=1)
    q = (select(e.budget_category, confirmed, func.sum(e.reporting_minor)).select_from(e)
         .outerjoin(conf, and_(conf.target_id == func.coalesce(e.reverses_id, e.id), conf.type == "confirmation"))
         .where(e.project_id == project.id, e.type == "contribution", e.budget_category.is_not(None))
         .group_by(e.budget_category, confirmed))
    actual: dict[str, dict[bool, int]] = defaultdict(lambda: {True: 0, False: 0})
    for category, is_conf, minor in session.execute(q):
        actual[category][bool(is_conf)] += int(minor or 0)
    out = []
    for line in project.budget_lines:
        planned = Money.of_minor(line.planned_minor, line.currency)
        rate = latest_rate(session, project, line.currency)
        converted = planned.convert(rate.rate, project.reporting_currency) if rate else None
        done = actual[line.category][True]
        out.append({"category": line.category, "planned": planned.text(), "currency": line.currency,
                    "planned_reporting": converted.text() if converted else None,
                    "rate": {"rate": f"{rate.rate:f}", "date": rate.date.isoformat(), "source": rate.source}
                    if rate else None,
                    "actual": text(done), "pending": text(actual[line.category][False]),
                    "remaining": text(converted.minor - done) if converted else None})
    return out


def _holders(session: Session, project: Project) -> dict[str, list[str]]:
    """Element → countries of its holders, from confirmed, unreversed crew and service entries."""
    e, conf, rev = LedgerEntry, aliased(LedgerEntry), aliased(LedgerEntry)
    q = (select(e.basis).where(e.project_id == project.id, e.type == "contribution", e.kind.in_(("crew", "service")),
                               e.reverses_id.is_(None), e.basis.is_not(None))
         .where(select(conf.id).where(conf.target_id == e.id, conf.type == "confirmation").exists())
         .where(~select(rev.id).where(rev.reverses_id == e.id).exists())
         .order_by(e.seq))
    out: dict[str, list[str]] = defaultdict(list)
    for basis in session.scalars(q):
        element = (basis or {}).get("element")
        country = (basis or {}).get("nationality") or (basis or {}).get("country")
        if element and country:
            out[element].append(country)
    return out


def pts(value: Decimal) -> str:
    """Points as text: "15", "1.5" (two places at most, no exponent)."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def rules(session: Session, project: Project, parties, conf, total_conf) -> dict[str, Any] | None:
    rule_set = RULE_SETS.get(project.rule_set or "")
    if rule_set is None:
        return None
    limits = []
    for p in parties:
        actual = Decimal(conf[p.id]) * HUNDRED / Decimal(total_conf) if total_conf else None
        within = None if actual is None else (
            (rule_set.min_share is None or actual >= rule_set.min_share)
            and (rule_set.max_share is None or actual <= rule_set.max_share))
        limits.append({"organisation": p.organisation.name, "agreed_share": share_text(p.share),
                       "confirmed_share": share_text(actual) if actual is not None else None, "within": within})
    out: dict[str, Any] = {
        "key": rule_set.key, "name": rule_set.name, "citation": rule_set.citation, "checked": rule_set.checked,
        "note": rule_set.note, "min_share": str(rule_set.min_share), "max_share": str(rule_set.max_share),
        "limits": limits, "points": None}
    if rule_set.elements:
        countries = tuple(sorted({p.organisation.country for p in parties}))
        scored = score(rule_set, _holders(session, project), countries)
        out["points"] = {
            "total": scored["total"], "needed": scored["needed"], "points": pts(scored["points"]),
            "qualifies": scored["qualifies"], "by_country": {c: pts(v) for c, v in scored["by_country"].items()},
            "elements": [{**row, "by_country": {c: pts(v) for c, v in row["by_country"].items()}}
                         for row in scored["elements"]]}
    return out
