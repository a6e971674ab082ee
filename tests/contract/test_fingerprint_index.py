"""One FingerprintIndex contract, run against every backend that runs here: numpy (the
embedded default, always) and faiss (when `faiss-cpu` is installed; skipped otherwise)."""
from __future__ import annotations

import numpy as np
import pytest

from archive.provenance.index import (BACKENDS, FaissBinaryIndex, IndexUnavailable, NumpyHammingIndex, make_index,
                                      popcount64)


def _faiss_or_skip():
    try:
        return FaissBinaryIndex()
    except IndexUnavailable:
        pytest.skip("faiss-cpu is not installed")


@pytest.fixture(params=["numpy", "faiss"])
def index(request):
    return NumpyHammingIndex() if request.param == "numpy" else _faiss_or_skip()


def _random(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(1, 2**63, size=n, dtype=np.uint64) * 2 + rng.integers(0, 2, size=n, dtype=np.uint64)


def _flip(value, bits):
    for b in bits:
        value ^= np.uint64(1) << np.uint64(b)
    return value


def test_an_exact_hash_is_found_at_its_key_and_position(index):
    a, b = _random(50, 1), _random(80, 2)
    index.add("a", a)
    index.add("b", b)
    assert index.keys() == {"a", "b"} and len(index) == 130
    found = index.search(np.array([b[17], a[3]], dtype=np.uint64), k=1, radius=0)
    assert [(n.query, n.key, n.position, n.distance) for n in found] == [(0, "b", 17, 0), (1, "a", 3, 0)]


def test_nearest_first_within_the_radius_and_at_most_k(index):
    base = _random(1, 3)[0]
    hashes = np.array([_flip(base, range(d)) for d in (9, 0, 3, 5, 12, 1)], dtype=np.uint64)
    index.add("m", hashes)
    index.add("noise", _random(500, 4))
    found = [n for n in index.search(np.array([base], dtype=np.uint64), k=10, radius=5)]
    assert [(n.key, n.position, n.distance) for n in found] == [("m", 1, 0), ("m", 5, 1), ("m", 2, 3), ("m", 3, 5)]
    two = index.search(np.array([base], dtype=np.uint64), k=2, radius=64)
    assert [n.distance for n in two] == [0, 1]


def test_adding_a_key_again_replaces_it_and_remove_forgets_it(index):
    index.add("a", _random(10, 5))
    index.add("a", _random(4, 6))
    assert len(index) == 4
    assert index.search(_random(10, 5)[:1], k=1, radius=0) == []
    index.remove("a")
    index.remove("never there")
    assert len(index) == 0 and index.keys() == set() and index.search(_random(1, 6), k=1, radius=64) == []


def test_flat_frames_are_neither_stored_nor_looked_up(index):
    index.add("card", np.array([0, 0, 5, 0], dtype=np.uint64))
    assert len(index) == 1
    assert index.search(np.array([0], dtype=np.uint64), k=5, radius=64) == []
    assert [(n.position, n.distance) for n in index.search(np.array([4], dtype=np.uint64), k=5, radius=64)] == [(2, 1)]


def test_bad_arguments_are_refused(index):
    index.add("a", _random(3, 7))
    for k, radius in ((0, 5), (1, -1), (1, 65)):
        with pytest.raises(ValueError):
            index.search(_random(1, 8), k=k, radius=radius)


def test_the_backends_agree_on_random_data():
    other = _faiss_or_skip()
    mine = NumpyHammingIndex()
    stored = _random(3000, 9)
    for backend in (mine, other):
        backend.add("x", stored[:1500])
        backend.add("y", stored[1500:])
    queries = np.array([_flip(h, (3, 17, 40)) for h in stored[::300]] + list(_random(5, 10)), dtype=np.uint64)
    a = mine.search(queries, k=5, radius=12)
    b = other.search(queries, k=5, radius=12)
    assert [(n.query, n.distance) for n in a] == [(n.query, n.distance) for n in b]
    assert {(n.key, n.position) for n in a if n.distance == 3} == {(n.key, n.position) for n in b if n.distance == 3}
    assert all(n.distance == int(popcount64(np.array([queries[n.query] ^ stored[n.position + (1500 if n.key == "y" else 0)]],
                                                       dtype=np.uint64))[0]) for n in a)


def test_the_setting_names_a_backend():
    assert set(BACKENDS) == {"numpy", "faiss"} and isinstance(make_index("numpy"), NumpyHammingIndex)
    with pytest.raises(ValueError, match="FINGERPRINT_INDEX"):
        make_index("annoy")


def test_planes_are_searched_at_their_positions_and_given_back_as_added(index):
    whole, crop = _random(40, 31), _random(40, 32)
    whole[5] = 0  # a flat frame: nothing stored there, NO_HASH given back
    index.add("m", np.stack([whole, crop]))
    assert len(index) == 79
    found = index.search(np.array([crop[12], whole[30]], dtype=np.uint64), k=1, radius=0)
    assert [(n.query, n.key, n.position, n.distance) for n in found] == [(0, "m", 12, 0), (1, "m", 30, 0)]
    assert index.sequence("m").tolist() == np.stack([whole, crop]).tolist()
    index.add("one", whole[:10])
    assert index.sequence("one").shape == (1, 10)
    assert index.sequence("unknown").shape == (1, 0)
