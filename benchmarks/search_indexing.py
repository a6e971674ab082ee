"""Indexing rate of tantivy's rebuild (`ortak reindex`) with the analysis in this process and
spread over a process pool, on benchmarks/search_latency.py's synthetic archive.

    nice .venv/bin/python benchmarks/search_indexing.py [--docs 100000] [--jobs 2]

For each of `--jobs 1` (the baseline) and `--jobs N`, in the same run and on the same
documents (made before the clock starts): wall time, documents/s, the ratio to the baseline,
and the CPU seconds per 1,000 documents split into the analysis (search.tantivy_backend.prepare,
pure Python) and everything else (tantivy's Document building, its indexing threads, commits),
measured as process and child CPU time. From the CPU per document it prints how many cores a
given rate needs at that cost. The order of the two runs alternates with `--repeat`, so a
change of load falls on both.

Measured 2026-11-30, 2 cores, nothing else running, `--docs 20000 --jobs 2` (2,029 with
transcripts): jobs 1 34.6 s, 579 documents/s, 1.81 ms CPU a document; jobs 2 38.7 s, 516
documents/s (0.89x), 2.99 ms (the documents and their analysis pickled both ways); the
analysis 1.13 ms of the 1.81 (63 %), so 5,000 documents/s at that cost needs 9.1 cores. The
same rebuild committing every 200 documents (before) against every 5,000, alternating:
293 and 312 against 524 and 522 documents/s (3.42 and 3.20 against 2.01 and 2.02 ms CPU).
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import tantivy_backend  # noqa: E402
from search.tantivy_backend import TantivySearchBackend  # noqa: E402

_spec = importlib.util.spec_from_file_location("search_latency", Path(__file__).parent / "search_latency.py")
sl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sl)


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(batches: list[list[dict]], jobs: int, tmp: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children) of one rebuild."""
    backend = TantivySearchBackend(tmp, heap_size=256_000_000)
    c0, t0 = cpu(), time.perf_counter()
    backend.rebuild(iter(batches), jobs=jobs)
    return time.perf_counter() - t0, cpu() - c0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=200, help="documents a batch (archive.indexing.BATCH)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    docs = list(sl.doc_stream(args.docs, random.Random(12), sl.Vocabulary(random.Random(11))))
    batches = [docs[i:i + args.batch] for i in range(0, len(docs), args.batch)]
    # The analysis alone, in this process, on a sample: its CPU per document.
    sample = docs[:: max(1, len(docs) // 5000)]
    c0 = time.process_time()
    for doc in sample:
        tantivy_backend.prepare(doc)
    analysis = (time.process_time() - c0) / len(sample)
    results: dict[int, list[tuple[float, float]]] = {1: [], args.jobs: []}
    for r in range(args.repeat):
        for jobs in ((1, args.jobs) if r % 2 == 0 else (args.jobs, 1)):
            with tempfile.TemporaryDirectory() as tmp:
                results[jobs].append(run(batches, jobs, tmp))
                wall, spent = results[jobs][-1]
                print(f"jobs {jobs}: {wall:.1f} s, {len(docs) / wall:.0f} documents/s, CPU {spent:.1f} s", flush=True)
    base = min(w for w, _ in results[1])
    print(f"\n{len(docs)} documents ({sum(1 for d in docs if d.get('segments'))} with transcripts), batches of "
          f"{args.batch}, best of {args.repeat}")
    print(f"{'jobs':>4} {'wall s':>8} {'docs/s':>8} {'x jobs 1':>9} {'CPU ms/doc':>11}")
    for jobs, runs in results.items():
        wall, spent = min(runs)
        print(f"{jobs:>4} {wall:>8.1f} {len(docs) / wall:>8.0f} {base / wall:>9.2f} {spent / len(docs) * 1000:>11.2f}")
    spent = min(results[1])[1] / len(docs)
    print(f"analysis (prepare) {analysis * 1000:.2f} ms CPU a document of {spent * 1000:.2f} ms in all "
          f"({analysis / spent:.0%}); at that cost 5,000 documents/s needs {5000 * spent:.1f} cores")


if __name__ == "__main__":
    main()
