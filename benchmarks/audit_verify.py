"""Usage-log verification benchmark: `ortak audit verify` over a million records.

    .venv/bin/python benchmarks/audit_verify.py [--records 1000000] [--baseline 100000]
                                                [--checkpoint-every 100000]
                                                [--database-url postgresql+psycopg://...]

A fresh migrated database (SQLite in a temporary folder by default) gets RECORDS usage
records with their real hashes (the chain the access gate would have built: declarations,
decisions and segments on some of them), written in bulk, with a signed checkpoint every
CHECKPOINT_EVERY records (as the scheduler would have left them). Then the real command,
`ortak audit verify`, runs as a child process, twice: when the log has BASELINE records and
when it has RECORDS. Printed: wall time, records per second and the child's peak resident
memory (getrusage's ru_maxrss) for each, and the ratios of the large run to the baseline:
time should grow with the records, memory should not (the command streams). Also, in this
process, reading the same rows in order without checking them, for the cost of the checks.
Nothing is asserted but that the command exits 0.

Measured on this machine (2 cores), 2026-11-30, with nothing else running:

    SQLite  (.venv/bin/python benchmarks/audit_verify.py)
      ortak audit verify,  100000 records:   3.7 s   26,928 records/s  peak RSS 187.7 MiB
      ortak audit verify, 1000000 records:  28.1 s   35,573 records/s  peak RSS 189.4 MiB
      reading the rows without checking: 9.4 s (verify 3.0x that); peak memory 1.01x for 10x the records
    PostgreSQL 15 (--database-url postgresql+psycopg://postgres@127.0.0.1:5432/ortak_bench_audit)
      ortak audit verify,  100000 records:   6.9 s   14,395 records/s  peak RSS 199.5 MiB
      ortak audit verify, 1000000 records:  32.7 s   30,607 records/s  peak RSS 201.4 MiB
      reading the rows without checking: 14.3 s (verify 2.3x that); peak memory 1.01x for 10x the records

and while the whole test suite ran on the same cores: 63.1 s (SQLite) and 147.2 s
(PostgreSQL) for the million, with the same peaks (186.0 and 201.5 MiB).

The peak is the whole process's resident size, libraries included. It does not grow with
the log past 100,000 records (+1.7 MiB on SQLite, +1.9 MiB on PostgreSQL for ten times the
records); a smaller SQLite run (`--baseline 5000 --records 20000`) peaked at 136.0 and
138.0 MiB. What makes the step between 20,000 and 100,000 records was not measured.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from sqlalchemy import insert, select  # noqa: E402

from archive import create_app, db  # noqa: E402
from archive.accounts import services as accounts  # noqa: E402
from archive.assets.models import Asset  # noqa: E402
from archive.backends import storage  # noqa: E402
from archive.chain import GENESIS, plain_json  # noqa: E402
from archive.migrate import upgrade  # noqa: E402
from archive.usage import checkpoints  # noqa: E402
from archive.usage.models import UsageRecord  # noqa: E402
from archive.usage.services import canonical  # noqa: E402

BATCH = 20_000
PLATFORMS = ("linear_tv", "vod", "online_news", "social")


def setup(session) -> tuple[list, list[str]]:
    users = []
    for name, country in (("TRT", "TR"), ("İTV", "AZ")):
        accounts.create_organisation(session, name, country)
        users.append(accounts.create_user(session, f"rm@{country.lower()}.example", "bench password 1", name,
                                          "broadcaster"))
    assets = []
    for i in range(50):
        user = users[i % 2]
        a = Asset(status="ready", kind="video", filename=f"film-{i}.mp4", content_type="video/mp4", size=1,
                  sha256=hashlib.sha256(str(i).encode()).hexdigest(), original_key=f"originals/x/{i}", meta={},
                  technical={}, organisation_id=user.organisation_id, country=user.organisation.country,
                  uploader_id=user.id)
        session.add(a)
        session.flush()
        assets.append(a.id)
    session.commit()
    return users, assets


class Filler:
    """Appends records with their real chain hashes, in bulk."""

    def __init__(self, users, assets):
        self.users, self.assets = users, assets
        self.prev = GENESIS
        self.n = 0
        self.t = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def row(self) -> dict:
        i = self.n
        user = self.users[i % 2]
        declaration = plain_json({"platform": PLATFORMS[i % 4], "territory": ("TR", "AZ")[i % 2],
                                  "purpose": f"haber bülteni {i % 97}", "from": "2027-01-01", "to": "2027-02-01"}
                                 if i % 3 else None)
        optional = {"decision": "allowed" if i % 5 else "denied",
                    "reasons": [{"code": "x", "message": "no"}] if i % 5 == 0 else None,
                    "conditions": {"credit": {"tr": "Kaynak: İTV"}} if i % 7 == 0 else None,
                    "segment": {"in": 1.0, "out": 4.5} if i % 11 == 0 else None}
        self.t += timedelta(seconds=7)
        fields = dict(at=self.t, user_id=user.id, organisation_id=user.organisation_id,
                      asset_id=self.assets[i % len(self.assets)], action="download", rendition="original",
                      declaration=declaration, prev_hash=self.prev)
        h = hashlib.sha256(canonical(**fields, **optional)).hexdigest()
        self.prev = h
        self.n += 1
        return {**fields, **optional, "hash": h}

    def fill_to(self, session, target: int, checkpoint_every: int) -> None:
        t0 = time.perf_counter()
        rows: list[dict] = []
        while self.n < target:
            rows.append(self.row())
            if len(rows) >= BATCH or self.n == target or self.n % checkpoint_every == 0:
                session.execute(insert(UsageRecord), rows)
                session.commit()
                rows.clear()
                if self.n % checkpoint_every == 0 or self.n == target:
                    checkpoints.checkpoint_now(session, storage(), session.info["config"])
                print(f"  {self.n} records written ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, end="\r")
        print(file=sys.stderr)


def run_verify(env: dict) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in KiB, output) of `ortak audit verify` as a child process; the
    peak is that child's own (os.wait4 returns its rusage)."""
    with tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(Path(sys.executable).parent / "ortak"), "audit", "verify"], env=env,
                                stdout=out, stderr=subprocess.STDOUT, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().strip()
    if proc.returncode != 0:
        raise SystemExit(f"ortak audit verify exited {proc.returncode}: {text}")
    return wall, usage.ru_maxrss, text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--baseline", type=int, default=100_000)
    ap.add_argument("--checkpoint-every", type=int, default=100_000)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        config = {"DATA_DIR": tmp, "DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING",
                  "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_COST": 8, "PASSWORD_HASH_PARALLELISM": 1}
        app = create_app(config)
        env = {**os.environ, **{f"ORTAK_{k}": str(v) for k, v in config.items()}}
        results = []
        with app.app_context():
            session = db.session()
            session.info["config"] = app.config
            users, assets = setup(session)
            filler = Filler(users, assets)
            print(f"database: {session.get_bind().dialect.name}")
            for target in (args.baseline, args.records):
                t0 = time.perf_counter()
                filler.fill_to(session, target, args.checkpoint_every)
                print(f"log of {target} records written in {time.perf_counter() - t0:.1f} s")
                session.close()
                wall, peak, out = run_verify(env)
                print(f"ortak audit verify, {target:>9} records: {wall:7.1f} s  {target / wall:>9,.0f} records/s  "
                      f"peak RSS {peak / 1024:6.1f} MiB   [{out}]")
                results.append((target, wall, peak))
            table = UsageRecord.__table__
            t0 = time.perf_counter()
            read = sum(1 for _ in session.execute(select(table).order_by(table.c.id)
                                                  .execution_options(yield_per=2000)))
            read_s = time.perf_counter() - t0
        (n0, w0, p0), (n1, w1, p1) = results
        print(f"reading the {read} records in order without checking (in this process): {read_s:.1f} s; "
              f"verify costs {w1 / read_s:.1f}× that")
        print(f"ratios, {n1} against {n0} records: time {w1 / w0:.1f}× for {n1 / n0:.0f}× the records, "
              f"peak memory {p1 / p0:.2f}×")
        app.extensions["ortak.db"].dispose()


if __name__ == "__main__":
    main()
