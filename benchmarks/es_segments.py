"""The Elasticsearch backend's segment searches, nested segments (this tree) against a baseline
commit's `search` package (segments flattened into the stored document and matched in Python),
on benchmarks/search_latency.py's synthetic archive (10 % of assets with a transcript of 40-160
cues), both against osmem-server, each in a child process of its own, alternating.

    nice -n 19 .venv/bin/python benchmarks/es_segments.py [--docs 2000] [--queries 200] [--baseline b5261ff] [--repeat 2]

For each: indexing rate (documents/s, `rebuild` in batches of 500), and for segment queries
(one or two words of a random cue, so the hit has a matching segment) and text queries
(search_latency's), the p50/p99 latency and the mean bytes of the search answer Elasticsearch
sends (the `_search` response body, JSON), as ratios to the baseline measured in the same run.
osmem-server is not Elasticsearch: its latencies say how the two request shapes compare on one
engine, not what a cluster does; the bytes do not depend on the engine.

Measured 2026-12-01, 2 cores shared with other helpers' test suites (load average 6-11),
`--docs 1000 --queries 100 --repeat 2 --baseline b5261ff` (1,000 assets, 10,411 cues), best of 2:
the answer of a segment query 146.3 -> 31.3 KiB (0.21x: the hits no longer bring every cue of
their transcripts back, only their matching ones), of a text query 103.1 -> 35.2 KiB (0.34x);
segments listed 1,252 -> 1,606 for the segment queries (the nested query matches every form
of a word, cross-Turkic and truncations too, as tantivy's segment search does; the Python
matching knew three forms). Indexing into osmem 12.6 -> 8.5 documents/s (0.68x: each cue is a
nested document now). Latencies moved with the load more than between the two (the same code
measured p50 1112 and 829 ms, 1674 and 492 ms), so they say nothing here: segment p50 829 ->
492 ms, p99 2821 -> 5035 ms; text p50 461 -> 264 ms, p99 1317 -> 1237 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
ROOT = Path(__file__).resolve().parent.parent
if "--child" in sys.argv:  # the `search` package under test first, before anything imports one
    sys.path.insert(0, sys.argv[sys.argv.index("--child") + 1])
sys.path.insert(1 if "--child" in sys.argv else 0, str(ROOT))


def child(args) -> dict:
    """Index the archive into osmem with the `search` package first on sys.path, then search."""
    import osmem_server
    from elasticsearch import Elasticsearch

    from benchmarks.search_latency import Vocabulary, doc_stream, pct, queries
    from search.elasticsearch_backend import ElasticsearchBackend
    from search.interfaces import SearchQuery
    from tests.contract.es_replay import PlainJsonNode as PlainJson  # osmem answers 406 to the vendor media types

    vocab = Vocabulary(random.Random(11))
    docs = list(doc_stream(args.docs, random.Random(random.Random(12).getrandbits(64)), vocab))
    pick = random.Random(13)
    cues = [seg["text"] for d in docs for seg in d.get("segments") or ()]
    seg_qs = [" ".join(pick.sample(c.split(), min(len(c.split()), pick.choice((1, 2))))) for c in
              (pick.choice(cues) for _ in range(args.queries))]
    text_qs = queries(random.Random(14), vocab, args.queries)
    server = osmem_server.OsmemServer.start(japanese=False)
    try:
        client = Elasticsearch(server.url, node_class=PlainJson, request_timeout=120)
        backend = ElasticsearchBackend(client, "bench-segments")
        sizes: list[int] = []
        search = client.search

        def measured(*a, **kw):
            resp = search(*a, **kw)
            sizes.append(len(json.dumps(resp.body, ensure_ascii=False).encode()))
            return resp
        client.search = measured
        t0 = time.perf_counter()
        done = backend.rebuild(docs[i:i + 500] for i in range(0, len(docs), 500))
        index_s = time.perf_counter() - t0
        out = {"docs": done, "docs_per_s": done / index_s, "cues": len(cues)}
        for name, qs in (("segment", seg_qs), ("text", text_qs)):
            times, listed = [], 0
            sizes.clear()
            for q in qs:
                t = time.perf_counter()
                result = backend.search(SearchQuery(text=q, per_page=20, lang="tr"))
                times.append(time.perf_counter() - t)
                listed += sum(len(h.segments) for h in result.hits)
            p50, p99 = pct(times)
            out[name] = {"p50_ms": p50, "p99_ms": p99, "bytes": sum(sizes) / max(1, len(sizes)),
                         "segments_listed": listed}
        return out
    finally:
        server.close()
        server.process.stdout.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--baseline", default="b5261ff", help="the commit whose search package is the baseline")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(child(args)))
        return
    from benchmarks.search_relevance import baseline_package

    results: dict[str, list[dict]] = {"baseline": [], "new": []}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"baseline": str(baseline_package(args.baseline, Path(tmp))), "new": str(ROOT)}
        for r in range(args.repeat):
            for name in (("baseline", "new") if r % 2 == 0 else ("new", "baseline")):
                out = subprocess.run([sys.executable, __file__, "--child", roots[name], "--docs", str(args.docs),
                                      "--queries", str(args.queries)], check=True, capture_output=True, text=True,
                                     env={**os.environ, "PYTHONPATH": f"{roots[name]}:{ROOT}"}, cwd=roots[name])
                results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(name, results[name][-1], flush=True)
    base, new = results["baseline"], results["new"]
    first = new[0]
    print(f"\n{first['docs']} assets, {first['cues']} cues; {args.queries} queries of each kind; best of {args.repeat}; "
          f"baseline {args.baseline}")
    rate_b, rate_n = max(r["docs_per_s"] for r in base), max(r["docs_per_s"] for r in new)
    print(f"indexing: {rate_b:.0f} -> {rate_n:.0f} documents/s ({rate_n / rate_b:.2f}x)")
    for kind in ("segment", "text"):
        b = {k: min(r[kind][k] for r in base) for k in ("p50_ms", "p99_ms", "bytes")}
        n = {k: min(r[kind][k] for r in new) for k in ("p50_ms", "p99_ms", "bytes")}
        print(f"{kind}: p50 {b['p50_ms']:.1f} -> {n['p50_ms']:.1f} ms ({n['p50_ms'] / b['p50_ms']:.2f}x), "
              f"p99 {b['p99_ms']:.1f} -> {n['p99_ms']:.1f} ms ({n['p99_ms'] / b['p99_ms']:.2f}x), "
              f"answer {b['bytes'] / 1024:.1f} -> {n['bytes'] / 1024:.1f} KiB ({n['bytes'] / b['bytes']:.2f}x); "
              f"segments listed {base[0][kind]['segments_listed']} -> {new[0][kind]['segments_listed']}")


if __name__ == "__main__":
    main()
