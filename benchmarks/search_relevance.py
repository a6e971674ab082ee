"""Search relevance: recall@10 and MRR of today's pipeline against earlier ones.

    .venv/bin/python benchmarks/search_relevance.py [--baseline 33efc0a ...] [--misses]

The judged set is benchmarks/relevance_set.py (assets with realistic titles, queries with the
assets they look for): `QUERIES`, the set the pipeline was tuned on, and `HELD_OUT`, queries
of the same kinds never used to choose a change, each reported apart. Every pipeline indexes
the same corpus on the tantivy backend: the new one in this process, each baseline (one or
more `--baseline` commits, 33efc0a by default: the search before issue 11) in a child process
whose `search` package is that commit's (`git archive`), so nothing of the new code leaks into
it. Queries of kind `prefix` without
`*` are sent as the search box sends them while typing (`as_you_type`); the baseline knew no
such flag.

recall@10: per query, the share of its wanted assets in the first ten hits, averaged.
MRR: per query, 1 / the rank of the first wanted asset (0 when none is in the first 50).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path and its name would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]


def run(search_root: Path | None) -> dict:
    """Index the corpus and run every query with the `search` package found first on sys.path."""
    if search_root is not None:
        sys.path.insert(0, str(search_root))
    sys.path.insert(1, str(ROOT))
    from benchmarks.relevance_set import CORPUS, DISTRACTORS, HELD_OUT, QUERIES
    from search.interfaces import SearchQuery
    from search.tantivy_backend import TantivySearchBackend

    typing_flag = "as_you_type" in SearchQuery.__dataclass_fields__
    with tempfile.TemporaryDirectory() as tmp:
        backend = TantivySearchBackend(tmp)
        docs = CORPUS + DISTRACTORS
        t0 = time.perf_counter()
        backend.index(docs)
        index_s = time.perf_counter() - t0
        ranked: dict[str, list[list[str]]] = {}
        t0 = time.perf_counter()
        for name, queries in (("tuned", QUERIES), ("held_out", HELD_OUT)):
            ranked[name] = []
            for text, _wanted, kind in queries:
                kw = {"as_you_type": True} if typing_flag and kind == "prefix" and "*" not in text else {}
                try:
                    result = backend.search(SearchQuery(text=text, per_page=50, **kw))
                    ranked[name].append([h.id for h in result.hits])
                except ValueError:  # a QueryError: nothing found
                    ranked[name].append([])
        query_ms = (time.perf_counter() - t0) * 1000 / (len(QUERIES) + len(HELD_OUT))
    return {"ranked": ranked, "docs": len(docs), "index_s": index_s, "query_ms": query_ms}


def scores(queries: list, ranked: list[list[str]]) -> tuple[float, float, list[tuple[str, str, int | None]]]:
    """(recall@10, MRR, the queries missing a wanted asset in the first ten as (kind, text,
    rank of the first wanted asset or None)) of one set's ranked ids."""
    recall, rr, misses = [], [], []
    for (text, wanted, kind), ids in zip(queries, ranked):
        top = ids[:10]
        recall.append(len(wanted & set(top)) / len(wanted))
        rank = next((i + 1 for i, doc_id in enumerate(ids) if doc_id in wanted), None)
        rr.append(1 / rank if rank else 0.0)
        if recall[-1] < 1:
            misses.append((kind, text, rank))
    return sum(recall) / len(recall), sum(rr) / len(rr), misses


def baseline_package(commit: str, into: Path) -> Path:
    """That commit's `search` package, extracted under `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "search"], check=True,
                             capture_output=True).stdout
    tar_path = into / "search.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", action="append",
                    help="a commit whose search package is a baseline (repeat for several; default 33efc0a)")
    ap.add_argument("--misses", action="store_true", help="list the queries each pipeline misses")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run(Path(args.child))))
        return

    runs = {}
    for commit in args.baseline or ["33efc0a"]:
        with tempfile.TemporaryDirectory() as tmp:
            root = baseline_package(commit, Path(tmp))
            child = subprocess.run([sys.executable, __file__, "--child", str(root)], check=True,
                                   capture_output=True, text=True, cwd=tmp)
            runs[f"baseline {commit}"] = json.loads(child.stdout)
    runs["new"] = run(None)
    sys.path.insert(0, str(ROOT))
    from benchmarks.relevance_set import HELD_OUT, QUERIES

    docs = runs["new"]["docs"]
    print(f"{len(QUERIES)} tuned + {len(HELD_OUT)} held-out judged queries over {docs} assets (tantivy)")
    print(f"{'pipeline':<22}{'set':<10}{'recall@10':>10}{'MRR':>8}{'index docs/s':>14}{'ms/query':>10}")
    results = {}
    for name, data in runs.items():
        for set_name, queries in (("tuned", QUERIES), ("held_out", HELD_OUT)):
            recall, mrr, misses = scores(queries, data["ranked"][set_name])
            results[name, set_name] = (queries, misses)
            print(f"{name:<22}{set_name:<10}{recall:>10.3f}{mrr:>8.3f}{docs / data['index_s']:>14.0f}"
                  f"{data['query_ms']:>10.2f}")
    for (name, set_name), (queries, misses) in results.items():
        by_kind: dict[str, int] = defaultdict(int)
        for kind in (q[2] for q in queries):
            by_kind[kind] += 1
        counts: dict[str, int] = defaultdict(int)
        for kind, _text, _rank in misses:
            counts[kind] += 1
        print(f"misses by kind, {name}, {set_name}: "
              + ", ".join(f"{k} {counts[k]}/{n}" for k, n in sorted(by_kind.items()) if counts[k]))
        if args.misses:
            for kind, text, rank in misses:
                print(f"   {kind:<22} {text!r} first wanted at {rank}")


if __name__ == "__main__":
    main()
