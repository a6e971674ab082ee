"""The fingerprint index: nearest neighbours of 64-bit hashes by Hamming distance.

`FingerprintIndex` is the interface; `NumpyHammingIndex` the embedded default (exact search:
XOR and a population count over every stored hash, about 15 ms a query hash for 1,000
hours at 1 hash a second, `benchmarks/provenance.py`) and `FaissBinaryIndex` the path to
scale (`faiss.IndexBinaryFlat`, the optional dependency `faiss-cpu`; its binary IVF and
HNSW indexes take the same calls). `tests/contract/test_fingerprint_index.py` runs one
suite over both. Config `FINGERPRINT_INDEX` picks one (`numpy` | `faiss`); a backend that
cannot be loaded is an IndexUnavailable naming the setting.

Every stored hash is a (key, position) pair: the asset id and the frame number within that
asset's hashes. NO_HASH entries (flat frames) are never stored.
"""
from __future__ import annotations

import abc
import threading
from dataclasses import dataclass

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
    def search(self, queries: np.ndarray, *, k: int, radius: int) -> list[Neighbour]:
        """For each query hash (uint64), its at most `k` nearest stored hashes at a Hamming
        distance ≤ `radius`, nearest first per query (equal distances in any order). NO_HASH
        queries get none. ValueError for k < 1 or a radius outside 0..64."""


def _check(k: int, radius: int) -> None:
    if k < 1:
        raise ValueError("k must be at least 1")
    if not 0 <= radius <= 64:
        raise ValueError("radius must be within 0..64")


class _Packed(FingerprintIndex, abc.ABC):
    """Keeps each key's hashes; packs them into flat arrays (hash, owner, position) when a
    search follows a change. Thread-safe: a web process shares one index."""

    def __init__(self) -> None:
        self._by_key: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()
        self._dirty = True
        self._keys: list[str] = []
        self._owner = np.zeros(0, dtype=np.int32)
        self._position = np.zeros(0, dtype=np.int64)
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
        # Under the lock. Keys are sorted so that two backends fed alike pack alike.
        keys = sorted(self._by_key)
        parts = [self._by_key[key] for key in keys]
        hashes = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.uint64)
        self._owner = (np.concatenate([np.full(len(p[0]), n, dtype=np.int32) for n, p in enumerate(parts)])
                       if parts else np.zeros(0, dtype=np.int32))
        self._position = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        self._keys = keys
        self._load(hashes)
        self._dirty = False

    @abc.abstractmethod
    def _load(self, hashes: np.ndarray) -> None:
        """Take the packed hashes (the backend's own structure)."""

    @abc.abstractmethod
    def _nearest(self, queries: np.ndarray, k: int, radius: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """(rows, distances) per query, nearest first, within radius, at most k."""

    def search(self, queries: np.ndarray, *, k: int, radius: int) -> list[Neighbour]:
        _check(k, radius)
        queries = np.asarray(queries, dtype=np.uint64).reshape(-1)
        with self._lock:
            if self._dirty:
                self._pack()
            if not len(self._owner):
                return []
            found = self._nearest(queries, k, radius)
            keys, owner, position = self._keys, self._owner, self._position
        out: list[Neighbour] = []
        for q, (rows, distances) in enumerate(found):
            if queries[q] == NO_HASH:
                continue
            out += [Neighbour(q, keys[owner[r]], int(position[r]), int(d)) for r, d in zip(rows, distances)]
        return out


class NumpyHammingIndex(_Packed):
    """Exact search in numpy: every stored hash XOR the query, bits counted."""

    def _load(self, hashes: np.ndarray) -> None:
        self._hashes = hashes

    def _nearest(self, queries: np.ndarray, k: int, radius: int) -> list[tuple[np.ndarray, np.ndarray]]:
        found = []
        for q in queries:
            distances = popcount64(self._hashes ^ q)
            rows = np.flatnonzero(distances <= radius)
            if len(rows) > k:
                rows = rows[np.argpartition(distances[rows], k - 1)[:k]]
            rows = rows[np.argsort(distances[rows], kind="stable")]
            found.append((rows, distances[rows]))
        return found


class FaissBinaryIndex(_Packed):
    """`faiss.IndexBinaryFlat` over 64-bit codes (exact; its IVF/HNSW binary indexes are
    drop-in for approximate search at larger scale). Needs `faiss-cpu`."""

    def __init__(self) -> None:
        try:
            import faiss  # optional dependency: the embedded default needs none
        except ImportError as exc:
            raise IndexUnavailable("FINGERPRINT_INDEX=faiss needs the faiss-cpu package "
                                   "(pip install 'ortak[faiss]')") from exc
        self._faiss = faiss
        super().__init__()

    def _load(self, hashes: np.ndarray) -> None:
        self._index = self._faiss.IndexBinaryFlat(64)
        if len(hashes):
            self._index.add(_codes(hashes))

    def _nearest(self, queries: np.ndarray, k: int, radius: int) -> list[tuple[np.ndarray, np.ndarray]]:
        k = min(k, self._index.ntotal)
        distances, rows = self._index.search(_codes(queries), k)
        found = []
        for d, r in zip(distances, rows):
            keep = (r >= 0) & (d <= radius)
            found.append((r[keep].astype(np.int64), d[keep].astype(np.int64)))
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
