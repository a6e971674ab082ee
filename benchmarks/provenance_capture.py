"""Reverse clip search, captured once and answered offline: the corpus and queries of
`benchmarks/provenance.py` (same seeds, same in-points and lengths), their hashes saved
so that recipes can be compared without decoding again.

    nice .venv/bin/python benchmarks/provenance_capture.py capture --seed 3 --out /tmp/cap3.pkl
    nice .venv/bin/python benchmarks/provenance_capture.py replay /tmp/cap3.pkl [--verify-rate 2]

A capture holds each indexed master's planes (the renditions' fingerprint branch) and, for
each query, its raw grey frames at CAPTURE_RATE frames a second (one decode; captures made
before held their planes); a replay hashes them as the code it runs does (`--no-views`: the
planes alone, the recipe before off-centre views), takes the search frames at the query rate from them (every
CAPTURE_RATE / rate-th frame: the frames `fps=rate` picks) and verifies on the frames at
`--verify-rate`, then scores top-1 and false positives as `provenance.py` does.

The capture is saved every SAVE_EVERY queries, the queries taken in rounds (some indexed masters'
queries, then a negative's), so one stopped early is a part of every edit and of the
negatives (`replay` says so); `--only` makes and indexes a part of the masters only.
`replay --verbose` prints each miss with its master's per-frame distances at the right
in-point, and each false positive's along its line.

Measured, the whole corpus of each seed (`capture --seed S --masters 32 --negatives 8
--seconds 40`, 2 cores shared with a latency benchmark, load 5-10; 32 queries an edit, 48
negatives; `replay --verify-rate V`, threshold 0.60; low bitrate / 480p / crop / logo / mirror /
combined, false positives, highest negative score):
  seed 5 (tuning)  verify-rate 2    75.0 / 84.4 / 90.6 / 90.6 / 84.4 / 78.1 %, 2/48, 0.66
                   verify-rate 4    96.9 / 96.9 / 100 / 100 / 100 / 96.9 %, 4/48, 0.70
                   verify-rate 10   96.9 / 100 / 100 / 100 / 100 / 100 %, 3/48, 0.66
                   verify-rate 20   96.9 / 100 / 100 / 100 / 100 / 100 %, 3/48, 0.74
  seed 11 (held)   verify-rate 2    90.6 / 87.5 / 87.5 / 93.8 / 100 / 90.6 %, 1/48, 0.73
                   verify-rate 4    93.8 / 96.9 / 96.9 / 96.9 / 100 / 96.9 %, 1/48, 0.81
                   verify-rate 10   100 / 100 / 96.9 / 96.9 / 100 / 100 %, 1/48, 0.87
                   verify-rate 20   100 / 100 / 96.9 / 96.9 / 100 / 100 %, 1/48, 0.90
10 was chosen on seed 5 (the fewest false positives, then the best worst edit, then the
cheapest) and is `lookup.Settings.verify_rate`'s default. Top-1 meets the goal on seed 11;
false positives do not: the seed 11 one (a life world on a Mandelbrot master, 7.8 bits, 0.87)
and two of seed 5's three (9.9 and 10.6 bits, 0.66 and 0.65; the second new at 10) are
speed fits of 0.40 and 0.23, outside the 0.5-2.0 that `matching.fit_speed` votes over. The two
seed 11 misses are one cellular automaton cropped and with the logo: no candidate from the
vote, its frames 14-32 bits from their master hashes (README "Reverse clip search").
With `fit_speed` keeping speed 1 when its least squares leaves 0.5-2.0 (the default since),
verify-rate 10: seed 5 96.9 / 100 / 100 / 100 / 100 / 100 %, 1/48, 0.66 (a mirrored look-alike
at speed 1); seed 11 100 / 100 / 96.9 / 96.9 / 100 / 100 %, 0/48, 0.33.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from archive.media import fingerprints  # noqa: E402
from archive.media.probe import inspect_media  # noqa: E402
from archive.media.runner import run  # noqa: E402
from archive.provenance import lookup, matching  # noqa: E402
from archive.provenance.index import NumpyHammingIndex  # noqa: E402
from provenance import EDITS, AllPlanes, index_fingerprints, make_master, make_query, query_plan  # noqa: E402

CAPTURE_RATE = 20
TWIN_SIZE = (640, 360)  # the size a master's look-alike twin is made at (`provenance.master_graph`)
SAVE_EVERY = 16  # queries between saves (a capture of raw frames is some hundred MB)


def capture(args) -> None:
    total = args.masters + args.negatives
    work = tempfile.mkdtemp(prefix="ortak-capture-")
    t0 = time.monotonic()
    try:
        masters, planes, colours = [], {}, {}
        only = set(args.only) if args.only else set(range(total))
        for n in range(total):
            path = os.path.join(work, f"master_{n:02d}.mp4")
            masters.append(path)
            if n not in only:
                continue
            make_master(path, n, args.seconds, args.seed)
            if n < args.masters:
                planes[f"m{n:02d}"], colours[f"m{n:02d}"] = index_fingerprints(path, work)
            print(f"  master {n}: {time.monotonic() - t0:.0f} s", flush=True)
        # Look-alike twins (`--twins`): the first masters made again at another size and indexed
        # as assets of their own (key t..): their queries must still name their master, and the
        # negatives meet two look-alikes at once.
        for n in range(min(args.twins, args.masters)):
            path = os.path.join(work, f"twin_{n:02d}.mp4")
            make_master(path, n, args.seconds, args.seed, size=TWIN_SIZE)
            planes[f"t{n:02d}"], colours[f"t{n:02d}"] = index_fingerprints(path, work)
            os.unlink(path)
            print(f"  twin {n}: {time.monotonic() - t0:.0f} s", flush=True)
        print(f"seed {args.seed}: {len(planes)} masters indexed", flush=True)
        queries = []
        qpath = os.path.join(work, "query.mp4")
        t0 = time.monotonic()
        # The same draws as the whole corpus (its queries keep their in-points), taken in rounds
        # (each round some indexed masters' queries and a negative's), the capture saved after
        # each query: stopped early, it is a part of every edit and of the negatives.
        plan = [p for p in query_plan(args.seed, total, args.seconds) if p[0] in only]
        plan.sort(key=lambda p: (p[0] / args.masters if p[0] < args.masters
                                 else (p[0] - args.masters + 0.5) / max(1, args.negatives), p[0]))
        for k, (n, edit, start, seconds) in enumerate(plan):
            make_query(masters[n], qpath, start, seconds, edit, n)
            probe = inspect_media(qpath, timeout=60)
            window = fingerprints.Window(0.0, probe.duration or 0.0)
            target = os.path.join(work, "query.yuv")
            run(fingerprints.query_command(qpath, probe, [window], [target], rate=CAPTURE_RATE), timeout=300)
            picture = fingerprints.read_picture(target, limit=fingerprints.frames_expected(window, CAPTURE_RATE))
            # The frames themselves (uint8, Y then Cb and Cr): a replay hashes them as the code it runs does.
            queries.append(dict(n=n, edit=edit, start=start, seconds=round(seconds, 1),
                                times=np.arange(len(picture)) / CAPTURE_RATE, frames=picture[:, 0].copy(),
                                chroma=picture[:, 1:].copy()))
            if (k + 1) % SAVE_EVERY == 0 or k + 1 == len(plan):
                save(args, planes, queries, complete=k + 1 == len(plan), colours=colours)
            print(f"  {k + 1}/{len(plan)} queries, {time.monotonic() - t0:.0f} s", flush=True)
        print(f"seed {args.seed}: {len(queries)} queries captured in {time.monotonic() - t0:.0f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def save(args, planes: dict, queries: list, *, complete: bool, colours: dict) -> None:
    """The capture so far to `args.out` (written aside, then moved in place)."""
    with open(args.out + ".part", "wb") as fh:
        pickle.dump(dict(seed=args.seed, masters=args.masters, planes=planes, colours=colours, queries=queries,
                         rate=CAPTURE_RATE, complete=complete), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(args.out + ".part", args.out)


def hashed(q: dict, *, views: bool = True, bars: bool = True) -> dict:
    """`q` with its frames hashed as `lookup.hash_query` hashes them (`fingerprints.query_planes`,
    normal and mirrored; without `views`, the planes alone: the recipe before off-centre views),
    bars cut off first (`fingerprints.bars`) unless `bars` is off. A capture made before frames
    were kept holds its planes already."""
    if "frames" in q:
        frames = fingerprints.unbarred(q["frames"], edges(q) if bars else (0, 0, 0, 0))
        make = fingerprints.query_planes if views else fingerprints.planes
        q = dict(q, normal=make(frames), mirrored=make(fingerprints.mirrored(frames)))
    elif not views:
        q = dict(q, normal=fingerprints.plane_rows(q["normal"]), mirrored=fingerprints.plane_rows(q["mirrored"]))
    return q


def edges(q: dict) -> tuple[int, int, int, int]:
    """The bars around a captured query's picture (`fingerprints.bars` of all its frames)."""
    return fingerprints.bars(q["frames"]) if "frames" in q else (0, 0, 0, 0)


def tinted(q: dict, *, views: bool = True, rows: int | None = None, bars: bool = True) -> dict:
    """`q` with its frames' regions' colours as `lookup.hash_query` takes them
    (`fingerprints.colours` of `fingerprints.query_regions`, normal and mirrored, the first
    `rows` rows; bars cut off first unless `bars` is off), when the capture holds their chroma
    (captures since colours)."""
    if "chroma" not in q:
        return q
    picture = fingerprints.unbarred(np.concatenate([q["frames"][:, None], q["chroma"]], axis=1),
                                    edges(q) if bars else (0, 0, 0, 0))
    regions = fingerprints.query_regions(shapes=fingerprints.VIEWS if views else ())[:rows]
    return dict(q, colours=(fingerprints.colours(picture, regions),
                            fingerprints.colours(fingerprints.mirrored_picture(picture), regions)))


def query_at(q: dict, rate: int, verify_rate: int, capture_rate: int) -> lookup.QueryHashes:
    """The captured query (`hashed`) as `hash_query` gives it: search frames at `rate`,
    verification frames at `verify_rate` (both dividing `capture_rate`)."""
    step, vstep = capture_rate // rate, capture_rate // verify_rate
    s, v = slice(None, None, step), slice(None, None, vstep)
    colours = None if "colours" not in q else (q["colours"][0][:, v], q["colours"][1][:, v])
    return lookup.query_hashes(q["times"][s], q["normal"][:, s], q["mirrored"][:, s], q["times"][-1] if len(q["times"]) else 0,
                               dense=(q["times"][v], q["normal"][:, v], q["mirrored"][:, v]), colours=colours)


def frame_bits(q: dict, master: np.ndarray, offset: float, mirrored: bool, verify_rate: int,
               capture_rate: int, speed: float = 1.0) -> tuple[np.ndarray, int]:
    """The query's frames at `verify_rate` against a master along tm = speed × tq + offset, plane
    against plane (as `matching.refine`) at the crop shift that aligns them best: the mean
    bits of each frame within 0.25 s of a master hash (the index's 1 a second), and that shift.
    `offset` is in picture times (as `lookup.find` answers and the cuts were made), moved back
    to sample numbers here (`fingerprints.picture_delay`)."""
    offset -= fingerprints.picture_delay(1) - speed * fingerprints.picture_delay(capture_rate)
    v = slice(None, None, capture_rate // verify_rate)
    planes, times = (q["mirrored"] if mirrored else q["normal"])[:, v], q["times"][v]
    master = fingerprints.plane_rows(master)  # the centre planes (a cut is no shift of them)
    best = None
    for shift in range(master.shape[0]):
        pairs = [matching.aligned_bits(planes[k], times, master[k + shift], offset=offset, speed=speed,
                                       keep=planes[0] != fingerprints.NO_HASH)
                 for k in range(master.shape[0] - shift)]
        bits = np.mean([b for b, _w in pairs], axis=0)
        near = pairs[0][1] >= 0.5
        if best is None or bits[near].mean() < best[0][near].mean():
            best = (bits, shift, near)
    return best[0][best[2]], best[1]


def replay(args) -> None:
    with open(args.capture, "rb") as fh:
        cap = pickle.load(fh)
    index = NumpyHammingIndex()
    for key, p in cap["planes"].items():
        # --no-cuts: the master's centre planes alone, as the index held them before cuts.
        index.add(key, fingerprints.plane_rows(p) if args.no_cuts else p)
    settings = dataclasses.replace(lookup.Settings(), min_score=0.0, verify_rate=args.verify_rate,
                                   rate=args.rate or lookup.Settings().rate,
                                   view_every=args.view_every or lookup.Settings().view_every,
                                   search_views=lookup.Settings().search_views if args.search_views is None
                                   else args.search_views,
                                   near_views=args.near_views or lookup.Settings().near_views,
                                   colours=not args.no_colours)
    colours = cap.get("colours", {})
    if settings.colours and not colours:
        print("  (a capture made before colours: the hashes alone are compared)")
    matching.ALIGN_FRAMES = args.align_frames
    matching.TWIN_SHARE = args.twin_share
    matching.COLOUR_LUMA, matching.COLOUR_CHROMA = args.colour_luma, args.colour_chroma
    matching.COLOUR_NEUTRAL = args.colour_neutral
    if args.vote_speeds:
        lo, hi = args.vote_speeds
        matching.SPEEDS = matching.SPEEDS[(matching.SPEEDS >= lo) & (matching.SPEEDS <= hi)]
    rows = {e: [] for e in EDITS}
    negatives = []
    # The queries' hashes are kept beside the capture (hashing 16 views of every frame takes most
    # of a replay): made again when the recipe's views change.
    cache = (f"{args.capture}.hashed-{len(fingerprints.VIEWS)}views-{'planes' if args.no_views else 'views'}"
             f"{'' if args.no_bars else '-unbarred'}")
    stored = None
    if os.path.exists(cache):
        with open(cache, "rb") as fh:
            stored = pickle.load(fh)
        if len(stored) != len(cap["queries"]):
            stored = None
    made = []
    changed = []
    for k, q in enumerate(cap["queries"]):
        if stored is not None:
            q = cap["queries"][k] = dict(q, normal=stored[k][0], mirrored=stored[k][1])
        else:
            q = cap["queries"][k] = hashed(q, views=not args.no_views, bars=not args.no_bars)
            made.append((q["normal"], q["mirrored"]))
        kept = None
        if not settings.near_views:  # the 10 % crops' views alone (the 5 % ones are off by default)
            kept = 1 + len(fingerprints.CROPS) + fingerprints.SEARCH_VIEWS
            q = dict(q, normal=q["normal"][:kept], mirrored=q["mirrored"][:kept])
        if settings.colours:
            q = tinted(q, views=not args.no_views, rows=kept, bars=not args.no_bars)
        asked = query_at(q, settings.rate, args.verify_rate, cap["rate"])
        found = lookup.find(AllPlanes(index) if args.views_on_all_planes else index, asked, settings,
                            master_colours=colours.get)
        if args.compare_all_planes:
            other = lookup.find(AllPlanes(index), asked, settings, master_colours=colours.get)
            mine = [(c.key, c.mirrored, round(c.offset, 2), round(c.score, 3)) for c in found[:3]]
            theirs = [(c.key, c.mirrored, round(c.offset, 2), round(c.score, 3)) for c in other[:3]]
            if mine != theirs:
                changed.append((q, mine, theirs))
        (negatives if q["n"] >= cap["masters"] else rows[q["edit"]]).append((q, found))
    if stored is None and made:
        with open(cache + ".part", "wb") as fh:
            pickle.dump(made, fh)
        os.replace(cache + ".part", cache)

    def right(q, c):
        return (c.key == f"m{q['n']:02d}" and abs(c.offset - q["start"]) <= 1.0
                and (q["edit"] not in ("mirror", "combined") or c.mirrored))

    for t in args.thresholds:
        cells = []
        for edit, rs in rows.items():
            ok = sum(1 for q, found in rs if (top := next((c for c in found if c.score >= t), None)) and right(q, top))
            cells.append(f"{100 * ok / len(rs):5.1f}" if rs else "-")
        fp = sum(1 for _q, found in negatives if any(c.score >= t for c in found))
        tint = (f"colours {args.colour_luma:g}/{args.colour_chroma:g}/{args.colour_neutral:g}"
                if settings.colours and colours else "no colours")
        tint += f" vote speeds {matching.SPEEDS[0]:g}-{matching.SPEEDS[-1]:g}"
        print(f"seed {cap['seed']} rate {settings.rate} verify-rate {args.verify_rate} align {args.align_frames:g} {tint} "
              f"threshold {t:.2f}: " + " / ".join(cells)
              + f" %, {fp}/{len(negatives)} false positives", flush=True)
    # How often a right first answer was aligned on a crop plane or through an off-centre view:
    # what the API reports as `cropped` for a crop that keeps the aspect.
    seen = []
    for edit, rs in rows.items():
        firsts = [found[0] for q, found in rs if found and right(q, found[0])]
        seen.append(f"{edit} {sum(1 for c in firsts if c.plane or c.view)}/{len(firsts)}"
                    f" (cut {sum(1 for c in firsts if c.plane > len(fingerprints.CROPS))})")
    print("  aligned on a crop (plane, view; of them a cut) among right first answers: " + ", ".join(seen))
    worst = max((c.score for _q, found in negatives for c in found), default=0.0)
    trues = [(q, found) for rs in rows.values() for q, found in rs]
    scores = [found[0].score for q, found in trues if found and right(q, found[0])]
    print(f"  {len(trues)} queries, {len(negatives)} negatives{'' if cap.get('complete', True) else ' (a part of the capture)'};"
          f" highest negative score {worst:.2f}; lowest score of a right first answer {min(scores, default=0.0):.2f}"
          f" ({len(trues) - len(scores)} queries with a wrong or no first answer)")
    twinned = [(q, found) for q, found in trues if f"t{q['n']:02d}" in cap["planes"]]
    if twinned:
        t = args.thresholds[0]
        ok = sum(1 for q, found in twinned
                 if (top := next((c for c in found if c.score >= t), None)) and right(q, top))
        beside = sum(1 for q, found in twinned if any(c.key == f"t{q['n']:02d}" and c.tied and c.score >= t
                                                      for c in found))
        print(f"  queries of a master with a look-alike twin indexed: {ok}/{len(twinned)} right first answers, "
              f"{beside} with the twin tied beside it (threshold {t:.2f})")
    for q, found in negatives:
        sure = [c for c in found if c.score >= args.thresholds[0]]
        if sure:
            print("  false positive:", f"m{q['n']:02d}", q["edit"], q["start"], q["seconds"],
                  [(c.key, round(c.offset, 1), round(c.score, 2), round(c.distance, 1), round(c.agreement, 2), c.tied)
                   for c in sure[:3]])
    if args.compare_all_planes:
        print(f"  views searched on their verified plane against every plane: {len(changed)} of "
              f"{len(cap['queries'])} queries' first three answers differ (key, mirrored, offset, score)")
        for q, mine, theirs in changed:
            print("   ", q["edit"], f"m{q['n']:02d}", q["start"], "verified plane:", mine, "every plane:", theirs)
    if args.verbose:
        for edit, rs in rows.items():
            for q, found in rs:
                top = next((c for c in found if c.score >= args.thresholds[-1]), None)
                if top is None or not right(q, top):
                    print("  miss:", edit, f"m{q['n']:02d}", q["start"], q["seconds"],
                          [(c.key, round(c.offset, 2), round(c.score, 2), round(c.distance, 1)) for c in found[:2]])
                    own = next((c for c in found if c.key == f"m{q['n']:02d}"), None)
                    offset = own.offset if own else q["start"]
                    mirrored = q["edit"] in ("mirror", "combined")
                    bits, shift = frame_bits(q, cap["planes"][f"m{q['n']:02d}"], offset, mirrored,
                                             args.verify_rate, cap["rate"])
                    print(f"    its master at {offset:.2f} s (crop shift {shift}): bits per frame on a master hash",
                          " ".join(f"{b:.0f}" for b in bits))
        for q, found in negatives:
            if found and found[0].score >= 0.1:
                print("  negative:", f"m{q['n']:02d}", q["edit"], (found[0].key, round(found[0].score, 2),
                                                                 round(found[0].distance, 1)))
                if found[0].score >= args.thresholds[-1]:
                    c = found[0]
                    bits, shift = frame_bits(q, cap["planes"][c.key], c.offset, c.mirrored, args.verify_rate,
                                             cap["rate"], c.speed)
                    print(f"    aligned at {c.offset:.2f} s, speed {c.speed:.2f}, mirrored {c.mirrored} (crop shift "
                          f"{shift}): bits per frame on a master hash",
                          " ".join(f"{b:.0f}" for b in bits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("capture")
    c.add_argument("--masters", type=int, default=32)
    c.add_argument("--negatives", type=int, default=8)
    c.add_argument("--seconds", type=float, default=40.0)
    c.add_argument("--seed", type=int, required=True)
    c.add_argument("--twins", type=int, default=0, help="index the first N masters again, made at "
                   "TWIN_SIZE (look-alike twins of their own key)")
    c.add_argument("--out", required=True)
    c.add_argument("--only", type=int, nargs="*", help="make and index only these masters (a part of the "
                   "corpus, its queries as in the whole: for a machine too busy for the whole)")
    r = sub.add_parser("replay")
    r.add_argument("capture")
    r.add_argument("--verify-rate", type=int, default=lookup.Settings().verify_rate)
    r.add_argument("--rate", type=int, default=0, help="search frames a second (default: the lookup's)")
    r.add_argument("--align-frames", type=float, default=matching.ALIGN_FRAMES)
    r.add_argument("--twin-share", type=float, default=matching.TWIN_SHARE, help="matching.TWIN_SHARE (over 1: "
                   "no look-alike twin is tied, the rule before it)")
    r.add_argument("--thresholds", type=float, nargs="+", default=[0.6])
    r.add_argument("--verbose", action="store_true")
    r.add_argument("--view-every", type=int, default=0, help="lookup.Settings.view_every (default: the lookup's)")
    r.add_argument("--no-views", action="store_true", help="hash the queries' planes alone (the recipe before "
                   "off-centre views)")
    r.add_argument("--search-views", type=int, default=None, help="lookup.Settings.search_views: how many of "
                   "the views the search looks up (default: the lookup's; 16 all, the 5 %% crops' too)")
    r.add_argument("--near-views", action="store_true", help="hash and align the 5 %% crops' views too "
                   "(lookup.Settings.near_views)")
    r.add_argument("--no-cuts", action="store_true", help="index the masters' centre planes alone (the index "
                   "before cuts to other shapes)")
    r.add_argument("--no-colours", action="store_true", help="compare the hashes alone, not the frames' colours "
                   "(the recipe before fingerprints version 5)")
    r.add_argument("--no-bars", action="store_true", help="hash the queries with any bars around their picture "
                   "(the recipe before `fingerprints.bars`)")
    r.add_argument("--colour-luma", type=float, default=matching.COLOUR_LUMA, help="matching.COLOUR_LUMA")
    r.add_argument("--colour-chroma", type=float, default=matching.COLOUR_CHROMA, help="matching.COLOUR_CHROMA")
    r.add_argument("--vote-speeds", type=float, nargs=2, metavar=("LO", "HI"),
                   help="the speeds matching.fit_speed votes over (default: all of matching.SPEEDS, 0.5-2.0)")
    r.add_argument("--colour-neutral", type=float, default=matching.COLOUR_NEUTRAL, help="matching.COLOUR_NEUTRAL")
    r.add_argument("--views-on-all-planes", action="store_true", help="search the views on every plane (the "
                   "lookup before it searched each on the plane it is verified on)")
    r.add_argument("--compare-all-planes", action="store_true", help="also answer each query as "
                   "--views-on-all-planes does and list the queries whose first three answers differ")
    args = parser.parse_args()
    capture(args) if args.command == "capture" else replay(args)


if __name__ == "__main__":
    main()
