"""Reverse clip search on a local file: hash the query, ask the index, vote (no database).

`hash_query` decodes the clip once (sampled when long: `fingerprints.sample_windows`) at
`Settings.verify_rate` frames a second and hashes each frame normal and mirrored; the search
takes QUERY_RATE of them a second, the verification all of them; `find` asks the index
for each hash's neighbours and votes (`archive.provenance.matching`). `archive.provenance.services`
adds the database (which assets the caller may see, their timelines); the benchmark calls
these directly.
"""
from __future__ import annotations

import functools
import itertools
import os
import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np

from archive.media import fingerprints
from archive.media.probe import ProbeResult
from archive.media.runner import run
from archive.provenance import matching
from archive.provenance.index import FingerprintIndex, Neighbour, popcount64


@dataclass(frozen=True)
class Settings:
    """How a lookup searches: neighbours per hash (`k`), the Hamming radius (bits), the
    index's hashes a second, the least confidence a candidate needs, the tie margin, and
    how a query is sampled (whole up to `whole_up_to` s, else `windows` × `window` s)."""

    k: int = 32
    radius: int = 12
    index_rate: int = 1
    min_score: float = 0.6  # verified confidence (`matching.confidence`, calibrated: matching.MATCH_BITS)
    min_frames: int = 3  # and at least this many query frames on the line
    tie_margin: float = 0.1
    verify: bool = True  # align the best voted candidates on their hashes (`matching.verify`)
    verify_top: int = 12  # how many voted candidates are verified
    tie_bits: float = 0.5  # verified candidates this close (mean bits) to the best are tied
    plane_pairs: bool = True  # verify plane against plane (`matching.refine`), not the whole frame alone
    # Hash, search and align the query frames' off-centre views too (`fingerprints.query_planes`):
    # a crop that keeps an edge is found (`benchmarks/provenance.py` crop_corner, crop_side); the
    # search then takes 1 + len(VIEWS) hashes a frame instead of 1.
    views: bool = True
    # The search looks up the views of every view_every-th search frame (the verification aligns
    # them all): each frame's views cost as much as eight frames; 2 halves that (the view_every
    # figures: README "Crops that keep an edge").
    view_every: int = 2
    # How many of the views (the first; `fingerprints.VIEWS`) the search looks up: the 10 % crops'
    # (SEARCH_VIEWS). A 5 % crop is found by its whole frame; its views serve the verification.
    search_views: int = fingerprints.SEARCH_VIEWS
    # Hash and align the 5 % crops' views too (`fingerprints.VIEWS` past SEARCH_VIEWS). Off: on
    # `benchmarks/provenance_capture.py` they found every 5 % crop that keeps an edge (seed 17:
    # 87.5 → 100 %, each named cropped) but let a look-alike through at 0.90 (seed 11, 0 → 1 of
    # 80 negatives) and named 1-3 uncropped clips of 32 cropped: a false answer costs more.
    near_views: bool = False
    # Compare the colours of the frames the verification aligns (`matching.colour_apart`): a look-alike
    # of another colour (a box moving on a field of another colour) is not the master.
    colours: bool = True
    # Cut bars around the clip's picture off before hashing it (`fingerprints.bars`).
    bars: bool = True
    whole_up_to: float = 120.0
    window: float = 20.0
    windows: int = 4
    rate: int = fingerprints.QUERY_RATE
    # Frames a second the verification aligns (a multiple of `rate`; else `rate`): 10, chosen on
    # `benchmarks/provenance_capture.py --seed 5` and reported on seed 11 (README "Reverse clip search").
    verify_rate: int = 10
    static_k: int = 4096  # neighbours of a static query's one hash: every asset holding the picture
    min_part: float = 4.0  # seconds: a part of a clip shorter than this is not looked up alone (`by_parts`)
    max_parts: int = 6  # lookups a clip may take, the whole and its parts (`by_parts`)


@dataclass(frozen=True)
class QueryHashes:
    """A query's frames: their times (seconds into the query), hashes normal and mirrored
    (NO_HASH for flat frames), the number of informative (not flat) frames, whether the
    picture is static, how many seconds were decoded, and the hashes of every plane the
    index holds (whole frame, centre crops; normal and mirrored) that the verification
    compares plane against plane (`matching.refine`), when there are any, followed by the
    frames' off-centre views (`fingerprints.query_planes`), which the vote searches beside
    the whole frames and the verification aligns on the master's crop planes."""

    times: np.ndarray
    normal: np.ndarray
    mirrored: np.ndarray
    frames: int
    static: bool
    decoded: float
    planes: tuple[np.ndarray, np.ndarray] | None = None  # (normal, mirrored): `fingerprints.query_planes`
    dense: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (times, normal planes, mirrored planes) to verify on
    # (normal, mirrored): each verified row's regions' colours, (rows, n, 3) uint8 (`fingerprints.colours`), at the
    # frames verified on (`dense` when there is one); None: the hashes alone are compared
    colours: tuple[np.ndarray, np.ndarray] | None = None
    # The bars cut off the frames before hashing (`fingerprints.bars`): (top, bottom, left, right) shares of the
    # height and width; all 0 for none
    bars: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def hash_query(src: str, probe: ProbeResult, scratch: str, settings: Settings, *, timeout: float) -> QueryHashes:
    """Decode and hash `src` (one ffmpeg command, through the runner: CommandFailed or
    CommandTimeout when it cannot)."""
    duration = probe.duration or 0.0
    windows = fingerprints.sample_windows(duration, whole_up_to=settings.whole_up_to, window=settings.window,
                                          count=settings.windows)
    targets = [os.path.join(scratch, f"query_{k}.yuv") for k in range(len(windows))]
    rate = verify_rate(settings)
    run(fingerprints.query_command(src, probe, windows, targets, rate=rate), timeout=timeout)
    shapes = fingerprints.VIEWS if settings.near_views else fingerprints.VIEWS[:fingerprints.SEARCH_VIEWS]
    hashes = functools.partial(fingerprints.query_planes, shapes=shapes) if settings.views else fingerprints.planes
    regions = fingerprints.query_regions(shapes=shapes if settings.views else ())
    times, normal, mirror, tints = [], [], [], []
    pictures = [fingerprints.read_picture(target, limit=fingerprints.frames_expected(window, rate))
                for window, target in zip(windows, targets)]
    edges = fingerprints.bars(np.concatenate([p[:, 0] for p in pictures])) if settings.bars else (0, 0, 0, 0)
    for window, picture in zip(windows, pictures):
        picture = fingerprints.unbarred(picture, edges)
        times.append(window.start + np.arange(len(picture)) / rate)
        normal.append(hashes(picture[:, 0]))
        mirror.append(hashes(fingerprints.mirrored(picture[:, 0])))
        tints.append((fingerprints.colours(picture, regions),
                      fingerprints.colours(fingerprints.mirrored_picture(picture), regions)) if settings.colours else None)
    query = sampled(times, normal, mirror, tints, sum(w.seconds for w in windows), settings, rate)
    size = fingerprints.FRAME_SIZE
    return dataclasses.replace(query, bars=(edges[0] / size, edges[1] / size, edges[2] / size, edges[3] / size))


def sampled(times: list[np.ndarray], normal: list[np.ndarray], mirror: list[np.ndarray],
            tints: list[tuple[np.ndarray, np.ndarray] | None], decoded: float, settings: Settings,
            rate: int) -> QueryHashes:
    """The query of windows decoded at `rate` frames a second: per window its frames' times
    (seconds), their rows normal and mirrored (`fingerprints.query_planes`) and those rows'
    regions' colours normal and mirrored ((rows, n, 3) uint8 each, `fingerprints.colours`;
    None for none). The search takes each window's frames at its start + k / settings.rate
    (the frames `fps=settings.rate` picks), the verification all of them."""
    times_of = times
    times = np.concatenate(times) if times else np.zeros(0)
    normal, mirror = np.concatenate(normal, axis=1), np.concatenate(mirror, axis=1)
    tint = None
    if tints and all(t is not None for t in tints):
        tint = (np.concatenate([t[0] for t in tints], axis=1), np.concatenate([t[1] for t in tints], axis=1))
    if rate == settings.rate:
        return query_hashes(times, normal, mirror, decoded, colours=tint)
    counts = np.cumsum([0] + [len(t) for t in times_of])
    search = np.concatenate([np.arange(counts[k], counts[k + 1], rate // settings.rate) for k in range(len(times_of))])
    return query_hashes(times[search], normal[:, search], mirror[:, search], decoded, dense=(times, normal, mirror),
                        colours=tint)


def verify_rate(settings: Settings) -> int:
    """The frames a second a query is decoded at: `settings.verify_rate` when it is a whole
    multiple of `settings.rate` (the search's frames are then among them), else `rate`."""
    v, r = int(settings.verify_rate), int(settings.rate)
    return v if r > 0 and v > r and v % r == 0 else r


def query_hashes(times: np.ndarray, normal: np.ndarray, mirrored: np.ndarray, decoded: float, *,
                 dense: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                 colours: tuple[np.ndarray, np.ndarray] | None = None) -> QueryHashes:
    """A query from its frames' `times` (seconds) and their planes normal and mirrored
    ((rows, n) uint64, `fingerprints.query_planes`, or `planes` alone), `decoded` seconds of it decoded; `dense`
    the same (times, normal, mirrored) at the verification's denser rate, when there is one;
    `colours` the verified frames' regions' colours, normal and mirrored (`QueryHashes.colours`)."""
    hashes = np.asarray(normal, dtype=np.uint64)[0]
    informative = int(np.count_nonzero(hashes != fingerprints.NO_HASH))
    if dense is not None:
        dense = (np.asarray(dense[0], dtype=float), np.asarray(dense[1], dtype=np.uint64),
                 np.asarray(dense[2], dtype=np.uint64))
    if colours is not None:
        colours = (np.asarray(colours[0], dtype=np.uint8), np.asarray(colours[1], dtype=np.uint8))
    return QueryHashes(np.asarray(times, dtype=float), hashes, np.asarray(mirrored, dtype=np.uint64)[0],
                       informative, matching.is_static(hashes), decoded, (normal, mirrored), dense, colours)


Families = Callable[[set[str]], dict[str, str]]
MasterColours = Callable[[str], "np.ndarray | None"]


def find(index: FingerprintIndex, query: QueryHashes, settings: Settings, *,
         allowed: Callable[[set[str]], set[str]] | None = None,
         families: Families | None = None, master_colours: MasterColours | None = None) -> list[matching.Candidate]:
    """The candidate masters of `query`, best first (`matching.vote`), the best refitted for a
    speed change, verified (`matching.verify`) unless `settings.verify` is off, in picture
    times (`to_picture_times`). `allowed(keys) → keys` keeps only assets the caller may see,
    before the vote, so a hidden asset neither shows nor outvotes a visible one. `families(keys)
    → {key: family}` names the assets derived from one master (its clips) alike: they are not
    each other's look-alikes (`matching.verify`). `master_colours(key)` gives a master's
    regions' colours ((planes, n, 3) uint8, `fingerprints.colours`; None for a master hashed
    before colours): with the query's (`QueryHashes.colours`), frames of another colour count
    as unrelated in the verification (`matching.colour_apart`).

    A clip may join footage of several sources: a master's excerpt between shots the archive
    does not hold, two masters cut together. What the first answer does not cover (or, when
    no candidate is sure of the whole clip, what lies outside the best-aligned candidate's
    verified span) is looked up again on its own, part by part (`by_parts`); each source is
    then an answer of its own, its `query_in`/`query_out` saying which part of the clip it is
    and its confidence that of that part."""
    if query.frames == 0:
        return []
    if query.static:
        return [to_picture_times(c, settings, dense=query.dense is not None)
                for c in _find_static(index, query, settings, allowed)]
    if not settings.verify:
        return [to_picture_times(c, settings, dense=query.dense is not None)
                for c in _unverified(index, query, settings, allowed)]
    found = by_parts(index, query, settings, allowed, budget=[settings.max_parts], families=families,
                     master_colours=master_colours)
    return [to_picture_times(c, settings, dense=query.dense is not None) for c in found]


def _voted(index: FingerprintIndex, query: QueryHashes, settings: Settings,
           allowed: Callable[[set[str]], set[str]] | None) -> list[matching.Candidate]:
    """The voted candidates (no threshold), the best three refitted for a speed change, with
    at least `min_frames` frames."""
    normal = _neighbours(index, query, settings, mirrored=False)
    mirror = _neighbours(index, query, settings, mirrored=True)
    if allowed is not None:
        keep = allowed({n.key for n in normal} | {n.key for n in mirror})
        normal = [n for n in normal if n.key in keep]
        mirror = [n for n in mirror if n.key in keep]
    step = 1.0 / settings.rate
    found = matching.vote(query.times, normal, mirror, frames=query.frames, index_rate=settings.index_rate,
                          step=step, min_score=0.0, tie_margin=settings.tie_margin, limit=20)
    for c in found[:3]:
        hits: list[Neighbour] = mirror if c.mirrored else normal
        matching.fit_speed(c, hits, query.times, index_rate=settings.index_rate, step=step, frames=query.frames)
    return [c for c in found if c.matched >= settings.min_frames]


def _neighbours(index: FingerprintIndex, query: QueryHashes, settings: Settings, *, mirrored: bool,
                frames: slice = slice(None), k: int | None = None) -> list[Neighbour]:
    """The neighbours (`k`, by default `settings.k`, within `settings.radius` bits) of the
    query's search `frames`, normal or `mirrored`: of each whole-frame hash, on every plane
    the index holds, and of each off-centre view a search looks up (`fingerprints.view_rows`
    of its planes, when it has them, the first `settings.search_views`) of every
    `settings.view_every`-th frame, on the one master plane that view is verified on
    (`fingerprints.VIEW_PLANES`, `matching._hypotheses`; 1/5 to 1/3 of the hashes to scan,
    `benchmarks/provenance.py --latency-only`. A view's neighbours on other planes, which the
    vote counted before, found one 10 % crop of 400 that this misses: README "Reverse clip
    search"). Each is found for its frame (`Neighbour.query` a frame
    number 0..n−1 of `frames`, a frame found by several views listed for each: the vote
    counts frames, not neighbours); the whole frames' neighbours first, then each view's in
    view order."""
    hashes = (query.mirrored if mirrored else query.normal)[frames]
    n = len(hashes)
    if not n:
        return []
    k = k or settings.k
    every = max(1, int(settings.view_every))
    found = index.search(hashes, k=k, radius=settings.radius)
    if query.planes is None or settings.search_views <= 0:
        return found
    views = fingerprints.view_rows(query.planes[1 if mirrored else 0][:, frames])[:settings.search_views, ::every]
    width = views.shape[1]
    if not width:
        return found
    # Consecutive views verified on the same plane are looked up together, on that plane alone.
    rows = zip(views, fingerprints.VIEW_PLANES)
    for plane, group in itertools.groupby(rows, key=lambda row: row[1]):
        hits = index.search(np.concatenate([view for view, _plane in group]), k=k, radius=settings.radius,
                            planes=[plane])
        found += [Neighbour((h.query % width) * every, h.key, h.position, h.distance) for h in hits]
    return found


def _unverified(index: FingerprintIndex, query: QueryHashes, settings: Settings,
                allowed: Callable[[set[str]], set[str]] | None) -> list[matching.Candidate]:
    """The vote's candidates scoring at least `min_score`, best first, those within
    `tie_margin` of the best tied (the recipe before verification; `Settings.verify` off)."""
    found = _voted(index, query, settings, allowed)
    found = [c for c in found if c.score >= settings.min_score]
    found.sort(key=lambda c: (-c.score, c.mirrored, c.distance, c.key, c.offset))
    if found:
        best = found[0].score
        close = [c for c in found if best - c.score <= settings.tie_margin]
        for c in found:
            c.tied = len(close) > 1 and c in close
    return found[:10]


def _verified(index: FingerprintIndex, query: QueryHashes, settings: Settings,
              allowed: Callable[[set[str]], set[str]] | None, *, speeds: bool = True,
              families: Families | None = None, master_colours: MasterColours | None = None) -> list[matching.Candidate]:
    """Every voted candidate verified and scored (`matching.verify`), lowest aligned distance
    first, with no confidence threshold; `matched` counts the query's frames in its span.
    Without `speeds`, the verification does not align over other speeds than the vote's."""
    found = _voted(index, query, settings, allowed)
    found.sort(key=lambda c: (-c.score, c.mirrored, c.distance, c.key, c.offset))
    # Verified on the dense frames when the query has them (`Settings.verify_rate`).
    times, normal_planes, mirror_planes = query.dense if query.dense is not None else \
        (query.times, *(query.planes or (query.normal[None, :], query.mirrored[None, :])))
    step = 1.0 / settings.rate
    verify_step = float(np.median(np.diff(times))) if query.dense is not None and len(times) > 1 else step
    kin = families({c.key for c in found}) if families is not None and found else {}
    found = matching.verify(found[:settings.verify_top], normal_planes[0], mirror_planes[0], times,
                            index.sequence, index_rate=settings.index_rate,
                            step=verify_step, tie_bits=settings.tie_bits,
                            planes=(normal_planes, mirror_planes) if settings.plane_pairs and
                            (query.planes is not None or query.dense is not None) else None,
                            speed_top=matching.SPEED_TOP if speeds else 0,
                            family=lambda key: kin.get(key, key),
                            colours=query.colours if settings.colours else None, master_colours=master_colours)
    for c in found:
        c.matched = frames_within(query, c.query_in, c.query_out)
    return found


def by_parts(index: FingerprintIndex, query: QueryHashes, settings: Settings,
             allowed: Callable[[set[str]], set[str]] | None, *, budget: list[int],
             part: bool = False, families: Families | None = None,
             master_colours: MasterColours | None = None) -> list[matching.Candidate]:
    """The sure answers (confidence ≥ `min_score`, at most 10) for `query` and, looked up
    alone, for each part of it at least `min_part` seconds long that they leave uncovered.
    When no candidate is sure of the whole query, the best-aligned one's verified span is
    looked up alone first (a master's excerpt among other shots scores only its share of the
    whole). `budget` ([lookups left]) bounds the lookups; an answer of the same asset on the
    same time line as one already given widens that one's span instead of repeating it.

    A `part` is held to more: its answers must span `min_part` seconds of it, and it is
    aligned at the vote's speeds only. A few seconds compared over many lines find a close
    one by chance (`benchmarks/provenance.py --seed 11`: a 2 s span of an unrelated master
    at speed 0.77 scored 0.89)."""
    if budget[0] <= 0 or query.frames < settings.min_frames:
        return []
    budget[0] -= 1
    if query.static:
        # A held shot or a card inside a clip: one picture, one hash to go on, too little to
        # name a source by (a whole clip that is static is answered by `_find_static`).
        return []
    found = _verified(index, query, settings, allowed, speeds=not part, families=families,
                      master_colours=master_colours)
    sure = [c for c in found if c.score >= settings.min_score
            and (not part or c.query_out - c.query_in >= settings.min_part - 1e-6)][:10]
    start, end = query_span(query, settings)
    if not sure:
        best = found[0] if found else None
        if best is None or best.query_out - best.query_in < settings.min_part or \
                best.query_out - best.query_in > (end - start) - settings.min_part:
            return []
        sure = by_parts(index, part_of(query, best.query_in, best.query_out), settings, allowed, budget=budget,
                        part=True, families=families, master_colours=master_colours)
        if not sure:
            return []
        low, high = best.query_in, best.query_out
    else:
        low, high = min(c.query_in for c in sure), max(c.query_out for c in sure)
    out = list(sure)
    for a, b in ((start, low), (high, end)):
        if b - a >= settings.min_part:
            for c in by_parts(index, part_of(query, a, b), settings, allowed, budget=budget, part=True,
                              families=families, master_colours=master_colours):
                same = next((o for o in out if o.key == c.key and o.mirrored == c.mirrored
                             and abs(o.offset - c.offset) < 1.0), None)
                if same is None:
                    out.append(c)
                else:
                    same.query_in, same.query_out = min(same.query_in, c.query_in), max(same.query_out, c.query_out)
                    same.place()
                    same.matched = frames_within(query, same.query_in, same.query_out)
    return out


def query_span(query: QueryHashes, settings: Settings) -> tuple[float, float]:
    """The seconds of the query its search frames cover: the first frame's time to the last's
    plus one frame interval (at `settings.rate`)."""
    if not len(query.times):
        return 0.0, 0.0
    return float(query.times.min()), float(query.times.max()) + 1.0 / settings.rate


def part_of(query: QueryHashes, start: float, end: float) -> QueryHashes:
    """The frames of `query` from `start` to before `end` (seconds in the query; their times
    kept, so an answer's span stays in the whole clip's seconds), as a query of its own."""
    def pick(times: np.ndarray) -> np.ndarray:
        return (times >= start - 1e-6) & (times < end - 1e-6)

    keep = pick(query.times)
    normal = query.normal[keep]
    planes = None if query.planes is None else (query.planes[0][:, keep], query.planes[1][:, keep])
    dense = None
    verified = keep
    if query.dense is not None:
        verified = pick(query.dense[0])
        dense = (query.dense[0][verified], query.dense[1][:, verified], query.dense[2][:, verified])
    colours = None if query.colours is None else (query.colours[0][:, verified], query.colours[1][:, verified])
    return QueryHashes(query.times[keep], normal, query.mirrored[keep],
                       int(np.count_nonzero(normal != fingerprints.NO_HASH)), matching.is_static(normal),
                       max(0.0, end - start), planes, dense, colours, query.bars)


def frames_within(query: QueryHashes, start: float, end: float) -> int:
    """The query's informative search frames (`query.times`, not flat) from `start` to before
    `end` (seconds in the query): a verified candidate's `matched`."""
    inside = (query.times >= start - 1e-6) & (query.times < end - 1e-6) & (query.normal != fingerprints.NO_HASH)
    return int(np.count_nonzero(inside))


def to_picture_times(c: matching.Candidate, settings: Settings, *, dense: bool) -> matching.Candidate:
    """`c` with its offset and master in/out moved from sample numbers to the times their
    pictures show (`fingerprints.picture_delay`): a master hash k shows k + 0.5 / index_rate
    seconds, a query frame at t shows t + 0.5 / (its decode rate). The spans in the query stay
    its frames' times."""
    decode = verify_rate(settings) if dense else settings.rate
    shift = fingerprints.picture_delay(settings.index_rate) - c.speed * fingerprints.picture_delay(decode)
    c.offset += shift
    c.place()
    return c


def _find_static(index: FingerprintIndex, query: QueryHashes, settings: Settings,
                 allowed: Callable[[set[str]], set[str]] | None) -> list[matching.Candidate]:
    """A static query: its one picture looked up (`static_k` neighbours), every asset holding
    it a candidate, all tied when there are several (`matching.static_candidates`)."""
    informative = np.flatnonzero(query.normal != fingerprints.NO_HASH)
    first = informative[0]
    score = float(np.mean(popcount64(query.normal[informative] ^ query.normal[first]) <= settings.radius))
    one = slice(first, first + 1)
    normal = _neighbours(index, query, settings, mirrored=False, frames=one, k=settings.static_k)
    mirror = _neighbours(index, query, settings, mirrored=True, frames=one, k=settings.static_k)
    if allowed is not None:
        keep = allowed({n.key for n in normal} | {n.key for n in mirror})
        normal = [n for n in normal if n.key in keep]
        mirror = [n for n in mirror if n.key in keep]
    found = [c for c in matching.static_candidates(normal, mirror, score=score, query_in=float(query.times[first]),
                                                   query_out=float(query.times[informative[-1]]) + 1 / settings.rate,
                                                   index_rate=settings.index_rate)
             if c.score >= settings.min_score]
    # The frames that show the picture: what a static answer matched (at least `min_frames`).
    like = int(np.count_nonzero(popcount64(query.normal[informative] ^ query.normal[first]) <= settings.radius))
    if like < settings.min_frames:
        return []
    for c in found:
        c.tied = len(found) > 1
        c.matched = like
    return found[:10]
