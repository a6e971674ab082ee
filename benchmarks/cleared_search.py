"""Search with "cleared for me" against the same search without it (tantivy, p99 ratio).

    .venv/bin/python benchmarks/cleared_search.py [--docs 100000] [--queries 400] [--profiles 600]

Builds a tantivy index of `--docs` synthetic assets whose `cleared` tokens come from the real
path (`archive.rights.cleared.open_today` → `search.cleared.document_tokens`) over
`--profiles` random sets of rights blocks (none; all-members grants on WORLD, some minus
exclusions; country grants; grants to some of 40 organisations, some exclusive, some with
windows in the past or the future; restrictions for one organisation over a broad grant),
each asset given one profile and one of the 40 organisations as its contributor. Then runs
the same queries (half words, half browsing, some with a facet filter) three ways, in this
process, on the same index: plain; with the cleared filter (a random organisation, platform
and territory); with the filter and the per-platform `cleared` facet (what the API and the
page ask). Prints p50/p99 of each and the ratios to the plain search.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.rights import avails  # noqa: E402
from archive.rights.avails import GRANT, PLATFORMS, RESTRICTION, WORLD, Block, Licensees  # noqa: E402
from archive.rights.cleared import open_today  # noqa: E402
from search.cleared import ClearedFor, document_tokens  # noqa: E402
from search.interfaces import SearchQuery  # noqa: E402
from search.tantivy_backend import TantivySearchBackend  # noqa: E402

WORDS = ("İstanbul Şəki Gəncə Bakı türkü muğam belgesel kayıt arşiv haber film vapur Boğaz Karadeniz "
         "kemençe saz aşıq şəhər köy düğün bayram ışık gece sabah deniz dağ yol ana baba çocuk").split()
TODAY = date(2027, 6, 1)
ORGS = {i: ("TR" if i % 2 else "AZ") for i in range(1, 41)}
NEAR = ["TR", "AZ", "GE", "DE", "FR", "GB", "NL", "KZ", "UZ", "IR", "RU", "UA", "US", "CY"]


def window(rng: random.Random) -> tuple[date, date | None]:
    kind = rng.random()
    if kind < 0.7:  # open now
        return TODAY - timedelta(days=rng.randint(0, 900)), rng.choice([None, TODAY + timedelta(days=rng.randint(0, 900))])
    if kind < 0.85:  # ended
        end = TODAY - timedelta(days=rng.randint(1, 300))
        return end - timedelta(days=rng.randint(0, 400)), end
    start = TODAY + timedelta(days=rng.randint(1, 300))  # not yet
    return start, None


def profile(rng: random.Random, n: int) -> list[Block]:
    kind = rng.random()
    blocks: list[Block] = []

    def add(**values):
        start, end = window(rng)
        blocks.append(Block(id=len(blocks) + 1, kind=values.pop("kind", GRANT), start=start, end=end,
                            platforms=frozenset(rng.sample(PLATFORMS, rng.randint(1, 3))), **values))

    if kind < 0.30:
        return []
    if kind < 0.55:
        add(licensees=Licensees(all_members=True), territories=frozenset({WORLD}),
            exclude_territories=frozenset(rng.sample(NEAR, rng.choice([0, 0, 1, 3]))))
    elif kind < 0.75:
        add(licensees=Licensees(countries=frozenset({rng.choice(["TR", "AZ"])})),
            territories=frozenset(rng.sample(NEAR, rng.randint(1, 4))))
    elif kind < 0.90:
        for _ in range(rng.randint(1, 3)):
            add(licensees=Licensees(organisations=frozenset(rng.sample(sorted(ORGS), rng.randint(1, 2)))),
                territories=frozenset(rng.sample(NEAR, rng.randint(1, 3))), exclusive=rng.random() < 0.3)
    else:
        add(licensees=Licensees(all_members=True), territories=frozenset({WORLD}))
        add(kind=RESTRICTION, licensees=Licensees(organisations=frozenset({rng.choice(sorted(ORGS))})),
            territories=frozenset({rng.choice(NEAR)}))
    return blocks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--profiles", type=int, default=600)
    args = ap.parse_args()
    rng = random.Random(11)
    universe = avails.all_territories()

    t0 = time.perf_counter()
    profiles = []
    for n in range(args.profiles):
        blocks = profile(rng, n)
        cleared, named = open_today(blocks, owner=None, duration=600.0, country_of=ORGS, today=TODAY)
        profiles.append((cleared, named))
    rights_s = time.perf_counter() - t0

    docs, token_counts = [], []
    for i in range(args.docs):
        cleared, named = rng.choice(profiles)
        owner = rng.choice(sorted(ORGS))
        tokens = document_tokens(owner=owner, open_today=cleared, named=named, universe=universe)
        token_counts.append(len(tokens))
        docs.append({"id": f"d{i:06d}", "created": f"2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
                     "title_tr": " ".join(rng.choices(WORDS, k=4)), "description_az": " ".join(rng.choices(WORDS, k=30)),
                     "country": rng.choice(["TR", "AZ"]), "year": str(rng.randint(1950, 2020)), "kind": "video",
                     "status": "ready", "cleared": tokens})

    queries = []
    for _ in range(args.queries):
        org = rng.choice(sorted(ORGS))
        text = " ".join(rng.choices(WORDS, k=rng.randint(1, 2))) if rng.random() < 0.5 else ""
        filters = {"country": [rng.choice(["TR", "AZ"])]} if rng.random() < 0.3 else {}
        who = ClearedFor(str(org), ORGS[org], rng.choice(["TR", "AZ", "TR", "AZ", rng.choice(NEAR), WORLD]),
                         rng.choice(PLATFORMS))
        queries.append((text, filters, who))

    with tempfile.TemporaryDirectory() as tmp:
        backend = TantivySearchBackend(tmp, heap_size=200_000_000)
        t0 = time.perf_counter()
        for i in range(0, len(docs), 5000):
            backend.index(docs[i:i + 5000])
        index_s = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())

        def run(make) -> tuple[list[float], list[int]]:
            times, totals = [], []
            for text, filters, who in queries:
                q = make(text, filters, who)
                t = time.perf_counter()
                totals.append(backend.search(q).total)
                times.append(time.perf_counter() - t)
            return times, totals

        modes = {
            "plain": lambda text, filters, who: SearchQuery(text=text, filters=filters),
            "cleared filter": lambda text, filters, who: SearchQuery(text=text, filters=filters, cleared=who),
            "filter + facet": lambda text, filters, who: SearchQuery(
                text=text, filters=filters,
                cleared=ClearedFor(who.organisation, who.country, who.territory, who.platform, PLATFORMS)),
        }
        for make in modes.values():  # warm the index and the caches alike for every mode
            run(make)
        results = {}
        for rnd in range(3):  # interleave rounds, so drift on a shared machine hits every mode
            for name, make in modes.items():
                times, totals = run(make)
                results.setdefault(name, ([], totals))[0].extend(times)

    def pct(values, p):
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000

    print(f"documents: {len(docs):,}, rights profiles: {len(profiles)} (engine {rights_s:.1f} s), "
          f"queries: {len(queries)} × 3 rounds")
    print(f"cleared tokens a document: mean {statistics.mean(token_counts):.1f}, max {max(token_counts)}")
    print(f"indexing: {len(docs) / index_s:,.0f} docs/s; index size {size / 1e6:.0f} MB")
    base = pct(results["plain"][0], 99)
    for name, (times, totals) in results.items():
        p50, p99 = pct(times, 50), pct(times, 99)
        print(f"{name:15s} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  ratio p99 {p99 / base:5.2f}  "
              f"mean hits {statistics.mean(totals):,.0f}")


if __name__ == "__main__":
    main()

# Measured 2026-11-30 on this 2-core machine (load ~2-5 from other work), default arguments:
#   documents: 100,000, rights profiles: 600 (engine 0.3 s), queries: 400 × 3 rounds
#   cleared tokens a document: mean 4.8, max 37
#   indexing: 6,541 docs/s; index size 31 MB
#   plain           p50    7.97 ms  p99   21.26 ms  ratio p99  1.00  mean hits 67,863
#   cleared filter  p50    6.54 ms  p99   17.50 ms  ratio p99  0.82  mean hits 6,224
#   filter + facet  p50   18.16 ms  p99   50.45 ms  ratio p99  2.37  mean hits 6,224
# The filter costs nothing measurable (fewer hits make the facet aggregations cheaper); the
# per-platform `cleared` facet is six more counting searches (tantivy has no `filters`
# aggregation; Elasticsearch answers it in the same request).
