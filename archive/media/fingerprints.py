"""Perceptual hashes of video frames, for reverse clip search (`archive.provenance`).

The frames come from ffmpeg as raw 8-bit grey squares (`commands.fingerprint_part`: the
ingest's one decode for masters; `query_command` here for a clip someone asks about), and
each is hashed with `imagehash.phash` (64 bits: the 8 × 8 lowest frequencies of the DCT of
the 32 × 32 grey frame, each bit "above the median"). The recipe (1 hash a second for the
index, 2 a second for queries, hashed normal and mirrored) was measured on photographic
footage: ARCHITECTURE.md "Known traps"; `benchmarks/provenance.py` measures it here.

The index also holds, for each master second, the hashes of centre crops of its frame
(`CROPS`: 90 % and 80 % of its width and height, cut from the `FRAME_SIZE` grey square
before hashing, so one decode still serves): a query that was cropped and blown up again
(the usual social-media reframe) lies close to one of them and far from the whole frame's.
The hashes of a master are `planes` (whole frame first, then each crop) of one hash a
sample each, stored plane after plane (`to_planes`).

A query is also hashed through off-centre VIEWS of its frame (`views`): a crop that keeps an
edge (the left 90 %, a corner's 90 %) is no centre crop, so neither its whole frame nor a
centre plane of its master is near it (a corner's 90 %: median 16-18 bits, a fifth to a third
of its frames within 12), but the part of it where its master's centre 80 % lies, cut out
again, is (each view is that part for one corner or side: median 2-4 bits; a 5 % crop stays
near the whole frame's planes, median 6-8). Measured on 12 lavfi masters of
`benchmarks/provenance.py` (seed 13), their frames cropped and hashed as a query's. The views
cost the query only: the index keeps its planes; `benchmarks/provenance.py` measures them
(crop_corner, crop_side). Eight more views are where the master's centre 90 % lies in a 5 %
crop that kept an edge (`NEAR_EDGE_KEPT`): such a crop is still found by its whole frame, but
aligns on it loosely (a corner's 95 % of a game of life: 11.6 bits to the whole frame, 2.6
through its view); the verification aligns them, the search does not look them up
(`SEARCH_VIEWS`, crop_edge_5pct).

A picture shown in another shape is cut, not cropped: a 16:9 programme on a 4:3 channel
loses an eighth of each side and keeps all of its height, a vertical social video keeps a
third of the width. No centre crop or view holds that, so the index also keeps, for each
master second, its centre cuts to the shapes of CUT_ASPECTS it does not have (`cuts`,
`master_planes`: fingerprints version 4), and a layout file beside the hashes (`layout`)
says what each plane is.

Every hash leaves the picture's four corners out (`mask_corners`: CORNERS of the width and
height, filled with the mean grey of the rest before the DCT): that is where channel logos,
clocks and "LIVE" bugs sit, and a white plate there moved the whole frame's low frequencies
by 12 bits (median, logo edit of `benchmarks/provenance.py`, seed 5) against 6 with the
corners left out; unrelated pictures stay as far apart (profile version 3).

A frame whose grey levels hardly vary (black, a uniform card: standard deviation below
FLAT_STD) has no hash worth matching: it is written as NO_HASH (0), which pHash never gives
a frame with any detail (about half its bits are set).

Hashes travel as big-endian unsigned 64-bit integers (`to_bytes`, `from_bytes`).

A pHash sees only the grey picture's shape, not its brightness or colour (the DCT's lowest
bit compares with the median, so a level shift changes nothing): a black box moving on a
pale green field and one on a dark blue field hash alike. So the frames come as full-range
YCbCr (`commands.FINGERPRINT_PIXELS`; its Y plane is, byte for byte, the grey frame ffmpeg's `format=gray`
gives: checked on 8- and 10-bit, limited- and full-range, RGB and 4:2:2 sources) and each
hashed region also has its COLOUR (`colours`: the mean Y, Cb and Cr of the region with its
corners left out, 3 bytes), written beside the hashes (`COLOUR_ENTRY`, fingerprints version 5).
The verification compares them on every frame pair it aligns (`matching.colour_apart`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import imagehash
import numpy as np
from PIL import Image

from archive.media.commands import BASE, file_url, fingerprint_filter, video_map

if TYPE_CHECKING:
    from archive.media.probe import ProbeResult

CHANNELS = 3  # Y, Cb, Cr: the planes of each decoded frame (`commands.FINGERPRINT_PIXELS`)
FRAME_SIZE = 64  # the grey square decoded; pHash works on 32 × 32 (it resizes), crops need the margin
CROPS = (0.9, 0.8)  # centre crops hashed beside the whole frame (fraction of width and height)
# A query frame's off-centre views (`views`): (width, height, x, y), the share of its width and
# height kept, placed at (x, y) (0 the left or top edge, 1 the right or bottom, 0.5 the middle).
# Each is where its master's smallest centre crop (CROPS[-1]) lies in a crop that kept EDGE_KEPT
# of the picture and one edge: in a corner's 90 % the master's centre 80 % is the 8/9 of it away
# from that corner; in the left 90 % (full height), the right 8/9 of the width and the middle
# 80 % of the height.
EDGE_KEPT = 0.9


def _edge_views(inner: float, kept: float) -> tuple[tuple[float, float, float, float], ...]:
    share = inner / kept  # the inner crop's share of the cropped dimension
    corners = tuple((share, share, x, y) for x, y in ((1.0, 1.0), (0.0, 1.0), (1.0, 0.0), (0.0, 0.0)))
    sides = ((share, inner, 1.0, 0.5), (share, inner, 0.0, 0.5), (inner, share, 0.5, 1.0), (inner, share, 0.5, 0.0))
    return corners + sides


# A 5 % crop that keeps an edge stays near its master's whole frame (median 6-8 bits: the search
# finds it) but aligns loosely (a second of it above 12 bits moved the in-point a second late);
# in it the master's centre 90 % lies exactly: NEAR_EDGE_KEPT's views, aligned on that plane.
NEAR_EDGE_KEPT = 0.95
# The views' sets: (the share of the picture a crop kept, the master's centre crop (`planes` row:
# 1 the 90 %, 2 the 80 %) that lies in it and that its views are aligned on). The first set's are
# the ones a search looks up (SEARCH_VIEWS): a 5 % crop is found by its whole frame.
_VIEW_SETS = ((EDGE_KEPT, len(CROPS)), (NEAR_EDGE_KEPT, 1))
_SETS = [_edge_views(CROPS[row - 1], kept) for kept, row in _VIEW_SETS]
VIEWS = tuple(view for views_of in _SETS for view in views_of)
VIEW_PLANES = tuple(row for (_kept, row), views_of in zip(_VIEW_SETS, _SETS) for _view in views_of)
SEARCH_VIEWS = len(_SETS[0])
# The picture shapes (display width / height) a master is also cut to, centred, and hashed beside
# its centre crops (`cuts`): a 16:9 programme shown on a 4:3 channel loses 12.5 % of each side, a
# 4:3 archive film shown in 16:9 a band at the top and the bottom, and a vertical 9:16 social
# video keeps a third of a 16:9 picture's width. No centre crop holds such a cut (a 4:3 cut of
# 16:9 keeps all of the height, the 80 % crop does not), nor does any view of the cut picture.
CUT_ASPECTS = (16 / 9, 4 / 3, 9 / 16)
SAME_SHAPE = 0.07  # a cut keeping more than 1 − this of both dimensions is the whole frame: no plane
CORNERS = (0.25, 0.2)  # each corner's share of the width and height left out of a hash (`mask_corners`)
NO_HASH = 0
FLAT_STD = 4.0  # grey levels (0..255): below this a frame is "flat"
QUERY_RATE = 2  # hashes per second of a query clip


def picture_delay(rate: float) -> float:
    """How far (seconds) the picture of sampled frame k lies after its time k / `rate`:
    0.5 / rate. ffmpeg's `fps` filter (rounding to nearest, its default) gives output frame k
    the last source frame before (k + 0.5) / rate: measured on a 25 fps ramp (frame n at grey
    level n), `fps=1` kept source frames 12, 37, 62, … (0.48 s, 1.48 s, …) and `fps=10` frames
    1, 3, 6, 8, … (0.04 s, 0.12 s, …). A master hashed at 1 a second and a query at 10 a
    second differ by 0.45 s for the same picture; ignored, every in-point came out that much
    early. The half source frame both lose cancels when their frame rates are alike."""
    return 0.5 / rate if rate > 0 else 0.0


def read_picture(path: str, size: int = FRAME_SIZE, limit: int | None = None) -> np.ndarray:
    """The raw frames ffmpeg wrote to `path` through `commands.fingerprint_filter`: an (n, 3, size, size)
    uint8 array, channels Y, Cb, Cr (a partial last frame is dropped); at most `limit`
    frames. An absent file has none."""
    if not os.path.exists(path):
        return np.zeros((0, CHANNELS, size, size), dtype=np.uint8)
    data = np.fromfile(path, dtype=np.uint8)
    whole = data.size // (CHANNELS * size * size)
    if limit is not None:
        whole = min(whole, limit)
    return data[: whole * CHANNELS * size * size].reshape(whole, CHANNELS, size, size)


def read_frames(path: str, size: int = FRAME_SIZE, limit: int | None = None) -> np.ndarray:
    """The grey frames (the Y plane) of `read_picture`: an (n, size, size) uint8 array."""
    return read_picture(path, size, limit)[:, 0]


def flat(frames: np.ndarray) -> np.ndarray:
    """A bool per frame: its grey levels hardly vary (standard deviation < FLAT_STD)."""
    if len(frames) == 0:
        return np.zeros(0, dtype=bool)
    return frames.reshape(len(frames), -1).astype(np.float32).std(axis=1) < FLAT_STD


def phash64(frames: np.ndarray) -> np.ndarray:
    """One 64-bit pHash per grey frame (`imagehash.phash`, bit 63 the first of its 8 × 8
    matrix, row by row) as a uint64 array; NO_HASH for a flat frame."""
    out = np.zeros(len(frames), dtype=np.uint64)
    if len(frames) == 0:
        return out
    is_flat = flat(frames)
    bits = np.zeros((len(frames), 64), dtype=bool)
    for i, frame in enumerate(frames):
        if not is_flat[i]:
            bits[i] = imagehash.phash(Image.fromarray(np.ascontiguousarray(frame), mode="L")).hash.reshape(-1)
    packed = np.packbits(bits, axis=1)  # (n, 8) bytes, most significant bit first
    out[:] = packed.view(">u8").reshape(-1).astype(np.uint64)
    out[is_flat] = NO_HASH
    return out


def centre_crop(frames: np.ndarray, fraction: float) -> np.ndarray:
    """The centre `fraction` (0 < fraction ≤ 1) of each frame's width and height, rounded to
    whole pixels (at least one). ValueError outside that range."""
    return crop(frames, (fraction, fraction), (0.5, 0.5))


def crop(frames: np.ndarray, size: tuple[float, float], anchor: tuple[float, float]) -> np.ndarray:
    """`size` = (share of the width, of the height), each 0 < share ≤ 1, of each frame,
    rounded to whole pixels (at least one), placed at `anchor` = (x, y), each 0..1: 0 keeps
    the left (top) edge, 1 the right (bottom), 0.5 the centre (the margin split, the odd
    pixel on the far side). (n, h', w') uint8, a view of `frames`. ValueError for a share or
    an anchor outside its range."""
    fw, fh = size
    if not (0 < fw <= 1 and 0 < fh <= 1):
        raise ValueError("a crop keeps more than 0 and at most 1 of the picture")
    ax, ay = anchor
    if not (0 <= ax <= 1 and 0 <= ay <= 1):
        raise ValueError("a crop's anchor lies within 0..1 of the width and the height")
    if (fw == 1 and fh == 1) or len(frames) == 0:
        return frames
    h, w = frames.shape[1:]
    ch, cw = max(1, round(h * fh)), max(1, round(w * fw))
    top, left = int((h - ch) * ay), int((w - cw) * ax)
    return frames[:, top:top + ch, left:left + cw]


def corner_mask(height: int, width: int, corners: Sequence[float] = CORNERS) -> np.ndarray | None:
    """A (height, width) bool array, True in the four corners (`corners` = fraction of the
    width, of the height, each rounded to whole pixels); None when that leaves no corner.
    ValueError for a fraction outside 0..0.5."""
    fw, fh = corners
    if not (0 <= fw <= 0.5 and 0 <= fh <= 0.5):
        raise ValueError("a corner is at most half the width and half the height")
    ch, cw = round(height * fh), round(width * fw)
    if not (ch and cw):
        return None
    corner = np.zeros((height, width), dtype=bool)
    for rows in (slice(0, ch), slice(height - ch, height)):
        for cols in (slice(0, cw), slice(width - cw, width)):
            corner[rows, cols] = True
    return corner


def mask_corners(frames: np.ndarray, corners: Sequence[float] = CORNERS) -> np.ndarray:
    """The frames with their four corners, each `corners` = (fraction of the width, of the
    height), filled with the mean grey of the rest of the frame (so nothing in a corner
    counts): (n, h, w) uint8 as given. (0, 0) leaves
    them whole. ValueError for a fraction outside 0..0.5."""
    corner = corner_mask(*frames.shape[1:], corners)
    if len(frames) == 0 or corner is None:
        return frames
    out = frames.copy()
    rest = frames[:, ~corner].astype(np.float32).mean(axis=1)  # what is in a corner cannot move it
    out[:, corner] = np.round(rest).astype(np.uint8)[:, None]
    return out


def frame_hashes(frames: np.ndarray, corners: Sequence[float] = CORNERS) -> np.ndarray:
    """The hash of each grey frame as the index and the queries take it: `phash64` of the
    frame with its corners masked (`mask_corners`); NO_HASH for a flat frame (judged on the
    whole frame)."""
    out = phash64(mask_corners(frames, corners))
    out[flat(frames)] = NO_HASH
    return out


def planes(frames: np.ndarray, crops: Sequence[float] = CROPS, corners: Sequence[float] = CORNERS) -> np.ndarray:
    """The hashes of `frames` (`frame_hashes`), whole and each centre crop of `crops`: a
    (1 + len(crops), n) uint64 array, row 0 the whole frames."""
    return np.stack([frame_hashes(frames, corners), *(frame_hashes(centre_crop(frames, f), corners)
                                                       for f in crops)]) \
        if len(frames) else np.zeros((1 + len(crops), 0), dtype=np.uint64)


def cut_shape(aspect: float | None, target: float) -> tuple[float, float] | None:
    """The centre cut of a picture of display aspect ratio `aspect` (width / height) to
    `target`: (share of the width, share of the height) kept, one of them 1; None when the
    aspect is unknown (None, ≤ 0) or the cut keeps more than 1 − SAME_SHAPE of both (the
    picture already has that shape). A 16:9 picture to 4:3: (0.75, 1.0); 4:3 to 16:9:
    (1.0, 0.75); 16:9 to 9:16: (0.316, 1.0). ValueError for a target ≤ 0."""
    if target <= 0:
        raise ValueError("a picture shape is a positive width / height")
    if aspect is None or not aspect > 0:
        return None
    shape = (target / aspect, 1.0) if target < aspect else (1.0, aspect / target)
    return None if min(shape) > 1 - SAME_SHAPE else shape


def cuts(frames: np.ndarray, aspect: float | None, targets: Sequence[float] = CUT_ASPECTS,
         corners: Sequence[float] = CORNERS) -> np.ndarray:
    """The hashes (`frame_hashes`) of each centre cut of `frames` (pictures of display aspect
    `aspect`, decoded as squares) to the shapes `targets` (`cut_shape`): a (len(targets), n)
    uint64 array, a row of NO_HASH for a shape the picture already has (or when `aspect` is
    unknown): nothing is indexed for it."""
    out = np.zeros((len(targets), len(frames)), dtype=np.uint64)
    for row, target in enumerate(targets):
        shape = cut_shape(aspect, target)
        if shape is not None and len(frames):
            out[row] = frame_hashes(crop(frames, shape, (0.5, 0.5)), corners)
    return out


def master_planes(frames: np.ndarray, aspect: float | None, crops: Sequence[float] = CROPS,
                  cut_aspects: Sequence[float] = CUT_ASPECTS, corners: Sequence[float] = CORNERS) -> np.ndarray:
    """What the index holds of a master's frames: its centre `planes` (whole, then each crop
    of `crops`) followed by its `cuts` to `cut_aspects`: (1 + len(crops) + len(cut_aspects),
    n) uint64. `aspect` is the master's display aspect ratio (width / height)."""
    return np.concatenate([planes(frames, crops, corners), cuts(frames, aspect, cut_aspects, corners)])


def cut_rows(master: np.ndarray, crops: Sequence[float] = CROPS) -> np.ndarray:
    """The cut planes of a master's hashes (`master_planes`' rows after its centre planes):
    (rows, n) uint64; none (shape (0, n)) for a master hashed before cuts (centre planes only)."""
    master = np.asarray(master, dtype=np.uint64)
    master = master.reshape(1, -1) if master.ndim < 2 else master
    return master[1 + len(crops):]


def views(frames: np.ndarray, shapes: Sequence[tuple[float, float, float, float]] = VIEWS,
          corners: Sequence[float] = CORNERS) -> np.ndarray:
    """The hashes (`frame_hashes`) of each off-centre view of `frames`, (width, height, x, y)
    of `shapes` (`crop`). A (len(shapes), n) uint64 array."""
    if not len(frames):
        return np.zeros((len(shapes), 0), dtype=np.uint64)
    return np.stack([frame_hashes(crop(frames, (fw, fh), (ax, ay)), corners) for fw, fh, ax, ay in shapes])


def query_planes(frames: np.ndarray, crops: Sequence[float] = CROPS, corners: Sequence[float] = CORNERS,
                 shapes: Sequence[tuple[float, float, float, float]] = VIEWS) -> np.ndarray:
    """What a query frame is hashed as: its `planes` (the index's rows: whole, then each
    centre crop of `crops`) followed by its off-centre `views` of `shapes` (VIEWS, or the
    first SEARCH_VIEWS of them: the 10 % crops'): a (1 + len(crops) + len(shapes), n) uint64
    array. `view_rows` says where the views start."""
    return np.concatenate([planes(frames, crops, corners), views(frames, shapes, corners=corners)])


def plane_rows(query: np.ndarray, crops: Sequence[float] = CROPS) -> np.ndarray:
    """The rows of `query_planes` that are the index's planes (whole, then each centre crop):
    (≤ 1 + len(crops), n) uint64; all the rows of a query hashed as `planes` only."""
    return np.asarray(query, dtype=np.uint64)[:1 + len(crops)]


def view_rows(query: np.ndarray, crops: Sequence[float] = CROPS) -> np.ndarray:
    """The off-centre views of `query_planes`' rows ((rows, n) uint64): the rows after the
    index's planes (`plane_rows`); none (shape (0, n)) for a query hashed as planes only."""
    query = np.asarray(query, dtype=np.uint64)
    return query[1 + len(crops):] if query.ndim == 2 else np.zeros((0, query.size), dtype=np.uint64)


# ---- bars -----------------------------------------------------------------------------------

# A picture shown inside bars (padded to a square for a social feed, shrunk inside a news
# graphic, a 4:3 picture pillarboxed on a 16:9 channel) is not its master's frame: the bars take
# a share of every hash. A query's bars are found on its decoded frames and cut off before it is
# hashed (`bars`, `unbarred`): a row (column) at an edge is a bar when, over every frame, all of
# its pixels are dark (grey at most BAR_LEVEL, full range); bars count only in pairs, opposite
# edges within BAR_SKEW pixels of each other (padding centres the picture; an edge dark on one
# side only is more likely the picture's own night sky), each at least BAR_MIN pixels of the
# FRAME_SIZE square, and leave at least half of each dimension. What is left is the picture
# the master's planes hold: its whole frame, or a cut of it when the master's own frame had
# the bars (a 4:3 picture pillarboxed in a 16:9 master is that master's 4:3 cut).
BAR_LEVEL = 40
BAR_SKEW = 2
BAR_MIN = 2


def _edge_run(dark: np.ndarray) -> tuple[int, int]:
    """How many leading and trailing entries of the bool vector `dark` are True."""
    if dark.all():
        return len(dark), 0
    lead = int(np.argmin(dark))
    trail = int(np.argmin(dark[::-1]))
    return lead, trail


def bars(frames: np.ndarray) -> tuple[int, int, int, int]:
    """The bars around the picture of grey `frames` ((n, h, w) uint8, decoded squares), in
    pixels: (top, bottom, left, right), 0 where there is none (rules above). A clip whose
    frames are dark all over has none (it has no picture to cut out)."""
    if not len(frames):
        return 0, 0, 0, 0
    h, w = frames.shape[1:]
    brightest = frames.max(axis=0)  # (h, w): over every frame
    out = [0, 0, 0, 0]
    for k, (dark, size) in enumerate(((brightest.max(axis=1) <= BAR_LEVEL, h), (brightest.max(axis=0) <= BAR_LEVEL, w))):
        first, last = _edge_run(dark)
        if first == size:
            return 0, 0, 0, 0
        if min(first, last) >= BAR_MIN and abs(first - last) <= BAR_SKEW and size - first - last >= size / 2:
            out[2 * k], out[2 * k + 1] = first, last
    return out[0], out[1], out[2], out[3]


def unbarred(picture: np.ndarray, edges: tuple[int, int, int, int]) -> np.ndarray:
    """`picture` ((n, ..., h, w): grey frames or `read_picture`'s) without its `bars` (top,
    bottom, left, right pixels): a view."""
    top, bottom, left, right = edges
    h, w = picture.shape[-2:]
    return picture[..., top:h - bottom, left:w - right]


# ---- colour ---------------------------------------------------------------------------------

COLOUR_ENTRY = "colour.bin"  # beside the hashes: each hashed region's mean Y, Cb, Cr (`colours`)


def region_colours(picture: np.ndarray, size: tuple[float, float] = (1.0, 1.0),
                   anchor: tuple[float, float] = (0.5, 0.5), corners: Sequence[float] = CORNERS) -> np.ndarray:
    """The colour of one region of each frame of `picture` ((n, 3, h, w) uint8, `read_picture`):
    the mean Y, Cb and Cr (0..255, full range) of its `crop` of `size` at `anchor`, the
    region's corners (`corner_mask`) left out as its hash leaves them out. (n, 3) uint8."""
    n, channels, h, w = picture.shape
    if not n:
        return np.zeros((0, channels), dtype=np.uint8)
    part = crop(picture.reshape(n * channels, h, w), size, anchor)
    corner = corner_mask(*part.shape[1:], corners)
    values = part.reshape(len(part), -1) if corner is None else part[:, ~corner]
    return np.round(values.astype(np.float32).mean(axis=1)).astype(np.uint8).reshape(n, channels)


def colours(picture: np.ndarray, regions: Sequence[tuple[tuple[float, float], tuple[float, float]] | None],
            corners: Sequence[float] = CORNERS) -> np.ndarray:
    """`region_colours` of each of `regions` ((size, anchor) as `crop` takes them; None for a
    region not hashed, which gets 0s): a (len(regions), n, 3) uint8 array, row for row as the
    hashes of the same regions."""
    out = np.zeros((len(regions), len(picture), CHANNELS), dtype=np.uint8)
    for row, region in enumerate(regions):
        if region is not None and len(picture):
            out[row] = region_colours(picture, *region, corners=corners)
    return out


def master_regions(aspect: float | None, crops: Sequence[float] = CROPS,
                   cut_aspects: Sequence[float] = CUT_ASPECTS) -> list:
    """The regions of `master_planes`' rows, in order: the whole frame, each centre crop, each
    centre cut (None for a shape the picture has: its row is all NO_HASH)."""
    shapes = [cut_shape(aspect, target) for target in cut_aspects]
    return ([((1.0, 1.0), (0.5, 0.5))] + [((f, f), (0.5, 0.5)) for f in crops]
            + [None if shape is None else (shape, (0.5, 0.5)) for shape in shapes])


def query_regions(crops: Sequence[float] = CROPS,
                  shapes: Sequence[tuple[float, float, float, float]] = VIEWS) -> list:
    """The regions of `query_planes`' rows, in order: the whole frame, each centre crop, each
    off-centre view."""
    return ([((1.0, 1.0), (0.5, 0.5))] + [((f, f), (0.5, 0.5)) for f in crops]
            + [((fw, fh), (ax, ay)) for fw, fh, ax, ay in shapes])


def mirrored_picture(picture: np.ndarray) -> np.ndarray:
    """`read_picture`'s frames flipped left to right, every channel."""
    return picture[..., ::-1]


def colour_bytes(values: np.ndarray) -> bytes:
    """`colours` as stored (COLOUR_ENTRY): row after row, frame after frame, Y Cb Cr."""
    return np.ascontiguousarray(values, dtype=np.uint8).tobytes()


def colours_from_bytes(data: bytes, rows: int) -> np.ndarray:
    """The (rows, n, 3) colours of `colour_bytes`; ValueError when the length is not `rows`
    rows of whole Y Cb Cr triples."""
    if rows <= 0 or len(data) % (rows * CHANNELS):
        raise ValueError(f"{len(data)} bytes are not {rows} rows of Y, Cb and Cr")
    return np.frombuffer(data, dtype=np.uint8).reshape(rows, -1, CHANNELS)


def to_planes(hashes: np.ndarray, count: int) -> np.ndarray:
    """The flat hashes of a master (`from_bytes`) as its planes: (len // count, count);
    one plane when `count` is 0 or does not divide the length (an old single-plane file).
    """
    hashes = np.asarray(hashes, dtype=np.uint64).reshape(-1)
    if count <= 0 or len(hashes) % count or not len(hashes):
        return hashes.reshape(1, -1)
    return hashes.reshape(-1, count)


def mirrored(frames: np.ndarray) -> np.ndarray:
    """The frames flipped left to right (what `hflip` does to the picture)."""
    return frames[:, :, ::-1]


def to_bytes(hashes: np.ndarray) -> bytes:
    return np.asarray(hashes, dtype=np.uint64).astype(">u8").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """The hashes of `to_bytes`; ValueError when the length is not a multiple of 8."""
    if len(data) % 8:
        raise ValueError(f"{len(data)} bytes is not a whole number of 64-bit hashes")
    return np.frombuffer(data, dtype=">u8").astype(np.uint64)


def hash_file(frames_path: str, dst: str, size: int = FRAME_SIZE, limit: int | None = None,
              crops: Sequence[float] = CROPS, corners: Sequence[float] = CORNERS, *, aspect: float | None = None,
              cut_aspects: Sequence[float] = CUT_ASPECTS, colour_dst: str | None = None) -> int:
    """Hash the raw frames at `frames_path` (`read_picture`) into `dst`: the `master_planes`
    (whole frame, each centre crop of `crops`, each centre cut to `cut_aspects` of a picture
    of display aspect `aspect`; corners masked by `corners`) one after the other
    (`to_bytes`), and, with `colour_dst`, each of those regions' `colours` into it
    (`colour_bytes`, row for row); the number of frames hashed (the file holds that many
    hashes per plane). No frame gives an empty file: nothing to search for, and no reason to
    fail the renditions (a one-frame video does get its frame, `commands.fingerprint_part`)."""
    picture = read_picture(frames_path, size, limit)
    hashes = master_planes(picture[:, 0], aspect, crops, cut_aspects, corners)
    with open(dst, "wb") as fh:
        fh.write(to_bytes(hashes.reshape(-1)))
    if colour_dst is not None:
        with open(colour_dst, "wb") as fh:
            fh.write(colour_bytes(colours(picture, master_regions(aspect, crops, cut_aspects), corners)))
    return len(picture)


LAYOUT_ENTRY = "phash.json"  # beside the hashes: what their planes are (`layout`)


def layout(count: int, rate: int, crops: Sequence[float] = CROPS, cut_aspects: Sequence[float] = CUT_ASPECTS,
           aspect: float | None = None, *, colour: bool = True) -> dict:
    """What a fingerprints file holds, written beside it (LAYOUT_ENTRY) so that a reader
    need not guess its planes from its length: {"algorithm": "phash64", "rate": hashes a
    second, "count": hashes a plane, "planes": [{"kind": "whole" | "crop" | "cut", "width":
    share kept, "height": share kept, "aspect": the shape cut to (cuts only)}, ...] in file
    order, "aspect": the picture's display width / height (null when unknown)}, and with
    `colour` "colour": {"entry": COLOUR_ENTRY, "channels": ["Y", "Cb", "Cr"], "range":
    "full"} (each plane's region's mean colour, `colours`, row for row). A cut the picture
    needs not (it has that shape) keeps its plane, all NO_HASH, with width and height null."""
    planes: list[dict] = [{"kind": "whole", "width": 1.0, "height": 1.0}]
    planes += [{"kind": "crop", "width": float(f), "height": float(f)} for f in crops]
    for target in cut_aspects:
        shape = cut_shape(aspect, target)
        planes.append({"kind": "cut", "aspect": round(float(target), 6),
                       "width": None if shape is None else round(shape[0], 6),
                       "height": None if shape is None else round(shape[1], 6)})
    out = {"algorithm": "phash64", "rate": int(rate), "count": int(count), "planes": planes,
           "aspect": None if aspect is None else round(float(aspect), 6)}
    if colour:
        out["colour"] = {"entry": COLOUR_ENTRY, "channels": ["Y", "Cb", "Cr"], "range": "full"}
    return out


# ---- query clips ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """A stretch of a query clip that is decoded: start and length, seconds."""

    start: float
    seconds: float


def sample_windows(duration: float, *, whole_up_to: float, window: float, count: int) -> list[Window]:
    """What of a clip of `duration` seconds to decode: the whole of it up to `whole_up_to`
    seconds; a longer one is sampled, `count` windows of `window` seconds spread evenly
    from start to end (so a two-hour file costs `count` × `window` seconds of decoding)."""
    if duration <= whole_up_to:
        return [Window(0.0, duration)]
    count = max(1, count)
    room = max(0.0, duration - window)
    starts = [room * k / (count - 1) for k in range(count)] if count > 1 else [room / 2]
    return [Window(round(s, 3), window) for s in starts]


def query_command(src: str, probe: "ProbeResult", windows: Sequence[Window], targets: Sequence[str], *,
                  rate: int = QUERY_RATE, size: int = FRAME_SIZE) -> list[str]:
    """ONE ffmpeg command decoding each window of `src` (an input each, `-ss`/`-t` before
    `-i`: only the window is read) into raw `size`² frames (`fingerprint_filter`: Y, Cb, Cr;
    `read_picture`), `rate` a second, one target file per window. ValueError when the counts differ or there is no window."""
    if not windows or len(windows) != len(targets):
        raise ValueError("one target per window, at least one window")
    stream = video_map(probe).split(":", 1)[1]
    cmd = list(BASE)
    for w in windows:
        if w.start:
            cmd += ["-ss", f"{w.start:.3f}"]
        cmd += ["-t", f"{w.seconds:.3f}", "-i", file_url(src)]
    graph = ";".join(f"[{k}:{stream}]{fingerprint_filter(rate, size, hold_last=False)}[q{k}]"
                     for k in range(len(windows)))
    cmd += ["-filter_complex", graph]
    for k, target in enumerate(targets):
        cmd += ["-map", f"[q{k}]", "-an", "-sn", "-dn", "-c:v", "rawvideo", "-f", "rawvideo", file_url(target)]
    return cmd


def frames_expected(window: Window, rate: int) -> int:
    return max(1, math.ceil(round(window.seconds * rate, 6)))

