"""The fingerprint index: nearest neighbours of 64-bit hashes by Hamming distance.

`FingerprintIndex` is the interface; `NumpyHammingIndex` the embedded default (exact search:
XOR and a population count over every stored hash, several query hashes a pass over
cache-sized blocks of the stored ones: 12 ms a query hash over 10.8 M hashes, 1,000 hours of
3 planes a second, against 42 ms one query a pass; BLOCK) and `FaissBinaryIndex` the path to scale
(`faiss.IndexBinaryFlat`, the optional dependency `faiss-cpu`; its binary IVF and HNSW
indexes take the same calls). `benchmarks/provenance.py` measures both at 1,000 hours.
`tests/contract/test_fingerprint_index.py` runs one suite over both. Config
`FINGERPRINT_INDEX` picks one (`numpy` | `faiss`); a backend that cannot be loaded is an
IndexUnavailable naming the setting.

Every stored hash is a (key, position) pair: the asset id and the frame number within that
asset's hashes, on one plane of that asset's (`add`: whole frame, crops, cuts). A search may
be restricted to some planes (`search(planes=...)`): the stored hashes are packed plane after
plane, so a plane is one contiguous slice to scan. NO_HASH entries (flat frames) are never
stored.
"""
from __future__ import annotations

import abc
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

NO_HASH = 0  # archive.media.fingerprints.NO_HASH: a flat frame, never indexed


class IndexUnavailable(Exception):
    """The configured index backend cannot run here (its package is missing)."""


@dataclass(frozen=True)
class Neighbour:
    """One stored hash near query hash number `query`: its key (asset id), its position
    (frame number in that asset's hashes) and its Hamming distance (0..64 bits)."""

    query: int
    key: str
    position: int
    distance: int


def popcount64(values: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (numpy's `bitwise_count` where it exists, else a byte table)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
    return table[values.view(np.uint8)].reshape(-1, 8).sum(axis=1, dtype=np.uint8)


class FingerprintIndex(abc.ABC):
    """Hashes by key; `search` gives each query hash's nearest stored hashes."""

    @abc.abstractmethod
    def add(self, key: str, hashes: np.ndarray) -> None:
        """Store `hashes` under `key`, replacing what the key had; NO_HASH entries are
        skipped. `hashes` is uint64, one plane (n,) or several (planes, n): position = index
        along the last axis; every plane's hashes are searched, each found at its position
        (the planes of a master are its whole frames and centre crops)."""

    @abc.abstractmethod
    def remove(self, key: str) -> None:
        """Forget `key` (nothing happens for an unknown key)."""

    @abc.abstractmethod
    def keys(self) -> set[str]:
        """The keys stored."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of hashes stored."""

    @abc.abstractmethod
    def sequence(self, key: str) -> np.ndarray:
        """The hashes stored under `key` as they were added: a (planes, n) uint64 array, n
        its last stored position + 1, NO_HASH where nothing was stored (flat frames); (1, 0)
        for an unknown key. What the verification pass aligns a query against
        (`matching.verify`)."""

    @abc.abstractmethod
    def search(self, queries: np.ndarray, *, k: int, radius: int,
               planes: Sequence[int] | None = None) -> list[Neighbour]:
        """For each query hash (uint64), its at most `k` nearest stored hashes at a Hamming
        distance ≤ `radius`, nearest first per query (equal distances in any order). NO_HASH
        queries get none. `planes` restricts the search to the hashes stored on those planes
        (row numbers of what `add` took: 0 the whole frame, ...; a plane no key has holds
        nothing); None searches them all. The answer is that of an unrestricted search over
        an index holding those planes alone. ValueError for k < 1, a radius outside 0..64,
        or `planes` empty or holding anything but integers ≥ 0."""


def _check(k: int, radius: int) -> None:
    if k < 1:
        raise ValueError("k must be at least 1")
    if not 0 <= radius <= 64:
        raise ValueError("radius must be within 0..64")


def _check_planes(planes: Sequence[int] | None) -> list[int] | None:
    """The planes asked for, sorted and without repeats; None for all."""
    if planes is None:
        return None
    if isinstance(planes, (str, bytes)) or not hasattr(planes, "__iter__"):
        raise ValueError("planes must be a sequence of plane numbers (integers ≥ 0)")
    chosen = list(planes)
    if not chosen:
        raise ValueError("planes must name at least one plane")
    if any(isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, np.integer)) or p < 0 for p in chosen):
        raise ValueError("planes must be integers ≥ 0")
    return sorted({int(p) for p in chosen})


class _Packed(FingerprintIndex, abc.ABC):
    """Keeps each key's hashes; packs them into flat arrays (hash, owner, position) when a
    search follows a change, plane after plane (within a plane, key after key in key order,
    positions ascending), so that each plane is one contiguous slice of rows. Thread-safe:
    a web process shares one index."""

    def __init__(self) -> None:
        self._by_key: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, int]] = {}
        self._lock = threading.Lock()
        self._dirty = True
        self._keys: list[str] = []
        self._owner = np.zeros(0, dtype=np.int32)
        self._position = np.zeros(0, dtype=np.int64)
        self._bounds = np.zeros(1, dtype=np.int64)  # plane p is rows bounds[p]:bounds[p + 1]
        self._count = 0

    def add(self, key: str, hashes: np.ndarray) -> None:
        hashes = np.asarray(hashes, dtype=np.uint64)
        hashes = hashes.reshape(1, -1) if hashes.ndim < 2 else hashes.reshape(hashes.shape[0], -1)
        plane, positions = np.nonzero(hashes != NO_HASH)  # plane by plane, positions ascending
        with self._lock:
            old = self._by_key.pop(key, None)
            self._count -= 0 if old is None else len(old[0])
            self._by_key[key] = (hashes[plane, positions].copy(), positions.astype(np.int64),
                                 plane.astype(np.int16), hashes.shape[0])
            self._count += len(positions)
            self._dirty = True

    def remove(self, key: str) -> None:
        with self._lock:
            old = self._by_key.pop(key, None)
            if old is not None:
                self._count -= len(old[0])
                self._dirty = True

    def keys(self) -> set[str]:
        with self._lock:
            return set(self._by_key)

    def __len__(self) -> int:
        return self._count

    def sequence(self, key: str) -> np.ndarray:
        with self._lock:
            stored = self._by_key.get(key)
        if stored is None or not len(stored[1]):
            return np.zeros((1 if stored is None else stored[3], 0), dtype=np.uint64)
        hashes, positions, plane, planes = stored
        out = np.zeros((planes, int(positions.max()) + 1), dtype=np.uint64)
        out[plane, positions] = hashes
        return out

    def _pack(self) -> None:
        # Under the lock. Keys are sorted so that two backends fed alike pack alike; a stable
        # sort by plane keeps key order, then positions, within each plane.
        keys = sorted(self._by_key)
        parts = [self._by_key[key] for key in keys]
        if parts:
            hashes = np.concatenate([p[0] for p in parts])
            owner = np.concatenate([np.full(len(p[0]), n, dtype=np.int32) for n, p in enumerate(parts)])
            position = np.concatenate([p[1] for p in parts])
            plane = np.concatenate([p[2] for p in parts])
            order = np.argsort(plane, kind="stable")
            hashes, self._owner, self._position = hashes[order], owner[order], position[order]
            planes = max(p[3] for p in parts)
            self._bounds = np.searchsorted(plane[order], np.arange(planes + 1), side="left").astype(np.int64)
            self._bounds[-1] = len(hashes)
        else:
            hashes = np.zeros(0, dtype=np.uint64)
            self._owner = np.zeros(0, dtype=np.int32)
            self._position = np.zeros(0, dtype=np.int64)
            self._bounds = np.zeros(1, dtype=np.int64)
        self._keys = keys
        self._load(hashes, self._bounds)
        self._dirty = False

    def _ranges(self, planes: list[int] | None) -> list[tuple[int, int]]:
        """The row slices (start, stop) holding `planes` (all rows for None), ascending,
        adjacent ones joined, empty ones left out."""
        bounds = self._bounds
        if planes is None:
            return [(0, int(bounds[-1]))] if bounds[-1] else []
        out: list[tuple[int, int]] = []
        for p in planes:
            if p + 1 >= len(bounds) or bounds[p] == bounds[p + 1]:
                continue
            start, stop = int(bounds[p]), int(bounds[p + 1])
            if out and out[-1][1] == start:
                out[-1] = (out[-1][0], stop)
            else:
                out.append((start, stop))
        return out

    @abc.abstractmethod
    def _load(self, hashes: np.ndarray, bounds: np.ndarray) -> None:
        """Take the packed hashes (the backend's own structure); plane p is rows
        bounds[p]:bounds[p + 1]."""

    @abc.abstractmethod
    def _nearest(self, queries: np.ndarray, k: int, radius: int, ranges: list[tuple[int, int]],
                 planes: list[int] | None) -> list[tuple[np.ndarray, np.ndarray]]:
        """(rows, distances) per query, nearest first, within radius, at most k, among the
        rows of `ranges` (those of `planes`, None for all)."""

    def search(self, queries: np.ndarray, *, k: int, radius: int,
               planes: Sequence[int] | None = None) -> list[Neighbour]:
        _check(k, radius)
        chosen = _check_planes(planes)
        queries = np.asarray(queries, dtype=np.uint64).reshape(-1)
        with self._lock:
            if self._dirty:
                self._pack()
            ranges = self._ranges(chosen)
            if not ranges or not len(queries):
                return []
            found = self._nearest(queries, k, radius, ranges, chosen)
            keys, owner, position = self._keys, self._owner, self._position
        out: list[Neighbour] = []
        for q, (rows, distances) in enumerate(found):
            if queries[q] == NO_HASH:
                continue
            out += [Neighbour(q, keys[owner[r]], int(position[r]), int(d)) for r, d in zip(rows, distances)]
        return out


# The numpy scan's tiles: BLOCK stored hashes against QUERY_BLOCK query hashes at a time, so
# that the XOR tile (QUERY_BLOCK × BLOCK × 8 bytes, 512 KiB) and the stored block stay in the
# core's cache while every query of the tile passes over them; the whole array is read from
# memory once per QUERY_BLOCK queries instead of once per query. Chosen on 10.8 M random
# hashes, 40 queries at radius 12 (CPU a query hash; one query a pass: 42.3 ms): 4,096 × 8
# 13.3 ms, 8,192 × 8 12.2, 16,384 × 8 14.6, 8,192 × 16 12.0, 32,768 × 4 12.3, 65,536 × 2 14.7.
# The lookup's figures: `benchmarks/provenance.py --latency-only`.
BLOCK = 8192
QUERY_BLOCK = 8


class NumpyHammingIndex(_Packed):
    """Exact search in numpy: every stored hash XOR the query, bits counted, in tiles of
    QUERY_BLOCK queries × BLOCK stored hashes; among equal distances the rows packed first
    (plane, key, position order) come first."""

    def _load(self, hashes: np.ndarray, bounds: np.ndarray) -> None:
        self._hashes = hashes

    def _nearest(self, queries: np.ndarray, k: int, radius: int, ranges: list[tuple[int, int]],
                 planes: list[int] | None) -> list[tuple[np.ndarray, np.ndarray]]:
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        found: list[tuple[np.ndarray, np.ndarray]] = [empty] * len(queries)
        live = np.flatnonzero(queries != NO_HASH)
        if not len(live):
            return found
        # Per live query: its hits so far (row and distance arrays) and its radius, tightened
        # to the k-th nearest distance whenever the hits held are cut back to the k nearest
        # (rows come in ascending order, so a later hit at that distance would rank after
        # every one held: it never enters the k nearest).
        rows_of: list[list[np.ndarray]] = [[] for _ in live]
        dist_of: list[list[np.ndarray]] = [[] for _ in live]
        held = np.zeros(len(live), dtype=np.int64)
        limit = np.full(len(live), radius, dtype=np.int64)
        width = min(QUERY_BLOCK, len(live))
        groups = [(c, queries[live[c:c + width]][:, None]) for c in range(0, len(live), width)]
        xor = np.empty((width, BLOCK), dtype=np.uint64)
        bits = np.empty((width, BLOCK), dtype=np.uint8)
        near = np.empty((width, BLOCK), dtype=bool)
        stored = self._hashes
        for start, stop in ranges:
            for b in range(start, stop, BLOCK):
                block = stored[b:min(b + BLOCK, stop)]
                n = len(block)
                for c, group in groups:
                    m = len(group)
                    x, d, hit = xor[:m, :n], bits[:m, :n], near[:m, :n]
                    np.bitwise_xor(block, group, out=x)
                    _popcount_into(x, d)
                    np.less_equal(d, int(limit[c:c + m].max()), out=hit)
                    flat = np.flatnonzero(hit)
                    if not len(flat):
                        continue
                    qi, ri = np.divmod(flat, n)
                    dist = d.reshape(-1)[flat].astype(np.int64)
                    cuts = np.searchsorted(qi, np.arange(m + 1))  # qi ascending: each query's hits
                    for j in np.flatnonzero(np.diff(cuts)):
                        u = c + j
                        dj, rj = dist[cuts[j]:cuts[j + 1]], ri[cuts[j]:cuts[j + 1]] + b
                        if limit[u] < dj.max():
                            keep = dj <= limit[u]
                            dj, rj = dj[keep], rj[keep]
                        if not len(dj):
                            continue
                        rows_of[u].append(rj)
                        dist_of[u].append(dj)
                        held[u] += len(dj)
                        if held[u] > max(4 * k, 1024):
                            r, dd = _best(np.concatenate(rows_of[u]), np.concatenate(dist_of[u]), k)
                            rows_of[u], dist_of[u], held[u], limit[u] = [r], [dd], len(r), int(dd[-1])
        for u, q in enumerate(live):
            if held[u]:
                found[q] = _best(np.concatenate(rows_of[u]), np.concatenate(dist_of[u]), k)
        return found


def _best(rows: np.ndarray, distances: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest of (rows, distances), rows ascending: by distance, then row."""
    order = np.lexsort((rows, distances))[:k]
    return rows[order], distances[order]


def _popcount_into(values: np.ndarray, out: np.ndarray) -> None:
    if hasattr(np, "bitwise_count"):
        np.bitwise_count(values, out=out)
    else:
        out[...] = popcount64(values.reshape(-1)).reshape(out.shape)


class FaissBinaryIndex(_Packed):
    """`faiss.IndexBinaryFlat` over 64-bit codes, one per plane (exact; its IVF/HNSW binary
    indexes are drop-in for approximate search at larger scale). A search over several
    planes merges each plane's nearest. Needs `faiss-cpu`."""

    def __init__(self) -> None:
        try:
            import faiss  # optional dependency: the embedded default needs none
        except ImportError as exc:
            raise IndexUnavailable("FINGERPRINT_INDEX=faiss needs the faiss-cpu package "
                                   "(pip install 'ortak[faiss]')") from exc
        self._faiss = faiss
        super().__init__()

    def _load(self, hashes: np.ndarray, bounds: np.ndarray) -> None:
        self._planes: list[tuple[int, object]] = []
        codes = _codes(hashes)
        for p in range(len(bounds) - 1):
            index = self._faiss.IndexBinaryFlat(64)
            if bounds[p + 1] > bounds[p]:
                index.add(codes[bounds[p]:bounds[p + 1]])
            self._planes.append((int(bounds[p]), index))

    def _nearest(self, queries: np.ndarray, k: int, radius: int, ranges: list[tuple[int, int]],
                 planes: list[int] | None) -> list[tuple[np.ndarray, np.ndarray]]:
        chosen = range(len(self._planes)) if planes is None else [p for p in planes if p < len(self._planes)]
        codes = _codes(queries)
        per_plane = []
        for p in chosen:
            start, index = self._planes[p]
            if not index.ntotal:
                continue
            distances, rows = index.search(codes, min(k, index.ntotal))
            per_plane.append((distances, np.where(rows >= 0, rows + start, -1)))
        distances = np.concatenate([d for d, _ in per_plane], axis=1)
        rows = np.concatenate([r for _, r in per_plane], axis=1)
        found = []
        for d, r in zip(distances, rows):
            keep = (r >= 0) & (d <= radius)
            r, d = r[keep].astype(np.int64), d[keep].astype(np.int64)
            if len(per_plane) > 1:
                r, d = _best(r, d, k)
            found.append((r, d))
        return found


def _codes(hashes: np.ndarray) -> np.ndarray:
    # faiss compares bytes; the byte order only has to be the same for codes and queries.
    return np.ascontiguousarray(hashes.astype(">u8")).view(np.uint8).reshape(-1, 8)


BACKENDS = {"numpy": NumpyHammingIndex, "faiss": FaissBinaryIndex}


def make_index(name: str) -> FingerprintIndex:
    """A new empty index of the backend `name` (config FINGERPRINT_INDEX). ValueError for an
    unknown name, IndexUnavailable when its package is missing."""
    try:
        backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"FINGERPRINT_INDEX must be one of {', '.join(sorted(BACKENDS))}, not {name!r}") from None
    return backend()
