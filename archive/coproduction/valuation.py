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
from typing import Any

from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.assets.models import Asset
from archive.assets.services import get_asset
from archive.coproduction.models import Party, Project
from archive.coproduction.money import Money
from archive.coproduction.projects import asset_parties
from archive.coproduction.schemas import Checker
from archive.coproduction.segments import segment_seconds
from archive.errors import NotFound

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


def value(session: Session, c: Checker, project: Project, party: Party | None, data: dict[str, Any],
          viewer: User | None = None) -> Valued:
    """The contribution's value from its cleaned body; mistakes go to `c` (nothing raised). A
    footage asset `viewer` may not see (`archive.assets.services.may_see`: another organisation's
    asset not ready yet) is `asset_not_found`, as an asset that does not exist."""
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
        return _footage(session, c, project, party, data, given, viewer)
    return Valued(given)


def _asset(session: Session, c: Checker, project: Project, party: Party | None, asset_id: str | None,
           viewer: User | None) -> Asset | None:
    if not asset_id:
        return None
    try:  # another organisation's asset not ready yet: as if there were none
        asset = get_asset(session, asset_id, viewer=viewer)
    except NotFound:
        c.fail("asset_id", "asset_not_found", "No such asset.")
        return None
    if asset.status == "uploading":  # a contribution is money on the record: it never names a file not there yet
        c.fail("asset_id", "asset_uploading", "The asset is still being uploaded; contribute it once its upload "
               "is complete.")
        return None
    owners = asset_parties(session, project, asset)
    if not owners:
        c.fail("asset_id", "asset_not_from_party", "The asset belongs to an organisation that is not a party "
               "of this project.")
    elif party is not None and party not in owners:
        c.fail("asset_id", "asset_of_other_party", f"The asset is {owners[0].organisation.name}'s, not the "
               "contributing party's.", owner=owners[0].organisation.name)
    return asset


def _footage(session: Session, c: Checker, project: Project, party: Party | None, data: dict[str, Any],
             given: Money | None, viewer: User | None) -> Valued:
    asset = _asset(session, c, project, party, data["asset_id"], viewer)
    if asset is None:
        return Valued(given)
    seconds, segment = segment_seconds(c, asset, data["in"], data["out"])
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
