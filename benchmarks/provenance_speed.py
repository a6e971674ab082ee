"""What the verification's speed search costs a lookup: `lookup.find` CPU time with the search
over `matching.VERIFY_SPEEDS` (the best `matching.SPEED_TOP` voted candidates) and without it,
alternating in one run, on synthetic hashes (20 masters of 600 s, 3 planes; a query cut from
one at 10 frames a second with 4 bits of noise a hash).

    nice .venv/bin/python benchmarks/provenance_speed.py [--seconds 10 120] [--rounds 5]

Prints, per query length, the best CPU seconds of each and their ratio. Only the ratio and the
difference mean anything on a shared machine.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import numpy as np  # noqa: E402

from archive.provenance import lookup, matching  # noqa: E402
from archive.provenance.index import NumpyHammingIndex  # noqa: E402


def hashes(n: int, seed: int) -> np.ndarray:
    """`n` random 64-bit hashes, none of them NO_HASH (0)."""
    return np.random.default_rng(seed).integers(1, 2**63, size=n, dtype=np.uint64) * 2 + 1


def noisy(values: np.ndarray, bits: int, seed: int) -> np.ndarray:
    """Each hash XORed with a mask of `bits` distinct random bits (what re-encoding does to a pHash)."""
    rng = np.random.default_rng(seed)
    positions = np.argsort(rng.random((len(values), 64)), axis=1)[:, :bits].astype(np.uint64)
    return values ^ np.bitwise_or.reduce(np.left_shift(np.uint64(1), positions), axis=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, nargs="+", default=[10, 120])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    index = NumpyHammingIndex()
    for n in range(20):
        index.add(f"m{n:02d}", np.stack([hashes(600, n), hashes(600, 100 + n), hashes(600, 200 + n)]))
    settings = lookup.Settings()
    for seconds in args.seconds:
        times = np.arange(seconds * 10) / 10
        master = index.sequence("m05")
        picks = np.round(200 + times).astype(int)
        planes = np.stack([noisy(master[k][picks], 4, k) for k in range(3)])
        other = np.stack([hashes(len(times), 300 + k) for k in range(3)])
        query = lookup.query_hashes(times[::5], planes[:, ::5], other[:, ::5], seconds, dense=(times, planes, other))
        best = {0: float("inf"), matching.SPEED_TOP: float("inf")}
        top = matching.SPEED_TOP
        try:
            for _ in range(args.rounds):
                for speed_top in best:
                    matching.SPEED_TOP = speed_top
                    t0 = time.process_time()
                    lookup.find(index, query, settings)
                    best[speed_top] = min(best[speed_top], time.process_time() - t0)
        finally:
            matching.SPEED_TOP = top
        without, with_ = best[0], best[top]
        print(f"{seconds} s query: lookup.find CPU {without:.3f} s without the speed search, {with_:.3f} s with it "
              f"(+{with_ - without:.3f} s, ×{with_ / without:.2f})", flush=True)


if __name__ == "__main__":
    main()
