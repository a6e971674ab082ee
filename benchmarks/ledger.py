"""Co-production ledger benchmark: the parity dashboard and the chain's verification.

    .venv/bin/python benchmarks/ledger.py [--entries 100000] [--chain-entries 1000000]
                                          [--database-url postgresql+psycopg://...]

1. A project with ENTRIES contributions in 5 currencies (TRY, AZN, USD, GBP in EUR, the
   reporting currency) from 4 parties, about 60 % of them confirmed by the other country,
   some disputed, some reversed: the dashboard's computation (`parity.dashboard`: every
   figure of GET .../parity) against one plain SQL aggregate (the sum per party) in the same
   run; medians of 5 runs.
2. A project whose chain has CHAIN_ENTRIES records: `ledger.verify` (recomputes every hash and
   link, streaming) against reading the same rows, in the same way, without checking them.

The rows are written in bulk with their real hashes (the chain is the one the service would
have built), into a fresh migrated database (SQLite in a temporary folder by default).
Timings are ratios against a baseline measured in the same process, never asserted.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from sqlalchemy import func, insert, select  # noqa: E402

from archive import create_app, db  # noqa: E402
from archive.accounts import services as accounts  # noqa: E402
from archive.chain import GENESIS  # noqa: E402
from archive.coproduction import ledger, parity  # noqa: E402
from archive.coproduction.models import ExchangeRate, LedgerEntry, Party, Project  # noqa: E402
from archive.migrate import upgrade  # noqa: E402

CURRENCIES = {"EUR": Decimal("1"), "TRY": Decimal("0.0270"), "AZN": Decimal("0.5400"), "USD": Decimal("0.9100"),
              "GBP": Decimal("1.1700")}
KINDS = ("cash", "crew", "service", "footage", "rights")
BATCH = 20_000


def median_time(fn, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def setup(session):
    orgs = [("TRT", "TR"), ("TV8", "TR"), ("İTV", "AZ"), ("AzTV", "AZ")]
    users = {}
    for name, country in orgs:
        accounts.create_organisation(session, name, country)
        users[name] = accounts.create_user(session, f"bench@{uuid.uuid4().hex[:8]}.test", "bench password 1", name,
                                           "producer")
    session.flush()
    return users


def make_project(session, users, title: str) -> tuple[Project, list[Party]]:
    project = Project(title={"en": title}, kind="film", reporting_currency="EUR", created_by=users["TRT"].id)
    for name, share in (("TRT", "30"), ("TV8", "20"), ("İTV", "30"), ("AzTV", "20")):
        project.parties.append(Party(organisation_id=users[name].organisation_id, role="co_producer",
                                     share=Decimal(share)))
    session.add(project)
    session.flush()
    return project, list(project.parties)


class Chain:
    """Builds a project's records in order, with their real links and hashes."""

    def __init__(self, project_id: str):
        self.project_id, self.seq, self.head = project_id, 0, GENESIS
        self.at = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def record(self, actor, **fields) -> dict:
        self.seq += 1
        self.at += timedelta(microseconds=1_000)
        row = dict(id=str(uuid.uuid4()), project_id=self.project_id, seq=self.seq, at=self.at, actor_id=actor.id,
                   actor_organisation_id=actor.organisation_id, actor_country=actor.organisation.country, **fields)
        entry = LedgerEntry(**row)  # transient: only to hash it as the service does
        entry.prev_hash = self.head
        row["prev_hash"], row["hash"] = self.head, ledger.entry_hash(entry)
        self.head = row["hash"]
        return row


def contribution(rng: random.Random, chain: Chain, party: Party, user, when: date) -> dict:
    currency = rng.choice(list(CURRENCIES))
    minor = rng.randint(100, 5_000_000)
    rate = CURRENCIES[currency]
    reporting = int((Decimal(minor) * rate).quantize(Decimal(1)))
    return chain.record(user, type="contribution", party_id=party.id, kind=rng.choice(KINDS), amount_minor=minor,
                        currency=currency, date=when, fx_rate=rate, fx_date=when, fx_source="bench",
                        reporting_minor=reporting, description="benchmark entry")


def fill_dashboard_project(session, users, n: int, rng: random.Random) -> Project:
    project, parties = make_project(session, users, "Dashboard")
    by_org = {u.organisation_id: u for u in users.values()}
    other = {"TR": [u for u in users.values() if u.organisation.country == "AZ"],
             "AZ": [u for u in users.values() if u.organisation.country == "TR"]}
    for currency, rate in CURRENCIES.items():
        if currency != "EUR":
            session.add(ExchangeRate(project_id=project.id, currency=currency, date=date(2026, 1, 1), rate=rate,
                                     source="bench", created_by=users["TRT"].id))
    chain = Chain(project.id)
    rows: list[dict] = []
    start = date(2024, 1, 1)
    for i in range(n):
        party = parties[i % len(parties)]
        user = by_org[party.organisation_id]
        entry = contribution(rng, chain, party, user, start + timedelta(days=i * 900 // n))
        rows.append(entry)
        roll = rng.random()
        signer = rng.choice(other[user.organisation.country])
        if roll < 0.60:
            rows.append(chain.record(signer, type="confirmation", target_id=entry["id"]))
        elif roll < 0.65:
            rows.append(chain.record(signer, type="dispute", target_id=entry["id"], reason="why?"))
        elif roll < 0.67:
            rows.append(chain.record(user, type="contribution", party_id=party.id, kind=entry["kind"],
                                     amount_minor=-entry["amount_minor"], currency=entry["currency"],
                                     date=entry["date"], fx_rate=entry["fx_rate"], fx_date=entry["fx_date"],
                                     fx_source="bench", reporting_minor=-entry["reporting_minor"],
                                     reverses_id=entry["id"]))
        if len(rows) >= BATCH:
            session.execute(insert(LedgerEntry), rows)
            rows.clear()
    if rows:
        session.execute(insert(LedgerEntry), rows)
    session.commit()
    return project


def fill_chain_project(session, users, n: int, rng: random.Random) -> Project:
    project, parties = make_project(session, users, "Chain")
    chain = Chain(project.id)
    by_org = {u.organisation_id: u for u in users.values()}
    rows: list[dict] = []
    t0 = time.perf_counter()
    for i in range(n):
        party = parties[i % len(parties)]
        rows.append(contribution(rng, chain, party, by_org[party.organisation_id], date(2025, 1, 1)))
        if len(rows) >= BATCH:
            session.execute(insert(LedgerEntry), rows)
            session.commit()
            rows.clear()
            print(f"  chain: {i + 1} records written ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, end="\r")
    if rows:
        session.execute(insert(LedgerEntry), rows)
    session.commit()
    print(file=sys.stderr)
    return project


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--chain-entries", type=int, default=1_000_000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    rng = random.Random(10)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        app = create_app({"DATA_DIR": tmp, "DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
                          "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_COST": 8,
                          "PASSWORD_HASH_PARALLELISM": 1})
        with app.app_context():
            session = db.session()
            users = setup(session)
            t0 = time.perf_counter()
            project = fill_dashboard_project(session, users, args.entries, rng)
            records = session.scalar(select(func.count()).select_from(LedgerEntry))
            print(f"database: {session.get_bind().dialect.name}")
            print(f"dashboard project: {args.entries} contributions in {len(CURRENCIES)} currencies, "
                  f"{records} ledger records (written in {time.perf_counter() - t0:.1f} s)")

            def plain():
                q = (select(LedgerEntry.party_id, func.sum(LedgerEntry.reporting_minor))
                     .where(LedgerEntry.project_id == project.id, LedgerEntry.type == "contribution")
                     .group_by(LedgerEntry.party_id))
                return session.execute(q).all()

            def dashboard():
                session.expire_all()
                return parity.dashboard(session, session.get(Project, project.id))

            plain_s, sums = median_time(plain)
            dash_s, board = median_time(dashboard)
            total = sum(s for _p, s in sums)
            assert Decimal(board["totals"]["confirmed"]) + Decimal(board["totals"]["pending"]) == \
                Decimal(total) / 100, "the dashboard and the plain sum disagree"
            print(f"plain SQL aggregate (sum per party):  {plain_s * 1000:8.1f} ms")
            print(f"parity dashboard (every figure):      {dash_s * 1000:8.1f} ms   "
                  f"ratio {dash_s / plain_s:.1f}× the plain aggregate")

            t0 = time.perf_counter()
            chain_project = fill_chain_project(session, users, args.chain_entries, rng)
            print(f"chain project: {args.chain_entries} records (written in {time.perf_counter() - t0:.1f} s)")

            def read_only():
                table = LedgerEntry.__table__
                q = (select(table).where(table.c.project_id == chain_project.id).order_by(table.c.seq)
                     .execution_options(yield_per=1000))
                return sum(1 for _ in session.execute(q))

            session.expire_all()
            t0 = time.perf_counter()
            read = read_only()
            read_s = time.perf_counter() - t0
            session.expire_all()
            t0 = time.perf_counter()
            broken = ledger.verify(session, chain_project)
            verify_s = time.perf_counter() - t0
            assert broken is None and read == args.chain_entries
            print(f"reading the {read} records in order:   {read_s:8.1f} s")
            print(f"verifying the chain (hashes + links):  {verify_s:8.1f} s   "
                  f"ratio {verify_s / read_s:.2f}× reading them; {read / verify_s:,.0f} records/s")
        app.extensions["ortak.db"].dispose()


if __name__ == "__main__":
    main()
