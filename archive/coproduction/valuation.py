"""What a contribution is worth, in its own currency, and how that was reckoned (its basis).

- cash, rights: the amount given.
- crew: days × agreed day rate; service: quantity × agreed unit rate, or a fixed amount;
  computed values are rounded to the currency's minor unit (`money.round_to`).
- footage: the segment's duration × the project's agreed rate per minute (in the reporting
  currency), or a fixed amount. The asset must be the contributing party's: its organisation
  owns it or holds a copy (`asset_not_from_party` when no party does, `asset_of_other_party`
  when another party does). A segment is `in`/`out` positions in the file, as HH:MM:SS:FF
  (frames at the asset's frame rate) or HH:MM:SS.fff; without them the whole asset counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from archive.assets.models import Asset
from archive.assets.services import valid_asset_id
from archive.coproduction.models import Party, Project
from archive.coproduction.money import Money
from archive.coproduction.projects import asset_parties
from archive.coproduction.schemas import Checker
from archive.media.timecode import parse_rate

SECONDS_PLACES = Decimal("0.001")


@dataclass
class Valued:
    money: Money | None
    basis: dict[str, Any] | None = None
    segment: dict[str, str] | None = None
    asset: Asset | None = None


def _check_amount(c: Checker, given: Money | None, computed: Money) -> Money:
    if given is not None and given != computed:
        c.fail("amount", "amount_mismatch", f"amount {given.text()} does not match the reckoning "
               f"({computed.text()}).", expected=computed.text())
    return computed


def value(session: Session, c: Checker, project: Project, party: Party | None, data: dict[str, Any]) -> Valued:
    """The contribution's value from its cleaned body; mistakes go to `c` (nothing raised)."""
    kind, currency = data["kind"], data["currency"]
    given = Money(data["amount"], currency) if data["amount"] is not None and currency else None
    if kind == "crew" and data["crew"] and currency:
        crew = data["crew"]
        money = _check_amount(c, given, Money(crew["days"] * crew["day_rate"], currency))
        basis = {"person": crew["person"], "function": crew["function"], "days": f"{crew['days']:f}",
                 "day_rate": f"{crew['day_rate']:f}", "nationality": crew["nationality"]}
        if crew["element"]:
            basis["element"] = crew["element"]
        return Valued(money, basis)
    if kind == "service" and data["service"]:
        svc = data["service"]
        basis = {k: svc[k] for k in ("category", "unit", "country", "element") if svc.get(k)}
        if svc["quantity"] is not None and svc["unit_rate"] is not None and currency:
            basis.update(quantity=f"{svc['quantity']:f}", unit_rate=f"{svc['unit_rate']:f}")
            return Valued(_check_amount(c, given, Money(svc["quantity"] * svc["unit_rate"], currency)), basis)
        return Valued(given, basis)
    if kind == "footage":
        return _footage(session, c, project, party, data, given)
    return Valued(given)


def _asset(session: Session, c: Checker, project: Project, party: Party | None, asset_id: str | None) -> Asset | None:
    asset = session.get(Asset, asset_id) if asset_id and valid_asset_id(asset_id) else None
    if asset is None:
        if asset_id:
            c.fail("asset_id", "asset_not_found", "No such asset.")
        return None
    owners = asset_parties(session, project, asset)
    if not owners:
        c.fail("asset_id", "asset_not_from_party", "The asset belongs to an organisation that is not a party "
               "of this project.")
    elif party is not None and party not in owners:
        c.fail("asset_id", "asset_of_other_party", f"The asset is {owners[0].organisation.name}'s, not the "
               "contributing party's.", owner=owners[0].organisation.name)
    return asset


def position(value: str, fps: Fraction | None) -> Fraction | None:
    """HH:MM:SS:FF (needs `fps`) or HH:MM:SS[.fff] → exact seconds; None when unusable."""
    hh, mm, rest = value.split(":", 2)
    if ":" in rest:
        ss, ff = rest.split(":")
        if fps is None or int(ff) >= fps:
            return None
        return int(hh) * 3600 + int(mm) * 60 + int(ss) + Fraction(int(ff)) / fps
    return int(hh) * 3600 + int(mm) * 60 + Fraction(rest)


def _seconds(c: Checker, asset: Asset, start: str | None, end: str | None) -> tuple[Fraction | None, dict | None]:
    technical = asset.technical or {}
    fps = parse_rate(technical.get("frame_rate"))
    duration = technical.get("duration")
    total = Fraction(str(duration)) if isinstance(duration, (int, float)) and duration > 0 else None
    if start is None and end is None:
        if total is None:
            c.fail("asset_id", "duration_unknown", "The asset's duration is not known yet (it is still being "
                   "processed, or is not audio or video): give in and out, or a fixed amount.")
        return total, None
    points = {}
    for name, raw in (("in", start), ("out", end)):
        if raw is None:
            points[name] = Fraction(0) if name == "in" else total
            continue
        points[name] = position(raw, fps)
        if points[name] is None:
            c.fail(name, "invalid_timecode", f"{name}: frames need a frame rate below the frame count "
                   f"(the asset's is {technical.get('frame_rate') or 'unknown'}).")
    if points["in"] is None or points["out"] is None:
        if points["out"] is None and end is None:
            c.fail("out", "required", "The asset's duration is not known yet: give out.")
        return None, None
    if points["out"] <= points["in"]:
        c.fail("out", "out_of_range", "out must come after in.", min=start or "00:00:00", max=None)
        return None, None
    if total is not None and points["out"] > total:
        c.fail("out", "out_of_range", "out is past the end of the asset.", min=start or "00:00:00",
               max=f"{float(total):.3f}")
        return None, None
    return points["out"] - points["in"], {"in": start or "00:00:00", "out": end or None}


def _footage(session: Session, c: Checker, project: Project, party: Party | None, data: dict[str, Any],
             given: Money | None) -> Valued:
    asset = _asset(session, c, project, party, data["asset_id"])
    if asset is None:
        return Valued(given)
    seconds, segment = _seconds(c, asset, data["in"], data["out"])
    if seconds is None:
        return Valued(given, asset=asset)
    exact = Decimal(seconds.numerator) / Decimal(seconds.denominator)
    basis = {"seconds": f"{exact.quantize(SECONDS_PLACES):f}"}
    if given is not None:
        return Valued(given, basis, segment, asset)
    if project.footage_rate_minor is None:
        c.fail("amount", "no_footage_rate", "The project has no agreed rate per minute of footage: give a fixed "
               "amount and currency.")
        return Valued(None, basis, segment, asset)
    if data["currency"] not in (None, project.reporting_currency):
        c.fail("currency", "invalid_choice", f"Footage valued at the agreed rate is in the reporting currency "
               f"{project.reporting_currency}.", choices=[project.reporting_currency])
        return Valued(None, basis, segment, asset)
    rate = Money.of_minor(project.footage_rate_minor, project.reporting_currency)
    basis["rate_per_minute"] = rate.text()
    return Valued(Money(rate.amount * exact / 60, project.reporting_currency), basis, segment, asset)
