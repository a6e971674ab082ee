"""Indexing-side text analysis: documents/s of `search.fields.text_fields` today against the
package of an earlier commit (default 33efc0a, before issue 11), in the same invocation.

    .venv/bin/python benchmarks/search_analysis.py [--docs 20000] [--baseline 33efc0a]

The corpus: Turkish/Azerbaijani-like words from 8,000 stems with 15 endings (120,000 distinct
forms), Zipf-distributed, 90 words a document (title, descriptions in two languages, tags).
"cold" is the first pass (every new word analysed, stems included), "warm" the second (the
per-word caches full). Each pipeline runs in its own child process, so caches are not shared.
Only the analysis is timed, not the engine's indexing.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]


def corpus(n: int) -> list[dict]:
    rng = random.Random(3)
    letters = "abcçdefgğhıijklmnoöprsştuüvyzəqx"
    stems = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) for _ in range(8000)]
    endings = ["", "lar", "ler", "ları", "leri", "ı", "i", "da", "de", "dan", "ın", "in", "ında", "sı", "si"]
    cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(stems))))

    def text(k: int) -> str:
        return " ".join(w + rng.choice(endings) for w in rng.choices(stems, cum_weights=cum, k=k))

    return [{"id": f"d{i}", "title_tr": text(5), "description_az": text(60), "description_en": text(20),
             "keywords": [text(1), text(1)], "places": [text(1)]} for i in range(n)]


def child(search_root: str, n: int) -> dict:
    sys.path.insert(0, search_root)
    from search import fields

    docs = corpus(n)
    out = {}
    for run in ("cold", "warm"):
        t0 = time.perf_counter()
        for doc in docs:
            fields.text_fields(doc)
        out[run] = n / (time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--baseline", default="33efc0a")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.docs)))
        return
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "search"], check=True,
                              capture_output=True).stdout
        (Path(tmp) / "s.tar").write_bytes(data)
        with tarfile.open(Path(tmp) / "s.tar") as tar:
            tar.extractall(tmp, filter="data")
        for name, root in ((f"baseline {args.baseline}", tmp), ("new", str(ROOT))):
            proc = subprocess.run([sys.executable, __file__, "--child", root, "--docs", str(args.docs)],
                                  check=True, capture_output=True, text=True, cwd=tmp)
            rates[name] = json.loads(proc.stdout)
    print(f"{args.docs} documents, documents/s of search.fields.text_fields")
    for name, r in rates.items():
        print(f"{name:<22} cold {r['cold']:>8.0f}   warm {r['warm']:>8.0f}")
    base, new = rates[f"baseline {args.baseline}"], rates["new"]
    print(f"new / baseline: cold {new['cold'] / base['cold']:.2f}x, warm {new['warm'] / base['warm']:.2f}x")


if __name__ == "__main__":
    main()
