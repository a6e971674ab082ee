"""From nearest-neighbour hashes to candidate masters: a vote on (asset, time offset).

Each query frame (at query time tq, hashed normal and mirrored) has neighbours in the index:
(asset, master time tm, Hamming distance). A query that is an excerpt of a master, at its
speed, has tm − tq constant: the offset. For each (asset, mirrored or not) the offsets are
binned by whole seconds and a bin c is supported by every query frame with a neighbour
whose offset is within `tolerance` of c; its score is the fraction of the query's frames
that support it (0..1, the confidence). Peaks closer than 2 × tolerance in one asset are
one candidate. The recipe is ARCHITECTURE.md's "Known traps" (reverse clip search).

Static queries (every frame's hash alike: a card, a held shot) have no offset to vote on:
each asset they match is a candidate, all tied. Repeating content (a loop, the same footage
in two masters, a clip and its master) gives candidates of equal score: every candidate
within `tie_margin` of the best is returned and marked tied; none is picked.

A speed change shows as a drift of the offset: for the best candidates, a line
tm = speed × tq + offset is fitted by a vote over speeds (`fit_speed`), and the verification
aligns the best over VERIFY_SPEEDS (`refine`), which tells speeds apart where the vote's few
neighbours cannot.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np

from archive.media.fingerprints import SEARCH_VIEWS, VIEW_PLANES, cut_rows, plane_rows, view_rows
from archive.provenance.index import NO_HASH, Neighbour, popcount64

STATIC_SPREAD = 6  # bits: a query whose hashes are all this close to their first is static
SPEEDS = np.round(np.exp(np.linspace(np.log(0.5), np.log(2.0), 141)), 4)  # 1 % steps, 1.0 included


@dataclass
class Candidate:
    """One master a query may come from: the asset, whether the query is mirrored, the
    offset (master seconds at query time 0), the speed (master seconds per query second),
    the confidence (fraction of the query's frames that match along that line), the query
    span matched and the master span it maps to (seconds), the median Hamming distance of
    the matches, and whether it is tied with others (no single answer)."""

    key: str
    mirrored: bool
    offset: float
    score: float
    matched: int
    query_in: float
    query_out: float
    master_in: float
    master_out: float
    distance: float
    speed: float = 1.0
    tied: bool = False
    static: bool = False
    plane: int = 0  # verified on: 0 the master's whole frames, k its k-th centre crop, then its cuts (`cut_rows`)
    view: int = 0  # verified through: 0 the query's whole frame, v its v-th off-centre view (`fingerprints.VIEWS`)
    agreement: float = 0.0  # verified: the share of the query its master shows there (`agreement`)
    supports: list[tuple[float, float]] = field(default_factory=list, repr=False)  # (tq, tm) pairs

    def place(self) -> None:
        """Set the master span from the line and the query span: master_in = offset + speed ×
        query_in (not before the master's start), master_out = offset + speed × query_out."""
        self.master_in = max(0.0, self.offset + self.speed * self.query_in)
        self.master_out = self.offset + self.speed * self.query_out


def is_static(hashes: np.ndarray, spread: int = STATIC_SPREAD) -> bool:
    """Every informative hash is within `spread` bits of every other (no motion to align on)."""
    hashes = np.asarray(hashes, dtype=np.uint64)
    hashes = hashes[hashes != 0]
    if len(hashes) < 2:
        return True
    return all(int(popcount64(hashes ^ h).max()) <= spread for h in hashes[:: max(1, len(hashes) // 8)])


def vote(times: np.ndarray, normal: Iterable[Neighbour], mirrored: Iterable[Neighbour], *, frames: int,
         index_rate: float, step: float, tolerance: float = 1.0,
         min_score: float = 0.0, tie_margin: float = 0.1, limit: int = 10) -> list[Candidate]:
    """The candidates for a query of `frames` informative frames at `times` (seconds), best
    first: those scoring at least `min_score`, at most `limit`; the ones within `tie_margin`
    of the best are marked tied (a static query is `static_candidates`' instead). `step` is the query's frame
    interval (seconds), `index_rate` the index's hashes a second."""
    if frames <= 0:
        return []
    times = np.asarray(times, dtype=float)
    groups: dict[tuple[str, bool], list[tuple[int, float, int]]] = {}
    for flag, hits in ((False, normal), (True, mirrored)):
        for n in hits:
            groups.setdefault((n.key, flag), []).append((n.query, n.position / index_rate, n.distance))
    found: list[Candidate] = []
    for (key, flag), hits in groups.items():
        arr = np.array(hits, dtype=float)
        q, tm, d = arr[:, 0].astype(int), arr[:, 1], arr[:, 2]
        found += _peaks(key, flag, q, times[q], tm, d, frames, step, tolerance)
    found = _merge_mirrors(found, tolerance)
    found = [c for c in found if c.score >= min_score]
    found.sort(key=lambda c: (-c.score, c.mirrored, c.distance, c.key, c.offset))
    if found:
        best = found[0].score
        for c in found:
            c.tied = sum(1 for o in found if best - o.score <= tie_margin) > 1 and best - c.score <= tie_margin
    return found[:limit]


def _peaks(key: str, flag: bool, q: np.ndarray, tq: np.ndarray, tm: np.ndarray, d: np.ndarray, frames: int,
           step: float, tolerance: float) -> list[Candidate]:
    offsets = tm - tq
    centres = np.unique(np.round(offsets))
    closeness = 1.0 / (1.0 + d)  # a tie-break: slow pictures support neighbouring bins alike
    scored = []
    for c in centres:
        near = np.abs(offsets - c) <= tolerance
        best = np.zeros(frames if frames > q.max() else q.max() + 1)
        np.maximum.at(best, q[near], closeness[near])
        scored.append((len(np.unique(q[near])) / frames, float(best.sum()), float(c)))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    taken: list[Candidate] = []
    for score, _weight, c in scored:
        if any(abs(c - t.offset) < 2 * tolerance + 0.5 for t in taken):
            continue
        near = np.abs(offsets - c) <= tolerance
        taken.append(_candidate(key, flag, q[near], tq[near], tm[near], d[near], frames, step, c))
        if len(taken) >= 5:
            break
    return taken


def _candidate(key: str, flag: bool, q: np.ndarray, tq: np.ndarray, tm: np.ndarray, d: np.ndarray, frames: int,
               step: float, centre: float) -> Candidate:
    # One match per query frame: its closest hash (then the offset nearest the peak).
    order = np.lexsort((np.abs((tm - tq) - centre), d, q))
    first = np.unique(q[order], return_index=True)[1]
    pick = order[first]
    tq, tm, d = tq[pick], tm[pick], d[pick]
    offset = float(np.median(tm - tq))
    q_in, q_out = float(tq.min()), float(tq.max()) + step
    return Candidate(key, flag, offset, len(pick) / frames, len(pick), q_in, q_out, max(0.0, q_in + offset),
                     q_out + offset, float(np.median(d)), supports=list(zip(tq.tolist(), tm.tolist())))


def static_candidates(normal: Iterable[Neighbour], mirrored: Iterable[Neighbour], *, score: float,
                      query_in: float, query_out: float, index_rate: float) -> list[Candidate]:
    """A static query's candidates from the neighbours of its one representative hash: every
    asset holding the picture, at the first second it shows it, each with the query's own
    `score` (the fraction of its frames that look like the representative); ordered by
    key. Where in an asset the picture is cannot be told: `static` is set on each."""
    best: dict[str, tuple[bool, int, int]] = {}
    for flag, hits in ((False, normal), (True, mirrored)):
        for n in hits:
            seen = best.get(n.key)
            if seen is None or (n.distance, flag, n.position) < (seen[2], seen[0], seen[1]):
                best[n.key] = (flag, n.position, n.distance)
    out = []
    for key, (flag, position, distance) in sorted(best.items()):
        start = position / index_rate
        out.append(Candidate(key, flag, start - query_in, score, 0, query_in, query_out, start,
                             start + query_out - query_in, float(distance), static=True))
    return out


def _merge_mirrors(found: Sequence[Candidate], tolerance: float) -> list[Candidate]:
    """Symmetric pictures match both ways: of a normal and a mirrored candidate of one
    asset at the same offset keep the better (the normal one when equal)."""
    out: list[Candidate] = []
    for c in sorted(found, key=lambda c: (-c.score, c.mirrored)):
        if any(o.key == c.key and o.mirrored != c.mirrored and abs(o.offset - c.offset) <= 2 * tolerance
               for o in out):
            continue
        out.append(c)
    return out


def fit_speed(candidate: Candidate, neighbours: Iterable[Neighbour], times: np.ndarray, *, index_rate: float,
              step: float, frames: int, min_gain: float = 0.15, min_change: float = 0.04) -> Candidate:
    """Refit `candidate` along the best line tm = speed × tq + offset over all its asset's
    matches (a vote over SPEEDS × whole-second offsets, distinct query frames counted); the
    candidate with its speed and spans updated when that line is supported by at least
    `min_gain` more of the query than speed 1 and its least-squares speed is ≥ `min_change`
    from 1 and within SPEEDS (0.5-2.0); otherwise the candidate unchanged."""
    hits = [(n.query, n.position / index_rate) for n in neighbours if n.key == candidate.key]
    if len(hits) < 4:
        return candidate
    arr = np.array(hits, dtype=float)
    q, tm = arr[:, 0].astype(int), arr[:, 1]
    tq = np.asarray(times, dtype=float)[q]
    best = (0, 1.0, candidate.offset)
    for s in SPEEDS:
        b = tm - s * tq
        bins = np.round(b)
        for c in np.unique(bins):
            near = np.abs(b - c) <= 1.0
            n = len(np.unique(q[near]))
            if n > best[0] or (n == best[0] and abs(s - 1) < abs(best[1] - 1)):
                best = (n, float(s), float(c))
    n, speed, c = best
    if abs(speed - 1.0) < min_change or n / frames < candidate.score + min_gain:
        return candidate
    # The vote finds the line's inliers; least squares on them (one match a query frame, the
    # nearest the line) gives the speed, which the 1 s bins only bracket.
    resid = np.abs(tm - speed * tq - c)
    near = resid <= 1.0
    order = np.lexsort((resid[near], q[near]))
    pick = order[np.unique(q[near][order], return_index=True)[1]]
    x, y = tq[near][pick], tm[near][pick]
    if len(x) >= 3 and np.ptp(x) > 0:
        speed, offset = (float(v) for v in np.polyfit(x, y, 1))
    else:
        offset = float(np.median(y - speed * x))
    if abs(speed - 1.0) < min_change or not SPEEDS[0] <= speed <= SPEEDS[-1]:
        # Outside the speeds voted over, the fit follows stray matches, not a line: a look-alike
        # of another master fitted at 0.23-0.40 scored as a copy (benchmarks/provenance_capture.py).
        return candidate
    q_in, q_out = float(x.min()), float(x.max()) + step
    candidate.speed, candidate.offset, candidate.score = round(speed, 2), offset, n / frames
    candidate.matched, candidate.query_in, candidate.query_out = n, q_in, q_out
    candidate.place()
    return candidate


# ---- verification: align the query along each candidate's own hashes ------------------------

MISSING_BITS = 32.0  # what a query frame with no master hash to compare scores: an unrelated pair
# The per-frame match probability's midpoint and spread (bits), and the margin (mean bits) by
# which a match must beat a look-alike in another asset to be sure of it. Calibrated on
# `benchmarks/provenance.py --seed 5` (seed 11 held out): per query frame, edited copies
# aligned with their master lie at a median of 6–12 bits (low bit rate and combined edits
# the highest), unrelated pictures at 32, 1 pair in 1,000 at 14 or less; at their best
# alignment the negatives' look-alike masters reach a mean of 11–13 bits. MATCH_BITS = 12
# with MATCH_SPREAD = 2 was the highest midpoint that left every negative below the 0.60
# threshold (worst 0.58); 12.5 let one through.
MATCH_BITS = 12.0
MATCH_SPREAD = 2.0
MARGIN_BITS = 6.0
# In a verification (`refine`) a query frame's weight falls from 1 on a master hash's time to 0
# ALIGN_FRAMES query frame intervals from it (but no slower than half-way between two master
# hashes): at 2 frames a second against 1 hash a second each pair of frames weighs 1; at a
# denser verification rate only the frames nearest each master hash count (a picture that
# changes every frame is 14–17 bits from its master hash 0.25 s away, 6–12 on it).
ALIGN_FRAMES = 1.0
# The speeds a verification also aligns the best voted candidates on (`refine`'s `speeds`): every
# third of SPEEDS (3 % steps, 1.0 among them) from 0.75 to 1.33, and how much closer (mean bits)
# another speed must align than the candidate's own to be taken. A clip slowed to 0.8 aligned
# at speed 1 lies 10.9 bits from its master (the frames off the line count as unrelated).
# Slower lines were tried and dropped: at 0.5-0.66 a query spans so few master seconds that
# unrelated masters found a close line (`benchmarks/provenance.py --seed 11`: three negatives at
# confidence 0.78-0.96, at speeds 0.51-0.66); the vote's `fit_speed` still reaches 0.5-2.0.
VERIFY_SPEEDS = SPEEDS[1::3][(SPEEDS[1::3] >= 0.75) & (SPEEDS[1::3] <= 1.34)]
SPEED_GAIN_BITS = 2.0
SPEED_TOP = 3  # how many of the voted candidates (best first) are aligned over VERIFY_SPEEDS
# Another place in the same master that aligns this close (mean bits) to the best answer is a
# repeat of the picture, tied with it (`verify`), when REPEAT_GAP seconds or more away. Places of
# a loop that repeats every 12.5 s (three lavfi masters), logo'd 10 s excerpts of them, aligned
# 0.1-3.7 bits from the best place, their sampling phases differing (1 hash a second against a
# period of 12.5 s; the verification's offsets every 0.1 s); other places of the masters 14-22
# bits. A look-alike asset that close would cut a match's margin (MARGIN_BITS) by two thirds.
REPEAT_BITS = 4.0
REPEAT_GAP = 2.0
# Another asset that shows the query's pictures nearly as well as the best is its look-alike
# twin (the same footage ingested twice, framed or drawn anew: a test card made at two sizes),
# tied with it (`verify`) when the best agrees with the query on at least TWIN_SHARE of it
# (`agreement`: the query is sure to be the archive's pictures) and the twin aligns within
# REPEAT_BITS of the best, whatever its own share (its confidence shows it). Without it, the
# twin's margin took the master's confidence under the threshold: an excerpt of a test card at
# 1280x720, another asset of the same card at 640x360, aligned at 3.9 and 7.0 bits
# (agreement 0.98 and 0.90): no answer at all. Requiring the twin's share too left the same
# hole just under it: a 10 s loop of the card holding 5 s of a 6 s excerpt (0.79, 3.6 bits
# further) left a master agreeing with 0.97 of it at 0.58; the 640x360 card under a 90 % crop
# (0.76, 1.5 bits) one agreeing with 0.87 at 0.22. 0.75, not 0.8: the same card's 90 % and 80 %
# crops left a master agreeing with 0.76 of them unanswered; replayed on whole captures (seeds 17
# and 23 with twins, 240 negatives, benchmarks/provenance_capture.py `--twin-share`) 0.75 and
# 0.8 give identical figures, 0 false positives.
TWIN_SHARE = 0.75


# What the hashes cannot see (`fingerprints` "A pHash sees only the grey picture's shape"): two
# frames whose regions' mean colours are this far apart are not one picture, whatever their
# hashes say. Luma: mean Y levels (0..255, full range); chroma: the distance in the Cb, Cr plane
# (levels), compared only when the query frame has colour (its chroma at least COLOUR_NEUTRAL
# from grey: a black-and-white copy keeps its luma, and its chroma says nothing). Calibrated on
# `benchmarks/provenance_capture.py` (seeds 17 and 11, every edit, colour_grade and
# black_and_white among them): see README "Reverse clip search". Chroma 30 (it was 40): right
# pairs reach at most 29 under the benchmark's edits on seed 17, while a pale green field and a
# grey cellular automaton 35-37 apart were answered as one (seed 23's six false positives, 0.61-0.85);
# whole captures of seeds 17 and 23 (with twins) replayed at 30: 0/120 false positives each, the
# issue's six edits unchanged or better, colour_grade on seed 23 93.8 -> 87.5 %.
COLOUR_LUMA = 64.0
COLOUR_CHROMA = 30.0
COLOUR_NEUTRAL = 6.0


def colour_apart(query: np.ndarray, master: np.ndarray, *, luma: float | None = None,
                 chroma: float | None = None, neutral: float | None = None) -> np.ndarray:
    """Whether each pair of region colours (`fingerprints.colours`: (..., 3) uint8 Y, Cb, Cr,
    the query's and the master's, broadcast together) is too far apart to be one picture: a
    mean luma more than `luma` (COLOUR_LUMA) levels apart, or, when the query's colour lies
    at least `neutral` (COLOUR_NEUTRAL) from grey (128, 128), its Cb, Cr more than `chroma`
    (COLOUR_CHROMA) from the master's. A bool array of the broadcast shape without the last
    axis."""
    luma = COLOUR_LUMA if luma is None else luma
    chroma = COLOUR_CHROMA if chroma is None else chroma
    neutral = COLOUR_NEUTRAL if neutral is None else neutral
    q, m = np.asarray(query, dtype=np.float32), np.asarray(master, dtype=np.float32)
    dy = np.abs(q[..., 0] - m[..., 0])
    dc = np.hypot(q[..., 1] - m[..., 1], q[..., 2] - m[..., 2])
    tinted = np.hypot(q[..., 1] - 128.0, q[..., 2] - 128.0) >= neutral
    return (dy > luma) | (tinted & (dc > chroma))


def aligned_bits(query: np.ndarray, times: np.ndarray, master: np.ndarray, *, offset: float,
                 speed: float = 1.0, index_rate: float = 1.0,
                 keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per informative query frame (flat ones skipped): the Hamming distance (bits) of its
    hash (at `times`, seconds) to the master hash (`index_rate` a second) nearest
    tm = speed × tq + offset, and its weight 1 − 2 × |tm − that hash's time| in hash
    intervals (so a 2 fps query against a 1 fps index weighs each pair of query frames to 1
    and the sub-second offset shows). A frame that lands before or after the master, or on
    a flat master frame, counts MISSING_BITS. Two float arrays of equal length (empty when
    the query has no informative frame). `keep` (bool per frame) picks the frames instead,
    a NO_HASH among them counting MISSING_BITS (a crop plane's flat frame whose whole frame
    is not)."""
    query = np.asarray(query, dtype=np.uint64)
    keep = query != NO_HASH if keep is None else np.asarray(keep, dtype=bool)
    q, tq = query[keep], np.asarray(times, dtype=float)[keep]
    at = (speed * tq + offset) * index_rate
    pos = np.round(at).astype(np.int64)
    weight = np.clip(1.0 - 2.0 * np.abs(at - pos), 0.0, 1.0)
    inside = (pos >= 0) & (pos < len(master))
    bits = np.full(len(q), MISSING_BITS)
    stored = master[np.clip(pos, 0, max(0, len(master) - 1))] if len(master) else np.zeros(len(q), dtype=np.uint64)
    present = inside & (stored != NO_HASH) & (q != NO_HASH)
    bits[present] = popcount64(q[present] ^ stored[present])
    return bits, weight


def aligned_distance(query: np.ndarray, times: np.ndarray, master: np.ndarray, *, offset: float,
                     speed: float = 1.0, index_rate: float = 1.0) -> float:
    """The weighted mean of `aligned_bits` (bits): how far the query lies from the master
    along tm = speed × tq + offset. MISSING_BITS when the query has no informative frame."""
    bits, weight = aligned_bits(query, times, master, offset=offset, speed=speed, index_rate=index_rate)
    total = weight.sum()
    return float((weight * bits).sum() / total) if total > 0 else MISSING_BITS


def refine(candidate: Candidate, query: np.ndarray, times: np.ndarray, master: np.ndarray, *, index_rate: float,
           step: float, reach: float = 1.5, grain: float = 0.1, query_planes: np.ndarray | None = None,
           speeds: Sequence[float] | None = None,
           colours: tuple[np.ndarray | None, np.ndarray | None] | None = None) -> Candidate:
    """`candidate` moved to the offset within ±`reach` s of its voted one (every `grain` s)
    and the plane of `master` ((planes, n) hashes: the whole frame, then centre crops)
    where the query lies closest (`aligned_distance`, the lowest; of equal ones the
    nearest the vote, then the whole frame), with `distance` that mean distance, `plane`
    that plane, `agreement` the share of the query matched there and its spans updated.
    The vote bins whole seconds and slow pictures support neighbouring bins alike: this is
    what picks the right second inside one master.

    With `query_planes` (the query's own rows, `fingerprints.query_planes`: its planes, row 0
    `query`, then its off-centre views), each query frame is compared plane against plane,
    the master's shifted by `plane` crops (query plane k against master plane k + plane: a
    query cropped by the first crop matches at shift 1) and its bits are the mean over the
    pairs: more of the picture compared, so unrelated look-alikes stay further than with one
    64-bit hash. Each off-centre view is also aligned on the master's smallest crop plane
    (one pair, `_hypotheses`: a crop that kept an edge shows its master's centre 80 % again
    in one of its views), `view` saying which when one aligns closest.

    With `speeds`, each of those speeds is aligned too (offsets ±`reach` around the line
    through the query's middle frame) and taken, with its offset, when its distance is at
    least SPEED_GAIN_BITS below the best at the candidate's own speed: a speed change the
    vote could not tell (a slowed clip's few neighbours fit speed 1 nearly as well).

    With `colours` = (the query's, the master's): each row's regions' colours ((rows, n, 3)
    uint8 Y, Cb, Cr, row for row as the query's rows (`query_planes`, or its hashes as row
    0) and the master's planes: `fingerprints.colours`), a pair of frames whose colours are
    apart (`colour_apart`) counts MISSING_BITS whatever its hashes say; either None (a master
    hashed before colours, fingerprints version 4) compares the hashes alone."""
    master = np.asarray(master, dtype=np.uint64)
    master = master.reshape(1, -1) if master.ndim < 2 else master
    if query_planes is not None:
        query_planes = np.asarray(query_planes, dtype=np.uint64)
        if query_planes.ndim != 2 or query_planes.shape[1] != len(query):
            query_planes = None
    base = np.arange(-reach, reach + grain / 2, grain)
    query = np.asarray(query, dtype=np.uint64)
    keep = query != NO_HASH
    tq = np.asarray(times, dtype=float)[keep]
    # The rows to align: (speed, offset), the candidate's speed first; other speeds pivot on the
    # query's middle frame, where the candidate's line puts it in the master.
    row_speed, grid = [np.full(len(base), candidate.speed)], [candidate.offset + base]
    if speeds is not None and len(tq):
        pivot = float(np.median(tq))
        at_pivot = candidate.speed * pivot + candidate.offset
        for sp in speeds:
            if abs(float(sp) - candidate.speed) > 1e-9:
                row_speed.append(np.full(len(base), float(sp)))
                grid.append(at_pivot - float(sp) * pivot + base)
    row_speed, grid = np.concatenate(row_speed), np.concatenate(grid)
    # Every row at once (what `aligned_bits` does for one): (rows, frames).
    at = (row_speed[:, None] * tq[None, :] + grid[:, None]) * index_rate
    pos = np.round(at).astype(np.int64)
    slope = max(2.0, 1.0 / (ALIGN_FRAMES * step * index_rate)) if step > 0 else 2.0
    weight = np.clip(1.0 - slope * np.abs(at - pos), 0.0, 1.0)
    total = weight.sum(axis=1)
    n = master.shape[1]
    inside = (pos >= 0) & (pos < n)
    clipped = np.clip(pos, 0, max(0, n - 1))
    scored, aligned = [], []
    rows = query[None, :] if query_planes is None else query_planes
    tinted = colours is not None and colours[0] is not None and colours[1] is not None
    for p, view, pairs in _hypotheses(query_planes, master):
        bits = np.zeros(pos.shape)
        for qr, mr in pairs:
            q = rows[qr][keep][None, :]
            stored = master[mr][clipped] if n else np.zeros(pos.shape, dtype=np.uint64)
            present = inside & (stored != NO_HASH) & (q != NO_HASH)
            pair = np.where(present, popcount64(q ^ stored), MISSING_BITS)
            if tinted and n and qr < len(colours[0]) and mr < len(colours[1]) and colours[1].shape[1]:
                seen = colours[1][mr][np.clip(clipped, 0, colours[1].shape[1] - 1)]
                pair = np.where(present & colour_apart(colours[0][qr][keep][None, :], seen), MISSING_BITS, pair)
            bits += pair
        bits /= len(pairs)
        means = np.where(total > 0, (weight * bits).sum(axis=1) / np.where(total > 0, total, 1), MISSING_BITS)
        for g, o in enumerate(grid):
            scored.append((round(float(means[g]), 6), abs(float(o) - candidate.offset), p, view, float(o),
                           len(aligned), g))
            aligned.append((bits[g], weight[g]))
    def pick(entries: list[tuple]) -> tuple:
        # Another speed only when it aligns clearly better (a search over speeds finds a slightly
        # closer line for any pair of pictures).
        own = min(e for e in entries if row_speed[e[6]] == candidate.speed)
        best = min(entries)
        return best if best[0] <= own[0] - SPEED_GAIN_BITS else own

    # The speed rule within each kind of hypothesis, then the closest kind; on a tie the 10 %
    # views and the cuts, then the 5 % crops' views, before the centre planes. Requiring a 10 %
    # view to align 2 or 4 bits closer kept the same false positives and lost side crops, and a
    # 5 % crop's view 3 bits let two negatives of 80 through instead of one (a look-alike's margin
    # rises when the others lose alignments; seed 11 of `benchmarks/provenance_capture.py replay`).
    centre_count = len(plane_rows(master))
    kinds = ([e for e in scored if 0 < e[3] <= SEARCH_VIEWS or (not e[3] and e[2] >= centre_count)],
             [e for e in scored if e[3] > SEARCH_VIEWS],
             [e for e in scored if not e[3] and e[2] < centre_count])
    best = min((pick(kind) for kind in kinds if kind), key=lambda e: e[0])
    distance, _gap, p, view, offset, at_best, row = best
    candidate.offset, candidate.distance, candidate.plane, candidate.view = offset, float(distance), p, view
    candidate.speed = float(row_speed[row])
    bits, weight = aligned[at_best]
    candidate.agreement = agreement(bits, weight)
    all_times = np.asarray(times, dtype=float)
    if len(all_times) and index_rate > 0:
        span = verified_span(bits, weight, pos[row], offset=offset, speed=candidate.speed, index_rate=index_rate,
                             bounds=(float(all_times.min()), float(all_times.max()) + step))
        if span is not None:
            candidate.query_in, candidate.query_out = span
    candidate.place()
    return candidate


def _hypotheses(query_planes: np.ndarray | None, master: np.ndarray) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """What `refine` aligns: (master plane, query view, [(query row, master row)] compared),
    rows numbered in `query_planes` (`fingerprints.query_planes`; without them the query's
    hashes are row 0) and in `master`. Without `query_planes`, the query's hashes against
    each master plane. With them, for each master plane p the query's centre planes k
    against master planes k + p (as many as both have), then each off-centre view
    (`fingerprints.view_rows`) against the master's centre crop it was cut for
    (`fingerprints.VIEW_PLANES`: the 80 % for a 10 % crop that kept an edge, the 90 % for a
    5 % one): each view is where that crop lies in such a crop of the master
    (`fingerprints.VIEWS`); a view on another plane would be a picture moved, not cropped,
    and only gives look-alikes more chances (`benchmarks/provenance_capture.py replay`, seed
    11: a negative at 0.70 through a 10 % view on the 90 % plane). Last, the query's whole
    frame against each of the master's cuts to another shape (`fingerprints.cut_rows`, those
    it has: a 4:3 or vertical cut of a 16:9 master is the whole of such a query)."""
    if query_planes is None:
        return [(p, 0, [(0, p)]) for p in range(master.shape[0])]
    count = len(plane_rows(master))  # the master's centre planes; its cuts follow (`fingerprints.cut_rows`)
    centre = len(plane_rows(query_planes))
    out = [(p, 0, [(k, k + p) for k in range(min(centre, count - p))]) for p in range(count)]
    out += [(p, v, [(centre + v - 1, p)]) for v, p in zip(range(1, len(view_rows(query_planes)) + 1), VIEW_PLANES)
            if 0 < p < count]
    out += [(count + c, 0, [(0, count + c)]) for c, row in enumerate(cut_rows(master)) if np.any(row != NO_HASH)]
    return out


def verified_span(bits: np.ndarray, weight: np.ndarray, positions: np.ndarray, *, offset: float, speed: float,
                  index_rate: float, bounds: tuple[float, float]) -> tuple[float, float] | None:
    """The query span (seconds) that one alignment shows matching its master. `bits` and
    `weight` are its frames' (`aligned_bits`), `positions` the master hash each frame is
    compared with. A master hash is matched when the weighted mean `match_probability` of
    the frames compared with it is at least 0.5; the span runs from the first matched hash
    (its time in the query, (position / index_rate − offset) / speed) to the last, each end
    widened half-way to the nearest unmatched hash beyond it, or by a whole hash interval
    when there is none, and kept within `bounds` (the query's first frame, its end). None
    when no hash matches. The vote's span counts only the frames whose neighbours were
    found; this is the span the verification saw."""
    weight = np.asarray(weight, dtype=float)
    weighs = weight > 0
    if not weighs.any():
        return None
    pos = np.asarray(positions)[weighs]
    held, inverse = np.unique(pos, return_inverse=True)
    w = weight[weighs]
    share = np.bincount(inverse, w * match_probability(np.asarray(bits)[weighs])) / np.bincount(inverse, w)
    at = (held / index_rate - offset) / speed
    matched = share >= 0.5
    if not matched.any():
        return None
    interval = 1.0 / (index_rate * speed)
    first, last = float(at[matched].min()), float(at[matched].max())
    before, after = at[~matched & (at < first)], at[~matched & (at > last)]
    low = (first + float(before.max())) / 2 if len(before) else first - interval
    high = (last + float(after.min())) / 2 if len(after) else last + interval
    return max(bounds[0], low), max(bounds[0], min(bounds[1], high))


def match_probability(bits: np.ndarray | float) -> np.ndarray:
    """How likely a query frame at `bits` (Hamming distance to the master hash it aligns
    with) shows that master frame, 0..1: a logistic 1 / (1 + exp((bits − MATCH_BITS) /
    MATCH_SPREAD)), its midpoint where the distances of edited copies and of unrelated
    pictures cross (calibrated on `benchmarks/provenance.py`, see MATCH_BITS)."""
    return 1.0 / (1.0 + np.exp((np.asarray(bits, dtype=float) - MATCH_BITS) / MATCH_SPREAD))


def agreement(bits: np.ndarray, weight: np.ndarray) -> float:
    """The share of a query that its master shows along one alignment (`aligned_bits`): the
    weighted mean `match_probability` of its frames, 0..1; 0 for no frame. Frames are
    scored one by one, so a few unrelated-looking frames (a cut, a caption) lower it by
    their share, and unrelated pictures that come close on a frame or two stay low."""
    total = float(np.sum(weight))
    return float(np.sum(weight * match_probability(bits)) / total) if total > 0 else 0.0


def confidence(share: float, distance: float, reference: float) -> float:
    """How sure a match is, 0..1: its `agreement` `share`, times its margin over `reference`,
    the aligned mean distance (bits) of the best candidate from another asset (the
    look-alike; MISSING_BITS when there is none): (reference − distance) / MARGIN_BITS,
    clipped to 0..1. A query that its master shows throughout, with no look-alike within
    MARGIN_BITS, is 1."""
    margin = float(np.clip((min(reference, MISSING_BITS) - distance) / MARGIN_BITS, 0.0, 1.0))
    return float(np.clip(share, 0.0, 1.0)) * margin


def verify(found: Sequence[Candidate], query: np.ndarray, mirror: np.ndarray, times: np.ndarray,
           sequence: Callable[[str], np.ndarray], *, index_rate: float, step: float, tie_bits: float = 0.5,
           limit: int = 10, planes: tuple[np.ndarray, np.ndarray] | None = None,
           speed_top: int = SPEED_TOP, family: Callable[[str], str] | None = None,
           colours: tuple[np.ndarray, np.ndarray] | None = None,
           master_colours: Callable[[str], np.ndarray | None] | None = None) -> list[Candidate]:
    """The voted candidates `found`, each aligned against its master's own hashes
    (`sequence(key)`: (planes, n), `refine`) and ranked by aligned distance, lowest first. Of one asset
    (and one orientation) the candidates that land on the same second are one. Every
    candidate within `tie_bits` of the best's distance is tied with it (repeated footage);
    so is another place of a tied asset within REPEAT_BITS, REPEAT_GAP seconds and half its
    span from its other answers (a loop, a shot the master shows twice); so is, when the best
    agrees with the query on TWIN_SHARE of it, the best place of every other asset that aligns
    within REPEAT_BITS (a look-alike twin, whatever its own share); another second of a
    tied asset that is not tied is dropped (a worse alignment of the same answer). `score` becomes, for the tied (or the single best),
    the `confidence` of its own `agreement` at the best's distance against the best candidate
    of another asset not tied (MISSING_BITS when there is none: the tied are one answer, their
    margin the best's), and 0 for the rest (they are look-alikes, listed for the record). `query` and `mirror`
    are the query's hashes normal and mirrored at `times`; `planes` their planes (normal,
    mirrored), compared plane against plane when given (`refine`). `family(key)` names each
    asset's family (a clip and the master it was cut from are one): a candidate of the same
    family is not the look-alike a margin is taken over (a clip of the master would otherwise
    halve its master's confidence). `speed_top`: how many of `found` (best first) are also
    aligned over VERIFY_SPEEDS. `colours` (the query's regions' colours, normal and
    mirrored, row for row as `planes`) and `master_colours(key)` (a master's, or None) make
    frames of another colour count as unrelated (`refine`)."""
    cache: dict[str, np.ndarray] = {}
    out: list[Candidate] = []
    for rank, c in enumerate(found):
        master = cache.get(c.key)
        if master is None:
            master = cache[c.key] = np.asarray(sequence(c.key), dtype=np.uint64)
        tint = None
        if colours is not None and master_colours is not None:
            tint = (colours[1 if c.mirrored else 0], master_colours(c.key))
        refine(c, mirror if c.mirrored else query, times, master, index_rate=index_rate, step=step,
               query_planes=None if planes is None else planes[1 if c.mirrored else 0],
               speeds=VERIFY_SPEEDS if rank < speed_top and c.speed == 1.0 else None, colours=tint)
        if any(o.key == c.key and abs(o.offset - c.offset) < 1.0 for o in out):
            same = next(o for o in out if o.key == c.key and abs(o.offset - c.offset) < 1.0)
            if (c.distance, c.mirrored) < (same.distance, same.mirrored):
                out[out.index(same)] = c
            continue
        out.append(c)
    out.sort(key=lambda c: (c.distance, c.mirrored, c.key, c.offset))
    if not out:
        return []
    best = out[0].distance
    close = [c for c in out if c.distance - best <= tie_bits]
    # A master that shows the query's pictures at another place too (a loop, a shot used twice)
    # has no single answer for where: that place is tied as well, when it lies clear of every
    # answer of the asset (REPEAT_GAP seconds and half the span apart: a slow picture's
    # neighbouring seconds are one answer badly aligned) and aligns within REPEAT_BITS.
    for c in out:
        if c in close or c.distance - best > REPEAT_BITS:
            continue
        gap = max(REPEAT_GAP, 0.5 * c.speed * (c.query_out - c.query_in))
        if any(o.key == c.key for o in close) and all(abs(o.offset - c.offset) >= gap for o in close
                                                         if o.key == c.key and o.mirrored == c.mirrored):
            close.append(c)
    kin = family or (lambda key: key)
    # A look-alike in another asset when the best is sure of the query on its own (it agrees with
    # TWIN_SHARE of it): the query's pictures are the archive's, and an asset aligning within
    # REPEAT_BITS cannot be told from the best by the hashes. It is tied, whatever share of the
    # query it shows itself (its confidence says that), never the margin: a look-alike that
    # close leaves the best at most 2/3 of its confidence, and one just under TWIN_SHARE (a loop
    # of the footage holding 5 s of a 6 s excerpt, agreement 0.79) left a master that agreed
    # with 0.97 of the clip at 0.58, under the threshold: no answer at all.
    if out[0].agreement >= TWIN_SHARE:
        families = {kin(t.key) for t in close}
        for c in out:  # best first: each twin family's best place (a twin and its clip are one)
            if kin(c.key) not in families and c.distance - best <= REPEAT_BITS:
                close.append(c)
                families.add(kin(c.key))
    answered = {kin(t.key) for t in close}
    others = [c.distance for c in out if c not in close and kin(c.key) not in answered]
    reference = min(others, default=MISSING_BITS)
    keys = {c.key for c in close}
    # Another second of an asset already answered, not tied with it, is a worse alignment of
    # the same answer (a slow picture): not a candidate of its own.
    out = [c for c in out if c in close or c.key not in keys]
    for c in out:
        c.tied = len(close) > 1 and c in close
        # The tied are one answer held in several places: its margin over the first asset
        # outside them is the best's; each shows its own share of the query (`agreement`).
        c.score = confidence(c.agreement, best, reference) if c in close else 0.0
    return out[:limit]
